/**
 * The socket module on real sockets: loopback TCP (v4, v6 where `::1`
 * exists), UDP, AF_UNIX and socket pairs, with Python's `socket` module as the
 * peer we did not write.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { CLOSED_FD, NO_AF_UNIX, notUnderWine, PYTHON_PEER, test, unixOnly, WINDOWS, WINE } from "./_test.ts";
import {
  BlockingIOError,
  BrokenPipeError,
  ConnectionRefusedError,
  ConnectionResetError,
  DefaultSelector,
  EVENT_READ,
  EVENT_WRITE,
  os,
  OSError,
  socket,
  TimeoutError,
} from "../mod.ts";
import { ERRNO } from "../ffi/constants.ts";
import { OS } from "../ffi/_host.ts";
import {
  acceptPeer,
  acceptStarted,
  assertSameBytes,
  bytes,
  Fds,
  firstLine,
  hasIPv6Loopback,
  here,
  isOSError,
  localResolverUnavailable,
  makeToken,
  now,
  openFdCount,
  pattern,
  python,
  run,
  runtimeCommand,
  scratchDir,
  text,
  withLocalResolver,
} from "./_helpers.ts";

const HAS_V6 = hasIPv6Loopback();

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Reads until EOF (blocking socket). */
function recvAll(s: socket.Socket): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const c = s.recv(65536);
    if (c.length === 0) break;
    chunks.push(c);
    total += c.length;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

test(
  "socket.Socket sends 4 MiB to a Python peer that checks its sha256",
  { skip: unixOnly(PYTHON_PEER) },
  async () => {
    // A Python server prints its port, reads to EOF, and replies "sha256 length".
    const { spawn } = await import("node:child_process");
    const child = spawn("python3", [
      "-c",
      `import hashlib, socket
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
print(srv.getsockname()[1], flush=True)
while True:  # a stranger on the shared loopback connects and sends nothing: skip it
    conn, _ = srv.accept(); h = hashlib.sha256(); n = 0
    while True:
        b = conn.recv(65536)
        if not b: break
        h.update(b); n += len(b)
    if n: break
    conn.close()
conn.sendall(f"{h.hexdigest()} {n}".encode()); conn.close()`,
    ]);
    const closed = new Promise((resolve) => child.on("close", resolve)); // attached before it can exit
    const port = Number(await firstLine(child));
    const data = pattern(4 << 20);
    using s = socket.createConnection(["127.0.0.1", port], 10);
    s.sendall(data);
    s.shutdown(socket.SHUT_WR);
    assert.equal(text(recvAll(s)), `${sha256(data)} ${data.length}`);
    await closed;
  },
);

test(
  "socket.Socket.accept() serves a Python client byte for byte",
  { skip: unixOnly(PYTHON_PEER) },
  async () => {
    using fds = new Fds();
    const { child, conn: accepted } = acceptStarted((port, token) =>
      python(
        `import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.argv[2].encode())
data = bytes((i * 7 + 3) & 0xff for i in range(300000))
s.sendall(data); s.shutdown(socket.SHUT_WR)
back = b""
while True:
    b = s.recv(65536)
    if not b: break
    back += b
assert back == data[::-1], "reply differs"
print("ok")`,
        [port, token],
      )
    );
    const conn = fds.sock(accepted);
    const peer = conn.getpeername();
    assert.equal((peer as [string, number])[0], "127.0.0.1");
    const got = recvAll(conn);
    const expected = new Uint8Array(300000).map((_, i) => (i * 7 + 3) & 0xff);
    assertSameBytes(got, expected);
    conn.sendall(got.slice().reverse());
    conn.close();
    const r = await child;
    assert.equal(r.stdout.trim(), "ok", r.stderr);
  },
);

test("socket.Socket.connectEx() returns EINPROGRESS, then EVENT_WRITE and SO_ERROR 0", () => {
  using fds = new Fds();
  const server = fds.sock(socket.createServer(["127.0.0.1", 0]));
  const s = fds.sock(new socket.Socket());
  s.setBlocking(false);
  const err = s.connectEx(server.getsockname());
  // On Windows too: Winsock's WSAEWOULDBLOCK for it comes back as EINPROGRESS.
  assert.ok(err === 0 || err === ERRNO.EINPROGRESS, `errno ${err}`);
  using sel = new DefaultSelector();
  sel.register(s, EVENT_WRITE);
  assert.equal(sel.select(2).length, 1);
  assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), 0);
});

