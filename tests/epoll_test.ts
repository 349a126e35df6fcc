/**
 * epoll-only behaviour: kernel refusals roll back, and events for a closed
 * but still-open (dup'd) description are never reported.
 *
 * @module
 */
import assert from "node:assert/strict";
import { unixTests, WINDOWS } from "./_test.ts";

const test = unixTests("epoll is Linux's");
import { EpollSelector, EVENT_READ, EVENT_WRITE, KeyError, os, resource } from "../mod.ts";
import { bytes, Fds, isOSError, raiseFdLimit } from "./_helpers.ts";
import { Registrations } from "../backends/epoll.ts";

test("EpollSelector.register() of a regular file throws EPERM and rolls back the key", () => {
  using sel = new EpollSelector();
  const fd = os.open(new URL(import.meta.url).pathname, os.O_RDONLY);
  try {
    assert.throws(() => sel.register(fd, EVENT_READ), isOSError("EPERM", "epoll_ctl"));
    assert.throws(() => sel.getKey(fd), KeyError);
    assert.equal(sel.getMap().size, 0);
  } finally {
    os.close(fd);
  }
});

test("EpollSelector.register() of a closed fd throws EBADF and rolls back the key", () => {
  using fds = new Fds();
  using sel = new EpollSelector();
  const [r, w] = fds.pipe();
  os.close(r);
  assert.throws(() => sel.register(r, EVENT_READ), isOSError("EBADF", "epoll_ctl"));
  assert.throws(() => sel.getKey(r), KeyError);
  sel.register(w, EVENT_WRITE); // the selector still works
  assert.equal(sel.select(0).length, 1);
});

test("EpollSelector.modify() refused by the kernel propagates and unregisters the fd", () => {
  using fds = new Fds();
  using sel = new EpollSelector();
  const [a] = fds.pair();
  const fd = a.fileno();
  sel.register(fd, EVENT_READ);
  a.close();
  assert.throws(() => sel.modify(fd, EVENT_WRITE), isOSError("EBADF", "epoll_ctl"));
  assert.equal(sel.getMap().size, 0);
  assert.throws(() => sel.getKey(fd), KeyError);
});

test("EpollSelector.select() drops events of an fd closed while its description lives on", () => {
  using fds = new Fds();
  using sel = new EpollSelector();
  const [a, b] = fds.pair();
  const fd = a.fileno();
  const copy = fds.fd(os.dup(fd)); // keeps the open file description, so epoll keeps watching it
  sel.register(fd, EVENT_READ);
  sel.unregister(fd); // but first: the usual path removes it from the kernel as well
  sel.register(fd, EVENT_READ);
  a.close(); // closed without unregister: epoll still reports it under the old fd number
  b.sendall(bytes("x"));
  const stale = sel.select(0);
  assert.equal(stale.length, 1, "the kernel still reports the closed fd number");
  assert.equal(stale[0]![0].fd, fd);
  // Unregister the stale key: the kernel entry stays (EBADF ignored), its events must not surface.
  sel.unregister(fd);
  assert.deepEqual(sel.select(0), []);
  os.close(copy);
});

test("EpollSelector.fileno() differs per selector", () => {
  using a = new EpollSelector();
  using b = new EpollSelector();
  assert.notEqual(a.fileno(), b.fileno());
});

test("EpollPoller's registration table keeps low numbers in bytes and high ones in a map, alike", () => {
  const table = new Registrations();
  for (const [fd, events] of [[0, 1], [63, 2], [64, 3], [5000, 1], [65_535, 2], [65_536, 3], [1 << 30, 1]]) {
    table.set(fd!, events!);
  }
  assert.deepEqual(table.entries(), [[0, 1], [63, 2], [64, 3], [5000, 1], [65_535, 2], [65_536, 3], [
    1 << 30,
    1,
  ]]);
  assert.equal(table.get(65_536), 3);
  assert.equal(table.get(7), 0);
  assert.equal(table.get(1 << 20), 0);
  table.delete(63);
  table.delete(1 << 30);
  table.delete(123_456); // never set: nothing
  table.set(5000, 2);
  assert.deepEqual(table.entries(), [[0, 1], [64, 3], [5000, 2], [65_535, 2], [65_536, 3]]);
});

const HIGH_FD = 65_600;

test("EpollSelector keeps registrations of fd numbers above 65 535 too, through a rebuild", {
  // (Windows has no rlimits to ask: every test here skips there.)
  skip: !WINDOWS && resource.getrlimit(resource.RLIMIT_NOFILE)[1] <= HIGH_FD
    ? `needs an fd limit above ${HIGH_FD} (the hard limit here is lower)`
    : undefined,
}, () => {
  raiseFdLimit();
  using fds = new Fds();
  const [r, w] = fds.pipe();
  const [r2] = fds.pipe();
  const high = os.dup2(r, HIGH_FD, false);
  try {
    using sel = new EpollSelector<string>();
    sel.register(high, EVENT_READ, "high");
    sel.register(r2, EVENT_READ, "low");
    os.write(w, bytes("x"));
    assert.deepEqual(sel.select(1).map(([k]) => k.data), ["high"]);
    // A stale registration makes the poller rebuild its set; both numbers must survive it.
    const [sr, sw] = fds.pipe();
    const dupOfSr = os.dup(sr);
    sel.register(sr, EVENT_READ, "stale");
    os.write(sw, bytes("y"));
    os.close(sr); // the description lives on in dupOfSr: the kernel keeps it registered and ready
    assert.equal(sel.unregister(sr).data, "stale"); // EPOLL_CTL_DEL fails with EBADF, as CPython ignores it
    const ready = sel.select(1).map(([k]) => k.data);
    assert.deepEqual(ready, ["high"], "the stale event is dropped, the high fd still reported");
    os.close(dupOfSr);
  } finally {
    os.close(high);
  }
});
