/**
 * The runtime's floor for a TLS handshake, next to the library's, in one
 * process: the same OpenSSL calls (`SSL_new`, memory BIOs, `SSL_do_handshake`
 * until both ends are done, `SSL_free`) bound straight through this runtime's
 * own FFI, on the same two contexts, with no objects, no checks and no
 * exceptions; then the library's `wrapBio` doing the same steps as
 * `bench/tls.ts` (and Python's `bench/tls.py`). A third variant is the floor
 * with the exceptions Python's API raises: the same raw calls, and an `Error`
 * made, thrown and caught at each handshake step that waits for the peer (five
 * per pair, as `SSLWantReadError` is in the library and in Python): what the
 * contract itself costs this runtime. Batches alternate, so a noisy host hits
 * all alike; CPU is `process.cpuUsage()` (all threads), the median batch. What
 * the library costs above the floor with exceptions is its own; what that
 * costs above Python's handshake is the runtime's. Linux only (`libssl.so.3`).
 *
 *   deno run -A bench/tls_floor.ts CERT KEY CA [BATCHES [PER_BATCH]]
 *   bun bench/tls_floor.ts CERT KEY CA [BATCHES [PER_BATCH]]
 *
 * Prints one JSON line: µs of CPU per handshake pair, raw, raw with the
 * exceptions, and through the library.
 * A benchmark, not a test: it trusts OpenSSL and checks nothing.
 *
 * @module
 */
import process from "node:process";
import { RUNTIME, ssl } from "../mod.ts";
import { bioPair, handshake } from "./_tls_steps.ts";

const [cert, key, ca, batches = "12", perBatch = "150"] = process.argv.slice(2);
const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
cctx.loadVerifyLocations(ca!);
const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
sctx.loadCertChain(cert!, key!);

/** The raw calls; pointers are whatever this runtime's FFI passes them as. */
interface Raw {
  sslNew(ctx: unknown): unknown;
  sslFree(s: unknown): void;
  setBio(s: unknown, rbio: unknown, wbio: unknown): void;
  connectState(s: unknown): void;
  acceptState(s: unknown): void;
  setHostName(s: unknown, name: Uint8Array): void;
  setHost(s: unknown, name: Uint8Array): void;
  handshake(s: unknown): number;
  getError(s: unknown, r: number): number;
  clearErrors(): void;
  bioNew(): unknown;
  bioRead(b: unknown, buf: Uint8Array, len: number): number;
  bioWrite(b: unknown, buf: Uint8Array, len: number): number;
  ctx(context: ssl.SSLContext): unknown;
}

/** `SSL_CTRL_SET_TLSEXT_HOSTNAME`. */
const SET_TLSEXT_HOSTNAME = 55;

async function openRaw(): Promise<Raw> {
  // The contexts' own SSL_CTX * (an @internal method of the public class).
  const address = (context: ssl.SSLContext): bigint =>
    (context as unknown as { pointer(): bigint }).pointer();
  if (RUNTIME === "bun") {
    const ffi = await import(["bun", "ffi"].join(":"));
    const l = ffi.dlopen("libssl.so.3", {
      SSL_new: { args: ["ptr"], returns: "ptr" },
      SSL_free: { args: ["ptr"], returns: "void" },
      SSL_set_bio: { args: ["ptr", "ptr", "ptr"], returns: "void" },
      SSL_set_connect_state: { args: ["ptr"], returns: "void" },
      SSL_set_accept_state: { args: ["ptr"], returns: "void" },
      SSL_ctrl: { args: ["ptr", "i32", "i64", "ptr"], returns: "i64" },
      SSL_set1_host: { args: ["ptr", "ptr"], returns: "i32" },
      SSL_do_handshake: { args: ["ptr"], returns: "i32" },
      SSL_get_error: { args: ["ptr", "i32"], returns: "i32" },
    }).symbols;
    const c = ffi.dlopen("libcrypto.so.3", {
      BIO_s_mem: { args: [], returns: "ptr" },
      BIO_new: { args: ["ptr"], returns: "ptr" },
      BIO_read: { args: ["ptr", "ptr", "i32"], returns: "i32" },
      BIO_write: { args: ["ptr", "ptr", "i32"], returns: "i32" },
      ERR_clear_error: { args: [], returns: "void" },
    }).symbols;
    const mem = c.BIO_s_mem();
    return {
      sslNew: l.SSL_new,
      sslFree: l.SSL_free,
      setBio: l.SSL_set_bio,
      connectState: l.SSL_set_connect_state,
      acceptState: l.SSL_set_accept_state,
      setHostName: (s, name) => l.SSL_ctrl(s, SET_TLSEXT_HOSTNAME, 0, name),
      setHost: l.SSL_set1_host,
      handshake: l.SSL_do_handshake,
      getError: l.SSL_get_error,
      clearErrors: c.ERR_clear_error,
      bioNew: () => c.BIO_new(mem),
      bioRead: c.BIO_read,
      bioWrite: c.BIO_write,
      ctx: (context) => Number(address(context)),
    };
  }
  // deno-lint-ignore no-explicit-any
  const deno = (globalThis as any).Deno;
  const l = deno.dlopen("libssl.so.3", {
    SSL_new: { parameters: ["u64"], result: "u64" },
    SSL_free: { parameters: ["u64"], result: "void" },
    SSL_set_bio: { parameters: ["u64", "u64", "u64"], result: "void" },
    SSL_set_connect_state: { parameters: ["u64"], result: "void" },
    SSL_set_accept_state: { parameters: ["u64"], result: "void" },
    SSL_ctrl: { parameters: ["u64", "i32", "i64", "buffer"], result: "i64" },
    SSL_set1_host: { parameters: ["u64", "buffer"], result: "i32" },
    SSL_do_handshake: { parameters: ["u64"], result: "i32", callback: true }, // as the library binds it
    SSL_get_error: { parameters: ["u64", "i32"], result: "i32" },
  }).symbols;
  const c = deno.dlopen("libcrypto.so.3", {
    BIO_s_mem: { parameters: [], result: "u64" },
    BIO_new: { parameters: ["u64"], result: "u64" },
    BIO_read: { parameters: ["u64", "buffer", "i32"], result: "i32" },
    BIO_write: { parameters: ["u64", "buffer", "i32"], result: "i32" },
    ERR_clear_error: { parameters: [], result: "void" },
  }).symbols;
  const mem = BigInt(c.BIO_s_mem());
  const big = (v: number | bigint): bigint => typeof v === "bigint" ? v : BigInt(v);
  return {
    sslNew: (ctx) => big(l.SSL_new(ctx)),
    sslFree: l.SSL_free,
    setBio: l.SSL_set_bio,
    connectState: l.SSL_set_connect_state,
    acceptState: l.SSL_set_accept_state,
    setHostName: (s, name) => l.SSL_ctrl(s, SET_TLSEXT_HOSTNAME, 0n, name),
    setHost: l.SSL_set1_host,
    handshake: l.SSL_do_handshake,
    getError: l.SSL_get_error,
    clearErrors: c.ERR_clear_error,
    bioNew: () => big(c.BIO_new(mem)),
    bioRead: c.BIO_read,
    bioWrite: c.BIO_write,
    ctx: address,
  };
}

