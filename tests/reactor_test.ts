/**
 * The waiter on the runtime's own reactor (`_reactor.ts`, Linux with
 * io_uring): that it is the one taken where it can be, that a wait through
 * it wakes no thread but the JavaScript thread, that a finished wait leaves
 * nothing in flight in the kernel, and the ring's own calls (`ffi/io_uring.ts`).
 * The whole async suite runs on both waiters (scripts/test.mjs runs
 * tests/async_test.ts again with `SELECTORS_WAITER=thread`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import { test } from "./_test.ts";
import { Fds, jsThread, processWaiter } from "./_helpers.ts";
import { BrokenPipeError, EVENT_READ, os, PollSelector } from "../mod.ts";
import { ReactorPoller } from "../_reactor.ts";
import { Ring } from "../ffi/io_uring.ts";
import { libc } from "../ffi/mod.ts";
import { OS } from "../ffi/_host.ts";
import { POLL } from "../ffi/constants.ts";
import { PollFds } from "../ffi/structs.ts";

const ONE = new Uint8Array([1]);

/** Why io_uring cannot be had here, or null when it can (Linux, not disabled by sysctl). */
function uringUnavailable(): string | null {
  if (OS !== "linux") return "io_uring is Linux's";
  try {
    const disabled = readFileSync("/proc/sys/kernel/io_uring_disabled", "utf8").trim();
    if (disabled !== "0") return `io_uring_disabled is ${disabled} on this machine`;
  } catch {
    // No such sysctl (before Linux 6.6): io_uring is on unless the kernel lacks it.
  }
  try {
    libc().close(Ring.open(4, 8).fd);
  } catch (e) {
    return `io_uring refused here: ${(e as Error).message}`;
  }
  return null;
}

const UNAVAILABLE = uringUnavailable();
const FORCED_THREAD = process.env.SELECTORS_WAITER === "thread";

/**
 * Timeslices each thread of the process other than the JavaScript thread has
 * run (`schedstat`'s third field), read by a shell (Deno asks for
 * `--allow-all` to read /proc/PID/task itself).
 */
function otherThreadsRuns(): Map<string, number> {
  const r = spawnSync("sh", [
    "-c",
    `cd /proc/${process.pid}/task && for t in *; do echo "$t $(cut -d' ' -f3 $t/schedstat 2>/dev/null)"; done`,
  ], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`cannot read the threads' schedstat: ${r.stderr}`);
  const self = jsThread(), runs = new Map<string, number>();
  for (const line of r.stdout.trim().split("\n")) {
    const [tid, count] = line.split(" ");
    if (tid !== self && count) runs.set(tid!, Number(count));
  }
  return runs;
}

test("the waiter wakes waits on the runtime's reactor where io_uring is allowed, else on a thread", async () => {
  const kind = await processWaiter();
  if (FORCED_THREAD) assert.equal(kind, "thread", "SELECTORS_WAITER=thread forces the thread");
  else if (UNAVAILABLE) assert.equal(kind, "thread", `falls back: ${UNAVAILABLE}`);
  else assert.equal(kind, "reactor");
});

test("a wait on the runtime's reactor wakes no other thread of the process", {
  skip: OS !== "linux" ? "reads /proc" : FORCED_THREAD ? "SELECTORS_WAITER=thread" : UNAVAILABLE ?? undefined,
}, async () => {
  assert.equal(await processWaiter(), "reactor");
  using fds = new Fds();
  const [r, w] = fds.pipe();
  using sel = new PollSelector();
  sel.register(r, EVENT_READ);
  const round = async (): Promise<void> => {
    const waiting = sel.selectAsync(5);
    setTimeout(() => os.write(w, ONE), 0); // from a timer: the wait has gone to sleep first
    assert.equal((await waiting).length, 1);
    os.read(r, 1);
  };
  for (let i = 0; i < 20; i++) await round(); // the runtime's first-use work is not ours
  const rounds = 300;
  const before = otherThreadsRuns();
  for (let i = 0; i < rounds; i++) await round();
  const after = otherThreadsRuns();
  const runs = [...after].map(([tid, n]) => n - (before.get(tid) ?? 0));
  const busiest = Math.max(0, ...runs) / rounds, all = runs.reduce((a, b) => a + b, 0) / rounds;
  // A thread waiter runs its thread on every wait (about twice, measured);
  // here no thread does, only a collector or compiler thread of the runtime now and then.
  assert.ok(busiest < 0.5, `a thread other than the JavaScript thread ran ${busiest} times per wait`);
  assert.ok(all < 1, `other threads ran ${all} times per wait in all`);
});

test("a wait on the reactor that ends leaves no poll in flight: the kernel holds no file of it", {
  skip: FORCED_THREAD || UNAVAILABLE
    ? "a poll(2) on another thread holds the files it watches until it returns, after the wait ended"
    : undefined,
}, async () => {
  const [r, w] = os.pipe();
  try {
    const sel = new PollSelector();
    sel.register(r, EVENT_READ); // a poll selector's wait watches the pipe itself
    const waiting = sel.selectAsync(null);
    await new Promise((resolve) => setTimeout(resolve, 5)); // asleep, its poll in flight
    sel.close(); // ends the wait: its poll is cancelled before close() returns
    os.close(r);
    // The read end's last reference is gone only if no poll still holds it.
    assert.throws(() => os.write(w, ONE), (e: unknown) => e instanceof BrokenPipeError);
    assert.deepEqual(await waiting, []);
  } finally {
    os.close(w);
  }
});

/**
 * A small ring (8 submission, 16 completion slots), a pipe `r`/`w` to poll,
 * and a pipe whose non-blocking read end `wakeR` receives the ring's writes
 * (`wakeW`): the pipes closed with `fds`, the ring's fd at the end of the
 * `using` scope.
 */
