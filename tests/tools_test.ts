/**
 * The examples as real tools, held against the tools their users know:
 * OpenBSD `nc`, `nmap`, `curl`, Python clients. Each failure a user reported
 * (a crash on an unresolvable target, spinning at the fd limit, a quadratic
 * chat line, false "open" ports from self-connects, stack traces for ordinary
 * errors, no IPv6) has a test here that reproduces it. `TOOLS_LONG=1`
 * runs the long variants (a 100 MB chat line, five ephemeral-range scans).
 *
 * @module
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { unixTests } from "./_test.ts";

const test = unixTests("the peers are nc, nmap, curl and Python, with network namespaces (unshare -n)");
import {
  type ChildResult,
  firstLine,
  hasIPv6Loopback,
  localResolverUnavailable,
  python,
  run,
  runtimeCommand,
  scratchDir,
  shellWords,
  type Started,
  startExample,
  text,
  withLocalResolver,
} from "./_helpers.ts";
import { ERRNO, os, socket } from "../mod.ts";
import { budget, EMULATED } from "./_budget.ts";
import { parsePorts, report, serviceName } from "../examples/port_scan.ts";
import { parseGreeting, parseRequest, REP, reply } from "../examples/socks5_proxy.ts";

const EXAMPLES = new URL("../examples/", import.meta.url).pathname;
/** OpenBSD nc (netcat-openbsd): the tests use its flags (-N, -q, -v wording). */
const HAVE_NC = spawnSync("sh", ["-c", "nc -h 2>&1 | grep -q OpenBSD"]).status === 0;
const HAVE_NMAP = spawnSync("nmap", ["--version"]).status === 0;
const HAVE_CURL = spawnSync("curl", ["--version"]).status === 0;
/** `id -u`, not process.getuid(): Deno asks for --allow-sys for that. */
const IS_ROOT = new TextDecoder().decode(spawnSync("id", ["-u"]).stdout).trim() === "0";
const IPV6 = hasIPv6Loopback();
const LONG = process.env.TOOLS_LONG === "1";
/** This C library's messages (glibc: "Too many open files", musl: "No file descriptors available"). */
const STR = {
  ECONNREFUSED: os.strerror(ERRNO.ECONNREFUSED),
  EADDRINUSE: os.strerror(ERRNO.EADDRINUSE),
  ETIMEDOUT: os.strerror(ERRNO.ETIMEDOUT),
  EMFILE: os.strerror(ERRNO.EMFILE),
  ENETUNREACH: os.strerror(ERRNO.ENETUNREACH), // glibc "Network is unreachable", musl "Network unreachable"
};

function ex(script: string): string {
  return join(EXAMPLES, script);
}

