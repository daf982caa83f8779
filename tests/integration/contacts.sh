#!/bin/sh
# Contacts: add, set, list, search, remove; mutt alias and vCard imports
# with broken lines reported by line number (the good ones imported);
# import never lowers a policy (and says what it kept); mutt groups,
# aliases of aliases, "addr (Name)", alias keys; vCard 2.1 and Outlook
# QUOTED-PRINTABLE names; export then import round-trips (aliases and
# groups too), and export --dir writes one card per contact.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup contacts
t_config "from = Alice <alice@example.org>
relay = direct
[domain bank.example]
tls = verify"

"$TERN" contacts add Bob@Example.NET --name "Bob B" --tls encrypt || t_fail "add"
"$TERN" contacts add carol@bank.example || t_fail "add carol"
l=$("$TERN" contacts list --json)
bob=$(printf '%s\n' "$l" | grep -i bob@)
carol=$(printf '%s\n' "$l" | grep carol@)
t_assert_eq "$(t_json_get "$bob" address)" Bob@example.net "domain lower-cased"
t_assert_eq "$(t_json_get "$bob" policy)" encrypt "bob policy"
t_assert_eq "$(t_json_get "$carol" policy)" verify "carol from the domain"
t_assert_eq "$(t_json_get "$carol" policy_source)" domain "carol source"
"$TERN" contacts set Bob@EXAMPLE.net --tls default || t_fail "set default"
t_assert_eq "$(t_json_get "$("$TERN" contacts list --json Bob)" policy)" may "back to default"
t_assert_eq "$("$TERN" contacts list --json carol | grep -c .)" 1 "search"
rc=0
"$TERN" contacts set Bob@example.net --tls sometimes 2>/dev/null || rc=$?
t_assert_eq "$rc" 64 "bad policy"
"$TERN" contacts remove carol@bank.example || t_fail "remove"
t_assert_eq "$("$TERN" contacts list --json | grep -c .)" 1 "removed"

cat >"$T/aliases" <<'A'
# mutt aliases
alias dave Dave Smith <dave@example.net>
alias erin erin@example.net
this line is broken
alias frank "Frank, Jr." <frank@example.net>
alias bad Bad <not an address>
alias team gus@example.net, hal@example.net
A
rc=0
"$TERN" contacts import "$T/aliases" >"$T/out" 2>"$T/err" || rc=$?
t_assert_eq "$rc" 65 "exit code with skipped lines"
t_assert_match "$(cat "$T/err")" 'aliases:4:' "line 4 reported"
t_assert_match "$(cat "$T/err")" 'aliases:6:' "line 6 reported"
l=$("$TERN" contacts list --json)
for a in dave erin frank gus hal; do
	printf '%s\n' "$l" | grep -q "\"$a@example.net\"" || t_fail "$a not imported"
done
t_assert_eq "$(t_json_get "$(printf '%s\n' "$l" | grep dave@)" name)" "Dave Smith" "alias name"

cat >"$T/cards.vcf" <<'V'
BEGIN:VCARD
VERSION:3.0
FN:Ivy Ünïcode
EMAIL;TYPE=INTERNET:ivy@example.net
NOTE:line one\nline two
X-TERN-TLS:verify
END:VCARD
BEGIN:VCARD
VERSION:4.0
FN:No Email
END:VCARD
BEGIN:VCARD
VERSION:4.0
FN:Jay
EMAIL:jay@example.net
END:VCARD
V
rc=0
"$TERN" contacts import "$T/cards.vcf" >"$T/out" 2>"$T/err" || rc=$?
t_assert_eq "$rc" 65 "exit code with a broken card"
t_assert_match "$(cat "$T/err")" 'cards.vcf:[0-9]+:' "broken card reported"
ivy=$("$TERN" contacts list --json ivy)
t_assert_eq "$(t_json_get "$ivy" name)" "Ivy Ünïcode" "vCard name"
t_assert_eq "$(t_json_get "$ivy" tls)" verify "X-TERN-TLS"
"$TERN" contacts list jay | grep -q jay@ || t_fail "jay not imported"

# Import over contacts that have a policy: never lowered, and said.
"$TERN" contacts add carol@x.example --tls verify || t_fail "add carol"
"$TERN" contacts add kate@bank.example || t_fail "add kate"
cat >"$T/over" <<'A'
alias carol Carol C <carol@x.example>
alias kate kate@bank.example (Kate K)
A
"$TERN" contacts import "$T/over" >"$T/out" 2>"$T/err" || t_fail "import over"
carol=$("$TERN" contacts list --json carol@x)
t_assert_eq "$(t_json_get "$carol" tls)" verify "alias import kept verify"
t_assert_eq "$(t_json_get "$carol" name)" "Carol C" "the name is taken"
t_assert_eq "$(t_json_get "$carol" alias)" carol "the alias key is kept"
t_assert_match "$(cat "$T/err")" 'kept carol@x.example at verify \(the file sets no TLS policy\)' "said what it kept"
t_assert_eq "$(t_json_get "$("$TERN" contacts list --json kate@)" name)" "Kate K" "addr (Name)"
printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Carol\r\nEMAIL:carol@x.example\r\nX-TERN-TLS:may\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Kate\r\nEMAIL:kate@bank.example\r\nX-TERN-TLS:encrypt\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dave\r\nEMAIL:dave@example.net\r\nX-TERN-TLS:encrypt\r\nEND:VCARD\r\n' >"$T/lower.vcf"
"$TERN" contacts import "$T/lower.vcf" >"$T/out" 2>"$T/err" || t_fail "import lower"
t_assert_eq "$(t_json_get "$("$TERN" contacts list --json carol@x)" tls)" verify "vCard may did not lower verify"
t_assert_match "$(cat "$T/err")" 'kept carol@x.example at verify \(the file says may\)' "said may was refused"
t_assert_eq "$(t_json_get "$("$TERN" contacts list --json kate@)" policy)" verify "domain verify not lowered"
t_assert_match "$(cat "$T/err")" 'kept kate@bank.example at verify from its domain \(the file says encrypt\)' "said the domain rule was kept"
t_assert_eq "$(t_json_get "$("$TERN" contacts list --json dave@)" tls)" encrypt "a stated stricter policy is taken"

