/**
 * selectAsync() and wakeup(): the selector as a citizen of the runtime's event
 * loop. Timers, promises and signal listeners run while it waits; abort, close
 * and wakeup end a wait; registrations made meanwhile are seen; the process
 * exits by itself; nothing leaks across many cycles. Every backend, both
 * runtimes.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { createServer } from "node:http";
import { join } from "node:path";
import process from "node:process";
import { budget, slowdown } from "./_budget.ts";
import { test, unixOnly, WINDOWS } from "./_test.ts";
import {
  type BaseSelector,
  BaseSelector as BaseSelectorClass,
  EpollSelector,
  EVENT_READ,
  OS,
  os,
  PollSelector,
  SelectorClosedError,
  SelectSelector,
} from "../mod.ts";
import { PollPoller } from "../backends/poll.ts";
import {
  Fds,
  here,
  jsThread,
  now,
  openFdCount,
  processWaiter,
  raiseFdLimit,
  run,
  runScript,
  RUNTIME,
  scratchDir,
} from "./_helpers.ts";

/** Resolves once `cond()` holds (checked every 5 ms, for at most 30 s). */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 6000 && !cond(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!cond()) throw new Error("timed out");
}

const BACKENDS: Array<[string, () => BaseSelector<string>]> = [
  ...(OS === "linux"
    ? [["epoll", () => new EpollSelector<string>()] as [string, () => BaseSelector<string>]]
    : []),
  ["poll", () => new PollSelector<string>()],
  ["select", () => new SelectSelector<string>()],
];

function after(ms: number, fn: () => void): void {
  setTimeout(fn, ms);
}

