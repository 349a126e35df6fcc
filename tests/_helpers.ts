/**
 * Test helpers: real fds only (pipes, socket pairs, loopback TCP, child
 * processes), closed at the end of each test.
 *
 * @module
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import {
  type BaseSelector,
  EpollSelector,
  os,
  OSError,
  PollSelector,
  resource,
  SelectSelector,
  socket,
  ssl,
} from "../mod.ts";
import { ARCH, RUNTIME } from "../ffi/_host.ts";
import { waiterKind } from "../_reactor.ts";
import { libc, uringLib } from "../ffi/mod.ts";
import { FCNTL } from "../ffi/constants.ts";

export { RUNTIME };

/** Tracks fds and sockets made by a test so they are all closed after it. */
export class Fds {
  #fds: number[] = [];
  #socks: socket.Socket[] = [];

  /** A socket pair: `[reader, writer]` (both ends can do both). */
  pair(): [socket.Socket, socket.Socket] {
    const p = socket.socketpair();
    this.#socks.push(...p);
    return p;
  }

  /** A pipe: `[readFd, writeFd]`. */
  pipe(): [number, number] {
    const p = os.pipe();
    this.#fds.push(...p);
    return p;
  }

  /** Tracks a raw fd for closing. */
  fd(fd: number): number {
    this.#fds.push(fd);
    return fd;
  }

  /** Tracks a socket for closing. */
  sock<S extends socket.Socket>(s: S): S {
    this.#socks.push(s);
    return s;
  }

  /** Closes everything, ignoring fds already closed. */
  [Symbol.dispose](): void {
    for (const s of this.#socks) {
      try {
        s.close();
      } catch { /* closed by the test */ }
    }
    for (const fd of this.#fds) {
      try {
        os.close(fd);
      } catch { /* closed by the test */ }
    }
  }
}

/** Seconds on a monotonic clock. */
export function now(): number {
  return performance.now() / 1e3;
}

/** Waits `ms` milliseconds (lets the event loop run). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Raises the soft fd limit to the hard one; returns the new soft limit. */
export function raiseFdLimit(): number {
  const [soft, hard] = resource.getrlimit(resource.RLIMIT_NOFILE);
  if (soft !== hard) resource.setrlimit(resource.RLIMIT_NOFILE, [hard, hard]);
  return resource.getrlimit(resource.RLIMIT_NOFILE)[0];
}

/** A child process's outcome. */
export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options for {@linkcode run}. */
export interface RunOptions {
  env?: Record<string, string>;
  input?: string | Uint8Array;
  timeoutMs?: number;
}

/** Runs a command to completion (killed after `timeoutMs`), collecting its output. */
export function run(cmd: string, args: string[], options: RunOptions = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "", stderr = "";
    child.stdout!.on("data", (d: Uint8Array) => stdout += new TextDecoder().decode(d));
    child.stderr!.on("data", (d: Uint8Array) => stderr += new TextDecoder().decode(d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    else child.stdin!.end();
  });
}

/** The command line that runs a TypeScript file under the current runtime. */
export function runtimeCommand(script: string, args: string[] = []): [string, string[]] {
  if (RUNTIME === "deno") {
    return [process.execPath, [
      "run",
      "--allow-ffi",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      "--allow-run",
      "--allow-net",
      script,
      ...args,
    ]];
  }
  return [process.execPath, [script, ...args]];
}

/** Runs a TypeScript file under the current runtime. */
export function runScript(
  script: string,
  args: string[] = [],
  options: RunOptions = {},
): Promise<ChildResult> {
  const [cmd, argv] = runtimeCommand(script, args);
  return run(cmd, argv, options);
}

/**
 * Starts `fixtures/net_peer.ts` (a peer of the runtime's own sockets) in
 * `mode` under this runtime; resolves with its outcome when it exits.
 */
export function netPeer(mode: string, args: string[]): Promise<ChildResult> {
  const [cmd, argv] = runtimeCommand(here("fixtures/net_peer.ts"), [mode, ...args]);
  return run(cmd, argv);
}

/** Runs Python 3 code with arguments. */
export function python(code: string, args: string[] = [], options: RunOptions = {}): Promise<ChildResult> {
  return run("python3", ["-c", code, ...args], options);
}

/** An absolute path next to this file. */
export function here(relative: string): string {
  return fileURLToPath(new URL(relative, import.meta.url));
}

/** A TextEncoder'd string. */
export function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** A TextDecoder'd string. */
export function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

/** An `assert.throws` predicate: an OSError with this code (and syscall, when given). */
export function isOSError(code: string, syscall?: string): (e: unknown) => boolean {
  return (e: unknown) =>
    e instanceof OSError && e.code === code && typeof e.errno === "number" &&
    (syscall === undefined || e.syscall === syscall);
}