/** Runs an example to completion. */
function runEx(
  script: string,
  args: string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<ChildResult> {
  const [cmd, argv] = runtimeCommand(ex(script), args);
  return run(cmd, argv, options);
}

/** The shell-quoted command line of an example, for `sh -c`. */
function shellCommand(script: string, args: string[]): string {
  const [cmd, argv] = runtimeCommand(ex(script), args);
  return shellWords([cmd, ...argv]);
}

function start(script: string, args: string[], stream: "stdout" | "stderr" = "stdout"): Promise<Started> {
  return startExample(ex(script), args, stream);
}

/** curl through the SOCKS proxy on `port` (`mode`: --socks5 or --socks5-hostname), 10 s at most. */
function curlThrough(port: number, mode: string, url: string): Promise<ChildResult> {
  return run("curl", ["-sS", "-m", "10", mode, `127.0.0.1:${port}`, url]);
}

/** A port nothing listens on (bound, then closed). */
function closedPort(type = socket.SOCK_STREAM): number {
  using s = new socket.Socket(socket.AF_INET, type);
  s.bind(["127.0.0.1", 0]);
  return (s.getsockname() as [string, number])[1];
}

async function until(what: string, cond: () => boolean, ms = budget(10) * 1000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let startup: number | null = null;

/**
 * Seconds an example takes to start and exit (`netcat.ts --help`), added to
 * the upper bounds that time a whole program run under an emulator, where
 * start-up alone takes seconds; 0 natively, where bounds stay as they are.
 */
async function startupSeconds(): Promise<number> {
  if (startup !== null) return startup;
  if (!EMULATED) return startup = 0;
  const t0 = performance.now();
  await runEx("netcat.ts", ["--help"], { timeoutMs: budget(60) * 1000 });
  return startup = (performance.now() - t0) / 1e3;
}

/** Asserts `stderr` is exactly one line matching `re`, without a stack trace. */
function assertOneLine(stderr: string, re: RegExp, what: string): void {
  const lines = stderr.split("\n").filter((l) => l.trim() !== "" && !/Warning: Ignoring extra certs/.test(l));
  assert.equal(lines.length, 1, `${what}: one line expected, got:\n${stderr}`);
  assert.match(lines[0]!, re, what);
}

// ---------------------------------------------------------------- errors

test("examples print one line and exit 1 for a name that does not resolve (a resolver on loopback answers)", {
  skip: localResolverUnavailable(),
}, async () => {
  await withLocalResolver(async (prefix) => {
    const runOffline = (script: string, args: string[]) => {
      const [cmd, argv] = runtimeCommand(ex(script), args);
      const [c, ...a] = [...prefix, cmd, ...argv] as [string, ...string[]];
      return run(c, a);
    };
    let r = await runOffline("netcat.ts", ["no-such-host.invalid", "80"]);
    assert.equal(r.code, 1, r.stderr);
    assertOneLine(
      r.stderr,
      /^netcat: getaddrinfo for host "no-such-host\.invalid" port 80: /,
      "unresolvable",
    );
    r = await runOffline("port_scan.ts", ["no-such-host.invalid", "-p", "80"]);
    assert.equal(r.code, 1, r.stderr);
    assertOneLine(r.stderr, /^port_scan: no-such-host\.invalid: /, "port_scan unresolvable");
  });
});

test("examples print one line and exit 1 on ordinary failures: refused, port in use", async () => {
  const gone = closedPort();
  let r = await runEx("netcat.ts", ["127.0.0.1", String(gone)]);
  assert.equal(r.code, 1);
  assertOneLine(
    r.stderr,
    new RegExp(`^netcat: connect to 127\\.0\\.0\\.1 port ${gone} \\(tcp\\) failed: ${STR.ECONNREFUSED}$`),
    "refused",
  );
  using busy = socket.createServer(["127.0.0.1", 0]);
  const port = String((busy.getsockname() as [string, number])[1]);
  for (
    const [script, args] of [
      ["echo_server.ts", ["-p", port]],
      ["chat_server.ts", ["-p", port]],
      ["tcp_proxy.ts", ["-l", port, "-t", "127.0.0.1:80"]],
      ["socks5_proxy.ts", ["-p", port]],
      ["netcat.ts", ["-l", "127.0.0.1", port]],
    ] as const
  ) {
    const name = script.replace(".ts", "");
    r = await runEx(script, [...args]);
    assert.equal(r.code, 1, `${script}: ${r.stderr}`);
    assertOneLine(r.stderr, new RegExp(`^${name}: bind: ${STR.EADDRINUSE}`), script);
  }
});

test("examples reject bad usage with exit 2 and a short message, never a stack trace", async () => {
  for (
    const [script, args, re] of [
      ["netcat.ts", ["--bogus"], /Unknown option '--bogus'/],
      ["netcat.ts", ["-l"], /missing port number/],
      ["netcat.ts", ["127.0.0.1", "70000"], /port number invalid: 70000/],
      ["netcat.ts", ["-k", "127.0.0.1", "80"], /must use -l with -k/],
      ["netcat.ts", ["-w", "-1", "127.0.0.1", "80"], /-w must be a number/],
      ["port_scan.ts", ["127.0.0.1", "--timeout", "-1"], /--timeout must be a number/],
      ["port_scan.ts", ["127.0.0.1", "--timeout", "0"], /--timeout must be a number/],
      ["port_scan.ts", ["127.0.0.1", "--retries", "x"], /--retries must be an integer/],
      ["port_scan.ts", ["127.0.0.1", "--concurrency", "1.5"], /--concurrency must be an integer/],
      ["port_scan.ts", ["127.0.0.1", "-p", "5-1"], /Invalid port range/],
      ["port_scan.ts", [], /missing HOST/],
      ["echo_server.ts", ["-p", "65536"], /port must be an integer in 0\.\.65535/],
      ["tcp_proxy.ts", ["-t", "nohost"], /--target must be HOST:PORT/],
      ["tcp_proxy.ts", [], /--target HOST:PORT is required/],
      ["chat_server.ts", ["--max-line", "0"], /--max-line must be an integer/],
      ["chat_server.ts", ["--max-line", "2000000"], /--max-line must not exceed --backlog-limit/],
      ["netcat.ts", ["-q", "-x", "127.0.0.1", "80"], /argument is ambiguous|-q must be a number/],
      ["socks5_proxy.ts", ["--limit", "abc"], /--limit must be an integer/],
    ] as const
  ) {
    const r = await runEx(script, [...args]);
    assert.equal(r.code, 2, `${script} ${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re, `${script} ${args.join(" ")}`);
    assert.doesNotMatch(r.stderr, /^\s+at /m, `${script}: no stack trace`);
    assert.ok(r.stderr.trim().split("\n").length <= 2, `${script}: message and synopsis only:\n${r.stderr}`);
  }
});

test("netcat.ts exits 141 quietly when stdout closes (| head -c 100)", async () => {
  const server = spawn("python3", [
    "-c",
    `import socket, time
s = socket.create_server(("127.0.0.1", 0)); print(s.getsockname()[1], flush=True)
while True:  # a stranger on the shared loopback closes at once: serve the next one
    c, _ = s.accept(); t0 = time.time()
    try:
        c.sendall(b"x" * 20_000_000)
    except OSError:
        pass
    if time.time() - t0 > 0.05: break  # netcat read a while before its stdout closed`,
  ]);
  try {
    const port = (await firstLine(server)).trim();
    const cmd = `${shellCommand("netcat.ts", ["127.0.0.1", port])} < /dev/null | head -c 100 | wc -c; ` +
      `echo "status \${PIPESTATUS[0]}"`;
    const r = await run("bash", ["-c", cmd]);
    assert.match(r.stdout, /^\s*100\nstatus 141\n$/, r.stdout + r.stderr);
    assert.equal(r.stderr, "", "nothing on stderr");
  } finally {
    server.kill("SIGKILL");
  }
});

// ---------------------------------------------------------------- netcat against nc

/** Starts OpenBSD nc with `args` and waits for its "Listening on" line (it needs -v). */
/** A running nc. */
interface Nc {
  child: ChildProcess;
  port: number;
  out: () => string;
  err: () => string;
  closed: Promise<number | null>;
}

async function startNc(args: string[], input?: string): Promise<Nc> {
  const child = spawn("nc", args, { stdio: ["pipe", "pipe", "pipe"] });
  let out = "", err = "";
  child.stdout!.on("data", (d: Uint8Array) => out += text(d));
  child.stderr!.on("data", (d: Uint8Array) => err += text(d));
  const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  if (input !== undefined) child.stdin!.end(input);
  await until("nc to listen", () => /Listening on|Bound on/.test(err));
  const port = Number(/(?:Listening|Bound) on \S+ (\d+)/.exec(err)![1]);
  return { child, port, out: () => out, err: () => err, closed };
}

test("netcat.ts and nc talk TCP both ways, each passing EOF on with -N", {
  skip: HAVE_NC ? undefined : "OpenBSD nc (netcat-openbsd) not installed",
}, async () => {
  const fromOurs = "from netcat.ts\n".repeat(5000), fromNc = "from nc\n".repeat(3000);
  // nc listens, ours connects.
  const nc = await startNc(["-lvN", "127.0.0.1", "0"], fromNc);
  const r = await runEx("netcat.ts", ["-N", "127.0.0.1", String(nc.port)], { input: fromOurs });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await nc.closed, 0);
  assert.equal(nc.out().length, fromOurs.length);
  assert.equal(nc.out(), fromOurs);
  assert.equal(r.stdout, fromNc);
  // Ours listens, nc connects.
  const file = join(scratchDir("nc-"), "in.txt");
  writeFileSync(file, fromOurs);
  const ours = await startExample(ex("netcat.ts"), ["-lvN", "127.0.0.1", "0"], "stderr", file);
  const oursClosed = new Promise<number | null>((resolve) => ours.child.on("close", (code) => resolve(code)));
  const client = await run("nc", ["-N", "127.0.0.1", String(ours.port)], { input: fromNc });
  assert.equal(client.code, 0, client.stderr);
  assert.equal(await oursClosed, 0, ours.errors());
  assert.equal(ours.output(), fromNc);
  assert.equal(client.stdout, fromOurs);
  assert.match(ours.errors(), /Connection received on 127\.0\.0\.1 \d+/);
});

test("netcat.ts and nc talk UDP both ways (-u), ending on -w", {
  skip: HAVE_NC ? undefined : "OpenBSD nc (netcat-openbsd) not installed",
}, async () => {
  // nc listens (-ul), ours sends a datagram and prints the answer.
  const nc = await startNc(["-ulv", "-w", "3", "127.0.0.1", String(closedPort(socket.SOCK_DGRAM))]);
  nc.child.stdin!.write("answer from nc\n"); // nc reads stdin once it knows its peer
  const r = await runEx("netcat.ts", ["-u", "-w", "1", "127.0.0.1", String(nc.port)], {
    input: "datagram from ours\n",
  });
  assert.equal(r.code, 0, r.stderr);
  await until("nc to get the datagram", () => nc.out().includes("datagram from ours"));
  assert.equal(r.stdout, "answer from nc\n");
  nc.child.kill("SIGKILL");
  // Ours listens (-ul), nc sends.
  const ours = await start("netcat.ts", ["-ulv", "-w", "2", "127.0.0.1", "0"], "stderr");
  ours.child.stdin!.end("answer from ours\n");
  const client = await run("nc", ["-u", "-w", "1", "127.0.0.1", String(ours.port)], {
    input: "datagram from nc\n",
  });
  assert.equal(client.stdout, "answer from ours\n", client.stderr);
  const code = await new Promise((resolve) => ours.child.on("exit", resolve));
  assert.equal(code, 0, ours.errors());
  assert.equal(ours.output(), "datagram from nc\n");
  assert.match(ours.errors(), /Connection received on 127\.0\.0\.1 \d+/);
});

test("netcat.ts -lk serves nc clients one after another until SIGTERM", {
  skip: HAVE_NC ? undefined : "OpenBSD nc (netcat-openbsd) not installed",
}, async () => {
  const ours = await start("netcat.ts", ["-lkv", "127.0.0.1", "0"], "stderr");
  try {
    for (const word of ["one", "two", "three"]) {
      const r = await run("nc", ["-N", "127.0.0.1", String(ours.port)], { input: `${word}\n` });
      assert.equal(r.code, 0, r.stderr);
      await until(`"${word}" to arrive`, () => ours.output().includes(`${word}\n`));
    }
    assert.equal(ours.output(), "one\ntwo\nthree\n");
    assert.equal(ours.errors().match(/Connection received/g)?.length, 3);
    const exited = new Promise((resolve) => ours.child.on("exit", resolve));
    process.kill(ours.child.pid!, "SIGTERM");
    assert.equal(await exited, 0);
  } finally {
    await ours.stop();
  }
});

test("netcat.ts -w bounds a connect nobody answers and an idle connection, as nc -w does", async () => {
  // A listener whose accept queue is full: SYNs are dropped, the connect hangs.
  const holder = spawn("python3", [
    "-c",
    `import socket, time
full = socket.socket(); full.bind(("127.0.0.1", 0)); full.listen(0)
fill = []
for _ in range(4):
    c = socket.socket(); c.setblocking(False); c.connect_ex(full.getsockname()); fill.append(c)
idle = socket.create_server(("127.0.0.1", 0))
print(full.getsockname()[1], idle.getsockname()[1], flush=True)
conns = []
while True:
    conns.append(idle.accept()[0])`,
  ]);
  try {
    const [full, idle] = (await firstLine(holder)).trim().split(" ");
    const slack = await startupSeconds();
    let t0 = performance.now();
    let r = await runEx("netcat.ts", ["-w", "1", "127.0.0.1", full!]);
    let seconds = (performance.now() - t0) / 1e3;
    assert.equal(r.code, 1);
    assertOneLine(r.stderr, new RegExp(`failed: ${STR.ETIMEDOUT}$`), "connect timeout");
    assert.ok(seconds < 10 + 2 * slack, `gave up after ${seconds} s`);
    t0 = performance.now();
    r = await runEx("netcat.ts", ["-w", "1", "127.0.0.1", idle!]);
    seconds = (performance.now() - t0) / 1e3;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(seconds >= 0.9 && seconds < 10 + 2 * slack, `idle for ${seconds} s`);
  } finally {
    holder.kill("SIGKILL");
  }
});

test("netcat.ts -q 0 quits right after stdin's EOF; without -N or -q it waits for the peer", async () => {
  const holder = spawn("python3", [
    "-c",
    `import socket
s = socket.create_server(("127.0.0.1", 0)); print(s.getsockname()[1], flush=True)
got = b""
while not got.endswith(b"\\n"):  # a stranger on the shared loopback sends nothing: skip it
    c, _ = s.accept(); got = b""
    while not got.endswith(b"\\n"):
        b = c.recv(100)
        if not b: break
        got += b
print(got.decode().strip(), flush=True)
c.settimeout(0.5)
try:
    print("eof" if c.recv(100) == b"" else "data", flush=True)
except socket.timeout:
    print("no eof", flush=True)
c.sendall(b"bye\\n"); c.close()`,
  ], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  holder.stdout.on("data", (d: Uint8Array) => out += text(d));
  try {
    await until("the holder", () => /^\d+\n/.test(out));
    const port = out.split("\n")[0]!;
    const r = await runEx("netcat.ts", ["127.0.0.1", port], { input: "hello\n" });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "bye\n", "it waited for the peer, which closed after 0.5 s");
    await until("the holder's report", () => /no eof|eof|data/.test(out));
    assert.match(out, /hello\nno eof\n/, "stdin's EOF was not passed on without -N");
  } finally {
    holder.kill("SIGKILL");
  }
  const quiet = spawn("python3", [
    "-c",
    `import socket, sys
s = socket.create_server(("127.0.0.1", 0)); print(s.getsockname()[1], flush=True)
c, _ = s.accept(); sys.stdin.read()  # holds the connection, silent, until the test kills it`,
  ]);
  try {
    const port = (await firstLine(quiet)).trim();
    const slack = await startupSeconds();
    const t0 = performance.now();
    const r = await runEx("netcat.ts", ["-q", "0", "127.0.0.1", port], { input: "x\n" });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(performance.now() - t0 < 10_000 + 2 * slack * 1000, "-q 0 did not wait for the silent peer");
  } finally {
    quiet.kill("SIGKILL");
  }
});

test("netcat.ts -z probes a port range like nc -z: status 0 when one answers, -v reports each", async () => {
  using listener = socket.createServer(["127.0.0.1", 0]);
  const open = (listener.getsockname() as [string, number])[1];
  const lo = open - 1, hi = open + 1;
  const r = await runEx("netcat.ts", ["-zv", "-w", "1", "127.0.0.1", `${lo}-${hi}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`Connection to 127\\.0\\.0\\.1 ${open} port \\[tcp/\\*\\] succeeded!`));
  assert.equal(r.stdout, "", "-z sends and prints no data");
  const gone = closedPort();
  const none = await runEx("netcat.ts", ["-z", "127.0.0.1", String(gone)]);
  assert.equal(none.code, 1);
  assert.equal(none.stderr, "", "without -v, -z is silent");
  // UDP: ICMP port unreachable says closed; a silent bound socket counts as open.
  const udpClosed = await runEx("netcat.ts", [
    "-zu",
    "-w",
    "1",
    "127.0.0.1",
    String(closedPort(socket.SOCK_DGRAM)),
  ]);
  assert.equal(udpClosed.code, 1);
  using udp = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
  udp.bind(["127.0.0.1", 0]);
  const udpOpen = await runEx("netcat.ts", [
    "-zuv",
    "-w",
    "0.5",
    "127.0.0.1",
    String((udp.getsockname() as [string, number])[1]),
  ]);
  assert.equal(udpOpen.code, 0, udpOpen.stderr);
  assert.match(udpOpen.stderr, /port \[udp\/\*\] succeeded!/);
});

// ---------------------------------------------------------------- port_scan against nmap

/** Python holding TCP listeners (and UDP sockets that answer), printing their ports. */
function holdPorts(tcp: number, udp: number): ChildProcess {
  return spawn("python3", [
    "-c",
    `import socket, select
t = [socket.create_server(("127.0.0.1", 0)) for _ in range(${tcp})]
u = []
for _ in range(${udp}):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); u.append(s)
print(*[s.getsockname()[1] for s in t], "/", *[s.getsockname()[1] for s in u], flush=True)
while True:
    for s in select.select(u + t, [], [])[0]:
        if s in u:
            data, peer = s.recvfrom(2048); s.sendto(b"here", peer)
        else:
            s.accept()[0].close()`,
  ]);
}

/** nmap's open ports from its grepable output. */
function nmapOpen(grepable: string, proto: "tcp" | "udp"): number[] {
  const ports = /Ports: (.*)$/m.exec(grepable)?.[1] ?? "";
  return ports.split(", ").map((p) => p.split("/")).filter((f) => f[1] === "open" && f[2] === proto)
    .map((f) => Number(f[0])).sort((a, b) => a - b);
}

test("examples/port_scan.ts and nmap agree on a TCP range with listeners and closed ports", {
  skip: HAVE_NMAP ? undefined : "nmap not installed",
}, async () => {
  const holder = holdPorts(3, 0);
  try {
    const ports = (await firstLine(holder)).split("/")[0]!.trim().split(" ").map(Number);
    const range = ports.flatMap((p) => [p - 2, p - 1, p, p + 1, p + 2]).filter((p) => p > 0 && p < 65536)
      .join(",");
    const ours = await runEx("port_scan.ts", ["127.0.0.1", "-p", range, "--json"]);
    assert.equal(ours.code, 0, ours.stderr);
    const nmap = await run("nmap", ["-sT", "-Pn", "-n", "-p", range, "-oG", "-", "127.0.0.1"], {
      timeoutMs: 60_000,
    });
    assert.equal(nmap.code, 0, nmap.stderr);
    const result = JSON.parse(ours.stdout);
    assert.deepEqual(result.open, nmapOpen(nmap.stdout, "tcp"));
    assert.ok(ports.every((p) => result.open.includes(p)), `${ports} all open`);
    assert.equal(result.open.length + result.closed.length, range.split(",").length);
  } finally {
    holder.kill("SIGKILL");
  }
});

test("examples/port_scan.ts --udp and nmap -sU agree: a reply is open, ICMP port unreachable closed", {
  skip: !HAVE_NMAP ? "nmap not installed" : !IS_ROOT ? "nmap -sU needs root" : undefined,
}, async () => {
  const holder = holdPorts(0, 2);
  try {
    const ports = (await firstLine(holder)).split("/")[1]!.trim().split(" ").map(Number);
    const range = ports.flatMap((p) => [p - 1, p, p + 1]).join(",");
    const ours = await runEx("port_scan.ts", ["127.0.0.1", "-u", "-p", range, "--retries", "2", "--json"]);
    assert.equal(ours.code, 0, ours.stderr);
    const result = JSON.parse(ours.stdout);
    const nmap = await run("nmap", ["-sU", "-Pn", "-n", "-p", range, "-oG", "-", "127.0.0.1"], {
      timeoutMs: 60_000,
    });
    assert.equal(nmap.code, 0, nmap.stderr);
    assert.deepEqual(result.open, nmapOpen(nmap.stdout, "udp"));
    assert.deepEqual(result.open, [...ports].sort((a, b) => a - b));
    assert.equal(result.closed.length, range.split(",").length - ports.length, ours.stdout);
  } finally {
    holder.kill("SIGKILL");
  }
});

/** The ports with a TCP listener on this host now (IPv4 and IPv6 tables). */
async function listeningPorts(): Promise<Set<number>> {
  const r = await run("sh", ["-c", "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null"]);
  const out = new Set<number>();
  for (const line of r.stdout.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f[3] === "0A") out.add(parseInt(f[1]!.split(":")[1]!, 16)); // state LISTEN
  }
  return out;
}

test("examples/port_scan.ts never reports a self-connect as open (the whole ephemeral range)", async () => {
  const [lo, hi] = (await run("cat", ["/proc/sys/net/ipv4/ip_local_port_range"])).stdout.trim().split(/\s+/);
  for (let i = 0; i < (LONG ? 5 : 1); i++) {
    const before = await listeningPorts();
    const r = await runEx("port_scan.ts", ["127.0.0.1", "-p", `${lo}-${hi}`, "--json"], {
      timeoutMs: 120_000,
    });
    const after = await listeningPorts();
    const result = JSON.parse(r.stdout);
    const strays = result.open.filter((p: number) => !before.has(p) && !after.has(p));
    assert.deepEqual(strays, [], "open ports that nothing listens on: self-connects");
  }
});

test("examples/port_scan.ts: nmap's table and service names, exit status 1 when nothing is open", async () => {
  assert.equal(serviceName(22, "tcp"), "ssh");
  assert.equal(serviceName(53, "udp"), "domain");
  assert.equal(serviceName(40000, "tcp"), "unknown");
  assert.deepEqual(parsePorts("5,1-3"), [1, 2, 3, 5]);
  // Names come from the system's services database, as Python's getservbyport reads it.
  const db = await python(`import socket, json
def name(p):
    try: return socket.getservbyport(p, "tcp")
    except OSError: return None
print(json.dumps([name(p) for p in [1, 2]]))`);
  const [one, two] = JSON.parse(db.stdout) as (string | null)[];
  if (one !== null) assert.equal(serviceName(1, "tcp"), one);
  const few = report("h", "tcp", {
    open: [22, 80],
    closed: [2, 40000],
    filtered: [],
    openFiltered: [],
    errors: [],
  }, 1);
  assert.deepEqual(few.slice(1), [
    "PORT      STATE          SERVICE",
    `2/tcp     closed         ${two ?? "unknown"}`,
    "22/tcp    open           ssh",
    "80/tcp    open           http",
    "40000/tcp closed         unknown",
  ], "a few closed ports are listed, as nmap lists them");
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  // Many closed: counted, as nmap does; the open ones are always listed, however many.
  const many = report("h", "tcp", {
    open: range(8000, 8029),
    closed: range(9000, 9099),
    filtered: [10000],
    openFiltered: [],
    errors: [],
  }, 1);
  assert.equal(many[1], "Not shown: 100 closed tcp ports (conn-refused)");
  assert.equal(many.filter((l) => / open /.test(l)).length, 30);
  assert.ok(many.some((l) => /^10000\/tcp\s+filtered/.test(l)));
  const udp = report("h", "udp", {
    open: [],
    closed: [],
    filtered: [],
    openFiltered: range(1, 40),
    errors: [],
  }, 1);
  assert.deepEqual(udp.slice(1), ["Not shown: 40 open|filtered udp ports (no-response)"]);
  const gone = closedPort();
  const r = await runEx("port_scan.ts", ["127.0.0.1", "-p", String(gone)]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, new RegExp(`${gone}/tcp\\s+closed\\s+unknown`));
});

// ---------------------------------------------------------------- the fd limit

/**
 * Runs `script` under `ulimit -n 64`, holds 80 client connections, and
 * reports its CPU ticks over a second (it must sleep, not spin) and whether a
 * new client is served once the held ones are gone.
 */
async function atFdLimit(
  script: string,
  args: string[],
  mode: "echo" | "chat" | "socks",
): Promise<{ ticks: number; served: boolean; stderr: string }> {
  const child = spawn("sh", ["-c", `ulimit -n 64; exec ${shellCommand(script, args)}`]);
  let out = "", err = "";
  child.stdout.on("data", (d: Uint8Array) => out += text(d));
  child.stderr.on("data", (d: Uint8Array) => err += text(d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    await until(`${script} to listen`, () => /listening on/.test(out));
    const port = /listening on [\d.]+:(\d+)/.exec(out)![1]!;
    const r = await python(
      `import socket, sys, time
port, mode, pid = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def ticks():
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(80)]
time.sleep(0.5)
spent = None
for _ in range(int(sys.argv[4])):  # a spin uses ~100 ticks every second; a warming JIT only at first
    t0 = ticks(); time.sleep(1.0); spent = min(spent if spent is not None else 1 << 30, ticks() - t0)
# Served "once the held ones are gone" from the server's side too: each held client ends its side, then
# waits for the server's end, which comes once the server has closed what it held for it (a proxy holds
# two fds per client; before that, its connect to the target could still meet the limit).
for c in held: c.shutdown(socket.SHUT_WR)
for c in held:
    c.settimeout(20)
    try:
        while c.recv(4096): pass
    except OSError: pass  # a reset is the server's end too
    c.close()
def served():
    if mode == "echo":
        c = socket.create_connection(("127.0.0.1", port)); c.settimeout(10); c.sendall(b"ping")
        return c.recv(10) == b"ping"
    if mode == "socks":
        c = socket.create_connection(("127.0.0.1", port)); c.settimeout(10); c.sendall(b"\\x05\\x01\\x00")
        return c.recv(10) == b"\\x05\\x00"
    a = socket.create_connection(("127.0.0.1", port)); a.settimeout(10)
    b = socket.create_connection(("127.0.0.1", port))
    got = b""
    while b"joined" not in got:
        got += a.recv(1000)
    return True
print(spent, served(), flush=True)`,
      // Under an emulator the JIT's and the translator's warm-up burn CPU for a
      // few seconds after the clients arrive: the least of 4 windows, not the first.
      [port, mode, String(child.pid), EMULATED ? "4" : "1"],
      { timeoutMs: 60_000 },
    );
    const [spent, served] = r.stdout.trim().split(" ");
    return { ticks: Number(spent), served: served === "True", stderr: err + r.stderr };
  } finally {
    process.kill(child.pid!, "SIGTERM");
    await exited;
  }
}

for (
  const [script, args, mode] of [
    ["echo_server.ts", [], "echo"],
    ["chat_server.ts", [], "chat"],
    ["tcp_proxy.ts", ["-t", "TARGET"], "echo"],
    ["socks5_proxy.ts", [], "socks"],
  ] as const
) {
  test(`examples/${script} at the fd limit sleeps instead of spinning, says so once, and serves again`, async () => {
    const target = mode === "echo" && script === "tcp_proxy.ts" ? await start("echo_server.ts", []) : null;
    try {
      const argv = args.map((a) => a === "TARGET" ? `127.0.0.1:${target!.port}` : a);
      const r = await atFdLimit(script, argv, mode);
      assert.ok(r.ticks <= 20, `${r.ticks} CPU ticks in a second at the limit (a spin is ~100)`);
      assert.ok(r.served, `a new client was served once fds were free: ${r.stderr}`);
      const warnings = r.stderr.match(new RegExp(STR.EMFILE, "g"))?.length ?? 0;
      assert.ok(warnings >= 1 && warnings <= 3, `warned ${warnings} times:\n${r.stderr}`);
      assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
    } finally {
      await target?.stop();
    }
  });
}

test("examples/port_scan.ts with --concurrency above the fd limit lowers it and finishes", async () => {
  const gone = closedPort();
  const r = await run("sh", [
    "-c",
    `ulimit -n 64; exec ${
      shellCommand("port_scan.ts", ["127.0.0.1", "-p", `1-3000,${gone}`, "--concurrency", "500", "--json"])
    }`,
  ], { timeoutMs: 60_000 });
  const result = JSON.parse(r.stdout);
  assert.equal(result.open.length + result.closed.length + result.filtered.length, 3001, r.stderr);
  assert.ok(result.closed.includes(gone));
  assert.match(r.stderr, new RegExp(`port_scan: socket: ${STR.EMFILE}; going on with \\d+ probes at once`));
});

// ---------------------------------------------------------------- tcp_proxy and chat

/** Connects `n` Python clients one after another; each must be closed by the server (EOF), not left waiting. */
async function assertClientsClosed(port: number, n: number): Promise<void> {
  const r = await python(
    `import socket, sys
for _ in range(int(sys.argv[2])):
    c = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); c.settimeout(10)
    print(c.recv(10) == b"", end=" ")`,
    [String(port), String(n)],
  );
  assert.equal(r.stdout.trim(), Array(n).fill("True").join(" "), r.stderr);
}

test("examples/tcp_proxy.ts with an unresolvable target logs it, closes clients and keeps running", {
  skip: localResolverUnavailable(),
}, () =>
  withLocalResolver(async (prefix) => {
    const proxy = await startExample(
      ex("tcp_proxy.ts"),
      ["-t", "no-such-host.invalid:80"],
      "stdout",
      undefined,
      prefix,
    );
    try {
      await assertClientsClosed(proxy.port, 3);
      assert.match(proxy.errors(), /tcp_proxy: cannot resolve the target: no-such-host\.invalid/);
      assert.equal(proxy.child.exitCode, null, "still running");
      const exited = new Promise((resolve) => proxy.child.on("exit", resolve));
      process.kill(proxy.child.pid!, "SIGTERM");
      assert.equal(await exited, 0);
      assert.doesNotMatch(proxy.errors(), /^\s+at /m);
    } finally {
      await proxy.stop();
    }
  }));

test("examples/tcp_proxy.ts with a target that refuses logs each failure and keeps serving", async () => {
  const gone = closedPort();
  const proxy = await start("tcp_proxy.ts", ["-t", `127.0.0.1:${gone}`]);
  try {
    await assertClientsClosed(proxy.port, 3);
    await until("the log", () => (proxy.errors().match(new RegExp(STR.ECONNREFUSED, "g"))?.length ?? 0) >= 3);
    assert.equal(proxy.child.exitCode, null, "still running");
  } finally {
    await proxy.stop();
  }
});

test("examples/chat_server.ts drops a client whose line passes --max-line, and the room goes on", async () => {
  const size = LONG ? 100 << 20 : 10 << 20;
  const chat = await start("chat_server.ts", ["--max-line", "65536"]);
  try {
    const r = await python(
      `import socket, sys, time
port, size = int(sys.argv[1]), int(sys.argv[2])
def join():
    c = socket.create_connection(("127.0.0.1", port)); c.settimeout(30); return c
def read_until(c, word):
    got = b""
    while word not in got:
        b = c.recv(65536)
        if not b: break
        got += b
    return got
a, b, c = join(), join(), join()
read_until(b, b"joined")
chunk = b"x" * 65536
sent = 0
try:
    while sent < size:
        a.sendall(chunk); sent += len(chunk)
except OSError:
    pass
told = read_until(a, b"too long")
print(b"line too long" in told, end=" ")
left = read_until(b, b"left (line too long)")
print(b"left (line too long)" in left, end=" ")
t0 = time.time(); c.sendall(b"ping\\n"); got = read_until(b, b"ping")
print(b"ping" in got, round(time.time() - t0, 3))`,
      [String(chat.port), String(size)],
      { timeoutMs: 120_000 },
    );
    const [told, left, ping, seconds] = r.stdout.trim().split(" ");
    assert.equal(told, "True", `the sender is told: ${r.stderr}`);
    assert.equal(left, "True", "the others hear why it left");
    assert.equal(ping, "True");
    assert.ok(Number(seconds) < 2, `a ping took ${seconds} s after the long line`);
  } finally {
    await chat.stop();
  }
});

test("examples/chat_server.ts delivers a long line that arrives in small pieces whole", async () => {
  const chat = await start("chat_server.ts", [
    "--max-line",
    String(8 << 20),
    "--backlog-limit",
    String(16 << 20),
  ]);
  try {
    const r = await python(
      `import socket, sys
port = int(sys.argv[1])
a = socket.create_connection(("127.0.0.1", port)); b = socket.create_connection(("127.0.0.1", port))
b.settimeout(60)
got = b""
while b"joined" not in got:
    got += b.recv(1000)
line = bytes(48 + i % 10 for i in range(4 << 20))
for i in range(0, len(line), 1000):
    a.sendall(line[i:i + 1000])
a.sendall(b"\\n")
got = b""
while not got.endswith(b"\\n") or len(got) < len(line):
    got += b.recv(1 << 20)
body = got[got.index(b"] ") + 2:-1]
print(len(body), body == line)`,
      [String(chat.port)],
      { timeoutMs: 120_000 },
    );
    assert.equal(r.stdout.trim(), `${4 << 20} True`, r.stderr);
  } finally {
    await chat.stop();
  }
});

// ---------------------------------------------------------------- IPv6

test("servers listen on ::1, and on :: for IPv6 and IPv4 clients alike", {
  skip: IPV6 ? undefined : "no IPv6 loopback",
}, async () => {
  for (const [host, clients] of [["::1", ["::1"]], ["::", ["::1", "127.0.0.1"]]] as const) {
    const server = await start("echo_server.ts", ["-H", host]);
    try {
      assert.match(server.output(), new RegExp(`listening on \\[${host.replaceAll(":", "\\:")}\\]:\\d+`));
      for (const client of clients) {
        const r = await python(
          `import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2]))); c.settimeout(10); c.sendall(b"v6?")