for (const [name, make] of BACKENDS) {
  test(`selectAsync() (${name}) lets timers fire and promises resolve while it waits`, async () => {
    using fds = new Fds();
    using sel = make();
    const [r] = fds.pipe();
    sel.register(r, EVENT_READ, "idle");
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    let resolved = false;
    after(50, () => Promise.resolve().then(() => resolved = true));
    const t0 = now();
    const result = await sel.selectAsync(0.4);
    const dt = now() - t0;
    clearInterval(timer);
    assert.deepEqual(result, []);
    assert.ok(dt >= 0.39 && dt < budget(2), `waited ${dt} s`);
    assert.ok(ticks >= 20, `a 10 ms interval ticked ${ticks} times in 400 ms`);
    assert.ok(resolved, "a promise resolved meanwhile");
  });

  test(`selectAsync() (${name}) returns what becomes ready, with the same key as select()`, async () => {
    using fds = new Fds();
    using sel = make();
    const [r, w] = fds.pipe();
    const key = sel.register(r, EVENT_READ, "pipe");
    after(30, () => os.write(w, new Uint8Array([1])));
    assert.deepEqual(await sel.selectAsync(budget(5)), [[key, EVENT_READ]]);
    assert.deepEqual(
      await sel.selectAsync(budget(5)),
      [[key, EVENT_READ]],
      "level-triggered, from the fast path",
    );
  });

  test(
    `selectAsync() (${name}) ends early when a signal listener calls wakeup() (CPython test_select_interrupt)`,
    {
      skip: OS === "linux" || OS === "darwin" || OS === "freebsd" ? undefined : "needs POSIX signals",
    },
    async () => {
      using fds = new Fds();
      using sel = make();
      const [r] = fds.pipe();
      sel.register(r, EVENT_READ, "idle");
      let heard = 0;
      const onSignal = (): void => {
        heard++;
        sel.wakeup();
      };
      process.on("SIGUSR2", onSignal);
      try {
        after(300, () => process.kill(process.pid, "SIGUSR2"));
        const t0 = now();
        const result = await sel.selectAsync(30);
        const dt = now() - t0;
        assert.deepEqual(result, []);
        assert.equal(heard, 1);
        assert.ok(dt >= 0.25 && dt < 5 * slowdown(), `returned after ${dt} s, not 30`);
      } finally {
        process.off("SIGUSR2", onSignal);
      }
    },
  );

  test(`selectAsync() (${name}) rejects on abort with the signal's reason, and the selector goes on`, async () => {
    using fds = new Fds();
    using sel = make();
    const [r, w] = fds.pipe();
    sel.register(r, EVENT_READ, "pipe");
    const ac = new AbortController();
    after(30, () => ac.abort());
    await assert.rejects(
      sel.selectAsync(10, { signal: ac.signal }),
      (e: unknown) => e instanceof Error && e.name === "AbortError",
    );
    const mine = new Error("mine");
    const ac2 = new AbortController();
    after(30, () => ac2.abort(mine));
    await assert.rejects(sel.selectAsync(10, { signal: ac2.signal }), (e: unknown) => e === mine);
    await assert.rejects(
      sel.selectAsync(10, { signal: AbortSignal.abort() }),
      (e: unknown) => e instanceof Error && e.name === "AbortError",
      "an aborted signal rejects at once",
    );
    os.write(w, new Uint8Array([1]));
    assert.equal((await sel.selectAsync(budget(5))).length, 1, "works after aborts");
  });

  test(`selectAsync() (${name}) sees a registration made while it waits (the wait restarts)`, async () => {
    using fds = new Fds();
    using sel = make();
    const [r1] = fds.pipe();
    sel.register(r1, EVENT_READ, "idle");
    const [r2, w2] = fds.pipe();
    os.write(w2, new Uint8Array([1])); // ready before it is even registered
    after(50, () => sel.register(r2, EVENT_READ, "late"));
    const t0 = now();
    const result = await sel.selectAsync(budget(10));
    assert.deepEqual(result.map(([k]) => k.data), ["late"]);
    assert.ok(now() - t0 < budget(5), "returned long before its timeout");
    os.read(r2, 1);
    after(50, () => {
      sel.unregister(r2);
      os.write(w2, new Uint8Array([1])); // ready, but no longer registered
    });
    assert.deepEqual(await sel.selectAsync(0.3), [], "and an unregistration");
  });

  test(`selectAsync() (${name}) ends with [] when close() comes while it waits, and frees every fd`, async () => {
    using fds = new Fds();
    const [r] = fds.pipe();
    const before = openFdCount();
    const sel = make();
    sel.register(r, EVENT_READ, "idle");
    after(50, () => sel.close());
    assert.deepEqual(await sel.selectAsync(10), []);
    await assert.rejects(sel.selectAsync(0), SelectorClosedError);
    // The other thread returns within microseconds; its fds go right after.
    // (At most as many as before: Bun's earlier, terminated workers may still
    // be giving back their own event loops' fds.)
    for (let i = 0; i < 100 && openFdCount() > before; i++) await new Promise((res) => setTimeout(res, 10));
    assert.ok(
      openFdCount() <= before,
      `epoll fd, wake pipes all closed: ${openFdCount()} open, ${before} before`,
    );
  });

  test(`wakeup() (${name}) before a blocking select() makes it return at once, once`, () => {
    using fds = new Fds();
    using sel = make();
    const [r] = fds.pipe();
    sel.register(r, EVENT_READ, "idle");
    sel.wakeup();
    sel.wakeup(); // repeated: still one early return
    const t0 = now();
    assert.deepEqual(sel.select(10), []);
    assert.ok(now() - t0 < budget(1), "returned at once");
    const t1 = now();
    assert.deepEqual(sel.select(0.2), []);
    assert.ok(now() - t1 >= 0.19, "the next select waits again");
    assert.equal(sel.getMap().size, 1, "the wake pipe is not a key");
  });

  test(`selectAsync() (${name}) allows one wait at a time`, async () => {
    using fds = new Fds();
    using sel = make();
    const [r] = fds.pipe();
    sel.register(r, EVENT_READ, "idle");
    const first = sel.selectAsync(5);
    await assert.rejects(sel.selectAsync(5), /already waiting/);
    sel.wakeup();
    assert.deepEqual(await first, []);
  });

  test(`selectAsync() (${name}) 300 wait-and-abort cycles leave fds flat`, async () => {
    using fds = new Fds();
    using sel = make();
    const [r] = fds.pipe();
    sel.register(r, EVENT_READ, "idle");
    await sel.selectAsync(0.01); // the helper and pipes exist from here on
    const before = openFdCount();
    for (let i = 0; i < 300; i++) {
      const ac = new AbortController();
      const p = sel.selectAsync(10, { signal: ac.signal });
      ac.abort();
      await p.catch(() => {});
    }
    assert.equal(openFdCount(), before);
    sel.wakeup();
    assert.deepEqual(await sel.selectAsync(5), []);
  });

  test(`a program using selectAsync() (${name}) exits by itself, without closing its selector`, async () => {
    const r = await runScript(here("fixtures/async_exit.ts"), [name], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "timeout 0\nabort AbortError\nwakeup 0\nready 1\ndone\n");
  });
}

