#!/bin/sh
# What servers answer: 4xx is deferred (exit 75), 5xx failed (exit 69),
# a connection dropped in DATA is deferred, a server that never speaks
# ends in a timeout, not a hang; reply text is stripped of escape codes.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup replies
t_smtpd s --starttls none --rcpt-reply 'temp@example.net=450 4.2.0 Mailbox busy' \
    --rcpt-reply 'gone@example.net=550 5.1.1 No such user' --escape-replies
t_smtpd drop --starttls none --fault drop-data
t_smtpd stall --starttls none --fault stall
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$s_port
timeout = 2
[route drop.example]
host = 127.0.0.1:$drop_port
[route stall.example]
host = 127.0.0.1:$stall_port"

rc=0
out=$(echo hi | "$TERN" send --json temp@example.net ok@example.net) || rc=$?
t_assert_eq "$rc" 75 "exit code for a 450"
temp=$(printf '%s\n' "$out" | grep temp@)
t_assert_eq "$(t_json_get "$temp" outcome)" deferred "450 outcome"
t_assert_match "$(t_json_get "$temp" reply)" '^450 ' "450 reply"
ok=$(printf '%s\n' "$out" | grep ok@)
t_assert_eq "$(t_json_get "$ok" outcome)" plaintext "the other recipient"
if printf '%s' "$out" | LC_ALL=C grep -q "$(printf '\033')"; then
	t_fail "an escape sequence reached the output"
fi

rc=0
out=$(echo hi | "$TERN" send --json gone@example.net) || rc=$?
t_assert_eq "$rc" 69 "exit code for a 550"
t_assert_eq "$(t_json_get "$out" outcome)" failed "550 outcome"

rc=0
out=$(echo hi | "$TERN" send --json x@drop.example) || rc=$?
t_assert_eq "$rc" 75 "exit code for a dropped DATA"
t_assert_eq "$(t_json_get "$out" outcome)" deferred "dropped DATA"
t_assert_eq "$(t_count drop)" 0 "nothing accepted"

# A hang bound, not a speed check (how long tern waits is a figure of
# "make bench BENCH=6"): timeout(1) exits 124 if tern is still waiting.
rc=0
out=$(echo hi | timeout 30 "$TERN" send --json x@stall.example) || rc=$?
[ "$rc" != 124 ] || t_fail "tern still waiting for a silent server after 30 s"
t_assert_eq "$rc" 75 "exit code for a silent server"
t_assert_eq "$(t_json_get "$out" outcome)" deferred "silent server"
t_assert_match "$(t_json_get "$out" reason)" 'did not greet' "reason"
t_pass
