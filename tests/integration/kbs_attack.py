#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A hostile client for tdx-keyserver's regression tests (issue 14), on loopback only.

Every mode is bounded in requests, connections and seconds, and prints "key value" lines
the calling script checks. --source binds the attacker to another loopback address
(127.0.0.2, ...) so that a legitimate client on 127.0.0.1 is a different peer.

  flood      POST /kbs/v0/auth over keep-alive TLS connections (one per source address)
  slowloris  open TLS connections and trickle a request one byte per --interval
  bodies     POST bodies of --size bytes on --conns connections, hold them one byte short
  tls        one handshake limited to --version (and --cipher); exit 0 when it succeeds
  healthz    GET /healthz; exit 0 on HTTP 200
"""
import argparse
import os
import select
import socket
import ssl
import sys
import time

AUTH = b'{"version":"0.4.0","tee":"tdx","extra-params":""}'


def context(version=None, cipher=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # an attacker does not care who answers
    if version:
        v = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
             "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}[version]
        ctx.minimum_version = ctx.maximum_version = v
        if version in ("1.0", "1.1"):
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # OpenSSL 3 offers nothing below 1.2 otherwise
    if cipher:
        ctx.set_ciphers(cipher + ":@SECLEVEL=0")
    return ctx


def connect(args, source, ctx, timeout=5.0):
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    raw = socket.socket(family, socket.SOCK_STREAM)
    raw.settimeout(timeout)
    if source:
        raw.bind((source, 0))
    try:
        raw.connect((args.host, args.port))
        return ctx.wrap_socket(raw, server_hostname="localhost")
    except (OSError, ssl.SSLError):
        raw.close()
        raise


def read_response(sock, buf):
    """Reads one HTTP/1.1 response with a Content-Length; returns (status, rest of buf)."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    head, _, buf = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(buf) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return status, buf[length:]


def flood(args):
    ctx = context()
    sources = args.source.split(",") if args.source else [None]
    conns = {}
    counts = {"ok": 0, "busy": 0, "other": 0, "reconnects": 0, "errors": 0}
    req = (b"POST /kbs/v0/auth HTTP/1.1\r\nHost: kbs\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\n\r\n" % len(AUTH)) + AUTH
    end = time.monotonic() + args.seconds
    sent = 0
    last_progress = 0
    while sent < args.requests and time.monotonic() < end:
        src = sources[sent % len(sources)]
        try:
            if src not in conns:
                conns[src] = [connect(args, src, ctx), b""]
                counts["reconnects"] += 1
            sock, buf = conns[src]
            sock.sendall(req)
            status, conns[src][1] = read_response(sock, buf)
        except (OSError, ssl.SSLError, ConnectionError, ValueError):
            counts["errors"] += 1
            conns.pop(src, None)
            time.sleep(0.01)
            continue
        sent += 1
        counts["ok" if status == 200 else "busy" if status == 503 else "other"] += 1
        if args.progress and sent - last_progress >= 200:
            last_progress = sent
            with open(args.progress + ".tmp", "w") as f:
                f.write("%d\n" % sent)
            os.replace(args.progress + ".tmp", args.progress)
        if args.stop_file and os.path.exists(args.stop_file):
            break
        if args.pace:
            time.sleep(args.pace)
    counts["requests"] = sent
    for k, v in counts.items():
        print("%s %d" % (k, v))


def raw_connect(args, source):
    """A TCP connection that will trickle a TLS ClientHello (no handshake ever completes)."""
    raw = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET, socket.SOCK_STREAM)
    raw.settimeout(3.0)
    if source:
        raw.bind((source, 0))
    raw.connect((args.host, args.port))
    return raw


