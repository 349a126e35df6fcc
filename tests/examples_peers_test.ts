/**
 * The examples, driven by the runtime's own sockets (`node:net`) as peers:
 * another implementation than ours on the other end, on every OS. On Windows
 * these are the examples' tests, where examples_test.ts's Unix peers
 * (Python, socat, nc, curl) and POSIX signals are absent.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import dgram from "node:dgram";
import net from "node:net";
import { join } from "node:path";
import { test, WINDOWS, WINE } from "./_test.ts";
import { writeFileSync } from "node:fs";
import {
  assertSameBytes,
  hasIPv6Loopback,
  here,
  localResolverUnavailable,
  pattern,
  run,
  runtimeCommand,
  scratchDir,
  startExample,
} from "./_helpers.ts";

const EXAMPLES = here("../examples/");

/** A client of the runtime's own, connected. */
function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
}

/** Collects what `sock` receives until `done(received)` holds (or 20 s pass, or it closes). */
function readUntil(sock: net.Socket, done: (got: Uint8Array) => boolean): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let length = 0;
    const all = (): Uint8Array => {
      const out = new Uint8Array(length);
      let at = 0;
      for (const c of chunks) out.set(c, (at += c.length) - c.length);
      return out;
    };
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      sock.off("data", onData);
      sock.off("close", onClose);
      if (error) reject(error);
      else resolve(all());
    };
    const onData = (d: Uint8Array): void => {
      chunks.push(d);
      length += d.length;
      if (done(all())) finish();
    };
    const onClose = (): void => finish();
    const timer = setTimeout(() => finish(new Error(`timed out with ${length} bytes`)), 20_000);
    sock.on("data", onData);
    sock.on("close", onClose);
  });
}

/**
 * A target server of the runtime's own that echoes each connection whose
 * first line is `token`; a stranger's connection (another line) is closed.
 */
async function tokenEcho(token: string, host = "127.0.0.1"): Promise<{ port: number; close: () => void }> {
  const server = net.createServer((conn) => {
    let head = new Uint8Array(0);
    const onData = (d: Uint8Array): void => {
      const joined = new Uint8Array(head.length + d.length);
      joined.set(head);
      joined.set(d, head.length);
      head = joined;
      const nl = head.indexOf(10);
      if (nl < 0) return;
      conn.off("data", onData);
      if (new TextDecoder().decode(head.subarray(0, nl)) !== token) return void conn.destroy();
      if (nl + 1 < head.length) conn.write(head.subarray(nl + 1));
      conn.pipe(conn);
    };
    conn.on("data", onData);
    conn.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

const TOKEN = `peer-${Math.random().toString(36).slice(2)}`;

/** Sends TOKEN's line and `data` on `c`, which leads to a {@linkcode tokenEcho} target; checks every byte comes back. */
async function assertEchoed(c: net.Socket, data: Uint8Array, what: string): Promise<void> {
  c.write(`${TOKEN}\n`);
  c.write(data);
  const got = await readUntil(c, (g) => g.length >= data.length);
  c.destroy();
  assertSameBytes(got, data, what);
}

test("examples/echo_server.ts echoes 8 concurrent clients of the runtime's own byte for byte", async () => {
  const server = await startExample(join(EXAMPLES, "echo_server.ts"), ["--port", "0"]);
  try {
    await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      const c = await connect(server.port);
      const data = pattern(256 << 10, i);
      c.write(data);
      const got = await readUntil(c, (g) => g.length >= data.length);
      c.destroy();
      assertSameBytes(got, data, `client ${i}`);
    }));
  } finally {
    await server.stop();
  }
});

test("examples/chat_server.ts broadcasts a line to the other clients of the runtime's own", async () => {
  const chat = await startExample(join(EXAMPLES, "chat_server.ts"), ["--port", "0"]);
  try {
    const [a, b, c] = await Promise.all([connect(chat.port), connect(chat.port), connect(chat.port)]);
    const line = `hello from a ${TOKEN}`;
    const has = (g: Uint8Array): boolean => new TextDecoder().decode(g).includes(line);
    const seen = [readUntil(b, has), readUntil(c, has)];
    // Each client is told of the others joining; say the line once all three are in.
    await readUntil(a, (g) => (new TextDecoder().decode(g).match(/joined/g) ?? []).length >= 3);
    a.write(`${line}\n`);
    for (const got of await Promise.all(seen)) assert.ok(has(got));
    for (const s of [a, b, c]) s.destroy();
  } finally {
    await chat.stop();
  }
});

test("examples/tcp_proxy.ts relays 1 MiB both ways between runtime sockets", async () => {
  const target = await tokenEcho(TOKEN);
  const proxy = await startExample(join(EXAMPLES, "tcp_proxy.ts"), ["--target", `127.0.0.1:${target.port}`]);
  try {
    await assertEchoed(await connect(proxy.port), pattern(1 << 20, 3), "through the proxy");
  } finally {
    await proxy.stop();
    target.close();
  }
});