test("socket.Socket.connect() to a closed port throws ConnectionRefusedError; connectEx() returns it", () => {
  using fds = new Fds();
  const probe = fds.sock(socket.createServer(["127.0.0.1", 0]));
  const addr = probe.getsockname() as [string, number];
  probe.close(); // the port is now closed
  const s = fds.sock(new socket.Socket());
  assert.throws(
    () => s.connect(addr),
    (e: unknown) => e instanceof ConnectionRefusedError && e.code === "ECONNREFUSED",
  );
  const s2 = fds.sock(new socket.Socket());
  assert.equal(s2.connectEx(addr), ERRNO.ECONNREFUSED);
  assert.throws(() => socket.createConnection(addr, 1), ConnectionRefusedError);
});

test("socket.Socket.setTimeout() makes recv throw TimeoutError after the timeout", () => {
  using fds = new Fds();
  const [a] = fds.pair();
  assert.equal(a.getTimeout(), null);
  a.setTimeout(0.2);
  assert.equal(a.getTimeout(), 0.2);
  assert.equal(a.getBlocking(), true);
  assert.equal(os.getBlocking(a.fileno()), false, "the fd itself is non-blocking in timeout mode");
  const t0 = now();
  assert.throws(() => a.recv(10), (e: unknown) => e instanceof TimeoutError && /timed out/.test(e.message));
  const dt = now() - t0;
  assert.ok(dt >= 0.19 && dt < 1.0, `took ${dt}`);
  assert.throws(() => a.setTimeout(-1), RangeError);
  assert.throws(() => a.setTimeout(NaN), RangeError);
});

test(
  "socket.Socket in timeout mode still returns data that arrives in time",
  { skip: unixOnly(PYTHON_PEER) },
  async () => {
    using fds = new Fds();
    // The peer sends only when told, right before recv() waits: no sleep on either side.
    const { child, conn: accepted } = acceptStarted((port, token) =>
      python(
        "import socket, sys\ns = socket.create_connection(('127.0.0.1', int(sys.argv[1])))\n" +
          "s.sendall(sys.argv[2].encode())\nassert s.recv(2) == b'go'\ns.sendall(b'late')\ns.recv(1)",
        [port, token],
      ), 5);
    const conn = fds.sock(accepted);
    conn.setTimeout(3);
    conn.sendall(bytes("go"));
    assert.equal(text(conn.recv(10)), "late");
    conn.close(); // the peer waits for it
    assert.equal((await child).code, 0);
  },
);

test("socket.Socket.setBlocking(false) makes recv and accept throw BlockingIOError", () => {
  using fds = new Fds();
  const [a] = fds.pair();
  a.setBlocking(false);
  assert.equal(a.getBlocking(), false);
  assert.equal(a.getTimeout(), 0);
  assert.throws(() => a.recv(10), (e: unknown) => e instanceof BlockingIOError && e.code === "EAGAIN");
  const server = fds.sock(socket.createServer(["127.0.0.1", 0]));
  server.setBlocking(false);
  assert.throws(() => server.accept(), BlockingIOError);
  a.setBlocking(true);
  assert.equal(a.getTimeout(), null);
  assert.equal(os.getBlocking(a.fileno()), true);
});

test("socket.Socket.send() to a closed peer throws BrokenPipeError and the process lives", () => {
  using fds = new Fds();
  const [a, b] = fds.pair();
  b.close();
  assert.throws(() => {
    for (let i = 0; i < 3; i++) a.send(bytes("x"));
  }, (e: unknown) => e instanceof BrokenPipeError || e instanceof ConnectionResetError);
  assert.throws(() => a.sendall(bytes("more")), OSError);
});

