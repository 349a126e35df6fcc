/**
 * Hostile values at every public parameter: wrong types, NaN, ±Infinity, -0,
 * 2**53, huge and negative fds, `fileno()` that throws or lies, events outside
 * the mask, timeouts of every shape, odd-sized and detached buffers. Each must
 * give a clear TypeError/RangeError/KeyError/OSError, never a crash, and leave
 * the selector exactly as it was.
 *
 * @module
 */
import assert from "node:assert/strict";
import { test } from "./_test.ts";
import {
  DefaultSelector,
  EVENT_READ,
  EVENT_WRITE,
  fileobjToFd,
  KeyError,
  os,
  OSError,
  resource,
  SelectSelector,
  socket,
} from "../mod.ts";
import { bytes, Fds, openFdCount } from "./_helpers.ts";

const BAD_FDS: unknown[] = [-1, -0.5, 1.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 53, -(2 ** 53), 1e300];
const NOT_NUMBERS: unknown[] = [undefined, null, "3", "", true, {}, [], [3], 3n, Symbol("fd"), () => 3];
const BAD_EVENTS: unknown[] = [
  0,
  -0,
  4,
  7,
  -1,
  1.5,
  NaN,
  Infinity,
  -Infinity,
  2 ** 53,
  999999,
  "1",
  null,
  undefined,
  {},
  1n,
];

function detached(): Uint8Array {
  const u = new Uint8Array(16);
  (u.buffer as ArrayBuffer & { transfer(): ArrayBuffer }).transfer();
  return u;
}

