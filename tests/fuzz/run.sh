#!/bin/sh
# Build tern's libFuzzer harnesses with clang in their own directory and
# run each one for a bounded time from its committed seed corpus
# (tests/fuzz/corpus/NAME/).  Used by CI; by hand:
#	tests/fuzz/run.sh [SECONDS [BUILD-DIR]]
# SECONDS per harness (default 20).  New inputs found go to
# BUILD-DIR/corpus/NAME (not the committed corpus); a crash leaves
# BUILD-DIR/crash-* and the script fails, printing how to reproduce.
# Skips (77) when clang or libFuzzer is missing.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-20}
dir=${2:-$top/_fuzz}
names="conf addr msg vcard reply mailto dane mtasts dns"

command -v clang >/dev/null 2>&1 || { echo "run.sh: no clang, skipping"; exit 77; }
[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi) || exit 1
mkdir -p "$dir" || exit 1
cd "$dir" || exit 1
if [ ! -f Makefile ]; then
	CC=clang "$top/configure" -q --enable-fuzzing || {
		echo "run.sh: configure --enable-fuzzing failed (libclang-rt-14-dev?)"
		exit 77
	}
fi
progs=
for n in $names; do
	progs="$progs tests/fuzz/fuzz-$n"
done
# shellcheck disable=SC2086
make -j2 src/libtern.a $progs || exit 1

failed=0
for n in $names; do
	mkdir -p "corpus/$n"
	start=$(date +%s)
	# -rss_limit_mb bounds memory; -timeout flags a slow input (hang).
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	timeout -k 10 $((secs + 60)) "./tests/fuzz/fuzz-$n" \
	    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=8192 -print_final_stats=1 -artifact_prefix="$dir/crash-$n-" \
	    "corpus/$n" "$top/tests/fuzz/corpus/$n" >"fuzz-$n.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "fuzz-$n.log")
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: fuzz-$n (exit $rc) after $(($(date +%s) - start)) s"
		grep -E 'ERROR|SUMMARY|==[0-9]+==|#[0-9]+ 0x' "fuzz-$n.log" | head -n 30
		for a in "$dir"/crash-"$n"-*; do
			[ -f "$a" ] && echo "reproduce: $dir/tests/fuzz/fuzz-$n $a"
		done
		failed=$((failed + 1))
	else
		echo "ok: fuzz-$n: ${runs:-?} runs in $(($(date +%s) - start)) s"
	fi
done
[ "$failed" -eq 0 ]
