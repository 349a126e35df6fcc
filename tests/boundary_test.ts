/**
 * The FFI boundary trusts nothing a caller's object says: forged lengths and
 * offsets never reach C (canary bytes around every view), any finite socket
 * timeout waits asleep, backend names are looked up safely, re-entrant
 * `fileno()` cannot leave a key on a closed selector, and dropped objects give
 * their fds back at GC.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { EMULATED } from "./_budget.ts";
import { test, WINDOWS } from "./_test.ts";
import { DefaultSelector, os, socket } from "../mod.ts";
import { OS } from "../ffi/_host.ts";
import {
  acceptPeer,
  assertSameBytes,
  bytes,
  Fds,
  firstLine,
  here,
  makeToken,
  netPeer,
  run,
  runFixture,
  RUNTIME,
  runtimeCommand,
  text,
} from "./_helpers.ts";

const CANARY = 0xa5;

/** A 16-byte view in the middle of a 64-byte buffer full of canary bytes. */
function framed(): { whole: Uint8Array; view: Uint8Array } {
  const whole = new Uint8Array(64).fill(CANARY);
  return { whole, view: whole.subarray(16, 32) };
}

function assertCanaries(whole: Uint8Array, from: number, to: number): void {
  for (let i = 0; i < whole.length; i++) {
    if ((i < from || i >= to) && whole[i] !== CANARY) {
      throw new Error(
        `byte ${i} outside the view [${from}, ${to}) was written (0x${whole[i]!.toString(16)})`,
      );
    }
  }
}

class LyingView extends Uint8Array {
  override get byteLength(): number {
    return 1 << 20;
  }
  override get length(): number {
    return 1 << 20;
  }
  override get byteOffset(): number {
    return 0;
  }
}

/** Ways a view can lie about itself; each maps to the bytes C must see. */
function liars(): Array<[string, () => { whole: Uint8Array; view: Uint8Array }]> {
  const own = (props: Record<string, unknown>) => () => {
    const f = framed();
    for (const [k, v] of Object.entries(props)) Object.defineProperty(f.view, k, { value: v });
    return f;
  };
  return [
    ["own byteLength larger", own({ byteLength: 65536, length: 65536 })],
    ["own byteLength smaller", own({ byteLength: 4, length: 4 })],
    [
      "own byteOffset, buffer and subarray",
      own({
        byteOffset: 0,
        buffer: new ArrayBuffer(1 << 16),
        subarray: () => new Uint8Array(1 << 16),
      }),
    ],
    ["a subclass getter", () => {
      const whole = new Uint8Array(64).fill(CANARY);
      return { whole, view: new LyingView(whole.buffer, 16, 16) };
    }],
  ];
}

test("Socket.recvInto() never writes past a view whose length is forged, either way", () => {
  using fds = new Fds();
  for (const [how, make] of liars()) {
    const [a, b] = fds.pair();
    b.sendall(new Uint8Array(4096).fill(1));
    const { whole, view } = make();
    const n = a.recvInto(view);
    assert.equal(n, 16, `${how}: the true length is 16`);
    assertCanaries(whole, 16, 32);
    assert.ok(whole.subarray(16, 32).every((x) => x === 1), how);
    a.close();
    b.close();
  }
});

test("Socket.recvInto() with nbytes is checked against the true length, not the forged one", () => {
  using fds = new Fds();
  const [a, b] = fds.pair();
  b.sendall(new Uint8Array(4096));
  const { whole, view } = framed();
  Object.defineProperty(view, "byteLength", { value: 4096 });
  assert.throws(() => a.recvInto(view, 4096), RangeError);
  assert.equal(a.recvInto(view, 8), 8);
  assertCanaries(whole, 16, 24);
});

/** Sends a view through `send` and returns exactly what the peer got. */
function sentBytes(sendWith: (view: Uint8Array, peer: socket.Socket) => void, view: Uint8Array): Uint8Array {
  const [a, b] = socket.socketpair();
  try {
    sendWith(view, a);
    a.shutdown(socket.SHUT_WR);
    const chunks: Uint8Array[] = [];
    for (let c = b.recv(1 << 20); c.length > 0; c = b.recv(1 << 20)) chunks.push(c);
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  } finally {
    a.close();
    b.close();
  }
}

