#!/bin/sh
# mta-sts.sh: MTA-STS policies (src/mtasts.c, RFC 8461) against real
# servers: dnsmasq serving the _mta-sts TXT records and the addresses of
# the mta-sts hosts, and an HTTPS server (tests/integration/mtasts-httpd.py,
# python3's http.server in ssl, certificates from the test CA) on
# ADDR:443, through the client mode of tests/unit/test-mtasts:
#	test-mtasts policy DOMAIN RESOLVER PORT CA_FILE STORE [NOW]
# with a real store file.  The HTTPS server logs every request, so the
# test sees which calls fetched and which used the cache.  A proxy in the
# environment points at a dead port: the fetch must not use it.
#
# Needs root (port 443), dnsmasq, python3 and certtool; skips (77)
# without them.  Bounded: the servers stop by themselves (timeout 120,
# --max-secs 120) and are killed at exit; every call runs under timeout.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"

t_setup mta-sts
[ "$(id -u)" = 0 ] || t_skip "needs root (an HTTPS server on port 443)"
i_need dnsmasq python3 timeout
client=$top_builddir/tests/unit/test-mtasts
[ -x "$client" ] || t_skip "$client not built (cmocka missing?)"
t_certs
(
	cd "$T/certs" || exit 1
	_t_cert mtasts ca 'cn = "mta-sts.a.test"' \
	    'dns_name = "mta-sts.a.test"' 'dns_name = "mta-sts.b.test"' \
	    'dns_name = "mta-sts.c.test"' 'dns_name = "mta-sts.g.test"' \
	    'dns_name = "mta-sts.h.test"' 'dns_name = "mta-sts.i.test"' \
	    'dns_name = "mta-sts.j.test"' \
	    tls_www_server signing_key \
	    encryption_key 'expiration_days = 365'
) || exit 1
ca=$T/certs/ca.pem
db=$T/tern.db
web=$T/web
mkdir -p "$web"

# The domains: a.test a policy; b.test a redirect to a.test's policy;
# c.test none (404); d.test a certificate for another name; e.test no TXT
# record; f.test two TXT records; g.test a broken policy; h.test the wrong
# content type; i.test a policy over 64 KiB; j.test a server with TLS 1.1
# only.
mkdir -p "$web/mta-sts.a.test" "$web/mta-sts.b.test" "$web/mta-sts.c.test" \
    "$web/mta-sts.d.test" "$web/mta-sts.g.test" "$web/mta-sts.h.test" \
    "$web/mta-sts.i.test" "$web/mta-sts.j.test"
printf 'version: STSv1\r\nmode: enforce\r\nmx: mail.a.test\r\nmx: *.mx.a.test\r\nmax_age: 86400\r\n' \
    >"$web/mta-sts.a.test/policy"
echo https://mta-sts.a.test/.well-known/mta-sts.txt \
    >"$web/mta-sts.b.test/redirect"
cp "$web/mta-sts.a.test/policy" "$web/mta-sts.d.test/policy"
printf 'version: STSv1\nmode: enforce\nmax_age: 86400\n' \
    >"$web/mta-sts.g.test/policy"
cp "$web/mta-sts.a.test/policy" "$web/mta-sts.h.test/policy"
echo text/html >"$web/mta-sts.h.test/type"
cp "$web/mta-sts.a.test/policy" "$web/mta-sts.j.test/policy"
{
	cat "$web/mta-sts.a.test/policy"
	i=0
	while [ "$i" -lt 700 ]; do
		echo "x-padding: 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567"
		i=$((i + 1))
	done
} >"$web/mta-sts.i.test/policy"

