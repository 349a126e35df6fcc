/**
 * What the echo server's round trip costs when a sleep has evicted it from
 * the caches, in one process (a benchmark, not a test): the same step run
 * warm and after `THRASH_MB` of memory is written between round trips, as
 * another process running during a wait does. Four steps on socket pairs,
 * each answering a 64-byte message its peer sent:
 *
 * - `floor`: `epoll_wait`, `recv`, `send` bound straight through the runtime's
 *   FFI (`_raw_libc.ts`, as `echo_floor.ts`): no selector, no socket objects;
 * - `library`: `selectInto()` and a handler in `key.data` that calls
 *   `recvInto()` and `send()`, as `examples/echo_server.ts --sync` does;
 * - `selector`: `selectInto()`, then raw `recv`/`send` on `key.fd`;
 * - `socket`: raw `epoll_wait`, then the Socket's `recvInto()` and `send()`.
 *
 * Batches alternate; each step is timed alone (the peer's send and read, and
 * the thrashing, are outside the clock); medians of the batches, µs per step.
 * What `library` costs above `floor` warm is the library's code; what it
 * costs above it cold is that code's and its objects' memory being read again.
 *
 *   deno run -A bench/cold_wake.ts [BATCHES [PER_BATCH [THRASH_MB]]]
 *   bun bench/cold_wake.ts [BATCHES [PER_BATCH [THRASH_MB]]]
 *
 * Prints one JSON line per state (warm, cold). Linux only (epoll).
 *
 * @module
 */
import process from "node:process";
import { DefaultSelector, EVENT_READ, type ReadyPair, socket } from "../mod.ts";
import {
  EPOLL_CLOEXEC,
  EPOLL_EVENT_SIZE,
  eventFd,
  type RawLibc,
  rawLibc,
  watchReadable,
} from "./_raw_libc.ts";

const [batches = "30", perBatch = "300", thrashMb = "16"] = process.argv.slice(2);
const c: RawLibc = rawLibc();
const message = new Uint8Array(64).fill(7);
const answer = new Uint8Array(64);
const buf = new Uint8Array(65536);
const views: Uint8Array[] = []; // one view per length, as the echo server keeps them
const events = new Uint8Array(64 * EPOLL_EVENT_SIZE);
const eventWords = new Int32Array(events.buffer);

/** A raw epoll set watching `fd`. */
function epollOn(fd: number): number {
  const epfd = c.epoll_create1(EPOLL_CLOEXEC);
  watchReadable(epfd, fd);
  return epfd;
}

/** A step: answers what its peer sent; `peer` sends and reads outside the clock. */
interface Step {
  run: () => void;
  peer: socket.Socket;
}

function floorStep(): Step {
  const [mine, peer] = socket.socketpair();
  const epfd = epollOn(mine.fileno());
  return {
    peer,
    run: () => {
      const n = c.epoll_wait(epfd, events, 64, 1000);
      for (let i = 0; i < n; i++) {
        const fd = eventFd(eventWords, i);
        const got = c.recv(fd, buf, buf.length, 0);
        c.send(fd, buf, got, 0);
      }
    },
  };
}

type Handler = (conn: socket.Socket, mask: number) => void;

function libraryStep(): Step {
  const [mine, peer] = socket.socketpair();
  mine.setBlocking(false);
  const sel = new DefaultSelector<Handler, socket.Socket>();
  const stats = { bytes: 0 };
  sel.register(mine, EVENT_READ, (conn) => {
    const n = conn.recvInto(buf);
    stats.bytes += n;
    conn.send(views[n] ??= buf.subarray(0, n));
  });
  const ready: ReadyPair<Handler, socket.Socket>[] = [];
  return {
    peer,
    run: () => {
      sel.selectInto(ready, 1);
      for (const [key, mask] of ready) key.data(key.fileobj, mask);
    },
  };
}

function selectorStep(): Step {
  const [mine, peer] = socket.socketpair();
  const sel = new DefaultSelector<null, socket.Socket>();
  sel.register(mine, EVENT_READ, null);
  const ready: ReadyPair<null, socket.Socket>[] = [];
  return {
    peer,
    run: () => {
      sel.selectInto(ready, 1);
      for (const [key] of ready) {
        const got = c.recv(key.fd, buf, buf.length, 0);
        c.send(key.fd, buf, got, 0);
      }
    },
  };
}

function socketStep(): Step {
  const [mine, peer] = socket.socketpair();
  mine.setBlocking(false);
  const epfd = epollOn(mine.fileno());
  const conns = new Map([[mine.fileno(), mine]]);
  return {
    peer,
    run: () => {
      const n = c.epoll_wait(epfd, events, 64, 1000);
      for (let i = 0; i < n; i++) {
        const conn = conns.get(eventFd(eventWords, i))!;
        const got = conn.recvInto(buf);
        conn.send(views[got] ??= buf.subarray(0, got));
      }
    },
  };
}

const steps = { floor: floorStep(), library: libraryStep(), selector: selectorStep(), socket: socketStep() };
const names = Object.keys(steps) as (keyof typeof steps)[];
const thrash = new Uint8Array(Number(thrashMb) * 2 ** 20);
let touched = 0;

/** Writes a byte in every cache line of `thrash`. */
function evict(): void {
  for (let i = 0; i < thrash.length; i += 64) touched += thrash[i] = (thrash[i]! + 1) & 0xff;
}

function measure(cold: boolean): Record<string, number> {
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const per = Number(perBatch);
  for (let batch = -3; batch < Number(batches); batch++) { // three batches of each first, untimed
    for (const name of names) {
      const { run, peer } = steps[name];
      let total = 0;
      for (let i = 0; i < per; i++) {
        peer.send(message);
        if (cold) evict();
        const t0 = performance.now();
        run();
        total += performance.now() - t0;
        peer.recvInto(answer);
      }
      if (batch >= 0) times[name]!.push(total / per * 1e3);
    }
  }
  const median = (v: number[]): number => v.sort((a, b) => a - b)[(v.length - 1) >> 1]!;
  return Object.fromEntries(names.map((n) => [n, Number(median(times[n]!).toFixed(2))]));
}

for (const cold of [false, true]) {
  console.log(
    JSON.stringify({
      state: cold ? `cold (${thrashMb} MiB written between steps)` : "warm",
      ...measure(cold),
    }),
  );
}
if (touched < 0) console.log(touched); // keeps the writes
process.exit(0);
