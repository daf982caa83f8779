#!/bin/sh
# syslog = FACILITY: one line per recipient outcome reaches syslog(3) with
# the facility and a priority by outcome (info delivered, notice deferred
# or held, err failed), the same words as the logfile, and no secret.
# The test runs tern in a private mount namespace whose /dev/log is a
# datagram socket the test listens on (no syslog daemon is touched).
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup syslog
command -v unshare >/dev/null 2>&1 || t_skip "no unshare"
command -v python3 >/dev/null 2>&1 || t_skip "no python3"
unshare -m true 2>/dev/null || t_skip "cannot make a mount namespace"
t_certs
t_smtpd srv --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem" \
    --auth alice:s3cr3t-pass
t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$srv_port
ca_file = $T/certs/ca.pem
user = alice
passcmd = echo s3cr3t-pass
syslog = local3
timeout = 5

[account dead]
from = Dead <dead@example.org>
relay = smtp://127.0.0.1:9
syslog = yes"

# A /dev for the namespace: the nodes tern needs, and log, our socket.
mkdir "$T/dev"
for n in null zero random urandom tty; do
	[ -e "/dev/$n" ] || continue
	: >"$T/dev/$n"
done
cat >"$T/listen.py" <<'PY'
import socket, sys, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
open(sys.argv[2] + ".ready", "w").close()
s.settimeout(20)
with open(sys.argv[2], "ab") as out:
    while True:
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        out.write(d + b"\n")
        out.flush()
PY
python3 "$T/listen.py" "$T/dev/log" "$T/syslog.txt" &
lpid=$!
_t_pids="$_t_pids $lpid"
i=0
while [ ! -e "$T/syslog.txt.ready" ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
[ -e "$T/syslog.txt.ready" ] || t_fail "the listener did not start"

# run ARGS...: tern in the namespace with our /dev; its exit code.
run() {
	unshare -m sh -c '
	    mount --make-rprivate / &&
	    for n in null zero random urandom tty; do
		[ -e "$D/$n" ] && mount --bind "/dev/$n" "$D/$n"
	    done
	    mount --bind "$D" /dev && exec "$@"' tern-ns "$@"
}
export D="$T/dev"
echo hi | run "$TERN" send -s hi bob@example.net >/dev/null ||
    t_fail "send exited $?"
rc=0
echo hi | run "$TERN" -a dead send -s hi carol@example.net >/dev/null 2>&1 ||
    rc=$?
t_assert_eq "$rc" 75 "dead: deferred"
i=0
while [ "$(grep -c 'recipient=' "$T/syslog.txt" 2>/dev/null)" -lt 2 ] &&
    [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill "$lpid" 2>/dev/null || :
cat "$T/syslog.txt" >&2
# <PRI> = facility * 8 + severity: local3 (19) info (6) = 158; mail (2)
# notice (5) = 21.
ok=$(grep -a 'recipient=bob@example.net' "$T/syslog.txt")
t_assert_match "$ok" '^<158>.* account=default from=alice@example.org recipient=bob@example.net outcome=verified server=localhost .*tls=TLS1\.[23] .*exitcode=EX_OK$' \
    "delivered: local3.info"
bad=$(grep -a 'recipient=carol@example.net' "$T/syslog.txt")
t_assert_match "$bad" '^<21>.* account=dead .*recipient=carol@example.net outcome=deferred kind=connection .*exitcode=EX_TEMPFAIL$' \
    "deferred: mail.notice"
if grep -q 's3cr3t' "$T/syslog.txt"; then
	t_fail "a secret reached syslog"
fi
t_pass
