#!/bin/sh
# A send to a server with STARTTLS and a certificate from the test CA is
# "verified", and every TLS fact in the record comes from the session:
# the fingerprint is the one of the certificate the server really used.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup send-starttls
t_certs
t_smtpd tls --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem"
t_config "from = Alice <alice@example.org>
relay = direct
ca_file = $T/certs/ca.pem
timeout = 10
[route example.net]
host = localhost:$tls_port"

out=$(printf 'Hello Bob,\nthis went over TLS.\n' |
    "$TERN" send --json -s "TLS test" bob@example.net) ||
    t_fail "send exited $?"
t_assert_eq "$(t_json_get "$out" outcome)" verified "outcome"
t_assert_eq "$(t_json_get "$out" recipient)" bob@example.net "recipient"
t_assert_eq "$(t_json_get "$out" policy)" may "policy"
t_assert_eq "$(t_json_get "$out" server)" localhost "server"
t_assert_match "$(t_json_get "$out" address)" '^(127\.0\.0\.1|::1)$' "address"
t_assert_match "$(t_json_get "$out" tls_version)" '^TLS1\.[23]$' "tls_version"
t_assert_match "$(t_json_get "$out" cipher)" '^TLS_' "cipher"
t_assert_match "$(t_json_get "$out" cert_subject)" 'CN=localhost' "subject"
t_assert_match "$(t_json_get "$out" cert_issuer)" 'CN=tern test CA' "issuer"
t_assert_match "$(t_json_get "$out" verify)" '^verified' "verify words"
t_assert_match "$(t_json_get "$out" cert_expires)" '^20[0-9][0-9]-' "expiry"
t_assert_match "$(t_json_get "$out" reply)" '^250' "reply"
t_assert_eq "$(t_json_get "$out" requiretls)" false "requiretls"

# The fingerprint is the real certificate's.
want=$(python3 -c '
import hashlib, ssl, sys
der = ssl.PEM_cert_to_DER_cert(open(sys.argv[1]).read())
print(":".join("%02X" % b for b in hashlib.sha256(der).digest()))
' "$T/certs/good.pem")
t_assert_eq "$(t_json_get "$out" cert_sha256)" "$want" "fingerprint"

# The server agrees: one message, received under TLS, with EHLO again
# after STARTTLS, and the EHLO name is our address literal, not a host name.
t_assert_eq "$(t_count tls)" 1 "messages at the server"
log=$(t_log tls)
t_assert_eq "$(t_json_get "$log" tls)" true "server saw TLS"
t_assert_eq "$(t_json_get "$log" helo_after_tls)" true "EHLO after TLS"
t_assert_match "$(t_json_get "$log" helo)" '^\[(127\.0\.0\.1|IPv6:::1)\]$' "EHLO name"
t_assert_eq "$(t_json_get "$log" rcpts.0)" bob@example.net "envelope rcpt"
t_assert_eq "$(t_json_get "$log" from)" alice@example.org "envelope from"

# The human-readable form says the same.
out=$(echo hi | "$TERN" send bob@example.net) || t_fail "send exited $?"
t_assert_match "$out" '^\[TLS\+\] +bob@example.net: verified via localhost' "text output"
t_pass