test("socket.Socket.recv() after the peer resets (RST) throws ConnectionResetError", async () => {
  using fds = new Fds();
  const server = fds.sock(socket.createServer(["127.0.0.1", 0]));
  const [, port] = server.getsockname() as [string, number];
  const token = makeToken();
  // Windows: the resetting peer is a socket of ours (Python cannot run there):
  // unread data and a zero linger (two u_shorts there) make close() send RST.
  const child = WINDOWS ? Promise.resolve({ code: 0 }) : python(
    `import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.argv[2].encode())
assert s.recv(2) == b"go"
s.sendall(b"unread")  # unread data plus linger 0 makes close send RST
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()`,
    [String(port), token],
  );
  const client = WINDOWS ? socket.createConnection(["127.0.0.1", port]) : null;
  client?.sendall(bytes(token));
  const conn = fds.sock(acceptPeer(server, token));
  conn.sendall(bytes("go"));
  if (client) {
    client.sendall(bytes("unread"));
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, new Uint8Array([1, 0, 0, 0]));
    client.close();
  }
  assert.equal((await child).code, 0);
  // The child has exited, so its RST is sent; the socket is readable once it lands.
  using sel = new DefaultSelector();
  sel.register(conn, EVENT_READ);
  assert.equal(sel.select(10).length, 1);
  assert.throws(() => {
    for (;;) if (conn.recv(1).length === 0) break;
  }, (e: unknown) => e instanceof ConnectionResetError && e.code === "ECONNRESET");
});

test("socket.Socket.shutdown(SHUT_WR) gives the peer EOF", () => {
  using fds = new Fds();
  const [a, b] = fds.pair();
  a.sendall(bytes("last"));
  a.shutdown(socket.SHUT_WR);
  assert.equal(text(recvAll(b)), "last");
  b.sendall(bytes("reply"));
  assert.equal(text(a.recv(10)), "reply");
});

test("socket.Socket.recvInto() fills a caller's buffer and checks nbytes", () => {
  using fds = new Fds();
  const [a, b] = fds.pair();
  b.sendall(bytes("abcdef"));
  const buf = new Uint8Array(4);
  assert.equal(a.recvInto(buf), 4);
  assert.equal(text(buf), "abcd");
  assert.equal(a.recvInto(buf, 1), 1);
  assert.equal(text(buf.subarray(0, 1)), "e");
  assert.throws(() => a.recvInto(buf, 5), RangeError);
  assert.throws(() => a.recvInto("x" as unknown as Uint8Array), TypeError);
  assert.equal(a.recv(10, socket.MSG_PEEK).length, 1);
  assert.equal(text(a.recv(10)), "f");
});

test("socket.Socket options round-trip through setsockopt and getsockopt", () => {
  using s = new socket.Socket();
  assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), socket.SOCK_STREAM);
  s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  assert.notEqual(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR), 0);
  s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, true);
  assert.notEqual(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 0);
  s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, false);
  assert.equal(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 0);
  // struct linger: two ints; on Windows two u_shorts.
  const width = WINDOWS ? 2 : 4;
  const linger = (bytes: Uint8Array): number[] => {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return width === 2
      ? [v.getUint16(0, true), v.getUint16(2, true)]
      : [v.getInt32(0, true), v.getInt32(4, true)];
  };
  const raw = s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8) as Uint8Array;
  assert.equal(raw.length, 2 * width);
  const on = new Uint8Array(2 * width);
  on[0] = 1;
  on[width] = 5;
  s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, on);
  assert.deepEqual(linger(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8) as Uint8Array), [1, 5]);
  // An unknown level: Winsock says WSAEINVAL (CPython's WinError 10022 there).
  assert.throws(() => s.setsockopt(999, 999, 1), isOSError(WINDOWS ? "EINVAL" : "ENOPROTOOPT", "setsockopt"));
});

test("socket.Socket.getsockopt() with buflen 0 returns the int, as CPython's default buflen=0 does", {
  skip: unixOnly(PYTHON_PEER),
}, async () => {
  using s = new socket.Socket();
  s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536);
  const want = s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF);
  assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 0), want);
  assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 0), socket.SOCK_STREAM);
  assert.equal((s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 4) as Uint8Array).length, 4);
  assert.equal((s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 1024) as Uint8Array).length, 8);
  assert.throws(() => s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 1025), RangeError);
  assert.throws(() => s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, -1), RangeError);
  // Python, on the same option of its own socket: an int for 0, the same bytes count for 4.
  const r = await python(`import socket
s = socket.socket(); print(type(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 0)).__name__, len(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 4)))`);
  assert.equal(r.stdout.trim(), "int 4", r.stderr);
});

