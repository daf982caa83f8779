#!/bin/sh
# khard 0.18 reads what tern exports: 30 contacts (names with commas,
# suffixes and UTF-8, no name, imported from vCard 2.1 QUOTED-PRINTABLE
# and mutt aliases with groups, every policy) written by
# "tern contacts export --dir" into a vdir are all listed by khard, with
# their UIDs, names and addresses; the one-file export holds the same cards.
# Skips (77) only when khard is absent and cannot be installed.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
if ! command -v khard >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q khard \
		    >/dev/null 2>&1 || true
	fi
	command -v khard >/dev/null 2>&1 ||
	    t_skip "khard is not installed and cannot be installed"
fi
t_setup khard
t_config "from = Alice <alice@example.org>
relay = direct"

# 30 contacts, made the ways a user makes them.
i=1
while [ $i -le 15 ]; do
	"$TERN" contacts add "user$i@example.net" --name "First$i Last$i" ||
	    t_fail "add user$i"
	i=$((i + 1))
done
"$TERN" contacts add noname@example.net || t_fail "add noname"
"$TERN" contacts add strict@bank.example --name "Strict, Sam" --tls verify ||
    t_fail "add strict"
"$TERN" contacts add enc@example.org --name "Ève Ünïcode 日本" --tls encrypt ||
    t_fail "add enc"
"$TERN" contacts add may@example.org --name "Frank Jones, Jr." --tls may \
    --notes "a note; with, punctuation
and a second line" || t_fail "add may"
"$TERN" contacts add long@example.org --name "$(printf 'Very%.0s' $(seq 30)) Long" ||
    t_fail "add long"
cat >"$T/aliases" <<'A'
alias -group friends liz Liz L <liz@example.org>
alias mo mo@example.org (Mo M)
alias team liz, mo, "Pat P" <pat@example.org>, quin@example.org
alias everyone team, ned@example.org, ola@example.org
A
"$TERN" contacts import "$T/aliases" >/dev/null || t_fail "import aliases"
printf 'BEGIN:VCARD\r\nVERSION:2.1\r\nN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:M=C3=BCller;J=C3=BCrgen\r\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:J=C3=BCrgen M=C3=BC=\r\nller\r\nEMAIL;INTERNET;PREF:juergen@example.de\r\nEMAIL;INTERNET:jm@example.de\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN;ENCODING=QUOTED-PRINTABLE:Ren=E9e Dupont\r\nEMAIL;TYPE=INTERNET:renee@example.fr\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nN:Garcon;Francois;;;\r\nEMAIL:francois@example.fr\r\nEND:VCARD\r\n' >"$T/cards.vcf"
"$TERN" contacts import "$T/cards.vcf" >/dev/null || t_fail "import cards"
n=$("$TERN" contacts list --json | grep -c .)
t_assert_eq "$n" 30 "contacts in tern"

"$TERN" contacts export --dir "$T/vdir" || t_fail "export --dir"
"$TERN" contacts export >"$T/all.vcf" || t_fail "export to stdout"
mkdir -p "$T/home" "$T/split"
awk -v d="$T/split" '/^BEGIN:VCARD/ { n++ } { print > (d "/" n ".vcf") }' \
    "$T/all.vcf"
cat >"$T/khard.conf" <<EOF
[addressbooks]
[[tern]]
path = $T/vdir
[[split]]
path = $T/split

[general]
editor = /bin/false
merge_editor = /bin/false

[contact table]
display = formatted_name

[vcard]
skip_unparsable = no
EOF

# khard lists every card, by UID, with its name.
HOME=$T/home khard -c "$T/khard.conf" list -a tern --parsable \
    >"$T/klist" 2>"$T/kerr" || t_fail "khard list: $(cat "$T/kerr")"
t_assert_eq "$(grep -c . "$T/klist")" 30 "khard lists all 30 contacts"
"$TERN" contacts list --json >"$T/tlist"
while IFS= read -r line; do
	addr=$(t_json_get "$line" address)
	name=$(t_json_get "$line" name)
	f=$(grep -l "^EMAIL;TYPE=INTERNET:$addr" "$T"/vdir/*.vcf) ||
	    t_fail "no card for $addr"
	uid=$(basename "$f" .vcf)
	kline=$(grep "^$uid	" "$T/klist") || t_fail "khard does not list $addr"
	t_assert_eq "$(printf '%s\n' "$kline" | cut -f2)" "${name:-$addr}" \
	    "khard's name for $addr"
done <"$T/tlist"

# khard's address listing (what mutt's query_command reads) has each one.
HOME=$T/home khard -c "$T/khard.conf" email -a tern --parsable \
    --remove-first-line >"$T/kemail" 2>"$T/kerr" ||
    t_fail "khard email: $(cat "$T/kerr")"
t_assert_eq "$(cut -f1 "$T/kemail" | sort | tr '\n' ' ')" \
    "$(while IFS= read -r l; do t_json_get "$l" address; done <"$T/tlist" | sort | tr '\n' ' ')" \
    "khard email lists every address"
t_assert_match "$(grep '^juergen@example.de' "$T/kemail")" 'Jürgen Müller' "QP name through khard"

# The alias is khard's nickname; a group shows as a category.
HOME=$T/home khard -c "$T/khard.conf" show -a tern --format yaml \
    "Liz L" >"$T/kshow" 2>"$T/kerr" || t_fail "khard show: $(cat "$T/kerr")"
t_assert_match "$(cat "$T/kshow")" '^Nickname: *liz' "alias as nickname"
t_assert_match "$(tr -d '\n' <"$T/kshow")" 'Categories:.*team' "group as category"

# The one-file export holds the same cards, and khard reads each of them.
t_assert_eq "$(cat "$T"/split/*.vcf | sort | cksum)" \
    "$(cat "$T"/vdir/*.vcf | sort | cksum)" "same cards in both exports"
t_assert_eq "$(HOME=$T/home khard -c "$T/khard.conf" list -a split \
    --parsable 2>&1 | grep -c .)" 30 "khard reads every card of the file"
t_pass