# https_start NAME [ARGS...]: an HTTPS server on port 443 of a loopback
# address (127.0.2.1, else another 127.0.2.N if that one is taken), its
# log $T/https.log; sets ${NAME}_addr and ${NAME}_pid.
https_start() {
	_s=$1
	shift
	for _n in 1 $(od -An -N4 -tu1 /dev/urandom); do
		_addr=127.0.2.$((_n % 250 + 1))
		[ "$_addr" != "${main_addr:-}" ] || continue
		rm -f "$T/$_s.ready"
		timeout 120 python3 "$top_srcdir/tests/integration/mtasts-httpd.py" \
		    --addr "$_addr" --dir "$web" --log "$T/https.log" \
		    --cert "$T/certs/mtasts-chain.pem" \
		    --key "$T/certs/mtasts-key.pem" \
		    --ready "$T/$_s.ready" --max-secs 120 "$@" \
		    </dev/null 2>"$T/$_s.err" &
		_pid=$!
		_i_track "$_pid"
		_i=0
		while [ ! -s "$T/$_s.ready" ] && kill -0 "$_pid" 2>/dev/null &&
		    [ "$_i" -lt 100 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
		if [ -s "$T/$_s.ready" ]; then
			eval "${_s}_addr=\$_addr ${_s}_pid=\$_pid"
			return 0
		fi
		kill "$_pid" 2>/dev/null || :
		wait "$_pid" 2>/dev/null || :
	done
	cat "$T/$_s.err" >&2
	t_fail "the HTTPS server $_s did not start"
}

# dns_start [A-TXT]: dnsmasq with the records above, a.test's TXT record
# A-TXT (none when empty); sets dns_port and dns_pid, stopping the last.
dns_pid=
dns_start() {
	if [ -n "$dns_pid" ]; then
		kill "$dns_pid" 2>/dev/null || :
		wait "$dns_pid" 2>/dev/null || :
	fi
	_a=
	[ -z "${1:-}" ] || _a="--txt-record=_mta-sts.a.test,$1"
	rm -f "$T/dnsmasq.log"
	dns_port=$(i_free_port)
	# shellcheck disable=SC2086
	timeout 120 dnsmasq --no-daemon --no-resolv --no-hosts \
	    --conf-file=/dev/null --pid-file= \
	    --user="$(id -un)" --group="$(id -gn)" \
	    --listen-address=127.0.0.1 --bind-interfaces --port="$dns_port" \
	    --log-queries --log-facility="$T/dnsmasq.log" --local=/test/ \
	    ${_a:+"$_a"} \
	    '--txt-record=_mta-sts.b.test,v=STSv1; id=1;' \
	    '--txt-record=_mta-sts.c.test,v=STSv1; id=1;' \
	    '--txt-record=_mta-sts.d.test,v=STSv1; id=1;' \
	    '--txt-record=_mta-sts.f.test,v=STSv1; id=1;' \
	    '--txt-record=_mta-sts.f.test,v=STSv1; id=2;' \
	    '--txt-record=_mta-sts.g.test,v=STSv1; id=1;' \
	    '--txt-record=_mta-sts.h.test,v=STSv1; id=1;' \
	    '--txt-record=_mta-sts.h.test,v=spf1 -all' \
	    '--txt-record=_mta-sts.i.test,v=STSv1; id=1;' \
	    '--txt-record=_mta-sts.j.test,v=STSv1; id=1;' \
	    --host-record="mta-sts.a.test,$main_addr" \
	    --host-record="mta-sts.b.test,$main_addr" \
	    --host-record="mta-sts.c.test,$main_addr" \
	    --host-record="mta-sts.d.test,$main_addr" \
	    --host-record="mta-sts.e.test,$main_addr" \
	    --host-record="mta-sts.f.test,$main_addr" \
	    --host-record="mta-sts.g.test,$main_addr" \
	    --host-record="mta-sts.h.test,$main_addr" \
	    --host-record="mta-sts.i.test,$main_addr" \
	    --host-record="mta-sts.j.test,$old_addr" \
	    >"$T/dnsmasq.out" 2>&1 &
	dns_pid=$!
	_i_track "$dns_pid"
	_i=0
	while ! grep -q 'started' "$T/dnsmasq.log" 2>/dev/null; do
		[ "$_i" -lt 100 ] || {
			cat "$T/dnsmasq.out" >&2
			t_fail "dnsmasq did not start"
		}
		sleep 0.1
		_i=$((_i + 1))
	done
}

# policy DOMAIN [NOW]: the client's answer in $out, bounded; it must exit
# 0 (under ASan a leak would not).
policy() {
	_rc=0
	timeout 30 env https_proxy=http://127.0.0.1:9 \
	    HTTPS_PROXY=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9 \
	    "$client" policy "$1" 127.0.0.1 "$dns_port" "$ca" "$db" \
	    ${2:+"$2"} >"$T/out" 2>&1 || _rc=$?
	out=$(cat "$T/out")
	[ "$_rc" = 0 ] || t_fail "test-mtasts policy $1 exited $_rc: $out"
}
# requests HOST: how many requests for HOST reached the HTTPS server.
requests() {
	grep -c "^$1 " "$T/https.log" 2>/dev/null || :
}
# line OUTPUT KEY: the value of the client's line "KEY value".
line() {
	printf '%s\n' "$1" | sed -n "s/^$2 //p" | head -n 1
}

https_start main \
    --sni "mta-sts.d.test=$T/certs/wrong-chain.pem,$T/certs/wrong-key.pem"
https_start old --tls11
dns_start "v=STSv1; id=1;"

# Fetched, stored; the second call uses the cache: no request.
policy a.test
t_assert_eq "$(line "$out" mode)" enforce "a.test mode ($out)"
t_assert_eq "$(line "$out" source)" fetched "a.test first call"
t_assert_eq "$(line "$out" id)" 1 "a.test id"
t_assert_eq "$(line "$out" max_age)" 86400 "a.test max_age"
t_assert_eq "$(printf '%s\n' "$out" | grep '^mx ' | tr '\n' ' ')" \
    "mx mail.a.test mx *.mx.a.test " "a.test mx patterns"
t_assert_eq "$(line "$out" fail)" "" "a.test no failure"
t_assert_eq "$(requests mta-sts.a.test)" 1 "requests after the first call"
fetched=$(line "$out" fetched)
t_assert_eq "$(sqlite3 "$db" "SELECT id, mode, replace(mx, char(10), ' '), max_age, fetched = checked FROM mta_sts WHERE domain = 'a.test'")" \
    "1|enforce|mail.a.test *.mx.a.test|86400|1" "a.test stored"
policy A.Test.
t_assert_eq "$(line "$out" source)" cached "a.test second call ($out)"
t_assert_eq "$(line "$out" mode)" enforce "a.test cached mode"
t_assert_eq "$(requests mta-sts.a.test)" 1 "requests after the second call"

# A new id: fetched again, the new policy replaces the old.
printf 'version: STSv1\nmode: testing\nmx: mail.a.test\nmax_age: 86400\n' \
    >"$web/mta-sts.a.test/policy"
dns_start "v=STSv1; id=2;"
policy a.test
t_assert_eq "$(line "$out" source)" fetched "a.test new id ($out)"
t_assert_eq "$(line "$out" id)" 2 "a.test new id"
t_assert_eq "$(line "$out" mode)" testing "a.test new policy"
t_assert_eq "$(requests mta-sts.a.test)" 2 "requests after the id change"
t_assert_eq "$(sqlite3 "$db" "SELECT id, mode FROM mta_sts WHERE domain = 'a.test'")" \
    "2|testing" "a.test new policy stored"

# A redirect is not followed: one request, to b, none to a.
policy b.test
t_assert_eq "$(line "$out" mode)" none "redirect: no policy ($out)"
t_assert_eq "$(line "$out" source)" none "redirect source"
t_assert_eq "$(line "$out" fail)" redirect "redirect failure kind"
t_assert_match "$(line "$out" failure)" \
    '^MTA-STS policy could not be fetched: https://mta-sts.b.test/.well-known/mta-sts.txt: the server answered with a redirect \(HTTP 301\)' \
    "redirect failure words"
t_assert_eq "$(requests mta-sts.b.test)" 1 "redirect: requests to b"
t_assert_eq "$(requests mta-sts.a.test)" 2 "redirect: not followed to a"

# HTTP 404: no policy.
policy c.test
t_assert_eq "$(line "$out" mode)" none "404: no policy ($out)"
t_assert_eq "$(line "$out" fail)" http "404 failure kind"
t_assert_match "$(line "$out" failure)" 'answered HTTP 404' "404 words"
t_assert_eq "$(requests mta-sts.c.test)" 1 "404: one request"

# A certificate for another name: no policy, nothing asked.
policy d.test
t_assert_eq "$(line "$out" mode)" none "wrong name: no policy ($out)"
t_assert_eq "$(line "$out" fail)" certificate "wrong name failure kind"
t_assert_match "$(line "$out" failure)" \
    'the certificate of mta-sts.d.test could not be verified' \
    "wrong name words"
t_assert_eq "$(requests mta-sts.d.test)" 0 "wrong name: no request"

# The same certificate without the test CA (system trust only): refused.
out=$(timeout 30 "$client" policy c.test 127.0.0.1 "$dns_port" - \
    "$T/other.db" 2>&1 || :)
t_assert_eq "$(line "$out" fail)" certificate "no ca_file: untrusted ($out)"

# No TXT record: no policy, no failure, no request; two: the same.
policy e.test
t_assert_eq "$(line "$out" mode)" none "no TXT: no policy ($out)"
t_assert_eq "$(line "$out" fail)" "" "no TXT: no failure"
policy f.test
t_assert_eq "$(line "$out" mode)" none "two TXT: no policy ($out)"
t_assert_eq "$(line "$out" fail)" "" "two TXT: no failure"
t_assert_eq "$(requests mta-sts.e.test)$(requests mta-sts.f.test)" 00 \
    "no TXT, two TXT: no request"

# A broken policy, a wrong type: no policy, the failure says why.
policy g.test
t_assert_eq "$(line "$out" fail)" parse "broken policy ($out)"
t_assert_match "$(line "$out" failure)" \
    'could not be fetched: MTA-STS policy: mode enforce without an mx pattern' \
    "broken policy words"
policy h.test
t_assert_eq "$(line "$out" fail)" type "wrong type ($out)"
t_assert_match "$(line "$out" failure)" 'type is text/html, not text/plain' \
    "wrong type words"
t_assert_eq "$(line "$out" mode)" none "wrong type: no policy"
[ "$(wc -c <"$web/mta-sts.i.test/policy")" -gt 65536 ] ||
    t_fail "i.test's policy is not over 64 KiB"
policy i.test
t_assert_eq "$(line "$out" fail)" size "too big ($out)"
t_assert_match "$(line "$out" failure)" 'the policy is over 65536 bytes' \
    "too big words"

# TLS 1.1 only: refused (TLS 1.2 at least), nothing asked.
policy j.test
t_assert_eq "$(line "$out" fail)" connect "TLS 1.1 ($out)"
t_assert_eq "$(line "$out" mode)" none "TLS 1.1: no policy"
t_assert_eq "$(requests mta-sts.j.test)" 0 "TLS 1.1: no request"
t_assert_eq "$(sqlite3 "$db" "SELECT group_concat(domain) FROM mta_sts")" \
    "a.test" "only good policies stored"

# The server down, a new id: the cached policy while within max_age,
# the failure kept; past max_age no policy.
kill "$main_pid"
wait "$main_pid" 2>/dev/null || :
dns_start "v=STSv1; id=3;"
policy a.test
t_assert_eq "$(line "$out" source)" cached "server down: cached ($out)"
t_assert_eq "$(line "$out" mode)" testing "server down: cached mode"
t_assert_eq "$(line "$out" id)" 2 "server down: cached id"
t_assert_eq "$(line "$out" fail)" connect "server down: failure kind"
t_assert_match "$(line "$out" failure)" \
    '^MTA-STS policy could not be fetched: https://mta-sts.a.test/' \
    "server down: failure words"
fetched=$(sqlite3 "$db" "SELECT fetched FROM mta_sts WHERE domain = 'a.test'")
policy a.test $((fetched + 86400))
t_assert_eq "$(line "$out" source)" none "server down, expired ($out)"
t_assert_eq "$(line "$out" mode)" none "server down, expired: no policy"
t_assert_eq "$(line "$out" fail)" connect "server down, expired: failure"
policy a.test $((fetched + 86399))
t_assert_eq "$(line "$out" source)" cached "server down, last second ($out)"

# The TXT record gone: the cached policy while it lasts (5.1).
dns_start ""
policy a.test
t_assert_eq "$(line "$out" source)" cached "TXT gone: cached ($out)"
t_assert_eq "$(line "$out" fail)" "" "TXT gone: no failure"
policy a.test $((fetched + 86400))
t_assert_eq "$(line "$out" source)" none "TXT gone, expired ($out)"
t_assert_eq "$(line "$out" fail)" "" "TXT gone, expired: no failure"

t_pass
