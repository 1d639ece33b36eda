#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# DCAP verification of simulator quotes: a fresh quote verifies against the simulator's root
# (--anchor) and is rejected against Intel's; one negative case per check, each with its
# own reason code. Needs $BUILD/tdx-sim and $BUILD/tdx-keyserver (skips otherwise).
# shellcheck disable=SC2046  # anchor() prints an option and its value: two words
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
SIM=$BUILD/tdx-sim
KS=$BUILD/tdx-keyserver
for b in "$SIM" "$KS"; do
	[ -x "$b" ] || { echo "SKIP: $b not built"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rd=$(printf '%0128x' 0 | sed 's/^0\{8\}/c0ffee00/')
fails=0

# pki NAME [DEFECT...] -> $work/NAME
pki() {
	local name=$1; shift
	"$SIM" pki "$work/$name" "$@" >/dev/null || { echo "FAIL: tdx-sim pki $name $*"; exit 1; }
}
# quote PKI OUT [ARGS...]
quote() {
	local p=$1 out=$2; shift 2
	"$SIM" quote --pki "$work/$p" --report-data "$rd" -o "$work/$out" "$@" >/dev/null ||
		{ echo "FAIL: tdx-sim quote $p $*"; exit 1; }
}
# expect NAME QUOTE PKI EXIT REASON [verify args...]
expect() {
	local name=$1 q=$2 p=$3 want_rc=$4 want_reason=$5; shift 5
	local out rc reason
	out=$("$KS" verify "$work/$q" --collateral "$work/$p/collateral" --json "$@" 2>"$work/err")
	rc=$?
	reason=$(printf '%s' "$out" | grep -o '"reason_code":"[a-z_]*"' | cut -d'"' -f4)
	[ -n "$reason" ] || reason=null
	if [ "$rc" = "$want_rc" ] && [ "$reason" = "$want_reason" ]; then
		printf 'ok    %-28s exit %s reason %s\n' "$name" "$rc" "$reason"
	else
		printf 'FAIL  %-28s exit %s reason %s (want exit %s reason %s)\n' "$name" "$rc" "$reason" "$want_rc" "$want_reason"
		cat "$work/err"; printf '%s\n' "$out" | head -20
		fails=$((fails + 1))
	fi
}
anchor() { echo "--anchor $work/$1/collateral/root_ca.pem"; }

pki good
quote good q4.bin
quote good q5.bin --quote-version 5
expect "fresh v4 quote" q4.bin good 0 null $(anchor good)
expect "fresh v5 quote" q5.bin good 0 null $(anchor good)
expect "against Intel's root" q4.bin good 1 pck_root_is_anchor
pki other
expect "wrong root" q4.bin good 1 pck_root_is_anchor $(anchor other)

for d in revoke-pck:pck_not_revoked revoke-platform-ca:intermediate_not_revoked \
	 expired-tcb-info:tcbinfo_time expired-qe-identity:qeid_time \
	 bad-tcb-info-sig:tcbinfo_sig qe-identity-mismatch:qe_identity_match \
	 fmspc-mismatch:fmspc_match; do
	defect=${d%%:*} reason=${d#*:}
	pki "$defect" "--$defect"
	quote "$defect" "$defect.bin"
	expect "--$defect" "$defect.bin" "$defect" 1 "$reason" $(anchor "$defect")
done

for d in qe-reportdata:qe_reportdata_hash quote-sig:quote_sig qe-report-sig:qe_report_sig_by_pck; do
	corrupt=${d%%:*} reason=${d#*:}
	quote good "c-$corrupt.bin" --corrupt "$corrupt"
	expect "--corrupt $corrupt" "c-$corrupt.bin" good 1 "$reason" $(anchor good)
done

# several platforms (FMSPCs, Platform and Processor CA): each platform's quote verifies with
# its own one-platform collateral, and a Processor-CA quote is refused with the Platform CA's
pki fleet --platforms 3
for i in 0 1 2; do
	quote fleet "fleet$i.bin" --platform "$i"
	expect "platform $i" "fleet$i.bin" "fleet/platforms/$i" 0 null $(anchor fleet)
done
expect "processor-CA quote, platform CRL" fleet1.bin fleet 1 pckcrl_issuer_match $(anchor fleet)

# collateral used past its validity: the time check names what expired
expect "verify 40 days later" q4.bin good 1 rootcrl_time $(anchor good) \
	--at "$(date -u -d '+40 days' +%Y-%m-%dT%H:%M:%SZ)"
# usage and I/O errors exit 2
"$KS" verify "$work/q4.bin" >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: missing --collateral not exit 2"; fails=$((fails + 1)); }
"$KS" verify "$work/none.bin" --collateral "$work/good/collateral" >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: missing quote not exit 2"; fails=$((fails + 1)); }
"$KS" verify "$work/q4.bin" --collateral "$work/nonexistent" >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: missing collateral not exit 2"; fails=$((fails + 1)); }

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all simulator verification cases behave"