test("socket.Socket fds are close-on-exec, including accepted ones and pairs", () => {
  using fds = new Fds();
  const server = fds.sock(socket.createServer(["127.0.0.1", 0]));
  const client = fds.sock(socket.createConnection(server.getsockname() as [string, number]));
  const [conn] = server.accept();
  fds.sock(conn);
  const [a, b] = fds.pair();
  for (const s of [server, client, conn, a, b]) assert.equal(os.getInheritable(s.fileno()), false);
});

test("socket.Socket.close() is idempotent and later calls throw EBADF", () => {
  const s = new socket.Socket();
  const fd = s.fileno();
  assert.ok(fd >= 0);
  s.close();
  s.close();
  assert.equal(s.fileno(), -1);
  assert.throws(() => s.recv(1), isOSError("EBADF"));
  assert.throws(() => s.bind(["127.0.0.1", 0]), isOSError("EBADF"));
  assert.throws(() => os.getInheritable(fd), isOSError(CLOSED_FD), "the fd is really closed");
  let inner: socket.Socket;
  {
    using t = new socket.Socket();
    inner = t;
  }
  assert.equal(inner.fileno(), -1, "using closes it");
});

test("socket.Socket.detach() hands over the fd without closing it", () => {
  const [a, b] = socket.socketpair();
  const fd = a.detach();
  assert.equal(a.fileno(), -1);
  a.close(); // no effect on the detached fd
  os.write(fd, bytes("still open"));
  assert.equal(text(b.recv(64)), "still open");
  os.close(fd);
  b.close();
});

test("socket.createServer() and createConnection() work over IPv6 loopback with 4-tuples", {
  skip: HAS_V6 ? undefined : "no ::1 here",
}, async () => {
  using fds = new Fds();
  const server = fds.sock(socket.createServer(["::1", 0], { family: socket.AF_INET6 }));
  const addr = server.getsockname() as [string, number, number, number];
  assert.equal(addr.length, 4);
  assert.equal(addr[0], "::1");
  const token = makeToken();
  // Windows: the client is a socket of ours (Python cannot run there).
  const client = WINDOWS ? fds.sock(socket.createConnection(["::1", addr[1]])) : null;
  client?.sendall(bytes(`${token}v6 hello`));
  const child = client ? null : python(
    "import socket, sys\ns = socket.create_connection(('::1', int(sys.argv[1])))\n" +
      "s.sendall(sys.argv[2].encode() + b'v6 hello')\nprint(s.recv(100).decode())",
    [String(addr[1]), token],
  );
  const conn = fds.sock(acceptPeer(server, token));
  const peer = conn.getpeername();
  assert.equal((peer as readonly unknown[]).length, 4);
  assert.equal((peer as readonly string[])[0], "::1");
  assert.equal(text(conn.recv(100)), "v6 hello");
  conn.sendall(bytes("v6 reply"));
  if (client) assert.equal(text(client.recv(100)), "v6 reply");
  else assert.equal((await child!).stdout.trim(), "v6 reply");
  const c = fds.sock(socket.createConnection(["::1", addr[1]]));
  assert.equal(c.family, socket.AF_INET6);
});

test("socket.Socket UDP sendto() and recvfrom() exchange datagrams with sender addresses", {
  skip: unixOnly(PYTHON_PEER),
}, async () => {
  using fds = new Fds();
  const a = fds.sock(new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM));
  const b = fds.sock(new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM));
  a.bind(["127.0.0.1", 0]);
  b.bind(["127.0.0.1", 0]);
  assert.equal(b.sendto(bytes("dgram"), a.getsockname()), 5);
  const [data, from] = a.recvfrom(100);
  assert.equal(text(data), "dgram");
  assert.deepEqual(from, b.getsockname());
  assert.equal(a.sendto(bytes("flags"), 0, from!), 5);
  assert.equal(text(b.recvfrom(100)[0]), "flags");
  // A Python peer echoes one datagram back.
  const child = python(
    "import socket, sys\nu = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nu.sendto(b'from python', ('127.0.0.1', int(sys.argv[1])))\nd, addr = u.recvfrom(100)\nprint(d.decode())",
    [String((a.getsockname() as [string, number])[1])],
  );
  a.setTimeout(5);
  const [pd, paddr] = a.recvfrom(100);
  assert.equal(text(pd), "from python");
  a.sendto(bytes("echo to python"), paddr!);
  assert.equal((await child).stdout.trim(), "echo to python");
});

