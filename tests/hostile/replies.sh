#!/bin/sh
# Servers that break the reply syntax or the dialogue (tests/hostile/
# rawsmtpd.py and tests/smtpd faults).  For every one: tern ends by itself
# (no crash, no hang: each send is killed after 40 s and timeout = 3),
# with a clear outcome and reason, and a recipient is reported delivered
# exactly when the server logged the message as accepted.  What is
# checked is tern's TEXT output, what a terminal shows (--json escapes by
# itself): the reason and the server's reply, each whole, and no escape
# byte in it.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"
i_need python3
t_setup hostile-replies
printf 'Hello from tern.\n%s\n' "$(head -c 2000 /dev/zero | tr '\0' 'x')" \
    >"$T/body"

# scenario NAME WANT REASON REPLY: send to server NAME (started before)
# and read the text output: the outcome WANT on the recipient's line, the
# reason line and the "server:" line compared whole with the extended
# regular expressions REASON and REPLY ("" when there must be no such
# line), and the outcome compared with what the server accepted.
scenario() {
	eval "_p=\$${1}_port"
	t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$_p
timeout = 3"
	before=$(t_count "$1")
	rc=0
	_t0=$(date +%s)
	out=$(timeout -k 5 40 "$TERN" send -s hostile bob@example.net \
	    <"$T/body" 2>"$T/send.err") || rc=$?
	secs=$(($(date +%s) - _t0))
	if [ "$rc" -ge 124 ]; then
		cat "$T/send.err" >&2
		t_fail "$1: exit $rc after $secs s (hang or crash)"
	fi
	if printf '%s' "$out" | LC_ALL=C grep -q "$(printf '[\001-\010\016-\037\177]')"; then
		t_fail "$1: control bytes in tern's output"
	fi
	o=$(printf '%s\n' "$out" | sed -n \
	    's/^\[[A-Z+]*\] *bob@example\.net: \([a-z]*\).*/\1/p')
	why=$(printf '%s\n' "$out" | sed -n '2{/^        server: /!s/^        //p;}')
	reply=$(printf '%s\n' "$out" | sed -n 's/^        server: //p')
	[ -n "$o" ] || t_fail "$1: no outcome (exit $rc): $out $(cat "$T/send.err")"
	t_assert_eq "$o" "$2" "$1: outcome ($out)"
	if [ -n "$3" ]; then
		t_assert_match "$why" "^$3\$" "$1: reason"
	else
		t_assert_eq "$why" "" "$1: no reason"
	fi
	if [ -n "$4" ]; then
		t_assert_match "$reply" "^$4\$" "$1: server's reply"
	else
		t_assert_eq "$reply" "" "$1: no server reply"
	fi
	after=$(t_count "$1")
	if i_delivered "$o"; then
		t_assert_eq "$after" $((before + 1)) "$1: server accepted it"
	else
		t_assert_eq "$after" "$before" "$1: server did not accept it"
	fi
	echo "ok: $1: $o in $secs s, exit $rc: $why / $reply"
}

h='127\.0\.0\.1'
nostls="$h did not offer STARTTLS"
queued='250 2\.0\.0 Ok: queued as 1'
lost="connection to $h lost"
late='\(no answer in time, or a network error\)'
nogreet="$h did not greet: no banner before the timeout or the connection closed"
big='\(its reply passed 64 KiB, so tern stopped reading\)'

# The reply syntax.
i_raw split split
scenario split plaintext "$nostls" "$queued"
i_raw overlong overlong
scenario overlong deferred "EHLO failed at $h $big" ''
i_raw overlongrcpt overlong-rcpt
scenario overlongrcpt deferred "$lost at RCPT TO $big" ''
i_raw mismatched mismatched
scenario mismatched plaintext "$h speaks no ESMTP, so no STARTTLS" '250 Ok'
i_raw authtab auth-tab
scenario authtab plaintext "$nostls" '250 Ok'
i_raw mismatcheddata mismatched-data
scenario mismatcheddata deferred "message refused by $h" \
    '451 2\.0\.0 Ok 4\.3\.0 Not stored after all'
i_raw garbage garbage
scenario garbage deferred "$nogreet" ''
i_raw garbagercpt garbage-rcpt
scenario garbagercpt deferred "$lost at RCPT TO" ''
i_raw nulreply nul-reply
scenario nulreply plaintext "$nostls" "$queued"

# Silence.
i_raw partial partial-banner
scenario partial deferred "$nogreet $late" ''
i_raw silent silent
scenario silent deferred "$nogreet $late" ''
[ "$secs" -le 15 ] || t_fail "silent: took $secs s with timeout = 3"
t_smtpd stall --fault stall
scenario stall deferred "$nogreet $late" ''
t_smtpd stallehlo --fault stall-after-ehlo
scenario stallehlo deferred "$lost at MAIL FROM $late" ''
t_smtpd stalldata --fault stall-data
scenario stalldata deferred "$lost after the whole message was sent, before the server confirmed it: the next flush sends it again, and it may arrive twice $late" ''

# The dialogue.
t_smtpd size --size 1000
scenario size failed "the message is [0-9]+ bytes, $h accepts at most 1000 \(SIZE\)" ''
t_smtpd size552 --mail-reply '552 5.3.4 Message size exceeds fixed limit'
scenario size552 failed "sender refused by $h" \
    '552 5\.3\.4 Message size exceeds fixed limit'
t_smtpd closemail --fault close-after-mail
scenario closemail deferred "$lost at RCPT TO \(the server closed the connection\)" ''
# The escapes (ESC[2J, OSC 0 with BEL, a raw C1 byte) are shown as '?'.
t_smtpd escapes --escape-replies
scenario escapes plaintext "$nostls" \
    "$queued \?\[2J\?\]0;pwned\?\?"
t_smtpd data421 --data-reply '421 4.3.0 shutting down'
scenario data421 deferred "message refused by $h" '421 4\.3\.0 shutting down'
t_smtpd data554 --data-reply '554 5.6.0 no thanks'
scenario data554 failed "message refused by $h" '554 5\.6\.0 no thanks'
t_pass
