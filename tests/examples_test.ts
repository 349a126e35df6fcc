/**
 * End-to-end: each example runs as a subprocess under the current runtime and
 * is driven by peers this project did not write: Python's `socket` module,
 * `socat` and `nc`. Bytes must match exactly.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { slowdown } from "./_budget.ts";
import { unixTests } from "./_test.ts";

const test = unixTests("these runs drive the examples with Python peers, socat, nc and POSIX signals");
import {
  firstLine,
  python,
  run,
  runtimeCommand,
  scratchDir,
  type Started,
  startExample,
  text,
} from "./_helpers.ts";
import { socket } from "../mod.ts";

const EXAMPLES = new URL("../examples/", import.meta.url).pathname;
const HAVE_SOCAT = spawnSync("socat", ["-V"]).status === 0;
const HAVE_CURL = spawnSync("curl", ["--version"]).status === 0;
/** OpenBSD nc (netcat-openbsd): the tests use its flags (-N, -q, -v wording). */
const HAVE_NC = spawnSync("sh", ["-c", "nc -h 2>&1 | grep -q OpenBSD"]).status === 0;

/** Starts an example (a file of examples/) and waits for its "listening on" line. */
function start(script: string, args: string[], stream: "stdout" | "stderr" = "stdout"): Promise<Started> {
  return startExample(join(EXAMPLES, script), args, stream);
}

test("examples/echo_server.ts echoes 40 concurrent Python clients byte for byte", async () => {
  const server = await start("echo_server.ts", ["--port", "0"]);
  try {
    const r = await python(
      `import random, socket, sys, threading
errors = []
def client(i):
    try:
        rnd = random.Random(i)
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
        for _ in range(20):
            msg = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 20000)))
            s.sendall(msg)
            got = b""
            while len(got) < len(msg):
                b = s.recv(65536)
                if not b: raise RuntimeError("early EOF")
                got += b
            if got != msg: raise RuntimeError("mismatch")
        s.close()
    except Exception as e:
        errors.append(repr(e))
ts = [threading.Thread(target=client, args=(i,)) for i in range(40)]
[t.start() for t in ts]; [t.join() for t in ts]
print("errors", len(errors), errors[:3])`,
      [String(server.port)],
      { timeoutMs: 60_000 },
    );
    assert.equal(r.stdout.trim(), "errors 0 []", r.stderr);
  } finally {
    await server.stop();
  }
});

test("examples/echo_server.ts buffers partial sends for a slow reader and stays responsive", async () => {
  const server = await start("echo_server.ts", ["--port", "0"]);
  try {
    // One client pushes 8 MiB and reads nothing for a while (the server must
    // park the rest and wait for EVENT_WRITE); meanwhile a second client is served.
    const r = await python(
      `import hashlib, socket, sys, threading, time
port = int(sys.argv[1])
data = bytes((i * 13 + (i >> 10)) & 0xff for i in range(8 << 20))
slow = socket.create_connection(("127.0.0.1", port))
def push():
    slow.sendall(data); slow.shutdown(socket.SHUT_WR)
t = threading.Thread(target=push); t.start()
time.sleep(0.5)
quick = socket.create_connection(("127.0.0.1", port)); quick.sendall(b"ping")
print("quick", quick.recv(10).decode())
got = hashlib.sha256(); n = 0
while True:
    b = slow.recv(1 << 16)
    if not b: break
    got.update(b); n += len(b); time.sleep(0.0005)
t.join()
print("slow", n == len(data) and got.hexdigest() == hashlib.sha256(data).hexdigest())`,
      [String(server.port)],
      { timeoutMs: 60_000 },
    );
    assert.equal(r.stdout.trim(), "quick ping\nslow True", r.stderr);
  } finally {
    await server.stop();
  }
});

