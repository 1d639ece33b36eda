#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The key server's TLS parameters (src/server/httpd.c tls_priorities): a TLS 1.3 client that
# sends one X25519 key share (OpenSSL's default) gets TLS_AES_128_GCM_SHA256 over X25519 in
# one round trip (no HelloRetryRequest); clients limited to another suite, to P-256, or to
# TLS 1.2 with ECDHE-ECDSA are still served. Issue 14 item 6: TLS 1.0 and 1.1, CBC suites
# (SHA-1 or SHA-256 MACs) are refused.
source "$(dirname "$0")/lib.bash"
command -v openssl >/dev/null || skip "openssl absent (make deps)"
KS=$BUILD/tdx-keyserver
[ -x "$KS" ] || fail "$KS not built"
KE=$PWD/keys-example
[ -f "$KE/server.pem" ] || skip "keys-example/server.pem absent"
mkdir -p "$TMP/res" "$TMP/coll"
echo '{}' >"$TMP/policy.json"
cat >"$TMP/ks.json" <<JSON
{"listen":"127.0.0.1:0","tls_cert":"$KE/server.pem","tls_key":"$KE/server.key",
 "resources_dir":"res","policy_file":"policy.json","collateral_dir":"coll",
 "trust_anchor":"$KE/ca.pem","audit_log":"audit.log","threads":2}
JSON
"$KS" serve --config "$TMP/ks.json" 2>"$TMP/ks.log" &
PIDS+=($!)
wait_for 100 grep -q "listening on" "$TMP/ks.log" || fail "key server did not start: $(cat "$TMP/ks.log")"
PORT=$(sed -n 's/.*listening on https:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/ks.log")

# hs OUT [s_client args...]: one handshake with a GET /healthz; the transcript in OUT.
hs() {
	local out=$1; shift
	printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
		timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$KE/ca.pem" -verify_return_error \
		-msg -ign_eof "$@" >"$out" 2>&1
}

hs "$TMP/default.txt" || fail "default handshake failed: $(tail -5 "$TMP/default.txt")"
grep -q '"status":"ok"' "$TMP/default.txt" || fail "no /healthz answer"
grep -q 'Cipher is TLS_AES_128_GCM_SHA256' "$TMP/default.txt" ||
	fail "suite: $(grep -m1 'Cipher is' "$TMP/default.txt")"
grep -q 'Server Temp Key: X25519' "$TMP/default.txt" || fail "group: $(grep -m1 'Temp Key' "$TMP/default.txt")"
n=$(grep -c '<<< TLS 1.3, Handshake \[length [0-9a-f]*\], ServerHello' "$TMP/default.txt")
[ "$n" = 1 ] || fail "$n ServerHello messages (a HelloRetryRequest counts as one)"
ok "TLS 1.3, TLS_AES_128_GCM_SHA256, X25519, one ServerHello"

hs "$TMP/aes256.txt" -ciphersuites TLS_AES_256_GCM_SHA384 || fail "AES-256-GCM-only client refused"
grep -q 'Cipher is TLS_AES_256_GCM_SHA384' "$TMP/aes256.txt" || fail "AES-256-GCM-only client: other suite"
hs "$TMP/p256.txt" -groups P-256 || fail "P-256-only client refused"
grep -q 'Server Temp Key: ECDH, prime256v1' "$TMP/p256.txt" || fail "P-256-only client: $(grep -m1 'Temp Key' "$TMP/p256.txt")"
hs "$TMP/tls12.txt" -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384 || fail "TLS 1.2 client refused"
grep -q 'Protocol *: TLSv1.2' "$TMP/tls12.txt" || fail "TLS 1.2 client: $(grep -m1 'Protocol' "$TMP/tls12.txt")"
ok "clients limited to AES-256-GCM, to P-256, to TLS 1.2 ECDHE-ECDSA-AES256-GCM are served"

# refused_hs NAME [s_client args...]: the handshake must fail, with no application data.
refused_hs() {
	local name=$1; shift
	if hs "$TMP/$name.txt" "$@" && grep -q '"status":"ok"' "$TMP/$name.txt"; then
		fail "$name accepted: $(grep -m1 -E 'Protocol|Cipher is' "$TMP/$name.txt")"
	fi
	grep -q '"status":"ok"' "$TMP/$name.txt" && fail "$name: answered"
	return 0
}
# OpenSSL 3 offers TLS 1.0/1.1 and SHA-1 suites only at security level 0.
refused_hs tls10 -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
refused_hs tls11 -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
refused_hs tls12-cbc-sha1 -tls1_2 -cipher 'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:@SECLEVEL=0'
refused_hs tls12-cbc-sha256 -tls1_2 -cipher 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384'
ok "TLS 1.0, TLS 1.1 and CBC suites refused"
# The same through Python's ssl module (another TLS stack's idea of each version).
for v in 1.0 1.1; do
	python3 tests/integration/kbs_attack.py tls --port "$PORT" --version "$v" >"$TMP/py$v.txt" 2>&1 &&
		fail "TLS $v accepted (python): $(cat "$TMP/py$v.txt")"
done
for v in 1.2 1.3; do
	python3 tests/integration/kbs_attack.py tls --port "$PORT" --version "$v" >"$TMP/py$v.txt" 2>&1 ||
		fail "TLS $v refused (python): $(cat "$TMP/py$v.txt")"
	grep -q "protocol TLSv$v" "$TMP/py$v.txt" || fail "TLS $v: $(cat "$TMP/py$v.txt")"
done
ok "python: TLS 1.0 and 1.1 refused, 1.2 and 1.3 served"