test("selectAsync() keeps a runtime HTTP server answering while it waits", async () => {
  using fds = new Fds();
  using sel = BACKENDS[0]![1]();
  const [r] = fds.pipe();
  sel.register(r, EVENT_READ, "idle");
  const g = globalThis as unknown as {
    Deno?: {
      serve(
        o: { port: number; hostname: string; onListen?: () => void },
        h: () => Response,
      ): { addr: { port: number }; shutdown(): Promise<void> };
    };
    Bun?: {
      serve(
        o: { port: number; hostname: string; fetch: () => Response },
      ): { port: number; stop(force?: boolean): void };
    };
  };
  let port: number, stop: () => Promise<void>;
  if (RUNTIME === "deno") {
    const s = g.Deno!.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, () => new Response("up"));
    port = s.addr.port;
    stop = () => s.shutdown();
  } else {
    const s = g.Bun!.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("up") });
    port = s.port;
    stop = () => Promise.resolve(s.stop(true));
  }
  try {
    const waiting = sel.selectAsync(2);
    const answers = await Promise.all(
      [1, 2, 3].map(() => fetch(`http://127.0.0.1:${port}/`).then((x) => x.text())),
    );
    assert.deepEqual(answers, ["up", "up", "up"]);
    sel.wakeup();
    assert.deepEqual(await waiting, []);
  } finally {
    await stop();
  }
});

// ---------------------------------------------------------------- at scale (issue #20)