test("examples/echo_server.ts survives a client reset and keeps serving", async () => {
  const server = await start("echo_server.ts", ["--port", "0"]);
  try {
    const r = await python(
      `import socket, struct, sys
port = int(sys.argv[1])
a = socket.create_connection(("127.0.0.1", port)); a.sendall(b"x" * 100000)
a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); a.close()
b = socket.create_connection(("127.0.0.1", port)); b.sendall(b"after reset"); print(b.recv(100).decode())`,
      [String(server.port)],
    );
    assert.equal(r.stdout.trim(), "after reset", r.stderr);
  } finally {
    await server.stop();
  }
});

test("examples/echo_server.ts echoes what socat sends, then closes on EOF", {
  skip: HAVE_SOCAT ? undefined : "socat not installed",
}, async () => {
  const server = await start("echo_server.ts", ["--port", "0"]);
  try {
    const input = Array.from({ length: 5000 }, (_, i) => `line ${i} ${"x".repeat(i % 50)}\n`).join("");
    const r = await run("socat", ["-t", "5", "-", `TCP:127.0.0.1:${server.port}`], { input });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, input);
  } finally {
    await server.stop();
  }
});

test(
  "examples/echo_server.ts echoes what nc sends",
  { skip: HAVE_NC ? undefined : "OpenBSD nc (netcat-openbsd) not installed" },
  async () => {
    const server = await start("echo_server.ts", ["--port", "0"]);
    try {
      const r = await run("nc", ["-N", "127.0.0.1", String(server.port)], { input: "hello from nc\n" });
      assert.equal(r.stdout, "hello from nc\n", r.stderr);
    } finally {
      await server.stop();
    }
  },
);

test("examples/port_scan.ts finds open, closed and filtered ports", async () => {
  // Python holds three open ports and one whose accept queue is full (SYNs
  // are dropped: filtered); a fourth port is bound then closed (refused).
  const { spawn: sp } = await import("node:child_process");
  const holder = sp("python3", [
    "-c",
    `import socket, time
opened = [socket.create_server(("127.0.0.1", 0)) for _ in range(3)]
full = socket.socket(); full.bind(("127.0.0.1", 0)); full.listen(0)
fill = []
for _ in range(4):
    c = socket.socket(); c.setblocking(False); c.connect_ex(full.getsockname()); fill.append(c)
gone = socket.socket(); gone.bind(("127.0.0.1", 0)); closed = gone.getsockname()[1]; gone.close()
print(*[s.getsockname()[1] for s in opened], full.getsockname()[1], closed, flush=True)
time.sleep(20)`,
  ]);
  try {
    const line = await firstLine(holder);
    const [o1, o2, o3, filtered, closed] = line.trim().split(" ").map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    const ports = [o1, o2, o3, filtered, closed].join(",");
    const [cmd, argv] = runtimeCommand(join(EXAMPLES, "port_scan.ts"), [
      "127.0.0.1",
      "--ports",
      ports,
      "--timeout",
      "0.5",
      "--json",
    ]);
    const r = await run(cmd, argv);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.deepEqual(result.open, [o1, o2, o3].sort((a, b) => a - b));
    assert.deepEqual(result.filtered, [filtered]);
    assert.deepEqual(result.closed, [closed]);
    assert.deepEqual(result.errors, []);
  } finally {
    holder.kill("SIGKILL");
  }
});

test("examples/port_scan.ts scans 2000 ports at once and rejects bad port lists", async () => {
  const [cmd, argv] = runtimeCommand(join(EXAMPLES, "port_scan.ts"), [
    "127.0.0.1",
    "--ports",
    "40000-41999",
    "--concurrency",
    "500",
    "--json",
  ]);
  const r = await run(cmd, argv);
  const result = JSON.parse(r.stdout);
  assert.equal(
    r.code,
    result.open.length > 0 ? 0 : 1,
    `exit status: 0 only when a port is open; ${r.stderr}`,
  );
  assert.equal(
    result.open.length + result.closed.length + result.filtered.length + result.errors.length,
    2000,
  );
  const [cmd2, argv2] = runtimeCommand(join(EXAMPLES, "port_scan.ts"), ["127.0.0.1", "--ports", "0-70000"]);
  const bad = await run(cmd2, argv2);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Invalid port range/);
});

