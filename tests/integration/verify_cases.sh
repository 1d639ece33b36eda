#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `tdx-keyserver verify --json` on every shared case: exit status, result, tcb_status,
# reason_code, qe_tcb_status, advisory_ids and the TD fields equal expected.json.
# Cases whose root_ca.pem is not Intel's are verified with --anchor (their own root).
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
KS=$BUILD/tdx-keyserver
TD=${TDX_TESTDATA:-$(cd .. && pwd)/shared/testdata/tdx}
[ -x "$KS" ] || { echo "SKIP: $KS not built"; exit 77; }
[ -d "$TD" ] || { echo "SKIP: $TD absent"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 absent"; exit 77; }
intel_root=$TD/intel-pcs-certs/Intel_SGX_Root_CA.pem
fails=0 n=0
for exp in "$TD"/*/expected.json; do
	dir=$(dirname "$exp")
	name=$(basename "$dir")
	at=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verify_at"])' "$exp")
	args=()
	cmp -s "$dir/collateral/root_ca.pem" "$intel_root" || args=(--anchor "$dir/collateral/root_ca.pem")
	out=$("$KS" verify "$dir/quote.bin" --collateral "$dir/collateral" --at "$at" --json "${args[@]}")
	rc=$?
	n=$((n + 1))
	if ! printf '%s' "$out" | python3 -c '
import json, sys
got = json.load(sys.stdin); exp = json.load(open(sys.argv[1])); rc = int(sys.argv[2])
bad = []
want_rc = 0 if exp["result"] == "ok" else 1
if rc != want_rc: bad.append("exit %d" % rc)
for k in ("result", "tcb_status", "qe_tcb_status", "version", "body_type", "mr_td", "report_data",
          "rtmr", "td_attributes", "xfam", "mr_seam", "tee_tcb_svn", "fmspc", "debug"):
    if got.get(k) != exp.get(k): bad.append("%s: %r != %r" % (k, got.get(k), exp.get(k)))
if sorted(got["advisory_ids"]) != sorted(exp["advisory_ids"]): bad.append("advisory_ids")
if exp["result"] == "reject":
    if got["reason_code"] != exp["reason_code"] and got["reason_code"] not in exp["failed_checks"]:
        bad.append("reason_code %s" % got["reason_code"])
    if got["reason"]["code"] != got["reason_code"] or not got["reason"]["text"]: bad.append("reason")
elif got["reason"] is not None or got["reason_code"] is not None: bad.append("reason not null")
if bad: print("  " + "; ".join(bad)); sys.exit(1)
' "$exp" "$rc"; then
		echo "FAIL  $name"
		fails=$((fails + 1))
	else
		echo "ok    $name"
	fi
done
[ "$n" -ge 10 ] || { echo "FAIL: only $n cases found"; exit 1; }
[ $fails = 0 ] || exit 1
echo "$n cases match expected.json"
