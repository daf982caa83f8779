#!/bin/sh
# dns.sh: MX and address lookups (src/dns.c) against a real DNS server,
# dnsmasq on loopback, through the client mode of tests/unit/test-dns:
#	test-dns lookup DOMAIN RESOLVER PORT [TIMEOUT]
#	test-dns addrs HOST RESOLVER PORT [TIMEOUT]
#	test-dns txt NAME RESOLVER PORT [TIMEOUT]
# dnsmasq does not validate: every answer is insecure (secure=0); the
# DNSSEC cases are tests/interop/dnssec.sh.
# Skips (77) when dnsmasq or test-dns is absent; installs nothing.  Bounded:
# dnsmasq runs under timeout 20 and is killed on exit, every lookup runs
# under timeout 10.

set -u

: "${top_builddir:=.}"
client="$top_builddir/tests/unit/test-dns"
PATH="$PATH:/usr/sbin:/sbin:/usr/local/sbin"
export PATH

if ! command -v dnsmasq >/dev/null 2>&1; then
	echo "dns.sh: dnsmasq not found, skipping"
	exit 77
fi
if [ ! -x "$client" ]; then
	echo "dns.sh: $client not built (cmocka missing?), skipping"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tern-dns.XXXXXX") || exit 99
pid=
failures=0

cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' INT TERM HUP

# start_dnsmasq LISTEN: dnsmasq on a free port; sets pid and port.
start_dnsmasq() {
	for try in 1 2 3 4 5 6 7 8; do
		port=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		port=$((port % 30000 + 20000))
		timeout -s TERM 20 dnsmasq --no-daemon --no-resolv --no-hosts \
		    --conf-file=/dev/null --pid-file= \
		    --user="$(id -un)" --group="$(id -gn)" \
		    --listen-address="$1" --bind-interfaces --port="$port" \
		    --local=/test/ \
		    --mx-host=mail.test,mx1.test,10 \
		    --mx-host=mail.test,mx2.test,20 \
		    --mx-host=mail.test,mx3.test,20 \
		    --mx-host=upper.test,MX1.Test,5 \
		    --mx-host=nullmx.test,.,0 \
		    --mx-host=mixed.test,.,0 \
		    --mx-host=mixed.test,mx1.test,10 \
		    --cname=alias.test,mail.test \
		    --host-record=mx1.test,127.0.0.2 \
		    --host-record=mx2.test,127.0.0.3,::1 \
		    --host-record=mx3.test,127.0.0.4 \
		    --host-record=amx.test,127.0.0.5 \
		    --host-record=aaaaonly.test,::1 \
		    --txt-record=txtonly.test,hello \
		    --server=/slow.test/127.0.0.1#1 \
		    >"$tmp/dnsmasq.log" 2>&1 &
		pid=$!
		i=0
		while [ $i -lt 20 ]; do
			kill -0 "$pid" 2>/dev/null || break
			# amx.test answers (implicit MX) once dnsmasq is up.
			if timeout 10 "$client" lookup amx.test "$2" "$port" 1 \
			    >/dev/null 2>&1; then
				return 0
			fi
			sleep 0.2
			i=$((i + 1))
		done
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
	done
	return 1
}

# check NAME EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1"
		echo "  expected: $2" | sed '2,$s/^/            /'
		echo "  got:      $3" | sed '2,$s/^/            /'
		failures=$((failures + 1))
	fi
}

# lookup ARGS...: the client's output, bounded, without its secure= line
# (raw: with it).
raw() {
	timeout 10 "$client" "$1" "$2" "$resolver" "$port" "${3:-3}" 2>&1
}
lookup() {
	raw lookup "$@" | grep -v '^secure='
}
addrs() {
	raw addrs "$@" | grep -v '^secure='
}

if ! start_dnsmasq 127.0.0.1 127.0.0.1; then
	echo "dns.sh: dnsmasq did not start:"
	cat "$tmp/dnsmasq.log"
	exit 99
fi
resolver=127.0.0.1
nullmx="error rejected permanent: nullmx.test does not accept mail"
nullmx="$nullmx (null MX, RFC 7505)"
refused="error connection temporary: cannot look up the mail servers"
refused="$refused of other.example: the DNS server refused the query (REFUSED)"

