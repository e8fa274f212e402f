#!/bin/sh
# make fuzz: build the libFuzzer targets of tests/fuzz/ (clang, ASan + UBSan) and run them.
#
#   sh tests/fuzz/run.sh [TARGET...]            fuzz each target for FUZZ_SECONDS (60)
#   sh tests/fuzz/run.sh --regress [TARGET...]  run each target over its seed corpus once
#   sh tests/fuzz/run.sh --build                only build
#
# TARGET is a name like fuzz_money or money; default: every tests/fuzz/fuzz_*.c.
# Seeds live in tests/fuzz/corpus/<what>/ (FUZZ_SEEDS replaces tests/fuzz/corpus)
# and are only read. What a fuzzing run discovers goes to $FUZZ_WORK/corpus/<what>/
# (FUZZ_WORK defaults to build/fuzz/work), crashes to $FUZZ_WORK/artifacts/.
# A crash, leak, sanitizer report or broken invariant fails the run: once it is
# fixed, copy the artifact into the seed corpus so that --regress keeps it fixed.
# Extra libFuzzer flags may be given in FUZZ_FLAGS; tests/fuzz/dict/<what>.dict is used
# when it exists.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2

mode=fuzz
targets=""
for a in "$@"; do
	case "$a" in
	--regress) mode=regress ;;
	--build) mode=build ;;
	-*) echo "run.sh: unknown option $a" >&2; exit 2 ;;
	fuzz_*) targets="$targets $a" ;;
	*) targets="$targets fuzz_$a" ;;
	esac
done
if [ -z "$targets" ]; then
	for f in tests/fuzz/fuzz_*.c; do
		t=${f##*/}
		targets="$targets ${t%.c}"
	done
fi
for t in $targets; do
	[ -f "tests/fuzz/$t.c" ] || { echo "run.sh: no target tests/fuzz/$t.c" >&2; exit 2; }
done

cc=${FUZZ_CC:-clang}
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "run.sh: $cc not found; install clang and libclang-rt-14-dev (make deps)" >&2
	exit 2
fi
# shellcheck disable=SC2086
if ! make -s --no-print-directory -f tests/fuzz/fuzz.mk -j2 FUZZ_CC="$cc" TARGETS="$targets"; then
	echo "run.sh: build failed" >&2
	exit 2
fi
[ "$mode" = build ] && exit 0

seconds=${FUZZ_SECONDS:-60}
work=${FUZZ_WORK:-build/fuzz/work}
log=$(mktemp -d "${TMPDIR:-/tmp}/doorstep-fuzz.XXXXXX")
trap 'rm -rf "$log"' EXIT INT TERM

# Leaks fail a run; UBSan stops at the first report (the code is built without recovery too).
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
ulimit -c 0 2>/dev/null || :

failed=0
for t in $targets; do
	what=${t#fuzz_}
	seeds=${FUZZ_SEEDS:-tests/fuzz/corpus}/$what
	[ -d "$seeds" ] || { echo "FAIL  $t: no seed corpus $seeds"; failed=$((failed + 1)); continue; }
	dict=""
	[ -f "tests/fuzz/dict/$what.dict" ] && dict="-dict=tests/fuzz/dict/$what.dict"
	out=$log/$t.out
	start=$(date +%s)
	if [ "$mode" = regress ]; then
		# -runs=0: read and execute every seed once, then stop (no mutation).
		mkdir -p "$work/artifacts"
		# shellcheck disable=SC2086
		timeout --kill-after=5 120 "build/fuzz/$t" -runs=0 -timeout=10 \
			-artifact_prefix="$work/artifacts/$what-" $dict ${FUZZ_FLAGS:-} "$seeds" >"$out" 2>&1
		rc=$?
	else
		mkdir -p "$work/corpus/$what" "$work/artifacts"
		# shellcheck disable=SC2086
		timeout --kill-after=5 $((seconds + 60)) "build/fuzz/$t" -max_total_time="$seconds" \
			-timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
			-artifact_prefix="$work/artifacts/$what-" $dict ${FUZZ_FLAGS:-} \
			"$work/corpus/$what" "$seeds" >"$out" 2>&1
		rc=$?
	fi
	secs=$(($(date +%s) - start))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p; s/^Done \([0-9]*\) runs.*/\1/p' "$out" |
		tail -n 1)
	[ -n "$runs" ] || runs=$(find "$seeds" -type f | wc -l)
	if [ $rc -eq 0 ] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$out"; then
		printf 'ok    %-22s %4ss  %s inputs\n' "$t" "$secs" "$runs"
	else
		printf 'FAIL  %-22s %4ss  (exit %s)\n' "$t" "$secs" "$rc"
		grep -aE 'invariant failed|ERROR:|runtime error:|SUMMARY:|Test unit written|^  "|^    #[0-9] ' "$out" |
			head -n 30 | sed -e 's/ (BuildId: [0-9a-f]*)//' -e 's/^/      | /' | cut -c1-200
		failed=$((failed + 1))
	fi
done
[ $failed -eq 0 ]
