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
import { test, WINDOWS } from "./_test.ts";
import {
  BaseSelector,
  BlockingIOError,
  DefaultSelector,
  ERRNO,
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
import { bytes, Fds, isOSError, openFdCount } from "./_helpers.ts";
import {
  EPOLL,
  ERRNO_TABLES,
  FCNTL,
  FCNTL_TABLES,
  KEVENT,
  POLL,
  SOCKET,
  SOCKET_TABLES,
} from "../ffi/constants.ts";

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
  // Windows: any handle value fits Winsock's fd_set; these are not sockets, which is refused.
  const refused = WINDOWS ? isOSError("ENOTSOCK") : RangeError;
  for (const fd of [1024, 65535, 2 ** 31 - 1]) assert.throws(() => sel.register(fd, EVENT_READ), refused);
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

// ------------------------------------------------------------ values the engine cannot convert, and messages

/** Values whose conversion runs the caller's code or fails inside the engine. */
const UNCONVERTIBLE: Array<[string, unknown]> = [
  ["Object.create(null)", Object.create(null)],
  ["a symbol", Symbol("s")],
  ["an object whose valueOf and toString throw", {
    valueOf(): never {
      throw new Error("valueOf ran");
    },
    toString(): never {
      throw new Error("toString ran");
    },
  }],
  ["a bigint", 5n],
  ["a 1 MB string", "9".repeat(1 << 20)],
  ["a 100 000-element array", new Array(100_000).fill(7)],
];

/** The library's own clear error: its class, a message that names no engine internals, bounded. */
function ownError(e: unknown): boolean {
  return (e instanceof TypeError || e instanceof RangeError || e instanceof OSError) &&
    !/Cannot convert|No default value|valueOf ran|toString ran|is not a function|Cannot read/.test(
      e.message,
    ) &&
    e.message.length <= 300;
}

test("every public function gives its own bounded TypeError/RangeError for values the engine cannot convert", () => {
  using fds = new Fds();
  const [r, w] = fds.pipe();
  const sock = fds.sock(new socket.Socket());
  const udp = fds.sock(new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM));
  using sel = new DefaultSelector();
  // Windows has no rlimits (the calls below are refused before any system call all the same).
  const limits = WINDOWS ? [1024, 1024] : resource.getrlimit(resource.RLIMIT_NOFILE);
  const calls: Array<[string, (...a: unknown[]) => unknown, unknown[]]> = [
    ["os.read", os.read as never, [r, 1]],
    ["os.write", os.write as never, [w, new Uint8Array(1)]],
    ["os.close", os.close as never, [999_999]],
    ["os.dup", os.dup as never, [r]],
    ["os.dup2", os.dup2 as never, [r, 999_999]],
    ["os.open", os.open as never, ["/dev/null", os.O_RDONLY, 0o644]],
    ["os.getBlocking", os.getBlocking as never, [r]],
    ["os.getInheritable", os.getInheritable as never, [r]],
    ["os.kill", os.kill as never, [os.getpid(), 0]],
    ["os.strerror", os.strerror as never, [1]],
    ["resource.getrlimit", resource.getrlimit as never, [resource.RLIMIT_NOFILE]],
    ["resource.setrlimit", resource.setrlimit as never, [resource.RLIMIT_NOFILE, limits]],
    ["new socket.Socket", (...a) => new (socket.Socket as never as new (...a: unknown[]) => unknown)(...a), [
      socket.AF_INET,
      socket.SOCK_STREAM,
      0,
    ]],
    ["Socket.bind", (a) => sock.bind(a as never), [["127.0.0.1", 0]]],
    ["Socket.listen", (a) => sock.listen(a as never), [5]],
    ["Socket.setTimeout", (a) => sock.setTimeout(a as never), [null]],
    ["Socket.recv", (a, b) => sock.recv(a as never, b as never), [1, 0]],
    ["Socket.recvInto", (a, b, c) => sock.recvInto(a as never, b as never, c as never), [
      new Uint8Array(4),
      0,
      0,
    ]],
    ["Socket.send", (a, b) => sock.send(a as never, b as never), [new Uint8Array(1), 0]],
    ["Socket.sendto", (a, b, c) => udp.sendto(a as never, b as never, c as never), [
      new Uint8Array(1),
      0,
      ["127.0.0.1", 9],
    ]],
    ["Socket.setsockopt", (a, b, c) => sock.setsockopt(a as never, b as never, c as never), [
      socket.SOL_SOCKET,
      socket.SO_REUSEADDR,
      1,
    ]],
    ["Socket.getsockopt", (a, b, c) => sock.getsockopt(a as never, b as never, c as never), [
      socket.SOL_SOCKET,
      socket.SO_TYPE,
      4,
    ]],
    ["Socket.shutdown", (a) => sock.shutdown(a as never), [2]],
    ["Socket.connectEx", (a) => sock.connectEx(a as never), [["127.0.0.1", 9]]],
    ["socket.socketpair", socket.socketpair as never, [socket.AF_UNIX, socket.SOCK_STREAM, 0]],
    ["socket.createConnection", socket.createConnection as never, [["127.0.0.1", 9], 1]],
    ["socket.createServer", socket.createServer as never, [["127.0.0.1", 0]]], // options: below
    ["socket.getaddrinfo", socket.getaddrinfo as never, ["127.0.0.1", 80, 0, 0, 0, 0]],
    ["socket.inetPton", socket.inetPton as never, [socket.AF_INET, "1.2.3.4"]],
    ["socket.inetNtop", socket.inetNtop as never, [socket.AF_INET, new Uint8Array(4)]],
    ["Socket.sendmsg", (a, b, c, d) => udp.sendmsg(a as never, b as never, c as never, d as never), [
      [new Uint8Array(1)],
      [],
      0,
      ["127.0.0.1", 9],
    ]],
    ["Socket.recvmsg", (a, b, c) => sock.recvmsg(a as never, b as never, c as never), [1, 0, 0]],
    ["Socket.recvmsgInto", (a, b, c) => sock.recvmsgInto(a as never, b as never, c as never), [
      [new Uint8Array(4)],
      0,
      0,
    ]],
    ["Socket.recvfromInto", (a, b, c) => sock.recvfromInto(a as never, b as never, c as never), [
      new Uint8Array(4),
      0,
      0,
    ]],
    ["Socket.sendfile", (a, b, c) => sock.sendfile(a as never, b as never, c as never), [r, 0, 1]],
    ["Socket.makefile", (a, b) => sock.makefile(a as never, b as never), ["rb", 1024]],
    ["SocketFile.read", (a) => sock.makefile("rb").read(a as never), [1]],
    ["SocketFile.readline", (a) => sock.makefile("rb").readline(a as never), [1]],
    ["SocketFile.readExactly", (a) => sock.makefile("rb").readExactly(a as never), [1]],
    ["SocketFile.write", (a) => sock.makefile("wb").write(a as never), [new Uint8Array(1)]],
    ["socket.fromfd", socket.fromfd as never, [sock, socket.AF_INET, socket.SOCK_STREAM, 0]],
    ["socket.sendFds", socket.sendFds as never, [udp, [new Uint8Array(1)], [r], 0, ["127.0.0.1", 9]]],
    ["socket.recvFds", socket.recvFds as never, [sock, 1, 1, 0]],
    ["socket.fdsOf", socket.fdsOf as never, [new Uint8Array(4)]],
    ["socket.CMSG_LEN", socket.CMSG_LEN as never, [4]],
    ["socket.CMSG_SPACE", socket.CMSG_SPACE as never, [4]],
    ["socket.close", socket.close as never, [999_999]],
    ["socket.dup", socket.dup as never, [999_999]],
    ["socket.setDefaultTimeout", socket.setDefaultTimeout as never, [null]],
    ["socket.gethostbyname", socket.gethostbyname as never, ["127.0.0.1"]],
    ["socket.gethostbynameEx", socket.gethostbynameEx as never, ["127.0.0.1"]],
    ["socket.gethostbyaddr", socket.gethostbyaddr as never, ["127.0.0.1"]],
    ["socket.getnameinfo", socket.getnameinfo as never, [["127.0.0.1", 80], 0]],
    ["socket.getfqdn", socket.getfqdn as never, ["127.0.0.1"]],
    ["socket.getservbyname", socket.getservbyname as never, ["http", "tcp"]],
    ["socket.getservbyport", socket.getservbyport as never, [80, "tcp"]],
    ["socket.getprotobyname", socket.getprotobyname as never, ["tcp"]],
    ["socket.ifNametoindex", socket.ifNametoindex as never, ["lo"]],
    ["socket.ifIndextoname", socket.ifIndextoname as never, [1]],
    ["socket.htons", socket.htons as never, [1]],
    ["socket.ntohs", socket.ntohs as never, [1]],
    ["socket.htonl", socket.htonl as never, [1]],
    ["socket.ntohl", socket.ntohl as never, [1]],
    ["socket.inetAton", socket.inetAton as never, ["1.2.3.4"]],
    ["socket.inetNtoa", socket.inetNtoa as never, [new Uint8Array(4)]],
    ["socket.ipMreq", socket.ipMreq as never, ["239.1.2.3", "0.0.0.0"]],
    ["socket.ipv6Mreq", socket.ipv6Mreq as never, ["ff02::1", 0]],
    ["new os.OwnedFd", (a, b) => new os.OwnedFd(a as never, b as never).detach(), [r, "pipe"]],
    ["BaseSelector.register", (a, b) => sel.register(a as never, b as never), [r, EVENT_READ]],
    ["BaseSelector.select", (a) => sel.select(a as never), [0]],
    ["fileobjToFd", fileobjToFd as never, [r]],
  ];
  const before = openFdCount();
  for (const [name, fn, good] of calls) {
    for (let i = 0; i < good.length; i++) {
      for (const [what, value] of UNCONVERTIBLE) {
        const args = [...good];
        args[i] = value;
        assert.throws(() => fn(...args), ownError, `${name} argument ${i + 1}: ${what}`);
      }
    }
  }
  // createServer's options may be any object (an empty one is fine); anything else is refused.
  for (const [what, value] of UNCONVERTIBLE.filter(([, v]) => typeof v !== "object")) {
    assert.throws(
      () => socket.createServer(["127.0.0.1", 0], value as never),
      ownError,
      `createServer options: ${what}`,
    );
  }
  assert.equal(sel.getMap().size, 0, "nothing was registered");
  // Never more than before (under Bun, an earlier file's child may have its pipes closed meanwhile).
  assert.ok(openFdCount() <= before, `no fd was made: ${openFdCount()} open, ${before} before`);
});

