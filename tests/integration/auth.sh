#!/bin/sh
# SMTP AUTH to a relay: over STARTTLS it works (password from passcmd);
# over plaintext tern refuses to send the password at all, unless the user
# set auth_plaintext = yes.  The password never shows in tern's output.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup auth
t_certs
c=$T/certs
t_smtpd tls --cert "$c/good-chain.pem" --key "$c/good-key.pem" \
    --auth alice:s3cret-pw
t_smtpd plain --starttls none --auth alice:s3cret-pw --auth-plaintext
printf '#!/bin/sh\necho s3cret-pw\n' >"$T/pass.sh"
chmod 700 "$T/pass.sh"

t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$tls_port
user = alice
passcmd = $T/pass.sh
ca_file = $c/ca.pem
timeout = 5"
out=$(echo hi | "$TERN" -v send --json bob@example.net 2>"$T/err") ||
    t_fail "send exited $?: $(cat "$T/err")"
t_assert_eq "$(t_json_get "$out" outcome)" verified "outcome over TLS"
t_assert_eq "$(t_json_get "$(t_log tls)" auth)" alice "server saw AUTH"
if grep -q s3cret "$T/err" || printf '%s' "$out" | grep -q s3cret; then
	t_fail "the password was printed"
fi

# A wrong password: deferred (kept), with the server's words.
printf '#!/bin/sh\necho wrong\n' >"$T/pass.sh"
rc=0
out=$(echo hi | "$TERN" send --json bob@example.net) || rc=$?
t_assert_eq "$rc" 75 "exit code on bad password"
t_assert_match "$(t_json_get "$out" reason)" 'authentication as alice failed' "reason"
t_assert_match "$(t_json_get "$out" reply)" '^535' "reply"
printf '#!/bin/sh\necho s3cret-pw\n' >"$T/pass.sh"

# Plaintext relay: no AUTH, nothing sent, a clear reason.
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$plain_port
user = alice
passcmd = $T/pass.sh
timeout = 5"
rc=0
out=$(echo hi | "$TERN" send --json bob@example.net) || rc=$?
t_assert_eq "$rc" 75 "exit code without TLS"
t_assert_eq "$(t_json_get "$out" outcome)" held "outcome without TLS"
t_assert_match "$(t_json_get "$out" reason)" 'does not send a password without TLS' "reason"
t_assert_eq "$(t_count plain)" 0 "nothing sent"
t_wait_sessions plain 1
if t_sessions plain | grep -q '"AUTH'; then
	t_fail "AUTH was sent over plaintext"
fi

# The user allows it explicitly.
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$plain_port
user = alice
passcmd = $T/pass.sh
auth_plaintext = yes
timeout = 5"
out=$(echo hi | "$TERN" send --json bob@example.net) || t_fail "send exited $?"
t_assert_eq "$(t_json_get "$out" outcome)" plaintext "outcome with auth_plaintext"
t_assert_eq "$(t_json_get "$(t_log plain)" auth)" alice "server saw AUTH"

# A config readable by others that names a passcmd is refused.
chmod 644 "$XDG_CONFIG_HOME/tern/config"
rc=0
echo hi | "$TERN" send bob@example.net 2>"$T/err" >/dev/null || rc=$?
t_assert_eq "$rc" 78 "exit code for an open config"
t_assert_match "$(cat "$T/err")" 'too open' "message"
t_pass