test("send(), sendall() and os.write() send exactly the view's bytes whatever it claims", () => {
  const senders: Array<[string, (view: Uint8Array, s: socket.Socket) => void]> = [
    ["send", (v, s) => void s.send(v)],
    ["sendall", (v, s) => s.sendall(v)],
    ["os.write", (v, s) => void os.write(s.fileno(), v)],
  ];
  for (const [name, sendWith] of senders) {
    for (const [how, make] of liars()) {
      const { whole, view } = make();
      whole.subarray(16, 32).forEach((_, i, a) => a[i] = i + 1);
      const got = sentBytes(sendWith, view);
      assertSameBytes(got, whole.slice(16, 32), `${name} with ${how}`);
    }
  }
});

test("sendto() sends exactly the view's bytes whatever it claims", () => {
  using fds = new Fds();
  const rx = fds.sock(new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM));
  rx.bind(["127.0.0.1", 0]);
  rx.setTimeout(5);
  const tx = fds.sock(new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM));
  for (const [how, make] of liars()) {
    const { whole, view } = make();
    whole.subarray(16, 32).fill(9);
    tx.sendto(view, rx.getsockname());
    const [got] = rx.recvfrom(1 << 16);
    assertSameBytes(got, whole.slice(16, 32), how);
  }
});

test("setsockopt() passes the true length of a buffer value", {
  skip: OS !== "linux" ? "uses TCP_CONGESTION" : undefined,
}, () => {
  const TCP_CONGESTION = 13;
  using s = new socket.Socket();
  // "reno" followed by bytes that would make an unknown algorithm name if a forged length reached the kernel.
  const whole = bytes("renoXXXXXXXXXXXXXXXX");
  const view = whole.subarray(0, 4);
  Object.defineProperty(view, "byteLength", { value: 16 });
  s.setsockopt(socket.IPPROTO_TCP, TCP_CONGESTION, view);
  const name = s.getsockopt(socket.IPPROTO_TCP, TCP_CONGESTION, 16) as Uint8Array;
  assert.equal(text(name).replace(/\0.*$/s, ""), "reno");
});

test("every kind of bytes is measured by the engine: DataView, Float64Array, ArrayBuffer, shared", () => {
  const base = new Uint8Array(32).map((_, i) => i);
  const cases: Array<[string, ArrayBufferView | ArrayBuffer, Uint8Array]> = [
    ["DataView", new DataView(base.buffer, 4, 6), base.slice(4, 10)],
    ["Float64Array", new Float64Array(base.buffer, 8, 2), base.slice(8, 24)],
    ["ArrayBuffer", base.slice(0, 5).buffer, base.slice(0, 5)],
  ];
  const dv = new DataView(base.buffer, 4, 6);
  Object.defineProperty(dv, "byteLength", { value: 32 });
  cases.push(["DataView with forged byteLength", dv, base.slice(4, 10)]);
  const shared = new SharedArrayBuffer(8);
  new Uint8Array(shared).set([1, 2, 3, 4, 5, 6, 7, 8]);
  cases.push([
    "SharedArrayBuffer",
    shared as unknown as ArrayBuffer,
    new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]),
  ]);
  using fds = new Fds();
  const [r, w] = fds.pipe();
  for (const [how, data, want] of cases) {
    assert.equal(os.write(w, data), want.length, how);
    assertSameBytes(os.read(r, 64), want, how);
  }
});

test("a view's prototype does not change how it is measured: a typed array dressed as a DataView and back", () => {
  const base = new Uint8Array(32).map((_, i) => i);
  const dressedArray = new Uint16Array(base.buffer, 2, 3); // 6 bytes, whatever its prototype says
  Object.setPrototypeOf(dressedArray, DataView.prototype);
  const dressedView = new DataView(base.buffer, 8, 5);
  Object.setPrototypeOf(dressedView, Uint8Array.prototype);
  const emptyDressed = new Uint8Array(base.buffer, 32, 0);
  Object.setPrototypeOf(emptyDressed, DataView.prototype);
  using fds = new Fds();
  const [r, w] = fds.pipe();
  assert.equal(os.write(w, dressedArray), 6, "a Uint16Array with DataView's prototype");
  assertSameBytes(os.read(r, 64), base.slice(2, 8), "a Uint16Array with DataView's prototype");
  assert.equal(os.write(w, dressedView), 5, "a DataView with Uint8Array's prototype");
  assertSameBytes(os.read(r, 64), base.slice(8, 13), "a DataView with Uint8Array's prototype");
  assert.equal(os.write(w, emptyDressed), 0, "an empty typed array dressed as a DataView writes nothing");
});