function show(v: unknown): string {
  try {
    return typeof v === "symbol" ? v.toString() : String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

function snapshot(sel: DefaultSelector): string {
  return JSON.stringify([...sel.getMap()].map(([fd, k]) => [fd, k.events, k.data]));
}

/** Asserts `fn` throws one of the clear error classes, not anything else. */
function clearError(fn: () => unknown, what: string): void {
  assert.throws(
    fn,
    (e: unknown) =>
      e instanceof TypeError || e instanceof RangeError || e instanceof KeyError || e instanceof OSError,
    what,
  );
}

test("fileobjToFd() refuses every non-fd and maps -0 to 0", () => {
  for (const v of [...BAD_FDS, ...NOT_NUMBERS]) clearError(() => fileobjToFd(v as number), String(v));
  assert.equal(Object.is(fileobjToFd(-0), 0), true);
  assert.equal(fileobjToFd({ fileno: () => 5 }), 5);
});

test("BaseSelector methods refuse hostile fds, events and file objects and keep their state", () => {
  using fds = new Fds();
  using sel = new DefaultSelector();
  const [a, b] = fds.pair();
  sel.register(a, EVENT_READ, "a");
  const before = snapshot(sel);
  const boom = new Error("fileno exploded");
  const hostileObjects: unknown[] = [
    { fileno: () => -1 },
    { fileno: () => NaN },
    { fileno: () => "7" },
    { fileno: () => 2 ** 40 },
    { fileno: 3 },
    {
      fileno(): number {
        throw boom;
      },
    },
    Object.create(null),
  ];
  for (const v of [...BAD_FDS, ...NOT_NUMBERS, ...hostileObjects]) {
    const f = v as number;
    assert.throws(
      () => sel.register(f, EVENT_READ),
      (e: unknown) => e === boom || e instanceof TypeError || e instanceof RangeError,
    );
    assert.throws(
      () => sel.unregister(f),
      (e: unknown) =>
        e === boom || e instanceof TypeError || e instanceof RangeError || e instanceof KeyError,
    );
    assert.throws(
      () => sel.modify(f, EVENT_READ),
      (e: unknown) =>
        e === boom || e instanceof TypeError || e instanceof RangeError || e instanceof KeyError,
    );
    assert.throws(
      () => sel.getKey(f),
      (e: unknown) =>
        e === boom || e instanceof TypeError || e instanceof RangeError || e instanceof KeyError,
    );
    try {
      assert.equal(sel.getMap().get(f), undefined);
    } catch (e) {
      assert.equal(e, boom, "a fileno() that throws propagates, as in Python");
    }
  }
  for (const ev of BAD_EVENTS) {
    clearError(() => sel.register(b, ev as number), `register events ${String(ev)}`);
    clearError(() => sel.modify(a, ev as number), `modify events ${String(ev)}`);
  }
  assert.equal(snapshot(sel), before, "nothing changed");
  b.sendall(bytes("x"));
  assert.deepEqual(sel.select(0).map(([k, e]) => [k.data, e]), [["a", EVENT_READ]], "and it still works");
});

test("BaseSelector.select() accepts every timeout shape or refuses it clearly", () => {
  using fds = new Fds();
  using sel = new DefaultSelector();
  const [a] = fds.pair();
  sel.register(a, EVENT_WRITE);
  for (const t of [0, -0, -1, -Infinity, -(2 ** 53), 1e-9, 5e-324]) {
    assert.equal(sel.select(t).length, 1, String(t));
  }
  for (const t of [NaN, "1", {}, [], true, 1n, Symbol("t")]) {
    clearError(() => sel.select(t as number), String(t));
  }
  // null, undefined and Infinity block; with a ready fd they return at once.
  for (const t of [null, undefined, Infinity, 2 ** 53, Number.MAX_VALUE]) {
    assert.equal(sel.select(t).length, 1, String(t));
  }
});

test("SelectSelector refuses fds it cannot put in an fd_set, whatever their type", () => {
  using sel = new SelectSelector();
  for (const fd of [1024, 65535, 2 ** 31 - 1]) assert.throws(() => sel.register(fd, EVENT_READ), RangeError);
  assert.equal(sel.getMap().size, 0);
});

test("os functions refuse hostile fds, sizes and buffers without touching libc", () => {
  using fds = new Fds();
  const [r, w] = fds.pipe();
  for (const fd of [...BAD_FDS, ...NOT_NUMBERS]) {
    const f = fd as number;
    clearError(() => os.read(f, 1), `read ${String(fd)}`);
    clearError(() => os.write(f, new Uint8Array(1)), `write ${String(fd)}`);
    clearError(() => os.close(f), `close ${String(fd)}`);
    clearError(() => os.dup(f), `dup ${String(fd)}`);
    clearError(() => os.setBlocking(f, false), `setBlocking ${String(fd)}`);
  }
  for (const n of [-1, 1.5, NaN, Infinity, 2 ** 53, "4", null]) {
    clearError(() => os.read(r, n as number), `size ${String(n)}`);
  }
  for (const data of ["text", 42, null, undefined, [1, 2], { length: 3 }, detached(), detached().buffer]) {
    clearError(() => os.write(w, data as Uint8Array), `data ${show(data)}`);
  }
  // Odd-sized views write exactly their bytes.
  assert.equal(os.write(w, new Uint16Array([1, 2, 3])), 6);
  assert.equal(os.write(w, new Float64Array(1)), 8);
  assert.equal(os.write(w, new DataView(new ArrayBuffer(5), 1, 3)), 3);
  assert.equal(os.write(w, new Uint8Array(0)), 0);
  assert.equal(os.read(r, 100).length, 17);
  for (const bad of ["a\0b", 5, null]) {
    clearError(() => os.open(bad as string, os.O_RDONLY), `path ${String(bad)}`);
  }
  for (const flags of [NaN, 1.5, 2 ** 40, "0"]) {
    clearError(() => os.open("/dev/null", flags as number), `flags ${String(flags)}`);
  }
  for (const mode of [-1, 0o10000, NaN]) {
    clearError(() => os.open("/tmp/x", os.O_RDONLY, mode), `mode ${mode}`);
  }
  for (const v of [[-2, 5], [NaN, 5], [1.5, 5]] as const) {
    clearError(() => resource.setrlimit(resource.RLIMIT_NOFILE, v), String(v));
  }
});

test("socket methods refuse hostile arguments and keep the socket usable", () => {
  const before = openFdCount();
  {
    using fds = new Fds();
    const [a, b] = fds.pair();
    for (const v of [NaN, -1, 1.5, "4", Infinity]) {
      clearError(() => a.recv(v as number), `recv ${String(v)}`);
      clearError(() => a.recvInto(new Uint8Array(4), v as number), `recvInto ${String(v)}`);
      clearError(() => a.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, v as number), `buflen ${String(v)}`);
    }
    for (const v of [NaN, -1, -Infinity, "4", {}]) {
      clearError(() => a.setTimeout(v as number), `setTimeout ${String(v)}`);
    }
    assert.equal(a.getTimeout(), null, "a refused timeout changes nothing");
    for (const data of ["text", null, detached(), {}]) {
      clearError(() => a.send(data as Uint8Array), `send ${show(data)}`);
      clearError(() => a.sendall(data as Uint8Array), `sendall ${show(data)}`);
      clearError(() => a.recvInto(data as Uint8Array), `recvInto ${show(data)}`);
    }
    for (const v of [NaN, 2 ** 40, "1", {}]) {
      clearError(() => a.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, v as number), String(v));
    }
    for (const flags of [NaN, 1.5, "0"]) {
      clearError(() => a.send(new Uint8Array(1), flags as number), `flags ${String(flags)}`);
    }
    clearError(() => a.sendto(new Uint8Array(1), undefined as unknown as string), "sendto without address");
    clearError(() => new socket.Socket(NaN), "family NaN");
    clearError(() => new socket.Socket(socket.AF_INET, "1" as unknown as number), "type string");
    clearError(() => socket.socketpair(9999), "bad family");
    b.sendall(bytes("still fine"));
    assert.equal(new TextDecoder().decode(a.recv(64)), "still fine");
    b.sendall(new Uint8Array([1, 2, 3, 4, 5, 6, 7]));
    const odd = new Uint16Array(3);
    assert.equal(a.recvInto(odd), 6, "an odd-typed view receives into its bytes");
    assert.equal(a.recv(8).length, 1);
  }
  assert.equal(openFdCount(), before, "no fd leaked");
});
