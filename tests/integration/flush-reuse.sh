#!/bin/sh
# tern flush sends the whole queue over one connection (RSET between
# messages, MAIL/RCPT/DATA pipelined): refused recipients, a message whose
# every recipient is refused and the messages after it all end right.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup flush-reuse
t_certs
t_smtpd s --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem" \
    --rcpt-reply 'gone@example.net=550 5.1.1 No such user' \
    --rcpt-reply 'busy@example.net=450 4.2.0 Busy'
down=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$down
ca_file = $T/certs/ca.pem
timeout = 3"
q() { echo "$1" | "$TERN" send -s "$1" $2 >/dev/null 2>&1 && t_fail "queued send succeeded" || :; }
q one "a@example.net gone@example.net"
q two "gone@example.net"
q three "b@example.net busy@example.net"
q four "c@example.net"
t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$s_port
ca_file = $T/certs/ca.pem
timeout = 10"
rc=0
out=$("$TERN" flush --json) || rc=$?
t_assert_eq "$rc" 69 "exit code (a permanent failure)"
get() { printf '%s\n' "$out" | grep "\"$1\"" | head -1; }
t_assert_eq "$(t_json_get "$(get a@example.net)" outcome)" verified "a"
t_assert_eq "$(t_json_get "$(get b@example.net)" outcome)" verified "b"
t_assert_eq "$(t_json_get "$(get c@example.net)" outcome)" verified "c"
t_assert_eq "$(t_json_get "$(get busy@example.net)" outcome)" deferred "busy"
t_assert_eq "$(printf '%s\n' "$out" | grep -c '"gone@example.net".*"failed"')" 2 "gone twice failed"
t_assert_eq "$(t_count s)" 3 "messages accepted"
t_assert_eq "$(t_log s | grep -c '"a@example.net"')" 1 "a once"
t_assert_eq "$(t_log s | grep -c '"c@example.net"')" 1 "c once"
t_wait_sessions s 1
t_assert_eq "$(t_sessions s | wc -l | tr -d ' ')" 1 "one connection for the queue"
t_assert_eq "$(t_sessions s | grep -o '"MAIL FROM' | wc -l | tr -d ' ')" 4 "four transactions on it"
# Only busy@ is left.
ob=$("$TERN" outbox --json)
t_assert_eq "$(printf '%s\n' "$ob" | grep -c .)" 1 "one recipient left"
t_assert_eq "$(t_json_get "$ob" recipient)" busy@example.net "busy left"
t_pass
