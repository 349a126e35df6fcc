/**
 * TLS cost next to Python's `ssl` (bench/tls.py does the same steps): both
 * ends in one process over a blocking socket pair (one thread: the server end
 * over memory BIOs, pumped by hand), so the figures are the library's and
 * OpenSSL's, not the network's.
 *   - handshakes per second (TLS 1.3, ECDHE + the RSA-2048 test certificate);
 *   - CPU (user + system) per 64-byte round trip over an established connection.
 *
 *   deno run -A bench/tls.ts CERT KEY CA [HANDSHAKES] [ROUND_TRIPS]
 *   bun bench/tls.ts CERT KEY CA [HANDSHAKES] [ROUND_TRIPS]
 *
 * Prints one JSON line. A benchmark, not a test.
 *
 * @module
 */
import process from "node:process";
import { ssl } from "../mod.ts";

const [cert, key, ca, handshakes = "300", trips = "20000"] = process.argv.slice(2);
const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
cctx.loadVerifyLocations(ca!);
const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
sctx.loadCertChain(cert!, key!);

/** A client and a server SSLObject over memory BIOs, and the pump between them. */
function pair(): { client: ssl.SSLObject; server: ssl.SSLObject; pump: () => void } {
  const [ci, co, si, so] = [
    new ssl.MemoryBIO(),
    new ssl.MemoryBIO(),
    new ssl.MemoryBIO(),
    new ssl.MemoryBIO(),
  ];
  const client = cctx.wrapBio(ci, co, { serverHostname: "localhost" });
  const server = sctx.wrapBio(si, so, { serverSide: true });
  const pump = (): void => {
    if (co.pending) si.write(co.read());
    if (so.pending) ci.write(so.read());
  };
  return { client, server, pump };
}

function handshake(p: ReturnType<typeof pair>): void {
  for (let i = 0, done = 0; done < 2; i++) {
    if (i > 20) throw new Error("handshake did not finish");
    done = 0;
    for (const side of [p.client, p.server]) {
      try {
        side.doHandshake();
        done++;
      } catch (e) {
        if (!(e instanceof ssl.SSLWantReadError)) throw e;
      }
    }
    p.pump();
  }
}

function cpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const n = Number(handshakes);
let t0 = performance.now(), c0 = cpu();
for (let i = 0; i < n; i++) {
  const p = pair();
  handshake(p);
  p.client.close();
  p.server.close();
}
const handshakesPerSecond = n / ((performance.now() - t0) / 1e3);
const handshakeCpuMs = ((cpu() - c0) / n) * 1e3;

const p = pair();
handshake(p);
const msg = new Uint8Array(64).fill(7);
const buf = new Uint8Array(64);
const m = Number(trips);
t0 = performance.now();
c0 = cpu();
for (let i = 0; i < m; i++) {
  p.client.write(msg);
  p.pump();
  p.server.readInto(buf);
  p.server.write(buf);
  p.pump();
  p.client.readInto(buf);
}
const rttUs = ((performance.now() - t0) / m) * 1e3;
const rttCpuUs = ((cpu() - c0) / m) * 1e6;
console.log(JSON.stringify({ handshakesPerSecond, handshakeCpuMs, rttUs, rttCpuUs }));