/** Resolves with the first complete line a child prints on stdout. */
export function firstLine(child: { stdout: NodeJS.ReadableStream | null }): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const onData = (d: Uint8Array | string): void => {
      buf += typeof d === "string" ? d : new TextDecoder().decode(d);
      const nl = buf.indexOf("\n");
      if (nl >= 0) {
        child.stdout!.off("data", onData);
        resolve(buf.slice(0, nl));
      }
    };
    child.stdout!.on("data", onData);
    child.stdout!.once("end", () => reject(new Error(`no line before EOF: ${JSON.stringify(buf)}`)));
  });
}

/**
 * How many of fds 0..limit-1 are open: probed with fcntl(F_GETFD) straight
 * through the library's libc binding, so it needs no /proc access (Deno asks
 * for --allow-all there) and throws no exception per closed fd (4 096 thrown
 * OSErrors cost 5-12 s under an emulated Deno).
 */
export function openFdCount(limit = 4096): number {
  const c = libc();
  let n = 0;
  for (let fd = 0; fd < limit; fd++) if (c.fcntl(fd, FCNTL.F_GETFD, 0) >= 0) n++;
  return n;
}

/** A selector of the backend a fixture's argument names: `epoll`, `select`, else `poll`. */
export function selectorOf(kind: string): BaseSelector {
  return kind === "epoll"
    ? new EpollSelector()
    : kind === "select"
    ? new SelectSelector()
    : new PollSelector();
}

/** The open fds among 0..limit-1 (fcntl(F_GETFD), as {@linkcode openFdCount}). */
export function openFds(limit = 4096): number[] {
  const c = libc();
  const open: number[] = [];
  for (let fd = 0; fd < limit; fd++) if (c.fcntl(fd, FCNTL.F_GETFD, 0) >= 0) open.push(fd);
  return open;
}

/** `n` bytes of a pattern that differs per `seed` and does not repeat every 256 bytes. */
export function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 131 + seed * 17 + (i >> 8)) & 0xff;
  return out;
}

/**
 * Asserts two byte sequences are equal, reporting only the lengths and the
 * first differing offset: never a full diff (a diff of a large buffer can
 * take gigabytes).
 */
export function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what = "bytes"): void {
  const n = Math.min(actual.length, expected.length);
  let i = 0;
  while (i < n && actual[i] === expected[i]) i++;
  if (i === n && actual.length === expected.length) return;
  const at = (b: Uint8Array) => (i < b.length ? `0x${b[i]!.toString(16).padStart(2, "0")}` : "end");
  throw new Error(
    `${what} differ: lengths ${actual.length} and ${expected.length}, first difference at offset ${i} ` +
      `(${at(actual)} vs ${at(expected)})`,
  );
}

/** A random token a child sends first, so a test can tell its peer from a stranger. */
export function makeToken(): string {
  return `peer-${Math.random().toString(36).slice(2)}-${Date.now()}\n`;
}

/**
 * Whether a just-accepted connection is the expected peer: it sends `token`
 * first (consumed here). Strangers that stay silent, send something else or
 * reset are not. The connection comes back blocking.
 */
export function isPeer(conn: socket.Socket, token: string, timeoutS = 30): boolean {
  const want = bytes(token);
  const got = new Uint8Array(want.length);
  let n = 0;
  try {
    conn.setTimeout(timeoutS);
    while (n < got.length) {
      const k = conn.recvInto(got.subarray(n));
      if (k === 0) break;
      n += k;
    }
    conn.setTimeout(null);
  } catch {
    return false; // a stranger that timed out or reset
  }
  return n === want.length && got.every((b, i) => b === want[i]);
}

/**
 * Accepts connections on a listener until one is the expected peer (see
 * {@linkcode isPeer}); strangers on this shared machine's loopback are closed
 * and ignored.
 */
export function acceptPeer(server: socket.Socket, token: string, timeoutS = 30): socket.Socket {
  const deadline = now() + timeoutS;
  const saved = server.getTimeout();
  try {
    for (;;) {
      const left = deadline - now();
      if (left <= 0) throw new Error(`the expected peer did not connect within ${timeoutS} s`);
      server.setTimeout(left);
      const [conn] = server.accept();
      if (isPeer(conn, token, Math.max(deadline - now(), 0.001))) return conn;
      conn.close();
    }
  } finally {
    server.setTimeout(saved);
  }
}

/**
 * Listens on 127.0.0.1, starts a peer with `start(port, token)` (it must send
 * the token first: see {@linkcode isPeer}), and accepts it, ignoring
 * strangers. The listener is closed once the peer is in.
 *
 * @returns What `start` returned (the child) and the peer's connection, yours to close.
 */
