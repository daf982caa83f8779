#!/bin/sh
# A server that offered STARTTLS on one send and does not on the next (same
# host and port): the outcome says downgrade; with downgrade = hold the
# recipient is held and the server gets nothing.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup downgrade
t_certs
t_smtpd s --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem"
port=$s_port
t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$port
ca_file = $T/certs/ca.pem
timeout = 5"
out=$(echo one | "$TERN" send --json bob@example.net) || t_fail "send 1 exited $?"
t_assert_eq "$(t_json_get "$out" outcome)" verified "first send"
t_stop s
t_smtpd s2 -p "$port" --starttls none
out=$(echo two | "$TERN" send --json bob@example.net) || t_fail "send 2 exited $?"
t_assert_eq "$(t_json_get "$out" outcome)" plaintext "second send"
t_assert_match "$(t_json_get "$out" reason)" 'downgrade' "reason says downgrade"
t_assert_eq "$(t_json_get "$out" downgrade)" true "flagged"
t_assert_eq "$(t_count s2)" 1 "warn delivers"

t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$port
ca_file = $T/certs/ca.pem
downgrade = hold
timeout = 5"
rc=0
out=$(echo three | "$TERN" send --json bob@example.net) || rc=$?
t_assert_eq "$rc" 75 "exit code when held"
t_assert_eq "$(t_json_get "$out" outcome)" held "held with downgrade = hold"
t_assert_match "$(t_json_get "$out" reason)" 'downgrade' "held reason"
t_assert_eq "$(t_count s2)" 1 "the server got nothing more"

# A certificate from another CA on the same host and port: flagged too.
t_stop s2
t_smtpd s3 -p "$port" --cert "$T/certs/other-chain.pem" --key "$T/certs/other-key.pem"
t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$port
ca_file = $T/certs/ca.pem
timeout = 5"
out=$(echo four | "$TERN" send --json carol@example.net) || :
t_assert_eq "$(t_json_get "$out" downgrade)" true "issuer change flagged"
t_assert_match "$(t_json_get "$out" reason)" 'issuer' "issuer change reason"
t_pass
