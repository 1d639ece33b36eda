#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# QEMU boot tests (what `make check` runs through tests/integration/qemu_boot.sh).
# Usage: tests/qemu/run.sh [SCENARIO...]     default: all (see H_SCENARIOS)
# Prints one PASS/FAIL/SKIP line per scenario with its wall time (details in
# $W/runs/*.log). Exit 0 = no failure, 1 = a failure, 77 = QEMU prerequisites missing.
source "$(dirname "$0")/harness.sh" || exit 1
source "$H_QDIR/scenarios.sh" || exit 1
trap h_cleanup EXIT
trap 'exit 130' INT TERM

h_prereqs || exit 77
t0=$SECONDS
h_build || { echo "FAIL  qemu/build  $((SECONDS - t0))s  (see messages above)"; exit 1; }
echo "build: $((SECONDS - t0))s (kernel $KVER, work dir $W)"

fails=0
# shellcheck disable=SC2048  # scenario names are single words
for sc in ${*:-$H_SCENARIOS}; do
	type "sc_$sc" >/dev/null 2>&1 || { echo "unknown scenario '$sc' (known: $H_SCENARIOS)"; exit 2; }
	log=$W/runs/$sc.log
	mkdir -p "$W/runs"
	s0=$(date +%s%N)
	"sc_$sc" >"$log" 2>&1
	rc=$?
	h_cleanup
	ms=$((($(date +%s%N) - s0) / 1000000))
	t=$((ms / 1000)).$((ms % 1000 / 100))s
	case $rc in
	0) printf 'PASS  %-18s %7s  %s\n' "$sc" "$t" "$(grep -a -m1 '^  result' "$log" | sed 's/^  //')"
	   grep -a -E '^  (initrd|console|order)' "$log" | cut -c1-150 | sed 's/^  /                            /' ;;
	77) printf 'SKIP  %-18s %7s  %s\n' "$sc" "$t" "$(grep -a -m1 '^SKIP' "$log" | sed 's/^SKIP: //')" ;;
	*) fails=$((fails + 1))
	   printf 'FAIL  %-18s %7s  (log %s)\n' "$sc" "$t" "$log"
	   tail -n 30 "$log" | sed 's/^/      /' ;;
	esac
done
[ $fails = 0 ]
