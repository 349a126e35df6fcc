/**
 * select-only behaviour: the FD_SETSIZE bound and EBADF for closed fds.
 *
 * @module
 */
import assert from "node:assert/strict";
import { test, WINDOWS } from "./_test.ts";
import { EVENT_READ, EVENT_WRITE, KeyError, os, OSError, SelectSelector, socket } from "../mod.ts";
import { FD_SETSIZE, WINSOCK_FD_SETSIZE } from "../ffi/constants.ts";
import { Fds, raiseFdLimit } from "./_helpers.ts";

test("SelectSelector.register() refuses fds >= FD_SETSIZE and leaves the sets untouched", {
  skip: WINDOWS && "Winsock's fd_set holds a count of sockets, not numbers below a bound: tested below",
}, () => {
  if (raiseFdLimit() !== -1 && raiseFdLimit() < 1100) return; // cannot make such an fd here
  using fds = new Fds();
  using sel = new SelectSelector();
  const [r, w] = fds.pair();
  const wKey = sel.register(w, EVENT_WRITE);
  for (const high of [FD_SETSIZE, FD_SETSIZE + 1, 1050]) {
    const fd = fds.fd(os.dup2(r.fileno(), high, false));
    assert.throws(
      () => sel.register(fd, EVENT_READ),
      (e: unknown) => e instanceof RangeError && /1024/.test(e.message),
    );
    assert.throws(() => sel.getKey(fd), KeyError);
  }
  assert.equal(sel.getMap().size, 1);
  assert.deepEqual(sel.select(0), [[wKey, EVENT_WRITE]]);
});

test("SelectSelector on Windows watches up to WINSOCK_FD_SETSIZE sockets and refuses one more", {
  skip: !WINDOWS && "Windows' limit",
}, () => {
  using fds = new Fds();
  using sel = new SelectSelector();
  const udp = (): socket.Socket => fds.sock(new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM));
  const socks = Array.from({ length: WINSOCK_FD_SETSIZE }, udp);
  for (const s of socks) sel.register(s, EVENT_WRITE);
  const extra = udp();
  assert.throws(
    () => sel.register(extra, EVENT_READ),
    (e: unknown) => e instanceof RangeError && new RegExp(`${WINSOCK_FD_SETSIZE}`).test(e.message),
  );
  assert.throws(() => sel.getKey(extra), KeyError);
  assert.equal(sel.getMap().size, WINSOCK_FD_SETSIZE);
  assert.equal(sel.select(0).length, WINSOCK_FD_SETSIZE, "an unconnected UDP socket is writable");
  sel.unregister(socks[0]!);
  sel.register(extra, EVENT_READ);
});

test("SelectSelector.select() throws EBADF when a registered fd was closed", () => {
  using fds = new Fds();
  using sel = new SelectSelector();
  const [r] = fds.pipe();
  sel.register(r, EVENT_READ);
  os.close(r);
  // Windows: Winsock's select() says WSAENOTSOCK for a closed handle, as CPython reports there.
  const code = WINDOWS ? "ENOTSOCK" : "EBADF";
  assert.throws(
    () => sel.select(0),
    (e: unknown) => e instanceof OSError && e.code === code && e.syscall === "select",
  );
  sel.unregister(r); // and it can still be unregistered
  assert.deepEqual(sel.select(0), []);
});

test("SelectSelector.select() finds the highest fd after lower ones are unregistered", () => {
  using fds = new Fds();
  using sel = new SelectSelector();
  const pairs = [fds.pair(), fds.pair(), fds.pair()];
  for (const [, w] of pairs) sel.register(w, EVENT_WRITE);
  sel.unregister(pairs[2]![1]);
  sel.unregister(pairs[0]![1]);
  const result = sel.select(0);
  assert.deepEqual(result.map(([k]) => k.fd), [pairs[1]![1].fileno()]);
});
