#!/bin/sh
# A passcmd that never ends must not hold tern: "sleep 300" is stopped at
# the timeout (deferred, "passcmd did not finish within N s"), and in
# "echo pw; sleep 300 &" the password is used while the child that holds
# its output is stopped.  Either way the sleeps are gone when tern is
# (before the passcmd timeout, tern waited for them: 300 s).  A hang
# check: each send is killed by timeout(1) after 60 s, and that fails.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup passcmd
t_certs
c=$T/certs
t_smtpd tls --cert "$c/good-chain.pem" --key "$c/good-key.pem" \
    --auth alice:s3cret-pw

# send PASSCMD: tern send --json with that passcmd; sets rc and out.
send() {
	t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$tls_port
user = alice
passcmd = $1
ca_file = $c/ca.pem
timeout = 3"
	rc=0
	out=$(echo hi | timeout -k 5 60 "$TERN" send --json bob@example.net \
	    2>"$T/err") || rc=$?
	[ "$rc" -lt 124 ] ||
	    t_fail "tern still waiting for passcmd after 60 s (exit $rc)"
}

# gone PIDFILE WHAT: the process whose pid is in PIDFILE has ended (or is
# a zombie left to init); a bounded wait.
gone() {
	[ -s "$1" ] || t_fail "$2: passcmd did not run"
	pid=$(cat "$1")
	i=0
	while [ -d "/proc/$pid" ] &&
	    ! grep -q '^State:[[:space:]]*[ZX]' "/proc/$pid/status" 2>/dev/null; do
		if [ "$i" -ge 50 ]; then
			kill -9 "$pid" 2>/dev/null || :
			t_fail "$2: the passcmd's sleep (pid $pid) outlived tern"
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

# A passcmd that never ends.
send "echo \$\$ >$T/hang.pid; exec sleep 300"
t_assert_eq "$(t_json_get "$out" outcome)" deferred "sleep: outcome"
t_assert_match "$(t_json_get "$out" reason)" \
    'passcmd did not finish within [0-9]+ s' "sleep: reason"
t_assert_eq "$(t_count tls)" 0 "sleep: nothing sent"
gone "$T/hang.pid" "sleep 300"
echo "ok: sleep 300: $(t_json_get "$out" reason)"

# The password, then a child that keeps the output open.
send "sleep 300 & echo \$! >$T/bg.pid; echo s3cret-pw"
t_assert_eq "$(t_json_get "$out" outcome)" verified "sleep &: outcome"
t_assert_eq "$(t_json_get "$(t_log tls)" auth)" alice "sleep &: AUTH"
gone "$T/bg.pid" "sleep 300 &"
if grep -q s3cret "$T/err" || printf '%s' "$out" | grep -q s3cret; then
	t_fail "the password was printed"
fi
echo "ok: sleep 300 &: delivered, the child stopped"
t_pass
