"""bench/tls.ts's steps with Python's ssl: handshakes per second and CPU per
64-byte round trip over memory BIOs, one thread. Prints one JSON line.
   python3 bench/tls.py CERT KEY CA [HANDSHAKES] [ROUND_TRIPS]"""
import json, ssl, sys, time

cert, key, ca = sys.argv[1:4]
handshakes = int(sys.argv[4]) if len(sys.argv) > 4 else 300
trips = int(sys.argv[5]) if len(sys.argv) > 5 else 20000
cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); cctx.load_verify_locations(ca)
sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.load_cert_chain(cert, key)

def pair():
    ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client = cctx.wrap_bio(ci, co, server_hostname="localhost")
    server = sctx.wrap_bio(si, so, server_side=True)
    def pump():
        if co.pending: si.write(co.read())
        if so.pending: ci.write(so.read())
    return client, server, pump

def handshake(client, server, pump):
    for _ in range(20):
        done = 0
        for side in (client, server):
            try:
                side.do_handshake(); done += 1
            except ssl.SSLWantReadError:
                pass
        pump()
        if done == 2: return
    raise RuntimeError("handshake did not finish")

def cpu():
    t = time.process_time()
    return t

t0, c0 = time.perf_counter(), cpu()
for _ in range(handshakes):
    handshake(*pair())
hps = handshakes / (time.perf_counter() - t0)
hcpu = (cpu() - c0) / handshakes * 1e3
client, server, pump = pair(); handshake(client, server, pump)
msg = b"\x07" * 64
t0, c0 = time.perf_counter(), cpu()
for _ in range(trips):
    client.write(msg); pump(); d = server.read(64); server.write(d); pump(); client.read(64)
rtt = (time.perf_counter() - t0) / trips * 1e6
rcpu = (cpu() - c0) / trips * 1e6
print(json.dumps({"handshakesPerSecond": hps, "handshakeCpuMs": hcpu, "rttUs": rtt, "rttCpuUs": rcpu}))
