#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tdx-keyserver collateral fetch|status against the PCS simulator (tdx-sim pcs), in more
# depth than collateral_sim.sh (which also covers the key server), with a PKI of 3 FMSPCs
# and both PCK CAs (issue 12, "Tests"):
# - fetch for 3 FMSPCs and both CAs, then every platform's quote verifies from the store;
#   --quote fetches the quote's CA only; a refresh re-fetches what the store holds;
# - every fault (bad signature, older evaluation number / CRL, 500, 503, 429, truncated and
#   short bodies, slow answer, wrong or missing issuer chain) on every document is refused
#   with the store byte-identical and verification unchanged, while the same fetch without
#   the fault installs newer documents (so the refusals are not vacuous); a fault on one
#   FMSPC leaves that FMSPC's document as it was;
# - transient 500 and 429 + Retry-After are retried; a PCS that is down fails in bounded time;
# - rollback: a lower tcbEvaluationDataNumber is refused, a higher one installed; the early set;
# - a PCCS (hex CRLs, /rootcacrl), HTTPS with --pcs-ca; no API key is ever sent;
# - collateral status exit codes around the warning window;
# - the systemd unit's ExecStart, expanded from an environment file, fetches.
# 127.0.0.1 only; about 30 s. Exit 77 (skip) when a prerequisite is missing.
# shellcheck source=tests/integration/lib.bash
. "$(dirname "$0")/lib.bash"
SIM=$BUILD/tdx-sim
KS=$BUILD/tdx-keyserver
for b in "$SIM" "$KS"; do [ -x "$b" ] || skip "$b not built"; done
for tool in curl jq; do command -v "$tool" >/dev/null || skip "$tool not installed"; done
"$KS" collateral fetch --help >/dev/null 2>&1 || skip "tdx-keyserver has no 'collateral fetch'"

