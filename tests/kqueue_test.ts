/**
 * KqueueSelector against the KERNEL STAND-IN: this machine has no kqueue, so
 * tests/fixtures/kqueue_standin.c (kqueue/kevent implemented over epoll, built
 * by tests/fixtures/build.sh) is loaded through the test-only override, once
 * with macOS's 32-byte `struct kevent` and once with FreeBSD's 64-byte one.
 * Every result here comes from that stand-in, not from a real kqueue kernel;
 * the test names say so.
 *
 * @module
 */
import assert from "node:assert/strict";
import { test } from "./_test.ts";
import { EVENT_READ, EVENT_WRITE, KeyError, os } from "../mod.ts";
import { KqueueSelector } from "../backends/kqueue.ts";
import { buildStandIn, standInLibrary, useKqueueStandIn } from "./_standin.ts";
import { bytes, Fds, isOSError, now } from "./_helpers.ts";
import { budget } from "./_budget.ts";
import process from "node:process";
import { selectorSuite } from "./_selector_suite.ts";
import { OS } from "../ffi/_host.ts";

const FLAVOURS = ["darwin", "freebsd"] as const;
const lib = standInLibrary;

const skip = buildStandIn();

for (const flavour of FLAVOURS) {
  const make = (): KqueueSelector => {
    useKqueueStandIn(lib(flavour), flavour);
    return new KqueueSelector();
  };
  const name = `KqueueSelector[stand-in, ${flavour} kevent]`;
  if (skip) {
    test(name, { skip }, () => {});
    continue;
  }
  selectorSuite(name, make, { scalable: true, hasFileno: true });
  if (flavour === "darwin") selectorSuite(name, make, { scalable: true, hasFileno: true, async: true });

  test(`${name}.register() of a closed fd throws EBADF and rolls back the key`, () => {
    using fds = new Fds();
    using sel = make();
    const [r] = fds.pipe();
    os.close(r);
    assert.throws(() => sel.register(r, EVENT_READ), isOSError("EBADF", "kevent"));
    assert.throws(() => sel.getKey(r), KeyError);
  });

  test(`${name}.select() returns READ and WRITE of one fd as two entries with the same key`, () => {
    using fds = new Fds();
    using sel = make();
    const [a, b] = fds.pair();
    const key = sel.register(a, EVENT_READ | EVENT_WRITE);
    b.sendall(bytes("x"));
    const result = sel.select(0);
    assert.equal(result.length, 2, "one event per filter, both in one call");
    assert.ok(result.every(([k]) => k === key));
    assert.equal(result.reduce((m, [, e]) => m | e, 0), EVENT_READ | EVENT_WRITE);
  });

  // A real kqueue drops an fd's knotes when that number is closed, dup or not;
  // this stand-in, built on epoll, keeps the description's registration. So
  // it shows what selectAsync() does with a kernel that keeps reporting an fd
  // the selector no longer knows and that the backend cannot clear: it backs
  // off instead of spinning. (A sync select() on it returns early each time,
  // as CPython's does; a real kqueue never gets there.)
  test(`${name}.selectAsync() backs off, never spins, on events the backend cannot clear (stand-in only)`, async () => {
    using fds = new Fds();
    using sel = make();
    const [r, w] = os.pipe();
    fds.fd(os.dup(r));
    fds.fd(w);
    sel.register(r, EVENT_READ);
    os.write(w, bytes("x"));
    os.close(r);
    try {
      sel.unregister(r);
    } catch { /* the stand-in may report the closed fd */ }
    const c0 = process.cpuUsage();
    const t0 = now();
    assert.deepEqual(await sel.selectAsync(1), []);
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6;
    assert.ok(now() - t0 >= 0.95, "waited its timeout");
    assert.ok(cpu < budget(0.3), `selectAsync(1) used ${cpu.toFixed(3)} s of CPU`);
  });
}

test("KqueueSelector without kqueue or a stand-in throws a clear error", {
  skip: OS === "darwin" || OS === "freebsd" ? "this OS has kqueue" : undefined,
}, () => {
  useKqueueStandIn(null);
  assert.throws(() => new KqueueSelector(), new RegExp(`kqueue is not available on ${OS}`));
});
