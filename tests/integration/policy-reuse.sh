#!/bin/sh
# Policy is judged for every recipient of every transaction, on the
# connection that carries it (issue 9, 1):
#  - a flush keeps one connection per server: message 1 (a "may"
#    recipient) opens a TLS 1.0 connection; message 2 (a "verify"
#    contact) must not ride it: it is held with kind old-tls and the
#    server never gets its RCPT;
#  - one message to a "may" and a "verify" recipient of a TLS 1.0 server:
#    the "may" one goes over that TLS 1.0 (not in plaintext), the
#    "verify" one is held;
#  - "220 to STARTTLS, then the connection closed" says so (kind
#    handshake-failed), not "response injection".
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup policy-reuse
t_certs
cert="--cert $T/certs/good-chain.pem --key $T/certs/good-key.pem"
old="NORMAL:-VERS-ALL:+VERS-TLS1.0"

# The server refuses service while both messages are queued.
# shellcheck disable=SC2086
t_smtpd down $cert --tls-priority "$old" --greeting-code 421
port=$down_port
t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$port
ca_file = $T/certs/ca.pem
timeout = 5"
"$TERN" contacts add carol@example.net --tls verify >/dev/null ||
    t_fail "contacts add"
rc=0
echo one | timeout 30 "$TERN" send -s one bob@example.org >/dev/null ||
    rc=$?
t_assert_eq "$rc" 75 "message 1 queued"
rc=0
echo two | timeout 30 "$TERN" send -s two carol@example.net >/dev/null ||
    rc=$?
t_assert_eq "$rc" 75 "message 2 queued"
t_stop down

# shellcheck disable=SC2086
t_smtpd tls10 -p "$port" $cert --tls-priority "$old"
rc=0
out=$(timeout 60 "$TERN" flush --json) || rc=$?
t_assert_eq "$rc" 75 "flush exit (one held)"
bob=$(printf '%s\n' "$out" | grep '"bob@example.org"')
carol=$(printf '%s\n' "$out" | grep '"carol@example.net"')
t_assert_eq "$(t_json_get "$bob" tls_version)" TLS1.0 "may: over TLS 1.0"
t_assert_eq "$(t_json_get "$bob" reason_kind)" old-tls "may: kind"
t_assert_eq "$(t_json_get "$carol" outcome)" held "verify on a kept TLS 1.0 connection"
t_assert_eq "$(t_json_get "$carol" reason_kind)" old-tls "verify: kind"
t_assert_match "$(t_json_get "$carol" reason)" 'policy verify needs TLS 1.2' \
    "verify: reason"
t_assert_eq "$(t_count tls10)" 1 "one message delivered"
t_wait_idle tls10 10
if t_commands tls10 | grep -qi 'RCPT TO:<carol@example.net>'; then
	t_fail "the verify recipient's RCPT reached the server"
fi
# The text output says the same, by kind.
t_assert_match "$("$TERN" log)" 'carol@example.net' "log lists carol"

# One message, two policies, one TLS 1.0 server.
mark=$(t_cmd_mark tls10)
rc=0
out=$(echo three | timeout 60 "$TERN" send --json -s three bob@example.org \
    carol@example.net) || rc=$?
t_assert_eq "$rc" 75 "mixed: exit"
bob=$(printf '%s\n' "$out" | grep '"bob@example.org"')
carol=$(printf '%s\n' "$out" | grep '"carol@example.net"')
case $(t_json_get "$bob" outcome) in
verified|encrypted) ;;
*) t_fail "mixed: may recipient got $(t_json_get "$bob" outcome), want TLS" ;;
esac
t_assert_eq "$(t_json_get "$bob" tls_version)" TLS1.0 "mixed: may over TLS 1.0"
t_assert_eq "$(t_json_get "$carol" outcome)" held "mixed: verify held"
t_assert_eq "$(t_count tls10)" 2 "mixed: delivered once"
t_wait_idle tls10 10
if t_commands tls10 "$mark" | grep -qi 'RCPT TO:<carol@example.net>'; then
	t_fail "mixed: the verify recipient's RCPT reached the server"
fi
t_stop tls10

# 220 to STARTTLS, then the connection closes.
t_smtpd closing --starttls close
t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$closing_port
ca_file = $T/certs/ca.pem
timeout = 5"
rc=0
out=$(echo four | timeout 60 "$TERN" send --json -s four carol@example.net) ||
    rc=$?
t_assert_eq "$(t_json_get "$out" outcome)" held "closing: verify held"
t_assert_eq "$(t_json_get "$out" reason_kind)" handshake-failed "closing: kind"
case $(t_json_get "$out" reason) in
*injection*) t_fail "closing: reason says injection: $(t_json_get "$out" reason)" ;;
esac
echo "ok: closing: $(t_json_get "$out" reason)"
t_pass
