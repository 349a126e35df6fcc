/**
 * Cost of one `select(0)` with N idle fds and 1 ready fd, per backend, the
 * same method as shared/bench/selectcost.c and selectcost.py; plus ns per
 * register/modify/unregister, and bytes allocated per `select()` call.
 *
 *   deno run --allow-ffi --allow-env --v8-flags=--expose-gc bench/selectcost.ts [N ...]
 *   bun bench/selectcost.ts [N ...]
 *
 * Prints one JSON line per case (for epoll also `ffi_ns_per_call`: a bare
 * `epoll_wait(…, 0)` through the runtime's own FFI (`_raw_libc.ts`) on the same
 * epoll fd, interleaved batch by batch: the runtime's floor under `select(0)`):
 *   {"impl":"ts-deno","api":"epoll","n":100,"calls":100000,"ns_per_call":612.3,"ffi_ns_per_call":540.2}
 *   {"impl":"ts-deno","api":"epoll","op":"register","n":1000,"ns_per_op":850.1}
 *   {"impl":"ts-deno","api":"epoll","alloc":"select","ready":1,"bytes_per_call":64}
 *
 * @module
 */
import process from "node:process";
import {
  type BaseSelector,
  EpollSelector,
  EVENT_READ,
  EVENT_WRITE,
  PollSelector,
  resource,
  RUNTIME,
  SelectSelector,
  socket,
} from "../mod.ts";
import { rawLibc } from "./_raw_libc.ts";

const BATCHES = 5;
/** Why a case is skipped when a select(0) did not return exactly the one ready fd. */
const MISSED = "select did not return exactly the ready fd";
const IMPL = `ts-${RUNTIME}`;
const APIS: Array<[string, () => BaseSelector<unknown>]> = [
  ["epoll", () => new EpollSelector()],
  ["poll", () => new PollSelector()],
  ["select", () => new SelectSelector()],
];

function emit(fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ impl: IMPL, ...fields }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** ns per call over `calls` calls; null if any call missed the ready fd. */
function timeCalls(sel: BaseSelector<unknown>, calls: number): number | null {
  let found = 0;
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) found += sel.select(0).length;
  const elapsed = performance.now() - t0;
  return found === calls ? (elapsed * 1e6) / calls : null;
}

const EPOLL_RESULTS = new Uint8Array(64 * 16);

/**
 * The bare call, in a function of its own as `select()` is, so that V8 gives it
 * TurboFan code of its own (the fast FFI call). Inlined in the timing loop, it
 * re-entered that loop's Maglev code after the loop's on-stack replacement
 * (`--trace-opt`) and measured ~500 ns more per call under Deno: not a floor.
 */
function rawEpollWait(epfd: number): number {
  return rawLibc().epoll_wait(epfd, EPOLL_RESULTS, 64, 0);
}

/**
 * ns per bare `epoll_wait(epfd, buf, 64, 0)` through the runtime's FFI, on the
 * selector's own epoll fd: the floor under an epoll `select(0)` in this
 * runtime (what is above it is the selector's own work).
 */
function timeRawEpoll(epfd: number, calls: number): number | null {
  let found = 0;
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) found += rawEpollWait(epfd);
  const elapsed = performance.now() - t0;
  return found === calls ? (elapsed * 1e6) / calls : null;
}

interface Fds {
  idle: socket.Socket[];
  ready: socket.Socket;
  all: socket.Socket[];
}

function makeFds(n: number): Fds {
  const all: socket.Socket[] = [];
  for (let i = 0; i < Math.ceil(n / 2); i++) all.push(...socket.socketpair());
  const idle = all.slice(0, n);
  const [ready, peer] = socket.socketpair();
  peer.send(new Uint8Array([120])); // never read: `ready` stays readable
  all.push(ready, peer);
  return { idle, ready, all };
}

function runCase(
  api: string,
  make: () => BaseSelector<unknown>,
  n: number,
  maxCalls: number,
  targetNs: number,
): void {
  if (api === "select" && n >= 1000) return emit({ api, n, skipped: "select only for N < 1000" });
  const fds = makeFds(n);
  const sel = make();
  try {
    for (const s of fds.idle) sel.register(s, EVENT_READ);
    const key = sel.register(fds.ready, EVENT_READ);
    const first = sel.select(0);
    if (first.length !== 1 || first[0]![0] !== key) {
      return emit({ api, n, skipped: MISSED });
    }
    // Warm up for a quarter of the case's time budget (at least 200 calls):
    // until the JIT's top tier has the loop and its compiler threads, pinned to
    // the same CPU, are done (200 calls left the first case, N = 1, half-compiled).
    const warmUntil = performance.now() + targetNs / 4e6;
    let est = timeCalls(sel, 200);
    while (est !== null && performance.now() < warmUntil) {
      est = timeCalls(sel, Math.max(Math.floor(10e6 / est), 1));
    }
    if (est === null) return emit({ api, n, skipped: MISSED });
    let calls = maxCalls;
    if (est * calls > targetNs) calls = Math.floor(targetNs / est);
    calls = Math.max(calls, 500);
    const perBatch = Math.ceil(calls / BATCHES);
    const results: number[] = [];
    const raw: number[] = [];
    if (api === "epoll") timeRawEpoll((sel as EpollSelector).fileno(), 200); // warm up
    for (let b = 0; b < BATCHES; b++) {
      const r = timeCalls(sel, perBatch);
      if (r === null) return emit({ api, n, skipped: MISSED });
      results.push(r);
      if (api === "epoll") {
        // Interleaved with the select(0) batches, so both see the same minute.
        const f = timeRawEpoll((sel as EpollSelector).fileno(), perBatch);
        if (f !== null) raw.push(f);
      }
    }
    emit({
      api,
      n,
      calls: perBatch * BATCHES,
      ns_per_call: Number(median(results).toFixed(1)),
      ...(raw.length === BATCHES ? { ffi_ns_per_call: Number(median(raw).toFixed(1)) } : {}),
    });
  } finally {
    sel.close();
    for (const s of fds.all) s.close();
  }
}