export function acceptStarted<R>(
  start: (port: string, token: string) => R,
  timeoutS = 30,
): { child: R; conn: socket.Socket } {
  using server = socket.createServer(["127.0.0.1", 0]);
  const [, port] = server.getsockname() as [string, number];
  const token = makeToken();
  const child = start(String(port), token);
  return { child, conn: acceptPeer(server, token, timeoutS) };
}

/** Runs a fixture under this runtime (Deno gets --expose-gc); returns its last stdout line as JSON. */
export async function runFixture(
  name: string,
  args: string[] = [],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Record<string, unknown>> {
  let [cmd, argv] = runtimeCommand(here(`fixtures/${name}`), args);
  if (RUNTIME === "deno") argv = ["run", "--v8-flags=--expose-gc", ...argv.slice(1)];
  const r = await run(cmd, argv, { env: options.env, timeoutMs: options.timeoutMs ?? 120_000 });
  if (r.code !== 0) throw new Error(`${name} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

/** Whether this host can bind IPv6 loopback (`::1`). */
export function hasIPv6Loopback(): boolean {
  try {
    using s = new socket.Socket(socket.AF_INET6, socket.SOCK_STREAM);
    s.bind(["::1", 0]);
    return true;
  } catch {
    return false;
  }
}

const scratchDirs: string[] = [];

/**
 * A new empty directory under the system's temporary directory, removed with
 * everything in it when this test process exits (a test leaves no files).
 */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (scratchDirs.push(dir) === 1) {
    const removeAll = (): void => {
      for (const d of scratchDirs) rmSync(d, { recursive: true, force: true });
    };
    process.on("exit", removeAll); // Bun
    globalThis.addEventListener?.("unload", removeAll); // Deno's test runner emits no process "exit"
  }
  return dir;
}

/** A command line for `sh -c`: each word single-quoted, so nothing in it is interpreted. */
export function shellWords(words: string[]): string {
  return words.map((w) => `'${w.replaceAll("'", `'\\''`)}'`).join(" ");
}

/** A running example, with the port it printed. */
export interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
  /** What it wrote to stderr so far. */
  errors: () => string;
  stop: () => Promise<string>;
}

/**
 * Starts an example and waits for its "listening on HOST:PORT" line (netcat
 * -v: "Listening on HOST PORT", or "Bound on HOST PORT" for UDP), however long
 * the runtime takes to start (an emulated one takes seconds); it rejects if the
 * example exits first. `stdinFile`: the example's stdin is that regular file
 * (through `sh -c 'exec ... < file'`, so the child is the example itself).
 */
export function startExample(
  script: string,
  args: string[],
  stream: "stdout" | "stderr" = "stdout",
  stdinFile?: string,
  prefix: string[] = [],
): Promise<Started> {
  const [cmd0, argv0] = runtimeCommand(script, args);
  const [cmd, ...argv] = [...prefix, cmd0, ...argv0] as [string, ...string[]];
  const child = stdinFile === undefined
    ? spawn(cmd, argv, { stdio: ["pipe", "pipe", "pipe"] })
    : spawn("sh", ["-c", `exec ${shellWords([cmd, ...argv])} < ${shellWords([stdinFile])}`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
  let out = "", err = "";
  child.stdout!.on("data", (d: Uint8Array) => out += text(d));
  child.stderr!.on("data", (d: Uint8Array) => err += text(d));
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const stop = async (): Promise<string> => {
    child.kill("SIGKILL");
    await closed;
    return out;
  };
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /(?:[Ll]istening|Bound) on (?:\[[\da-f:.]+\]|[\d.]+)[: ](\d+)/.exec(
        stream === "stdout" ? out : err,
      );
      if (m) {
        clearInterval(timer);
        resolve({ child, port: Number(m[1]), output: () => out, errors: () => err, stop });
      }
    }, 10);
    child.on("close", (code) => {
      clearInterval(timer);
      reject(new Error(`${script} exited (${code}) before listening: ${err}`));
    });
  });
}

// ------------------------------------------------------------ names that do not resolve

const DNS_PORT = 53;

let resolverProbe: string | undefined | null = null;

/**
 * Why {@linkcode withLocalResolver} cannot run here (a reason to skip with),
 * or undefined when it can: it needs a private mount namespace (`unshare -m`,
 * root) and UDP port 53 of 127.0.0.1 free. Probed once, synchronously, so a
 * test can decide at registration.
 */
export function localResolverUnavailable(): string | undefined {
  if (resolverProbe !== null) return resolverProbe;
  const r = spawnSync("unshare", ["-m", "sh", "-c", "mount --bind /dev/null /etc/resolv.conf"], {
    stdio: "pipe",
  });
  if (r.error || r.status !== 0) {
    return resolverProbe =
      "a private mount namespace for /etc/resolv.conf cannot be made here (unshare -m, root)";
  }
  try {
    using probe = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
    probe.bind(["127.0.0.1", DNS_PORT]);
  } catch (e) {
    return resolverProbe = `UDP 127.0.0.1:${DNS_PORT} is not free for a loopback resolver (${
      (e as Error).message
    })`;
  }
  return resolverProbe = undefined;
}

