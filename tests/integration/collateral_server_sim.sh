#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The key server's own collateral fetching (collateral_store + pcs_url) against the PCS
# simulator, beyond collateral_sim.sh: a PCCS over HTTPS (pcs_ca; root CA CRL from
# /rootcacrl) at first sight; a first sight the PCS answers too slowly is refused with
# collateral_unavailable within collateral_fetch_wait_s and the refusal is cached (no new
# PCS request for the next attestation); an FMSPC the PCS does not serve is refused as such;
# a background refresh that gets refused documents keeps the store and attestation, and the
# next good refresh installs; documents about to expire are warned about in the log.
# Attestations come from bench/kbs_load with a platform directory of the simulator PKI.
# 127.0.0.1 only; about 25 s. Exit 77 (skip) when a prerequisite is missing.
# shellcheck source=tests/integration/lib.bash
. "$(dirname "$0")/lib.bash"
SIM=$BUILD/tdx-sim
KS=$BUILD/tdx-keyserver
LOAD=$BUILD/bench/kbs_load
for b in "$SIM" "$KS"; do [ -x "$b" ] || skip "$b not built"; done
# (not part of `make all`: built here, as bench/kbs_flow.sh does)
make -s BUILD="$BUILD" "$LOAD" >/dev/null 2>&1 || true
[ -x "$LOAD" ] || skip "$LOAD not built (make $LOAD)"
command -v jq >/dev/null || skip "jq absent"
grep -q collateral_store src/server/ks_config.c 2>/dev/null || skip "key server without collateral_store"
KE=$PWD/keys-example
NOW=$(date -u +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

P=$TMP/pki
# FMSPC 50C06F0000A0 (Platform CA), ...A1 (Processor CA), ...A2 (answers slowly), ...A3 (not
# served: its TCB info is removed from what the PCS serves)
"$SIM" pki "$P" --fmspc 50C06F0000A0 --fmspc 50C06F0000A1:processor --fmspc 50C06F0000A2 \
	--fmspc 50C06F0000A3 --issue-date "$(iso $((NOW - 3600)))" >/dev/null || fail "tdx-sim pki"
rm "$P/pcs/tcb_info/50C06F0000A3.json"
ANCHOR=$P/collateral/root_ca.pem
fault() { printf '%s\n' "$@" >"$TMP/faults.new"; mv "$TMP/faults.new" "$TMP/faults"; }
fault "slow:8000@fmspc=50C06F0000A2"
start_sim_pcs "$P" --pccs --tls-cert "$KE/server.pem" --tls-key "$KE/server.key" \
	--fault-file "$TMP/faults" --access-log "$TMP/pcs.access" >/dev/null

policy_from_sim_quote "$P"
demo_resource
cat >"$TMP/srv.json" <<JSON
{"listen":"127.0.0.1:0","tls_cert":"$KE/server.pem","tls_key":"$KE/server.key",
 "resources_dir":"$TMP/res","policy_file":"$TMP/policy.json","collateral_store":"$TMP/store",
 "pcs_url":"$PCS_URL","pcs_ca":"$KE/ca.pem","trust_anchor":"$ANCHOR","audit_log":"$TMP/srv.audit",
 "collateral_refresh":2,"collateral_fetch_wait_s":3,"collateral_warn_days":7}
JSON
serve_keyserver srv
SRV_URL=https://127.0.0.1:$SRV_PORT

# attest N: one attestation of platform N (kbs_load with the platform's PKI directory)
attest() {
	"$LOAD" --url "$SRV_URL" --ca "$KE/ca.pem" --pki "$P/platforms/$1" --resource default/luks/demo \
		--expect "$TMP/res/default/luks/demo" --threads 1 --flows 1 >"$TMP/attest.out" 2>"$TMP/attest.err"
}
audit_has() { grep -q "$1" "$TMP/srv.audit"; }

# --- first sight through a PCCS over HTTPS: both CAs
attest 0 || fail "first sight of 50C06F0000A0 via PCCS/HTTPS: $(tail -3 "$TMP/attest.err"; cat "$TMP/srv.log"; ls -la "$TMP/store")"
attest 1 || fail "first sight of 50C06F0000A1 (Processor CA): $(tail -3 "$TMP/attest.err"; tail -5 "$TMP/srv.log")"
grep -q "GET /sgx/certification/v4/rootcacrl 200" "$TMP/pcs.access" || fail "root CA CRL not from the PCCS /rootcacrl"
grep -q "pckcrl?ca=processor.* 200" "$TMP/pcs.access" || fail "processor CRL not fetched"
ok "first sight via a PCCS over HTTPS (pcs_ca), Platform and Processor CA"

# --- a PCS too slow at first sight: refused within the bound, then cached
t0=$(date +%s%N)
attest 2 && fail "attested with the PCS answering after the wait bound"
ms=$((($(date +%s%N) - t0) / 1000000))
audit_has "collateral_unavailable: FMSPC 50C06F0000A2" || fail "slow first sight: no collateral_unavailable in the audit log: $(tail -2 "$TMP/srv.audit")"
[ $ms -le 8000 ] || fail "slow first sight refused after $ms ms (collateral_fetch_wait_s 3)"
n=$(grep -c "fmspc=50C06F0000A2" "$TMP/pcs.access")
t1=$(date +%s%N)
attest 2 && fail "second attestation of the slow platform accepted"
[ $((($(date +%s%N) - t1) / 1000000)) -le 3000 ] || fail "the cached refusal took long"
sleep 0.5 # a (wrong) new request would be logged when it ends; the slow fault delays it 8 s anyway
[ "$(grep -c "fmspc=50C06F0000A2" "$TMP/pcs.access")" -le "$n" ] || fail "the refusal was not cached: a new PCS request"
ok "slow PCS at first sight: refused in $ms ms, the refusal cached"

# --- an FMSPC the PCS does not serve
attest 3 && fail "attested a platform whose TCB info the PCS does not serve"
audit_has "collateral_unavailable: FMSPC 50C06F0000A3.*PCS does not serve it" ||
	fail "not-served platform: $(tail -1 "$TMP/srv.audit")"
ok "an FMSPC the PCS does not serve: refused as such"

# --- a refresh that gets only refused documents: store and attestation unchanged
gen0=$(readlink "$TMP/store/current")
fault "bad-sig" "slow:8000@fmspc=50C06F0000A2"
"$SIM" pki "$P" --resign --issue-date "$(iso $((NOW - 1800)))" >/dev/null || fail "resign"
rm -f "$P/pcs/tcb_info/50C06F0000A3.json"
wait_for 60 grep -q "refresh from .*: 0 installed, 0 unchanged, [1-9][0-9]* refused" "$TMP/srv.log" ||
	fail "no refused refresh logged: $(grep refresh "$TMP/srv.log" | tail -3)"
[ "$(readlink "$TMP/store/current")" = "$gen0" ] || fail "a refused refresh changed the store"
attest 0 || fail "attestation during refused refreshes"
fault "slow:8000@fmspc=50C06F0000A2"
gen_changed() { [ "$(readlink "$TMP/store/current")" != "$gen0" ]; }
wait_for 80 gen_changed || fail "the next good refresh did not install: $(grep -i "refresh\|refused" "$TMP/srv.log" | tail -12)"
attest 1 || fail "attestation after the refresh"
ok "refused refresh keeps the store; the next one installs"

# --- documents valid 5 more days (warning window 7): the server warns
"$SIM" pki "$P" --resign --issue-date "$(iso $((NOW - 600)))" --validity-days 5 >/dev/null || fail "resign 5 days"
rm -f "$P/pcs/tcb_info/50C06F0000A3.json"
wait_for 80 grep -q "expires at .* (in [0-4]d" "$TMP/srv.log" || fail "no expiry warning: $(grep -i expir "$TMP/srv.log" | tail -3)"
ok "expiry within collateral_warn_days is logged"
! grep -q api-key-sent "$TMP/pcs.access" || fail "the key server sent an API key"
echo "collateral_server_sim: all checks passed"
