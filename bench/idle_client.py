#!/usr/bin/env python3
"""Idle connections for `npm run bench` (PARTS=idle): what each connection
costs an echo server while it waits, and one round trip over all of them.

    usage: idle_client.py PORT STEPS...

Opens connections to 127.0.0.1:PORT, one round trip of 64 bytes each, until
the total reaches each step in STEPS (e.g. 1000 15000); after each step it
prints `held N` and waits for a line on stdin (the runner reads the server's
RSS meanwhile). Then it sweeps: one round trip on every connection in turn,
and prints `sweep SECONDS`. It closes everything and exits at EOF on stdin.
"""
import socket
import sys
import time

MSG = b"x" * 64


def round_trip(s):
    s.sendall(MSG)
    got = 0
    while got < len(MSG):
        chunk = s.recv(len(MSG) - got)
        if not chunk:
            raise SystemExit("the server closed a connection")
        got += len(chunk)


def main():
    port = int(sys.argv[1])
    steps = [int(n) for n in sys.argv[2:]]
    conns = []
    for step in steps:
        while len(conns) < step:
            s = socket.create_connection(("127.0.0.1", port))
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            round_trip(s)
            conns.append(s)
        print(f"held {len(conns)}", flush=True)
        sys.stdin.readline()
    t0 = time.perf_counter()
    for s in conns:
        round_trip(s)
    print(f"sweep {time.perf_counter() - t0:.4f}", flush=True)
    sys.stdin.read()
    for s in conns:
        s.close()


main()
