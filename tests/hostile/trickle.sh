#!/bin/sh
# A server that trickles a reply: rawsmtpd sends its banner, its EHLO
# reply or its reply to the final dot one byte a second, so the
# connection is never idle for `timeout` seconds but the reply takes
# minutes.  `timeout` bounds the whole step, not the gap between bytes:
# tern must give up on its own (deferred, "no answer in time") instead of
# waiting for the last byte (before the per-step deadline it waited as
# long as the server trickled).  A hang check, not a speed test: each
# send is killed by timeout(1) after 40 s, and being killed fails.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"
i_need python3
t_setup hostile-trickle
echo hi >"$T/body"

for sc in trickle-banner trickle-ehlo trickle-dot; do
	n=$(printf '%s' "$sc" | tr -d -)
	i_raw "$n" "$sc"
	eval "p=\$${n}_port"
	t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$p
timeout = 3"
	i_send 40 bob@example.net <"$T/body"
	t_assert_eq "$(t_json_get "$out" outcome)" deferred "$sc: outcome"
	reason=$(t_json_get "$out" reason)
	t_assert_match "$reason" 'no answer in time' "$sc: reason"
	# After the final dot went out, whether the server took the message
	# is not known: that is the kind "uncertain" (resent, flagged).
	want=timeout
	[ "$sc" != trickle-dot ] || want=uncertain
	kind=$(t_json_get "$out" reason_kind)
	[ -z "$kind" ] || t_assert_eq "$kind" "$want" "$sc: reason kind"
	t_assert_eq "$(t_count "$n")" 0 "$sc: nothing accepted"
	# The server saw tern leave (it did not run out of bytes first).
	t_wait_sessions "$n" 1 20
	t_assert_match "$(t_sessions "$n")" '"end": "client closed after' \
	    "$sc: tern closed the connection"
	echo "ok: $sc: deferred in $secs s: $reason"
done
t_pass