const raw = await openRaw();
const clientCtx = raw.ctx(cctx), serverCtx = raw.ctx(sctx);
const host = new TextEncoder().encode("localhost\0");
const buf = new Uint8Array(65536);

/** Moves every byte waiting in `from` into `to`, through one buffer. */
function move(from: unknown, to: unknown): void {
  for (let n = raw.bioRead(from, buf, buf.length); n > 0; n = raw.bioRead(from, buf, buf.length)) {
    raw.bioWrite(to, buf, n);
  }
}

/**
 * One handshake pair through the runtime's FFI alone: both ends made, each
 * end's `turn` once a turn (true once its handshake is done) with the bytes
 * moved between turns, both freed.
 */
function rawPair(turn: (side: unknown) => boolean): void {
  const ci = raw.bioNew(), co = raw.bioNew(), si = raw.bioNew(), so = raw.bioNew();
  const c = raw.sslNew(clientCtx), s = raw.sslNew(serverCtx);
  raw.setBio(c, ci, co);
  raw.setBio(s, si, so);
  raw.connectState(c);
  raw.acceptState(s);
  raw.setHostName(c, host);
  raw.setHost(c, host);
  for (let i = 0, done = 0; done < 2; i++) {
    if (i > 20) throw new Error("handshake did not finish");
    done = 0;
    for (const side of [c, s]) if (turn(side)) done++;
    move(co, si);
    move(so, ci);
  }
  raw.sslFree(c);
  raw.sslFree(s);
}

/** One step of the handshake: whether it is done (a step that waits asks why and clears the queue). */
function step(side: unknown): boolean {
  const r = raw.handshake(side);
  if (r === 1) return true;
  raw.getError(side, r);
  raw.clearErrors();
  return false;
}

/** What the floor throws where a step waits: an Error of its own class, as `SSLWantReadError` is. */
class WaitingError extends Error {}

/** A step that throws where the library (and Python) raise `SSLWantReadError`, and the catch. */
function stepThrowing(side: unknown): boolean {
  try {
    if (step(side)) return true;
    throw new WaitingError("The operation did not complete (read)");
  } catch (e) {
    if (!(e instanceof WaitingError)) throw e;
    return false;
  }
}

/** The floor: one handshake pair, no exceptions. */
function floor(): void {
  rawPair(step);
}

/** The floor's handshake pair, with the exceptions of Python's contract. */
function floorWithErrors(): void {
  rawPair(stepThrowing);
}

/** One handshake pair through the library, bench/tls.ts's steps. */
function library(): void {
  const p = bioPair(cctx, sctx);
  handshake(p.client, p.server, p.pump);
  p.client.close();
  p.server.close();
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

const per = Number(perBatch);
const variants = [["floor", floor], ["floorWithErrors", floorWithErrors], ["library", library]] as const;
const runs: Record<(typeof variants)[number][0], number[]> = { floor: [], floorWithErrors: [], library: [] };
for (let b = -2; b < Number(batches); b++) { // two batches of each first, untimed
  for (const [name, step] of variants) {
    const c0 = cpuUs();
    for (let i = 0; i < per; i++) step();
    if (b >= 0) runs[name].push((cpuUs() - c0) / per);
  }
}
const median = (v: number[]): number => v.sort((a, b) => a - b)[(v.length - 1) >> 1]!;
console.log(
  JSON.stringify({
    floorHandshakeCpuUs: median(runs.floor),
    floorWithErrorsHandshakeCpuUs: median(runs.floorWithErrors),
    libraryHandshakeCpuUs: median(runs.library),
  }),
);
