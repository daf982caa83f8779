#!/bin/sh
# logfile = PATH (msmtp's): one line per recipient outcome, with the
# account, sender, recipient, outcome, server, TLS, reason and reply, and
# no secret; an account may have its own logfile.  The same writer makes
# sendmail -X's lines.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup logfile
t_certs
t_smtpd srv --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem" \
    --auth alice:s3cr3t-pass
t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$srv_port
ca_file = $T/certs/ca.pem
user = alice
passcmd = echo s3cr3t-pass
logfile = $T/default.log
timeout = 5

[account work]
from = Alice Work <alice@work.example>
relay = smtp://127.0.0.1:9
logfile = $T/work.log"
echo hi | "$TERN" send -s hi bob@example.net >/dev/null || t_fail "send exited $?"
rc=0
echo hi | "$TERN" -a work send -s hi carol@example.net >/dev/null 2>&1 || rc=$?
t_assert_eq "$rc" 75 "work: deferred"
line=$(cat "$T/default.log")
t_assert_eq "$(grep -c . "$T/default.log")" 1 "default: one line"
t_assert_match "$line" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[-+][0-9]{4} account=default from=alice@example.org recipient=bob@example.net outcome=verified server=localhost address=127.0.0.1 port=[0-9]+ tls=TLS1\.[23] cipher=[^ ]+ verified=yes verify_method=pkix reply="250 .*" exitcode=EX_OK$' \
    "default: the line"
wl=$(cat "$T/work.log")
t_assert_match "$wl" ' account=work from=alice@work.example recipient=carol@example.net outcome=deferred kind=connection server=127.0.0.1 .* tls=no reason="cannot connect to .*" exitcode=EX_TEMPFAIL$' \
    "work: its own logfile"
if grep -q 's3cr3t' "$T/default.log" "$T/work.log"; then
	t_fail "a secret reached a log"
fi
t_assert_eq "$(stat -c %a "$T/default.log")" 600 "log mode"
t_pass
