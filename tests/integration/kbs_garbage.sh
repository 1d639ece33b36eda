#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The key server under garbage: malformed and deeply nested JSON, bodies over the 2 MiB
# limit (Content-Length and chunked), non-TLS bytes, slow connections dribbling headers
# (slowloris), many connections at once. After each: /healthz answers and the process
# lives; at the end a real fetch still releases the secret.
source "$(dirname "$0")/lib.bash"
need_fuse
command -v curl >/dev/null || skip "curl absent (make deps)"
command -v python3 >/dev/null && python3 -c 'import ssl' 2>/dev/null || skip "python3 with ssl absent (make deps)"
SIM=$BUILD/tdx-sim KS=$BUILD/tdx-keyserver TU=$BUILD/tdx-unlock
for b in "$SIM" "$KS" "$TU"; do [ -x "$b" ] || fail "$b not built"; done
KE=$PWD/keys-example
ERR=https://github.com/confidential-containers/kbs/errors/

"$SIM" pki "$TMP/pki" >/dev/null || fail "tdx-sim pki"
mount_sim "$TMP/tsm"
cp "$KE/policy.json" "$TMP/policy.json"
demo_resource
start_keyserver ks 0 '"connection_timeout_s":3,"max_connections":64,"threads":2'
KS_PID=$SRV_PID PORT=$SRV_PORT
URL=https://127.0.0.1:$PORT

# req OUT [curl args...]: prints the HTTP status; body in OUT. Bounded by --max-time.
req() {
	local out=$1; shift
	curl -s --cacert "$KE/ca.pem" --max-time 20 -o "$out" -w '%{http_code}' "$@"
}
alive() {
	kill -0 "$KS_PID" 2>/dev/null || fail "key server died after $1: $(tail -n 5 "$TMP/ks.log")"
	local s
	s=$(req "$TMP/h.json" "$URL/healthz") || true
	[ "$s" = 200 ] && [ "$(cat "$TMP/h.json")" = '{"status":"ok"}' ] || fail "/healthz $s after $1"
}
# expect_kbs NAME STATUS VARIANT [curl args...]
expect_kbs() {
	local name=$1 status=$2 variant=$3 s; shift 3
	s=$(req "$TMP/r.json" "$@") || true
	[ "$s" = "$status" ] || fail "$name: HTTP $s, expected $status: $(head -c 300 "$TMP/r.json")"
	jq -e --arg t "$ERR$variant" '.type == $t' "$TMP/r.json" >/dev/null || fail "$name: body $(head -c 300 "$TMP/r.json")"
}

# --- malformed JSON ----------------------------------------------------------------------------
n=0
for body in '' '{' '}' 'null' '[]' '"x"' '{"version":' '{"version":"0.4.0","tee":"tdx"' \
	$'\xff\xfe{}' '{"version":"0.4.0","tee":"tdx","extra-params":{}}}}}' '{"version":0.4,"tee":["tdx"]}' \
	'{"version":"0.4.0\u0000","tee":"tdx"}'; do
	expect_kbs "auth '$body'" 401 AttestationError -X POST --data-binary "$body" "$URL/kbs/v0/auth"
	n=$((n + 1))
done
cookie=$(curl -s --cacert "$KE/ca.pem" --max-time 10 -D - -o /dev/null -X POST \
	--data-binary '{"version":"0.4.0","tee":"tdx","extra-params":{}}' "$URL/kbs/v0/auth" |
	sed -n 's/^[Ss]et-[Cc]ookie: kbs-session-id=\([0-9a-f]*\);.*/\1/p')
