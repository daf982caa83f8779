#!/bin/sh
# Install what tern needs (Debian 12), build it in ./build, then:
#   sh share/setup.sh          start tern demo: the interface with two loopback
#                              servers (STARTTLS and plaintext), throw-away config
#   sh share/setup.sh demo-cli the same sends from the command line, no interface
#   sh share/setup.sh check    install every test peer too, then run every test
#                              (what .ci/run runs): make check in ./build, again
#                              under ASan+UBSan in ./build-asan, the libFuzzer
#                              harnesses in ./build-fuzz; the last line is
#                              "N passed, N failed", the exit 0 only when none
#                              failed
#   sh share/setup.sh build    only build
#   sh share/setup.sh deps     only install the packages (check-deps: with the
#                              test peers)
# For check: TESTS='tests/x.sh ...' runs only those tests in both builds,
# FUZZ_SECS=N fuzzes each harness N seconds (default 20, 0: not at all).
#
# The test peers are real MTAs: Postfix and Exim are never installed as
# packages (that would make one of them the machine's mail server).
# Where the postfix package is not installed already, its .deb is
# unpacked into /opt/postfix, and Exim's into /opt/exim4; the tests run
# them with private configs on loopback ports.  Needs root or sudo.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
what=${1:-demo}

# What the build and the demo need.
deps="build-essential autoconf automake pkg-config libncursesw5-dev
 libgnutls28-dev libetpan-dev libsqlite3-dev libcmocka-dev gnutls-bin
 libmagic-dev libcurl4-gnutls-dev"
# What the tests need besides: the real callers (git send-email, mailx,
# neomutt, khard), tools (tmux, tcpdump, valgrind, dnsmasq, clang for
# libFuzzer), Cyrus SASL for Postfix's AUTH, the benchmarks' peers
# (msmtp, curl, time), the DNSSEC lab (nsd, unbound, ldnsutils for
# ldns-keygen and ldns-signzone, openssl for TLSA digests: installing the
# packages starts no daemon where policy-rc.d forbids it, and the lab runs
# its own on loopback ports), and the libraries the unpacked Postfix and
# Exim link against.
test_deps="python3 tmux sqlite3 dnsmasq-base git git-email libmailtools-perl
 bsd-mailx neomutt khard valgrind tcpdump clang libclang-rt-14-dev
 sasl2-bin libsasl2-modules libsasl2-modules-db msmtp curl time
 libdb5.3 libicu72 libnsl2 libsasl2-2 libssl3 netbase ssl-cert
 libgnutls-dane0 libidn12 libpcre2-8-0 nsd unbound ldnsutils openssl"

sudo=
[ "$(id -u)" = 0 ] || sudo=sudo

# install PACKAGE...: apt-get install those not installed yet.
install() {
	command -v apt-get >/dev/null 2>&1 || return 0
	missing=
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "ok installed" || missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	$sudo apt-get update -q
	# shellcheck disable=SC2086
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends $missing
}

# unpack PACKAGE DIR: the package's files under DIR, nothing configured,
# no service started (apt-get download; dpkg-deb -x).
unpack() {
	d=$(mktemp -d)
	if (cd "$d" && apt-get download -q "$1" >/dev/null 2>&1 &&
	    $sudo dpkg-deb -x "$1"_*.deb "$2"); then
		echo "setup: $1 unpacked into $2 (not installed, not started)"
	else
		echo "setup: $1 could not be unpacked into $2: its tests skip" >&2
	fi
	rm -rf "$d"
}

# peers: Postfix and Exim as private copies, with the users they run as.
peers() {
	command -v apt-get >/dev/null 2>&1 || return 0
	if ! dpkg-query -W -f='${Status}' postfix 2>/dev/null |
	    grep -q "ok installed" &&
	    [ ! -x /opt/postfix/usr/sbin/postfix ]; then
		unpack postfix /opt/postfix
	fi
	[ -x /opt/exim4/usr/sbin/exim4 ] || unpack exim4-daemon-light /opt/exim4
	getent group postdrop >/dev/null 2>&1 ||
	    $sudo groupadd --system postdrop || true
	id postfix >/dev/null 2>&1 || $sudo useradd --system \
	    --no-create-home --user-group --shell /usr/sbin/nologin \
	    postfix || true
	id Debian-exim >/dev/null 2>&1 || $sudo useradd --system \
	    --no-create-home --user-group --shell /usr/sbin/nologin \
	    Debian-exim || true
}