test('error messages quote a bad value bounded and exactly: 5n, "5", -0, a 1 MB string\'s head and length', () => {
  const message = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error("no error");
  };
  assert.match(message(() => os.close(5n as never)), /got 5n$/);
  assert.match(message(() => os.close("5" as never)), /got "5"$/);
  assert.match(message(() => os.read(3, -0.5)), /: -0\.5$/);
  assert.match(message(() => os.close(Symbol("fd") as never)), /got a symbol \(fd\)$/);
  assert.match(message(() => os.close(-1)), /: -1$/);
  const huge = message(() => os.close("x".repeat(1 << 20) as never));
  assert.ok(huge.length < 200, `${huge.length} characters`);
  assert.match(huge, /"x{40}"… \(1048576 characters\)$/);
  const path = message(() => os.open("/no/such/" + "d".repeat(1 << 20), os.O_RDONLY));
  assert.ok(path.length < 300, `an OSError's detail is bounded too: ${path.length} characters`);
  const digits = message(() => os.close(10n ** 1000n as never));
  assert.ok(digits.length < 200, `a 1001-digit bigint: ${digits.length} characters`);
  using sel = new DefaultSelector();
  const loud = { fileno: () => 7, toString: () => "y".repeat(1 << 20) };
  const key = message(() => sel.getKey(loud));
  assert.equal(
    key,
    "file object (fd 7) is not registered",
    "a KeyError names the fd, not the object's toString",
  );
  assert.match(message(() => sel.register(3, 9)), /Invalid events: 9/);
  assert.match(message(() => sel.register(3, -0)), /Invalid events: -0:/);
  assert.match(message(() => sel.select("1" as never)), /got "1"$/);
});