/** The DNS reply NXDOMAIN to a query: its header and question, nothing else. */
function nxdomain(query: Uint8Array): Uint8Array | null {
  if (query.length < 12) return null;
  let at = 12; // the question: labels up to a zero byte, then QTYPE and QCLASS
  while (at < query.length && query[at] !== 0) at += 1 + query[at]!;
  const end = at + 5;
  if (end > query.length) return null;
  const reply = query.slice(0, end);
  reply[2] = 0x80 | (query[2]! & 0x79); // QR, the query's opcode and RD
  reply[3] = 0x80 | 3; // RA, RCODE 3: NXDOMAIN
  reply.set([0, 1, 0, 0, 0, 0, 0, 0], 4); // one question, no answer, authority or additional records
  return reply;
}

/**
 * Runs `body` with a DNS server of the test's own on 127.0.0.1:53 that answers
 * every query "no such name", and a command prefix that runs a child with
 * `/etc/resolv.conf` pointing at it (a private mount namespace; the network
 * is the machine's, so the test still reaches the child over loopback). A
 * name outside /etc/hosts then fails at once, as it does on a real network,
 * and no DNS query leaves this machine. Check
 * {@linkcode localResolverUnavailable} first.
 *
 * @param body Gets the prefix, such as `["unshare", "-m", "sh", "-c", ..., conf]`.
 * @param delayMs How long each answer is held back (a slow resolver).
 */
export async function withLocalResolver<R>(
  body: (prefix: string[]) => Promise<R>,
  delayMs = 0,
): Promise<R> {
  const dir = scratchDir("resolver-");
  const conf = join(dir, "resolv.conf");
  writeFileSync(conf, "nameserver 127.0.0.1\noptions attempts:1 timeout:2\n");
  const server = createSocket("udp4");
  server.on("message", (msg: Uint8Array, peer: { address: string; port: number }) => {
    const reply = nxdomain(new Uint8Array(msg));
    if (!reply) return;
    if (delayMs > 0) setTimeout(() => server.send(reply, peer.port, peer.address), delayMs);
    else server.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.bind(DNS_PORT, "127.0.0.1", () => resolve());
  });
  const prefix = ["unshare", "-m", "sh", "-c", 'mount --bind "$0" /etc/resolv.conf && exec "$@"', conf];
  try {
    return await body(prefix);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * Runs the handshakes of two TLS ends (SSLObjects or non-blocking
 * SSLSockets) in turns until both are done, `between` moving bytes after each
 * turn (memory BIOs); returns how many finished (2 when both did).
 */
export function handshakeBoth(
  a: { doHandshake(): void },
  b: { doHandshake(): void },
  between: () => void = () => {},
  rounds = 50,
): number {
  let done = 0;
  for (let i = 0; i < rounds && done < 2; i++) {
    done = 0;
    for (const side of [a, b]) {
      try {
        side.doHandshake();
        done++;
      } catch (e) {
        if (!(e instanceof ssl.SSLWantReadError || e instanceof ssl.SSLWantWriteError)) throw e;
      }
    }
    between();
  }
  return done;
}

/**
 * The JavaScript thread's id on Linux (`gettid`): the process's main thread
 * under Bun and `deno run`, another one under `deno test`.
 */
export function jsThread(): string {
  const sysGettid = ARCH === "aarch64" ? 178n : 186n;
  return String(uringLib().syscall(sysGettid, 0, 0, 0, 0, 0, 0));
}

/**
 * Makes the process's one waiter, if no wait has yet, and says which it is:
 * the runtime's reactor (`_reactor.ts`) or a thread in poll(2). A short wait
 * with nothing ready goes to the waiter (a wakeup could come first on a slow host).
 */
export async function processWaiter(): Promise<"reactor" | "thread"> {
  using sel = new PollSelector();
  while (waiterKind() === null) await sel.selectAsync(0.05);
  return waiterKind()!;
}

// ------------------------------------------------------------ seeded random inputs

/** A small deterministic PRNG (mulberry32), so a seed replays a sequence exactly. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws from {@linkcode rng}: `below(k)`, an integer 0 to k - 1; `pick(items)`, one of them. */
export function draws(seed: number): { below(k: number): number; pick<T>(items: readonly T[]): T } {
  const next = rng(seed);
  const below = (k: number): number => Math.floor(next() * k);
  return { below, pick: (items) => items[below(items.length)]! };
}