print(c.recv(10).decode())`,
          [client, String(server.port)],
        );
        assert.equal(r.stdout.trim(), "v6?", `${host} <- ${client}: ${r.stderr}`);
      }
    } finally {
      await server.stop();
    }
  }
});

test(
  "socket.createServer: an IPv6 host means AF_INET6; dual stack takes IPv4 too; dualstackIpv6 needs AF_INET6",
  {
    skip: IPV6 ? undefined : "no IPv6 loopback",
  },
  () => {
    using v6 = socket.createServer(["::1", 0]);
    assert.equal(v6.family, socket.AF_INET6);
    using v4 = socket.createServer(["127.0.0.1", 0]);
    assert.equal(v4.family, socket.AF_INET);
    assert.throws(() => socket.createServer(["127.0.0.1", 0], { dualstackIpv6: true }), RangeError);
    assert.equal(socket.hasDualstackIpv6(), true);
    using dual = socket.createServer(["::", 0], { dualstackIpv6: true });
    const port = (dual.getsockname() as [string, number])[1];
    using _client = socket.createConnection(["127.0.0.1", port], 5);
    dual.setTimeout(5);
    const [conn, peer] = dual.accept();
    conn.close();
    assert.equal((peer as [string, number])[0], "::ffff:127.0.0.1");
  },
);

// ---------------------------------------------------------------- socks5

test("socks5_proxy.ts parses RFC 1928 greetings and requests, and builds replies", () => {
  assert.deepEqual(parseGreeting(new Uint8Array([5, 1])), { need: true });
  assert.deepEqual(parseGreeting(new Uint8Array([5, 2, 2, 0])), { value: true, used: 4 });
  assert.deepEqual(parseGreeting(new Uint8Array([5, 1, 2])), { value: false, used: 3 });
  assert.deepEqual(parseGreeting(new Uint8Array([4, 1, 0])), { fail: REP.failure });
  const v4 = parseRequest(new Uint8Array([5, 1, 0, 1, 10, 0, 0, 1, 0x1f, 0x90]));
  assert.deepEqual(v4, {
    value: { host: "10.0.0.1", port: 8080, resolved: { family: socket.AF_INET, ip: "10.0.0.1" } },
    used: 10,
  });
  const name = new TextEncoder().encode("example.internal");
  const d = parseRequest(new Uint8Array([5, 1, 0, 3, name.length, ...name, 0, 80]));
  assert.deepEqual(d, {
    value: { host: "example.internal", port: 80, resolved: null },
    used: 7 + name.length,
  });
  assert.deepEqual(parseRequest(new Uint8Array([5, 1, 0, 3, 9, 97])), { need: true });
  assert.deepEqual(parseRequest(new Uint8Array([5, 2, 0, 1, 1, 2, 3, 4, 0, 80])), {
    fail: REP.commandNotSupported,
  });
  assert.deepEqual(parseRequest(new Uint8Array([5, 1, 0, 9, 1, 2, 3, 4, 0, 80])), {
    fail: REP.addressTypeNotSupported,
  });
  assert.deepEqual(
    reply(REP.succeeded, ["127.0.0.1", 1080]),
    new Uint8Array([5, 0, 0, 1, 127, 0, 0, 1, 4, 56]),
  );
  assert.deepEqual(reply(REP.refused).subarray(0, 4), new Uint8Array([5, 5, 0, 1]));
  assert.equal(reply(REP.succeeded, ["::1", 1, 0, 0]).length, 22);
});

test(
  "socks5_proxy.ts serves curl --socks5-hostname: concurrent downloads byte for byte, names, IPv4 and IPv6",
  {
    skip: HAVE_CURL ? undefined : "curl not installed",
  },
  async () => {
    const dir = scratchDir("socks-");
    const file = new Uint8Array(3 << 20);
    for (let i = 0; i < file.length; i++) file[i] = (i * 2654435761) >>> 24;
    writeFileSync(join(dir, "data.bin"), file);
    const expected = (await run("sha256sum", [join(dir, "data.bin")])).stdout.split(" ")[0];
    const http = spawn("python3", [
      "-c",
      `import http.server, socketserver, socket, sys, os
