#!/bin/sh
# The DNSSEC lab (tests/interop/dnssec-lib.sh) and src/dns.c's DNSSEC
# answers through it, with the client mode of tests/unit/test-dns:
#	dane.test	signed: MX, A, TLSA DANE-EE(3 1 1) of a self-signed
#			certificate and DANE-TA(2 0 1) of the test CA; a
#			CNAME inside the zone, one into plain.test
#	nomatch.test	signed, a TLSA of another certificate
#	plain.test	unsigned (insecure): MX, A, TLSA
#	bogus.test	signed with signatures that expired a year ago
#	forged.test	good keys, broken signatures on the data
#	sts.test	unsigned: _mta-sts TXT, mta-sts A 127.0.3.9 where the
#			lab's HTTPS server has the policy
# Checks: secure=1 for the signed zone (MX, addresses, TLSA, an
# authenticated denial, a CNAME in it), secure=0 for the insecure one and
# a CNAME into it, the DNSSEC error for bogus and forged answers, TLSA
# bytes as openssl computes them, the TXT record before and after a zone
# reload, and curl fetching the policy over verified HTTPS.  Needs root
# (port 443 on 127.0.3.9).
set -eu
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"
. "$top_srcdir/tests/interop/dnssec-lib.sh"
i_need_root
dl_need
i_need curl certtool
client=$top_builddir/tests/unit/test-dns
[ -x "$client" ] || t_skip "$client not built (cmocka missing?)"
t_setup interop-dnssec
t_certs
dl_cert mtasts mta-sts.sts.test mta-sts.sts.test

python3 - <<'EOF' || t_fail "port 443 on 127.0.3.9 is taken; stop what listens there"
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.3.9", 443))
s.close()
EOF

ee=$(dl_tlsa 3 1 1 "$T/certs/self.pem")
ta=$(dl_tlsa 2 0 1 "$T/certs/ca.pem")
other=$(dl_tlsa 3 1 1 "$T/certs/other.pem")
full=$(dl_tlsa 3 0 0 "$T/certs/self.pem")
[ -n "$ee" ] && [ -n "$ta" ] && [ -n "$other" ] || t_fail "dl_tlsa"

dl_zone dane.test signed <<EOF
@ MX 10 mx
mx A 127.0.3.1
_25._tcp.mx TLSA $ee
_25._tcp.mx TLSA $ta
alias CNAME @
toplain CNAME plain.test.
EOF
dl_zone nomatch.test signed <<EOF
@ MX 10 mx
mx A 127.0.3.2
_25._tcp.mx TLSA $other
EOF
dl_zone plain.test insecure <<EOF
@ MX 10 mx
mx A 127.0.3.3
_25._tcp.mx TLSA $ee
_25._tcp.full TLSA $full
EOF
dl_zone bogus.test bogus <<EOF
@ MX 10 mx
mx A 127.0.3.4
_25._tcp.mx TLSA $ee
EOF
dl_zone forged.test forged <<EOF
@ MX 10 mx
mx A 127.0.3.5
_25._tcp.mx TLSA $ee
EOF
dl_zone sts.test insecure <<EOF
@ MX 10 mx
mx A 127.0.3.3
_mta-sts TXT "v=STSv1; id=20261202T1"
mta-sts A 127.0.3.9
EOF
dl_start

# q MODE NAME: the client's answer through the lab's resolver, bounded.
q() {
	timeout 20 "$client" "$1" "$2" 127.0.0.1 "$dl_port" 5 2>&1 || :
}
failures=0
check() { # WHAT WANT GOT
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1"
		printf '  want: %s\n  got:  %s\n' "$2" "$3"
		failures=$((failures + 1))
	fi
}
check_match() { # WHAT REGEX GOT
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		echo "ok: $1: $3"
	else
		echo "FAIL: $1"
		printf '  want /%s/\n  got:  %s\n' "$2" "$3"
		failures=$((failures + 1))
	fi
}

# A signed zone: everything authenticated, a denial too.
check "signed MX" "mx 10 mx.dane.test
secure=1" "$(q lookup dane.test)"
check "signed A" "addr 127.0.3.1
secure=1" "$(q addrs mx.dane.test)"
check "signed TLSA, the bytes openssl computed" \
    "$(printf 'tlsa %s\ntlsa %s\nsecure=1\n' "$ta" "$ee" | sort)" \
    "$(q tlsa _25._tcp.mx.dane.test | sort)"
check "signed denial: no TLSA" "secure=1" "$(q tlsa _25._tcp.none.dane.test)"
check "signed NXDOMAIN" \
    "error rejected permanent: none.dane.test does not exist" \
    "$(q lookup none.dane.test)"