test("examples/tcp_proxy.ts relays both ways to a slow reader with bounded buffering", async () => {
  const { spawn: sp } = await import("node:child_process");
  // The target reads slowly, hashes what it got, then sends 2 MiB back.
  const target = sp("python3", [
    "-c",
    `import hashlib, socket, time
srv = socket.create_server(("127.0.0.1", 0)); print(srv.getsockname()[1], flush=True)
while True:  # a stranger on the shared loopback connects and sends nothing: skip it
    conn, _ = srv.accept(); h = hashlib.sha256(); n = 0
    while True:
        b = conn.recv(16384)
        if not b: break
        h.update(b); n += len(b); time.sleep(0.001)
    if n: break
    conn.close()
reply = bytes((i * 7) & 0xff for i in range(2 << 20))
conn.sendall(f"{h.hexdigest()} {n}\\n".encode() + reply); conn.close()`,
  ]);
  const targetPort = Number(await firstLine(target));
  const proxy = await start("tcp_proxy.ts", [
    "--target",
    `127.0.0.1:${targetPort}`,
    "--limit",
    "65536",
    "--stats",
  ]);
  try {
    const r = await python(
      `import hashlib, socket, sys
data = bytes((i * 31 + (i >> 12)) & 0xff for i in range(6 << 20))
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(data); s.shutdown(socket.SHUT_WR)
got = b""
while True:
    b = s.recv(1 << 16)
    if not b: break
    got += b
head, _, reply = got.partition(b"\\n")
print(head.decode() == f"{hashlib.sha256(data).hexdigest()} {len(data)}", reply == bytes((i * 7) & 0xff for i in range(2 << 20)))`,
      [String(proxy.port)],
      { timeoutMs: 90_000 },
    );
    assert.equal(r.stdout.trim(), "True True", r.stderr);
    // The relay's stats line: all bytes passed, and never more than the limit waited in memory.
    let stats = "";
    for (let i = 0; i < 100 && !/closed/.test(stats); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      stats = proxy.output();
    }
    const m = /up (\d+) bytes, down (\d+) bytes, max buffered (\d+)/.exec(stats);
    assert.ok(m, stats);
    assert.equal(Number(m![1]), 6 << 20);
    assert.ok(Number(m![3]) <= 65536, `max buffered ${m![3]}`);
  } finally {
    await proxy.stop();
    target.kill("SIGKILL");
  }
});

test("examples/chat_server.ts broadcasts each line to the other clients", async () => {
  const chat = await start("chat_server.ts", ["--port", "0"]);
  try {
    // Each read waits for the exact text expected (up to 10 s), so a busy
    // machine only slows the test down; the sender must get nothing back.
    const r = await python(
      `import socket, sys
port = int(sys.argv[1])
a, b, c = (socket.create_connection(("127.0.0.1", port)) for _ in range(3))
bufs = {a: b"", b: b"", c: b""}
def expect(s, text, count=1):
    s.settimeout(10)
    while bufs[s].count(text.encode()) < count:
        d = s.recv(4096)
        if not d: raise SystemExit("closed")
        bufs[s] += d
    got = bufs[s]; bufs[s] = b""
    return got.decode()
expect(a, "joined", 3)  # its own, b's and c's
expect(b, "joined", 2)
expect(c, "joined", 1)
a.sendall(b"/nick alice\\n"); expect(b, "is now alice"); expect(c, "is now alice")
a.sendall(b"hello ")
a.sendall(b"room\\nsecond line\\n")
rb = expect(b, "[alice] second line\\n"); rc = expect(c, "[alice] second line\\n")
a.settimeout(0.3)
try:
    ra = a.recv(4096).decode()
except socket.timeout:
    ra = ""
print(repr(rb), repr(rc), repr(ra))`,
      [String(chat.port)],
    );
    assert.equal(
      r.stdout.trim(),
      `'[alice] hello room\\n[alice] second line\\n' '[alice] hello room\\n[alice] second line\\n' ''`,
      r.stderr,
    );
  } finally {
    await chat.stop();
  }
});