/** CPU seconds this process used while `fn` ran. */
async function cpuDuring(fn: () => Promise<unknown>): Promise<number> {
  const c0 = process.cpuUsage();
  await fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

/**
 * The threads of this process, and how many of them sleep in poll(2) (Linux:
 * /proc/PID/task and each thread's wchan), counted by a child: Deno wants
 * --allow-all for /proc/self, and the suite runs with less. The threads the
 * count itself makes (Deno's spawnSync waits for the child in waitpid and
 * reads its two pipes on threads of its own: wchan do_wait and
 * (anon_)pipe_read, there or not depending on timing) are not counted: a
 * leaked waiter sleeps in poll or on a futex, never there.
 */
function threads(): { all: number; inPoll: number } {
  const r = spawnSync(
    "sh",
    ["-c", `cd /proc/${process.pid}/task && for t in *; do cat $t/wchan; echo; done`],
    {
      encoding: "utf8",
    },
  );
  const lines = r.stdout.trim().split("\n");
  if (!(lines.length > 0 && r.status === 0)) throw new Error(`cannot count threads: ${r.stderr}`);
  const counting = lines.filter((l) => /^(do_wait|anon_pipe_read|pipe_read)$/.test(l.trim())).length;
  return { all: lines.length - counting, inPoll: lines.filter((l) => l.includes("poll_schedule")).length };
}

/** Whether the process's waiter is the runtime's reactor (`_reactor.ts`), not a thread in poll(2). */
async function waiterIsReactor(): Promise<boolean> {
  return await processWaiter() === "reactor";
}

function threadCount(): number {
  return threads().all;
}

for (const [name, make] of BACKENDS) {
  test(
    `select() and selectAsync() (${name}) sleep through a stale kernel registration: a closed fd whose dup lives on`,
    async () => {
      using fds = new Fds();
      using sel = make();
      const [r, w] = os.pipe();
      const dup = fds.fd(os.dup(r));
      fds.fd(w);
      sel.register(r, EVENT_READ, "doomed");
      os.write(w, new Uint8Array([1])); // ready, and stays ready: nobody reads
      os.close(r); // epoll keeps the description registered: the dup holds it
      sel.unregister(r); // EPOLL_CTL_DEL: EBADF, swallowed as CPython does
      let calls = 0;
      const syncCpu = await cpuDuring(() => {
        const end = now() + 1;
        while (now() < end) {
          assert.deepEqual(sel.select(Math.max(end - now(), 0)), []);
          calls++;
        }
        return Promise.resolve();
      });
      assert.ok(
        syncCpu < budget(0.3),
        `a 1 s select() loop used ${syncCpu.toFixed(3)} s of CPU in ${calls} calls`,
      );
      const asyncCpu = await cpuDuring(async () => assert.deepEqual(await sel.selectAsync(1), []));
      assert.ok(asyncCpu < budget(0.3), `selectAsync(1) used ${asyncCpu.toFixed(3)} s of CPU`);
      // The selector still works: a new registration on the same number, and the dup itself.
      const [r2, w2] = fds.pipe();
      sel.register(r2, EVENT_READ, "fresh");
      os.write(w2, new Uint8Array([2]));
      assert.deepEqual((await sel.selectAsync(5)).map(([k]) => k.data), ["fresh"]);
      sel.register(dup, EVENT_READ, "dup");
      assert.deepEqual(sel.select(0).map(([k]) => k.data).sort(), ["dup", "fresh"]);
    },
  );

  test(`selectAsync() (${name}) waits out its timeout through a signal storm aimed at the waiting thread`, {
    skip: OS !== "linux" ? "finds the waiting thread in /proc" : undefined,
  }, async () => {
    using fds = new Fds();
    using sel = make();
    const [r] = fds.pipe();
    sel.register(r, EVENT_READ, "idle");
    const onSignal = () => {};
    process.on("SIGUSR1", onSignal);
    // The thread that sleeps for the wait: the waiter's, in poll(2); or, on
    // the runtime's reactor, the JavaScript thread itself, in the runtime's epoll.
    const reactor = await waiterIsReactor();
    // The child signals every thread of ours asleep there
    // with tgkill, again each time that thread has been back to sleep, for
    // 1.5 s, and counts the signals it sent. "Back to sleep" is read from the
    // thread's context-switch counters, which only grow: a wait that takes the
    // signal and is in poll again within microseconds is never missed (wchan
    // alone can be read before and after the round trip and never see it).
    const child = spawn("python3", [
      "-c",
      `import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
pid = int(sys.argv[1]); reactor = sys.argv[2] == "reactor"; js_thread = sys.argv[3]; sent = 0
def switches(tid):
    n = 0
    for line in open(f"/proc/{pid}/task/{tid}/status"):
        if "ctxt_switches" in line:
            n += int(line.split()[1])
    return n
print("go", flush=True)
end = time.time() + 1.5
while time.time() < end:
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            wchan = open(f"/proc/{pid}/task/{tid}/wchan").read()
            if reactor and (tid != js_thread or "epoll_wait" not in wchan):
                continue
            if not reactor and "poll_schedule" not in wchan:
                continue
            before = switches(tid)
        except OSError:
            continue
        if libc.tgkill(pid, int(tid), 10) == 0:
            sent += 1
            # No pause: wait until the thread has run (taken the signal) and
            # slept again; the next scan signals it if that sleep is poll.
            while time.time() < end:
                try:
                    if switches(tid) != before:
                        break
                except OSError:
                    break
print(sent, flush=True)`,
      String(process.pid),
      reactor ? "reactor" : "thread",
      jsThread(), // not the main thread under deno test
    ], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (d: Uint8Array) => out += new TextDecoder().decode(d));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      await until(() => out.startsWith("go"));
      const t0 = now();
      const result = await sel.selectAsync(2.0);
      const dt = now() - t0;
      assert.deepEqual(result, []);
      assert.ok(dt >= 1.95 && dt < 2 + budget(1), `selectAsync(2.0) took ${dt}s`);
      assert.equal(await exited, 0);
      const sent = Number(out.split("\n")[1]);
      assert.ok(sent > 20, `the waiting thread was interrupted (${sent} signals sent to it)`);
    } finally {
      child.kill("SIGKILL");
      await exited;
      process.off("SIGUSR1", onSignal);
    }
  });

  test(`selectAsync() (${name}) whose abort hook throws rejects, and the next wait works`, async () => {
    using fds = new Fds();
    using sel = make();
    const [r, w] = fds.pipe();
    sel.register(r, EVENT_READ, "pipe");
    const ac = new AbortController();
    const hook = new Error("addEventListener failed");
    ac.signal.addEventListener = () => {
      throw hook;
    };
    await assert.rejects(sel.selectAsync(5, { signal: ac.signal }), (e: unknown) => e === hook);
    // A throwing removeEventListener after a normal wait changes nothing either.
    const ac2 = new AbortController();
    ac2.signal.removeEventListener = () => {
      throw new Error("removeEventListener failed");
    };
    const t0 = now();
    assert.deepEqual(await sel.selectAsync(0.1, { signal: ac2.signal }), []);
    assert.ok(now() - t0 < budget(2), "the wait ended at its timeout");
    after(20, () => os.write(w, new Uint8Array([1])));
    assert.deepEqual((await sel.selectAsync(5)).map(([k]) => k.data), ["pipe"]);
  });

  test(
    `selectAsync() (${name}) at the fd limit (2, 3 and 40 fds free) works or rejects with EMFILE, never ends the process`,
    {
      skip: unixOnly("the fd limit is setrlimit's (Unix)"),
    },
    async () => {
      for (const free of [2, 3, 40]) {
        const r = await runScript(here("fixtures/async_fd_limit.ts"), [String(free), name], {
          timeoutMs: 60_000,
        });
        assert.equal(r.code, 0, `${free} free: exit ${r.code}: ${r.stderr}`);
        const out = JSON.parse(r.stdout) as {
          first: string;
          leakedOnFailure: number;
          sync: number;
          again: string;
        };
        assert.ok(out.first === "ok 0" || out.first === "EMFILE", `${free} free: first wait ${out.first}`);
        if (free === 40) assert.equal(out.first, "ok 0", "40 free fds are enough");
        assert.equal(out.leakedOnFailure, 0, `${free} free: no fd kept by a failed start`);
        assert.equal(out.sync, 1, `${free} free: select() still works`);
        assert.equal(out.again, "ok 1", `${free} free: with fds back, selectAsync() works`);
      }
    },
  );
}