os.chdir(sys.argv[1])
class V6(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6
    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0); super().server_bind()
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
fam = sys.argv[2]
srv = (V6 if fam == "6" else http.server.ThreadingHTTPServer)(("::" if fam == "6" else "127.0.0.1", 0), Quiet)
print(srv.server_address[1], flush=True); srv.serve_forever()`,
      dir,
      IPV6 ? "6" : "4",
    ]);
    const proxy = await start("socks5_proxy.ts", ["--stats"]);
    try {
      const httpPort = (await firstLine(http)).trim();
      const curl = (url: string, mode = "--socks5-hostname") =>
        run("sh", ["-c", `curl -sS -m 60 ${mode} 127.0.0.1:${proxy.port} '${url}' | sha256sum`], {
          timeoutMs: 90_000,
        });
      const urls = [`http://localhost:${httpPort}/data.bin`, `http://127.0.0.1:${httpPort}/data.bin`];
      if (IPV6) urls.push(`http://[::1]:${httpPort}/data.bin`);
      const results = await Promise.all([
        ...Array.from({ length: 10 }, () => curl(urls[0]!)),
        ...urls.map((u) => curl(u)),
        curl(urls[1]!, "--socks5"),
      ]);
      for (const r of results) assert.equal(r.stdout.split(" ")[0], expected, r.stderr);
      // A port that refuses: curl is told, the proxy goes on (a name that does
      // not resolve: the test after this one, with a resolver on loopback).
      const refused = await curlThrough(proxy.port, "--socks5", `http://127.0.0.1:${closedPort()}/`);
      assert.equal(refused.code, 97, refused.stderr);
      const again = await curl(urls[1]!);
      assert.equal(again.stdout.split(" ")[0], expected);
      await until(
        "stats lines",
        () => (proxy.output().match(/^closed /gm)?.length ?? 0) >= results.length + 1,
      );
      for (const m of proxy.output().matchAll(/max buffered (\d+)/g)) assert.ok(Number(m[1]) <= 262144);
    } finally {
      await proxy.stop();
      http.kill("SIGKILL");
    }
  },
);