[ ${#cookie} = 32 ] || fail "no session cookie from /auth"
for body in '' '{' '{"runtime-data":5}' '{"runtime-data":{"nonce":null}}' \
	'{"runtime-data":{"nonce":"x","tee-pubkey":{"kty":"EC"}},"tee-evidence":{}}' \
	'{"runtime-data":{"nonce":"x","tee-pubkey":{"kty":"EC","crv":"P-256","alg":"ECDH-ES+A256KW","x":"","y":""}},"tee-evidence":{"primary_evidence":{"quote":"AAAA"},"additional_evidence":""}}'; do
	expect_kbs "attest '$body'" 401 AttestationError -X POST -b "kbs-session-id=$cookie" --data-binary "$body" "$URL/kbs/v0/attest"
	n=$((n + 1))
done
for c in "" "x" "$(printf 'a%.0s' $(seq 2000))" "$cookie$cookie" "'; DROP"; do
	expect_kbs "cookie '${c:0:20}'" 401 TokenNotFound -b "kbs-session-id=$c" "$URL/kbs/v0/resource/default/luks/demo"
	n=$((n + 1))
done
expect_kbs "bearer garbage" 401 TokenVerifierError -H "Authorization: Bearer $(head -c 3000 /dev/urandom | base64 -w0 | tr '+/' '-_')" \
	"$URL/kbs/v0/resource/default/luks/demo"
expect_kbs "unknown plugin" 404 PluginNotFound "$URL/kbs/v0/$(printf 'z%.0s' $(seq 500))"
expect_kbs "path with .." 401 PluginInternalError --path-as-is "$URL/kbs/v0/resource/default/../demo"
alive "malformed requests"
ok "$((n + 3)) malformed requests: KBS error bodies, server alive"

# --- deeply nested JSON -----------------------------------------------------------------------------
python3 -c 'print("[" * 200000 + "]" * 200000, end="")' >"$TMP/nested.json"
python3 -c 'print("{\"a\":" * 100000 + "1" + "}" * 100000, end="")' >"$TMP/nested2.json"
expect_kbs "nested arrays" 401 AttestationError -X POST --data-binary @"$TMP/nested.json" "$URL/kbs/v0/auth"
expect_kbs "nested objects" 401 AttestationError -X POST --data-binary @"$TMP/nested2.json" "$URL/kbs/v0/auth"
expect_kbs "nested attest" 401 AttestationError -X POST -b "kbs-session-id=$cookie" --data-binary @"$TMP/nested2.json" "$URL/kbs/v0/attest"
alive "deeply nested JSON"
ok "deeply nested JSON (200000 levels) refused, server alive"

# --- bodies over the 2 MiB limit -------------------------------------------------------------------
head -c $((2 * 1024 * 1024 + 1)) /dev/zero | tr '\0' 'a' >"$TMP/big"
s=$(req "$TMP/r.txt" -X POST --data-binary @"$TMP/big" "$URL/kbs/v0/auth") || true
[ "$s" = 413 ] || fail "2 MiB + 1 with Content-Length: HTTP $s"
s=$(req "$TMP/r.txt" -X POST -H "Transfer-Encoding: chunked" --data-binary @"$TMP/big" "$URL/kbs/v0/attest") || true
[ "$s" = 413 ] || fail "2 MiB + 1 chunked: HTTP $s"
s=$(req "$TMP/r.txt" -X POST -H "Content-Length: 99999999999" --data-binary 'x' "$URL/kbs/v0/auth") || true
[ "$s" = 413 ] || [ "$s" = 400 ] || [ "$s" = 000 ] || fail "lying Content-Length: HTTP $s"
head -c $((2 * 1024 * 1024 - 1)) /dev/zero | tr '\0' ' ' >"$TMP/limit"
expect_kbs "just under the limit" 401 AttestationError -X POST --data-binary @"$TMP/limit" "$URL/kbs/v0/auth"
alive "oversized bodies"
ok "bodies over 2 MiB: 413 (Content-Length and chunked), just under: parsed; server alive"

# --- not TLS, not HTTP ------------------------------------------------------------------------------
python3 - "$PORT" <<'PY' || fail "raw garbage client failed"
import os, socket, sys
port = int(sys.argv[1])
for payload in (b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", os.urandom(4096), b"\x16\x03\x01\xff\xff" + os.urandom(100), b""):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(payload)
    try:
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass
    except OSError:
        pass
    s.close()
PY
alive "non-TLS bytes"
ok "plain HTTP, random bytes and a broken TLS record on the HTTPS port: closed, server alive"

# --- slowloris --------------------------------------------------------------------------------------
# 20 TLS connections send one header byte every 0.5 s for 12 s while a normal client is
# served, and 5 connections stop half-way through their headers: the server must close
# those after connection_timeout_s (3 s). (A connection that keeps dribbling is never idle:
# MHD's timeout does not cut it; max_connections bounds how many there can be.)
cat >"$TMP/slow.py" <<'PY'
import socket, ssl, sys, threading, time
port, cafile = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=cafile)
dribbled, idle = [], []
def conn():
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="127.0.0.1")
    s.settimeout(10)
    s.send(b"POST /kbs/v0/auth HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    return s
def dribble():
    start = time.monotonic()
    try:
        s = conn()
        while time.monotonic() - start < 12:
            s.send(b"a")
            time.sleep(0.5)
        dribbled.append(True)
    except OSError:
        pass
def stall():
    try:
        s = conn()
        start = time.monotonic()
        while s.recv(4096):
            pass
        idle.append(time.monotonic() - start)
    except OSError:
        pass
threads = [threading.Thread(target=dribble, daemon=True) for _ in range(20)]
threads += [threading.Thread(target=stall, daemon=True) for _ in range(5)]
for t in threads: t.start()
print("started", flush=True)
for t in threads: t.join(30)
print("dribbled 12 s: %d/20; stalled closed by the server: %d/5 after at most %.1f s"
      % (len(dribbled), len(idle), max(idle) if idle else -1), flush=True)
PY
python3 "$TMP/slow.py" "$PORT" "$KE/ca.pem" >"$TMP/slow.out" 2>&1 &
SLOW=$!
PIDS+=("$SLOW")
wait_for 100 grep -q started "$TMP/slow.out" || fail "slowloris client did not start"
sleep 2
start=$(date +%s%N)
alive "slowloris (during)"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -lt 2000 ] || fail "/healthz took $ms ms while slow clients dribble"
"$TU" fetch --url "$URL" --ca "$KE/ca.pem" --tsm-dir "$TMP/tsm" --resource default/luks/demo --timeout 20 \
	-o "$TMP/secret1" 2>"$TMP/fetch1.err" || fail "fetch during slowloris: $(cat "$TMP/fetch1.err")"
cmp -s "$TMP/secret1" "$TMP/res/default/luks/demo" || fail "fetch during slowloris: wrong secret"
ok "during slowloris (20 dribbling + 5 stalled connections): /healthz in $ms ms, fetch released the secret"
for _ in $(seq 400); do kill -0 "$SLOW" 2>/dev/null || break; sleep 0.1; done
kill -0 "$SLOW" 2>/dev/null && fail "slowloris client still running after 40 s"
grep -q "stalled closed by the server: 5/5" "$TMP/slow.out" || fail "slowloris: $(cat "$TMP/slow.out")"
awk '{ if ($NF + 0 > 6.0) exit 1 }' <(sed 's/ s$//' "$TMP/slow.out" | tail -n 1) ||
	fail "stalled connections closed too late: $(tail -n 1 "$TMP/slow.out")"
alive "slowloris (after)"
ok "slowloris: $(tail -n 1 "$TMP/slow.out")"

# --- many connections at once -----------------------------------------------------------------------
# 200 concurrent /healthz requests against max_connections 64: some may be refused at the
# limit, none may hang, and the server keeps answering afterwards.
seq 200 | xargs -P 100 -I{} curl -s --cacert "$KE/ca.pem" --max-time 20 -o /dev/null -w '%{http_code}\n' \
	"$URL/healthz" >"$TMP/many.txt" 2>/dev/null
good=$(grep -c '^200$' "$TMP/many.txt")
[ "$(wc -l <"$TMP/many.txt")" = 200 ] || fail "not every concurrent request finished"
[ "$good" -ge 64 ] || fail "only $good of 200 concurrent /healthz answered"
# And 300 idle TCP connections held open at once, then a normal request.
python3 - "$PORT" <<'PY' &
import socket, sys, time
socks = []
for _ in range(300):
    try:
        socks.append(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5))
    except OSError:
        break
time.sleep(2)
PY
HOLD=$!
PIDS+=("$HOLD")
sleep 1
for _ in $(seq 50); do s=$(req "$TMP/h.json" "$URL/healthz") && [ "$s" = 200 ] && break; sleep 0.2; done
[ "$s" = 200 ] || fail "/healthz while 300 idle connections are open: $s"
wait "$HOLD"
alive "many connections"
ok "200 concurrent requests against max_connections 64: $good answered 200, none hung; with 300 idle connections open: served"

# --- still a working key server ---------------------------------------------------------------------
"$TU" fetch --url "$URL" --ca "$KE/ca.pem" --tsm-dir "$TMP/tsm" --resource default/luks/demo --timeout 20 \
	-o "$TMP/secret2" 2>"$TMP/fetch2.err" || fail "final fetch: $(cat "$TMP/fetch2.err")"
cmp -s "$TMP/secret2" "$TMP/res/default/luks/demo" || fail "final fetch: wrong secret"
alive "everything"
ok "after all of it: /healthz 200, process alive, fetch releases the secret"
