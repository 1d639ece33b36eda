#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A misbehaving HTTPS front for the key server (integration tests only).

It presents the example server certificate, forwards HTTP/1.1 requests (keep-alive, one
upstream TLS connection per client connection) to the real key server and spoils one
step of the KBS flow:

  tamper-tag     flips one bit of the JWE "tag" of every resource response
  oversize       answers every resource request with a 200 body of 1.5 MiB
  die-after-auth relays the first /auth answer, then closes everything and exits
                 (a key server killed in the middle of the flow)
  hold           no upstream at all: accepts TCP connections and never answers

Prints "listening on 127.0.0.1:PORT" once ready. Runs until killed (or, in die-after-auth,
until the first /auth was relayed); every socket has a timeout so no thread hangs forever.
"""
import argparse
import base64
import json
import os
import socket
import ssl
import sys
import threading
import time

MAX_HEADER = 64 * 1024
MAX_BODY = 4 * 1024 * 1024


def read_message(f, is_response):
    """Reads one HTTP/1.1 message (start line, headers, Content-Length body) from f.
    Returns (start_line, [(name, value)], body) or None at EOF."""
    start = f.readline(MAX_HEADER)
    if not start:
        return None
    headers = []
    size = 0
    while True:
        line = f.readline(MAX_HEADER)
        if not line:
            return None
        size += len(line)
        if size > MAX_HEADER:
            raise ValueError("headers too large")
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
    length = 0
    for name, value in headers:
        if name.lower() == "content-length":
            length = int(value)
        if name.lower() == "transfer-encoding" and value.lower() != "identity":
            raise ValueError("chunked bodies are not supported by this test proxy")
    if length > MAX_BODY:
        raise ValueError("body too large")
    body = f.read(length) if length else b""
    if len(body) != length:
        return None
    return start, headers, body


def write_message(sock, start, headers, body):
    out = [start.rstrip(b"\r\n") + b"\r\n"]
    for name, value in headers:
        if name.lower() == "content-length":
            continue
        out.append(f"{name}: {value}\r\n".encode("latin-1"))
    out.append(f"Content-Length: {len(body)}\r\n\r\n".encode())
    sock.sendall(b"".join(out) + body)


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64url_encode(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


class Proxy:
    def __init__(self, args):
        self.args = args
        self.server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server_ctx.load_cert_chain(args.cert, args.key)
        self.client_ctx = ssl.create_default_context(cafile=args.ca)
        self.listener = socket.create_server(("127.0.0.1", args.port))
        self.held = []

    def upstream(self):
        raw = socket.create_connection(("127.0.0.1", self.args.upstream), timeout=30)
        return self.client_ctx.wrap_socket(raw, server_hostname="127.0.0.1")

    def spoil(self, path, start, headers, body):
        """Returns the (start, headers, body) to send back to the client."""
        mode = self.args.mode
        is_resource = "/kbs/v0/resource/" in path
        if mode == "tamper-tag" and is_resource and b" 200 " in start:
            jwe = json.loads(body)
            tag = bytearray(b64url_decode(jwe["tag"]))
            tag[0] ^= 0x01
            jwe["tag"] = b64url_encode(bytes(tag))
            body = json.dumps(jwe, separators=(",", ":")).encode()
        elif mode == "oversize" and is_resource:
            start = b"HTTP/1.1 200 OK"
            pad = "A" * (3 * 1024 * 1024 // 2)
            body = json.dumps({"protected": pad, "encrypted_key": "", "iv": "", "ciphertext": "",
                               "tag": ""}).encode()
        return start, headers, body

    def handle(self, conn):
        up = None
        try:
            conn = self.server_ctx.wrap_socket(conn, server_side=True)
            conn.settimeout(30)
            cf = conn.makefile("rb")
            up = self.upstream()
            uf = up.makefile("rb")
            while True:
                req = read_message(cf, False)
                if req is None:
                    return
                start, headers, body = req
                path = start.split(b" ")[1].decode("latin-1") if len(start.split(b" ")) > 1 else ""
                write_message(up, start, headers, body)
                resp = read_message(uf, True)
                if resp is None:
                    return
                write_message(conn, *self.spoil(path, *resp))
                if self.args.mode == "die-after-auth" and path.endswith("/kbs/v0/auth"):
                    print(f"killed after relaying {path}", flush=True)
                    time.sleep(0.05)  # let the answer leave
                    os._exit(0)
        except (OSError, ValueError, ssl.SSLError) as e:
            print(f"connection ended: {e}", file=sys.stderr, flush=True)
        finally:
            for s in (conn, up):
                try:
                    if s:
                        s.close()
                except OSError:
                    pass

    def serve(self):
        port = self.listener.getsockname()[1]
        print(f"listening on 127.0.0.1:{port}", flush=True)
        while True:
            conn, _ = self.listener.accept()
            if self.args.mode == "hold":
                self.held.append(conn)  # never read, never answered, never closed
                continue
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mode", required=True, choices=["tamper-tag", "oversize", "die-after-auth", "hold"])
    p.add_argument("--port", type=int, default=0, help="listen port (0: any)")
    p.add_argument("--upstream", type=int, help="port of the real key server on 127.0.0.1")
    p.add_argument("--cert", default="keys-example/server.pem")
    p.add_argument("--key", default="keys-example/server.key")
    p.add_argument("--ca", default="keys-example/ca.pem", help="CA of the real server's certificate")
    args = p.parse_args()
    if args.mode != "hold" and not args.upstream:
        p.error("--upstream is required except in hold mode")
    Proxy(args).serve()


if __name__ == "__main__":
    main()