test("a length-tracking view of a shrunk resizable buffer is measured by the engine", {
  skip: EMULATED && RUNTIME === "bun"
    ? "Bun (JavaScriptCore) aborts on a resizable ArrayBuffer under qemu-user (mprotect: ENOMEM), an emulator limit"
    : undefined,
}, () => {
  const resizable =
    new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(
      16,
      { maxByteLength: 64 },
    );
  const tracking = new Uint8Array(resizable).fill(3);
  (resizable as unknown as { resize(n: number): void }).resize(4);
  using fds = new Fds();
  const [r, w] = fds.pipe();
  assert.equal(os.write(w, tracking), 4);
  assertSameBytes(os.read(r, 64), new Uint8Array([3, 3, 3, 3]), "shrunk resizable buffer");
});

/** A resizable ArrayBuffer of `n` bytes that can grow to 64. */
function resizableBuffer(n: number): ArrayBuffer & { resize(n: number): void } {
  return new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(n, {
    maxByteLength: 64,
  }) as ArrayBuffer & { resize(n: number): void };
}

/** Views that a shrink of their resizable buffer from 32 to 4 bytes leaves out of bounds. */
function outOfBoundsViews(): Array<[string, ArrayBufferView]> {
  const views: Array<[string, () => ArrayBufferView]> = [
    ["fixed Uint8Array", () => new Uint8Array(resizable(), 8, 8)],
    ["length-tracking Uint8Array past the end", () => new Uint8Array(resizable(), 8)],
    ["fixed Uint32Array", () => new Uint32Array(resizable(), 0, 4)],
    ["fixed Float64Array", () => new Float64Array(resizable(), 8, 2)],
    ["fixed DataView", () => new DataView(resizable(), 0, 16)],
    ["length-tracking DataView past the end", () => new DataView(resizable(), 8)],
  ];
  let buffer: ReturnType<typeof resizableBuffer>;
  function resizable(): ArrayBuffer {
    return buffer = resizableBuffer(32);
  }
  return views.map(([how, make]) => {
    const view = make();
    buffer.resize(4);
    return [how, view];
  });
}

const RESIZABLE_SKIP = EMULATED && RUNTIME === "bun"
  ? "Bun (JavaScriptCore) aborts on a resizable ArrayBuffer under qemu-user (mprotect: ENOMEM), an emulator limit"
  : undefined;

test(
  "Socket.recvInto() into a view a resizable buffer's shrink left out of bounds throws, never a false EOF",
  {
    skip: RESIZABLE_SKIP,
  },
  () => {
    using fds = new Fds();
    const [a, b] = fds.pair();
    b.send(bytes("pending"));
    for (const [how, view] of outOfBoundsViews()) {
      assert.throws(
        () => a.recvInto(view),
        (e: unknown) => e instanceof TypeError && /out of bounds/.test(e.message),
        how,
      );
      assert.throws(() => a.recvInto(view, 4), TypeError, `${how}, nbytes 4`);
    }
    a.setBlocking(false);
    assert.equal(text(a.recv(64)), "pending", "the bytes are still there for the next read");
  },
);

test("a view measured before is measured again after its buffer shrinks, grows or is detached", {
  skip: RESIZABLE_SKIP,
}, () => {
  // A loop passes the same views again and again (Bun's measure remembers the last two): a change
  // of the buffer behind one must change what reaches C, on every path.
  using fds = new Fds();
  const [r, w] = fds.pipe();
  const [a, b] = fds.pair();
  const buffer = resizableBuffer(16);
  const tracking = new Uint8Array(buffer).fill(7); // length-tracking
  const words = new Uint32Array(resizableBuffer(32), 8, 4); // fixed: 16 bytes from byte 8
  const plain = new Uint8Array(8).fill(1);
  for (let i = 0; i < 3; i++) {
    for (const view of [tracking, words, plain]) {
      assert.equal(os.write(w, view), view.byteLength);
      assert.equal(os.read(r, 128).length, view.byteLength);
    }
  }
  buffer.resize(4);
  assert.equal(os.write(w, tracking), 4, "a length-tracking view after a shrink");
  assertSameBytes(os.read(r, 128), new Uint8Array(4).fill(7), "a length-tracking view after a shrink");
  b.send(new Uint8Array(16).fill(9));
  assert.equal(a.recvInto(tracking), 4, "recvInto() into it takes only what fits now");
  buffer.resize(40);
  assert.equal(os.write(w, tracking), 40, "a length-tracking view after growing");
  assertSameBytes(os.read(r, 128), new Uint8Array(40).fill(9, 0, 4), "a length-tracking view after growing");
  (words.buffer as ArrayBuffer & { resize(n: number): void }).resize(16);
  assert.throws(
    () => os.write(w, words),
    /out of bounds/,
    "a fixed view its buffer's shrink left out of bounds",
  );
  assert.throws(() => a.recvInto(words), /out of bounds/, "recvInto() into it");
  structuredClone(plain.buffer, { transfer: [plain.buffer] });
  assert.throws(() => os.write(w, plain), /detached/, "a view of a detached buffer");
  assert.throws(() => a.send(plain), /detached/, "send() of it");
  assert.throws(() => a.recvInto(plain), /detached/, "recvInto() into it");
  a.setBlocking(false);
  assert.equal(a.recv(64).length, 12, "the rest of the 16 bytes is still there");
});

