#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Issue 14 items 9 and 14: `tdx-keyserver policy-from-quote` prints a complete policy file
# that a running key server loads as-is; the quote's TD is released over cookie and Bearer
# token (tests/integration/kbs_token_client.py), and a TD one bit different in any pinned
# member is refused. For a v5 (TDX 1.5) quote the policy also pins mr_servicetd, with
# --pin-module mr_seam and tee_tcb_svn2, and a v4 quote of the same TD is refused by it.
# The shipped keys-example/policy.json is this command's output for the simulator's TD.
source "$(dirname "$0")/lib.bash"
command -v python3 >/dev/null && python3 -c 'import ssl' 2>/dev/null || skip "python3 with ssl absent (make deps)"
command -v jq >/dev/null || skip "jq absent (make deps)"
SIM=$BUILD/tdx-sim KS=$BUILD/tdx-keyserver
for b in "$SIM" "$KS"; do [ -x "$b" ] || fail "$b not built"; done
ZERO_RD=$(printf '0%.0s' $(seq 128))

"$SIM" pki "$TMP/pki" >/dev/null || fail "tdx-sim pki"
"$SIM" profile >"$TMP/profile.json" || fail "tdx-sim profile"
"$SIM" quote --pki "$TMP/pki" --report-data "$ZERO_RD" -o "$TMP/q4.bin" || fail "tdx-sim quote"
"$SIM" quote --pki "$TMP/pki" --report-data "$ZERO_RD" --quote-version 5 -o "$TMP/q5.bin" || fail "tdx-sim quote v5"

# --- the output ------------------------------------------------------------------------------
"$KS" policy-from-quote "$TMP/q4.bin" >"$TMP/default.json" || fail "policy-from-quote"
jq -e 'keys == ["default/luks/root"]' "$TMP/default.json" >/dev/null ||
	fail "without --resource: expected {\"default/luks/root\": ...}: $(cat "$TMP/default.json")"
"$KS" policy-from-quote --resource default/luks/demo "$TMP/q4.bin" >"$TMP/demo.json" || fail "--resource"
cmp -s <(jq -S . "$TMP/demo.json") <(jq -S . keys-example/policy.json) ||
	fail "keys-example/policy.json is not policy-from-quote of the simulator's TD: $(diff <(jq -S . "$TMP/demo.json") <(jq -S . keys-example/policy.json))"
for bad in "" default/luks "../x/y" "a/b/c/d"; do
	"$KS" policy-from-quote --resource "$bad" "$TMP/q4.bin" >"$TMP/bad.out" 2>"$TMP/bad.err"
	[ $? = 2 ] && [ ! -s "$TMP/bad.out" ] && grep -q "REPO/TYPE/TAG" "$TMP/bad.err" ||
		fail "--resource '$bad': expected a usage error naming REPO/TYPE/TAG: $(cat "$TMP/bad.err")"
done
V4KEYS='["allow_debug","mr_config_id","mr_owner","mr_owner_config","mr_td","rtmr0","rtmr1","rtmr2","rtmr3","tcb_status","td_attributes","xfam"]'
jq -e --argjson k "$V4KEYS" '.["default/luks/root"] | keys == $k' "$TMP/default.json" >/dev/null ||
	fail "v4 policy members: $(jq -c '.[] | keys' "$TMP/default.json")"
"$KS" policy-from-quote --resource default/luks/v5 "$TMP/q5.bin" >"$TMP/v5.json" || fail "policy-from-quote v5"
jq -e --argjson k "$V4KEYS" '.["default/luks/v5"] | keys == ($k + ["mr_servicetd"] | sort)' "$TMP/v5.json" >/dev/null ||
	fail "v5 policy members: $(jq -c '.[] | keys' "$TMP/v5.json")"
"$KS" policy-from-quote --pin-module --resource default/luks/v5 "$TMP/q5.bin" >"$TMP/v5m.json" || fail "--pin-module"
jq -e --argjson k "$V4KEYS" '.["default/luks/v5"] | keys == ($k + ["mr_servicetd","mr_seam","tee_tcb_svn2"] | sort)' \
	"$TMP/v5m.json" >/dev/null || fail "v5 --pin-module members: $(jq -c '.[] | keys' "$TMP/v5m.json")"
