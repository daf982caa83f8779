#!/bin/sh
# tern send killed with SIGKILL while the server stalls in DATA (it has read
# part of the body, before the final dot): nothing is lost, and a flush
# delivers every recipient exactly once.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup kill-during-data
t_smtpd stall --starttls none --fault stall-data
t_smtpd good --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$stall_port
timeout = 30"
# 3,000 lines, about 200 KB: far more than the server reads before it
# stalls (tests/smtpd: 1 KiB), so tern is still writing the body.
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "line %04d %s\n", i,
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }' \
    >"$T/body"
"$TERN" send -s big a@example.net b@example.net c@example.net <"$T/body" \
    >"$T/send.out" 2>&1 &
pid=$!
# The server says, as it happens, that it is inside DATA with part of the
# body read and has stopped reading: that is the moment to kill.
t_wait_event stall '"event":"stall-data"' 20
grep -q '"command":"DATA"' "$T/stall/commands.jsonl" ||
    t_fail "the server stalled without a DATA command"
kill -0 "$pid" 2>/dev/null || {
	cat "$T/send.out" >&2
	t_fail "tern was not running any more when the server stalled"
}
kill -9 "$pid"
rc=0
wait "$pid" || rc=$?
t_assert_eq "$rc" 137 "tern died of SIGKILL"
# (The stalled session stays open: the body tern had queued fills the
# server's window, so its end never reaches it.)
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
m=$(ls "$T"/good/msg-*.eml)
grep -q '^line 2999 x' "$m" || t_fail "the flushed copy lacks the end of the body"
"$TERN" flush >/dev/null || t_fail "second flush exited $?"
t_assert_eq "$(t_count good)" 1 "no duplicate"
t_assert_eq "$(t_count stall)" 0 "nothing at the stalled server afterwards"
t_assert_match "$("$TERN" outbox)" 'empty' "outbox empty"
t_pass