test("socket.Socket AF_UNIX binds a path, connects, and reports the path", {
  skip: notUnderWine(NO_AF_UNIX),
}, () => {
  using fds = new Fds();
  const dir = scratchDir("ffi-sel-");
  const path = join(dir, "sock");
  const server = fds.sock(new socket.Socket(socket.AF_UNIX, socket.SOCK_STREAM));
  server.bind(path);
  server.listen();
  assert.equal(server.getsockname(), path);
  const client = fds.sock(new socket.Socket(socket.AF_UNIX, socket.SOCK_STREAM));
  client.connect(path);
  const [conn, peer] = server.accept();
  fds.sock(conn);
  assert.equal(peer, "");
  client.sendall(bytes("over unix"));
  assert.equal(text(conn.recv(64)), "over unix");
  assert.equal(client.getpeername(), path);
});

test("socket.Socket AF_UNIX accepts a Linux abstract name", {
  skip: OS !== "linux" ? "Linux only" : undefined,
}, () => {
  using fds = new Fds();
  const name = `\0ffi-selectors-${os.getpid()}-${Math.random().toString(36).slice(2)}`;
  const server = fds.sock(new socket.Socket(socket.AF_UNIX));
  server.bind(name);
  server.listen();
  assert.equal(server.getsockname(), name);
  const client = fds.sock(new socket.Socket(socket.AF_UNIX));
  client.connect(name);
  fds.sock(server.accept()[0]);
});

test('socket.Socket AF_UNIX bind("") autobinds (Linux) and a Python peer connects to the name', {
  skip: OS !== "linux" ? "autobind is Linux's" : undefined,
}, async () => {
  using fds = new Fds();
  const server = fds.sock(new socket.Socket(socket.AF_UNIX));
  server.bind("");
  server.listen();
  const name = server.getsockname() as string;
  assert.match(
    name,
    /^\0[0-9a-f]{5}$/,
    "the kernel's abstract name: NUL and five hex digits, as CPython reports",
  );
  const token = makeToken();
  const py = python(
    `import socket, sys
c = socket.socket(socket.AF_UNIX); c.connect(b"\\0" + sys.argv[1].encode()); c.sendall(sys.argv[2].encode()); c.close()`,
    [name.slice(1), token],
  );
  const [conn] = server.accept();
  fds.sock(conn);
  let got = "";
  for (let d = conn.recv(64); d.length; d = conn.recv(64)) got += text(d);
  assert.equal(got, token);
  assert.equal((await py).code, 0);
});

test(
  "socket.Socket AF_UNIX abstract names use all 108 bytes of sun_path, with a Python peer; 109 is refused",
  {
    skip: OS !== "linux" ? "abstract names are Linux's" : undefined,
  },
  async () => {
    using fds = new Fds();
    const base = `ffi-selectors-${os.getpid()}-${makeToken()}-`;
    const name = `\0${base.padEnd(107, "x")}`;
    assert.equal(name.length, 108);
    const server = fds.sock(new socket.Socket(socket.AF_UNIX));
    server.bind(name);
    server.listen();
    assert.equal(server.getsockname(), name);
    const py = python(
      `import socket, sys
c = socket.socket(socket.AF_UNIX); c.connect(b"\\0" + sys.argv[1].encode()); print(c.getpeername() == b"\\0" + sys.argv[1].encode()); c.close()`,
      [name.slice(1)],
    );
    fds.sock(server.accept()[0]);
    const r = await py;
    assert.equal(r.stdout.trim(), "True", r.stderr);
    using long = new socket.Socket(socket.AF_UNIX);
    assert.throws(() => long.bind(`${name}y`), RangeError);
    assert.throws(
      () => long.bind("/tmp/" + "p".repeat(103)),
      RangeError,
      "a path (108 bytes with its NUL) is one too long",
    );
  },
);