ok "a complete policy file; default resource default/luks/root; keys-example/policy.json matches"

# td_flip MEMBER: the simulator's TD with the lowest bit of MEMBER flipped, as a profile file.
td_flip() {
	local v last
	v=$(jq -r --arg m "$1" '.[$m]' "$TMP/profile.json")
	last=$(printf '%x' $((0x${v: -1} ^ 1)))
	jq --arg m "$1" --arg v "${v%?}$last" '{($m): $v}' -n >"$TMP/flip-$1.json"
	echo "$TMP/flip-$1.json"
}

# answer RESOURCE QUOTE_VERSION [PROFILE]: "cookie=S bearer=S" for one fresh attestation.
answer() {
	local out
	out=$(timeout 60 python3 tests/integration/kbs_token_client.py --port "$SRV_PORT" --ca keys-example/ca.pem \
		--sim "$SIM" --pki "$TMP/pki" --quote-version "$2" ${3:+--td "$3"} "$1" 2>"$TMP/client.err") ||
		fail "client: $(cat "$TMP/client.err")"
	echo "${out#"$1 "}"
}

# --- v4: loaded as-is, the TD released, one bit off refused ------------------------------------
mkdir -p "$TMP/res/default/luks"
printf secret >"$TMP/res/default/luks/root"
printf secret >"$TMP/res/default/luks/v5"
chmod 600 "$TMP/res/default/luks/"*
cp "$TMP/default.json" "$TMP/policy.json"
start_keyserver v4 0
a=$(answer default/luks/root 4)
[ "$a" = "cookie=200 bearer=200" ] || fail "the quote's own TD: $a"
for m in mr_td rtmr0 rtmr1 rtmr2 rtmr3 mr_config_id mr_owner mr_owner_config xfam; do
	a=$(answer default/luks/root 4 "$(td_flip "$m")")
	[ "$a" = "cookie=401 bearer=401" ] || fail "$m one bit off: $a"
	jq -r 'select(.decision == "refuse") | .reason' "$TMP/v4.audit" | tail -n 1 | grep -q "^$m " ||
		fail "$m one bit off: audit reason $(tail -n 1 "$TMP/v4.audit")"
done
ok "v4: the server loads the output as-is; the TD is released, one bit off in any pinned member refused"
kill "$SRV_PID"

# --- v5 (TDX 1.5): mr_servicetd pinned, the module on request; a v4 quote is refused -----------
jq -s 'add' "$TMP/v5m.json" "$TMP/default.json" >"$TMP/policy.json"
start_keyserver v5 0
a=$(answer default/luks/v5 5)
[ "$a" = "cookie=200 bearer=200" ] || fail "v5 quote's own TD: $a"
for m in mr_servicetd mr_seam tee_tcb_svn2 mr_td; do
	a=$(answer default/luks/v5 5 "$(td_flip "$m")")
	[ "$a" = "cookie=401 bearer=401" ] || fail "v5 $m one bit off: $a"
	jq -r 'select(.decision == "refuse") | .reason' "$TMP/v5.audit" | tail -n 1 | grep -q "^$m " ||
		fail "v5 $m one bit off: audit reason $(tail -n 1 "$TMP/v5.audit")"
done
a=$(answer default/luks/v5 4)
[ "$a" = "cookie=401 bearer=401" ] || fail "v4 quote against a TDX 1.5 policy: $a"
jq -r 'select(.decision == "refuse") | .reason' "$TMP/v5.audit" | tail -n 1 | grep -q "no TDX 1.5 body" ||
	fail "v4 against v5 policy: audit reason $(tail -n 1 "$TMP/v5.audit")"
a=$(answer default/luks/root 5)
[ "$a" = "cookie=200 bearer=200" ] || fail "v5 quote against the v4 policy (same TD): $a"
ok "v5: mr_servicetd, mr_seam, tee_tcb_svn2 pinned and enforced; a TDX 1.0 quote is refused by them"