test("Socket.recvInto() into a buffer that holds no byte throws RangeError: 0 means end of file only", () => {
  using fds = new Fds();
  const [a, b] = fds.pair();
  b.send(bytes("pending"));
  const empties: Array<[string, ArrayBufferView | ArrayBuffer]> = [
    ["Uint8Array(0)", new Uint8Array(0)],
    ["ArrayBuffer(0)", new ArrayBuffer(0)],
    ["an empty subarray", new Uint8Array(8).subarray(8)],
    ["an empty DataView", new DataView(new ArrayBuffer(8), 8)],
    ["Float64Array(0)", new Float64Array(0)],
  ];
  for (const [how, buffer] of empties) {
    assert.throws(() => a.recvInto(buffer), RangeError, how);
  }
  b.close();
  a.setBlocking(false);
  assert.equal(text(a.recv(64)), "pending");
  assert.equal(a.recvInto(new Uint8Array(8)), 0, "the real EOF is still a 0");
});

test("Socket.recvInto() checks nbytes before the buffer's size, as Python's argument parsing does", () => {
  // Python 3.11: recv_into(bytearray(0), "x") is a TypeError, recv_into(bytearray(0), -1) a ValueError.
  using fds = new Fds();
  const [a] = fds.pair();
  assert.throws(() => a.recvInto(new Uint8Array(0), "x" as never), TypeError);
  assert.throws(() => a.recvInto(new Uint8Array(0), -1), RangeError);
  assert.throws(() => a.recvInto(new Uint8Array(0), 5), /holds no bytes/);
  assert.throws(() => a.recvInto(new Uint8Array(4), 5), /nbytes 5 is larger than the buffer \(4\)/);
});

test("send(), sendall(), sendto() and os.write() refuse a view out of bounds instead of sending 0 bytes", {
  skip: RESIZABLE_SKIP,
}, () => {
  using fds = new Fds();
  const [a] = fds.pair();
  const [, w] = fds.pipe();
  const udp = fds.sock(new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM));
  for (const [how, view] of outOfBoundsViews()) {
    assert.throws(() => a.send(view), TypeError, `send ${how}`);
    assert.throws(() => a.sendall(view), TypeError, `sendall ${how}`);
    assert.throws(() => udp.sendto(view, ["127.0.0.1", 9]), TypeError, `sendto ${how}`);
    assert.throws(() => os.write(w, view), TypeError, `os.write ${how}`);
  }
});

test("things that only look like bytes are refused before any FFI call", () => {
  using fds = new Fds();
  const [, w] = fds.pipe();
  const [a] = fds.pair();
  const fakes: unknown[] = [
    { buffer: new ArrayBuffer(64), byteOffset: 0, byteLength: 64 },
    Object.create(Uint8Array.prototype),
    new Proxy(new Uint8Array(8), {}),
    [1, 2, 3],
    "bytes",
    Object.create(ArrayBuffer.prototype),
  ];
  for (const fake of fakes) {
    assert.throws(() => os.write(w, fake as Uint8Array), TypeError);
    assert.throws(() => a.send(fake as Uint8Array), TypeError);
    assert.throws(() => a.recvInto(fake as Uint8Array), TypeError);
  }
});

test("Socket.setTimeout() accepts every timeout CPython does (up to 2^63 ns) and refuses the rest without changing anything", () => {
  using s = new socket.Socket();
  for (const t of [3e6, 2 ** 32 / 1000, 9.2e9, 9_223_372_036]) {
    s.setTimeout(t);
    assert.equal(s.getTimeout(), t);
    assert.equal(os.getBlocking(s.fileno()), false, "a timeout makes the fd non-blocking");
  }
  // CPython: OverflowError past its clock's 2^63 ns ("timestamp out of range"), and for inf.
  for (const [state, blocking] of [[null, true], [0, false]] as const) {
    s.setTimeout(state);
    for (const t of [Infinity, 9.3e9, 1e300, Number.MAX_VALUE]) {
      assert.throws(() => s.setTimeout(t), RangeError, String(t));
      assert.equal(s.getTimeout(), state);
      assert.equal(s.getBlocking(), blocking);
      assert.equal(os.getBlocking(s.fileno()), blocking, "state and fd mode agree");
    }
  }
});

