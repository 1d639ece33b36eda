#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs every libFuzzer target in build-fuzz/fuzz/ for a bounded time (seconds, default 60),
# starting from its seed corpus tests/fuzz/corpus/NAME/ when one exists.
set -eu
secs=${1:-60}
cd "$(dirname "$0")/../.."
status=0
for f in build-fuzz/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	work=build-fuzz/corpus/$name
	mkdir -p "$work"
	seeds=tests/fuzz/corpus/$name
	[ -d "$seeds" ] || seeds=
	# Real quotes from the shared test data seed the evidence parsers (copied into the
	# build directory only; the project does not carry them).
	if [ "$name" = fuzz_quote ] || [ "$name" = fuzz_pck_ext ]; then
		td=${TDX_TESTDATA:-../shared/testdata/tdx}
		for q in "$td"/*/quote.bin; do [ -f "$q" ] && cp "$q" "$work/seed-$(basename "$(dirname "$q")")"; done
	fi
	# ... and their CRLs the CRL mode of fuzz_pck_ext (first byte 3)
	if [ "$name" = fuzz_pck_ext ]; then
		for c in "${TDX_TESTDATA:-../shared/testdata/tdx}"/*/collateral/*crl*.der; do
			[ -f "$c" ] && { printf '\003'; cat "$c"; } >"$work/seed-crl-$(basename "$(dirname "$(dirname "$c")")")-$(basename "$c")"
		done
	fi
	# ... and the real event logs fuzz_eventlog (their used part: all logs end before 24 KiB)
	if [ "$name" = fuzz_eventlog ]; then
		for l in "${CCEL_TESTDATA:-../shared/testdata/ccel}"/logs/*.bin "${CCEL_TESTDATA:-../shared/testdata/ccel}"/cos113/ccel_data.bin; do
			[ -f "$l" ] && head -c 24576 "$l" >"$work/seed-$(basename "$l")"
		done
	fi
	# ... and the real PCS answers of pcs-extra the modes of fuzz_pcs (2 TCB info, 3 QE
	# identity, 4 PCK CRL, 6 evaluation numbers)
	if [ "$name" = fuzz_pcs ]; then
		px=${TDX_TESTDATA:-../shared/testdata/tdx}/pcs-extra
		for doc in "$px"/*/tcb_info*.json; do [ -f "$doc" ] && { printf '\002'; cat "$doc"; } >"$work/seed-2-$(basename "$doc")"; done
		for doc in "$px"/*/qe_identity.json; do [ -f "$doc" ] && { printf '\003'; cat "$doc"; } >"$work/seed-3-$(basename "$(dirname "$doc")")"; done
		for doc in "$px"/*/pck_crl.*; do [ -f "$doc" ] && { printf '\004'; cat "$doc"; } >"$work/seed-4-$(basename "$(dirname "$doc")")-$(basename "$doc")"; done
		for doc in "$px"/tcbevaluationdatanumbers/*.json; do [ -f "$doc" ] && { printf '\006'; cat "$doc"; } >"$work/seed-6-$(basename "$doc")"; done
	fi
	echo "fuzz: $name for ${secs}s"
	if ! "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
		"$work" $seeds >"build-fuzz/$name.log" 2>&1; then
		echo "fuzz: $name FAILED (see build-fuzz/$name.log)"; tail -n 30 "build-fuzz/$name.log"; status=1
	fi
done
exit $status