function ringRig(fds: Fds): { ring: Ring; r: number; w: number; wakeR: number; wakeW: number } & Disposable {
  const [r, w] = fds.pipe();
  const [wakeR, wakeW] = fds.pipe();
  os.setBlocking(wakeR, false);
  const ring = Ring.open(8, 16);
  return { ring, r, w, wakeR, wakeW, [Symbol.dispose]: () => void libc().close(ring.fd) };
}

test(
  "io_uring: a poll fires its linked write once its fd is ready, reports its revents, and cancelAll() stops one in flight",
  {
    skip: UNAVAILABLE ?? undefined,
  },
  () => {
    using fds = new Fds();
    using rig = ringRig(fds);
    const { ring, r, w, wakeR, wakeW } = rig;
    const byte = new Uint8Array(8);
    const results: Array<[number, number]> = [];
    ring.pollThenWrite(r, POLL.POLLIN, wakeW, 7);
    ring.submit();
    assert.equal(libc().read(wakeR, byte, 8), -1, "nothing before the pipe is readable");
    os.write(w, ONE);
    // The kernel's task work runs before write() returns to this thread: the byte is there.
    assert.equal(libc().read(wakeR, byte, 8), 1, "one byte once it is");
    assert.equal(ring.reap((tag, result) => results.push([tag, result])), 2, "the poll and its write");
    assert.deepEqual(results, [[7, POLL.POLLIN]], "the poll's tag and revents (the write is untagged)");
    os.read(r, 1);
    results.length = 0;
    ring.pollThenWrite(r, POLL.POLLIN, wakeW, 8);
    ring.cancelAll();
    ring.submit();
    os.write(w, ONE);
    assert.equal(libc().read(wakeR, byte, 8), -1, "a cancelled poll writes nothing");
    assert.equal(
      ring.reap((tag, result) => results.push([tag, result])),
      3,
      "the poll, its write, the cancel",
    );
    assert.deepEqual(results, [[8, -125]], "the poll ended with -ECANCELED");
  },
);

/** The fd numbers of this process whose link reads `target` (`ls -l` in a shell: Deno asks for --allow-all to read /proc/PID/fd). */
function fdsLinkingTo(target: string): number[] {
  const r = spawnSync("sh", [
    "-c",
    `cd /proc/${process.pid}/fd && for f in *; do echo "$f $(readlink $f)"; done`,
  ], {
    encoding: "utf8",
  });
  return r.stdout.trim().split("\n").filter((l) => l.endsWith(` ${target}`)).map((l) =>
    Number(l.split(" ")[0])
  );
}

test(
  "the reactor's ring closed behind its back (os.close): waits go on, on a thread, and wakeup() still ends them",
  {
    skip: FORCED_THREAD ? "SELECTORS_WAITER=thread" : UNAVAILABLE ?? undefined,
  },
  async () => {
    assert.equal(await processWaiter(), "reactor");
    using fds = new Fds();
    const [r, w] = fds.pipe();
    using sel = new PollSelector();
    sel.register(r, EVENT_READ);
    const rings = fdsLinkingTo("anon_inode:[io_uring]");
    assert.ok(rings.length >= 1, "the waiter's ring is an fd of this process");
    for (const fd of rings) os.close(fd);
    // A wait that a pipe's byte ends, then one that wakeup() ends (the thread's poll must watch the control pipe).
    const ready = sel.selectAsync(5);
    setTimeout(() => os.write(w, ONE), 1);
    assert.equal((await ready).length, 1);
    os.read(r, 1);
    const t0 = performance.now();
    const woken = sel.selectAsync(5);
    setTimeout(() => sel.wakeup(), 20);
    assert.deepEqual(await woken, []);
    assert.ok(performance.now() - t0 < 2500, "wakeup() ended the wait, not its 5 s timeout");
  },
);

test(
  "io_uring: completions beyond a full CQ ring wait in the kernel (overflowing) and flush() brings them in",
  {
    skip: UNAVAILABLE ?? undefined,
  },
  () => {
    using fds = new Fds();
    using rig = ringRig(fds);
    const { ring, r, w, wakeW } = rig;
    os.write(w, ONE); // r stays readable: every poll of it fires at once
    for (let i = 0; i < 3; i++) {
      for (let k = 1; k <= 4; k++) ring.pollThenWrite(r, POLL.POLLIN, wakeW, i * 4 + k);
      ring.submit(); // 8 completions each time: 24 for a ring of 16
    }
    assert.ok(ring.overflowing, "the kernel holds what the ring has no room for");
    const tags: number[] = [];
    ring.reap((tag) => tags.push(tag));
    ring.flush();
    ring.reap((tag) => tags.push(tag));
    assert.equal(ring.overflowing, false);
    assert.deepEqual(
      tags.sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      "no poll's completion lost",
    );
  },
);

test("the reactor's poll answers POLLNVAL at once for an fd that is not open, as poll(2) does", {
  skip: UNAVAILABLE ?? undefined,
}, async () => {
  const poller = new ReactorPoller(); // first: its ring and socket pair take the lowest free numbers
  const [r, w] = os.pipe();
  os.close(r);
  os.close(w); // two numbers no longer open
  const set = new PollFds(2);
  set.set(0, r, POLL.POLLIN);
  set.set(1, w, POLL.POLLOUT);
  const t0 = performance.now();
  const n = await poller.poll(set.bytes, 2, 5000);
  poller.idle();
  assert.ok(performance.now() - t0 < 2500, "answered at once, not at the deadline");
  assert.equal(n, 2);
  assert.equal(set.revents(0), POLL.POLLNVAL);
  assert.equal(set.revents(1), POLL.POLLNVAL);
});
