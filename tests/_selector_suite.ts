/**
 * The shared conformance suite (shared/conformance.md, from CPython's
 * `test_selectors.py`), run once per backend by `selector_test.ts`.
 *
 * @module
 */
import assert from "node:assert/strict";
import process from "node:process";
import { test, unixOnly, WINDOWS } from "./_test.ts";
import { budget } from "./_budget.ts";
import {
  type BaseSelector,
  EVENT_READ,
  EVENT_WRITE,
  KeyError,
  os,
  OSError,
  type ReadyPair,
  SelectorClosedError,
  type SelectorKey,
  socket,
} from "../mod.ts";
import {
  bytes,
  Fds,
  firstLine,
  isPeer,
  makeToken,
  netPeer,
  now,
  openFds,
  python,
  raiseFdLimit,
} from "./_helpers.ts";
import { spawn } from "node:child_process";

/** A selector class under test. */
export type SelectorFactory = () => BaseSelector<unknown> & { fileno?(): number };

/** What a backend can do, for the few items that differ. */
export interface SuiteOptions {
  /** Scales past FD_SETSIZE (epoll, poll, kqueue). */
  scalable: boolean;
  /** Owns a kernel object with an fd (epoll, kqueue). */
  hasFileno: boolean;
  /** Run every select through `selectAsync()` instead of `select()` (same expectations). */
  async?: boolean;
}