test(
  "examples/chat_server.ts talks to nc clients",
  { skip: HAVE_NC ? undefined : "OpenBSD nc (netcat-openbsd) not installed" },
  async () => {
    const chat = await start("chat_server.ts", ["--port", "0"]);
    try {
      const listener = spawn("nc", ["127.0.0.1", String(chat.port)], { stdio: ["pipe", "pipe", "pipe"] });
      let heard = "";
      listener.stdout.on("data", (d: Uint8Array) => heard += text(d));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const speaker = await run("nc", ["-N", "127.0.0.1", String(chat.port)], {
        input: "/nick bob\nhi from nc\n",
      });
      assert.equal(speaker.code, 0, speaker.stderr);
      for (let i = 0; i < 100 && !heard.includes("[bob] hi from nc"); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      listener.kill("SIGKILL");
      assert.match(heard, /\[bob\] hi from nc\n/);
    } finally {
      await chat.stop();
    }
  },
);

test("examples/netcat.ts connects, sends stdin and prints what the peer sends", async () => {
  const { spawn: sp } = await import("node:child_process");
  const server = sp("python3", [
    "-c",
    `import socket
srv = socket.create_server(("127.0.0.1", 0)); print(srv.getsockname()[1], flush=True)
while True:  # a stranger on the shared loopback sends nothing: skip it
    conn, _ = srv.accept()
    try:
        conn.sendall(b"greetings from python\\n")
        got = b""
        while True:
            b = conn.recv(4096)
            if not b: break
            got += b
    except OSError:
        got = b""
    if got: break
    conn.close()
conn.sendall(b"you sent " + str(len(got)).encode() + b" bytes\\n"); conn.close()
print(got.decode(), end="", flush=True)`,
  ]);
  const serverClosed = new Promise((resolve) => server.on("close", resolve)); // attached before it can exit
  const port = Number(await firstLine(server));
  let serverOut = "";
  server.stdout.on("data", (e: Uint8Array) => serverOut += text(e));
  const input = "line one\nline two\n".repeat(1000);
  // -N: nc passes stdin's EOF on only when asked (the server reads until EOF).
  const [cmd, argv] = runtimeCommand(join(EXAMPLES, "netcat.ts"), ["-N", "127.0.0.1", String(port)]);
  const r = await run(cmd, argv, { input });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `greetings from python\nyou sent ${input.length} bytes\n`);
  await serverClosed;
  assert.equal(serverOut, input);
});

test("examples/netcat.ts -l serves one client, with stdin from a regular file", async () => {
  const file = join(scratchDir("netcat-input-"), "in.txt");
  const content = Array.from({ length: 2000 }, (_, i) => `row ${i}\n`).join("");
  writeFileSync(file, content);
  // Waits for "Listening on" however long the runtime takes to start (an
  // emulated Deno takes seconds), and fails rather than hangs if it never comes.
  const nc = await startExample(join(EXAMPLES, "netcat.ts"), ["-lv", "127.0.0.1", "0"], "stderr", file);
  const closed = new Promise((resolve) => nc.child.on("close", resolve));
  let r;
  try {
    r = await python(
      `import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"hello listener\\n"); s.shutdown(socket.SHUT_WR)
got = b""
while True:
    b = s.recv(65536)
    if not b: break
    got += b
sys.stdout.write(got.decode())`,
      [String(nc.port)],
    );
  } finally {
    if (r?.code !== 0) await nc.stop(); // our client failed: the listener would wait for ever
  }
  await closed;
  const out = nc.output(), err = nc.errors();
  assert.equal(r!.stdout, content, r!.stderr);
  assert.equal(out, "hello listener\n", err);
  assert.match(err, /Connection received on 127\.0\.0\.1 \d+/);
});

