#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tdx-sim pcs: every endpoint answers like Intel PCS v4 (bodies = the PKI's documents,
# issuer chain headers = URL-encoded PEM of the right chain, Request-ID, content types,
# 400/404/405/410), the PCCS variant (hex CRLs, /rootcacrl, /crl?uri=), HTTPS, and every
# fault (bad-sig, old, status, 429, truncate, short, slow, bad-chain, no-chain, @MATCH,
# #COUNT, fault file switched at run time, SIGHUP) and re-signing under a running server.
# curl on 127.0.0.1 only. Exit 77 (skip) when a prerequisite is missing.
# shellcheck source=tests/integration/lib.bash
. "$(dirname "$0")/lib.bash"
SIM=$BUILD/tdx-sim
for tool in curl openssl jq xxd; do
	command -v "$tool" >/dev/null || skip "$tool not installed"
done
[ -x "$SIM" ] || skip "$SIM not built"

P=$TMP/pki
"$SIM" pki "$P" --platforms 3 >/dev/null || fail "tdx-sim pki --platforms 3"
FMSPCS="50C06F000000 50C06F000001 50C06F000002"
TDX=/tdx/certification/v4
SGX=/sgx/certification/v4

# get PATH -> $TMP/body, $TMP/hdr; sets CODE; curl's exit status in CURL_RC
get() {
	CURL_RC=0
	CODE=$(curl -sS --max-time 10 -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code}' "${CURL_OPTS[@]}" "$PCS_URL$1" 2>"$TMP/curl.err") || CURL_RC=$?
}
CURL_OPTS=()
expect_code() { get "$1"; [ "$CODE" = "$2" ] || fail "GET $1: status $CODE, want $2"; }
# header NAME: its value from $TMP/hdr (empty when absent)
header() { grep -i "^$1:" "$TMP/hdr" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
# decode: strict %XX decoding of stdin (a + stays a +)
decode() { sed 's/\\/\\\\/g; s/%\([0-9A-Fa-f][0-9A-Fa-f]\)/\\x\1/g' | { IFS= read -r l; printf '%b' "$l"; }; }
expect_chain() {
	local name=$1 file=$2 v
	v=$(header "$name")
	[ -n "$v" ] || fail "$name missing"
	[[ $v =~ ^[A-Za-z0-9._~%-]+$ ]] || fail "$name has characters that are not URL-encoded"
	[[ $v == -----BEGIN%20CERTIFICATE-----%0A* ]] || fail "$name does not start as Intel's"
	cmp -s <(printf '%s' "$v" | decode) "$file" || fail "$name is not $file"
}
expect_rid() { [[ $(header Request-ID) =~ ^[0-9a-f]{32}$ ]] || fail "Request-ID missing or not 32 hex"; }
expect_ctype() { [ "$(header Content-Type)" = "$1" ] || fail "Content-Type $(header Content-Type), want $1"; }
# sig_ok FILE MEMBER: the JSON signature verifies with the TCB signing key over the raw slice
sig_ok() {
	local content inner sig
	content=$(cat "$1")
	inner=${content#\{\""$2"\":}
	inner=${inner%,\"signature\":*}
	printf '%s' "$inner" >"$TMP/slice"
	sig=$(jq -r .signature "$1")
	printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' "${sig:0:64}" "${sig:64:64}" >"$TMP/sig.cnf"
	openssl asn1parse -genconf "$TMP/sig.cnf" -out "$TMP/sig.der" >/dev/null
	openssl x509 -in "$P/certs/tcb_signing.pem" -pubkey -noout >"$TMP/signer.pub"
	openssl dgst -sha256 -verify "$TMP/signer.pub" -signature "$TMP/sig.der" "$TMP/slice" >/dev/null 2>&1
}
crl_ok() { openssl crl -inform DER -in "$1" -CAfile "$2" -noout 2>&1 | grep -q "verify OK"; }

start_sim_pcs "$P" --access-log "$TMP/access.log" --fault-file "$TMP/faults" >/dev/null
FIRST_URL=$PCS_URL

# --- TCB info per FMSPC, standard = early until an early set exists, any hex case
for f in $FMSPCS; do
	expect_code "$TDX/tcb?fmspc=$f" 200
	cmp -s "$TMP/body" "$P/pcs/tcb_info/$f.json" || fail "tcb $f body"
	expect_chain TCB-Info-Issuer-Chain "$P/pcs/tcb_signing_chain.pem"
	expect_rid
	expect_ctype application/json
	sig_ok "$TMP/body" tcbInfo || fail "tcb $f signature"
	expect_code "$TDX/tcb?fmspc=${f,,}&update=early" 200
	cmp -s "$TMP/body" "$P/pcs/tcb_info/$f.json" || fail "tcb $f early (lower-case query)"
done
ok "TCB info of 3 FMSPCs"
expect_code "$TDX/tcb?fmspc=50C06F000001&tcbEvaluationDataNumber=17" 200
expect_code "$TDX/tcb?fmspc=50C06F000001&tcbEvaluationDataNumber=16" 410
expect_code "$TDX/tcb?fmspc=50C06F000001&tcbEvaluationDataNumber=18" 404
for q in "" "?fmspc=50C06F00000" "?fmspc=50C06F00000G" "?fmspc=50C06F000001&update=late" \
	 "?fmspc=50C06F000001&update=standard&tcbEvaluationDataNumber=17"; do
	expect_code "$TDX/tcb$q" 400
	expect_rid
done
expect_code "$TDX/tcb?fmspc=50C06F0000FF" 404
expect_code "$SGX/tcb?fmspc=50C06F000000" 404
ok "tcb: 400/404/410 and tcbEvaluationDataNumber"

# --- QE identity
expect_code "$TDX/qe/identity" 200
cmp -s "$TMP/body" "$P/pcs/qe_identity.json" || fail "qe identity body"
expect_chain SGX-Enclave-Identity-Issuer-Chain "$P/pcs/tcb_signing_chain.pem"
sig_ok "$TMP/body" enclaveIdentity || fail "qe identity signature"
expect_code "$TDX/qe/identity?update=standard" 200
ok "QE identity"

# --- PCK CRLs of both CAs: PEM by default, DER on request; root CA CRL at Intel's CDP path
for ca in platform processor; do
	expect_code "$SGX/pckcrl?ca=$ca" 200
	expect_ctype application/x-pem-file
	head -1 "$TMP/body" | grep -qx -- "-----BEGIN X509 CRL-----" || fail "$ca CRL PEM"
	cmp -s <(openssl crl -in "$TMP/body" -outform DER) "$P/pcs/pckcrl_$ca.der" || fail "$ca CRL PEM != DER file"
	expect_chain SGX-PCK-CRL-Issuer-Chain "$P/pcs/pckcrl_${ca}_issuer_chain.pem"
	expect_code "$SGX/pckcrl?ca=$ca&encoding=der" 200
	expect_ctype application/pkix-crl
	cmp -s "$TMP/body" "$P/pcs/pckcrl_$ca.der" || fail "$ca CRL DER"
	crl_ok "$TMP/body" "$P/pcs/pckcrl_${ca}_issuer_chain.pem" || fail "$ca CRL signature"
done
openssl crl -inform DER -in "$P/pcs/pckcrl_processor.der" -noout -issuer | grep -q "PCK Processor CA" || fail "processor CRL issuer"
expect_code "$SGX/pckcrl" 400
expect_code "$SGX/pckcrl?ca=other" 400
expect_code "$SGX/pckcrl?ca=platform&encoding=xml" 400
expect_code "/IntelSGXRootCA.der" 200
cmp -s "$TMP/body" "$P/pcs/root_ca_crl.der" || fail "root CA CRL"
[ -z "$(header SGX-PCK-CRL-Issuer-Chain)" ] || fail "root CA CRL has an issuer chain header"
expect_code "$SGX/rootcacrl" 404   # PCS has none (PCCS only)
expect_code "$SGX/fmspcs" 200
[ "$(jq -r '[.[].fmspc] | join(" ")' "$TMP/body")" = "$FMSPCS" ] || fail "fmspcs"
expect_code "$TDX/tcbevaluationdatanumbers" 200
expect_chain TCB-Evaluation-Data-Numbers-Issuer-Chain "$P/pcs/tcb_signing_chain.pem"
sig_ok "$TMP/body" tcbEvaluationDataNumbers || fail "tcbevaluationdatanumbers signature"
[ "$(jq -c '[.tcbEvaluationDataNumbers | .id, .version, (.tcbEvalNumbers[] | .tcbEvaluationDataNumber)]' "$TMP/body")" = '["TDX",1,17,16,15]' ] ||
	fail "tcbevaluationdatanumbers: $(cat "$TMP/body")"
expect_code "/nothing" 404
[ "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$PCS_URL$TDX/qe/identity")" = 405 ] || fail "POST not 405"
ok "PCK CRLs (both CAs, PEM/DER), root CA CRL, fmspcs, tcbevaluationdatanumbers, 400/404/405"

# --- faults, switched at run time through the fault file
fault() { printf '%s\n' "$@" >"$TMP/faults.new"; mv "$TMP/faults.new" "$TMP/faults"; }
fault "bad-sig@$TDX/tcb"
expect_code "$TDX/tcb?fmspc=50C06F000002" 200
! sig_ok "$TMP/body" tcbInfo || fail "bad-sig: TCB info still verifies"
expect_code "$TDX/qe/identity" 200
sig_ok "$TMP/body" enclaveIdentity || fail "bad-sig@tcb hit the QE identity"
fault "old@fmspc=50C06F000002"
expect_code "$TDX/tcb?fmspc=50C06F000002" 200
[ "$(jq .tcbInfo.tcbEvaluationDataNumber "$TMP/body")" = 16 ] || fail "old: evaluation number"
sig_ok "$TMP/body" tcbInfo || fail "old: not correctly signed"
expect_code "$TDX/tcb?fmspc=50C06F000001" 200
[ "$(jq .tcbInfo.tcbEvaluationDataNumber "$TMP/body")" = 17 ] || fail "old@fmspc hit another FMSPC"
fault "old@qe/identity"
expect_code "$TDX/qe/identity" 200
[ "$(jq .enclaveIdentity.tcbEvaluationDataNumber "$TMP/body")" = 16 ] || fail "old QE identity: evaluation number"
sig_ok "$TMP/body" enclaveIdentity || fail "old QE identity: not correctly signed"
fault "old@pckcrl" "bad-sig@IntelSGXRootCA"
expect_code "$SGX/pckcrl?ca=processor&encoding=der" 200
crl_ok "$TMP/body" "$P/pcs/pckcrl_processor_issuer_chain.pem" || fail "old CRL not correctly signed"
want=$(date -u -d "$(openssl crl -inform DER -in "$P/pcs/pckcrl_processor.der" -noout -lastupdate | cut -d= -f2) - 1 day" +%s)
[ "$(date -u -d "$(openssl crl -inform DER -in "$TMP/body" -noout -lastupdate | cut -d= -f2)" +%s)" = "$want" ] || fail "old CRL thisUpdate"
expect_code "/IntelSGXRootCA.der" 200
! crl_ok "$TMP/body" "$P/pcs/root_ca.pem" || fail "bad-sig root CRL verifies"
fault "bad-sig@pckcrl"
expect_code "$SGX/pckcrl?ca=platform" 200
openssl crl -in "$TMP/body" -outform DER -out "$TMP/crl.der" || fail "bad-sig PEM CRL does not parse"
! crl_ok "$TMP/crl.der" "$P/pcs/pckcrl_platform_issuer_chain.pem" || fail "bad-sig PEM CRL verifies"
ok "bad-sig and old (JSON, CRLs; per path and per FMSPC)"

fault 500
expect_code "$TDX/qe/identity" 500
expect_rid
fault "status:503@pckcrl"
expect_code "$SGX/pckcrl?ca=platform" 503
expect_code "$TDX/qe/identity" 200
fault "429:7@qe/identity"
expect_code "$TDX/qe/identity" 429
[ "$(header Retry-After)" = 7 ] || fail "429 without Retry-After: 7"
fault "truncate@qe/identity"
get "$TDX/qe/identity"
[ "$CURL_RC" = 18 ] || fail "truncate: curl exit $CURL_RC, want 18 (partial file)"
[ "$(header Content-Length)" = "$(stat -c %s "$P/pcs/qe_identity.json")" ] || fail "truncate: Content-Length"
fault "short@tcb"
expect_code "$TDX/tcb?fmspc=50C06F000000" 200
[ "$(stat -c %s "$TMP/body")" = $(($(stat -c %s "$P/pcs/tcb_info/50C06F000000.json") / 2)) ] || fail "short body"
fault "slow:600@qe"
start=$(date +%s%N)
expect_code "$TDX/qe/identity" 200
[ $(($(date +%s%N) - start)) -ge 600000000 ] || fail "slow:600 answered sooner"
fault "bad-chain@tcb" "no-chain@pckcrl"
expect_code "$TDX/tcb?fmspc=50C06F000000" 200
expect_chain TCB-Info-Issuer-Chain "$P/pcs/pckcrl_platform_issuer_chain.pem"
expect_code "$SGX/pckcrl?ca=platform" 200
[ -z "$(header SGX-PCK-CRL-Issuer-Chain)" ] || fail "no-chain: header present"
ok "500, status:503, 429 Retry-After, truncate, short, slow, bad-chain, no-chain"

fault "500@qe/identity#2"
expect_code "$TDX/qe/identity" 500
expect_code "$TDX/qe/identity" 500
expect_code "$TDX/qe/identity" 200
kill -HUP "$PCS_PID"   # counts start again
qe_is_500() { [ "$(curl -sS -o /dev/null -w '%{http_code}' "$PCS_URL$TDX/qe/identity")" = 500 ]; }
wait_for 50 qe_is_500 || fail "SIGHUP did not reset the count"
fault
expect_code "$TDX/qe/identity" 200
ok "#COUNT, SIGHUP, fault file emptied"

# command-line fault (the first request only)
start_sim_pcs "$P" --fault "429@pckcrl#1" >/dev/null
expect_code "$SGX/pckcrl?ca=platform&encoding=der" 429
[ "$(header Retry-After)" = 1 ] || fail "--fault 429 default Retry-After"
expect_code "$SGX/pckcrl?ca=platform&encoding=der" 200
! "$SIM" pcs --pki "$P" --listen tcp:127.0.0.1:0 --fault "teapot" 2>/dev/null || fail "bad --fault accepted"
ok "--fault on the command line"

# --- re-signing while running: later documents without a restart; an early set
PCS_URL=$FIRST_URL
"$SIM" pki "$P" --resign --tcb-eval 18 || fail "resign"
expect_code "$TDX/tcb?fmspc=50C06F000001" 200
[ "$(jq .tcbInfo.tcbEvaluationDataNumber "$TMP/body")" = 18 ] || fail "re-signed TCB info not served"
sig_ok "$TMP/body" tcbInfo || fail "re-signed TCB info: signature"
"$SIM" pki "$P" --resign --update early --tcb-eval 19 || fail "resign early"
expect_code "$TDX/tcb?fmspc=50C06F000001&update=early" 200
[ "$(jq .tcbInfo.tcbEvaluationDataNumber "$TMP/body")" = 19 ] || fail "early set not served"
expect_code "$TDX/qe/identity?update=early" 200
[ "$(jq .enclaveIdentity.tcbEvaluationDataNumber "$TMP/body")" = 19 ] || fail "early QE identity not served"
expect_code "$TDX/tcb?fmspc=50C06F000001" 200
[ "$(jq .tcbInfo.tcbEvaluationDataNumber "$TMP/body")" = 18 ] || fail "standard changed by the early set"
expect_code "$TDX/tcbevaluationdatanumbers" 200
[ "$(jq -c '[.tcbEvaluationDataNumbers.tcbEvalNumbers[].tcbEvaluationDataNumber]' "$TMP/body")" = '[19,18,17]' ] ||
	fail "tcbevaluationdatanumbers after the early set: $(cat "$TMP/body")"
ok "re-signed and early documents served without a restart"

# --- the PCCS variant
start_sim_pcs "$P" --pccs >/dev/null
expect_code "$SGX/pckcrl?ca=PROCESSOR" 200
[ "$(cat "$TMP/body")" = "$(xxd -p "$P/pcs/pckcrl_processor.der" | tr -d '\n')" ] || fail "PCCS: CRL not hex"
expect_chain SGX-PCK-CRL-Issuer-Chain "$P/pcs/pckcrl_processor_issuer_chain.pem"
expect_code "$SGX/pckcrl?ca=platform&encoding=der" 200
cmp -s "$TMP/body" "$P/pcs/pckcrl_platform.der" || fail "PCCS: encoding=der"
expect_code "$SGX/rootcacrl" 200
[ "$(cat "$TMP/body")" = "$(xxd -p "$P/pcs/root_ca_crl.der" | tr -d '\n')" ] || fail "PCCS: rootcacrl not hex"
expect_code "$SGX/crl?uri=https://certificates.trustedservices.intel.com/IntelSGXRootCA.der" 200
cmp -s "$TMP/body" "$P/pcs/root_ca_crl.der" || fail "PCCS: crl?uri="
expect_code "$SGX/crl?uri=https://example.invalid/x.crl" 400
expect_code "$TDX/tcb?fmspc=50c06f000002&update=EARLY&tcbEvaluationDataNumber=3" 200
expect_code "$SGX/fmspcs" 404
expect_code "$TDX/tcbevaluationdatanumbers" 404
rid=0123456789abcdef0123456789abcdef
[ "$(curl -sS -D - -o /dev/null -H "Request-ID: $rid" "$PCS_URL$TDX/qe/identity" | grep -i '^Request-ID:' | tr -d '\r' | cut -d' ' -f2)" = $rid ] ||
	fail "PCCS: Request-ID not echoed"
ok "PCCS: hex CRLs, encoding=der, rootcacrl, crl?uri=, Request-ID echo"

# --- HTTPS with the example CA
start_sim_pcs "$P" --tls-cert keys-example/server.pem --tls-key keys-example/server.key >/dev/null
[[ $PCS_URL == https://127.0.0.1:* ]] || fail "HTTPS URL $PCS_URL"
CURL_OPTS=(--cacert keys-example/ca.pem)
expect_code "$TDX/tcb?fmspc=50C06F000000" 200
CURL_OPTS=()
! curl -sS -o /dev/null "$PCS_URL$TDX/qe/identity" 2>/dev/null || fail "HTTPS accepted without its CA"
ok "HTTPS"

grep -q " 200 request-id=" "$TMP/access.log" || fail "access log"
! grep -q api-key-sent "$TMP/access.log" || fail "an API key was sent"
echo "sim_pcs: all checks passed"
