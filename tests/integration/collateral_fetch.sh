#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# collateral fetch / status against a local stand-in for Intel PCS that serves the real
# Intel responses of ../shared/testdata/tdx/pcs-extra (tests/integration/pcs_fixture.py):
# FMSPC 00806F050000 with both PCK CAs installs; a repeat changes nothing; every fault
# (bad signature, older CRL, 500, 429 + Retry-After, truncated body, slow answer, bad or
# missing issuer-chain header, a body over the size limit) exits 1 and leaves the store
# byte-identical; a Retry-After of an hour is capped; status exit codes around the warning
# window.
source "$(dirname "$0")/lib.bash"
need_testdata
KS=$BUILD/tdx-keyserver
[ -x "$KS" ] || skip "$KS not built"
command -v python3 >/dev/null || skip "python3 absent"
AT=2025-05-27T20:00:00Z
store=$TMP/store

# fixture NAME [ARGS...]: starts pcs_fixture.py, sets PCS to its URL
fixture() {
	local name=$1; shift
	rm -f "$TMP/$name.port"
	python3 tests/integration/pcs_fixture.py "$TDX_TESTDATA" "$TMP/$name.port" "$@" 2>"$TMP/$name.log" &
	PIDS+=($!)
	FIX_PID=$!
	wait_for 100 test -s "$TMP/$name.port" || fail "fixture $name did not start: $(cat "$TMP/$name.log")"
	PCS=http://127.0.0.1:$(cat "$TMP/$name.port")
}
fetch() {
	"$KS" collateral fetch --store "$store" --pcs "$PCS" --fmspc 00806f050000 \
		--root-crl-url "$PCS/IntelSGXRootCA.der" --at "$AT" --timeout-ms 1000 --backoff-ms 200 "$@"
}
digest() {
	(cd "$store" && find . -type f -print0 | sort -z | xargs -0 sha256sum; readlink current) | sha256sum
}

fixture good
fetch >"$TMP/fetch1.out" 2>"$TMP/fetch1.err" || fail "first fetch: $(cat "$TMP/fetch1.err")"
grep -q "5 installed, 0 unchanged, 0 refused" "$TMP/fetch1.out" || fail "first fetch: $(cat "$TMP/fetch1.out")"
for f in tcb_info-00806F050000-standard.json tcb_info-00806F050000-standard.chain.pem \
	qe_identity-standard.json pck_crl-processor.der pck_crl-platform.der root_ca_crl.der; do
	[ -s "$store/current/$f" ] || fail "store lacks $f"
done
cmp -s "$store/current/tcb_info-00806F050000-standard.json" \
	"$TDX_TESTDATA/pcs-extra/tdx_2025-05-27/tcb_info_00806F050000.json" || fail "TCB info not stored verbatim"
cmp -s "$store/current/tcb_info-00806F050000-standard.chain.pem" \
	"$TDX_TESTDATA/pcs-extra/tdx_2025-05-27/tcb_info_issuer_chain.pem" || fail "issuer chain header not decoded exactly"
ok "fetch of FMSPC 00806F050000 and both CAs from real PCS responses"
before=$(digest)
fetch >"$TMP/fetch2.out" 2>&1 || fail "repeat fetch: $(cat "$TMP/fetch2.out")"
grep -q "0 installed, 5 unchanged" "$TMP/fetch2.out" || fail "repeat fetch: $(cat "$TMP/fetch2.out")"
[ "$(digest)" = "$before" ] || fail "an unchanged fetch modified the store"
ok "repeat fetch: unchanged, store byte-identical"
# refresh of what is installed (no --fmspc): the same five documents
"$KS" collateral fetch --store "$store" --pcs "$PCS" --root-crl-url "$PCS/IntelSGXRootCA.der" --at "$AT" \
	>"$TMP/fetch3.out" 2>&1 || fail "refresh: $(cat "$TMP/fetch3.out")"
grep -q "0 installed, 5 unchanged" "$TMP/fetch3.out" || fail "refresh: $(cat "$TMP/fetch3.out")"
ok "refresh without --fmspc re-fetches the installed documents"
kill "$FIX_PID"

for fault in bad-sig 500 429 truncated slow bad-header no-header older huge 429-long; do
	if [ $fault = older ]; then fixture $fault --older-crl; else fixture $fault --fault $fault; fi
	t0=$(date +%s)
	fetch --retries 1 --retry-after-max 1 >"$TMP/$fault.out" 2>"$TMP/$fault.err"
	rc=$?
	t=$(( $(date +%s) - t0 ))
	[ $rc = 1 ] || fail "fault $fault: exit $rc, want 1: $(cat "$TMP/$fault.err")"
	[ "$(digest)" = "$before" ] || fail "fault $fault changed the store"
	[ $t -le 20 ] || fail "fault $fault took ${t}s"
	ok "fault $fault: exit 1 in ${t}s, store byte-identical ($(grep -m1 'collateral:' "$TMP/$fault.err" | cut -c1-150))"
	kill "$FIX_PID"
done
grep -q "thisUpdate is older" "$TMP/older.err" || fail "older CRL not refused for its thisUpdate"
grep -q "body larger than 4194304 bytes" "$TMP/huge.err" || fail "a 5 MiB body was not refused for its size"
grep -q "HTTP 429" "$TMP/429-long.err" || fail "429 with Retry-After 3600: $(cat "$TMP/429-long.err")"

# status: the documents of 2025-05-27 expire 30 days later (root CA CRL 2026-04-03)
"$KS" collateral status --store "$store" --at 2025-06-01T00:00:00Z >"$TMP/st1" ||
	fail "status 5 days after issue: exit $? $(cat "$TMP/st1")"
"$KS" collateral status --store "$store" --at 2025-06-21T00:00:00Z >"$TMP/st2"
[ $? = 1 ] || fail "status inside the 7-day window: want exit 1"
grep -q "^WARN" "$TMP/st2" || fail "status inside the window: no WARN line"
"$KS" collateral status --store "$store" --at 2025-06-21T00:00:00Z --warn-days 3 >/dev/null ||
	fail "status with --warn-days 3 outside the window: want exit 0"
"$KS" collateral status --store "$store" --at 2025-07-01T00:00:00Z --json >"$TMP/st3"
[ $? = 1 ] || fail "status after expiry: want exit 1"
grep -q '"state":"EXPIRED"' "$TMP/st3" || grep -q '"state": "EXPIRED"' "$TMP/st3" || fail "no EXPIRED in --json"
ok "status: exit 0 outside, 1 inside the warning window and after expiry"

# verify --store with a store that lacks the platform: exit 2 naming the FMSPC
"$KS" verify "$TDX_TESTDATA/dcapqvl_v4_uptodate/quote.bin" --store "$store" --at "$AT" 2>"$TMP/v.err"
rc=$?
{ [ $rc = 2 ] && grep -q "B0C06F000000" "$TMP/v.err"; } || fail "verify --store of a missing platform: $(cat "$TMP/v.err")"
ok "verify --store names the missing FMSPC"
