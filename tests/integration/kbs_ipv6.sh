#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Issue 14 item 8: the key server listens on IPv6 too. Before, "listen" took an IPv4
# address only. The test CA (keys-example) issues a certificate naming ::1 and 127.0.0.1
# for the run (keys-example's own certificate names 127.0.0.1 and localhost only).
#  1. "listen": "[::1]:0": the TD fetches its secret from https://[::1]:PORT, the audit log
#     records peer ::1, and an IPv6 client is held to max_connections_per_address;
#  2. "listen": "0.0.0.0:0" (a wildcard): one dual-stack socket serves 127.0.0.1 and ::1,
#     and IPv4 clients are recorded as 127.0.0.1, not ::ffff:127.0.0.1. Run in a network
#     namespace of its own (only its loopback), so the wildcard is not exposed.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/kbs_hostile.bash"
need_fuse
need_attack_tools
command -v openssl >/dev/null || skip "openssl absent (make deps)"
python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null ||
	skip "no IPv6 loopback (::1) on this host"
hostile_setup

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=kbs-v6-test \
	-keyout "$TMP/v6.key" -out "$TMP/v6.csr" 2>/dev/null || fail "openssl req"
printf 'subjectAltName=IP:::1,IP:127.0.0.1\n' >"$TMP/v6.ext"
openssl x509 -req -in "$TMP/v6.csr" -CA "$KE/ca.pem" -CAkey "$KE/ca.key" -CAcreateserial -CAserial "$TMP/v6.srl" \
	-days 1 -extfile "$TMP/v6.ext" -out "$TMP/v6.pem" 2>/dev/null || fail "openssl x509 (signing with keys-example/ca.key)"

# v6_config NAME LISTEN EXTRA
v6_config() {
	cat >"$TMP/$1.json" <<-JSON
	{"listen":"$2","tls_cert":"v6.pem","tls_key":"v6.key",
	 "resources_dir":"res","policy_file":"policy.json","collateral_dir":"pki/collateral",
	 "trust_anchor":"pki/collateral/root_ca.pem","audit_log":"$1.audit"${3:+,$3}}
	JSON
}

# --- 1. [::1] ----------------------------------------------------------------------------------
v6_config v6 "[::1]:0" '"max_connections_per_address":8'
"$KS" serve --config "$TMP/v6.json" 2>"$TMP/v6.log" &
SRV_PID=$!
PIDS+=("$SRV_PID")
wait_for 100 grep -q "listening on" "$TMP/v6.log" || fail "key server on [::1] did not start: $(cat "$TMP/v6.log")"
port=$(sed -n 's/.*listening on https:\/\/\[::1\]:\([0-9]*\).*/\1/p' "$TMP/v6.log")
[ -n "$port" ] || fail "no 'listening on https://[::1]:PORT' line: $(cat "$TMP/v6.log")"
"$TU" fetch --url "https://[::1]:$port" --ca "$KE/ca.pem" --tsm-dir "$TMP/tsm" --timeout 10 \
	--resource default/luks/demo -o "$TMP/v6.secret" 2>"$TMP/v6fetch.err" || fail "fetch over ::1: $(tail -3 "$TMP/v6fetch.err")"
cmp -s "$TMP/v6.secret" "$TMP/res/default/luks/demo" || fail "fetch over ::1: wrong secret"
tail -n 1 "$TMP/v6.audit" | jq -e '.decision == "release" and .peer == "::1"' >/dev/null ||
	fail "release over ::1 not audited with peer ::1: $(tail -n 1 "$TMP/v6.audit")"
ok "TD released over https://[::1], audited as peer ::1"
python3 "$ATTACK" slowloris --host ::1 --port "$port" --conns 20 --interval 1 --seconds 2 >"$TMP/v6slow.out" 2>&1
opened=$(awk '$1 == "opened" { print $2 }' "$TMP/v6slow.out")
[ "$opened" = 8 ] || fail "an IPv6 client opened $opened connections, quota 8: $(cat "$TMP/v6slow.out")"
ok "an IPv6 client is held to its per-address quota (8 of 20 connections)"
kill "$SRV_PID"

# --- 2. wildcard, dual stack, in a network namespace of its own ------------------------------------------
if ! unshare -n true 2>/dev/null || ! command -v ip >/dev/null; then
	echo "SKIP (part): no network namespaces here, the dual-stack wildcard is not tested"
	exit 0
fi
v6_config dual "0.0.0.0:0"
cat >"$TMP/dual.sh" <<-SCRIPT
ip link set lo up
"$KS" serve --config "$TMP/dual.json" 2>"$TMP/dual.log" &
s=\$!
for _ in \$(seq 100); do grep -q "listening on" "$TMP/dual.log" && break; sleep 0.1; done
port=\$(sed -n 's/.*listening on https:\/\/0\.0\.0\.0:\([0-9]*\) (IPv4 and IPv6).*/\1/p' "$TMP/dual.log")
rc=0
"$TU" fetch --url "https://127.0.0.1:\$port" --ca "$KE/ca.pem" --tsm-dir "$TMP/tsm" --timeout 10 \
	--resource default/luks/demo -o "$TMP/dual4.secret" 2>"$TMP/dual4.err" || rc=1
"$TU" fetch --url "https://[::1]:\$port" --ca "$KE/ca.pem" --tsm-dir "$TMP/tsm" --timeout 10 \
	--resource default/luks/demo -o "$TMP/dual6.secret" 2>"$TMP/dual6.err" || rc=2
kill \$s
exit \$rc
SCRIPT
timeout 60 unshare -n bash "$TMP/dual.sh"
rc=$?
[ "$rc" = 0 ] || fail "dual stack: fetch $rc failed: $(cat "$TMP/dual.log" "$TMP"/dual?.err 2>/dev/null | tail -8)"
grep -q "listening on https://0.0.0.0:[0-9]* (IPv4 and IPv6)" "$TMP/dual.log" || fail "dual stack: $(cat "$TMP/dual.log")"
peers=$(jq -r 'select(.decision == "release") | .peer' "$TMP/dual.audit" | sort | tr '\n' ' ')
[ "$peers" = "127.0.0.1 ::1 " ] || fail "dual stack: released to peers '$peers', expected 127.0.0.1 and ::1"
ok "0.0.0.0 listens on both families: released to 127.0.0.1 (not ::ffff:127.0.0.1) and ::1"