test(
  "socks5_proxy.ts answers a name that does not resolve with a failure and goes on (a resolver on loopback)",
  {
    skip: HAVE_CURL ? localResolverUnavailable() : "curl not installed",
  },
  () =>
    withLocalResolver(async (prefix) => {
      const proxy = await startExample(ex("socks5_proxy.ts"), [], "stdout", undefined, prefix);
      try {
        const bad = await curlThrough(proxy.port, "--socks5-hostname", "http://no-such-host.invalid/");
        assert.equal(bad.code, 97, bad.stderr);
        assert.equal(proxy.child.exitCode, null, "still running");
      } finally {
        await proxy.stop();
      }
    }),
);

test("socks5_proxy.ts answers what it does not support as RFC 1928 says, and times out silent clients", async () => {
  const proxy = await start("socks5_proxy.ts", ["--handshake-timeout", "0.3"]);
  try {
    const r = await python(
      `import socket, sys, time
port = int(sys.argv[1])
def talk(*msgs):
    c = socket.create_connection(("127.0.0.1", port)); c.settimeout(10); out = []
    for m in msgs:
        c.sendall(m); out.append(c.recv(100))
    return out
print(talk(b"\\x05\\x01\\x02")[0].hex(), end=" ")  # only user/password offered
print(talk(b"\\x05\\x01\\x00", b"\\x05\\x02\\x00\\x01\\x7f\\x00\\x00\\x01\\x00\\x50")[1][:2].hex(), end=" ")  # BIND
print(talk(b"\\x05\\x01\\x00", b"\\x05\\x01\\x00\\x09\\x7f\\x00\\x00\\x01\\x00\\x50")[1][:2].hex(), end=" ")  # bad ATYP
c = socket.create_connection(("127.0.0.1", port)); c.settimeout(10); t0 = time.time()
print(c.recv(10) == b"", round(time.time() - t0, 1))`,
      [String(proxy.port)],
    );
    const [noAuth, bind, atyp, closed, seconds] = r.stdout.trim().split(" ");
    assert.equal(noAuth, "05ff", r.stderr);
    assert.equal(bind, "0507");
    assert.equal(atyp, "0508");
    assert.equal(closed, "True");
    assert.ok(Number(seconds) < 5, `closed after ${seconds} s`);
  } finally {
    await proxy.stop();
  }
});

