#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tdx-sim pki: every collateral file exists, certificate chains and CRLs verify with the
# openssl CLI, the JSON collateral signatures verify over the raw signed slice, and each
# defect option produces its defect. Exit 77 (skip) when a prerequisite is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SIM=$BUILD/tdx-sim

for tool in openssl jq; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
[ -x "$SIM" ] || { echo "SKIP: $SIM not built (make $SIM)"; exit 77; }

tmp=$(mktemp -d /tmp/sim_pki.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Splits a PEM bundle into $2.1.pem, $2.2.pem, ...
split_pem() {
	awk -v out="$2" '/-----BEGIN CERTIFICATE-----/ { n++ } n { print > (out "." n ".pem") }' "$1"
}

# verify_json FILE MEMBER CHAIN: ECDSA P-256/SHA-256 r||s over the raw member slice.
verify_json() {
	local file=$1 member=$2 chain=$3 content inner sig
	content=$(cat "$file")
	inner=${content#\{\"$member\":}
	inner=${inner%,\"signature\":*}
	[ "$inner" != "$content" ] || fail "$file does not start with {\"$member\":"
	printf '%s' "$inner" >"$tmp/slice"
	# the slice is exactly the member jq sees
	[ "$(jq -cS . "$tmp/slice")" = "$(jq -cS ".$member" "$file")" ] || fail "$file: slice is not the $member member"
	sig=$(jq -r .signature "$file")
	[ ${#sig} = 128 ] || fail "$file: signature is not 128 hex digits"
	printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' "${sig:0:64}" "${sig:64:64}" >"$tmp/sig.cnf"
	openssl asn1parse -genconf "$tmp/sig.cnf" -out "$tmp/sig.der" >/dev/null
	split_pem "$chain" "$tmp/signer"
	openssl x509 -in "$tmp/signer.1.pem" -pubkey -noout >"$tmp/signer.pub"
	openssl dgst -sha256 -verify "$tmp/signer.pub" -signature "$tmp/sig.der" "$tmp/slice" >/dev/null
}

crl_lists() { openssl crl -inform DER -in "$1" -noout -text | grep -qi "Serial Number: $2"; }

T=2030-01-15T12:00:00Z
T_EPOCH=$(date -u -d "$T" +%s)
P=$tmp/pki
"$SIM" pki "$P" --time "$T"
C=$P/collateral

# --- layout
for f in root_ca.pem tcb_info.json tcb_info_issuer_chain.pem qe_identity.json \
	 qe_identity_issuer_chain.pem pck_crl.der pck_crl_issuer_chain.pem root_ca_crl.der; do
	[ -s "$C/$f" ] || fail "collateral/$f missing"
done
[ -s "$P/pck_chain.pem" ] || fail "pck_chain.pem missing"
for k in root_ca platform_ca pck tcb_signing attestation; do
	[ "$(stat -c %a "$P/keys/${k}_key.pem")" = 600 ] || fail "keys/${k}_key.pem is not mode 0600"
done

# --- chains (at T: the sim's validity window is built around it)
split_pem "$P/pck_chain.pem" "$tmp/pck"
[ -f "$tmp/pck.3.pem" ] && [ ! -f "$tmp/pck.4.pem" ] || fail "pck_chain.pem is not 3 certificates"
cmp -s <(openssl x509 -in "$tmp/pck.3.pem") <(openssl x509 -in "$C/root_ca.pem") || fail "chain root != root_ca.pem"
V="openssl verify -attime $T_EPOCH -x509_strict -CAfile $C/root_ca.pem"
$V -untrusted "$tmp/pck.2.pem" "$tmp/pck.1.pem" >/dev/null || fail "PCK chain does not verify"
split_pem "$C/tcb_info_issuer_chain.pem" "$tmp/tcb"
$V "$tmp/tcb.1.pem" >/dev/null || fail "TCB signing certificate does not verify"
split_pem "$C/pck_crl_issuer_chain.pem" "$tmp/crlchain"
cmp -s "$tmp/crlchain.1.pem" "$tmp/pck.2.pem" || fail "pck_crl_issuer_chain does not start with the platform CA"
openssl x509 -in "$tmp/pck.1.pem" -noout -subject | grep -q "CN = Intel SGX PCK Certificate" || fail "leaf CN"
openssl x509 -in "$tmp/pck.2.pem" -noout -subject | grep -q "CN = Intel SGX PCK Platform CA" || fail "platform CA CN"
openssl x509 -in "$tmp/tcb.1.pem" -noout -subject | grep -q "CN = Intel SGX TCB Signing" || fail "TCB signing CN"
openssl x509 -in "$tmp/pck.1.pem" -noout -text | grep -q "1.2.840.113741.1.13.1:" || fail "no SGX extension"
[ "$(openssl x509 -in "$tmp/pck.1.pem" -noout -startdate)" = "notBefore=Jan 14 12:00:00 2030 GMT" ] || fail "notBefore is not T - 1 day"

# --- CRLs parse and are signed by their issuers
openssl crl -inform DER -in "$C/root_ca_crl.der" -CAfile "$C/root_ca.pem" -noout 2>&1 | grep -q "verify OK" || fail "root CA CRL"
openssl crl -inform DER -in "$C/pck_crl.der" -CAfile "$C/pck_crl_issuer_chain.pem" -noout 2>&1 | grep -q "verify OK" || fail "PCK CRL"
! crl_lists "$C/pck_crl.der" 51D0000000000004 || fail "PCK revoked without --revoke-pck"
! crl_lists "$C/root_ca_crl.der" 51D0000000000002 || fail "platform CA revoked without --revoke-platform-ca"

# --- JSON collateral
verify_json "$C/tcb_info.json" tcbInfo "$C/tcb_info_issuer_chain.pem" || fail "tcbInfo signature"
verify_json "$C/qe_identity.json" enclaveIdentity "$C/qe_identity_issuer_chain.pem" || fail "enclaveIdentity signature"
[ "$(jq -r '.tcbInfo | "\(.id) \(.version) \(.issueDate) \(.nextUpdate)"' "$C/tcb_info.json")" = \
  "TDX 3 2030-01-14T12:00:00Z 2030-02-14T12:00:00Z" ] || fail "tcbInfo id/version/dates"
[ "$(jq -r '.enclaveIdentity | "\(.id) \(.version)"' "$C/qe_identity.json")" = "TD_QE 2" ] || fail "enclaveIdentity id/version"
jq -e '.tcbInfo.tdxModuleIdentities[] | select(.id == "TDX_01")' "$C/tcb_info.json" >/dev/null || fail "no TDX_01 identity"
jq -e '.tcbInfo.tcbLevels[0].tcbStatus == "UpToDate" and (.tcbInfo.tcbLevels[1].advisoryIDs | length > 0)' \
	"$C/tcb_info.json" >/dev/null || fail "tcbLevels"
cert_fmspc=$(openssl x509 -in "$tmp/pck.1.pem" -outform DER | od -An -tx1 -v | tr -d ' \n' |
	grep -o '060a2a864886f84d010d01040406[0-9a-f]\{12\}' | tail -c 13)
[ "$(jq -r .tcbInfo.fmspc "$C/tcb_info.json" | tr A-F a-f)" = "$cert_fmspc" ] || fail "fmspc differs from the PCK certificate"
qe_mrsigner=$(jq -r .enclaveIdentity.mrsigner "$C/qe_identity.json")

# --- a quote over this PKI
"$SIM" quote --pki "$P" --report-data "$(printf '%0128d' 0)" -o "$tmp/q"
[ "$(od -An -tx1 -N8 "$tmp/q" | tr -d ' \n')" = 0400020081000000 ] || fail "quote header"

# --- defect options, one at a time
defect() { rm -rf "$tmp/d"; "$SIM" pki "$tmp/d" --time "$T" "$@"; }
defect --revoke-pck
crl_lists "$tmp/d/collateral/pck_crl.der" 51D0000000000004 || fail "--revoke-pck"
defect --revoke-platform-ca
crl_lists "$tmp/d/collateral/root_ca_crl.der" 51D0000000000002 || fail "--revoke-platform-ca"
defect --expired-tcb-info
[ "$(jq -r .tcbInfo.nextUpdate "$tmp/d/collateral/tcb_info.json")" = 2030-01-14T12:00:00Z ] || fail "--expired-tcb-info"
verify_json "$tmp/d/collateral/tcb_info.json" tcbInfo "$tmp/d/collateral/tcb_info_issuer_chain.pem" || fail "expired tcbInfo still signed"
defect --expired-qe-identity
[ "$(jq -r .enclaveIdentity.nextUpdate "$tmp/d/collateral/qe_identity.json")" = 2030-01-14T12:00:00Z ] || fail "--expired-qe-identity"
defect --bad-tcb-info-sig
! verify_json "$tmp/d/collateral/tcb_info.json" tcbInfo "$tmp/d/collateral/tcb_info_issuer_chain.pem" 2>/dev/null || fail "--bad-tcb-info-sig verifies"
defect --qe-identity-mismatch
[ "$(jq -r .enclaveIdentity.mrsigner "$tmp/d/collateral/qe_identity.json")" != "$qe_mrsigner" ] || fail "--qe-identity-mismatch"
defect --fmspc-mismatch
[ "$(jq -r .tcbInfo.fmspc "$tmp/d/collateral/tcb_info.json" | tr A-F a-f)" != "$cert_fmspc" ] || fail "--fmspc-mismatch"
# --- several platforms: FMSPC per platform, even ones under the Platform CA, odd ones under
# the Processor CA; each platform directory is a one-platform PKI whose chain verifies, and
# DIR/pcs holds one TCB info per FMSPC and both PCK CRLs
M=$tmp/multi
"$SIM" pki "$M" --time "$T" --platforms 3
[ "$(jq -r '[.platforms[] | "\(.fmspc):\(.ca)"] | join(" ")' "$M/platforms.json")" = \
  "50C06F000000:platform 50C06F000001:processor 50C06F000002:platform" ] || fail "platforms.json"
for i in 0 1 2; do
	split_pem "$M/platforms/$i/pck_chain.pem" "$tmp/m$i"
	openssl verify -attime "$T_EPOCH" -x509_strict -CAfile "$M/collateral/root_ca.pem" \
		-untrusted "$tmp/m$i.2.pem" "$tmp/m$i.1.pem" >/dev/null || fail "platform $i chain"
	fm=$(jq -r ".platforms[$i].fmspc" "$M/platforms.json")
	[ "$(jq -r .tcbInfo.fmspc "$M/platforms/$i/collateral/tcb_info.json")" = "$fm" ] || fail "platform $i tcb_info fmspc"
	cmp -s <(tr -d '\n' <"$M/platforms/$i/collateral/tcb_info.json") "$M/pcs/tcb_info/$fm.json" || fail "platform $i tcb_info != pcs/tcb_info/$fm.json"
	openssl x509 -in "$tmp/m$i.1.pem" -outform DER | od -An -tx1 -v | tr -d ' \n' |
		grep -q "060a2a864886f84d010d01040406$(printf '%s' "$fm" | tr A-F a-f)" || fail "platform $i leaf FMSPC"
	"$SIM" quote --pki "$M" --platform "$i" --report-data "$(printf '%0128d' 0)" -o "$tmp/mq$i" || fail "quote --platform $i"
done
openssl x509 -in "$tmp/m1.2.pem" -noout -subject | grep -q "CN = Intel SGX PCK Processor CA" || fail "processor CA CN"
openssl crl -inform DER -in "$M/pcs/pckcrl_processor.der" -CAfile "$M/pcs/pckcrl_processor_issuer_chain.pem" -noout 2>&1 |
	grep -q "verify OK" || fail "processor CA CRL"
cmp -s "$M/pcs/pckcrl_processor.der" "$M/platforms/1/collateral/pck_crl.der" || fail "platform 1 CRL"
"$SIM" quote --pki "$M" --fmspc 50c06f000002 --report-data "$(printf '%0128d' 0)" -o "$tmp/mqf"
cmp -s <(tail -c 1500 "$tmp/mqf") <(tail -c 1500 "$tmp/mq2") && ! cmp -s <(tail -c 1500 "$tmp/mqf") <(tail -c 1500 "$tmp/mq1") || fail "--fmspc picks another platform than --platform"
! "$SIM" quote --pki "$M" --platform 3 --report-data "$(printf '%0128d' 0)" -o "$tmp/x" 2>/dev/null || fail "--platform 3 accepted"

# --- re-signing: new window and evaluation number everywhere, keys unchanged
cp "$M/keys/tcb_signing_key.pem" "$tmp/k"
"$SIM" pki "$M" --resign --time "$T" --tcb-eval 18 --issue-date 2030-02-01T00:00:00Z --validity-days 10
cmp -s "$tmp/k" "$M/keys/tcb_signing_key.pem" || fail "--resign changed a key"
for f in "$M/pcs/tcb_info/50C06F000001.json" "$M/platforms/2/collateral/tcb_info.json"; do
	[ "$(jq -r '.tcbInfo | "\(.issueDate) \(.nextUpdate) \(.tcbEvaluationDataNumber)"' "$f")" = \
	  "2030-02-01T00:00:00Z 2030-02-11T00:00:00Z 18" ] || fail "--resign $f"
	verify_json "$f" tcbInfo "$M/pcs/tcb_signing_chain.pem" || fail "--resign signature $f"
done
[ "$(jq -r .enclaveIdentity.tcbEvaluationDataNumber "$M/pcs/qe_identity.json")" = 18 ] || fail "--resign qe identity"
[ "$(openssl crl -inform DER -in "$M/pcs/pckcrl_platform.der" -noout -lastupdate)" = "lastUpdate=Feb  1 00:00:00 2030 GMT" ] || fail "--resign CRL"
"$SIM" pki "$M" --resign --time "$T" --update early --tcb-eval 19
[ "$(jq -r .tcbInfo.tcbEvaluationDataNumber "$M/pcs/early/tcb_info/50C06F000000.json")" = 19 ] || fail "--update early"
[ "$(jq -r .tcbInfo.tcbEvaluationDataNumber "$M/pcs/tcb_info/50C06F000000.json")" = 18 ] || fail "--update early touched standard"
! "$SIM" pki "$tmp/e" --time yesterday 2>/dev/null || fail "--time accepts garbage"
echo "sim_pki: all checks passed"
