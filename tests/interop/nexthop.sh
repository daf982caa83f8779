#!/bin/sh
# Relay mode's next hop (issue 14): what each recipient's domain promises
# after the relay, learned through the DNSSEC lab (tests/interop/dnssec-lib.sh)
# and the MTA-STS HTTPS server, never on port 25.  A relay (tests/smtpd on
# 127.0.0.1, STARTTLS, the test CA) and recipients at three domains:
#	sts.test	unsigned, MTA-STS enforce (policy on 127.0.5.9:443)
#	dane.test	signed, MX with a DANE-EE TLSA record on a signed zone
#	none.test	unsigned, neither
# tern send --json shows next_hop for each; tern log shows the promise;
# a second send takes it from the store (the HTTPS server sees no second
# fetch, and next_hop = no leaves it out).  The MX addresses (127.0.5.x)
# have no server: nothing is ever sent to them.  Needs root (port 443
# on 127.0.5.9).
set -eu
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"
. "$top_srcdir/tests/interop/dnssec-lib.sh"
i_need_root
dl_need
i_need python3 certtool
t_setup interop-nexthop
t_certs

python3 - <<'EOF' || t_fail "port 443 on 127.0.5.9 is taken; stop what listens there"
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.5.9", 443))
s.close()
EOF

dl_cert stsweb mta-sts.sts.test mta-sts.sts.test mta-sts.slow.test
ee=$(dl_tlsa 3 1 1 "$T/certs/self.pem")
[ -n "$ee" ] || t_fail "dl_tlsa"
dl_zone sts.test insecure <<EOF
@ MX 10 mx
mx A 127.0.5.1
_mta-sts TXT "v=STSv1; id=20261202"
mta-sts A 127.0.5.9
EOF
dl_zone dane.test signed <<EOF
@ MX 10 mx
@ MX 20 mx2
mx A 127.0.5.2
mx2 A 127.0.5.3
_25._tcp.mx TLSA $ee
EOF
dl_zone slow.test insecure <<EOF
@ MX 10 mx
mx A 127.0.5.6
_mta-sts TXT "v=STSv1; id=20261202"
mta-sts A 127.0.5.9
EOF
dl_zone none.test insecure <<EOF
@ MX 10 mx
mx A 127.0.5.4
EOF
dl_start
mkdir -p "$T/www/mta-sts.sts.test"
printf 'version: STSv1\r\nmode: enforce\r\nmx: mx.sts.test\r\nmax_age: 86400\r\n' \
    >"$T/www/mta-sts.sts.test/policy"
dl_https_start 127.0.5.9 "$T/certs/stsweb-chain.pem" \
    "$T/certs/stsweb-key.pem" "$T/www"

t_smtpd R --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem"
conf="from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$R_port
tls = verify
resolver = 127.0.0.1:$dl_port
ca_file = $T/certs/ca.pem
timeout = 10"
t_config "$conf"

rc=0
out=$(echo "after the relay" | timeout 60 "$TERN" send --json -s nexthop \
    a@sts.test b@dane.test c@none.test 2>"$T/err") || rc=$?
i_no_crash "$rc" "send"
printf '%s\n' "$out"
t_assert_eq "$rc" 0 "exit code"
get() { # RCPT KEY
	t_json_get "$(printf '%s\n' "$1" | grep "\"recipient\": *\"$2\"")" "$3"
}
hop() { # OUT RCPT: its next_hop as compact JSON
	printf '%s\n' "$1" | grep "\"recipient\": *\"$2\"" | python3 -c '
import json, sys
print(json.dumps(json.loads(sys.stdin.read())["next_hop"], separators=(",", ":")))'
}
for r in a@sts.test b@dane.test c@none.test; do
	t_assert_eq "$(get "$out" "$r" outcome)" verified "$r outcome (the relay)"
done
t_assert_eq "$(hop "$out" a@sts.test)" \
    '{"mx":["mx.sts.test"],"mta_sts":"enforce","dane":false,"dnssec":false}' \
    "next_hop of sts.test"
t_assert_eq "$(hop "$out" b@dane.test)" \
    '{"mx":["mx.dane.test","mx2.dane.test"],"mta_sts":"none","dane":true,"dnssec":true}' \
    "next_hop of dane.test"
t_assert_eq "$(hop "$out" c@none.test)" \
    '{"mx":["mx.none.test"],"mta_sts":"none","dane":false,"dnssec":false}' \
    "next_hop of none.test"
t_assert_eq "$(dl_https_log | grep -c 'mta-sts.sts.test')" 1 "policy fetches"

# tern log: the promise, apart from what tern saw.
log=$("$TERN" log)
printf '%s\n' "$log"
printf '%s\n' "$log" | grep -q 'after the relay (what sts.test promises, not what tern saw): sts.test publishes MTA-STS enforce: its servers take mail only over verified TLS from senders that honour it' ||
    t_fail "tern log: no enforce promise for sts.test"
printf '%s\n' "$log" | grep -q 'dane.test publishes DANE for its mail server (DNSSEC-signed): a relay that checks DANE must use verified TLS' ||
    t_fail "tern log: no DANE promise for dane.test"