/** Registers every conformance test for one backend; names start with `name`. */
export function selectorSuite(name: string, make: SelectorFactory, opts: SuiteOptions): void {
  const it = (what: string, fn: () => void | Promise<void>, skip?: string | false) =>
    test(`${name}${what}${opts.async ? " [selectAsync]" : ""}`, skip ? { skip } : {}, fn);
  /** The select under test: `select()`, or `selectAsync()` in the async run. */
  const pick = (
    sel: BaseSelector<unknown>,
    timeout?: number | null,
  ): Promise<Array<[SelectorKey<unknown>, number]>> =>
    opts.async ? sel.selectAsync(timeout) : Promise.resolve(sel.select(timeout));

  it(".register() returns a key with fileobj, fd, events and data", () => {
    using fds = new Fds();
    using sel = make();
    const [r] = fds.pair();
    const key = sel.register(r, EVENT_READ, "data");
    assert.equal(key.fileobj, r);
    assert.equal(key.fd, r.fileno());
    assert.equal(key.events, EVENT_READ);
    assert.equal(key.data, "data");
    const [pr] = fds.pipe();
    const k2 = sel.register(pr, EVENT_READ);
    assert.equal(k2.fileobj, pr);
    assert.equal(k2.fd, pr);
    assert.equal(k2.data, undefined);
  });

  it(".register() rejects invalid events before any syscall", () => {
    using fds = new Fds();
    using sel = make();
    const [r] = fds.pair();
    for (const bad of [0, 4, 999999, 1.5, NaN, -1, 3.0000001]) {
      assert.throws(() => sel.register(r, bad), RangeError, `events ${bad}`);
    }
    for (const bad of ["1", null, undefined, {}, 1n]) {
      assert.throws(() => sel.register(r, bad as unknown as number), TypeError);
    }
    assert.equal(sel.getMap().size, 0);
  });

  it(".register() rejects negative, fractional and non-number fds", () => {
    using sel = make();
    for (const bad of [-1, -10, 1.5, NaN, Infinity, 2 ** 31, 2 ** 53]) {
      assert.throws(() => sel.register(bad, EVENT_READ), RangeError, `fd ${bad}`);
      assert.throws(() => sel.register({ fileno: () => bad }, EVENT_READ), RangeError);
    }
    for (const bad of ["3", null, {}, { fileno: 3 }, { fileno: () => "3" }]) {
      assert.throws(() => sel.register(bad as unknown as number, EVENT_READ), TypeError);
    }
    assert.equal(sel.getMap().size, 0);
  });

  it(".register() of the same fd twice throws KeyError and keeps the first key", () => {
    using fds = new Fds();
    using sel = make();
    const [r] = fds.pair();
    const key = sel.register(r, EVENT_READ, "first");
    assert.throws(() => sel.register(r, EVENT_READ), KeyError);
    assert.throws(() => sel.register(r.fileno(), EVENT_WRITE), KeyError);
    assert.equal(sel.getKey(r), key);
    assert.equal(sel.getMap().size, 1);
  });

  it(".unregister() returns the key; unknown or repeated throws KeyError", () => {
    using fds = new Fds();
    using sel = make();
    const [r] = fds.pair();
    const key = sel.register(r, EVENT_READ);
    assert.equal(sel.unregister(r), key);
    assert.throws(() => sel.getKey(r), KeyError);
    assert.throws(() => sel.unregister(r), KeyError);
    assert.throws(() => sel.unregister(999999), KeyError);
  });

  it(".unregister() succeeds after the fd was closed", () => {
    using fds = new Fds();
    using sel = make();
    const [r, w] = fds.pair();
    const rd = r.fileno(), wd = w.fileno();
    sel.register(rd, EVENT_READ);
    sel.register(wd, EVENT_WRITE);
    r.close();
    w.close();
    sel.unregister(rd);
    sel.unregister(wd);
    assert.equal(sel.getMap().size, 0);
  });

  it(".unregister() succeeds after the fd number was reused", () => {
    using fds = new Fds();
    using sel = make();
    const [r, w] = fds.pair();
    const rd = r.fileno(), wd = w.fileno();
    sel.register(rd, EVENT_READ);
    sel.register(wd, EVENT_WRITE);
    r.close();
    w.close();
    const [r2, w2] = fds.pair();
    os.dup2(r2.fileno(), rd);
    os.dup2(w2.fileno(), wd);
    fds.fd(rd);
    fds.fd(wd);
    sel.unregister(rd);
    sel.unregister(wd);
    assert.equal(sel.getMap().size, 0);
  }, unixOnly("Windows has no dup2() to put a socket at a chosen handle value"));

  it(".unregister() of a closed object falls back to the registered object", () => {
    using fds = new Fds();
    using sel = make();
    const [r, w] = fds.pair();
    sel.register(r, EVENT_READ);
    sel.register(w, EVENT_WRITE);
    r.close();
    w.close();
    assert.equal(r.fileno(), -1);
    sel.unregister(r);
    sel.unregister(w);
    assert.equal(sel.getMap().size, 0);
  });

  it(".modify() with new events returns a new key equal to getKey()", () => {
    using fds = new Fds();
    using sel = make();
    const [r] = fds.pair();
    const key = sel.register(r, EVENT_READ, "a");
    const key2 = sel.modify(r, EVENT_WRITE, "b");
    assert.notEqual(key, key2);
    assert.equal(key2.events, EVENT_WRITE);
    assert.equal(key2.data, "b");
    assert.equal(sel.getKey(r), key2);
    assert.equal(key.events, EVENT_READ, "an earlier key never changes");
    assert.equal(key.data, "a");
  });

  it(".modify() with the same events replaces only data, without a syscall", () => {
    using fds = new Fds();
    using sel = make();
    const [r] = fds.pair();
    const fd = r.fileno();
    const key = sel.register(fd, EVENT_READ, "a");
    // With the fd closed, any kernel call on it would fail (EBADF): a
    // data-only modify must succeed because it makes none.
    r.close();
    const key2 = sel.modify(fd, EVENT_READ, "b");
    assert.equal(key2.events, EVENT_READ);
    assert.equal(key2.data, "b");
    assert.equal(key.data, "a");
    assert.equal(sel.getKey(fd), key2);
    sel.unregister(fd);
  });

  it(".modify() of an unknown fd throws KeyError", () => {
    using sel = make();
    assert.throws(() => sel.modify(999999, EVENT_READ), KeyError);
  });

  it(".modify() rejects invalid events and keeps the key", () => {
    using fds = new Fds();
    using sel = make();
    const [r] = fds.pair();
    const key = sel.register(r, EVENT_READ);
    assert.throws(() => sel.modify(r, 0), RangeError);
    assert.throws(() => sel.modify(r, 4), RangeError);
    assert.equal(sel.getKey(r), key);
  });

  it(" keys are frozen records", () => {
    using fds = new Fds();
    using sel = make();
    const [r] = fds.pair();
    const key = sel.register(r, EVENT_READ);
    assert.ok(Object.isFrozen(key));
    assert.throws(() => {
      (key as { events: number }).events = 3;
    }, TypeError);
  });

  it(".getKey() returns the key; unknown throws KeyError", () => {
    using fds = new Fds();
    using sel = make();
    const [r] = fds.pair();
    const key = sel.register(r, EVENT_READ);
    assert.equal(sel.getKey(r), key);
    assert.equal(sel.getKey(r.fileno()), key);
    assert.throws(() => sel.getKey(999999), KeyError);
  });

  it(".getMap() is a read-only live view keyed by fd", () => {
    using fds = new Fds();
    using sel = make();
    const map = sel.getMap();
    assert.equal(map.size, 0);
    assert.deepEqual([...map], []);
    const [r] = fds.pair();
    const key = sel.register(r, EVENT_READ);
    assert.equal(map.size, 1);
    assert.ok(map.has(r));
    assert.ok(map.has(r.fileno()));
    assert.equal(map.get(r), key);
    assert.equal(map.get(999999), undefined);
    assert.deepEqual([...map.keys()], [r.fileno()]);
    assert.deepEqual([...map.values()], [key]);
    assert.deepEqual([...map], [[r.fileno(), key]]);
    const seen: number[] = [];
    map.forEach((_k, fd) => seen.push(fd));
    assert.deepEqual(seen, [r.fileno()]);
    const writable = map as unknown as { set?: unknown; delete?: unknown; clear?: unknown };
    assert.equal(writable.set, undefined);
    assert.equal(writable.delete, undefined);
    assert.equal(writable.clear, undefined);
    assert.throws(() => {
      (map as unknown as Record<string, unknown>).extra = 1;
    }, TypeError);
  });

  it(".select() reports only the ready writer", async () => {
    using fds = new Fds();
    using sel = make();
    const [rd, wr] = fds.pair();
    sel.register(rd, EVENT_READ);
    const wrKey = sel.register(wr, EVENT_WRITE);
    const result = await pick(sel);
    assert.equal(result.length, 1);
    assert.equal(result[0]![0], wrKey);
    assert.equal(result[0]![1], EVENT_WRITE);
  });

  it(".select() reports READ and WRITE of one fd in one call", async () => {
    using fds = new Fds();
    using sel = make();
    const [a, b] = fds.pair();
    const key = sel.register(a, EVENT_READ | EVENT_WRITE);
    b.sendall(bytes("x"));
    const result = await pick(sel, 0);
    let seen = 0;
    for (const [k, events] of result) {
      assert.equal(k, key);
      assert.equal(seen & events, 0, "each bit once");
      seen |= events;
    }
    assert.equal(seen, EVENT_READ | EVENT_WRITE);
  });

  it(".select() masks events by what the key asked for", async () => {
    using fds = new Fds();
    using sel = make();
    const [a, b] = fds.pair();
    b.sendall(bytes("x")); // a is readable and writable
    const key = sel.register(a, EVENT_WRITE);
    assert.deepEqual(await pick(sel, 0), [[key, EVENT_WRITE]]);
    sel.modify(a, EVENT_READ);
    assert.deepEqual((await pick(sel, 0)).map(([, e]) => e), [EVENT_READ]);
  });

  it(".select() reports hang-up as readable, so the reader sees EOF", async () => {
    using fds = new Fds();
    using sel = make();
    const [r, w] = fds.pipe();
    const key = sel.register(r, EVENT_READ);
    os.close(w);
    assert.deepEqual(await pick(sel, 0), [[key, EVENT_READ]]);
    assert.equal(os.read(r, 10).length, 0);
  });

  it(".select() reports a closed peer as readable and writable", async () => {
    using fds = new Fds();
    using sel = make();
    const [a, b] = fds.pair();
    const key = sel.register(a, EVENT_READ | EVENT_WRITE);
    b.close();
    let seen = 0;
    for (const [k, events] of await pick(sel, 0)) {
      assert.equal(k, key);
      seen |= events;
    }
    assert.equal(seen, EVENT_READ | EVENT_WRITE);
    assert.equal(a.recv(10).length, 0, "EOF on read");
    if (!WINDOWS) {
      assert.throws(() => a.send(bytes("x")), (e: unknown) => e instanceof OSError && e.code === "EPIPE");
      return;
    }
    // Windows' pair is loopback TCP: the first send after the peer's close is
    // accepted, the peer answers with a reset, and a later send fails with it.
    const reset = (e: unknown) =>
      e instanceof OSError && (e.code === "ECONNRESET" || e.code === "ECONNABORTED");
    let failed: unknown = null;
    for (let i = 0; i < 50 && failed === null; i++) {
      try {
        a.send(bytes("x"));
        await pick(sel, 0.02);
      } catch (e) {
        failed = e;
      }
    }
    assert.ok(reset(failed), `a send to the closed peer failed with ${failed}`);
  });

  it(".select() never reports an fd after it was unregistered", async () => {
    using fds = new Fds();
    using sel = make();
    const [a, b] = fds.pair();
    const [c, d] = fds.pair();
    sel.register(a, EVENT_READ);
    const keyC = sel.register(c, EVENT_READ);
    b.sendall(bytes("x"));
    d.sendall(bytes("y"));
    sel.unregister(a);
    assert.deepEqual(await pick(sel, 0), [[keyC, EVENT_READ]]);
  });

  it(".select(0) and select(-1) poll without blocking", async () => {
    using fds = new Fds();
    using sel = make();
    const [rd, wr] = fds.pair();
    sel.register(wr, EVENT_WRITE);
    const t0 = now();
    assert.equal((await pick(sel, 0)).length, 1);
    assert.equal((await pick(sel, -1)).length, 1);
    sel.unregister(wr);
    sel.register(rd, EVENT_READ);
    assert.equal((await pick(sel, 0)).length, 0);
    assert.equal((await pick(sel, -1)).length, 0);
    assert.ok(now() - t0 < budget(0.5));
  });

  it(".select(t) waits at least t seconds on an idle fd", async () => {
    using fds = new Fds();
    using sel = make();
    const [rd] = fds.pair();
    sel.register(rd, EVENT_READ);
    for (const t of [0.0001, 0.0015, 0.05]) {
      const t0 = now();
      assert.deepEqual(await pick(sel, t), []);
      assert.ok(now() - t0 >= t - 0.0005, `select(${t}) returned after ${now() - t0}`);
    }
    const t0 = now();
    assert.deepEqual(await pick(sel, 1), []);
    const dt = now() - t0;
    assert.ok(dt >= 0.8 && dt < 1 + budget(1), `select(1) took ${dt}`);
  });

  it(".select() with no timeout blocks until an event arrives", async () => {
    using fds = new Fds();
    using sel = make();
    const server = fds.sock(socket.createServer(["127.0.0.1", 0]));
    const [, port] = server.getsockname() as [string, number];
    const key = sel.register(server, EVENT_READ);
    // Our peer connects at a wall-clock time 0.3 s from now (not 0.3 s after
    // it starts: under an emulator Python's start-up alone can take that);
    // select() must wait for it, not return early. A stranger on this shared
    // loopback may wake it sooner: it is accepted, found without our token,
    // and the wait goes on.
    const token = makeToken();
    const t0 = now();
    const connectAt = Date.now() / 1000 + 0.3;
    // Windows: a peer of the runtime's own sockets, since Python cannot run there.
    const child = WINDOWS ? netPeer("at", [String(port), token, String(connectAt)]) : python(
      "import socket, sys, time; time.sleep(max(0, float(sys.argv[3]) - time.time()));" +
        " s = socket.create_connection(('127.0.0.1', int(sys.argv[1]))); s.sendall(sys.argv[2].encode()); s.recv(1)",
      [String(port), token, String(connectAt)],
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    for (;;) {
      const result = await pick(sel, null);
      const dt = now() - t0;
      assert.deepEqual(result, [[key, EVENT_READ]]);
      const [conn] = server.accept();
      const ours = isPeer(conn, token, 10);
      conn.close();
      if (ours) {
        assert.ok(dt >= 0.25, `select() returned after ${dt}s, before the peer connected`);
        break;
      }
    }
    assert.equal((await child).code, 0);
  });

  it(".select() rejects a timeout that is not a number", async () => {
    using sel = make();
    await assert.rejects(async () => await pick(sel, "1" as unknown as number), TypeError);
    await assert.rejects(async () => await pick(sel, NaN), RangeError);
    assert.deepEqual(await pick(sel, -Infinity), []);
  });

  it(".select() on an empty selector polls or waits as told", async () => {
    using sel = make();
    let t0 = now();
    assert.deepEqual(await pick(sel, 0), []);
    assert.ok(now() - t0 < budget(0.5));
    t0 = now();
    assert.deepEqual(await pick(sel, 1), []);
    const dt = now() - t0;
    assert.ok(dt >= 0.8 && dt < 1 + budget(1), `select(1) took ${dt}`);
  });

  /**
   * A select()'s answer with one pair per key, its events together, by fd:
   * kqueue reports READ and WRITE of one fd as two pairs, as CPython's does.
   */
  const merged = (ready: readonly ReadyPair[]): Array<[SelectorKey<unknown>, number]> => {
    const byFd = new Map<number, [SelectorKey<unknown>, number]>();
    for (const [key, events] of ready) {
      const seen = byFd.get(key.fd);
      if (seen) seen[1] |= events;
      else byFd.set(key.fd, [key, events]);
    }
    return [...byFd.values()].sort((x, y) => x[0].fd - y[0].fd);
  };

  /** A test of the synchronous API alone: registered in the select() run, not again in the selectAsync() one. */
  const itSync: typeof it = opts.async ? () => {} : it;

  itSync(".selectInto() replaces the array's contents with what select() would return", () => {
    using fds = new Fds();
    using sel = make();
    const [a, b] = fds.pair();
    const [c] = fds.pair();
    const ka = sel.register(a, EVENT_READ | EVENT_WRITE, "a");
    const kc = sel.register(c, EVENT_WRITE, "c");
    b.sendall(bytes("x"));
    const ready: ReadyPair[] = [[ka, 99], [kc, 99], [ka, 99], [kc, 99]]; // stale contents, longer than the answer
    const count = sel.selectInto(ready, 0);
    assert.equal(count, ready.length);
    assert.deepEqual(merged(ready), merged([[ka, EVENT_READ | EVENT_WRITE], [kc, EVENT_WRITE]]));
    assert.deepEqual(merged(ready), merged(sel.select(0)));
    sel.unregister(a);
    sel.unregister(c);
    assert.equal(sel.selectInto(ready, 0), 0, "nothing registered: nothing ready");
    assert.equal(ready.length, 0);
  });

  itSync(
    ".selectInto() hands out one pair per key and events: kept pairs stay true, a new key gets new pairs",
    () => {
      using fds = new Fds();
      using sel = make();
      const [a, b] = fds.pair();
      const key = sel.register(a, EVENT_READ | EVENT_WRITE);
      const ready: ReadyPair[] = [];
      sel.selectInto(ready, 0);
      const writable = ready[0]!;
      assert.deepEqual(writable, [key, EVENT_WRITE]);
      sel.selectInto(ready, 0);
      assert.equal(ready[0], writable, "the same key and events: the same pair, no allocation");
      b.sendall(bytes("x"));
      sel.selectInto(ready, 0);
      assert.deepEqual(merged(ready), [[key, EVENT_READ | EVENT_WRITE]]);
      assert.deepEqual(
        writable,
        [key, EVENT_WRITE],
        "a pair kept from an earlier call still says what it said",
      );
      const newKey = sel.modify(a, EVENT_READ, "data");
      sel.selectInto(ready, 0);
      assert.deepEqual(ready, [[newKey, EVENT_READ]]);
      assert.notEqual(ready[0], writable);
      const fresh = sel.select(0);
      assert.deepEqual(fresh, [[newKey, EVENT_READ]]);
      assert.notEqual(fresh[0], ready[0], "select() makes its own pairs: the caller may change them");
    },
  );

  itSync(".selectInto() rejects what is not an array, or a bad timeout, before waiting", () => {
    using fds = new Fds();
    using sel = make();
    const [a] = fds.pair();
    sel.register(a, EVENT_READ); // never ready: a wait that happened would take its whole timeout
    const t0 = now();
    const frozen = Object.freeze([]), sealed = Object.seal([]), fixed = Object.preventExtensions([]);
    for (
      const bad of [null, undefined, {}, { length: 0 }, "ready", new Uint8Array(2), frozen, sealed, fixed]
    ) {
      // A timeout, so that a check missing fails in bounded time (nine waits of 0.2 s), not by hanging.
      assert.throws(
        () => sel.selectInto(bad as unknown as ReadyPair[], 0.2),
        TypeError,
        `${typeof bad} ${bad}`,
      );
    }
    const ready: ReadyPair[] = [];
    assert.throws(() => sel.selectInto(ready, "1" as unknown as number), TypeError);
    assert.throws(() => sel.selectInto(ready, NaN), RangeError);
    assert.ok(now() - t0 < budget(0.5));
    assert.equal(sel.selectInto(ready, 0.05), 0, "a timeout: nothing ready");
  });

  itSync(".selectInto() refuses an array frozen after it filled it, and the events stay pending", () => {
    using fds = new Fds();
    using sel = make();
    const [a, b] = fds.pair();
    const key = sel.register(a, EVENT_READ);
    const ready: ReadyPair[] = [];
    assert.equal(sel.selectInto(ready, 0), 0);
    Object.freeze(ready); // checked before: now frozen
    b.send(new Uint8Array([1]));
    assert.throws(() => sel.selectInto(ready, 0), {
      name: "TypeError",
      message: /frozen, sealed or non-extensible/,
    });
    assert.throws(() => sel.selectInto(ready, 0), TypeError, "and again, checked up front");
    const fresh: ReadyPair[] = [];
    assert.equal(sel.selectInto(fresh, 0), 1, "the event is still there");
    assert.deepEqual(fresh, [[key, EVENT_READ]]);
  });

  itSync(".selectInto() after wakeup() returns at once with what is ready", () => {
    using fds = new Fds();
    using sel = make();
    const [a] = fds.pair();
    const key = sel.register(a, EVENT_WRITE);
    const [c] = fds.pair();
    sel.register(c, EVENT_READ);
    const ready: ReadyPair[] = [[key, 99]];
    sel.wakeup();
    assert.equal(sel.selectInto(ready), 1);
    assert.deepEqual(ready, [[key, EVENT_WRITE]]);
    sel.unregister(a);
    sel.wakeup();
    assert.equal(sel.selectInto(ready), 0, "woken with nothing ready: an empty answer, not a wait");
    assert.equal(ready.length, 0);
  });

  it(".select() waits out its timeout through a signal storm (EINTR retried)", async () => {
    using fds = new Fds();
    using sel = make();
    const [rd] = fds.pair();
    sel.register(rd, EVENT_READ);
    let signals = 0;
    const onSignal = () => signals++;
    process.on("SIGUSR1", onSignal);
    // The child sends SIGUSR1 every 20 ms for 1.5 s; it says "go" on stdout
    // right before the first signal.
    const child = spawn("python3", [
      "-c",
      "import os, signal, sys, time\npid = int(sys.argv[1])\nprint('go', flush=True)\n" +
      "end = time.time() + 1.5\nwhile time.time() < end:\n    os.kill(pid, signal.SIGUSR1)\n    time.sleep(0.02)",
      String(process.pid),
    ], { stdio: ["ignore", "pipe", "inherit"] });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      assert.equal(await firstLine(child), "go");
      const t0 = now();
      const result = await pick(sel, 2.0);
      const dt = now() - t0;
      assert.deepEqual(result, []);
      assert.ok(dt >= 1.95 && dt < 2 + budget(0.6), `select(2.0) took ${dt}s`);
      assert.equal(await exited, 0);
      // Signal listeners run on the event loop: let the queued ones in.
      for (let i = 0; i < 100 && signals === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.ok(signals > 0, "signals arrived");
    } finally {
      // No signal may outlive the handler: it would kill the test runner.
      child.kill("SIGKILL");
      await exited;
      process.off("SIGUSR1", onSignal);
    }
  }, unixOnly("POSIX signals"));

  it(" with 12 socket pairs makes exactly the written pair's reader ready", async () => {
    using fds = new Fds();
    using sel = make();
    const readers: socket.Socket[] = [];
    const writers = new Map<number, socket.Socket>();
    const peerOf = new Map<socket.Socket, socket.Socket>();
    for (let i = 0; i < 12; i++) {
      const [rd, wr] = fds.pair();
      sel.register(rd, EVENT_READ);
      sel.register(wr, EVENT_WRITE);
      readers.push(rd);
      writers.set(wr.fileno(), wr);
      peerOf.set(wr, rd);
    }
    const received: string[] = [];
    let round = 0;
    while (writers.size > 0) {
      const ready = await pick(sel, 0);
      const readyWriters = ready.filter(([, ev]) => ev & EVENT_WRITE).map(([k]) => writers.get(k.fd)!);
      const readyReaders = ready.filter(([, ev]) => ev & EVENT_READ);
      assert.equal(readyReaders.length, 0, "no reader is ready before its writer writes");
      assert.equal(readyWriters.length, writers.size);
      const wr = readyWriters[round % readyWriters.length]!;
      wr.sendall(bytes(`msg${round}`));
      const after = (await pick(sel, 0)).filter(([, ev]) => ev & EVENT_READ);
      assert.equal(after.length, 1, "exactly one reader ready");
      assert.equal(after[0]![0].fileobj, peerOf.get(wr));
      const rd = peerOf.get(wr)!;
      received.push(new TextDecoder().decode(rd.recv(64)));
      sel.unregister(wr);
      sel.unregister(rd);
      writers.delete(wr.fileno());
      round++;
    }
    assert.deepEqual(received, Array.from({ length: 12 }, (_, i) => `msg${i}`));
  });

  it(" scales past FD_SETSIZE with thousands of socket pairs", async () => {
    // Windows has no fd limit to raise; 4 096 sockets are four times FD_SETSIZE.
    const limit = WINDOWS ? 4096 : raiseFdLimit();
    const numFds = Math.min(limit === -1 ? 65536 : limit, 2 ** 16) - 64;
    using fds = new Fds();
    using sel = make();
    const writers = new Set<number>();
    try {
      for (let i = 0; i < numFds / 2; i++) {
        const [rd, wr] = fds.pair();
        sel.register(rd, EVENT_READ);
        sel.register(wr, EVENT_WRITE);
        writers.add(wr.fileno());
      }
    } catch (e) {
      // Like CPython: the runtime's own fds may push us over the limit first.
      if (!(e instanceof OSError && (e.code === "EMFILE" || e.code === "ENFILE"))) throw e;
    }
    assert.ok(writers.size > 1024, `only ${writers.size} pairs fit`);
    const result = await pick(sel, 0);
    assert.equal(result.length, writers.size);
    for (const [key, events] of result) {
      assert.equal(events, EVENT_WRITE);
      assert.ok(writers.has(key.fd));
    }
  }, opts.scalable ? undefined : "select() is limited to FD_SETSIZE");

  it(".close() forgets keys, is idempotent, and makes later use throw", async () => {
    using fds = new Fds();
    const sel = make();
    const [r] = fds.pair();
    sel.register(r, EVENT_READ);
    const map = sel.getMap();
    sel.close();
    sel.close();
    assert.ok(sel.closed);
    assert.equal(map.size, 0);
    assert.equal(map.get(r), undefined);
    assert.throws(() => sel.getKey(r), SelectorClosedError);
    assert.throws(() => sel.register(r, EVENT_READ), SelectorClosedError);
    assert.throws(() => sel.unregister(r), SelectorClosedError);
    assert.throws(() => sel.modify(r, EVENT_WRITE), SelectorClosedError);
    await assert.rejects(async () => await pick(sel, 0), SelectorClosedError);
    assert.throws(() => sel.getMap(), SelectorClosedError);
    assert.ok(r.fileno() >= 0, "registered files stay open");
  });

  it(".register() ends in SelectorClosedError, nothing registered, when fileno() closes the selector", async () => {
    using fds = new Fds();
    const sel = make();
    const [r] = fds.pair();
    const closer = { fileno: () => (sel.close(), r.fileno()) };
    assert.throws(() => sel.register(closer, EVENT_READ), SelectorClosedError);
    assert.equal(sel.closed, true);
    assert.throws(() => sel.getMap(), SelectorClosedError);
    await assert.rejects(async () => await pick(sel, 0), SelectorClosedError);
    // The fd is watched by nothing: a fresh selector registers it without fuss.
    using again = make();
    again.register(r, EVENT_READ);
  });

  it(".modify(), .unregister() and .getKey() end in SelectorClosedError when fileno() closes the selector", () => {
    using fds = new Fds();
    const [r] = fds.pair();
    for (const call of ["modify", "unregister", "getKey"] as const) {
      const sel = make();
      let closing = false;
      const obj = { fileno: () => (closing && sel.close(), r.fileno()) };
      sel.register(obj, EVENT_READ);
      closing = true;
      assert.throws(
        () => call === "modify" ? sel.modify(obj, EVENT_WRITE) : sel[call](obj),
        SelectorClosedError,
        call,
      );
      assert.equal(sel.closed, true, call);
    }
  });

  it(" closes at the end of a using block", () => {
    using fds = new Fds();
    const [r] = fds.pair();
    let escaped: BaseSelector | undefined;
    {
      using sel = make();
      sel.register(r, EVENT_READ);
      escaped = sel;
    }
    assert.throws(() => escaped!.getKey(r), SelectorClosedError);
  });

  it(".close() leaves alone its fd number closed behind its back and handed to a new pipe", () => {
    using fds = new Fds();
    const sel = make();
    os.close(sel.fileno!());
    const [r, w] = fds.pipe(); // the lowest free numbers: the selector's old one among them
    sel.close();
    assert.equal(os.write(w, bytes("x")), 1, "the pipe is open");
    assert.equal(os.read(r, 1).length, 1);
  }, opts.hasFileno ? undefined : "no kernel object");

  it(".close() leaves alone its wake pipe's numbers closed behind its back and reused", () => {
    using fds = new Fds();
    const sel = make();
    const before = new Set(openFds());
    sel.wakeup(); // makes the wake pipe
    const wake = openFds().filter((fd) => !before.has(fd));
    assert.equal(wake.length, 2, "wakeup() made one pipe");
    for (const fd of wake) os.close(fd);
    const pipes = [fds.pipe(), fds.pipe()];
    assert.deepEqual(
      pipes.flat().filter((fd) => wake.includes(fd)).sort(),
      [...wake].sort(),
      "the numbers reused",
    );
    sel.close();
    for (const [r, w] of pipes) {
      assert.equal(os.write(w, bytes("x")), 1, "every new pipe is open");
      assert.equal(os.read(r, 1).length, 1);
    }
  });

  it(" has fileno() only with a kernel object, as CPython's test_fileno asks (hasattr, then an int >= 0)", () => {
    using sel = make();
    assert.equal("fileno" in sel, opts.hasFileno);
    if ("fileno" in sel && typeof sel.fileno === "function") {
      const fd = sel.fileno();
      assert.ok(Number.isInteger(fd) && fd >= 0);
    }
  });

  it(".fileno() is a close-on-exec fd released by close()", () => {
    const sel = make();
    const fd = sel.fileno!();
    assert.ok(Number.isInteger(fd) && fd >= 0);
    assert.equal(os.getInheritable(fd), false);
    sel.close();
    assert.throws(() => os.getInheritable(fd), (e: unknown) => e instanceof OSError && e.code === "EBADF");
  }, opts.hasFileno ? undefined : "no kernel object");
}