NOW=$(date -u +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
P=$TMP/pki
# PKI valid around now; documents issued 2 days ago, so re-signing can move them forward
"$SIM" pki "$P" --platforms 3 --issue-date "$(iso $((NOW - 2 * 86400)))" >/dev/null || fail "tdx-sim pki"
FMSPCS=(50C06F000000 50C06F000001 50C06F000002)
ANCHOR=$P/collateral/root_ca.pem
RD=$(printf '%0128x' 0 | sed 's/^0\{8\}/c0ffee00/')
for i in 0 1 2; do
	"$SIM" quote --pki "$P" --platform "$i" --report-data "$RD" -o "$TMP/q$i" || fail "quote $i"
done
start_sim_pcs "$P" --access-log "$TMP/access.log" --fault-file "$TMP/faults" >/dev/null
URL=$PCS_URL
S=$TMP/store

# fetch [ARGS...]: fetch into $S from $URL (short timeouts: the faults are local)
fetch() {
	"$KS" collateral fetch --store "$S" --pcs "$URL" --anchor "$ANCHOR" \
		--root-crl-url "$URL/IntelSGXRootCA.der" --timeout-ms 2000 --retries 1 --backoff-ms 100 "$@"
}
fmspc_args() { for f in "${FMSPCS[@]}"; do printf -- '--fmspc %s ' "$f"; done; }
# digest: every file and the current generation of the store
digest() { (cd "$S" && find . -type f -print0 | sort -z | xargs -0 sha256sum; readlink current) | sha256sum; }
# verify_all: each platform's quote verifies from the store
verify_all() {
	local i out
	for i in 0 1 2; do
		out=$("$KS" verify "$TMP/q$i" --store "$S" --anchor "$ANCHOR" --json 2>&1) ||
			fail "$1: quote of platform $i does not verify: $out"
		[ "$(printf '%s' "$out" | jq -r .result)" = ok ] || fail "$1: platform $i: $out"
	done
}
fault() { printf '%s\n' "$@" >"$TMP/faults.new"; mv "$TMP/faults.new" "$TMP/faults"; }
step=0
# resign: newer documents on the PCS (an hour later each time, same evaluation number)
resign() {
	step=$((step + 1))
	"$SIM" pki "$P" --resign --issue-date "$(iso $((NOW - 2 * 86400 + step * 3600)))" "$@" >/dev/null ||
		fail "tdx-sim pki --resign"
}

# --- 3 FMSPCs, both CAs
# shellcheck disable=SC2046
fetch $(fmspc_args) >"$TMP/f1.out" 2>"$TMP/f1.err" || fail "first fetch: $(cat "$TMP/f1.err")"
for f in "${FMSPCS[@]}"; do
	cmp -s "$S/current/tcb_info-$f-standard.json" "$P/pcs/tcb_info/$f.json" || fail "TCB info $f not stored verbatim"
	cmp -s "$S/current/tcb_info-$f-standard.chain.pem" "$P/pcs/tcb_signing_chain.pem" || fail "TCB info $f chain"
done
for ca in platform processor; do
	cmp -s "$S/current/pck_crl-$ca.der" "$P/pcs/pckcrl_$ca.der" || fail "PCK CRL $ca"
	cmp -s "$S/current/pck_crl-$ca.chain.pem" "$P/pcs/pckcrl_${ca}_issuer_chain.pem" || fail "PCK CRL $ca chain"
done
cmp -s "$S/current/qe_identity-standard.json" "$P/pcs/qe_identity.json" || fail "QE identity"
cmp -s "$S/current/root_ca_crl.der" "$P/pcs/root_ca_crl.der" || fail "root CA CRL"
verify_all "first fetch"
"$KS" collateral status --store "$S" >"$TMP/status.out" 2>&1 || fail "status after the fetch: $(cat "$TMP/status.out")"
ok "fetch of 3 FMSPCs and both CAs; every platform's quote verifies from the store"

# --- a refresh with newer documents installs them
resign
fetch >"$TMP/f2.out" 2>&1 || fail "refresh: $(cat "$TMP/f2.out")"
grep -q "^collateral: [1-9][0-9]* installed, 0 unchanged, 0 refused" "$TMP/f2.out" || fail "refresh: $(cat "$TMP/f2.out")"
cmp -s "$S/current/tcb_info-50C06F000002-standard.json" "$P/pcs/tcb_info/50C06F000002.json" || fail "refresh did not install"
verify_all "refresh"
ok "refresh (no --fmspc) installs the re-signed documents"

# --- every fault, on every document: refused, store byte-identical, verification unchanged
for spec in bad-sig old 500 503 429:0 truncate short slow:1000 bad-chain no-chain; do
	resign
	# the root CA CRL has no issuer chain header: for the chain faults it stays the stored one
	case $spec in *-chain) cp "$S/current/root_ca_crl.der" "$P/pcs/root_ca_crl.der" ;; esac
	before=$(digest)
	fault "$spec"
	t0=$(date +%s)
	# (a slow answer: 300 ms per request here, so the run stays short)
	fetch --timeout-ms "$([ "$spec" = slow:1000 ] && echo 300 || echo 2000)" >"$TMP/fault.out" 2>&1 &&
		fail "fault $spec: fetch exit 0: $(cat "$TMP/fault.out")"
	rc=$?
	[ $rc = 1 ] || fail "fault $spec: exit $rc, want 1: $(cat "$TMP/fault.out")"
	[ $(($(date +%s) - t0)) -le 30 ] || fail "fault $spec: took over 30 s"
	echo "fault $spec: exit 1 in $(($(date +%s) - t0)) s: $(grep -c . "$TMP/fault.out") line(s), e.g. $(grep -m1 -v '^collateral: [0-9]' "$TMP/fault.out")"
	[ "$(digest)" = "$before" ] || fail "fault $spec: the store changed"
	verify_all "after fault $spec"
	fault
	fetch >"$TMP/fault.out" 2>&1 || fail "after fault $spec: the fault-free fetch failed: $(cat "$TMP/fault.out")"
	[ "$(digest)" != "$before" ] || fail "after fault $spec: newer documents were not installed"
done
ok "10 faults on every document: exit 1, store byte-identical, verification unchanged"

# --- a fault on one FMSPC / one CA: that document stays as it was
for t in "bad-sig@fmspc=50C06F000001 tcb_info-50C06F000001-standard.json" "old@ca=processor pck_crl-processor.der"; do
	spec=${t% *} doc=${t#* }
	resign
	cp "$S/current/$doc" "$TMP/kept"
	fault "$spec"
	fetch >"$TMP/fault.out" 2>&1 && fail "fault $spec: fetch exit 0"
	grep -q "refused" "$TMP/fault.out" || fail "fault $spec: no refusal reported: $(cat "$TMP/fault.out")"
	cmp -s "$S/current/$doc" "$TMP/kept" || fail "fault $spec: $doc replaced"
	verify_all "after fault $spec"
	fault
	fetch >/dev/null 2>&1 || fail "after fault $spec: fault-free fetch failed"
	cmp -s "$S/current/$doc" "$TMP/kept" && fail "after fault $spec: $doc not replaced by the newer one"
done
ok "a fault on one FMSPC or one CA keeps that document"

# --- transient failures are retried: 500 once, 429 with Retry-After: 2 once
for spec in "500@qe/identity#1" "429:2@pckcrl?ca=platform#1"; do
	resign
	fault "$spec"
	: >"$TMP/access.log"
	t0=$(date +%s%N)
	fetch >"$TMP/retry.out" 2>&1 || fail "retry of $spec: $(cat "$TMP/retry.out")"
	ms=$((($(date +%s%N) - t0) / 1000000))
	grep -q " \(500\|429\) request-id=" "$TMP/access.log" || fail "$spec was not served"
	case $spec in 429*) [ $ms -ge 2000 ] || fail "Retry-After: 2 not honoured (${ms} ms)";; esac