test("selectAsync() refuses options that are not an object, and a signal that is no AbortSignal, in its own words", async () => {
  using sel = new PollSelector();
  const cases: Array<[unknown, RegExp]> = [
    [null, /^Invalid options: expected an object such as \{ signal \}, got null$/],
    [5, /^Invalid options: expected an object/],
    [{ signal: {} }, /^Invalid options.signal: expected an AbortSignal/],
    [{ signal: null }, /^Invalid options.signal: expected an AbortSignal, got null$/],
    [{ signal: { throwIfAborted(): void {} } }, /^Invalid options.signal: expected an AbortSignal/],
  ];
  for (const [options, message] of cases) {
    await assert.rejects(
      sel.selectAsync(0, options as never),
      (e) => e instanceof TypeError && message.test(e.message),
      String(options),
    );
  }
  assert.deepEqual(await sel.selectAsync(0, {}), [], "an empty object is fine");
  assert.deepEqual(await sel.selectAsync(0, undefined), []);
});

/** Runs one case of fixtures/waiter_edges.ts and returns its JSON line. */
async function waiterEdge(which: string, backend = "poll"): Promise<Record<string, unknown>> {
  // -A under Deno: the fixture finds the waiter's pipe in /proc/self/fd, which Deno grants only with all access.
  const script = here("fixtures/waiter_edges.ts");
  const r = RUNTIME === "deno"
    ? await run(process.execPath, ["run", "-A", script, which, backend], { timeoutMs: 60_000 })
    : await runScript(script, [which, backend], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `${which} ${backend}: exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

for (const name of ["poll", "select"]) {
  test(
    `1 100 ${name} selectors waiting on one pipe under a soft fd limit of 1 024 all see it (the waiter watches each fd once)`,
    {
      skip: unixOnly("the fd limit is setrlimit's (Unix)"),
    },
    async () => {
      const out = await waiterEdge("many-selectors", name);
      if (out.skipped) return;
      assert.deepEqual(out, { selectors: 1100, saw: 1100, errors: [] });
    },
  );
}

test("wakeup() ends selectAsync(null) and the next select() when the selector cannot make its wake pipe", {
  skip: unixOnly("FD_SETSIZE and the fd limit are Unix's"),
}, async () => {
  const out = await waiterEdge("wakeup-no-pipe");
  if (out.skipped) return;
  assert.equal(out.async, 0, `the async wait ended: ${JSON.stringify(out)}`);
  assert.ok((out.asyncMs as number) < budget(2) * 1000, `at the wakeup, not a timeout: ${out.asyncMs} ms`);
  assert.equal(out.sync, 0);
  assert.ok(
    (out.syncMs as number) < budget(1) * 1000,
    `a wakeup before select(5) ends it at once: ${out.syncMs} ms`,
  );
  assert.equal(out.after, 0, "the wakeup is used up: the next wait runs to its timeout");
});

for (
  const [how, replace] of [["closed with os.close()", false], ["replaced with os.dup2()", true]] as const
) {
  for (const name of ["poll", "select"]) {
    test(`the waiter's control pipe ${how} (${name}): no spinning, a new pipe, waits and pokes still work`, {
      skip: OS === "linux" ? false : "finds the pipe in /proc/self/fd (Linux)",
    }, async () => {
      const out = await waiterEdge(replace ? "control-replaced" : "control-closed", name);
      assert.equal(out.idle, 0, JSON.stringify(out));
      assert.ok((out.idleMs as number) >= 990, `the idle wait ran its 1 s: ${out.idleMs} ms`);
      assert.ok(
        (out.cpuIdle as number) < 0.25,
        `CPU during the idle second: ${out.cpuIdle} s (no busy loop)`,
      );
      assert.equal(out.woken, 1, "a write wakes the next wait");
      assert.equal(out.late, 1, "a registration made while waiting is seen");
      assert.ok((out.lateMs as number) < budget(3) * 1000, `promptly: ${out.lateMs} ms`);
      if (replace) {
        assert.equal(out.userData, "user data", "the bytes of the fd put in its place are untouched");
      }
    });
  }
}

