#!/bin/sh
# tern's benchmarks (issue 6): "make bench", or by hand from a build
# directory:
#
#	TERN=./tern SMTPD=./tests/smtpd top_srcdir=.. sh ../tests/bench/run.sh [1 2 3 4 5 6]
#
# Prints each figure beside its peers' (msmtp, curl, the server's own
# rate) with the ratio and the target; asserts nothing about time.  Peers
# that are not installed are skipped, and said so.  Needs python3 and
# certtool (gnutls-bin); msmtp and curl for the comparisons.  Exit 1 only
# when a benchmark's messages did not all arrive (its figures are void).
# KEEP=1 keeps the scratch directory; see tests/bench/bench.py for knobs.
set -eu
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
: "${TERN:=$top_builddir/tern}"
: "${SMTPD:=$top_builddir/tests/smtpd}"
export top_srcdir top_builddir TERN SMTPD

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

. "$top_srcdir/tests/integration/lib.sh"
t_setup bench
t_certs
set +e
python3 "$top_srcdir/tests/bench/bench.py" "$@"
rc=$?
set -e
exit "$rc"
