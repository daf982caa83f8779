#!/bin/sh
# Memory safety of the real binary on the paths that handle outside input:
# tern send (STARTTLS, verified; and a 454 fallback to plaintext), tern
# flush (a deferred message retried), tern sendmail -t, and tern contacts
# import (mutt aliases and vCards), each under valgrind memcheck with
# --leak-check=full --error-exitcode=1: no invalid read or write, no use
# of uninitialised memory, no definite or possible leak.  Skips (77)
# without valgrind or when tern is built with AddressSanitizer (the two
# cannot run together; the sanitizer build checks the same paths).
set -eu
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"
i_need valgrind
if grep -q __asan_init "$TERN" 2>/dev/null; then
	t_skip "tern is built with AddressSanitizer"
fi
t_setup valgrind
t_certs
cert="--cert $T/certs/good-chain.pem --key $T/certs/good-key.pem"
# shellcheck disable=SC2086
t_smtpd tls $cert
t_smtpd no454 --starttls 454

# vg NAME ARGS...: run tern under valgrind (stdin passed on); fail on
# any error valgrind reports.  Bounded by timeout 120.
vg() {
	_n=$1
	shift
	_rc=0
	timeout -k 5 120 valgrind -q --leak-check=full --errors-for-leak-kinds=definite,possible \
	    --show-leak-kinds=definite,possible --error-exitcode=99 \
	    --log-file="$T/vg-$_n.log" "$TERN" "$@" >"$T/out-$_n" \
	    2>"$T/err-$_n" || _rc=$?
	if [ "$_rc" = 99 ] || [ -s "$T/vg-$_n.log" ]; then
		cat "$T/vg-$_n.log" >&2
		t_fail "$_n: valgrind found errors"
	fi
	[ "$_rc" -lt 124 ] || t_fail "$_n: exit $_rc (timeout or crash)"
	echo "ok: $_n: exit $_rc, valgrind clean"
	vg_rc=$_rc
}

t_config "from = Alice <alice@example.org>
relay = direct
ca_file = $T/certs/ca.pem
timeout = 20
[route example.net]
host = localhost:$tls_port
[route plain.example]
host = localhost:$no454_port
[route later.example]
host = 127.0.0.1:1"

printf 'Hello Bob,\nunder valgrind, caf\303\251.\n' >"$T/body"
vg send-tls send --json -s "valgrind" bob@example.net carol@plain.example \
    <"$T/body"
t_assert_eq "$vg_rc" 0 "send exit"
t_assert_eq "$(t_json_get "$(grep bob@ "$T/out-send-tls")" outcome)" \
    verified "send: verified"
t_assert_eq "$(t_json_get "$(grep carol@ "$T/out-send-tls")" outcome)" \
    plaintext "send: 454 then plaintext"

# A deferred message (nothing listens on port 1), then flushed to a
# working route.
vg send-deferred send -s later dave@later.example <"$T/body"
t_assert_eq "$vg_rc" 75 "deferred send exit"
t_config "from = Alice <alice@example.org>
relay = direct
ca_file = $T/certs/ca.pem
timeout = 20
[route later.example]
host = localhost:$tls_port"
vg flush flush --json
t_assert_eq "$vg_rc" 0 "flush exit"
t_assert_eq "$(t_json_get "$(cat "$T/out-flush")" outcome)" verified \
    "flush: verified"

printf 'To: Erin <erin@later.example>\nBcc: frank@later.example\nSubject: =?UTF-8?Q?t=C3=A9st?=\n\nbody\n' \
    >"$T/msg"
vg sendmail sendmail -t <"$T/msg"
t_assert_eq "$vg_rc" 0 "sendmail exit"

cat >"$T/aliases" <<'EOF'
# mutt aliases
alias alice Alice Example <alice@example.org> # a note
alias team alice@example.org, Bob <bob@example.net>
alias broken <not an address
EOF
printf 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Gina G\303\251\r\nEMAIL;PREF=1:gina@example.org\r\nNOTE:line\\nnext\r\nX-TERN-TLS:verify\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:No End\r\nEMAIL:x@example.org\r\n' \
    >"$T/cards.vcf"
vg import-aliases contacts import "$T/aliases"
vg import-vcard contacts import "$T/cards.vcf"
vg contacts-list contacts list --json
grep -q 'gina@example.org' "$T/out-contacts-list" || t_fail "vCard not imported"
grep -q 'alice@example.org' "$T/out-contacts-list" || t_fail "alias not imported"
t_pass
