/**
 * Faults, GC pressure, load and soak, in child processes. Short versions run
 * in CI; HARDENING_LONG=1 runs the long ones (100 000 GC cycles per backend,
 * 10 000 connections, a 60 s soak). Each test prints a "RELIABILITY" line
 * with its figures, which RELIABILITY.md quotes.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { unixTests } from "./_test.ts";

const test = unixTests("the fd limit is setrlimit's (Unix), and the load and soak peers are Python programs");
import { OS } from "../ffi/_host.ts";
import { here, run, runFixture, RUNTIME, runtimeCommand, text } from "./_helpers.ts";
import { EMULATED, scaledTimeout } from "./_budget.ts";

const LONG = process.env.HARDENING_LONG === "1";

function report(name: string, figures: unknown): void {
  console.log(`RELIABILITY ${RUNTIME} ${name} ${JSON.stringify(figures)}`);
}

function fixture(
  name: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  return runFixture(name, args, { env, timeoutMs: LONG ? 1_800_000 : 120_000 });
}

test("EMFILE: every call fails with OSError EMFILE, nothing leaks, and all works once fds are free", async () => {
  const r = await fixture("emfile.ts");
  report("emfile", r);
  assert.deepEqual(r.atLimit, {
    pipe: "EMFILE",
    selector: "EMFILE",
    socket: "EMFILE",
    socketpair: "EMFILE",
    accept: "EMFILE",
    dup: "EMFILE",
  });
  assert.equal(r.leaked, 0);
  assert.equal(r.recovered, true);
});

for (const backend of OS === "linux" ? ["epoll", "poll", "select"] : ["poll", "select"]) {
  // Deno's forced full GC takes ~2.5 ms: the long run gives epoll the full 100 000.
  const cycles = LONG ? (backend === "epoll" ? 100_000 : 20_000) : 600;
  test(`GC pressure: ${cycles} register/select cycles with a forced GC between calls stay exact (${backend})`, async () => {
    // The budget follows the measured cost of a cycle here (a forced GC is
    // ~1.7 ms natively, ~120 ms under qemu): 20 cycles first, then the run.
    const env = { SELECTORS_BACKEND: backend };
    const calibration = await fixture("gc_stress.ts", ["20"], env);
    const perCycleMs = (calibration.seconds as number) * 1000 / 20;
    const timeoutMs = scaledTimeout(perCycleMs, cycles, LONG ? 1_800_000 : 120_000);
    const r = await runFixture("gc_stress.ts", [String(cycles)], { env, timeoutMs });
    report(`gc-${backend}`, r);
    assert.equal(r.backend, backend);
    assert.equal(r.selects, cycles);
    assert.equal(r.errors, 0);
  });
}

/** Starts the echo server example with the soft fd limit raised to the hard one. */
async function echoServer(): Promise<{ port: number; pid: number; stop: () => Promise<void> }> {
  const [cmd, argv] = runtimeCommand(here("../examples/echo_server.ts"), ["--port", "0", "--quiet"]);
  const quoted = [cmd, ...argv].map((a) => `'${a}'`).join(" ");
  const child = spawn("sh", ["-c", `ulimit -Sn "$(ulimit -Hn)"; exec ${quoted}`], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d: Uint8Array) => out += text(d));
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  for (let i = 0; i < 1000 && !/listening on/.test(out); i++) await new Promise((r) => setTimeout(r, 10));
  const port = Number(/listening on [\d.]+:(\d+)/.exec(out)?.[1]);
  assert.ok(port > 0, `server did not start: ${out}`);
  return {
    port,
    pid: child.pid!,
    stop: async () => {
      child.kill("SIGKILL");
      await closed;
    },
  };
}

async function loadClient(
  port: number,
  conns: number,
  seconds: number,
  pid?: number,
): Promise<Record<string, unknown>> {
  const args = [here("fixtures/load_client.py"), "127.0.0.1", String(port), String(conns), String(seconds)];
  if (pid) args.push(String(pid));
  const r = await run("python3", args, { timeoutMs: (seconds + 300) * 1000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

const conns = LONG ? 10_000 : 1_000;
test(`load: ${conns} concurrent connections on the echo server, every byte verified`, async () => {
  const server = await echoServer();
  try {
    const r = await loadClient(server.port, conns, 1);
    report(`load-${conns}`, r);
    assert.equal(r.errors, 0);
    assert.ok((r.rtts as number) >= conns, `only ${r.rtts} round trips`);
  } finally {
    await server.stop();
  }
});

const soakSeconds = LONG ? 60 : 5;
test(`soak: ${soakSeconds} s at 200 connections, no lost or wrong byte, fds and RSS flat`, {
  skip: OS !== "linux" ? "reads /proc" : undefined,
}, async () => {
  const server = await echoServer();
  try {
    const r = await loadClient(server.port, 200, soakSeconds, server.pid);
    const first = r.first as { rss_kb: number; fds: number };
    const last = r.last as { rss_kb: number; fds: number };
    report(`soak-${soakSeconds}s`, r);
    assert.equal(r.errors, 0);
    assert.ok((r.rtts as number) > 200);
    assert.equal(last.fds, first.fds, "open fds unchanged");
    // Under an emulator, its translated-code cache (executable anonymous
    // memory that fills as code runs) is not the server's: leave it out.
    const rss = (s: { rss_kb: number; rss_noexec_kb: number }): number =>
      EMULATED ? s.rss_noexec_kb : s.rss_kb;
    const grew = rss(last as typeof last & { rss_noexec_kb: number }) -
      rss(first as typeof first & { rss_noexec_kb: number });
    assert.ok(
      grew < 32 * 1024,
      `RSS${EMULATED ? " (without the emulator's code cache)" : ""} grew by ${grew} KiB`,
    );
  } finally {
    await server.stop();
  }
});
