#!/bin/sh
# A server that never ends its reply: rawsmtpd sends "220-" (banner) or
# "250-" (EHLO) continuation lines forever, about 2000 a second, so the
# connection is never idle for `timeout` seconds.  tern must give up on
# its own (deferred, with a reason) instead of reading for ever (before
# commit 13738d2 it never ended and its memory grew by about 110 MB a
# second).  Bounded: each send is killed after 30 s.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"
i_need python3
t_setup hostile-endless

for sc in endless-banner endless-ehlo; do
	n=$(printf '%s' "$sc" | tr -d -)
	i_raw "$n" "$sc"
	eval "p=\$${n}_port"
	t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$p
timeout = 3"
	rc=0
	t0=$(date +%s)
	out=$(echo hi | timeout -k 5 30 "$TERN" send --json bob@example.net \
	    2>"$T/err") || rc=$?
	secs=$(($(date +%s) - t0))
	[ "$rc" -lt 124 ] ||
	    t_fail "$sc: tern still reading after $secs s (exit $rc): an endless reply must end the session"
	t_assert_eq "$(t_json_get "$out" outcome)" deferred "$sc: outcome"
	[ -n "$(t_json_get "$out" reason)" ] || t_fail "$sc: no reason"
	t_assert_eq "$(t_count "$n")" 0 "$sc: nothing accepted"
	echo "ok: $sc: deferred in $secs s: $(t_json_get "$out" reason)"
done
t_pass
