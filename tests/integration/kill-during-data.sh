#!/bin/sh
# tern send killed with SIGKILL while the server stalls in DATA: nothing is
# lost, and a flush delivers every recipient exactly once.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup kill-during-data
t_smtpd stall --starttls none --fault stall-data
t_smtpd good --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$stall_port
timeout = 30"
python3 -c 'print("x" * 70 + "\n") * 3000' >"$T/body" 2>/dev/null ||
    awk 'BEGIN { for (i = 0; i < 3000; i++) print "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }' >"$T/body"
"$TERN" send -s big a@example.net b@example.net c@example.net <"$T/body" \
    >/dev/null 2>&1 &
pid=$!
# Wait until the server is inside DATA (it logged the DATA command).
i=0
while ! grep -q '"DATA"' "$T/stall/sessions.jsonl" 2>/dev/null &&
    ! ls "$T/stall" 2>/dev/null | grep -q data; do
	[ $i -lt 100 ] || break
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5
kill -9 "$pid" 2>/dev/null || t_fail "tern was not running any more"
wait "$pid" 2>/dev/null || :
t_assert_eq "$(t_count stall)" 0 "the stalled server accepted nothing"
ob=$("$TERN" outbox --json)
t_assert_eq "$(printf '%s\n' "$ob" | grep -c .)" 3 "three recipients still queued"

t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$good_port
timeout = 5"
"$TERN" flush >/dev/null || t_fail "flush exited $?"
t_assert_eq "$(t_count good)" 1 "one message at the good server"
t_assert_eq "$(t_json_get "$(t_log good)" rcpts)" \
    '["a@example.net", "b@example.net", "c@example.net"]' "every recipient once"
"$TERN" flush >/dev/null || t_fail "second flush exited $?"
t_assert_eq "$(t_count good)" 1 "no duplicate"
t_pass
