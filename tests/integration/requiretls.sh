#!/bin/sh
# A relay that offers REQUIRETLS (RFC 8689): recipients that need TLS go
# in a transaction marked REQUIRETLS, the others in a plain one.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup requiretls
t_certs
t_smtpd s --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem" \
    --requiretls
t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$s_port
ca_file = $T/certs/ca.pem
timeout = 5
[domain bank.example]
tls = verify"
out=$(echo hi | "$TERN" send --json bob@example.net carol@bank.example) ||
    t_fail "send exited $?"
bob=$(printf '%s\n' "$out" | grep bob@)
carol=$(printf '%s\n' "$out" | grep carol@)
t_assert_eq "$(t_json_get "$carol" requiretls)" true "carol REQUIRETLS"
t_assert_eq "$(t_json_get "$bob" requiretls)" false "bob not REQUIRETLS"
t_assert_eq "$(t_count s)" 2 "two transactions"
t_assert_eq "$(t_log s | grep carol@ | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["requiretls"])')" True "server saw REQUIRETLS"
t_pass