def slowloris(args):
    ctx = context()
    held, refused = [], 0
    if args.raw:  # the start of a TLS 1.2 ClientHello record, then padding
        request = bytes.fromhex("16030100c8010000c40303") + b"\x00" * 100000
    else:
        request = b"POST /kbs/v0/auth HTTP/1.1\r\nHost: kbs\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000
    start = time.monotonic()
    for _ in range(args.conns):
        try:
            sock = raw_connect(args, args.source) if args.raw else connect(args, args.source, ctx, timeout=3.0)
            held.append([sock, 0, None])
        except (OSError, ssl.SSLError):
            refused += 1
    print("opened %d" % len(held))
    print("refused %d" % refused)
    sys.stdout.flush()
    if args.progress:
        with open(args.progress, "w") as f:
            f.write("opened %d refused %d\n" % (len(held), refused))
    end = start + args.seconds
    while time.monotonic() < end and not (args.stop_file and os.path.exists(args.stop_file)):
        live = [h for h in held if h[2] is None]
        if not live:
            break
        for h in live:
            try:
                h[0].setblocking(False)
                readable, _, _ = select.select([h[0]], [], [], 0)
                if readable:
                    try:
                        data = h[0].recv(1)
                    except ssl.SSLWantReadError:
                        data = b"?"
                    if not data or data != b"?":
                        h[2] = time.monotonic() - start  # closed (or answered) by the server
                        continue
                h[0].setblocking(True)
                h[0].send(request[h[1]:h[1] + 1])
                h[1] += 1
            except (OSError, ssl.SSLError):
                h[2] = time.monotonic() - start
        pause = time.monotonic() + args.interval
        while time.monotonic() < min(pause, end) and not (args.stop_file and os.path.exists(args.stop_file)):
            time.sleep(0.05)
    closed = [h[2] for h in held if h[2] is not None]
    print("held_at_end %d" % (len(held) - len(closed)))
    print("closed_by_server %d" % len(closed))
    print("first_close_s %.1f" % (min(closed) if closed else -1))
    print("last_close_s %.1f" % (max(closed) if closed else -1))
    for h in held:
        h[0].close()


def bodies(args):
    ctx = context()
    socks = []
    head = (b"POST /kbs/v0/attest HTTP/1.1\r\nHost: kbs\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % args.size)
    chunk = b"x" * 65536
    sources = args.source.split(",") if args.source else [None]
    failed = 0
    for i in range(args.conns):
        try:
            s = connect(args, sources[i % len(sources)], ctx, timeout=10.0)
            s.sendall(head)
            left = args.size - 1
            while left:
                n = s.send(chunk[:min(left, len(chunk))])
                left -= n
            socks.append(s)
        except (OSError, ssl.SSLError):
            failed += 1
    print("sent %d" % len(socks))
    print("failed %d" % failed)
    sys.stdout.flush()
    if args.progress:
        with open(args.progress, "w") as f:
            f.write("sent %d failed %d\n" % (len(socks), failed))
    end = time.monotonic() + args.seconds
    while time.monotonic() < end and not (args.stop_file and os.path.exists(args.stop_file)):
        time.sleep(0.05)
    counts = {}
    for s in socks:  # the last byte: each body is complete, each gets its answer
        try:
            s.sendall(b"x")
            status, _ = read_response(s, b"")
        except (OSError, ssl.SSLError, ConnectionError, ValueError):
            status = "closed"
        counts[status] = counts.get(status, 0) + 1
        s.close()
    for k, v in sorted(counts.items(), key=str):
        print("status_%s %d" % (k, v))


def tls(args):
    try:
        s = connect(args, args.source, context(args.version, args.cipher))
    except (OSError, ssl.SSLError) as e:
        print("refused %s" % e)
        return 1
    print("protocol %s" % s.version())
    print("cipher %s" % s.cipher()[0])
    s.close()
    return 0


def healthz(args):
    try:
        s = connect(args, args.source, context())
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: kbs\r\n\r\n")
        status, _ = read_response(s, b"")
        s.close()
    except (OSError, ssl.SSLError, ConnectionError) as e:
        print("failed %s" % e)
        return 1
    print("status %d" % status)
    return 0 if status == 200 else 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["flood", "slowloris", "bodies", "tls", "healthz"])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--source", help="local address(es) to connect from, comma-separated")
    p.add_argument("--requests", type=int, default=20000)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--conns", type=int, default=1)
    p.add_argument("--interval", type=float, default=4.0)
    p.add_argument("--raw", action="store_true", help="slowloris: trickle the TLS handshake itself")
    p.add_argument("--pace", type=float, default=0.0, help="flood: seconds between requests")
    p.add_argument("--size", type=int, default=1 << 20)
    p.add_argument("--version", choices=["1.0", "1.1", "1.2", "1.3"])
    p.add_argument("--cipher")
    p.add_argument("--progress", help="file that shows how far the attack got")
    p.add_argument("--stop-file", help="stop early once this file exists")
    args = p.parse_args()
    if args.host.startswith("["):
        args.host = args.host.strip("[]")
    return {"flood": flood, "slowloris": slowloris, "bodies": bodies, "tls": tls, "healthz": healthz}[args.mode](args) or 0


if __name__ == "__main__":
    sys.exit(main())
