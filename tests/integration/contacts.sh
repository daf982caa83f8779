#!/bin/sh
# Contacts: add, set, list, search, remove; mutt alias and vCard imports
# with broken lines reported by line number (the good ones imported);
# export then import round-trips.
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

# Export, import into a fresh store, compare.
"$TERN" contacts export "$T/all.vcf" || t_fail "export"
before=$("$TERN" contacts list --json)
XDG_DATA_HOME=$T/data2 "$TERN" contacts import "$T/all.vcf" >/dev/null || t_fail "re-import"
after=$(XDG_DATA_HOME=$T/data2 "$TERN" contacts list --json)
t_assert_eq "$after" "$before" "round trip"
t_pass