test("BaseSelector cannot be constructed directly, with an error that names the classes to use", () => {
  const Abstract = BaseSelector as unknown as new (poller?: unknown) => unknown;
  assert.throws(
    () => new Abstract(),
    (e: unknown) => e instanceof TypeError && /BaseSelector is abstract/.test(e.message),
  );
  // A subclass that passes no poller gets the library's error too, not the engine's.
  class Broken extends (BaseSelector as unknown as new (poller?: unknown) => object) {
    constructor() {
      super(undefined);
    }
  }
  assert.throws(
    () => new Broken(),
    (e: unknown) => e instanceof TypeError && /Invalid poller/.test(e.message),
  );
});

test("exported tables are frozen: ERRNO.EINTR = ERRNO.EAGAIN throws and os.read() on an empty pipe still says EAGAIN", () => {
  for (const [name, table] of Object.entries({ ERRNO, SOCKET, FCNTL, EPOLL, POLL, KEVENT })) {
    assert.ok(Object.isFrozen(table), `${name} is frozen`);
  }
  for (const tables of [ERRNO_TABLES, SOCKET_TABLES, FCNTL_TABLES]) {
    for (const [name, table] of Object.entries(tables)) {
      assert.ok(Object.isFrozen(table), `${name} is frozen`);
    }
  }
  const eintr = ERRNO.EINTR;
  assert.throws(() => {
    (ERRNO as Record<string, number>).EINTR = ERRNO.EAGAIN;
  }, TypeError);
  assert.equal(ERRNO.EINTR, eintr);
  using fds = new Fds();
  const [r] = fds.pipe();
  os.setBlocking(r, false);
  assert.throws(() => os.read(r, 1), (e: unknown) => e instanceof BlockingIOError && e.code === "EAGAIN");
});