# shellcheck disable=SC2086
case $what in
demo|demo-cli|build|deps) install $deps;;
check|check-deps)
	install $deps $test_deps || {
		echo "setup: the packages could not be installed" >&2
		echo "0 passed, 1 failed"
		exit 1
	}
	peers;;
*)	echo "usage: sh share/setup.sh [demo|demo-cli|check|build|deps|check-deps]" >&2
	exit 64;;
esac
case $what in
deps|check-deps) exit 0;;
esac

[ -x configure ] || autoreconf -fi || {
	[ "$what" != check ] || echo "0 passed, 1 failed"
	exit 1
}

# build DIR CONFIGURE-ARGS...: configure (again when it was configured
# with other arguments) and build out of tree.
build() {
	dir=$1
	shift
	mkdir -p "$dir"
	(cd "$dir" &&
	    { [ -f Makefile ] && [ "$(./config.status --config 2>/dev/null |
	    tr -d "'")" = "$*" ] || "$top/configure" -q "$@"; } &&
	    make -j2)
}

if [ "$what" != check ]; then
	build "$top/build"
	case $what in
	demo)	exec "$top/build/tern" demo;;
	demo-cli) exec sh "$top/share/demo.sh" "$top/build";;
	esac
	exit 0
fi

# check: every test in the plain and the sanitizer build, then fuzzing.
set +e
passed=0
failed=0

# count DIR: add up DIR's test-suite.log (a missing log is one failure).
count() {
	log=$1/test-suite.log
	if [ ! -f "$log" ]; then
		echo "setup: no $log" >&2
		failed=$((failed + 1))
		return
	fi
	p=$(sed -n 's/^# PASS: *//p' "$log" | head -1)
	f=$(sed -n 's/^# FAIL: *//p' "$log" | head -1)
	x=$(sed -n 's/^# ERROR: *//p' "$log" | head -1)
	xp=$(sed -n 's/^# XPASS: *//p' "$log" | head -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0} + ${x:-0} + ${xp:-0}))
}

# check DIR CONFIGURE-ARGS...: build, run the tests, show what failed.
check() {
	dir=$1
	rm -f "$dir/test-suite.log"
	stamp=$(mktemp)
	build "$@" || {
		echo "setup: build failed in $dir" >&2
		rm -f "$stamp"
		failed=$((failed + 1))
		return 1
	}
	if [ -n "${TESTS:-}" ]; then
		(cd "$dir" && make -j2 check TESTS="$TESTS")
	else
		(cd "$dir" && make -j2 check)
	fi
	# The logs of this run's failures (older ones may lie around).
	find "$dir/tests" -name '*.trs' -newer "$stamp" | sort |
	while read -r f; do
		if grep -q '^:test-result: \(FAIL\|ERROR\|XPASS\)' "$f"; then
			echo "==== ${f%.trs}.log" >&2
			tail -n 40 "${f%.trs}.log" >&2
		fi
	done
	rm -f "$stamp"
	count "$dir"
}

check "$top/build" --enable-werror
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    check "$top/build-asan" --enable-sanitizers --enable-werror

# The libFuzzer harnesses, FUZZ_SECS each from their seed corpora.
secs=${FUZZ_SECS:-20}
if [ "$secs" -gt 0 ]; then
	sh tests/fuzz/run.sh "$secs" "$top/build-fuzz"
	case $? in
	0)	passed=$((passed + 1));;
	77)	echo "setup: fuzzing skipped (no clang/libFuzzer)" >&2;;
	*)	failed=$((failed + 1));;
	esac
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