// ---------------------------------------------------------------- small public additions

test("os.strerror gives the C library's text; OSError carries it as strerror", () => {
  assert.equal(os.strerror(ERRNO.ECONNREFUSED), "Connection refused");
  assert.equal(os.strerror(ERRNO.EBADF), "Bad file descriptor");
  assert.match(os.strerror(99999), /\S/, "an unknown number still has a text");
  try {
    os.close(1 << 20);
    assert.fail("closed a bad fd");
  } catch (e) {
    assert.equal((e as { strerror: string }).strerror, "Bad file descriptor");
  }
  assert.throws(() => os.strerror(1.5), RangeError);
  assert.throws(() => os.strerror("1" as unknown as number), TypeError);
});

// ---------------------------------------------------------------- ping and fd passing

/** Why `unshare -n` (a private network namespace, loopback only) cannot run here, or undefined. */
function netnsUnavailable(): string | undefined {
  const r = spawnSync("unshare", ["-n", "ip", "link", "set", "lo", "up"], { stdio: "pipe" });
  return r.error || r.status !== 0
    ? "needs a private network namespace (unshare -n, root, iproute2)"
    : undefined;
}

/** Runs an example in a fresh network namespace with loopback up; `setup` runs there first (sysctl). */
function runInNetns(script: string, args: string[], setup = ""): Promise<ChildResult> {
  return run("unshare", ["-n", "sh", "-c", `ip link set lo up; ${setup} exec ${shellCommand(script, args)}`]);
}