test("resource.setrlimit() takes exactly a [soft, hard] pair of numbers, soft <= hard, before any system call", () => {
  const [soft, hard] = WINDOWS ? [1024, 1024] : resource.getrlimit(resource.RLIMIT_NOFILE);
  const N = resource.RLIMIT_NOFILE;
  const types: unknown[] = [undefined, null, 5, "ab", { 0: soft, 1: hard, length: 2 }, new Set([soft, hard])];
  for (const bad of types) assert.throws(() => resource.setrlimit(N, bad as never), TypeError, show(bad));
  for (const bad of [[], [soft], [soft, hard, 0], new Array(100_000).fill(1)]) {
    assert.throws(() => resource.setrlimit(N, bad as never), RangeError, `length ${bad.length}`);
  }
  assert.throws(() => resource.setrlimit(N, [String(soft), hard] as never), TypeError);
  assert.throws(() => resource.setrlimit(N, [1.5, hard]), RangeError);
  assert.throws(() => resource.setrlimit(N, [-2, hard]), RangeError);
  if (hard !== resource.RLIM_INFINITY) {
    assert.throws(() => resource.setrlimit(N, [hard + 1, hard]), RangeError, "soft above hard");
    assert.throws(
      () => resource.setrlimit(N, [resource.RLIM_INFINITY, hard]),
      RangeError,
      "infinite soft, finite hard",
    );
  }
  for (const res of [-1, 16, 1000, 2 ** 31]) {
    assert.throws(() => resource.getrlimit(res), RangeError, `getrlimit(${res})`);
    assert.throws(() => resource.setrlimit(res, [soft, hard]), RangeError, `setrlimit(${res})`);
  }
  if (WINDOWS) return; // no rlimits to read back there
  assert.deepEqual(resource.getrlimit(N), [soft, hard], "nothing changed");
  resource.setrlimit(N, [soft, hard]); // the pair itself is fine
});
