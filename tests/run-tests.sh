#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Runs every unit test binary and every integration script; prints one line per test and
# a summary. Exit status 77 from a test means "skipped" (a prerequisite is absent).
# Usage: tests/run-tests.sh [--unit-only] [NAME-FILTER]
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
export BUILD
export TDX_TESTDATA=${TDX_TESTDATA:-$(cd .. && pwd)/shared/testdata/tdx}
export KBS_TESTDATA=${KBS_TESTDATA:-$(cd .. && pwd)/shared/testdata/kbs}
export CCEL_TESTDATA=${CCEL_TESTDATA:-$(cd .. && pwd)/shared/testdata/ccel}
unit_only=0
[ "${1:-}" = --unit-only ] && { unit_only=1; shift; }
filter=${1:-}
logdir=$BUILD/test-logs
mkdir -p "$logdir/unit" "$logdir/integration"
pass=0 fail=0 skip=0 failed=()

run() {
	local name=$1; shift
	[ -n "$filter" ] && [[ $name != *"$filter"* ]] && return
	local start end rc
	start=$(date +%s%N)
	"$@" >"$logdir/$name.log" 2>&1
	rc=$?
	end=$(date +%s%N)
	local ms=$(((end - start) / 1000000))
	local t=$((ms / 1000)).$((ms % 1000 / 100))
	case $rc in
	0) pass=$((pass + 1)); printf 'PASS  %-40s %6ss\n' "$name" "$t" ;;
	77) skip=$((skip + 1)); printf 'SKIP  %-40s %6ss  %s\n' "$name" "$t" "$(grep -m1 -i skip "$logdir/$name.log")" ;;
	*) fail=$((fail + 1)); failed+=("$name"); printf 'FAIL  %-40s %6ss  (rc %d, log %s)\n' "$name" "$t" "$rc" "$logdir/$name.log"
	   tail -n 15 "$logdir/$name.log" | sed 's/^/      | /' ;;
	esac
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run "unit/$(basename "$t")" "$t"
done
if [ $unit_only = 0 ]; then
	for t in tests/integration/*.sh; do
		[ -f "$t" ] || continue
		run "integration/$(basename "$t" .sh)" bash "$t"
	done
fi
echo "----"
echo "summary: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ] || { echo "failed: ${failed[*]}"; exit 1; }
