#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The collateral store end to end with the PCS simulator (tdx-sim pcs, three FMSPCs, both PCK
# CAs): fetch, then verification of a quote of each platform; every fault refused with the
# store byte-identical and verification unchanged; `collateral status` around the warning
# window; then a key server with collateral_store + pcs_url: first-sight fetch of a new FMSPC
# (coalesced across concurrent clients), documents replaced by the background refresh under
# load with 0 failed attestations, and the PCS down at first sight: a clear refusal within
# the bound. ~60 s.
source "$(dirname "$0")/lib.bash"
SIM=$BUILD/tdx-sim
KS=$BUILD/tdx-keyserver
TU=$BUILD/tdx-unlock
LOAD=$BUILD/bench/kbs_load
for b in "$SIM" "$KS" "$TU"; do [ -x "$b" ] || skip "$b not built"; done
command -v jq >/dev/null || skip "jq absent"
[ -f keys-example/server.pem ] || skip "keys-example absent"
KE=$PWD/keys-example
P=$TMP/pki
ANCHOR=$P/collateral/root_ca.pem
F=(50C06F000000 50C06F000001 50C06F000002) # platform, processor, platform CA
RD=$(printf '0%.0s' $(seq 128))
store=$TMP/store
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
NOW=$(date +%s)

"$SIM" pki "$P" --platforms 3 --time "$(iso $((NOW - 7200)))" >/dev/null || fail "tdx-sim pki --platforms 3"
echo "# no faults" >"$TMP/faults"
start_sim_pcs "$P" --fault-file "$TMP/faults" --access-log "$TMP/pcs.access" >/dev/null
ROOTCRL=$PCS_URL/IntelSGXRootCA.der
cfetch() {
	"$KS" collateral fetch --store "$store" --pcs "$PCS_URL" --root-crl-url "$ROOTCRL" --anchor "$ANCHOR" \
		--timeout-ms 1000 --backoff-ms 100 --retries 1 "$@"
}
digest() {
	(cd "$store" && find . -type f -print0 | sort -z | xargs -0 sha256sum; readlink current) | sha256sum
}
verify_all() {
	for i in 0 1 2; do
		"$KS" verify "$TMP/q$i.bin" --store "$store" --anchor "$ANCHOR" >"$TMP/v$i.out" 2>&1 ||
			fail "$1: quote of platform $i (FMSPC ${F[i]}) does not verify: $(cat "$TMP/v$i.out")"
	done
}
set_fault() { echo "$1" >"$TMP/faults.new" && mv "$TMP/faults.new" "$TMP/faults" && kill -HUP "$PCS_PID"; }

# 1. three FMSPCs, both CAs
cfetch --fmspc "${F[0]}" --fmspc "${F[1],,}" --fmspc "${F[2]}" >"$TMP/f1.out" 2>"$TMP/f1.err" ||
	fail "fetch of 3 FMSPCs: $(cat "$TMP/f1.err")"
grep -q "^collateral: 7 installed, 0 unchanged, 0 refused" "$TMP/f1.out" || fail "fetch: $(cat "$TMP/f1.out")"
for i in 0 1 2; do
	"$SIM" quote --pki "$P" --platform "$i" --report-data "$RD" -o "$TMP/q$i.bin" || fail "tdx-sim quote --platform $i"
done
verify_all "after the first fetch"
grep -q 'api-key-sent' "$TMP/pcs.access" && fail "an API key was sent"
ok "fetch of 3 FMSPCs and both CAs; a quote of each platform verifies from the store"