test("examples/socks5_proxy.ts connects a SOCKS5 client of the runtime's own (RFC 1928 by hand)", async () => {
  const target = await tokenEcho(TOKEN);
  const proxy = await startExample(join(EXAMPLES, "socks5_proxy.ts"), ["--port", "0"]);
  try {
    const c = await connect(proxy.port);
    c.write(new Uint8Array([5, 1, 0])); // version 5, one method: no authentication
    assert.deepEqual([...await readUntil(c, (g) => g.length >= 2)], [5, 0]);
    const port = target.port;
    c.write(new Uint8Array([5, 1, 0, 1, 127, 0, 0, 1, port >> 8, port & 0xff])); // CONNECT 127.0.0.1:port
    const reply = await readUntil(c, (g) => g.length >= 10);
    assert.deepEqual([...reply.subarray(0, 4)], [5, 0, 0, 1], "succeeded, an IPv4 bound address");
    await assertEchoed(c, pattern(64 << 10, 5), "through SOCKS5");
  } finally {
    await proxy.stop();
    target.close();
  }
});

/**
 * Runs `body` with a command prefix that gives a child its own /etc/hosts,
 * where `dual.test` is ::1 and 127.0.0.1 (a private mount namespace).
 */
async function withDualName<R>(body: (prefix: string[]) => Promise<R>): Promise<R> {
  const hosts = join(scratchDir("hosts-"), "hosts");
  writeFileSync(hosts, "::1 dual.test\n127.0.0.1 dual.test\n");
  return await body(["unshare", "-m", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', hosts]);
}

const DUAL_NAME = localResolverUnavailable() ?? (hasIPv6Loopback() ? false : "no IPv6 loopback here");

// A name with an IPv6 and an IPv4 address, a target on one family only: in
// whatever order the resolver gives them, one of the two runs tries an
// address that refuses first (as `localhost` gives ::1 first on some hosts).
for (const family of ["127.0.0.1", "::1"]) {
  test(`examples/tcp_proxy.ts tries every address its target's name has (target on ${family} only)`, {
    skip: DUAL_NAME,
  }, () =>
    withDualName(async (prefix) => {
      const target = await tokenEcho(TOKEN, family);
      const proxy = await startExample(
        join(EXAMPLES, "tcp_proxy.ts"),
        ["--target", `dual.test:${target.port}`],
        "stdout",
        undefined,
        prefix,
      );
      try {
        await assertEchoed(await connect(proxy.port), pattern(64 << 10, 7), "through the proxy");
      } finally {
        await proxy.stop();
        target.close();
      }
    }));

  test(`examples/socks5_proxy.ts tries every address a requested name has (target on ${family} only)`, {
    skip: DUAL_NAME,
  }, () =>
    withDualName(async (prefix) => {
      const target = await tokenEcho(TOKEN, family);
      const proxy = await startExample(
        join(EXAMPLES, "socks5_proxy.ts"),
        ["--port", "0"],
        "stdout",
        undefined,
        prefix,
      );
      try {
        const c = await connect(proxy.port);
        c.write(new Uint8Array([5, 1, 0]));
        assert.deepEqual([...await readUntil(c, (g) => g.length >= 2)], [5, 0]);
        const name = new TextEncoder().encode("dual.test");
        const port = target.port;
        c.write(new Uint8Array([5, 1, 0, 3, name.length, ...name, port >> 8, port & 0xff])); // CONNECT dual.test:port
        // The reply: VER REP RSV ATYP, then a bound address of 4 (IPv4) or 16 (IPv6) bytes and a port.
        const reply = await readUntil(c, (g) => g.length >= 4 && g.length >= (g[3] === 4 ? 22 : 10));
        assert.equal(reply[1], 0, `succeeded (reply ${[...reply.subarray(0, 4)]})`);
        await assertEchoed(c, pattern(64 << 10, 9), "through SOCKS5");
      } finally {
        await proxy.stop();
        target.close();
      }
    }));
}

test("examples/port_scan.ts -u finds a runtime's UDP port open and a closed one closed (ECONNREFUSED; WSAECONNRESET on Windows)", async () => {
  const open = dgram.createSocket("udp4");
  open.on("message", (_msg, from) => open.send("pong", from.port, from.address)); // any answer: open
  await new Promise<void>((resolve) => open.bind(0, "127.0.0.1", resolve));
  const gone = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => gone.bind(0, "127.0.0.1", resolve));
  const closed = gone.address().port;
  await new Promise<void>((resolve) => gone.close(() => resolve()));
  try {
    const openPort = open.address().port;
    const [cmd, argv] = runtimeCommand(join(EXAMPLES, "port_scan.ts"), [
      "127.0.0.1",
      "-u",
      "--ports",
      [openPort, closed].join(","),
      "--timeout",
      "2",
      "--json",
    ]);
    const r = await run(cmd, argv);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.deepEqual(
      result.open,
      [openPort],
      "a reply longer than the probe's 1-byte buffer (Winsock: WSAEMSGSIZE) is open",
    );
    // Wine delivers no ICMP port unreachable to a UDP socket (Windows: WSAECONNRESET, as documented).
    if (!WINE) assert.deepEqual(result.closed, [closed]);
  } finally {
    open.close();
  }
});

test("examples/netcat.ts -d prints what a server of the runtime's own sends, and ends with it", async () => {
  // Every connection gets the text (a stranger's too) and is closed.
  const text = `from the server ${TOKEN}\n`;
  const server = net.createServer((conn) => conn.end(text));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const port = (server.address() as net.AddressInfo).port;
    const [cmd, argv] = runtimeCommand(join(EXAMPLES, "netcat.ts"), ["-d", "-n", "127.0.0.1", String(port)]);
    const r = await run(cmd, argv);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, text);
  } finally {
    server.close();
  }
});