printf '%s\n' "$log" | grep -q 'none.test publishes neither MTA-STS nor DANE: the relay.s next hop may fall back to plaintext' ||
    t_fail "tern log: no plain promise for none.test"
printf '%s\n' "$log" | grep -q 'its mail servers (MX): mx.dane.test, mx2.dane.test (a DNSSEC-validated answer)' ||
    t_fail "tern log: no MX line for dane.test"
jl=$("$TERN" log --json)
t_assert_eq "$(hop "$jl" b@dane.test)" \
    '{"mx":["mx.dane.test","mx2.dane.test"],"mta_sts":"none","dane":true,"dnssec":true}' \
    "tern log --json next_hop of dane.test"

# A second send: from the store's cache, no second fetch, same facts.
# The policy and dane.test's zone change meanwhile (no TLSA, another MX),
# so a lookup instead of the cache would show.
dl_zone dane.test signed <<EOF
@ MX 10 other
other A 127.0.5.5
EOF
dl_reload
printf 'version: STSv1\r\nmode: testing\r\nmx: mx.sts.test\r\nmax_age: 86400\r\n' \
    >"$T/www/mta-sts.sts.test/policy"
rc=0
out2=$(echo "again" | timeout 60 "$TERN" send --json -s again \
    a@sts.test b@dane.test 2>>"$T/err") || rc=$?
i_no_crash "$rc" "second send"
t_assert_eq "$rc" 0 "second exit code"
t_assert_eq "$(hop "$out2" a@sts.test)" \
    '{"mx":["mx.sts.test"],"mta_sts":"enforce","dane":false,"dnssec":false}' \
    "cached next_hop of sts.test"
t_assert_eq "$(dl_https_log | grep -c 'mta-sts.sts.test')" 1 \
    "policy fetches after the second send (the cache)"
t_assert_eq "$(hop "$out2" b@dane.test)" \
    '{"mx":["mx.dane.test","mx2.dane.test"],"mta_sts":"none","dane":true,"dnssec":true}' \
    "cached next_hop of dane.test (the zone changed since)"
if command -v sqlite3 >/dev/null 2>&1; then
	t_assert_eq "$(sqlite3 "$XDG_DATA_HOME/tern/tern.db" \
	    'SELECT count(*) FROM next_hop')" 3 "domains in the next_hop cache"
fi

# tern probe says what lies after the relay too (from the cache).
probe=$(timeout 60 "$TERN" probe sts.test) || t_fail "tern probe exited $?"
printf '%s\n' "$probe"
printf '%s\n' "$probe" | grep -q 'after the relay (what sts.test promises, not what tern saw): sts.test publishes MTA-STS enforce' ||
    t_fail "tern probe: no next hop for sts.test"

# A lookup slower than the send never holds the record back (the crash
# rules: stored right after the server's 250).  mta-sts.slow.test answers
# after 6 s; tern is killed once the relay has the message, while it
# still waits for that answer: the recipient must be delivered, not
# uncertain (which would send it again).
mkdir -p "$T/www/mta-sts.slow.test"
printf 'version: STSv1\r\nmode: enforce\r\nmx: mx.slow.test\r\nmax_age: 86400\r\n' \
    >"$T/www/mta-sts.slow.test/policy"
echo 6 >"$T/www/mta-sts.slow.test/delay"
before=$(t_count R)
echo "slow lookup" >"$T/slow.txt"
"$TERN" send -s slow s@slow.test <"$T/slow.txt" >"$T/slow.out" 2>&1 &
spid=$!
i=0
while [ "$(t_count R)" -le "$before" ]; do
	[ "$i" -lt 50 ] || t_fail "the relay never got the slow.test message"
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5
kill -0 "$spid" 2>/dev/null ||
    t_fail "tern had ended before the slow lookup did: nothing proved"
kill -9 "$spid"
wait "$spid" 2>/dev/null || :
slowlog=$("$TERN" log --json | grep '"s@slow.test"') || t_fail "no record for s@slow.test"
t_assert_eq "$(t_json_get "$slowlog" outcome)" verified "slow.test recorded at the 250"
if "$TERN" outbox | grep -q 's@slow.test'; then
	t_fail "s@slow.test waits in the outbox: its record waited for DNS"
fi
# Not killed, the same slow answer reaches the record after it was stored.
echo 2 >"$T/www/mta-sts.slow.test/delay"
echo "slow lookup" | timeout 60 "$TERN" send -s slow2 t@slow.test >/dev/null ||
    t_fail "the second slow.test send exited $?"
t_assert_eq "$(hop "$("$TERN" log --json)" t@slow.test)" \
    '{"mx":["mx.slow.test"],"mta_sts":"enforce","dane":false,"dnssec":false}' \
    "next_hop added to the stored record"
rm -f "$T/www/mta-sts.slow.test/delay"

# next_hop = no: no next hop facts, null in --json.
t_config "$conf
next_hop = no"
out3=$(echo "off" | timeout 60 "$TERN" send --json -s off c@none.test)
t_assert_eq "$(hop "$out3" c@none.test)" null "next_hop with next_hop = no"

# The relay got every message; no MX host was ever contacted (none runs).
t_assert_eq "$(t_count R)" 5 "messages at the relay (the slow.test ones too)"
t_pass
