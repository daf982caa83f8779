#!/bin/sh
# A relay with implicit TLS (smtps://, port 465 style).
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup smtps
t_certs
t_smtpd s --implicit-tls --cert "$T/certs/good-chain.pem" \
    --key "$T/certs/good-key.pem"
t_config "from = Alice <alice@example.org>
relay = smtps://localhost:$s_port
ca_file = $T/certs/ca.pem
tls = verify
timeout = 5"
out=$(echo hi | "$TERN" send --json bob@example.net) || t_fail "send exited $?"
t_assert_eq "$(t_json_get "$out" outcome)" verified "outcome"
t_assert_eq "$(t_json_get "$out" policy)" verify "policy"
t_assert_eq "$(t_json_get "$(t_log s)" tls)" true "server saw TLS"
t_pass