# MX in preference order; the two at 20 come in both orders over runs.
out=$(lookup mail.test)
check "mail.test first MX" "mx 10 mx1.test" "$(echo "$out" | sed -n 1p)"
check "mail.test MX set" "mx 10 mx1.test
mx 20 mx2.test
mx 20 mx3.test" "$(echo "$out" | sort)"
seen2=0
seen3=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 \
    21 22 23 24 25 26 27 28 29 30; do
	case $(lookup mail.test | sed -n 2p) in
	"mx 20 mx2.test") seen2=1 ;;
	"mx 20 mx3.test") seen3=1 ;;
	esac
done
check "equal preferences shuffled" "1 1" "$seen2 $seen3"

check "case and final dot" "$(lookup mail.test | sort)" \
    "$(lookup MAIL.Test. | sort)"
check "MX host lower-cased" "mx 5 mx1.test" "$(lookup upper.test)"
check "MX through a CNAME" "$(lookup mail.test | sort)" \
    "$(lookup alias.test | sort)"

check "null MX" \
    "$nullmx" \
    "$(lookup nullmx.test)"
check "null MX beside a real one is ignored" "mx 10 mx1.test" \
    "$(lookup mixed.test)"
check "implicit MX from A" "implicit amx.test" "$(lookup amx.test)"
check "implicit MX from AAAA" "implicit aaaaonly.test" \
    "$(lookup aaaaonly.test)"
check "no MX, no address" \
    "error rejected permanent: txtonly.test has no MX and no address" \
    "$(lookup txtonly.test)"
check "NXDOMAIN" "error rejected permanent: unknown.test does not exist" \
    "$(lookup unknown.test)"
out=$(lookup other.example)
check "REFUSED is temporary" "$refused" "$out"

# A resolver that does not answer fails, temporarily.  A hang bound only
# (timeout(1) exits 124); how long it takes is in "make bench BENCH=6".
rc=0
out=$(timeout 10 "$client" lookup slow.test "$resolver" "$port" 2 2>&1) ||
    rc=$?
[ "$rc" != 124 ] && t=ok || t="still waiting after 10 s"
check "a dead resolver does not hang" ok "$t"
case $out in
"error connection temporary: "*) check "timeout is temporary" ok ok ;;
*) check "timeout is temporary" "error connection temporary: ..." "$out" ;;
esac

# Addresses through the resolver: AAAA first, then A.
check "addrs A" "addr 127.0.0.2" "$(addrs mx1.test)"
check "addrs AAAA then A" "addr ::1
addr 127.0.0.3" "$(addrs mx2.test)"
check "addrs NXDOMAIN" "error rejected permanent: nope.test does not exist" \
    "$(addrs nope.test)"
check "addrs no address" \
    "error rejected permanent: txtonly.test has no address" \
    "$(addrs txtonly.test)"
check "addrs literal" "addr 192.0.2.7" "$(addrs '[192.0.2.7]')"

# Nothing from a server that does not validate is secure.
check "MX not secure" "secure=0" "$(raw lookup mail.test | tail -n 1)"
check "implicit MX not secure" "secure=0" "$(raw lookup amx.test | tail -n 1)"
check "addrs not secure" "addr 127.0.0.2
secure=0" "$(raw addrs mx1.test)"
check "TXT" "txt hello
secure=0" "$(raw txt txtonly.test)"
check "TXT NODATA" "secure=0" "$(raw txt mx1.test)"
check "TLSA NXDOMAIN" "secure=0" "$(raw tlsa _25._tcp.nope.test)"

# The same over an IPv6 resolver, where loopback has IPv6.
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
if grep -q ' lo$' /proc/net/if_inet6 2>/dev/null &&
    start_dnsmasq ::1 ::1; then
	resolver=::1
	check "IPv6 resolver MX" "mx 10 mx1.test" \
	    "$(lookup mail.test | sed -n 1p)"
	resolver='[::1]'
	check "IPv6 resolver (bracketed) null MX" \
	    "$nullmx" \
	    "$(lookup nullmx.test)"
	check "IPv6 resolver addrs" "addr 127.0.0.2" "$(addrs mx1.test)"
else
	echo "skip: no IPv6 loopback, IPv6 resolver not tested"
fi

if [ $failures -ne 0 ]; then
	echo "dns.sh: $failures failure(s); dnsmasq log:"
	cat "$tmp/dnsmasq.log"
	exit 1
fi
exit 0
