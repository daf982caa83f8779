#!/bin/sh
# tern probe says what TLS a recipient's server offers, without sending.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup probe
t_certs
t_smtpd tls --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem"
t_smtpd plain --starttls none
t_config "from = Alice <alice@example.org>
relay = direct
ca_file = $T/certs/ca.pem
timeout = 5
[route tls.example]
host = localhost:$tls_port
[route plain.example]
host = 127.0.0.1:$plain_port"
out=$("$TERN" probe --json bob@tls.example plain.example) || t_fail "probe exited $?"
tls=$(printf '%s\n' "$out" | grep tls.example)
plain=$(printf '%s\n' "$out" | grep plain.example)
t_assert_eq "$(t_json_get "$tls" outcome)" verified "probe TLS"
t_assert_match "$(t_json_get "$tls" tls_version)" '^TLS' "probe TLS version"
t_assert_eq "$(t_json_get "$plain" outcome)" plaintext "probe plain"
t_assert_match "$(t_json_get "$plain" reason)" 'did not offer STARTTLS' "probe reason"
t_assert_eq "$(t_count tls)" 0 "nothing sent"
t_assert_eq "$(t_count plain)" 0 "nothing sent"
t_wait_sessions tls 1
if t_sessions tls | grep -q 'MAIL FROM'; then t_fail "probe sent MAIL FROM"; fi
t_pass