test("every example answers --help with its usage and exit 0", async () => {
  const scripts = readdirSync(EXAMPLES).filter((f) => /^[a-z]\w*\.ts$/.test(f)).sort();
  assert.ok(scripts.length >= 12, scripts.join(" "));
  for (const script of scripts) {
    const [cmd, argv] = runtimeCommand(join(EXAMPLES, script), ["--help"]);
    const r = await run(cmd, argv);
    assert.equal(r.code, 0, `${script}: ${r.stderr}`);
    assert.match(r.stdout, /^usage: /, script);
  }
});

/**
 * Starts `script`, connects one Python client that reads until EOF, signals
 * the server once `ready()` says the connection is served, and reports.
 */
async function shutdownBySignal(
  script: string,
  args: string[],
  signal: "SIGINT" | "SIGTERM",
  ready: "first-bytes" | (() => void),
): Promise<{ code: number | null; signal: string | null; out: string; client: string }> {
  const server = await start(script, args);
  const client = spawn("python3", [
    "-c",
    `import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"hello\\n")
print("connected", flush=True)
got = b""
while True:
    b = s.recv(4096)
    if not b: break
    if not got: print("first bytes", flush=True)
    got += b
print(got.decode(errors="replace"), flush=True)`,
    String(server.port),
  ], { stdio: ["ignore", "pipe", "inherit"] });
  let clientOut = "";
  const clientDone = new Promise<void>((resolve) => client.on("close", () => resolve()));
  client.stdout!.on("data", (d: Uint8Array) => clientOut += text(d));
  const exited = new Promise<[number | null, string | null]>((resolve) =>
    server.child.on("exit", (code, sig) => resolve([code, sig]))
  );
  if (ready === "first-bytes") {
    // Wait for the server's answer (readiness, not a sleep).
    while (!clientOut.includes("first bytes")) await new Promise((r) => setTimeout(r, 5));
  } else {
    ready();
  }
  // process.kill, not child.kill: Deno's child_process reports a child it
  // signalled itself as killed by that signal even when the child handled it.
  process.kill(server.child.pid!, signal);
  const [code, sig] = await exited;
  await clientDone;
  return { code, signal: sig, out: server.output(), client: clientOut };
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`examples/echo_server.ts shuts down gracefully on ${signal}: connections closed, statistics, exit 0`, async () => {
    const r = await shutdownBySignal("echo_server.ts", ["--port", "0"], signal, "first-bytes");
    assert.equal(r.code, 0, `${r.signal} ${r.out}`);
    assert.match(r.out, new RegExp(`${signal}: shutting down`));
    assert.match(r.out, /served 1 connections, \d+ bytes echoed, 0 resets/);
    assert.match(r.client, /hello/, "the client got its echo and then EOF");
  });

  test(`examples/chat_server.ts shuts down gracefully on ${signal}: clients are told, exit 0`, async () => {
    const r = await shutdownBySignal("chat_server.ts", ["--port", "0"], signal, "first-bytes");
    assert.equal(r.code, 0, `${r.signal} ${r.out}`);
    assert.match(r.out, /served 1 clients, \d+ lines/);
    assert.match(r.client, /\* server shutting down/);
  });

  test(`examples/socks5_proxy.ts shuts down gracefully on ${signal}: exit 0 with its totals`, async () => {
    const server = await start("socks5_proxy.ts", []);
    const exited = new Promise<number | null>((resolve) => server.child.on("exit", (code) => resolve(code)));
    process.kill(server.child.pid!, signal);
    assert.equal(await exited, 0, server.output());
    assert.match(server.output(), new RegExp(`${signal}: shutting down\\nrelayed 0 connections`));
  });

  test(`examples/tcp_proxy.ts shuts down gracefully on ${signal}: relays closed, exit 0`, async () => {
    using target = socket.createServer(["127.0.0.1", 0]);
    const [, targetPort] = target.getsockname() as [string, number];
    const r = await shutdownBySignal("tcp_proxy.ts", ["--target", `127.0.0.1:${targetPort}`], signal, () => {
      // The relay exists once the proxy has connected to the target.
      target.setTimeout(30);
      target.accept()[0].close();
    });
    assert.equal(r.code, 0, `${r.signal} ${r.out}`);
    assert.match(r.out, /relayed 1 connections/);
  });
}

