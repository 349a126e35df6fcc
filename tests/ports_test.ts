/**
 * Small Python network scripts and their ports to this library, run against
 * the same real local servers: Python's http.server (HTTP/1.1 keep-alive),
 * dnsmasq (DNS over UDP) and redis-server (RESP over AF_UNIX). Each port must
 * print exactly what the Python script prints. (ICMP ping, multicast and fd
 * passing are in tools_test.ts, socket_module_test.ts and ancillary_test.ts.)
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { unixTests } from "./_test.ts";

const test = unixTests(
  "the reference programs run under Python against http.server, dnsmasq and redis-server (Unix peers)",
);
import { socket } from "../mod.ts";
import { here, run, runScript, scratchDir, text } from "./_helpers.ts";

function missing(tool: string, pkg: string): string | undefined {
  return spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0
    ? undefined
    : `needs ${tool} (Debian's ${pkg}; .ci/run installs it)`;
}

/** A TCP port on 127.0.0.1 that is free for UDP too (dnsmasq listens on both): bound on both, then closed. */
function freePort(): number {
  for (;;) {
    using tcp = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM);
    tcp.bind(["127.0.0.1", 0]);
    const port = (tcp.getsockname() as [string, number])[1];
    using udp = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
    try {
      udp.bind(["127.0.0.1", port]);
      return port;
    } catch {
      // taken for UDP: another port
    }
  }
}

/** Starts a server process and waits until `ready()` holds (polling, never a fixed sleep). */
async function serve(cmd: string, args: string[], ready: () => boolean): Promise<() => Promise<void>> {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d: Uint8Array) => err += text(d));
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const end = Date.now() + 30_000;
  while (!ready()) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`${cmd} did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return async () => {
    child.kill("SIGKILL");
    await closed;
  };
}

function accepts(port: number): boolean {
  try {
    using _c = socket.createConnection(["127.0.0.1", port], 1);
    return true;
  } catch {
    return false;
  }
}

/** Runs the Python script and its port with the same arguments; both must print the same. */
async function samePrint(name: string, args: string[]): Promise<string> {
  const py = await run("python3", [here(`fixtures/ports/${name}.py`), ...args]);
  assert.equal(py.code, 0, `python: ${py.stderr}`);
  const ts = await runScript(here(`fixtures/ports/${name}.ts`), args);
  assert.equal(ts.code, 0, `port: ${ts.stderr}`);
  assert.equal(ts.stdout, py.stdout);
  return py.stdout;
}

test("an HTTP/1.1 keep-alive client (makefile readline/read) prints what Python's prints, against http.server", async () => {
  const dir = scratchDir("http-");
  writeFileSync(join(dir, "small.txt"), "hello\n");
  writeFileSync(join(dir, "big.bin"), new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff));
  writeFileSync(join(dir, "empty"), "");
  const port = freePort();
  const stop = await serve(
    "python3",
    ["-m", "http.server", "--protocol", "HTTP/1.1", "--bind", "127.0.0.1", "--directory", dir, String(port)],
    () => accepts(port),
  );
  try {
    const out = await samePrint("http_keepalive", [
      String(port),
      "small.txt",
      "big.bin",
      "empty",
      "small.txt",
    ]);
    assert.match(out, /^HTTP\/1\.1 200 OK 6 /m);
    assert.match(out, /HTTP\/1\.1 200 OK 300000 /);
    assert.match(out, /one connection: True/);
  } finally {
    await stop();
  }
});

test("a DNS query over UDP (sendto/recvfrom) prints what Python's prints, against dnsmasq", {
  skip: missing("dnsmasq", "dnsmasq-base"),
}, async () => {
  const port = freePort();
  let up = false;
  const stop = await serve("dnsmasq", [
    "--keep-in-foreground",
    "--conf-file=/dev/null",
    "--no-resolv",
    "--no-hosts",
    "--bind-interfaces",
    "--listen-address=127.0.0.1",
    `--port=${port}`,
    "--user=root",
    "--pid-file=",
    "--address=/ported.test/192.0.2.55",
    "--log-facility=-",
  ], () => {
    // Ready when it answers: a query of ours, with a short timeout, polled.
    if (up) return true;
    const r = spawnSync("python3", [here("fixtures/ports/dns_query.py"), String(port), "ported.test"], {
      timeout: 2000,
    });
    return up = r.status === 0;
  });
  try {
    const out = await samePrint("dns_query", [String(port), "ported.test"]);
    assert.match(out, /^id matches: True rcode: 0 answers: 1 from 127\.0\.0\.1\nA 192\.0\.2\.55 ttl \d+\n$/);
    const none = await samePrint("dns_query", [String(port), "other.test"]);
    assert.match(none, /rcode: (5|3) answers: 0/);
  } finally {
    await stop();
  }
});

test("RESP over AF_UNIX (connect to a path, makefile) prints what Python's prints, against redis-server", {
  skip: missing("redis-server", "redis-server"),
}, async () => {
  const dir = scratchDir("redis-");
  const path = join(dir, "redis.sock");
  const stop = await serve("redis-server", [
    "--port",
    "0",
    "--unixsocket",
    path,
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
  ], () => {
    try {
      using c = new socket.Socket(socket.AF_UNIX, socket.SOCK_STREAM);
      c.connect(path);
      return true;
    } catch {
      return false;
    }
  });
  try {
    const out = await samePrint("redis_unix", [path]);
    assert.equal(out, "PONG\nOK\nhéllo wörld\n[1, 2, 3]\nNone\n2\n");
  } finally {
    await stop();
  }
});