# 2. faults: every fault must leave the store as it was. `old` first (one evaluation number
# lower, CRLs one day older than what is installed); then newer documents are served, so a
# fetch without the fault would change the store.
before=$(digest)
# (the chain faults only where a chain header belongs; the root CA CRL, which has none, is
# then unavailable too, so that nothing of the fetch is acceptable)
for fault in old resign bad-sig 500 429 truncate short slow:1500 bad-chain@certification no-chain@certification; do
	if [ $fault = resign ]; then
		"$SIM" pki "$P" --resign --issue-date "$(iso $((NOW - 3600)))" >/dev/null || fail "resign"
		continue
	fi
	case $fault in
	*-chain@*) set_fault "$fault"$'\n'"503@IntelSGXRootCA" ;;
	*) set_fault "$fault" ;;
	esac
	t0=$(date +%s%N)
	extra=()
	[ "$fault" = slow:1500 ] && extra=(--timeout-ms 400)
	cfetch "${extra[@]}" >"$TMP/fault.out" 2>"$TMP/fault.err"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ $rc = 1 ] || fail "fault $fault: exit $rc, want 1: $(cat "$TMP/fault.err")"
	[ "$(digest)" = "$before" ] || { cat "$TMP/fault.err" "$TMP/fault.out"; fail "fault $fault changed the store"; }
	[ $ms -le 15000 ] || fail "fault $fault: fetch took $ms ms"
	verify_all "after fault $fault"
	ok "fault $fault: exit 1 in $ms ms, store byte-identical, verification unchanged"
done
set_fault "# none"
cfetch >"$TMP/f2.out" 2>"$TMP/f2.err" || fail "fetch after the faults: $(cat "$TMP/f2.err")"
grep -q "^collateral: 7 installed" "$TMP/f2.out" || fail "newer documents not installed: $(cat "$TMP/f2.out")"
verify_all "after the re-signed documents"
ok "without faults the re-signed documents are installed"

# 3. status around the warning window: documents valid 5 days
"$SIM" pki "$P" --resign --issue-date "$(iso $((NOW - 1800)))" --validity-days 5 >/dev/null || fail "resign 5 days"
cfetch >/dev/null 2>&1 || fail "fetch of the 5-day documents"
"$KS" collateral status --store "$store" >"$TMP/st.out"
rc=$?
{ [ $rc = 1 ] && grep -q '^WARN' "$TMP/st.out"; } || fail "status inside the 7-day window: $(cat "$TMP/st.out")"
"$KS" collateral status --store "$store" --warn-days 3 >"$TMP/st.out" || fail "status with --warn-days 3: $(cat "$TMP/st.out")"
"$KS" collateral status --store "$store" --at "$(iso $((NOW + 6 * 86400)))" >"$TMP/st.out"
rc=$?
{ [ $rc = 1 ] && grep -q '^EXPIRED' "$TMP/st.out"; } || fail "status after expiry: $(cat "$TMP/st.out")"
ok "status: exit 1 inside the warning window and after expiry, 0 outside"

# HTTPS with the operator's CA for the PCS (--pcs-ca), and the early update type
PLAIN_URL=$PCS_URL PLAIN_PID=$PCS_PID
start_sim_pcs "$P" --tls-cert "$KE/server.pem" --tls-key "$KE/server.key" >/dev/null
"$SIM" pki "$P" --resign --update early --issue-date "$(iso $((NOW - 900)))" --tcb-eval 18 >/dev/null ||
	fail "resign early"
"$KS" collateral fetch --store "$store" --pcs "$PCS_URL" --pcs-ca "$KE/ca.pem" --root-crl-url "$PCS_URL/IntelSGXRootCA.der" \
	--anchor "$ANCHOR" --update early --fmspc "${F[0]}" >"$TMP/tls.out" 2>"$TMP/tls.err" || fail "fetch over HTTPS: $(cat "$TMP/tls.err")"
[ -s "$store/current/tcb_info-${F[0]}-early.json" ] || fail "no early TCB info stored"
"$KS" verify "$TMP/q0.bin" --store "$store" --anchor "$ANCHOR" --update early >/dev/null 2>&1 ||
	fail "quote does not verify with the early documents"
"$KS" collateral fetch --store "$store" --pcs "$PCS_URL" --root-crl-url "$PCS_URL/IntelSGXRootCA.der" \
	--anchor "$ANCHOR" --fmspc "${F[0]}" --retries 0 >/dev/null 2>&1 && fail "HTTPS without the PCS's CA was accepted"
