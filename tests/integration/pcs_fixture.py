#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A tiny stand-in for Intel PCS v4 serving the real responses of
../shared/testdata/tdx/pcs-extra (FMSPC 00806F050000, 2025-05-27) with the real
URL-encoded issuer-chain headers, for tests/integration/collateral_fetch.sh.

usage: pcs_fixture.py TESTDATA PORTFILE [--fault NAME] [--older-crl]
faults: bad-sig 500 429 429-long truncated slow bad-header no-header huge
Only 127.0.0.1. Writes the port to PORTFILE once listening."""
import http.server
import socketserver
import sys
import time
import urllib.parse

TD = sys.argv[1]
PORTFILE = sys.argv[2]
FAULT = sys.argv[sys.argv.index("--fault") + 1] if "--fault" in sys.argv else None
OLDER = "--older-crl" in sys.argv
X = TD + "/pcs-extra/"
hits = {"429": 0}


def read(p):
    with open(p, "rb") as f:
        return f.read()


def enc(pem):
    return urllib.parse.quote(pem, safe="-._~")


PROC = X + ("processor_crl_2025-05-27T18-46-25Z/" if OLDER else "processor_crl_2025-05-27T19-23-09Z/")
ROUTES = {
    ("/tdx/certification/v4/tcb", "fmspc=00806F050000"): (
        X + "tdx_2025-05-27/tcb_info_00806F050000.json", "TCB-Info-Issuer-Chain",
        X + "tdx_2025-05-27/tcb_info_issuer_chain.pem", "application/json"),
    ("/tdx/certification/v4/qe/identity", ""): (
        X + "tdx_2025-05-27/qe_identity.json", "SGX-Enclave-Identity-Issuer-Chain",
        X + "tdx_2025-05-27/qe_identity_issuer_chain.pem", "application/json"),
    ("/sgx/certification/v4/pckcrl", "ca=processor"): (
        PROC + "pck_crl.der", "SGX-PCK-CRL-Issuer-Chain", PROC + "pck_crl_issuer_chain.pem",
        "application/pkix-crl"),
    ("/sgx/certification/v4/pckcrl", "ca=platform"): (
        X + "platform_crl_2025-05-27T19-25-05Z/pck_crl.der", "SGX-PCK-CRL-Issuer-Chain",
        X + "platform_crl_2025-05-27T19-25-05Z/pck_crl_issuer_chain.pem", "application/pkix-crl"),
    ("/IntelSGXRootCA.der", ""): (
        TD + "/dcapqvl_v4_uptodate/collateral/root_ca_crl.der", None, None, "application/pkix-crl"),
}


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body, headers=()):
        self.send_response(code)
        self.send_header("Request-ID", "0123456789abcdef0123456789abcdef")
        for k, v in headers:
            self.send_header(k, v)
        if FAULT == "truncated" and code == 200:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        key = None
        for (path, want), v in ROUTES.items():
            if path != u.path:
                continue
            if want:
                k, val = want.split("=")
                if q.get(k, [""])[0].upper() != val.upper():
                    continue
            key = v
        if key is None:
            return self.send(404, b"No cache data for this platform.")
        if FAULT == "500":
            return self.send(500, b"Internal server error occurred.")
        if FAULT in ("429", "429-long"):
            hits["429"] += 1
            return self.send(429, b"", [("Retry-After", "1" if FAULT == "429" else "3600")])
        if FAULT == "huge":
            return self.send(200, b"{" + b" " * (5 << 20) + b"}", [("Content-Type", "application/json")])
        if FAULT == "slow":
            time.sleep(3)
        body = read(key[0])
        hdrs = [("Content-Type", key[3])]
        if key[1]:
            chain = read(key[2]).decode()
            if FAULT == "bad-header":
                hdrs.append((key[1], enc(chain)[:-1] + "%Z"))
            elif FAULT != "no-header":
                hdrs.append((key[1], enc(chain)))
        if FAULT == "bad-sig" and body.startswith(b"{"):
            i = body.rindex(b'"signature":"') + 13
            body = body[:i] + (b"0" if body[i:i + 1] != b"0" else b"1") + body[i + 1:]
        if FAULT == "bad-sig" and not body.startswith(b"{"):
            body = body[:-1] + bytes([body[-1] ^ 1])
        return self.send(200, body, hdrs)


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


srv = S(("127.0.0.1", 0), H)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os  # noqa: E402
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