test("socket.socketpair() gives two connected sockets, both ways", () => {
  const [a, b] = socket.socketpair();
  try {
    a.sendall(bytes("ab"));
    b.sendall(bytes("ba"));
    assert.equal(text(b.recv(10)), "ab");
    assert.equal(text(a.recv(10)), "ba");
    // Windows: a loopback TCP pair, as CPython's socketpair() is there.
    assert.equal(a.family, WINDOWS ? socket.AF_INET : socket.AF_UNIX);
  } finally {
    a.close();
    b.close();
  }
  if (WINDOWS) return; // no datagram pairs there
  const [d1, d2] = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
  d1.send(bytes("one"));
  d1.send(bytes("two"));
  assert.equal(text(d2.recv(100)), "one", "datagram boundaries kept");
  d1.close();
  d2.close();
});

test("socket addresses of the wrong shape or range throw TypeError/RangeError and leak no fd", () => {
  const before = openFdCount();
  using s = new socket.Socket();
  const bad: Array<[unknown, ErrorConstructor]> = [
    [["127.0.0.1", -1], RangeError],
    [["127.0.0.1", 65536], RangeError],
    [["127.0.0.1", 1.5], RangeError],
    [["127.0.0.1", "80"], TypeError],
    [[127, 80], TypeError],
    [["127.0.0.1"], TypeError],
    [["127.0.0.1", 80, 0], TypeError],
    ["127.0.0.1:80", TypeError],
    [null, TypeError],
  ];
  for (const [address, cls] of bad) {
    assert.throws(() => s.bind(address as socket.Address), cls, JSON.stringify(address));
    assert.throws(() => s.connect(address as socket.Address), cls);
    assert.throws(() => socket.createServer(address as socket.Address), cls);
  }
  assert.throws(() => socket.createConnection(["127.0.0.1", 70000]), RangeError);
  assert.throws(() => socket.createConnection("x" as unknown as [string, number]), TypeError);
  // Under Wine no AF_UNIX socket can be made; its address checks come first all the same.
  using u = new socket.Socket(WINE ? socket.AF_INET : socket.AF_UNIX);
  if (!WINE) {
    assert.throws(() => u.bind(["/tmp/x", 1] as unknown as string), TypeError);
    assert.throws(() => u.bind("/tmp/" + "x".repeat(200)), RangeError);
    assert.throws(() => u.bind("/tmp/a\0b"), TypeError);
  }
  assert.throws(() => new socket.Socket(1.5), RangeError);
  assert.throws(() => new socket.Socket(socket.AF_INET, socket.SOCK_STREAM, 0, -3), RangeError);
  s.close();
  u.close();
  // No fd leaked: never more than before. (Fewer happens under Bun: a Python
  // peer of an earlier test has its pipes closed by the runtime meanwhile.)
  assert.ok(openFdCount() <= before, `${openFdCount()} fds open, ${before} before`);
});

test("socket.getaddrinfo() resolves localhost and numeric hosts", () => {
  const local = socket.getaddrinfo("localhost", 80, socket.AF_INET, socket.SOCK_STREAM);
  assert.ok(local.length >= 1);
  // Windows' getaddrinfo leaves the protocol 0 when the hints do.
  const proto = WINDOWS && local[0]![2] === 0 ? 0 : socket.IPPROTO_TCP;
  assert.deepEqual(local[0]!.slice(0, 3), [socket.AF_INET, socket.SOCK_STREAM, proto]);
  assert.deepEqual(local[0]![4], ["127.0.0.1", 80]);
  const numeric = socket.getaddrinfo("10.1.2.3", "443", 0, socket.SOCK_DGRAM, 0, socket.AI_NUMERICHOST);
  assert.deepEqual(numeric[0]![4], ["10.1.2.3", 443]);
  if (HAS_V6) {
    const v6 = socket.getaddrinfo("::1", 22, socket.AF_INET6, socket.SOCK_STREAM);
    assert.deepEqual(v6[0]![4], ["::1", 22, 0, 0]);
  }
  const passive = socket.getaddrinfo(null, 0, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_PASSIVE);
  assert.deepEqual(passive[0]![4], ["0.0.0.0", 0]);
  assert.throws(() => socket.getaddrinfo("x\0y", 80), TypeError);
  assert.throws(() => socket.getaddrinfo("localhost", 99999), RangeError);
});

