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
import process from "node:process";
import { budget, slowdown } from "./_budget.ts";
import { test } from "./_test.ts";
import {
  type BaseSelector,
  EpollSelector,
  EVENT_READ,
  OS,
  os,
  PollSelector,
  SelectorClosedError,
  SelectSelector,
} from "../mod.ts";
import { Fds, here, now, openFdCount, runScript, RUNTIME } from "./_helpers.ts";

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
