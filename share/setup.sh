#!/bin/sh
# Install what tern needs (Debian), build it in ./build, then:
#   sh share/setup.sh          start tern demo: the interface with two loopback
#                              servers (STARTTLS and plaintext), throw-away config
#   sh share/setup.sh demo-cli the same sends from the command line, no interface
#   sh share/setup.sh check    run every test (make check)
#   sh share/setup.sh build    only build
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
what=${1:-demo}

deps="build-essential autoconf automake pkg-config libncursesw5-dev
 libgnutls28-dev libetpan-dev libsqlite3-dev libcmocka-dev gnutls-bin
 python3 tmux sqlite3 dnsmasq-base git git-email libmailtools-perl bsd-mailx neomutt msmtp curl time"
if command -v apt-get >/dev/null 2>&1; then
	missing=
	for p in $deps; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "ok installed" || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		sudo=
		[ "$(id -u)" = 0 ] || sudo=sudo
		$sudo apt-get update -q
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
		    --no-install-recommends $missing
	fi
fi

[ -x configure ] || ./autogen.sh
mkdir -p build
cd build
[ -f Makefile ] || ../configure -q
make -j2

case $what in
demo)	exec "$top/build/tern" demo;;
demo-cli) exec sh "$top/share/demo.sh" "$top/build";;
check)	exec make -j2 check;;
build)	;;
*)	echo "usage: sh share/setup.sh [demo|demo-cli|check|build]" >&2; exit 64;;
esac
