/**
 * What one wait that really sleeps costs (a benchmark, not a test): a
 * ping-pong over an AF_UNIX stream socket with a peer process (Python) that
 * pauses before each answer (50 µs by default, spinning), so every wait of
 * ours sleeps and is woken by the peer. Per wait: CPU of the whole process
 * (user + system, all threads), the wake-up latency (the peer stamps each
 * answer with CLOCK_MONOTONIC just before sending it; we read the clock when
 * the wait returns: p50 and p99), and how many times threads other than the
 * JavaScript thread were scheduled (`/proc/self/task/TID/schedstat`).
 *
 *   deno run -A bench/wake.ts MODE [ROUNDS] [PAUSE_US]
 *   bun bench/wake.ts MODE [ROUNDS] [PAUSE_US]
 *
 * MODE: `sync` (blocking `select()`), `async` (`selectAsync()`, on whichever
 * waiter the process has: `SELECTORS_WAITER=thread` forces the off-thread
 * one), `floor` (the runtime's own wake-up through its event loop, no
 * selector: see `round`). Prints one JSON line. Linux only (/proc).
 *
 * @module
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { DefaultSelector, EVENT_READ, monotonic, os, RUNTIME, socket } from "../mod.ts";

const [mode = "async", roundsText = "20000", pauseText = "50"] = process.argv.slice(2);
const rounds = Number(roundsText);
if (!["sync", "async", "floor"].includes(mode)) throw new Error(`MODE is sync, async or floor, not ${mode}`);

const PEER = `import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
pause = float(sys.argv[2]) / 1e6
while True:
    if not s.recv(64):
        break
    end = time.perf_counter() + pause
    while time.perf_counter() < end:
        pass
    s.send(time.monotonic_ns().to_bytes(8, "little"))
`;

const dir = mkdtempSync(join(tmpdir(), "wake-"));
const path = join(dir, "peer.sock");
const server = new socket.Socket(socket.AF_UNIX, socket.SOCK_STREAM);
server.bind(path);
server.listen(1);
const peer = spawn(process.env.PYTHON ?? "python3", ["-c", PEER, path, pauseText], { stdio: "inherit" });
const [conn] = server.accept(); // the only one who knows the path (a private folder) is the peer
server.close();

const jsThread = readlinkSync("/proc/thread-self").split("/").at(-1)!;
/** Times the process's threads other than this one have been scheduled, so far. */
function otherRuns(): number {
  let runs = 0;
  for (const tid of readdirSync("/proc/self/task")) {
    if (tid === jsThread) continue;
    try {
      runs += Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[2]);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return runs;
}

const sel = new DefaultSelector();
sel.register(conn, EVENT_READ);
const ping = new Uint8Array(1);
const answer = new Uint8Array(64);
const stamps = new DataView(answer.buffer);
const wakes = new Float64Array(rounds);

/**
 * `floor`: the runtime's own cost of a wake-up through its event loop, with no
 * selector and no waiter: the connection's fd is handed to the runtime (Deno:
 * `node:net`'s `Socket({ fd, onread })`; Bun: `Bun.connect({ fd })`), whose
 * read callback ends the wait; the ping still goes out through `os.write`.
 */
let arrived: ((bytes: number) => void) | null = null;
let fd = -1;
/** Ends the runtime's socket (which owns the fd from then on). */
let endFloor = (): void => {};
if (mode === "floor") {
  sel.unregister(conn);
  fd = conn.detach();
  const answered = (bytes: number): void => {
    const done = arrived;
    arrived = null;
    done?.(bytes);
  };
  if (RUNTIME === "deno") {
    const net = await import("node:net");
    const options = { fd, readable: true, writable: false, onread: { buffer: answer, callback: answered } };
    const adopted = new net.Socket(options as unknown as ConstructorParameters<typeof net.Socket>[0]);
    endFloor = () => adopted.destroy();
  } else {
    const bun = (globalThis as unknown as {
      Bun: {
        connect(
          o: { fd: number; socket: { data(s: unknown, d: Uint8Array): void } },
        ): Promise<{ end(): void }>;
      };
    }).Bun;
    const adopted = await bun.connect({
      fd,
      socket: { data: (_s, d) => (answer.set(d.subarray(0, 64)), answered(d.length)) },
    });
    endFloor = () => adopted.end();
  }
}

async function round(i: number): Promise<void> {
  let got: number;
  if (mode === "floor") {
    const waiting = new Promise<number>((resolve) => arrived = resolve);
    os.write(fd, ping);
    got = await waiting;
  } else {
    conn.send(ping);
    if (mode === "sync") sel.select();
    else await sel.selectAsync();
  }
  const woke = monotonic();
  if (mode !== "floor") got = conn.recvInto(answer);
  if (got! !== 8) throw new Error(`peer answered ${got!} bytes`);
  if (i >= 0) wakes[i] = (woke - Number(stamps.getBigInt64(0, true)) / 1e9) * 1e6;
}

for (let i = 0; i < Math.ceil(rounds / 10); i++) await round(-1); // warm-up, untimed
const cpu0 = process.cpuUsage(), runs0 = otherRuns(), t0 = performance.now();
for (let i = 0; i < rounds; i++) await round(i);
const wall = (performance.now() - t0) / 1e3, cpu = process.cpuUsage(cpu0), runs = otherRuns() - runs0;
if (mode === "floor") endFloor(); // the peer sees EOF
else conn.close();
sel.close();
await new Promise((resolve) => peer.on("close", resolve));
rmSync(dir, { recursive: true, force: true });

const sorted = [...wakes].sort((a, b) => a - b);
const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
console.log(JSON.stringify({
  mode,
  rounds,
  roundsPerSecond: rounds / wall,
  cpuUsPerWait: (cpu.user + cpu.system) / rounds,
  userUsPerWait: cpu.user / rounds,
  wakeP50Us: at(0.5),
  wakeP99Us: at(0.99),
  otherThreadRunsPerWait: runs / rounds,
}));
