/**
 * TLS cost next to Python's `ssl` (bench/tls.py does the same steps): both
 * ends in one process and one thread, so the figures are the library's and
 * OpenSSL's, not the network's.
 *   - handshakes per second (TLS 1.3, ECDHE + the RSA-2048 test certificate),
 *     over memory BIOs pumped by hand (`wrapBio`);
 *   - CPU (user + system) per 64-byte round trip over an established
 *     connection: over memory BIOs (`rtt*`), and over a blocking socket pair
 *     (`socketRtt*`: `wrapSocket`, what a script's connection does).
 * Each part runs a tenth of its count first, untimed (both languages): the
 * JIT's compiling and the first-use costs are a run's start, not its rate.
 *
 *   deno run -A bench/tls.ts CERT KEY CA [HANDSHAKES] [ROUND_TRIPS]
 *   bun bench/tls.ts CERT KEY CA [HANDSHAKES] [ROUND_TRIPS]
 *
 * Prints one JSON line. A benchmark, not a test.
 *
 * @module
 */
import process from "node:process";
import { socket, ssl } from "../mod.ts";
import { bioPair, handshake } from "./_tls_steps.ts";

const [cert, key, ca, handshakes = "300", trips = "20000"] = process.argv.slice(2);
const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
cctx.loadVerifyLocations(ca!);
const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
sctx.loadCertChain(cert!, key!);

function cpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** CPU and wall time of `count` calls of `step`, after a tenth of them untimed. */
function measure(count: number, step: () => void): { wall: number; cpu: number } {
  for (let i = 0; i < Math.ceil(count / 10); i++) step();
  const t0 = performance.now(), c0 = cpu();
  for (let i = 0; i < count; i++) step();
  return { wall: (performance.now() - t0) / 1e3, cpu: cpu() - c0 };
}

const n = Number(handshakes);
const hs = measure(n, () => {
  const p = bioPair(cctx, sctx);
  handshake(p.client, p.server, p.pump);
  p.client.close();
  p.server.close();
});

const p = bioPair(cctx, sctx);
handshake(p.client, p.server, p.pump);
const msg = new Uint8Array(64).fill(7);
const buf = new Uint8Array(64);
const m = Number(trips);
const bio = measure(m, () => {
  p.client.write(msg);
  p.pump();
  p.server.readInto(buf);
  p.server.write(buf);
  p.pump();
  p.client.readInto(buf);
});

// The same round trip over a socket pair: the handshake non-blocking, turn by turn, then blocking.
const [a, b] = socket.socketpair();
a.setBlocking(false);
b.setBlocking(false);
const client = cctx.wrapSocket(a, { serverHostname: "localhost", doHandshakeOnConnect: false });
const server = sctx.wrapSocket(b, { serverSide: true, doHandshakeOnConnect: false });
handshake(client, server);
a.setBlocking(true);
b.setBlocking(true);
const sock = measure(m, () => {
  client.send(msg);
  server.recvInto(buf);
  server.send(buf);
  client.recvInto(buf);
});
client.close();
server.close();

console.log(JSON.stringify({
  handshakesPerSecond: n / hs.wall,
  handshakeCpuMs: (hs.cpu / n) * 1e3,
  rttUs: (bio.wall / m) * 1e6,
  rttCpuUs: (bio.cpu / m) * 1e6,
  socketRttUs: (sock.wall / m) * 1e6,
  socketRttCpuUs: (sock.cpu / m) * 1e6,
}));
