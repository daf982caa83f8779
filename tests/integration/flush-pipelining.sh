#!/bin/sh
# tern flush pipelines across messages where the server offers PIPELINING
# (RFC 2920 3.1): the next message's MAIL, RCPT and DATA go in the same
# write as the final dot of the one before, so the server reads the dot
# and the next MAIL in one read (tests/smtpd numbers its reads in
# commands.jsonl).  Without PIPELINING, each waits for its reply.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup flush-pipelining
t_certs
command -v python3 >/dev/null 2>&1 || t_skip "python3 not installed"
t_smtpd pipe --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem"
t_smtpd nopipe --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem" \
    --ehlo-after-tls-fewer
down=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# queue N: N messages, queued while the relay is down.
queue() {
	t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$down
ca_file = $T/certs/ca.pem
timeout = 3"
	i=1
	while [ "$i" -le "$1" ]; do
		echo "body $i" | "$TERN" send -s "m$i" "r$i@example.net" \
		    >/dev/null 2>&1 && t_fail "queued send succeeded" || :
		i=$((i + 1))
	done
}

# reads NAME: for each final dot but the last, "same" when the next
# MAIL FROM came in the same read, else "apart"; one word a line.
reads() {
	t_wait_idle "$1"
	python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
ev = [e for e in ev if e.get("event") == "dot" or
      str(e.get("command", "")).upper().startswith("MAIL FROM")]
for a, b in zip(ev, ev[1:]):
    if a.get("event") == "dot" and b.get("command") is not None:
        print("same" if a["read"] == b["read"] else "apart")
' "$T/$1/commands.jsonl"
}

flush_to() {
	t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$1
ca_file = $T/certs/ca.pem
timeout = 10"
	"$TERN" flush >/dev/null || t_fail "flush to port $1 exited $?"
}

queue 5
flush_to "$pipe_port"
t_assert_eq "$(t_count pipe)" 5 "five messages at the pipelining server"
t_wait_sessions pipe 1
t_assert_eq "$(t_sessions pipe | wc -l | tr -d ' ')" 1 "one connection"
r=$(reads pipe)
t_assert_eq "$(printf '%s\n' "$r" | grep -c same)" 4 \
    "each next MAIL in the same read as the dot before it ($r)"
for i in 1 2 3 4 5; do
	t_assert_eq "$(t_log pipe | grep -c "\"r$i@example.net\"")" 1 "r$i once"
done
t_assert_match "$("$TERN" outbox)" 'empty' "outbox empty"

queue 3
flush_to "$nopipe_port"
t_assert_eq "$(t_count nopipe)" 3 "three messages without PIPELINING"
r=$(reads nopipe)
t_assert_eq "$(printf '%s\n' "$r" | grep -c apart)" 2 \
    "without PIPELINING the next MAIL waits for the dot's reply ($r)"
t_assert_eq "$(printf '%s\n' "$r" | grep -c same)" 0 "nothing written ahead"
t_pass