for (const timeout of [3e6, 2 ** 32 / 1000, 9.2e9]) {
  test(`Socket.recv() with timeout ${timeout} returns data that arrives while it waits`, async () => {
    using server = socket.createServer(["127.0.0.1", 0]);
    const [, port] = server.getsockname() as [string, number];
    const token = makeToken();
    // Windows: a peer of the runtime's own sockets (net_peer.ts "late"), since Python cannot run there.
    const exited = WINDOWS
      ? netPeer("late", [String(port), token])
      : new Promise((resolve) =>
        spawn("python3", [
          "-c",
          "import socket, sys\ns = socket.create_connection(('127.0.0.1', int(sys.argv[1])))\n" +
          "s.sendall(sys.argv[2].encode())\nassert s.recv(2) == b'go'\ns.sendall(b'late data')\ns.recv(1)",
          String(port),
          token,
        ], { stdio: "ignore" }).on("close", resolve)
      );
    const conn = acceptPeer(server, token);
    try {
      conn.setTimeout(timeout);
      conn.sendall(bytes("go"));
      const got = conn.recv(64);
      assert.equal(text(got), "late data");
    } finally {
      conn.close();
      await exited;
    }
  });
}

test("Socket.accept() with timeout 9.2e9 (292 years) waits asleep (no busy loop) until a client comes", {
  skip: OS !== "linux" ? "reads /proc" : undefined,
}, async () => {
  const [cmd, argv] = runtimeCommand(here("./fixtures/long_timeout.ts"));
  const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  try {
    const port = Number(await firstLine(child));
    // Read through `cat`: Deno grants /proc/PID only with --allow-all.
    const cpu = async () => {
      const stat = (await run("cat", [`/proc/${child.pid}/stat`])).stdout;
      const f = stat.split(") ")[1]!.split(" ");
      return { state: f[0], ticks: Number(f[11]) + Number(f[12]) };
    };
    // The child printed its port right before accept(): measure it waiting.
    const t0 = await cpu();
    await new Promise((r) => setTimeout(r, 400));
    const t1 = await cpu();
    assert.equal(t1.state, "S", "asleep in the kernel");
    assert.ok(t1.ticks - t0.ticks <= 10, `used ${t1.ticks - t0.ticks} ticks in 400 ms`);
    using c = socket.createConnection(["127.0.0.1", port], 10);
    c.sendall(bytes("x"));
    assert.equal(await exited, 0);
  } finally {
    child.kill();
  }
});

test("SELECTORS_BACKEND accepts only the four real names", () => {
  const saved = process.env.SELECTORS_BACKEND;
  try {
    for (
      const name of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "EPOLL", " poll"]
    ) {
      process.env.SELECTORS_BACKEND = name;
      assert.throws(() => new DefaultSelector(), RangeError, name);
    }
    process.env.SELECTORS_BACKEND = "poll";
    using sel = new DefaultSelector();
    assert.equal(sel.backend, "poll");
  } finally {
    if (saved === undefined) delete process.env.SELECTORS_BACKEND;
    else process.env.SELECTORS_BACKEND = saved;
  }
});

test("objects dropped without close() give their fds back at GC, with one warning each, never a wrong fd", {
  skip: OS !== "linux" ? "EpollSelector is Linux-only" : undefined,
}, async () => {
  const r = await runFixture("fd_finalize.ts", ["300"]);
  console.log(`RELIABILITY ${RUNTIME} fd-finalize ${JSON.stringify(r)}`);
  assert.equal(r.held, (r.before as number) + 600, "600 fds were open before GC");
  assert.equal(r.afterDrop, r.before, "all 600 closed by the finalizers");
  assert.equal(r.dropWarnings, 600, "one warning per object");
  assert.match(String(r.sample), /ResourceWarning: unclosed .* \(fd \d+\)/);
  assert.equal(r.misuseWarnings, 0, "nothing after close() or detach(), nothing for a stolen number");
  assert.equal(r.detachedOpen, 20, "detached fds stay open");
  assert.equal(
    r.pipesIntact,
    60,
    "a reused fd number is never closed (os.close or os.dup2 behind a socket's or selector's back)",
  );
  assert.equal(r.strandedCount, 20, "20 numbers handed from a stale socket to the next");
  assert.equal(
    r.strandedLeft,
    0,
    "a dropped socket whose number a stale claim shared is closed all the same",
  );
  assert.equal(r.strandedWarnings, 20, "one warning for each of those");
  assert.equal(r.pipeAfterStrand, true);
});
