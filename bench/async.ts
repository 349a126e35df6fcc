/**
 * selectAsync() costs, measured (a benchmark, not a test): CPU of an idle
 * 10 s wait, wake-up latency (a peer's write -> the promise resolving, and
 * wakeup() -> resolving), and 10 000 wait+abort cycles (after 10 000 to warm
 * up) with fd count, thread count and RSS (after a forced GC) before and
 * after. Prints one JSON line.
 *
 *   deno run --allow-all --v8-flags=--expose-gc bench/async.ts  (/proc/self needs --allow-all) [IDLE_SECONDS] [SAMPLES] [CYCLES]
 *   bun bench/async.ts
 *
 * @module
 */
import process from "node:process";
import { readdirSync, readFileSync } from "node:fs";
import { DefaultSelector, EVENT_READ, os, RUNTIME } from "../mod.ts";

const idleSeconds = Number(process.argv[2] ?? 10);
const samples = Number(process.argv[3] ?? 1000);
const cycles = Number(process.argv[4] ?? 10000);
const TICK = 100; // USER_HZ: /proc/PID/stat counts CPU in 1/100 s

function cpuSeconds(): number {
  const f = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  return (Number(f[11]) + Number(f[12])) / TICK;
}

function status(): { fds: number; threads: number; rssKiB: number } {
  const text = readFileSync("/proc/self/status", "utf8");
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text)![1]);
  return { fds: readdirSync("/proc/self/fd").length, threads: field("Threads"), rssKiB: field("VmRSS") };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

const sel = new DefaultSelector<string>();
const [r, w] = os.pipe();
sel.register(r, EVENT_READ, "pipe");
const one = new Uint8Array(1);

// 1. Idle: one selectAsync(idleSeconds) with nothing to do.
await sel.selectAsync(0.01); // start the helper first
const cpu0 = cpuSeconds(), t0 = performance.now();
await sel.selectAsync(idleSeconds);
const idleCpu = (cpuSeconds() - cpu0) / ((performance.now() - t0) / 1e3);

// 2. Latency: a write on the JS thread right after the wait went off-thread
// (the wait is pending: the fast path is empty) -> the promise resolving.
async function latency(trigger: () => void, drainAfter: boolean): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const p = sel.selectAsync(5);
    await new Promise((res) => setTimeout(res, 0)); // let it reach the other thread
    const start = performance.now();
    trigger();
    await p;
    out.push((performance.now() - start) * 1e3);
    if (drainAfter) os.read(r, 64); // the byte the peer wrote (the pipe blocks: read only what is there)
  }
  return out.sort((a, b) => a - b);
}
const peer = await latency(() => os.write(w, one), true);
const woken = await latency(() => sel.wakeup(), false);

// 3. wait + abort cycles: a first batch to warm up (JIT, heap growth), then
// the measured batch; RSS after a forced GC where the runtime offers one.
const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
const collect = (): void => g.Bun ? g.Bun.gc(true) : g.gc?.();
async function abortCycles(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const ac = new AbortController();
    const p = sel.selectAsync(10, { signal: ac.signal });
    ac.abort();
    await p.catch(() => {});
  }
  await sel.selectAsync(0.05);
  collect();
}
await abortCycles(cycles);
const before = status();
await abortCycles(cycles);
const after = status();
sel.close();
console.log(JSON.stringify({
  runtime: RUNTIME,
  backend: sel.backend,
  idle: { seconds: idleSeconds, cpuPercent: Math.round(idleCpu * 1000) / 10 },
  peerWriteToResolveUs: { p50: Math.round(percentile(peer, 0.5)), p99: Math.round(percentile(peer, 0.99)) },
  wakeupToResolveUs: { p50: Math.round(percentile(woken, 0.5)), p99: Math.round(percentile(woken, 0.99)) },
  abortCycles: { cycles, before, after },
}));
