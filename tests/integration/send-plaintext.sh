#!/bin/sh
# A server without STARTTLS: "may" delivers in plaintext and says why;
# "encrypt" and "verify" recipients are held and the server gets nothing
# for them.  Exit codes follow sysexits.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup send-plaintext
t_smtpd plain --starttls none
t_config "from = Alice <alice@example.org>
relay = direct
timeout = 10
[route example.net]
host = 127.0.0.1:$plain_port
[domain strict.example]
tls = encrypt
[route strict.example]
host = 127.0.0.1:$plain_port
[route bank.example]
host = 127.0.0.1:$plain_port
tls = verify"

out=$(echo hi | "$TERN" send --json bob@example.net) || t_fail "send exited $?"
t_assert_eq "$(t_json_get "$out" outcome)" plaintext "outcome"
t_assert_match "$(t_json_get "$out" reason)" 'did not offer STARTTLS' "reason"
t_assert_eq "$(t_json_get "$out" tls_version)" "" "no tls facts"
t_assert_eq "$(t_json_get "$out" cert_sha256)" "" "no cert facts"
t_assert_eq "$(t_count plain)" 1 "server got it"
t_assert_eq "$(t_json_get "$(t_log plain)" tls)" false "server saw plaintext"

# encrypt (domain rule) and verify (route rule): held, nothing sent.
mark=$(t_cmd_mark plain)
rc=0
out=$(echo hi | "$TERN" send --json carol@strict.example dave@bank.example \
    bob@example.net) || rc=$?
# The server's transcript: no RCPT for a held recipient, not even one
# never followed by DATA; bob's is there.
t_assert_not_received plain '^RCPT TO: *<[^>]*@(strict|bank)\.example>' \
    "a held recipient reached the server" "$mark"
t_assert_match "$(t_commands plain "$mark")" '^RCPT TO: *<bob@example\.net>' \
    "bob in the transcript"
t_assert_eq "$rc" 75 "exit code with held recipients"
carol=$(printf '%s\n' "$out" | grep carol@)
dave=$(printf '%s\n' "$out" | grep dave@)
bob=$(printf '%s\n' "$out" | grep bob@)
t_assert_eq "$(t_json_get "$carol" outcome)" held "carol outcome"
t_assert_eq "$(t_json_get "$carol" policy)" encrypt "carol policy"
t_assert_eq "$(t_json_get "$carol" policy_source)" domain "carol policy source"
t_assert_match "$(t_json_get "$carol" reason)" 'needs TLS' "carol reason"
t_assert_eq "$(t_json_get "$dave" outcome)" held "dave outcome"
t_assert_eq "$(t_json_get "$dave" policy)" verify "dave policy"
t_assert_eq "$(t_json_get "$bob" outcome)" plaintext "bob outcome"
t_assert_eq "$(t_count plain)" 2 "only bob's copy reached the server"
if t_log plain | grep -q 'strict.example\|bank.example'; then
	t_fail "the server accepted a message for a held recipient"
fi
t_pass