test(
  "socket.getaddrinfo() of a name that does not resolve throws GaiError EAI_NONAME (a resolver on loopback)",
  {
    skip: localResolverUnavailable(),
  },
  () =>
    withLocalResolver(async (prefix) => {
      const [cmd, argv] = runtimeCommand(here("fixtures/getaddrinfo_error.ts"), [
        "no-such-host.invalid",
      ]);
      const [c, ...a] = [...prefix, cmd, ...argv] as [string, ...string[]];
      const r = await run(c, a);
      assert.deepEqual(
        JSON.parse(r.stdout),
        { gaierror: true, name: "gaierror", code: "EAI_NONAME", syscall: "getaddrinfo" }, // Python prints "gaierror"
        r.stderr,
      );
    }),
);

test(
  "socket.Socket.close() leaves alone its number once closed behind its back (os.close, os.dup2) and reused",
  {
    skip: unixOnly("Windows hands out handle values in no set order and has no dup2()"),
  },
  () => {
    using fds = new Fds();
    // os.close(), then a pipe takes the number.
    const s = new socket.Socket();
    const n = s.fileno();
    os.close(n);
    const [r, w] = fds.pipe();
    assert.ok(r === n || w === n, "the pipe got the socket's number");
    s.close();
    assert.equal(s.fileno(), -1);
    assert.equal(os.write(w, bytes("x")), 1, "the pipe is still open");
    assert.equal(text(os.read(r, 1)), "x");
    // os.dup2() onto the socket's number: that number is the pipe's now.
    const d = new socket.Socket();
    const [pr, pw] = fds.pipe();
    const m = fds.fd(os.dup2(pr, d.fileno(), false));
    d.close();
    assert.equal(os.write(pw, bytes("y")), 1);
    assert.equal(text(os.read(m, 1)), "y", "the dup2'd number is still open");
    // detach(): the number is the caller's, and close() after it is a no-op.
    const t = new socket.Socket();
    const fd = fds.fd(t.detach());
    t.close();
    assert.equal(os.getInheritable(fd), false, "still open after close() of the detached socket");
  },
);

test("socket.Socket.bind() to an address in use throws EADDRINUSE", () => {
  using fds = new Fds();
  const a = fds.sock(socket.createServer(["127.0.0.1", 0]));
  const b = fds.sock(new socket.Socket());
  assert.throws(() => b.bind(a.getsockname()), isOSError("EADDRINUSE", "bind"));
});

test("socket.Socket.sendall() in timeout mode throws TimeoutError when the peer never reads", {
  skip: notUnderWine(
    "its non-blocking send() takes 64 MiB for a peer that never reads, where Windows' buffers fill",
  ),
}, () => {
  using fds = new Fds();
  const [a] = fds.pair();
  a.setTimeout(0.2);
  const t0 = now();
  assert.throws(() => a.sendall(new Uint8Array(64 << 20)), TimeoutError);
  assert.ok(now() - t0 < 2);
});

test("socket.Socket wraps an fd it is given", () => {
  const [a, b] = socket.socketpair();
  // Windows has no dup() for sockets: the socket hands its own handle over instead.
  const fd = WINDOWS ? a.detach() : os.dup(a.fileno());
  const wrapped = new socket.Socket(a.family, socket.SOCK_STREAM, 0, fd);
  wrapped.sendall(bytes("via dup"));
  assert.equal(text(b.recv(100)), "via dup");
  for (const s of [a, b, wrapped]) s.close();
});

test("socket.createServer() sets SO_REUSEADDR on POSIX only, and reusePort where the OS has SO_REUSEPORT", () => {
  using s = socket.createServer(["127.0.0.1", 0]);
  // Windows: SO_REUSEADDR would let another socket take the port (CPython leaves it off there too).
  assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) !== 0, !WINDOWS);
  if (socket.SO_REUSEPORT === 0) {
    assert.throws(() => socket.createServer(["127.0.0.1", 0], { reusePort: true }), RangeError);
  } else {
    using r = socket.createServer(["127.0.0.1", 0], { reusePort: true });
    assert.notEqual(r.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT), 0);
  }
});
