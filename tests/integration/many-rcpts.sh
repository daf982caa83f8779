#!/bin/sh
# One message to 10,000 recipients (issue 9, 3): with PIPELINING tern
# keeps at most a window of commands unanswered, reading replies while it
# writes, so neither side blocks on a full buffer; the server takes at
# most 1,000 recipients per transaction (tests/smtpd answers 452 4.5.3
# after that, RFC 5321 4.5.3.1.10) and tern sends the rest in further
# transactions on the same connection.  Every recipient gets it once.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup many-rcpts
N=${N:-10000}
t_smtpd srv --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$srv_port
timeout = 10"
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "r%05d@example.net\n", i }' \
    >"$T/rcpts"
rc=0
# shellcheck disable=SC2046
echo "to many" | timeout 300 "$TERN" send -s many $(cat "$T/rcpts") \
    >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" != 124 ] || t_fail "tern hung with $N recipients"
t_assert_eq "$rc" 0 "exit"
t_assert_eq "$(grep -c ': plaintext via' "$T/out")" "$N" "every recipient delivered"
t_assert_eq "$(t_count srv)" $(( (N + 999) / 1000 )) "transactions of at most 1,000"
t_log srv | python3 -c '
import json, sys
seen = {}
for ln in sys.stdin:
    for r in json.loads(ln)["rcpts"]:
        seen[r] = seen.get(r, 0) + 1
n = int(sys.argv[1])
dup = [r for r, c in seen.items() if c > 1]
if len(seen) != n or dup:
    sys.exit("server: %d distinct recipients, %d twice" % (len(seen), len(dup)))
' "$N" || t_fail "the server did not get each recipient once"
t_assert_eq "$(t_sessions srv | grep -c .)" 1 "one connection"
t_pass
