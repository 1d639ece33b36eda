#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Issue 14 item 1 against a running tdx-keyserver on 127.0.0.1: a TD asks for each resource
# over its session cookie and over its own Bearer token (tests/integration/kbs_token_client.py),
# and both must get the same answer for policies on the members the token once dropped
# (mr_owner, mr_owner_config, mr_seam). Before the fix a TD refused over its cookie by
# "mr_owner": [zeros] was released over its token, and a correct mr_seam pin was refused.
source "$(dirname "$0")/lib.bash"
command -v python3 >/dev/null && python3 -c 'import ssl' 2>/dev/null || skip "python3 with ssl absent (make deps)"
command -v jq >/dev/null || skip "jq absent (make deps)"
SIM=$BUILD/tdx-sim KS=$BUILD/tdx-keyserver
for b in "$SIM" "$KS"; do [ -x "$b" ] || fail "$b not built"; done

"$SIM" pki "$TMP/pki" >/dev/null || fail "tdx-sim pki"
rep() { printf "$1%.0s" $(seq 48); }
OWNER=$(rep 4a) OWNERCFG=$(rep 5b) SEAM=$(rep 6c) ZERO=$(rep 00)
echo "{\"mr_owner\":\"$OWNER\",\"mr_owner_config\":\"$OWNERCFG\",\"mr_seam\":\"$SEAM\"}" >"$TMP/td.json"

# resource -> policy, and the answer both paths must give
declare -A POLICY=(
	[t/bearer/owner-ok]="{\"mr_owner\":[\"$OWNER\"]}"
	[t/bearer/owner-zero]="{\"mr_owner\":[\"$ZERO\"]}"
	[t/bearer/ownercfg-ok]="{\"mr_owner_config\":[\"$OWNERCFG\"]}"
	[t/bearer/ownercfg-zero]="{\"mr_owner_config\":[\"$ZERO\"]}"
	[t/bearer/seam-ok]="{\"mr_seam\":[\"$SEAM\"]}"
	[t/bearer/seam-zero]="{\"mr_seam\":[\"$ZERO\"]}"
	[t/bearer/all-ok]="{\"mr_owner\":[\"$OWNER\"],\"mr_owner_config\":[\"$OWNERCFG\"],\"mr_seam\":[\"$SEAM\"]}"
)
declare -A WANT=(
	[t/bearer/owner-ok]=200 [t/bearer/owner-zero]=401 [t/bearer/ownercfg-ok]=200
	[t/bearer/ownercfg-zero]=401 [t/bearer/seam-ok]=200 [t/bearer/seam-zero]=401 [t/bearer/all-ok]=200
)
mkdir -p "$TMP/res/t/bearer"
echo '{}' >"$TMP/policy.json"
for r in "${!POLICY[@]}"; do
	jq --arg r "$r" --argjson p "${POLICY[$r]}" '.[$r] = $p' "$TMP/policy.json" >"$TMP/policy.tmp" ||
		fail "policy for $r"
	mv "$TMP/policy.tmp" "$TMP/policy.json"
	printf secret >"$TMP/res/$r"
	chmod 600 "$TMP/res/$r"
done

start_keyserver bearer 0
timeout 60 python3 tests/integration/kbs_token_client.py --port "$SRV_PORT" --ca keys-example/ca.pem \
	--sim "$SIM" --pki "$TMP/pki" --td "$TMP/td.json" "${!POLICY[@]}" >"$TMP/answers" 2>"$TMP/client.err" ||
	fail "client: $(cat "$TMP/client.err")"
for r in "${!POLICY[@]}"; do
	line=$(grep "^$r " "$TMP/answers") || fail "$r: no answer"
	[ "$line" = "$r cookie=${WANT[$r]} bearer=${WANT[$r]}" ] ||
		fail "$r (policy ${POLICY[$r]}): $line, expected ${WANT[$r]} on both paths"
	ok "$r: ${WANT[$r]} over the cookie and over the Bearer token"
done
# The audit log says why, the same for both paths (every refusal names the member; the
# second, identical one within the same second is counted, not repeated: audit.h).
kill -0 "$SRV_PID" || fail "key server died"
kill "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
for r in t/bearer/owner-zero t/bearer/ownercfg-zero t/bearer/seam-zero; do
	jq -r --arg r "$r" 'select(.decision == "refuse" and .resource == $r) | .reason' "$TMP/bearer.audit" |
		grep -q -E '^(mr_owner|mr_owner_config|mr_seam) ' || fail "$r: no refusal naming the member in the audit log"
done
n=$(jq -s '[.[] | select(.decision == "refuse")] | length' "$TMP/bearer.audit")
m=$(jq -s '[.[] | select(.event == "audit") | .suppressed] | add // 0' "$TMP/bearer.audit")
[ $((n + m)) = 6 ] || fail "expected 6 policy refusals (lines + suppressed), got $n + $m: $(cat "$TMP/bearer.audit")"