test(
  "examples/status_server.ts answers HTTP and keeps its ticker on time while TCP clients keep the selector busy",
  {
    skip: HAVE_CURL ? undefined : "curl not installed",
  },
  async () => {
    const server = await start("status_server.ts", ["--port", "0", "--http-port", "0", "--tick-ms", "50"]);
    try {
      let m: RegExpExecArray | null = null;
      while (!(m = /status on (http:\/\/[\d.]+:\d+\/)/.exec(server.output()))) {
        await new Promise((r) => setTimeout(r, 5));
      }
      const url = m[1]!;
      // 8 Python clients ping-pong 4 KiB messages for 2 s, every byte checked.
      const load = python(
        `import socket, sys, threading, time
port = int(sys.argv[1]); bad = []; rounds = [0]
def client(i):
    s = socket.create_connection(("127.0.0.1", port)); msg = bytes([i]) * 4096; end = time.time() + 2
    while time.time() < end:
        s.sendall(msg); got = b""
        while len(got) < len(msg): got += s.recv(65536)
        if got != msg: bad.append(i)
        rounds[0] += 1
    s.close()
ts = [threading.Thread(target=client, args=(i,)) for i in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(rounds[0], len(bad))`,
        [String(server.port)],
        { timeoutMs: 60_000 },
      );
      // Meanwhile curl asks for the page every 100 ms.
      const pages: Array<{ ticks: number; expectedTicks: number; seconds: number }> = [];
      const slow = slowdown(); // 1 natively; the emulator's measured factor under qemu
      const until = Date.now() + 1800 * slow;
      while (Date.now() < until) {
        const r = await run("curl", ["-s", "-m", "5", "-w", "\\n%{time_total}", url]);
        assert.equal(r.code, 0, `curl: ${r.stderr}`);
        const [body, seconds] = r.stdout.split("\n");
        const page = JSON.parse(body!);
        pages.push({ ticks: page.ticks, expectedTicks: page.expectedTicks, seconds: Number(seconds) });
        await new Promise((r) => setTimeout(r, 100));
      }
      const [rounds, bad] = (await load).stdout.trim().split(" ").map(Number);
      assert.equal(bad, 0, "every echoed byte was right");
      assert.ok(rounds! > 100 / slow, `the echo side was busy: ${rounds} round trips`);
      assert.ok(pages.length >= 8, `the page answered ${pages.length} times in ${1.8 * slow} s`);
      for (const p of pages) {
        assert.ok(p.seconds < 1 * slow, `a page took ${p.seconds} s`);
        assert.ok(
          p.ticks >= p.expectedTicks - 4 * slow,
          `the ticker fell behind: ${p.ticks} of ${p.expectedTicks}`,
        );
      }
      process.kill(server.child.pid!, "SIGTERM");
      await new Promise((r) => server.child.on("exit", r));
      assert.match(server.output(), /served 8 connections, \d+ bytes echoed; \d+ ticks/);
    } finally {
      await server.stop();
    }
  },
);

test("examples/netcat.ts -l exits 0 on SIGTERM while waiting for a client", async () => {
  const nc = await start("netcat.ts", ["-lv", "127.0.0.1", "0"], "stderr");
  const exited = new Promise<number | null>((resolve) => nc.child.on("exit", (code) => resolve(code)));
  process.kill(nc.child.pid!, "SIGTERM");
  assert.equal(await exited, 0);
});
