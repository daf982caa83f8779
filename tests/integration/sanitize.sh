#!/bin/sh
# What a server supplies is sanitized where it enters, once, for every
# output: a certificate whose subject and issuer carry ESC[2J, OSC 52
# (set the clipboard), BEL, an SGR colour and a right-to-left override
# (U+202E), and replies with escapes and bidi controls.  The TEXT output
# of tern send and tern log (the JSON writer escapes by itself, so it
# proves nothing here) shows each of them as '?', in the words tern
# writes, and no control byte or bidi control reaches the terminal.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup sanitize
t_certs_hostile
C=$T/certs
rlo=$(printf '\342\200\256')
t_smtpd evil --cert "$C/evil-chain.pem" --key "$C/evil-key.pem" \
    --data-reply "$(printf '250 2.0.0 queued \342\200\256gnp.exe \033[2J\033]52;c;cHduZWQ=\007 \342\201\246x\342\201\251')"
t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$evil_port
ca_file = $C/evil-ca.pem
tls = verify
timeout = 5"

# clean WHAT TEXT: no C0 control but newline, no DEL, no 8-bit C1 byte
# (raw or as UTF-8), no bidi control.
clean() {
	if printf '%s' "$2" | LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177\233]')"; then
		t_fail "$1: control bytes in the text output: $(printf '%s' "$2" | od -c | head -20)"
	fi
	for b in '\302\233' '\330\234' '\342\200\216' '\342\200\217' \
	    '\342\200\252' '\342\200\253' '\342\200\254' '\342\200\255' \
	    '\342\200\256' '\342\201\246' '\342\201\247' '\342\201\250' \
	    '\342\201\251'; do
		if printf '%s' "$2" | grep -qF "$(printf "$b")"; then
			t_fail "$1: a bidi or C1 control ($b) in the text output"
		fi
	done
}

subject='CN=evil?[2J?]52\;c\;cHduZWQ=? ?moc.knab,O=tern?[31m'
issuer='CN=tern evil CA?]52\;c\;cHduZWQ=?,O=?evil'
reply='250 2.0.0 queued ?gnp.exe ?[2J?]52;c;cHduZWQ=? ?x?'

# shown WHAT TEXT: the facts, in tern's words, with '?' for each control.
shown() {
	printf '%s\n' "$2" | grep -qF "        certificate: $subject, issuer $issuer, expires " ||
	    t_fail "$1: certificate line: $2"
	printf '%s\n' "$2" | grep -qxF "        server: $reply" ||
	    t_fail "$1: server line: $2"
}

rc=0
out=$(echo hello | "$TERN" send -s hostile bob@example.net 2>"$T/err") || rc=$?
t_assert_eq "$rc" 0 "send: exit code ($(cat "$T/err"))"
t_assert_match "$out" '^\[TLS\+\] +bob@example.net: verified via localhost' \
    "send: verified (the hostile names do not hide the outcome)"
clean "send" "$out"
clean "send stderr" "$(cat "$T/err")"
shown "send" "$out"
t_assert_eq "$(t_count evil)" 1 "send: delivered"

log=$("$TERN" log) || t_fail "log exited $?"
clean "log" "$log"
shown "log" "$log"

# -v: the live events carry the same facts.
rc=0
out=$(echo hello | "$TERN" -v send -s hostile bob@example.net 2>&1) || rc=$?
t_assert_eq "$rc" 0 "send -v: exit code"
clean "send -v" "$out"
case $out in
*"$rlo"*) t_fail "send -v: U+202E in the output" ;;
esac
t_pass
