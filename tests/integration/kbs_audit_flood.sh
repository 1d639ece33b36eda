#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Issue 14 item 4 against a running tdx-keyserver on 127.0.0.1: 600 requests (resource and
# attest) with 16 KB cookies full of invalid UTF-8, quotes and control bytes. Before the fix
# each refusal wrote the raw cookie (~5 MB of log for 300 requests, lines that are not
# valid JSON). Now: no cookie bytes in the log, every line strict JSON in valid UTF-8, each
# line short, the log small, and every refusal accounted for (lines + suppressed counts,
# after the server flushed its counts at exit).
source "$(dirname "$0")/lib.bash"
command -v python3 >/dev/null && python3 -c 'import ssl' 2>/dev/null || skip "python3 with ssl absent (make deps)"
SIM=$BUILD/tdx-sim KS=$BUILD/tdx-keyserver
for b in "$SIM" "$KS"; do [ -x "$b" ] || fail "$b not built"; done

"$SIM" pki "$TMP/pki" >/dev/null || fail "tdx-sim pki"
mkdir -p "$TMP/res/default/luks"
cp keys-example/policy.json "$TMP/policy.json"
start_keyserver flood 0

timeout 120 python3 - "$SRV_PORT" keys-example/ca.pem >"$TMP/flood.out" 2>&1 <<'PY' || fail "flood client: $(cat "$TMP/flood.out")"
import socket, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
# ~16 KB (libmicrohttpd answers 431 from 16384 on): a marker, invalid UTF-8, a quote, a
# backslash, control bytes
cookie = (b"COOKIEMARK" + b"\xff\xfe\xc0\xaf\xed\xa0\x80\"\\\x01\x7f\xe2\x82" * 1260)[:16000]

def read_reply(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit("connection closed")
        buf += chunk
    head, body = buf.split(b"\r\n\r\n", 1)
    status = int(head.split(b" ")[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(body) < length:
        body += s.recv(65536)
    return status

statuses = {}
for conn in range(12):
    with socket.create_connection(("127.0.0.1", port), timeout=20) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            for i in range(50):
                if i % 2:
                    req = (b"POST /kbs/v0/attest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 2\r\nCookie: kbs-session-id=" + cookie + b"\r\n\r\n{}")
                else:
                    req = (b"GET /kbs/v0/resource/default/luks/demo HTTP/1.1\r\nHost: x\r\n"
                           b"Cookie: kbs-session-id=" + cookie + b"\r\n\r\n")
                s.sendall(req)
                st = read_reply(s)
                statuses[st] = statuses.get(st, 0) + 1
print(statuses)
PY
grep -q "{401: 600}" "$TMP/flood.out" || fail "expected 600 refusals (401): $(cat "$TMP/flood.out")"
kill "$SRV_PID"
wait "$SRV_PID" 2>/dev/null

size=$(stat -c %s "$TMP/flood.audit")
python3 - "$TMP/flood.audit" <<'PY' || fail "audit log check failed"
import json, sys
data = open(sys.argv[1], "rb").read()
assert b"COOKIEMARK" not in data, "the cookie reached the audit log"
events, lines = 0, 0
for raw in data.split(b"\n")[:-1]:
    assert len(raw) < 2048, f"line of {len(raw)} bytes"
    o = json.loads(raw.decode("utf-8", errors="strict"))  # strict UTF-8 and JSON
    lines += 1
    if o.get("event") == "audit":
        events += o["suppressed"]
    else:
        events += 1
        assert o["session"].startswith("invalid:") and len(o["session"]) == 24, o["session"]
assert events == 600, f"{events} refusals accounted for, expected 600"
print(f"{lines} lines for 600 refusals")
PY
[ "$size" -lt 65536 ] || fail "audit log of $size bytes for 600 refusals"
ok "600 refusals with 16 KB hostile cookies: $size bytes of audit log, valid JSON, no cookie, all counted"
