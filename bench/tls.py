"""bench/tls.ts's steps with Python's ssl: handshakes per second and CPU per
64-byte round trip over memory BIOs and over a blocking socket pair, one
thread, each part after a tenth of it untimed. Prints one JSON line.
   python3 bench/tls.py CERT KEY CA [HANDSHAKES] [ROUND_TRIPS]"""
import json, socket, ssl, sys, time

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

def handshake(client, server, pump=lambda: None):
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

def measure(count, step):
    for _ in range(-(-count // 10)):
        step()
    t0, c0 = time.perf_counter(), cpu()
    for _ in range(count):
        step()
    return time.perf_counter() - t0, cpu() - c0

hwall, hcpu = measure(handshakes, lambda: handshake(*pair()))
client, server, pump = pair(); handshake(client, server, pump)
msg = b"\x07" * 64
def bio_trip():
    client.write(msg); pump(); d = server.read(64); server.write(d); pump(); client.read(64)
bwall, bcpu = measure(trips, bio_trip)

a, b = socket.socketpair()
a.setblocking(False); b.setblocking(False)
sc = cctx.wrap_socket(a, server_hostname="localhost", do_handshake_on_connect=False)
ss = sctx.wrap_socket(b, server_side=True, do_handshake_on_connect=False)
handshake(sc, ss)
sc.setblocking(True); ss.setblocking(True)
buf = bytearray(64)
def socket_trip():
    sc.send(msg); n = ss.recv_into(buf); ss.send(memoryview(buf)[:n]); sc.recv_into(buf)
swall, scpu = measure(trips, socket_trip)
sc.close(); ss.close()

print(json.dumps({
    "handshakesPerSecond": handshakes / hwall, "handshakeCpuMs": hcpu / handshakes * 1e3,
    "rttUs": bwall / trips * 1e6, "rttCpuUs": bcpu / trips * 1e6,
    "socketRttUs": swall / trips * 1e6, "socketRttCpuUs": scpu / trips * 1e6,
}))
