#!/bin/sh
# tern flush killed with SIGKILL while the next message's MAIL, RCPT and
# DATA, written with the last final dot (PIPELINING), wait at the server:
# the message before was settled at its 250 before anything of the next
# one's body could go, the next one's recipients were never uncertain,
# and a second flush leaves exactly one copy of each message.  Then the
# same with the kill before the 250 to the dot (the server has kept the
# message): only that message is uncertain and resent, saying so; the
# next one still arrives once and is not called a resend.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup kill-pipelined
t_certs
command -v sqlite3 >/dev/null 2>&1 || t_skip "sqlite3 not installed"
db=$XDG_DATA_HOME/tern/tern.db
# status ADDR: the recipient's state in the store (4 is uncertain).
status() {
	sqlite3 "$db" "SELECT status FROM recipients WHERE address = '$1'"
}
down=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

queue() {
	t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$down
ca_file = $T/certs/ca.pem
timeout = 3"
	for m in "$@"; do
		echo "body $m" | "$TERN" send -s "$m" "$m@example.net" \
		    >/dev/null 2>&1 && t_fail "queued send succeeded" || :
	done
}
relay() {
	t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$1
ca_file = $T/certs/ca.pem
timeout = 30"
}
queued() { "$TERN" outbox --json | grep -c . || :; }

# 1. Killed while the server holds the second DATA before its 354.
t_smtpd slow --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem" \
    --data-delay 1500
queue one two
relay "$slow_port"
"$TERN" flush >"$T/flush1.out" 2>&1 &
pid=$!
t_wait_event slow '"event":"dot"' 20
# The dot of one and the pipelined commands of two are at the server...
i=0
while [ "$(grep -c '"command":"DATA"' "$T/slow/commands.jsonl")" -lt 2 ]; do
	[ "$i" -lt 200 ] || t_fail "the second DATA never came"
	sleep 0.05
	i=$((i + 1))
done
# ... and tern has recorded one's 250 (it does before two's body).
i=0
while [ "$(queued)" -ne 1 ]; do
	[ "$i" -lt 200 ] || t_fail "one was never settled"
	sleep 0.05
	i=$((i + 1))
done
kill -0 "$pid" 2>/dev/null || t_fail "tern ended before the kill"
kill -9 "$pid"
wait "$pid" 2>/dev/null || :
t_assert_eq "$(t_count slow)" 1 "one message at the server"
ob=$("$TERN" outbox --json)
t_assert_eq "$(t_json_get "$ob" recipient)" two@example.net "two still queued"
t_assert_eq "$(status two@example.net)" 1 "two claimed, not uncertain"
t_smtpd fast --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem"
relay "$fast_port"
"$TERN" flush >/dev/null || t_fail "second flush exited $?"
t_assert_eq "$(t_count fast)" 1 "only two sent again"
t_assert_eq "$(t_log fast | grep -c '"two@example.net"')" 1 "two once"
t_assert_eq "$( (t_log slow; t_log fast) | grep -c '"one@example.net"')" 1 \
    "one exactly once"
t_assert_match "$("$TERN" outbox)" 'empty' "outbox empty"

# 2. Killed while the server holds the 250 to the first dot.
t_smtpd hold --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem" \
    --dot-delay 3000
queue three four
relay "$hold_port"
"$TERN" flush >"$T/flush2.out" 2>&1 &
pid=$!
# The server has kept three and holds its 250: kill now.
t_wait_event hold '"event":"saved"' 20
kill -9 "$pid"
wait "$pid" 2>/dev/null || :
# What tern wrote with three's dot is still read by the server after
# the kill: four's MAIL came in the same read as the dot.
t_wait_idle hold
python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
dot = [e["read"] for e in ev if e.get("event") == "dot"]
mail = [e["read"] for e in ev
        if str(e.get("command", "")).startswith("MAIL FROM:<alice")]
sys.exit(0 if len(dot) == 1 and len(mail) == 2 and mail[1] == dot[0] else 1)
' "$T/hold/commands.jsonl" ||
    t_fail "four's MAIL was not written with three's dot"
t_assert_eq "$(status three@example.net)" 4 \
    "three uncertain (its dot went out, no reply)"
t_assert_eq "$(status four@example.net)" 1 \
    "four claimed, not uncertain (only its MAIL went out)"
relay "$fast_port"
"$TERN" flush >/dev/null || t_fail "third flush exited $?"
t_assert_eq "$(t_log fast | grep -c '"four@example.net"')" 1 "four once"
t_assert_eq "$(t_log hold | grep -c '"four@example.net"')" 0 "four not at hold"
lg=$("$TERN" log --json)
t_assert_eq "$(printf '%s\n' "$lg" | grep '"three@' | grep -c '"resent":true')" 1 \
    "three's resend says so"
t_assert_eq "$(printf '%s\n' "$lg" | grep '"four@' | grep -c '"resent":true')" 0 \
    "four is not called a resend"
t_assert_eq "$(t_log fast | grep -c '"three@example.net"')" 1 \
    "three resent once (the uncertain window of DESIGN.md)"
t_assert_match "$("$TERN" outbox)" 'empty' "outbox empty"
t_pass