# mutt groups, aliases of aliases, addr (Name), group/ungroup.
cat >"$T/groups" <<'A'
alias -group friends liz Liz L <liz@example.org>
alias mo mo@example.org (Mo M)
alias ned ned@example.org
alias crew liz, mo, "Pat P" <pat@example.org>
alias everyone crew, ned
alias spin1 spin2
alias spin2 spin1, quin@example.org
group -group friends -addr mo@example.org
A
rc=0
"$TERN" contacts import "$T/groups" >"$T/out" 2>"$T/err" || rc=$?
t_assert_eq "$rc" 65 "a loop is a skipped line"
t_assert_match "$(cat "$T/err")" 'groups:6: skipped: .*loop' "loop reported"
t_assert_eq "$(t_json_get "$("$TERN" contacts list --json mo@)" name)" "Mo M" "addr (Name) in a group file"
t_assert_eq "$("$TERN" contacts list --group crew | awk '{print $1}' | tr '\n' ' ')" "liz@example.org mo@example.org pat@example.org " "group of an alias"
t_assert_eq "$("$TERN" contacts list --group everyone | awk '{print $1}' | tr '\n' ' ')" "liz@example.org mo@example.org ned@example.org pat@example.org " "alias of aliases"
t_assert_eq "$("$TERN" contacts list --group friends | awk '{print $1}' | tr '\n' ' ')" "liz@example.org mo@example.org " "-group and group -addr"
t_assert_eq "$("$TERN" contacts list --group liz | awk '{print $1}')" "liz@example.org" "an alias key names its contact"
t_assert_eq "$("$TERN" contacts list --group spin1 | awk '{print $1}')" "quin@example.org" "loop left out, the rest kept"
t_assert_eq "$(t_json_get "$("$TERN" contacts list --json liz@)" groups)" '["crew", "everyone", "friends"]' "groups listed"

# vCard 2.1 and Outlook 3.0 names in QUOTED-PRINTABLE.
printf 'BEGIN:VCARD\r\nVERSION:2.1\r\nN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:M=C3=BCller;J=C3=BCrgen\r\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:J=C3=BCrgen M=C3=BC=\r\nller\r\nEMAIL;INTERNET:juergen@example.de\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN;ENCODING=QUOTED-PRINTABLE:Ren=E9e Dupont\r\nEMAIL;TYPE=INTERNET:renee@example.fr\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Gar=E7on;Fran=E7ois\r\nEMAIL:francois@example.fr\r\nEND:VCARD\r\n' >"$T/qp.vcf"
"$TERN" contacts import "$T/qp.vcf" >"$T/out" 2>"$T/err" || t_fail "QP import: $(cat "$T/err")"
t_assert_eq "$(t_json_get "$("$TERN" contacts list --json juergen@)" name)" "Jürgen Müller" "vCard 2.1 QP name, soft line break"
t_assert_eq "$(t_json_get "$("$TERN" contacts list --json renee@)" name)" "Renée Dupont" "Outlook 3.0 QP name"
t_assert_eq "$(t_json_get "$("$TERN" contacts list --json francois@)" name)" "François Garçon" "N without FN, ISO-8859-1"

# export --dir: one card per contact, named by its UID.
"$TERN" contacts export --dir "$T/vdir" || t_fail "export --dir"
t_assert_eq "$(ls "$T/vdir" | grep -c '\.vcf$')" "$("$TERN" contacts list --json | grep -c .)" "one card per contact"
for f in "$T"/vdir/*.vcf; do
	uid=$(sed -n 's/^UID:\(.*\)\r$/\1/p' "$f")
	t_assert_eq "$(basename "$f")" "$uid.vcf" "card file named by its UID"
done

# Export, import into a fresh store, compare.
"$TERN" contacts export "$T/all.vcf" || t_fail "export"
before=$("$TERN" contacts list --json)
XDG_DATA_HOME=$T/data2 "$TERN" contacts import "$T/all.vcf" >/dev/null || t_fail "re-import"
after=$(XDG_DATA_HOME=$T/data2 "$TERN" contacts list --json)
t_assert_eq "$after" "$before" "round trip"
# The search folds case beyond ASCII, as the message search does.
"$TERN" contacts add omer@example.org --name 'Ömer Özdemir' >/dev/null ||
    t_fail "add Ömer"
t_assert_match "$("$TERN" contacts list 'ÖZDEM')" 'omer@example.org' \
    "search ÖZDEM finds Özdemir"
t_assert_match "$("$TERN" contacts list 'ömer')" 'omer@example.org' \
    "search ömer finds Ömer"
t_pass
