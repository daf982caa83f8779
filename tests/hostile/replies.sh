#!/bin/sh
# Servers that break the reply syntax or the dialogue (tests/hostile/
# rawsmtpd.py and tests/smtpd faults).  For every one: tern ends by itself
# (no crash, no hang: each send is killed after 40 s and timeout = 3),
# with a clear outcome and reason, and a recipient is reported delivered
# exactly when the server logged the message as accepted.  Escape bytes
# never reach tern's output.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"
i_need python3
t_setup hostile-replies

# scenario NAME WANT REASON-REGEX: send to server NAME (started before),
# check the outcome WANT (or "delivered"/"not-delivered") and the reason
# or reply, and compare with what the server accepted.
scenario() {
	eval "_p=\$${1}_port"
	t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$_p
timeout = 3"
	before=$(t_count "$1")
	i_send 40 -s hostile bob@example.net <<EOF
Hello from tern.
$(head -c 2000 /dev/zero | tr '\0' 'x')
EOF
	o=$(t_json_get "$out" outcome)
	why="$(t_json_get "$out" reason) $(t_json_get "$out" reply)"
	[ -n "$o" ] || t_fail "$1: no outcome (exit $rc): $(cat "$T/send.err")"
	case $2 in
	delivered) i_delivered "$o" || t_fail "$1: $o: $why" ;;
	not-delivered) i_delivered "$o" && t_fail "$1: $o: $why" ;;
	*) t_assert_eq "$o" "$2" "$1: outcome ($why)" ;;
	esac
	t_assert_match "$why" "$3" "$1: reason"
	after=$(t_count "$1")
	if i_delivered "$o"; then
		t_assert_eq "$after" $((before + 1)) "$1: server accepted it"
	else
		t_assert_eq "$after" "$before" "$1: server did not accept it"
	fi
	if printf '%s' "$out" | LC_ALL=C grep -q "$(printf '[\001-\010\016-\037\177]')"; then
		t_fail "$1: control bytes in tern's output"
	fi
	echo "ok: $1: $o in $secs s, exit $rc: $why"
}

# The reply syntax.
i_raw split split
scenario split plaintext '250 2.0.0 Ok'
i_raw overlong overlong
scenario overlong deferred '64 KiB'
i_raw overlongrcpt overlong-rcpt
scenario overlongrcpt deferred '64 KiB'
i_raw mismatched mismatched
scenario mismatched plaintext 'no ESMTP'
i_raw authtab auth-tab
scenario authtab plaintext 'STARTTLS'
i_raw mismatcheddata mismatched-data
scenario mismatcheddata deferred '451'
i_raw garbage garbage
scenario garbage deferred 'did not greet'
i_raw garbagercpt garbage-rcpt
scenario garbagercpt deferred '.'
i_raw nulreply nul-reply
scenario nulreply delivered '.'

# Silence.
i_raw partial partial-banner
scenario partial deferred 'did not greet'
i_raw silent silent
scenario silent deferred 'did not greet'
[ "$secs" -le 15 ] || t_fail "silent: took $secs s with timeout = 3"
t_smtpd stall --fault stall
scenario stall deferred 'did not greet'
t_smtpd stallehlo --fault stall-after-ehlo
scenario stallehlo deferred '.'
t_smtpd stalldata --fault stall-data
scenario stalldata deferred '.'

# The dialogue.
t_smtpd size --size 1000
scenario size failed 'SIZE|size'
t_smtpd size552 --mail-reply '552 5.3.4 Message size exceeds fixed limit'
scenario size552 failed '552'
t_smtpd closemail --fault close-after-mail
scenario closemail deferred 'lost|closed|connection'
t_smtpd escapes --escape-replies
scenario escapes plaintext '250'
t_smtpd data421 --data-reply '421 4.3.0 shutting down'
scenario data421 deferred '421'
t_smtpd data554 --data-reply '554 5.6.0 no thanks'
scenario data554 failed '554'
t_pass
