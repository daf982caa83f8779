#!/bin/sh
# tern's benchmarks (issues 6 and 13): "make bench", or by hand from a
# build directory (after make tern tests/smtpd tests/bench/rawclient):
#
#	top_srcdir=.. sh ../tests/bench/run.sh [1 2 3 4 5 6 7 8]
#
# Prints each figure beside its peers' (msmtp, curl, Postfix, the server's
# own rate from tests/bench/rawclient) with the ratio and the target;
# asserts nothing about time.  Peers that are not installed are skipped,
# and said so.  Needs python3 and certtool (gnutls-bin); msmtp, curl,
# strace, sqlite3, tmux and GNU time for the comparisons; Postfix (the
# package or a private copy, see tests/interop/lib.sh) for bench 2's
# Postfix figure: a private instance is started here, on loopback, and
# stopped at exit.  Exit 1 only when a benchmark's messages did not all
# arrive (its figures are void).  KEEP=1 keeps the scratch directory; see
# tests/bench/bench.py for knobs.  About 10 minutes on 2 cores.
set -eu
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
: "${TERN:=$top_builddir/tern}"
: "${SMTPD:=$top_builddir/tests/smtpd}"
: "${RAWCLIENT:=$top_builddir/tests/bench/rawclient}"
export top_srcdir top_builddir TERN SMTPD RAWCLIENT

if ! command -v python3 >/dev/null 2>&1; then
	echo "bench: python3 is not installed; nothing run" >&2
	exit 0
fi
if ! command -v certtool >/dev/null 2>&1; then
	echo "bench: certtool (gnutls-bin) is not installed; nothing run" >&2
	exit 0
fi
for b in "$TERN" "$SMTPD"; do
	[ -x "$b" ] || { echo "bench: no $b (make tern tests/smtpd)" >&2; exit 1; }
done

[ -x "$RAWCLIENT" ] ||
    echo "bench: no $RAWCLIENT (make tests/bench/rawclient): no server rate" >&2

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"
t_setup bench
t_certs

# Bench 2's Postfix: a private instance with one STARTTLS listener (mail
# for example.net into a Maildir under $T/pfx), when bench 2 runs.
case " ${*:-2} " in
*" 2 "*)
	if [ "$(id -u)" != 0 ]; then
		BENCH_POSTFIX_WHY="not root (Postfix's master needs it)"
	elif ! (i_postfix_find) >/dev/null 2>&1; then
		BENCH_POSTFIX_WHY="not installed (apt-get install postfix, or a private copy: tests/interop/lib.sh)"
	else
		i_postfix_find
		BENCH_POSTFIX_PORT=$(i_free_port)
		BENCH_POSTFIX_DIR=$T/pfx
		pf_services="127.0.0.1:$BENCH_POSTFIX_PORT inet n - n - - smtpd -o smtpd_tls_security_level=may"
		pf_main="tls_high_cipherlist = DEFAULT"
		# in a subshell: a failed start is reported, not fatal
		if (i_postfix_start "$BENCH_POSTFIX_DIR" &&
		    i_wait_port 127.0.0.1 "$BENCH_POSTFIX_PORT") >&2; then
			_i_track "$(tr -d ' ' <"$BENCH_POSTFIX_DIR/queue/pid/master.pid")"
			export BENCH_POSTFIX_PORT BENCH_POSTFIX_DIR
		else
			[ -s "$BENCH_POSTFIX_DIR/queue/pid/master.pid" ] &&
			    _i_track "$(tr -d ' ' <"$BENCH_POSTFIX_DIR/queue/pid/master.pid")"
			BENCH_POSTFIX_WHY="did not start (see above)"
			unset BENCH_POSTFIX_PORT BENCH_POSTFIX_DIR
		fi
	fi
	export BENCH_POSTFIX_WHY
	;;
esac
set +e
python3 "$top_srcdir/tests/bench/bench.py" "$@"
rc=$?
set -e
exit "$rc"
