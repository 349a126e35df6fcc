/**
 * epoll-only behaviour: kernel refusals roll back, and events for a closed
 * but still-open (dup'd) description are never reported.
 *
 * @module
 */
import assert from "node:assert/strict";
import { test } from "./_test.ts";
import { EpollSelector, EVENT_READ, EVENT_WRITE, KeyError, os } from "../mod.ts";
import { bytes, Fds, isOSError } from "./_helpers.ts";

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