/** ns per register, modify (events change: a syscall) and unregister, over n fds, median of 5 rounds. */
function runOps(api: string, make: () => BaseSelector<unknown>, n: number): void {
  const fds = makeFds(n);
  const sel = make();
  const times: Record<string, number[]> = { register: [], modify: [], unregister: [] };
  try {
    for (let round = 0; round < BATCHES + 1; round++) {
      let t0 = performance.now();
      for (const s of fds.idle) sel.register(s, EVENT_READ);
      const reg = performance.now() - t0;
      t0 = performance.now();
      for (const s of fds.idle) sel.modify(s, EVENT_READ | EVENT_WRITE);
      const mod = performance.now() - t0;
      t0 = performance.now();
      for (const s of fds.idle) sel.unregister(s);
      const unreg = performance.now() - t0;
      if (round === 0) continue; // warm-up
      times.register!.push((reg * 1e6) / n);
      times.modify!.push((mod * 1e6) / n);
      times.unregister!.push((unreg * 1e6) / n);
    }
    for (const [op, xs] of Object.entries(times)) {
      emit({ api, op, n, ns_per_op: Number(median(xs).toFixed(1)) });
    }
  } finally {
    sel.close();
    for (const s of fds.all) s.close();
  }
}

// Heap growth without a collection: V8's heapUsed; JSC's heapUsed moves only at
// collections, but its heap capacity grows with every block the allocator takes.
const jsc = RUNTIME === "bun" ? await import("bun:jsc") : null;
function heapMark(): number {
  return jsc ? jsc.heapStats().heapCapacity : process.memoryUsage().heapUsed;
}

function gc(): boolean {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (g.Bun) g.Bun.gc(true);
  else if (g.gc) g.gc();
  else return false;
  return true;
}

/**
 * Bytes allocated per select() in steady state: the heap's growth over K calls
 * (K small enough that no collection runs in between), with 0 and 1 ready fds.
 * The result array and its [key, events] pairs are the only allocations
 * expected; a buffer per call would show as hundreds of bytes more.
 */
function runAlloc(api: string, make: () => BaseSelector<unknown>): void {
  if (!gc()) return emit({ api, alloc: "select", skipped: "no gc() (Deno: --v8-flags=--expose-gc)" });
  const fds = makeFds(100);
  const sel = make();
  try {
    for (const s of fds.idle) sel.register(s, EVENT_READ);
    for (const ready of [0, 1]) {
      if (ready) sel.register(fds.ready, EVENT_READ);
      for (let i = 0; i < 20000; i++) sel.select(0); // warm up the JIT
      const samples: number[] = [];
      const k = jsc ? 20000 : 2000; // V8: stay inside one young-generation semi-space
      for (let round = 0; round < 7; round++) {
        gc();
        const h0 = heapMark();
        for (let i = 0; i < k; i++) sel.select(0);
        const h1 = heapMark();
        if (h1 >= h0) samples.push((h1 - h0) / k); // a collection in between shows as a drop: skip it
      }
      emit({
        api,
        alloc: "select",
        ready,
        bytes_per_call: samples.length ? Math.round(median(samples)) : null,
      });
    }
  } finally {
    sel.close();
    for (const s of fds.all) s.close();
  }
}

const ns = process.argv.slice(2).map(Number).filter((n) => n > 0);
const sizes = ns.length ? ns : [1, 100, 1000, 10000];
const maxCalls = Number(process.env.SELECTCOST_CALLS ?? 100000);
const targetNs = Number(process.env.SELECTCOST_TARGET_MS ?? 400) * 1e6;
const [, hard] = resource.getrlimit(resource.RLIMIT_NOFILE);
resource.setrlimit(resource.RLIMIT_NOFILE, [hard, hard]);
const limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0];
for (const n of sizes) {
  const need = n + (n & 1) + 2 + 1 + 64;
  for (const [api, make] of APIS) {
    if (limit !== resource.RLIM_INFINITY && need > limit) {
      emit({ api, n, skipped: `needs ${need} fds, limit ${limit}` });
    } else runCase(api, make, n, maxCalls, targetNs);
  }
}
for (const [api, make] of APIS) runOps(api, make, api === "select" ? 500 : 1000);
for (const [api, make] of APIS) runAlloc(api, make);
