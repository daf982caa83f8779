#!/bin/sh
# A server that offered STARTTLS on one send and does not on the next (same
# host and port): the outcome says downgrade; with downgrade = hold the
# recipient is held and the server gets nothing.  The same for a server
# whose certificate issuer changed, and for one whose TLS handshake used to
# pass and now fails.
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

# A handshake that used to pass and now fails (same host and port, the
# server now offers only 3DES, which tern refuses): warn delivers the may
# recipient in plaintext, flagged; hold sends the server nothing.
t_smtpd h1 --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem"
hport=$h1_port
hconf="from = Alice <alice@example.org>
relay = smtp://localhost:$hport
ca_file = $T/certs/ca.pem
timeout = 5"
t_config "$hconf"
out=$(echo five | "$TERN" send --json dan@example.net) || t_fail "send 5 exited $?"
t_assert_eq "$(t_json_get "$out" outcome)" verified "handshake passes first"
t_stop h1
t_smtpd h2 -p "$hport" --cert "$T/certs/good-chain.pem" \
    --key "$T/certs/good-key.pem" \
    --tls-priority "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+3DES-CBC"
text=$(echo six | "$TERN" send dan@example.net) || t_fail "send 6 exited $?"
t_assert_match "$text" '^\[PLAIN\] +dan@example.net: plaintext' "text: plaintext"
t_assert_match "$text" '^ +downgrade: .*handshake' "text: reason says downgrade"
rec=$("$TERN" log --json | head -1)
t_assert_eq "$(t_json_get "$rec" recipient)" dan@example.net "newest record"
t_assert_eq "$(t_json_get "$rec" outcome)" plaintext "record: plaintext"
t_assert_match "$(t_json_get "$rec" reason)" '^downgrade: .*handshake' \
    "record: reason says downgrade"
t_assert_eq "$(t_json_get "$rec" downgrade)" true "record: downgrade flag"
t_assert_match "$("$TERN" log | head -2)" '^ +downgrade: ' "log text: downgrade"
t_assert_eq "$(t_count h2)" 1 "warn delivers"
t_assert_eq "$(t_json_get "$(t_log h2)" tls)" false "the server got plaintext"
t_assert_match "$(t_sessions h2 | head -1)" '"tls_error":"No supported cipher' \
    "the server saw the handshake fail"

t_config "$hconf
downgrade = hold"
mark=$(t_cmd_mark h2)
rc=0
out=$(echo seven | "$TERN" send --json dan@example.net) || rc=$?
t_assert_match "$(t_commands h2 "$mark")" '^STARTTLS$' "tern tried STARTTLS"
t_assert_not_received h2 '^(MAIL FROM|RCPT TO|DATA)' \
    "held: nothing reached the server" "$mark"
t_assert_eq "$rc" 75 "exit code when held (handshake)"
t_assert_eq "$(t_json_get "$out" outcome)" held "held after a failed handshake"
t_assert_match "$(t_json_get "$out" reason)" '^downgrade: ' "held reason (handshake)"
t_assert_eq "$(t_json_get "$out" downgrade)" true "held and flagged"
t_assert_eq "$(t_count h2)" 1 "held: nothing accepted"
t_pass
