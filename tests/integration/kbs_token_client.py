#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A minimal KBS 0.4.0 client for tests that need what tdx-unlock does not do: attest once
(auth, a tdx-sim quote over the REPORTDATA of kbs-protocol.md §5, attest), then ask for
resources both with the session cookie and with the session's Bearer token, without the
cookie. Prints one line per resource: "RESOURCE cookie=STATUS bearer=STATUS". The status is
all the test compares (the JWE is not decrypted: the TEE key is the P-256 base point, whose
private key is 1, so never use this outside tests).

usage: kbs_token_client.py --port P --ca CA --sim TDX_SIM --pki DIR [--td PROFILE] RESOURCE...
"""
import argparse
import base64
import hashlib
import http.client
import json
import os
import ssl
import subprocess
import sys
import tempfile

# The P-256 base point G (SEC 2): a valid point on the curve, good enough as a test TEE key.
G_X = bytes.fromhex("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296")
G_Y = bytes.fromhex("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def request(ctx, port, method, path, body=None, headers=None):
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=20)
    hdrs = {"Content-Type": "application/json"} if body is not None else {}
    hdrs.update(headers or {})
    conn.request(method, path, body=body, headers=hdrs)
    resp = conn.getresponse()
    data = resp.read()
    cookie = resp.getheader("Set-Cookie")
    conn.close()
    return resp.status, data, cookie


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--pki", required=True)
    ap.add_argument("--td")
    ap.add_argument("--quote-version", default="4")
    ap.add_argument("resources", nargs="+")
    a = ap.parse_args()

    ctx = ssl.create_default_context(cafile=a.ca)
    st, data, cookie = request(ctx, a.port, "POST", "/kbs/v0/auth",
                               json.dumps({"version": "0.4.0", "tee": "tdx", "extra-params": {}}))
    if st != 200 or not cookie:
        sys.exit(f"auth: HTTP {st} {data!r}")
    cookie = cookie.split(";")[0]
    nonce = json.loads(data)["nonce"]
    x, y = b64url(G_X), b64url(G_Y)
    # kbs-protocol.md §5.1: JCS of {"additional-evidence","nonce","tee-pubkey"}, SHA-384, padded.
    canon = ('{"additional-evidence":"","nonce":"%s","tee-pubkey":{"alg":"ECDH-ES+A256KW",'
             '"crv":"P-256","kty":"EC","x":"%s","y":"%s"}}' % (nonce, x, y))
    rd = hashlib.sha384(canon.encode()).digest() + bytes(16)
    with tempfile.TemporaryDirectory() as tmp:
        qpath = os.path.join(tmp, "q.bin")
        cmd = [a.sim, "quote", "--pki", a.pki, "--report-data", rd.hex(), "--quote-version",
               a.quote_version, "-o", qpath]
        if a.td:
            cmd += ["--td", a.td]
        subprocess.run(cmd, check=True)
        with open(qpath, "rb") as f:
            quote = base64.b64encode(f.read()).decode()
    body = json.dumps({
        "init-data": None,
        "runtime-data": {"nonce": nonce, "tee-pubkey": {"kty": "EC", "crv": "P-256",
                                                        "alg": "ECDH-ES+A256KW", "x": x, "y": y}},
        "tee-evidence": {"primary_evidence": {"cc_eventlog": None, "quote": quote},
                         "additional_evidence": ""},
    })
    st, data, _ = request(ctx, a.port, "POST", "/kbs/v0/attest", body, {"Cookie": cookie})
    if st != 200:
        sys.exit(f"attest: HTTP {st} {data!r}")
    token = json.loads(data)["token"]
    for res in a.resources:
        path = "/kbs/v0/resource/" + res
        by_cookie, _, _ = request(ctx, a.port, "GET", path, headers={"Cookie": cookie})
        by_token, _, _ = request(ctx, a.port, "GET", path, headers={"Authorization": "Bearer " + token})
        print(f"{res} cookie={by_cookie} bearer={by_token}", flush=True)


if __name__ == "__main__":
    main()