kill "$PCS_PID"
ok "fetch over HTTPS with --pcs-ca (refused without it); early documents beside the standard ones"
# a PCCS: root CA CRL from its /rootcacrl (hex text), found without --root-crl-url
start_sim_pcs "$P" --pccs >/dev/null
"$KS" collateral fetch --store "$TMP/pccs-store" --pcs "$PCS_URL/sgx/certification/v4/" --anchor "$ANCHOR" \
	--fmspc "${F[1]}" >"$TMP/pccs.out" 2>"$TMP/pccs.err" || fail "fetch from a PCCS: $(cat "$TMP/pccs.err")"
grep -q "^collateral: 5 installed, 0 unchanged, 0 refused, 0 unreachable" "$TMP/pccs.out" ||
	fail "fetch from a PCCS: $(cat "$TMP/pccs.out")"
"$KS" verify "$TMP/q1.bin" --store "$TMP/pccs-store" --anchor "$ANCHOR" >/dev/null 2>&1 ||
	fail "quote of platform 1 does not verify from the PCCS's documents"
kill "$PCS_PID"
PCS_URL=$PLAIN_URL PCS_PID=$PLAIN_PID ROOTCRL=$PCS_URL/IntelSGXRootCA.der
ok "fetch from a PCCS (base URL with /sgx/certification/v4/, root CA CRL as hex from /rootcacrl)"
# the early set is at evaluation number 18: Intel's list says so, a standard fetch warns
cfetch >"$TMP/evn.out" 2>"$TMP/evn.err" || fail "standard fetch: $(cat "$TMP/evn.err")"
grep -q "already lists tcbEvaluationDataNumber 18; the TCB info FMSPC ${F[0]} (standard) of this store has 17" "$TMP/evn.err" ||
	fail "no TCB Recovery warning: $(cat "$TMP/evn.err")"
ok "a TCB Recovery ahead (early at 18, standard at 17) is warned about"

# 4. the key server: empty store, pcs_url
policy_from_sim_quote "$P"
demo_resource
cat >"$TMP/srv.json" <<JSON
{"listen":"127.0.0.1:0","tls_cert":"$KE/server.pem","tls_key":"$KE/server.key",
 "resources_dir":"$TMP/res","policy_file":"$TMP/policy.json","collateral_store":"$TMP/srvstore",
 "pcs_url":"$PCS_URL","pcs_root_crl_url":"$ROOTCRL","trust_anchor":"$ANCHOR","audit_log":"$TMP/srv.audit",
 "collateral_refresh":1,"collateral_fetch_wait_s":4,"max_sessions":20000}
JSON
serve_keyserver srv
have_fuse=1
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || have_fuse=0
client() { # NAME PLATFORM [TIMEOUT_S]
	"$TU" fetch --url "https://127.0.0.1:$SRV_PORT" --ca "$KE/ca.pem" --tsm-dir "$TMP/tsm$2" \
		--resource default/luks/demo --timeout "${3:-20}" -o "$TMP/$1.secret" >"$TMP/$1.out" 2>"$TMP/$1.err"
}
if [ $have_fuse = 1 ]; then
	for i in 0 1 2; do mount_sim "$TMP/tsm$i" --platform "$i"; done
	client first0 0 || fail "first sight of FMSPC ${F[0]}: $(cat "$TMP/first0.err")"
	cmp -s "$TMP/first0.secret" "$TMP/res/default/luks/demo" || fail "first sight: wrong secret"
	grep -q "first sight of FMSPC ${F[0]}" "$TMP/srv.log" || fail "no first-sight fetch logged"
	ok "first sight of FMSPC ${F[0]}: fetched, attested"
	client c1 1 & c1=$!
	client c2 1 & c2=$!
	wait $c1 || fail "concurrent first sight (1): $(cat "$TMP/c1.err")"
	wait $c2 || fail "concurrent first sight (2): $(cat "$TMP/c2.err")"
	n=$(grep -c "first sight of FMSPC ${F[1]}" "$TMP/srv.log")
	[ "$n" = 1 ] || fail "FMSPC ${F[1]} fetched $n times for two concurrent attestations"
	ok "two concurrent first sights of FMSPC ${F[1]} (Processor CA): one fetch, both attested"
else
	echo "note: FUSE unavailable: first-sight checks with the real client skipped"
fi

