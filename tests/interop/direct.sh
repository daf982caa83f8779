#!/bin/sh
# Direct mode against real DNS: dnsmasq serves MX, A and null-MX records
# for *.test (tern's "resolver = 127.0.0.1:PORT"), and the MX hosts
# listen on loopback addresses, port 25:
#	a.test	MX 10 mx1.a.test (127.0.0.2, refuses connections),
#		MX 20 mx2.a.test (127.0.0.3, STARTTLS, certificate for that
#		name and for a.test itself); policy verify: tern moves on to
#		the second MX and verifies the certificate (the MX name came
#		from unsigned DNS: it counts because it names a.test itself)
#	b.test	null MX (RFC 7505): failed, nothing connects anywhere
#	c.test	no MX, A 127.0.0.4 (implicit MX): plaintext server
#	d.test, e.test	MX on 127.0.0.5 and 127.0.0.6, one server that
#		only greets when both connections are open at once: proves
#		the domains go out in parallel
#	h.test	MX mx.h.test (127.0.0.3): the certificate does not name it,
#		so "encrypted", not "verified"
# Each server's records say what it received.  Needs root (port 25).
set -eu
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"
i_need_root
i_need dnsmasq python3 certtool
t_setup interop-direct
t_certs
(
	cd "$T/certs" || exit 1
	_t_cert mx ca 'cn = "mx2.a.test"' 'dns_name = "mx2.a.test"' \
	    'dns_name = "a.test"' \
	    tls_www_server signing_key encryption_key 'expiration_days = 30'
) || exit 1

# Port 25 on these addresses must be free (no system MTA on 0.0.0.0:25).
python3 - <<'EOF' || t_fail "port 25 on 127.0.0.2-6 is taken (a system MTA listening on *:25?); stop it"
import socket
for a in ("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a, 25))
    s.close()
EOF

i_dnsmasq_start --local=/test/ \
    --mx-host=a.test,mx1.a.test,10 --mx-host=a.test,mx2.a.test,20 \
    --host-record=mx1.a.test,127.0.0.2 --host-record=mx2.a.test,127.0.0.3 \
    --mx-host=b.test,.,0 \
    --host-record=c.test,127.0.0.4 \
    --mx-host=d.test,mx.d.test,10 --host-record=mx.d.test,127.0.0.5 \
    --mx-host=e.test,mx.e.test,10 --host-record=mx.e.test,127.0.0.6 \
    --mx-host=h.test,mx.h.test,10 --host-record=mx.h.test,127.0.0.3

t_smtpd mx2 -l 127.0.0.3 -p 25 --cert "$T/certs/mx-chain.pem" \
    --key "$T/certs/mx-key.pem"
t_smtpd implicit -l 127.0.0.4 -p 25 --starttls none
i_raw pair rendezvous --peers 2 -l 127.0.0.5:25 -l 127.0.0.6:25

t_config "from = Alice <alice@example.org>
relay = direct
resolver = 127.0.0.1:$dns_port
ca_file = $T/certs/ca.pem
timeout = 10
[domain a.test]
tls = verify"

rc=0
start=$(date +%s)
out=$(echo "direct mode" | timeout 90 "$TERN" -v send --json -s direct \
    bob@a.test carol@b.test dave@c.test erin@d.test frank@e.test \
    gina@h.test 2>"$T/events") || rc=$?
i_no_crash "$rc" "send"
echo "tern send exited $rc after $(($(date +%s) - start)) s"
printf '%s\n' "$out"
t_assert_eq "$rc" 69 "exit code (one permanent failure)"
get() { # RCPT KEY
	t_json_get "$(printf '%s\n' "$out" | grep "\"recipient\": *\"$1\"")" "$2"
}

# a.test: the refusing MX first, then the second one, verified by name.
t_assert_eq "$(get bob@a.test outcome)" verified "a.test outcome"
t_assert_eq "$(get bob@a.test server)" mx2.a.test "a.test server"
t_assert_eq "$(get bob@a.test address)" 127.0.0.3 "a.test address"
t_assert_match "$(get bob@a.test cert_subject)" 'CN=mx2.a.test' "a.test cert"
t_assert_eq "$(get bob@a.test policy)" verify "a.test policy"
t_assert_eq "$(get bob@a.test verify_method)" pkix "a.test verify_method"
# The events show the refused first MX before the second one.
grep 'mx[12]\.a\.test' "$T/events" | head -n 4
first=$(grep -m1 -n 'mx1\.a\.test \[127\.0\.0\.2\]' "$T/events" | cut -d: -f1)
second=$(grep -m1 -n 'mx2\.a\.test \[127\.0\.0\.3\]' "$T/events" | cut -d: -f1)
[ -n "$first" ] || t_fail "mx1.a.test (127.0.0.2) was never tried"
[ "$first" -lt "$second" ] || t_fail "mx2 tried before mx1"

# b.test: null MX is a permanent failure, and no server heard of it.
t_assert_eq "$(get carol@b.test outcome)" failed "b.test outcome"
t_assert_match "$(get carol@b.test reason)" 'null MX|does not accept mail' \
    "b.test reason"

# c.test: implicit MX from the A record, a server without STARTTLS.
t_assert_eq "$(get dave@c.test outcome)" plaintext "c.test outcome"
t_assert_eq "$(get dave@c.test server)" c.test "c.test server"
t_assert_eq "$(get dave@c.test address)" 127.0.0.4 "c.test address"

# d.test and e.test: the rendezvous server greeted both, so both
# connections were open at the same time.
t_assert_eq "$(get erin@d.test outcome)" plaintext "d.test outcome"
t_assert_eq "$(get frank@e.test outcome)" plaintext "e.test outcome"
if t_sessions pair | grep -q '"alone"'; then
	t_fail "d.test and e.test were not delivered in parallel"
fi

# h.test: TLS, but the certificate is for another name.
t_assert_eq "$(get gina@h.test outcome)" encrypted "h.test outcome"
t_assert_match "$(get gina@h.test verify)" 'name|host' "h.test verify words"

# What the servers saw.
t_wait_sessions mx2 2
t_assert_eq "$(t_count mx2)" 2 "messages at mx2 (a.test, h.test)"
t_log mx2 | grep -q '"rcpts":\["bob@a.test"\]' || t_fail "bob not at mx2"
t_log mx2 | grep -q '"rcpts":\["gina@h.test"\]' || t_fail "gina not at mx2"
t_assert_eq "$(t_log mx2 | grep -c '"tls":true')" 2 "mx2 saw TLS twice"
t_assert_eq "$(t_count implicit)" 1 "messages at c.test's server"
t_assert_eq "$(t_json_get "$(t_log implicit)" tls)" false \
    "c.test server saw plaintext"
t_assert_eq "$(t_count pair)" 2 "messages at the d/e server"
if cat "$T"/mx2/*.jsonl "$T"/implicit/*.jsonl "$T"/pair/*.jsonl |
    grep -q 'RCPT TO:<carol@b.test>\|"carol@b.test"'; then
	t_fail "a server heard of the null-MX domain"
fi
# dnsmasq was asked for MX of every domain, and for c.test's address.
for d in a.test b.test c.test d.test e.test h.test; do
	grep -q "query\[MX\] $d from" "$T/dnsmasq.log" ||
	    t_fail "dnsmasq was not asked for the MX of $d"
done
grep -q 'query\[A\] c.test from' "$T/dnsmasq.log" ||
    t_fail "no A lookup for the implicit MX"
t_pass