const PING_GROUPS = "sysctl -qw net.ipv4.ping_group_range='0 2147483647';";

test(
  "examples/ping.ts: iputils' lines and summary over IPv4 and IPv6, unprivileged (datagram) and raw sockets",
  {
    skip: netnsUnavailable(),
  },
  async () => {
    for (const [mode, setup] of [["datagram", PING_GROUPS], ["raw", ""]] as const) {
      for (const [flag, host, ttl] of [["-4", "127.0.0.1", "ttl"], ["-6", "::1", "hlim"]] as const) {
        const r = await runInNetns("ping.ts", [flag, "-c", "3", "-i", "0.05", host], setup);
        const what = `${mode} ${host}: ${r.stdout}${r.stderr}`;
        assert.equal(r.code, 0, what);
        const lines = r.stdout.trim().split("\n");
        assert.equal(lines[0], `PING ${host} (${host}) 56(${flag === "-4" ? 84 : 104}) bytes of data.`, what);
        for (let seq = 1; seq <= 3; seq++) {
          assert.match(
            lines[seq]!,
            new RegExp(
              `^64 bytes from ${
                host.replace(/\./g, "\\.")
              }: icmp_seq=${seq} ${ttl}=64 time=\\d+\\.\\d{3} ms$`,
            ),
            what,
          );
        }
        assert.equal(lines[5], `--- ${host} ping statistics ---`);
        assert.match(lines[6]!, /^3 packets transmitted, 3 received, 0% packet loss, time \d+ms$/);
        assert.match(lines[7]!, /^rtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms$/);
      }
    }
  },
);