# refresh under load: the PKI is re-signed every ~1.2 s, the server refreshes every second
[ -x "$LOAD" ] || make -s BUILD="$BUILD" "$LOAD" >/dev/null 2>&1
if [ -x "$LOAD" ]; then
	gen0=$(readlink "$TMP/srvstore/current")
	(
		for _ in $(seq 1 8); do
			sleep 1.2
			"$SIM" pki "$P" --resign --issue-date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >/dev/null 2>&1
		done
	) & rs=$!
	"$LOAD" --url "https://127.0.0.1:$SRV_PORT" --ca "$KE/ca.pem" --pki "$P" --resource default/luks/demo \
		--expect "$TMP/res/default/luks/demo" --threads 4 --flows 1500 >"$TMP/load.out" 2>"$TMP/load.err" ||
		fail "load: $(tail -5 "$TMP/load.err")"
	wait $rs
	errors=$(awk '$1 == "errors" {print $2}' "$TMP/load.out")
	flows=$(awk '$1 == "flows" {print $2}' "$TMP/load.out")
	gen1=$(readlink "$TMP/srvstore/current")
	installs=$(grep -c "refresh from .*: [1-9][0-9]* installed" "$TMP/srv.log")
	[ "$errors" = 0 ] || fail "$errors of $flows attestations failed while the store changed"
	{ [ "$gen0" != "$gen1" ] && [ "$installs" -ge 2 ]; } || fail "the refresh replaced nothing ($gen0 -> $gen1, $installs runs)"
	ok "refresh under load: $flows flows, 0 failed, $installs refreshes installed documents ($gen0 -> $gen1)"
else
	echo "note: $LOAD not built (make $LOAD): refresh-under-load check skipped"
fi

grep -q "collateral: .* expires at .* and was not refreshed yet" "$TMP/srv.log" ||
	fail "no expiry warning in the server log for the 5-day documents"
ok "the server warns days before a document expires"

# PCS down at first sight of FMSPC 50C06F000002: refused, clearly, within the bound
kill "$PCS_PID"
if [ $have_fuse = 1 ]; then
	# 503 (the collateral may still come): the client keeps trying until its own deadline
	t0=$(date +%s%N)
	client down 2 8 & cpid=$!
	down_refused() { grep -q "collateral_unavailable: FMSPC ${F[2]} (platform CA) not in the store and PCS unreachable" "$TMP/srv.audit"; }
	wait_for 100 down_refused || fail "no clear refusal in the audit log within 10 s: $(tail -3 "$TMP/srv.audit")"
	ms=$((($(date +%s%N) - t0) / 1000000))
	wait $cpid && fail "attested with the PCS down and no collateral"
	grep -q "HTTP 503" "$TMP/down.err" || fail "the client was not told to retry later: $(cat "$TMP/down.err")"
	ok "PCS down at first sight: refused (503, retry later) within $ms ms with collateral_unavailable"
	client after0 0 || fail "a known platform is refused while the PCS is down: $(cat "$TMP/after0.err")"
	ok "known platforms still attest from the store while the PCS is down"
fi
kill "$SRV_PID"

# the same store 40 days later: expired, and the audit line names the document
if [ $have_fuse = 1 ]; then
	jq 'del(.pcs_url) | .audit_log = "late.audit"' "$TMP/srv.json" >"$TMP/late.json"
	serve_keyserver late --test-time "$(iso $((NOW + 40 * 86400)))"
	grep -q "EXPIRED" "$TMP/late.log" || fail "no expiry error in the log at start"
	client late 0 && fail "attested with expired collateral"
	# the first expired document in check order: the root CA CRL here (all expire together)
	grep -Eq '"reason":"(rootcrl|pckcrl|tcbinfo|qeid)_time: (root CA CRL|PCK CRL of FMSPC|TCB info of FMSPC|QE identity)[^"]* expired at' "$TMP/late.audit" ||
		fail "the refusal does not name the expired document: $(tail -1 "$TMP/late.audit")"
	ok "expired collateral: refused, the audit line names it ($(grep -o '[a-z_]*_time: [^"]*' "$TMP/late.audit" | head -1))"
	kill "$SRV_PID"
fi
