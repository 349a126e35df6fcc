/**
 * Two versions of the library against each other, and against the floor, on
 * quiet round trips that really sleep (a benchmark, not a test): one process
 * loads the library from two checkouts (ROOT_A, ROOT_B) and serves one TCP
 * connection of the shared load generator (`LOADGEN_THINK_US=50`, so every
 * wait sleeps) three ways in turn, one round trip each, in an order shuffled
 * every three: `A` and `B` are the echo server's round trip
 * (`selectInto(ready, 1)`, a handler in `key.data` that calls `recvInto()` and
 * `send()`, each version on its own dup of the fd), `floor` is `epoll_wait`,
 * `recv`, `send` through the runtime's own FFI (`_raw_libc.ts`). Each round
 * trip is timed with the thread's CPU clock (`CLOCK_THREAD_CPUTIME_ID`: user
 * and system, in ns; the kernel's share is the same for all three).
 *
 * Paired round trip by round trip, a difference of 0.1-0.2 µs shows where
 * interleaved processes (`PARTS=pairs`) see 0.5 µs of noise. Shuffling matters:
 * in a fixed order the version that runs right after the other was read 0.23
 * µs cheaper with the same code in both roots. The second half of the run is
 * kept (the first warms up); the differences are medians over blocks of 1000.
 *
 *   git worktree add /tmp/old <commit>   # ROOT_A
 *   deno run -A bench/wake_pairs.ts /tmp/old . [SECONDS]   # or: bun bench/wake_pairs.ts ...
 *   LOADGEN_THINK_US=50 ../shared/bench/build/loadgen 127.0.0.1 PORT 1 64 SECONDS+5
 *
 * Prints "listening on 127.0.0.1:PORT", serves the first connection, then one
 * line per version and the paired differences. Linux only (epoll).
 *
 * @module
 */
import process from "node:process";
import {
  CLOCK_THREAD_CPUTIME_ID,
  EPOLL_CLOEXEC,
  EPOLL_EVENT_SIZE,
  eventFd,
  rawLibc,
  watchReadable,
} from "./_raw_libc.ts";

const [rootA, rootB, secondsArg = "60"] = process.argv.slice(2);
if (!rootA || !rootB) throw new Error("usage: wake_pairs.ts ROOT_A ROOT_B [SECONDS]");
const seconds = Number(secondsArg);
const absolute = (root: string) =>
  new URL(`${root.replace(/\/$/, "")}/mod.ts`, `file://${process.cwd()}/`).href;
// deno-lint-ignore no-explicit-any
type Lib = any; // two checkouts of mod.ts: each version's own types
const A: Lib = await import(absolute(rootA));
const B: Lib = await import(absolute(rootB));

/** The thread's CPU time in ns (CLOCK_THREAD_CPUTIME_ID), through the runtime's FFI. */
const timespec = new BigInt64Array(2);
function cpu(): number {
  rawLibc().clock_gettime(CLOCK_THREAD_CPUTIME_ID, timespec);
  return Number(timespec[0]) * 1e9 + Number(timespec[1]);
}

const listener = A.socket.createServer(["127.0.0.1", 0]);
console.log(`listening on 127.0.0.1:${listener.getsockname()[1]}`);
const [conn] = listener.accept();
listener.close();
conn.setBlocking(false);
conn.setsockopt(A.socket.IPPROTO_TCP, A.socket.TCP_NODELAY, 1);

/** The echo server's round trip on version `lib`, on its own dup of the connection. */
function library(lib: Lib): () => void {
  const sock = lib.socket.fromfd(conn.fileno());
  sock.setBlocking(false);
  const sel = new lib.DefaultSelector();
  const buf = new Uint8Array(65536);
  let view = new Uint8Array(0);
  sel.register(sock, lib.EVENT_READ, (s: Lib, _mask: number) => {
    const n = s.recvInto(buf);
    if (n === 0) throw new Error("the load generator closed");
    s.send(n === view.length ? view : (view = buf.subarray(0, n)));
  });
  const ready: Lib[] = [];
  return () => {
    sel.selectInto(ready, 1);
    for (const [key, mask] of ready) key.data(key.fileobj, mask);
  };
}

/** The floor's round trip, on its own dup. */
function floor(): () => void {
  const c = rawLibc();
  const fd = A.os.dup(conn.fileno());
  const epfd = c.epoll_create1(EPOLL_CLOEXEC);
  watchReadable(epfd, fd);
  const events = new Uint8Array(64 * EPOLL_EVENT_SIZE);
  const words = new Int32Array(events.buffer);
  const buf = new Uint8Array(65536);
  return () => {
    const n = c.epoll_wait(epfd, events, 64, 1000);
    for (let i = 0; i < n; i++) {
      const got = c.recv(eventFd(words, i), buf, buf.length, 0);
      if (got === 0) throw new Error("the load generator closed");
      if (got > 0) c.send(eventFd(words, i), buf, got, 0);
    }
  };
}

const names = ["A", "B", "floor"];
const steps = [library(A), library(B), floor()];
const times: number[][] = [[], [], []];
const order = [0, 1, 2];
const end = performance.now() + seconds * 1000;
try {
  for (let i = 0; i % 1024 !== 0 || performance.now() < end; i++) {
    if (i % 3 === 0) {
      for (let j = 2; j > 0; j--) {
        const r = Math.floor(Math.random() * (j + 1));
        [order[j], order[r]] = [order[r]!, order[j]!];
      }
    }
    const k = order[i % 3]!;
    const t0 = cpu();
    steps[k]!();
    times[k]!.push(cpu() - t0);
  }
} catch (e) {
  if (!(e instanceof Error && e.message === "the load generator closed")) throw e;
}
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const kept = times.map((v) => v.slice(v.length >> 1));
const count = Math.min(...kept.map((v) => v.length));
for (const [k, name] of names.entries()) {
  console.log(
    `${name}: ${(mean(kept[k]!) / 1e3).toFixed(2)} µs of thread CPU per round trip (${count} kept)`,
  );
}
/** Median and quartiles over blocks of 1000 round trips of `k`'s time minus `j`'s, in µs. */
function paired(k: number, j: number): string {
  const blocks: number[] = [];
  for (let s = 0; s + 1000 <= count; s += 1000) {
    blocks.push((mean(kept[k]!.slice(s, s + 1000)) - mean(kept[j]!.slice(s, s + 1000))) / 1e3);
  }
  blocks.sort((a, b) => a - b);
  const at = (q: number) => blocks[Math.floor(q * blocks.length)]!.toFixed(3);
  return `${names[k]} - ${names[j]}: ${at(0.5)} µs (quartiles ${at(0.25)} .. ${
    at(0.75)
  }, ${blocks.length} blocks)`;
}
console.log(paired(1, 0));
console.log(paired(0, 2));
console.log(paired(1, 2));
process.exit(0);