done
fault
ok "500 and 429 + Retry-After retried"

# --- rollback protection and the early set
resign --tcb-eval 16
docs() { cat "$S"/current/tcb_info-*-standard.json "$S/current/qe_identity-standard.json" | sha256sum; }
before=$(docs)
fetch >"$TMP/rb.out" 2>&1 && fail "lower tcbEvaluationDataNumber accepted"
[ "$(docs)" = "$before" ] || fail "lower tcbEvaluationDataNumber: a TCB info or the QE identity changed"
[ "$(grep -c "tcbEvaluationDataNumber 16 is lower" "$TMP/rb.out")" = 4 ] || fail "lower number: not 4 refusals: $(cat "$TMP/rb.out")"
resign --tcb-eval 18
fetch >"$TMP/rb.out" 2>&1 || fail "higher tcbEvaluationDataNumber refused: $(cat "$TMP/rb.out")"
[ "$(jq .tcbInfo.tcbEvaluationDataNumber "$S/current/tcb_info-50C06F000000-standard.json")" = 18 ] || fail "18 not installed"
verify_all "evaluation number 18"
resign --update early --tcb-eval 19
# shellcheck disable=SC2046
fetch --update early $(fmspc_args) >"$TMP/early.out" 2>&1 || fail "early fetch: $(cat "$TMP/early.out")"
[ "$(jq .tcbInfo.tcbEvaluationDataNumber "$S/current/tcb_info-50C06F000001-early.json")" = 19 ] || fail "early set not stored"
[ "$(jq .tcbInfo.tcbEvaluationDataNumber "$S/current/tcb_info-50C06F000001-standard.json")" = 18 ] || fail "early fetch touched standard"
"$KS" verify "$TMP/q1" --store "$S" --update early --anchor "$ANCHOR" >/dev/null 2>&1 || fail "verify --update early"
ok "lower evaluation number refused, higher installed, early set beside standard"

# --- --quote: the quote's FMSPC and CA only
S=$TMP/store-quote
fetch --quote "$TMP/q1" >"$TMP/q.out" 2>&1 || fail "fetch --quote: $(cat "$TMP/q.out")"
for f in tcb_info-50C06F000001-standard.json pck_crl-processor.der; do
	[ -s "$S/current/$f" ] || fail "fetch --quote: $f missing"
done
[ ! -e "$S/current/pck_crl-platform.der" ] || fail "fetch --quote fetched the other CA's CRL"
"$KS" verify "$TMP/q1" --store "$S" --anchor "$ANCHOR" >/dev/null 2>&1 || fail "verify after fetch --quote"
ok "fetch --quote: that platform's FMSPC and CA"

# --- a PCCS (hex CRLs, root CA CRL from /rootcacrl) and HTTPS
start_sim_pcs "$P" --pccs --access-log "$TMP/access.log" >/dev/null
S=$TMP/store-pccs
# shellcheck disable=SC2046
"$KS" collateral fetch --store "$S" --pcs "$PCS_URL" --anchor "$ANCHOR" $(fmspc_args) --timeout-ms 2000 \
	>"$TMP/pccs.out" 2>&1 || fail "fetch from a PCCS: $(cat "$TMP/pccs.out")"
grep -q "GET /sgx/certification/v4/rootcacrl 200" "$TMP/access.log" || fail "PCCS: /rootcacrl not used"
cmp -s "$S/current/pck_crl-processor.der" "$P/pcs/pckcrl_processor.der" || fail "PCCS: CRL not stored as DER"
verify_all "PCCS"
start_sim_pcs "$P" --tls-cert keys-example/server.pem --tls-key keys-example/server.key >/dev/null
S=$TMP/store-tls
URL=$PCS_URL
fetch --fmspc 50C06F000000 --pcs-ca keys-example/ca.pem >"$TMP/tls.out" 2>&1 || fail "HTTPS fetch: $(cat "$TMP/tls.out")"
S=$TMP/store-tls2
fetch --fmspc 50C06F000000 >"$TMP/tls.out" 2>&1 && fail "HTTPS fetch without --pcs-ca succeeded"
[ ! -e "$S/current" ] || fail "HTTPS without --pcs-ca installed something"
! grep -q api-key-sent "$TMP/access.log" || fail "an API key was sent"
ok "PCCS, HTTPS with --pcs-ca, no API key"