check "CNAME inside a signed zone" "mx 10 mx.dane.test
secure=1" "$(q lookup alias.dane.test)"
check "CNAME from a signed zone into an insecure one" "mx 10 mx.plain.test
secure=0" "$(q lookup toplain.dane.test)"
check "signed, TLSA of another certificate" "tlsa $other
secure=1" "$(q tlsa _25._tcp.mx.nomatch.test)"

# An unsigned zone: the same records, not authenticated.
check "insecure MX" "mx 10 mx.plain.test
secure=0" "$(q lookup plain.test)"
check "insecure A" "addr 127.0.3.3
secure=0" "$(q addrs mx.plain.test)"
check "insecure TLSA" "tlsa $ee
secure=0" "$(q tlsa _25._tcp.mx.plain.test)"
check "TLSA 3 0 0: the whole certificate" "tlsa $full
secure=0" "$(q tlsa _25._tcp.full.plain.test)"

# Bogus answers: SERVFAIL from unbound, said to be DNSSEC's doing.
dnssec_err='^error connection temporary: cannot look up .*: DNSSEC validation failed at the resolver \(.*; SERVFAIL\)'
check_match "expired signatures: MX" "$dnssec_err" "$(q lookup bogus.test)"
check_match "expired signatures: TLSA" "$dnssec_err" \
    "$(q tlsa _25._tcp.mx.bogus.test)"
check_match "expired signatures: A" "$dnssec_err" "$(q addrs mx.bogus.test)"
check_match "forged signatures: MX" "$dnssec_err" "$(q lookup forged.test)"
check_match "forged signatures: TLSA" "$dnssec_err" \
    "$(q tlsa _25._tcp.mx.forged.test)"
check_match "a name outside the lab fails fast" \
    '^error connection temporary: .*: the DNS server failed' \
    "$(q lookup elsewhere.example)"

# MTA-STS: the TXT record, then the policy over HTTPS.
check "MTA-STS TXT" "txt v=STSv1; id=20261202T1
secure=0" "$(q txt _mta-sts.sts.test)"
check "no TXT" "secure=0" "$(q txt mx.sts.test)"
dl_zone sts.test insecure <<EOF
@ MX 10 mx
mx A 127.0.3.3
_mta-sts TXT "v=STSv1; " "id=20261202T2"
mta-sts A 127.0.3.9
EOF
dl_reload
check "MTA-STS TXT after a reload, two strings joined" \
    "txt v=STSv1; id=20261202T2
secure=0" "$(q txt _mta-sts.sts.test)"

www=$T/www
mkdir -p "$www/mta-sts.sts.test"
policy="version: STSv1
mode: enforce
mx: mx.sts.test
max_age: 86400"
printf '%s\n' "$policy" | sed 's/$/\r/' \
    >"$www/mta-sts.sts.test/policy"
dl_https_start 127.0.3.9 "$T/certs/mtasts-chain.pem" \
    "$T/certs/mtasts-key.pem" "$www"
addr=$(q addrs mta-sts.sts.test | sed -n 's/^addr //p')
check "mta-sts.sts.test from the lab's DNS" 127.0.3.9 "$addr"
rc=0
got=$(timeout 20 curl -sS --max-time 10 --cacert "$T/certs/ca.pem" \
    --resolve "mta-sts.sts.test:443:$addr" -D "$T/headers" \
    https://mta-sts.sts.test/.well-known/mta-sts.txt 2>"$T/curl.err" |
    tr -d '\r') || rc=$?
check "curl fetches the policy over verified HTTPS" "$policy" "$got"
check_match "policy is text/plain" '^[Cc]ontent-[Tt]ype: text/plain' \
    "$(cat "$T/headers" 2>/dev/null)"
rc=0
timeout 20 curl -sS --max-time 10 --cacert "$T/certs/other-ca.pem" \
    --resolve "mta-sts.sts.test:443:$addr" \
    https://mta-sts.sts.test/.well-known/mta-sts.txt >/dev/null \
    2>"$T/curl2.err" || rc=$?
check "a certificate from another CA is refused (curl exit 60)" 60 "$rc"
check_match "the server saw the Host and the path" \
    '^mta-sts.sts.test /.well-known/mta-sts.txt 200$' "$(dl_https_log)"

if [ "$failures" -ne 0 ]; then
	echo "dnssec.sh: $failures failure(s); unbound log:"
	tail -n 40 "$DL/unbound.log"
	t_fail "$failures check(s) failed"
fi
t_pass