test("examples/ping.ts: no replies is exit 1 with 100% loss; an unreachable network exit 2 in one line", {
  skip: netnsUnavailable(),
}, async () => {
  const silent = await runInNetns(
    "ping.ts",
    ["-c", "2", "-i", "0.05", "-W", "0.3", "127.0.0.1"],
    `${PING_GROUPS} sysctl -qw net.ipv4.icmp_echo_ignore_all=1;`,
  );
  assert.equal(silent.code, 1, silent.stderr);
  assert.match(silent.stdout, /2 packets transmitted, 0 received, 100% packet loss/);
  assert.doesNotMatch(silent.stdout, /rtt min/);
  const unreachable = await runInNetns("ping.ts", ["-c", "1", "192.0.2.1"], PING_GROUPS);
  assert.equal(unreachable.code, 2, unreachable.stdout);
  assertOneLine(unreachable.stderr, new RegExp(`^ping: sendto: ${STR.ENETUNREACH}$`), "unreachable");
  const usage = await runEx("ping.ts", ["-c", "0", "127.0.0.1"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /-c must be an integer/);
});

test("examples/fd_pass.ts: the front hands TCP connections to two worker processes in turn and keeps no fd of them", async () => {
  const path = join(scratchDir("fd-pass-"), "handoff.sock");
  const front = await start("fd_pass.ts", ["serve", "-p", "0", "--unix", path]);
  const workers: Started[] = [];
  const client = (n: number) =>
    python(
      `import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rwb")
first = f.readline().decode().strip()
if first.startswith("served by"):
    s.sendall(b"line %s\\n" % sys.argv[2].encode()); print(first, "|", f.readline().decode().strip())
else:
    print(first)`,
      [String(front.port), String(n)],
    );
  try {
    const none = await client(0);
    assert.equal(none.stdout.trim(), "no worker", none.stderr);
    for (let i = 0; i < 2; i++) {
      const [cmd, argv] = runtimeCommand(ex("fd_pass.ts"), ["worker", "--unix", path]);
      const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d: Uint8Array) => out += text(d));
      const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
      workers.push({
        child,
        port: 0,
        output: () => out,
        errors: () => "",
        stop: async () => {
          child.kill("SIGKILL");
          await closed;
          return out;
        },
      });
      await until(`worker ${i + 1} to join`, () => front.output().includes(`worker ${i + 1} joined`));
    }
    // Counted by a child: Deno reads /proc/PID only with --allow-all.
    const fdsOf = (pid: number) =>
      Number(spawnSync("sh", ["-c", `ls /proc/${pid}/fd | wc -l`]).stdout.toString());
    const fdsBefore = fdsOf(front.child.pid!);
    const served: string[] = [];
    for (let n = 1; n <= 4; n++) {
      const r = await client(n);
      assert.equal(r.code, 0, r.stderr);
      const m = /^served by worker (\d+) \| line (\d)$/.exec(r.stdout.trim());
      assert.ok(m, r.stdout);
      assert.equal(m[2], String(n), "the worker echoes the client's own line");
      served.push(m[1]!);
    }
    const pids = new Set(served);
    assert.deepEqual(pids, new Set(workers.map((w) => String(w.child.pid))), "both workers served, in turn");
    assert.notEqual(served[0], served[1]);
    assert.equal(fdsOf(front.child.pid!), fdsBefore, "the front kept no connection's fd");
  } finally {
    for (const w of workers) await w.stop();
    await front.stop();
  }
});
