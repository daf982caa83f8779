#!/bin/sh
# Two tern flush at once on a queue of 50 messages: each recipient
# receives each message exactly once.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup concurrent-flush
t_smtpd s --starttls none
# Queue while the relay is down (a port nothing listens on).
down=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$down
timeout = 3"
i=0
while [ $i -lt 50 ]; do
	echo "message $i" | "$TERN" send -s "m$i" a@example.net b@example.net \
	    >/dev/null 2>&1 && t_fail "send $i did not fail"
	i=$((i + 1))
done
t_assert_eq "$("$TERN" outbox --json | grep -c .)" 100 "queued recipients"
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$s_port
timeout = 10"
"$TERN" flush >"$T/f1" 2>&1 &
p1=$!
"$TERN" flush >"$T/f2" 2>&1 &
p2=$!
wait $p1 || t_fail "flush 1 exited $?: $(tail -3 "$T/f1")"
wait $p2 || t_fail "flush 2 exited $?: $(tail -3 "$T/f2")"
t_assert_eq "$(t_count s)" 50 "messages at the server"
dups=$(cat "$T"/s/msg-*.eml | grep '^Message-ID:' | sort | uniq -d | wc -l)
t_assert_eq "$dups" 0 "duplicate messages"
t_assert_eq "$(t_log s | python3 -c '
import json, sys
print(sum(1 for l in sys.stdin if json.loads(l)["rcpts"] == ["a@example.net", "b@example.net"]))')" 50 "both recipients each time"
t_assert_eq "$("$TERN" outbox --json | grep -c . || :)" 0 "queue empty"
t_pass