# --- PCS down: bounded failure
S=$TMP/store-down
URL=http://127.0.0.1:9
t0=$(date +%s)
fetch --fmspc 50C06F000000 >"$TMP/down.out" 2>&1 && fail "fetch from a closed port succeeded"
[ $(($(date +%s) - t0)) -le 15 ] || fail "PCS down: took over 15 s"
ok "PCS down: exit 1 in $(($(date +%s) - t0)) s"

# --- status around the warning window (documents valid for 10 days from now)
P2=$TMP/pki-short
"$SIM" pki "$P2" --platforms 3 --issue-date "$(iso "$NOW")" --validity-days 10 >/dev/null || fail "short PKI"
start_sim_pcs "$P2" >/dev/null
S=$TMP/store-short URL=$PCS_URL ANCHOR=$P2/collateral/root_ca.pem
# shellcheck disable=SC2046
fetch $(fmspc_args) >/dev/null 2>&1 || fail "fetch of the 10-day documents"
st() { "$KS" collateral status --store "$S" "$@" >"$TMP/st.out" 2>&1; }
st || fail "status now (10 days left, warning window 7): $(cat "$TMP/st.out")"
st --at "$(iso $((NOW + 4 * 86400)))" && fail "status 4 days later (6 left) exit 0"
st --at "$(iso $((NOW + 4 * 86400)))" --warn-days 5 || fail "status with --warn-days 5, 6 days left: exit 1"
st --at "$(iso $((NOW + 11 * 86400)))" && fail "status after nextUpdate exit 0"
"$KS" collateral status --store "$S" --json >"$TMP/st.json" 2>/dev/null || fail "status --json"
jq -e . "$TMP/st.json" >/dev/null || fail "status --json is not JSON"
ok "collateral status: 0 outside the window, 1 inside it and after expiry"

# --- the systemd unit's command line, expanded like systemd does (${X} one word, $X split)
cat >"$TMP/collateral.env" <<-ENV
	TDX_COLLATERAL_STORE=$TMP/store-unit
	TDX_PCS_URL=$URL
	TDX_COLLATERAL_ARGS="--anchor $ANCHOR --root-crl-url $URL/IntelSGXRootCA.der --fmspc 50C06F000001"
ENV
# ${X} -> "${X}" (one word), $X stays unquoted (split on white space)
cmd=$(sed -n 's|^ExecStart=/usr/sbin/tdx-keyserver ||p' systemd/tdx-keyserver-collateral.service |
	sed 's/\(\${[A-Z_]*}\)/"\1"/g')
[ -n "$cmd" ] || fail "no ExecStart in the unit"
(
	set -a
	# shellcheck source=/dev/null
	. "$TMP/collateral.env"
	set +a
	eval "set -- $cmd"
	"$KS" "$@"
) >"$TMP/unit.out" 2>&1 || fail "the unit's ExecStart: $(cat "$TMP/unit.out")"
[ -s "$TMP/store-unit/current/tcb_info-50C06F000001-standard.json" ] || fail "the unit's ExecStart stored nothing"
ok "systemd unit ExecStart with an environment file"
# --- documents that are well signed but wrong for their key or time: refused, store unchanged
cp "$P2/pcs/tcb_info/50C06F000000.json" "$P2/pcs/tcb_info/50C06F000002.json"
before=$(digest)
fetch --fmspc 50C06F000002 >"$TMP/wrong.out" 2>&1 && fail "TCB info of another FMSPC accepted"
grep -q "50C06F000002.*refused" "$TMP/wrong.out" || fail "wrong FMSPC: no refusal line: $(cat "$TMP/wrong.out")"
[ "$(digest)" = "$before" ] || fail "wrong FMSPC: the store changed"
"$SIM" pki "$P2" --resign --issue-date "$(iso $((NOW - 40 * 86400)))" --validity-days 30 >/dev/null || fail "expired resign"
fetch >"$TMP/expired.out" 2>&1 && fail "expired documents accepted"
[ "$(digest)" = "$before" ] || fail "expired documents: the store changed"
ok "a TCB info of another FMSPC and expired documents are refused"
echo "collateral_fetch_sim: all checks passed"