/** The backends not bound by FD_SETSIZE. */
const SCALABLE = BACKENDS.filter(([name]) => name !== "select");

test("1 000 selectors waiting at once use one thread; file I/O, timers and an HTTP server keep working", {
  // Windows: all but the thread counts, which read /proc (Linux's).
  skip: OS !== "linux" && !WINDOWS ? "counts threads in /proc" : undefined,
}, async () => {
  const countThreads = OS === "linux";
  if (!WINDOWS) raiseFdLimit();
  const N = 1000;
  const sels: BaseSelector<string>[] = [];
  const pipes: Array<[number, number]> = [];
  const dir = scratchDir("waiters-");
  const file = join(dir, "data.txt");
  writeFileSync(file, "file contents");
  // The waiter exists before the baseline (a thread, a pipe: once per process).
  {
    using warm = new PollSelector<string>();
    warm.wakeup();
    await warm.selectAsync(5);
  }
  const server = createServer((_req, res) => res.end("up"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), "up"); // the client's connection exists
  await readFile(file, "utf8"); // so does whatever the runtime keeps for node:fs (Deno: a pipe)
  try {
    const waits: Array<Promise<unknown>> = [];
    for (let i = 0; i < N; i++) {
      const sel = SCALABLE[i % SCALABLE.length]![1]();
      const p = os.pipe();
      sel.register(p[0], EVENT_READ, `sel ${i}`);
      sels.push(sel);
      pipes.push(p);
      waits.push(sel.selectAsync(null));
    }
    // Everything else of the program goes on.
    assert.equal(await readFile(file, "utf8"), "file contents");
    const denoRead = (globalThis as { Deno?: { readTextFile(p: string): Promise<string> } }).Deno
      ?.readTextFile;
    if (denoRead) assert.equal(await denoRead(file), "file contents");
    assert.equal(await new Promise((resolve) => setTimeout(() => resolve("tick"), 10)), "tick");
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), "up");
    // One thread sleeps in poll(2) for all of them, or none on the runtime's
    // reactor (the runtime's own threads, such as Deno's for file I/O, come
    // and go as they do without us).
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (countThreads) {
      const expected = await waiterIsReactor() ? 0 : 1;
      assert.equal(threads().inPoll, expected, `${expected} thread in poll(2) for ${N} waits`);
    }
    // An event on one selector's fd resolves exactly that wait.
    os.write(pipes[777]![1], new Uint8Array([1]));
    const got = await waits[777];
    assert.deepEqual((got as Array<[{ data: string }, number]>).map(([k]) => k.data), ["sel 777"]);
    for (const sel of sels) sel.wakeup();
    const all = await Promise.all(waits);
    assert.equal(
      all.filter((x) => (x as unknown[]).length === 0).length,
      N - 1,
      "the others end on wakeup()",
    );
  } finally {
    for (const sel of sels) sel.close();
    for (const [r, w] of pipes) {
      os.close(r);
      os.close(w);
    }
  }
  if (countThreads) {
    for (let i = 0; i < 100 && threads().inPoll > 0; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(threads().inPoll, 0, "no thread left in poll(2)");
  }
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test("10 000 waits leave threads and fds flat", {
  skip: OS !== "linux" ? "counts threads in /proc" : undefined,
}, async () => {
  using fds = new Fds();
  using sel = BACKENDS[0]![1]();
  const [r, w] = fds.pipe();
  sel.register(r, EVENT_READ, "pipe");
  sel.wakeup(); // the wake pipe exists from here on
  const cycle = async (i: number): Promise<void> => {
    if (i % 3 === 0) {
      os.write(w, new Uint8Array([1]));
      const ready = await sel.selectAsync(5);
      assert.equal(ready.length, 1);
      os.read(r, 1);
    } else if (i % 3 === 1) {
      queueMicrotask(() => sel.wakeup());
      await sel.selectAsync(5);
    } else {
      await sel.selectAsync(0.0001);
    }
  };
  // The runtime settles its own threads in the first waits (Deno's pool may
  // start a second thread while the first is still handing a result back; Bun
  // its JIT's): the baseline is taken after 1 000.
  for (let i = 0; i < 1000; i++) await cycle(i);
  const threads0 = threadCount();
  const fds0 = openFdCount();
  let most = threads0;
  for (let i = 0; i < 10_000; i++) {
    await cycle(i);
    if (i % 500 === 0) most = Math.max(most, threadCount());
  }
  // The thread counts above spawn a child each: the runtime may close that
  // child's pipes a moment later. A leak per wait would be thousands.
  for (let i = 0; i < 100 && openFdCount() > fds0; i++) await new Promise((res) => setTimeout(res, 10));
  // (Fewer is fine: an earlier test's HTTP connections may close meanwhile.)
  assert.ok(openFdCount() <= fds0, `fds flat: ${fds0} -> ${openFdCount()}`);
  // Bounded, not growing with the waits: the runtime's pool may run a poll on
  // a second thread while the first is still handing back the last result.
  assert.ok(most <= threads0 + 2, `threads: ${threads0} after 1 000 waits, at most ${most} over 10 000 more`);
});

test("a selector whose wait set cannot be read fails its own selectAsync() only; the others wait on", async () => {
  using fds = new Fds();
  const failure = new Error("pollSet failed");
  class Broken extends BaseSelectorClass<string> {
    constructor() {
      const poller = new PollPoller();
      poller.pollSet = () => {
        throw failure;
      };
      super(poller);
    }
  }
  using bad = new Broken();
  using good = new PollSelector<string>();
  const [r1] = fds.pipe();
  const [r2, w2] = fds.pipe();
  bad.register(r1, EVENT_READ, "bad");
  good.register(r2, EVENT_READ, "good");
  const waiting = good.selectAsync(10);
  await assert.rejects(bad.selectAsync(10), (e: unknown) => e === failure);
  after(20, () => os.write(w2, new Uint8Array([1])));
  assert.deepEqual((await waiting).map(([k]) => k.data), ["good"]);
  assert.deepEqual(bad.select(0), [], "the broken one still answers select()");
});
