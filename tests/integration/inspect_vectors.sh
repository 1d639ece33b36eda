#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tdx-unlock inspect --json on every shared quote: fields equal expected.json; bad input exits 1/2.
source "$(dirname "$0")/lib.bash"
need_testdata
n=0
for exp in "$TDX_TESTDATA"/*/expected.json; do
	d=$(dirname "$exp")
	got=$("$BUILD"/tdx-unlock inspect "$d/quote.bin" --json) || fail "inspect $d exited $?"
	for k in version body_type mr_td report_data rtmr td_attributes xfam mr_seam debug fmspc tee_tcb_svn; do
		a=$(jq -c ".$k" <<<"$got")
		b=$(jq -c ".$k" "$exp")
		[ "$a" = "$b" ] || fail "$(basename "$d"): $k is $a, expected $b"
	done
	n=$((n + 1))
done
[ $n -ge 10 ] || fail "only $n cases found"
ok "$n quotes match expected.json"

# Human-readable output names the fields.
"$BUILD"/tdx-unlock inspect "$TDX_TESTDATA/dcapqvl_v4_uptodate/quote.bin" | grep -q '^mr_td: 91eb2b44' || fail "text output"

# Truncated quote: exit 1 with one clear line; missing file: exit 2.
head -c 700 "$TDX_TESTDATA/dcapqvl_v4_uptodate/quote.bin" >"$TMP/trunc.bin"
"$BUILD"/tdx-unlock inspect "$TMP/trunc.bin" 2>"$TMP/err"; rc=$?
[ $rc = 1 ] || fail "truncated quote exit $rc"
[ "$(wc -l <"$TMP/err")" = 1 ] && grep -q 'signature data' "$TMP/err" || fail "truncated message: $(cat "$TMP/err")"
"$BUILD"/tdx-unlock inspect "$TMP/none.bin" 2>/dev/null; rc=$?
[ $rc = 2 ] || fail "missing file exit $rc"
"$BUILD"/tdx-unlock inspect 2>/dev/null; [ $? = 2 ] || fail "usage exit"
ok "malformed input and usage errors"