test("examples/port_scan.ts finds the open ports of runtime listeners and a closed one", async () => {
  const listeners = await Promise.all(Array.from({ length: 2 }, async () => {
    const s = net.createServer((conn) => conn.destroy());
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    return s;
  }));
  const gone = net.createServer();
  await new Promise<void>((resolve) => gone.listen(0, "127.0.0.1", resolve));
  const closed = (gone.address() as net.AddressInfo).port;
  await new Promise((resolve) => gone.close(resolve));
  try {
    const open = listeners.map((s) => (s.address() as net.AddressInfo).port).sort((a, b) => a - b);
    const [cmd, argv] = runtimeCommand(join(EXAMPLES, "port_scan.ts"), [
      "127.0.0.1",
      "--ports",
      [...open, closed].join(","),
      "--timeout",
      // Windows answers a connect to a closed port after its SYN retries (about 2 s).
      WINDOWS ? "5" : "1",
      "--json",
    ]);
    const r = await run(cmd, argv);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.deepEqual(result.open, open);
    assert.deepEqual(result.closed, [closed]);
  } finally {
    for (const s of listeners) s.close();
  }
});

test("examples/netcat.ts -N sends its stdin to a server of the runtime's own, then prints the answer", async () => {
  // The server answers each connection (a stranger's too) with the length and
  // sha256 of what it received before EOF.
  const server = net.createServer((conn) => {
    const hash = createHash("sha256");
    let n = 0;
    conn.on("data", (d: Uint8Array) => {
      hash.update(d);
      n += d.length;
    });
    conn.on("end", () => conn.end(`${n} ${hash.digest("hex")}\n`));
    conn.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const port = (server.address() as net.AddressInfo).port;
    const [cmd, argv] = runtimeCommand(join(EXAMPLES, "netcat.ts"), ["-N", "-n", "127.0.0.1", String(port)]);
    const child = spawn(cmd, argv, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout!.on("data", (d: Uint8Array) => out += new TextDecoder().decode(d));
    child.stderr!.on("data", (d: Uint8Array) => err += new TextDecoder().decode(d));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const data = pattern(256 << 10, 9);
    child.stdin!.end(data);
    assert.equal(await exited, 0, err);
    assert.equal(out, `${data.length} ${createHash("sha256").update(data).digest("hex")}\n`);
  } finally {
    server.close();
  }
});

test("examples/echo_server.ts stays up past select()'s 1 024 sockets on Windows: extra clients are closed", {
  skip: !WINDOWS && "Winsock's fd_set limit (on Unix the fd limit comes first: the EMFILE tests cover it)",
}, async () => {
  const server = await startExample(join(EXAMPLES, "echo_server.ts"), ["--port", "0"]);
  const clients: net.Socket[] = [];
  try {
    // More clients than one fd_set holds: each says hello; those past the limit are closed.
    const outcomes = await Promise.all(Array.from({ length: 1100 }, async (_, i) => {
      const c = await connect(server.port);
      clients.push(c);
      c.on("error", () => {});
      c.write(`hello ${i}\n`);
      const got = await readUntil(c, (g) => g.length >= `hello ${i}\n`.length).catch(() => new Uint8Array(0));
      return new TextDecoder().decode(got) === `hello ${i}\n`;
    }));
    const served = outcomes.filter(Boolean).length;
    assert.ok(served >= 1000 && served < 1100, `${served} of 1 100 clients echoed`);
    assert.match(server.errors(), /watches at most 1024 sockets; not accepting until a connection closes/);
    // Room again once clients leave: a newcomer is served.
    for (const c of clients.splice(0, 200)) c.destroy();
    const late = await connect(server.port);
    late.write("late\n");
    assert.equal(new TextDecoder().decode(await readUntil(late, (g) => g.length >= 5)), "late\n");
    late.destroy();
  } finally {
    for (const c of clients) c.destroy();
    await server.stop();
  }
});
