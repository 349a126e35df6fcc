#!/usr/bin/env node
// `npm run bench`: the yardstick run. Builds shared/bench, measures
// examples/echo_server.ts under Deno and Bun next to every peer echo server
// (run-peers.sh, REPEAT=3 medians), then the select() cost of every backend on
// both runtimes next to C and Python, register/modify/unregister costs, and
// bytes allocated per select(). Prints markdown tables; nothing here is a test.
//
//   env: SHARED_BENCH (default ../shared/bench), REPEAT (3), BENCH_SECONDS (3),
//        SERVERS (default: every peer plus ts_deno[_sync|_floor] ts_bun[_sync|_floor]), PARTS ("peers select async";
//        "idle" adds idle connections: IDLE_CONNS (15000), IDLE_SERVERS (c_epoll py_selectors ts_deno_sync ts_bun_sync);
//        "wake" adds bench/wake.ts (one sleeping wait: select(), selectAsync() on each waiter;
//        WAKE_ROUNDS (20000), WAKE_PAUSE_US (50)); ts_*_thread servers run the async loop on the
//        off-thread waiter (SELECTORS_WAITER=thread);
//        "tls" adds bench/tls.ts next to bench/tls.py, and bench/tls_floor.ts (the runtimes' own floor):
//        TLS_HANDSHAKES (1000), TLS_TRIPS (50000);
//        "pairs" adds the quiet scenario in paired rounds, CPU in nanoseconds: PAIR_SERVERS
//        (py_selectors ts_deno_floor ts_deno_sync ts_bun_floor ts_bun_sync), PAIR_ROUNDS (10),
//        PAIR_SECONDS (4), PAIR_WARM (30), PAIR_THINK_US (50; 0 reads scenario a on warm servers); and each fresh server's one-off cost, the CPU its
//        threads other than the main one spent while it warmed up, mostly the engine's JIT)
//
// ts_*_floor is bench/echo_floor.ts: the same three system calls per round trip
// as the C server, straight through the runtime's own FFI (bench/_raw_libc.ts),
// with no selector or socket object. C -> floor is the runtime's cost; floor ->
// ts_*_sync is ours.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { makeCa, makeSigned } from "./_certs.mjs";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const shared = resolve(process.env.SHARED_BENCH ?? join(root, "..", "shared", "bench"));
if (!existsSync(join(shared, "run-peers.sh"))) {
  console.error(`bench: no yardstick at ${shared} (set SHARED_BENCH to the shared/bench folder)`);
  process.exit(2);
}
const deno = join(root, "node_modules", ".bin", "deno");
const bun = join(root, "node_modules", ".bin", "bun");
const echo = join(root, "examples", "echo_server.ts");
const floor = join(root, "bench", "echo_floor.ts");
const results = mkdtempSync(join(tmpdir(), "ffi-selectors-bench-"));
const parts = process.env.PARTS ?? "peers select async";
const env = {
  ...process.env,
  DENO: deno,
  BUN: bun,
  REPEAT: process.env.REPEAT ?? "3",
  RESULTS_DIR: results,
  SERVERS: process.env.SERVERS ??
    "c_epoll py_selectors node bun deno ts_deno ts_deno_sync ts_deno_floor ts_bun ts_bun_sync ts_bun_floor",
  // The echo server's default loop is selectAsync(); --sync is the blocking select() loop.
  CMD_ts_deno: `${deno} run --allow-ffi --allow-env ${echo}`,
  CMD_ts_bun: `${bun} ${echo}`,
  CMD_ts_deno_sync: `${deno} run --allow-ffi --allow-env ${echo} --sync`,
  CMD_ts_bun_sync: `${bun} ${echo} --sync`,
  // The async loop on the off-thread waiter (`env` execs the runtime: the server keeps its PID).
  CMD_ts_deno_thread: `env SELECTORS_WAITER=thread ${deno} run --allow-ffi --allow-env ${echo}`,
  CMD_ts_bun_thread: `env SELECTORS_WAITER=thread ${bun} ${echo}`,
  CMD_ts_deno_floor: `${deno} run --allow-ffi --allow-env ${floor}`,
  CMD_ts_bun_floor: `${bun} ${floor}`,
  DENO_NO_UPDATE_CHECK: "1",
  PARTS: parts,
};
delete env.SELECTORS_BACKEND;

/** The median of `field` over the runs in `list` (the lower middle one of an even count); NaN for none. */
function median(list, field) {
  const v = list.map((r) => r[field]).sort((a, b) => a - b);
  return v.length ? v[(v.length - 1) >> 1] : NaN;
}

function run(cmd, args, opts = {}) {
  return new Promise((done) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "inherit"], ...opts });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (opts.echo !== false) process.stdout.write(d);
    });
    child.on("close", (code) => done([code, out]));
  });
}

/** The yardstick's own C and Python echo servers (each takes PORT [MAX_SECONDS]). */
const peerCommands = {
  c_epoll: join(shared, "build", "echo_epoll"),
  py_selectors: `python3 ${join(shared, "echo_selectors.py")}`,
};

/** Whether `taskset` is on the PATH (the parts pin as run-peers.sh does when it is). */
const hasTaskset = (process.env.PATH ?? "").split(":").some((dir) => dir && existsSync(join(dir, "taskset")));

/** `[command, args]` running `argv` on CPU `cpu` (through taskset when there is one). */
function pinned(cpu, argv) {
  return hasTaskset ? ["taskset", ["-c", String(cpu), ...argv]] : [argv[0], argv.slice(1)];
}

/** Whether something listens on 127.0.0.1:`port` within `seconds` (asked of `ss`: no connection is made). */
async function untilListening(port, seconds = 30) {
  for (const end = Date.now() + seconds * 1e3; Date.now() < end; await delay(100)) {
    if ((await run("ss", ["-ltnH", `sport = :${port}`], { echo: false }))[1].trim()) return true;
  }
  return false;
}

const machine = (await run("uname", ["-srm"], { echo: false }))[1].trim();
const cpus = (await run("nproc", [], { echo: false }))[1].trim();
console.log(`# ffi-selectors benchmark run, ${new Date().toISOString()}\n`);
console.log(`${machine}, ${cpus} CPUs; command: npm run bench (REPEAT=${env.REPEAT})\n`);

// 1. Peers and our echo server, through the yardstick's own script.
if (parts.includes("peers") || parts.includes("select")) {
  const [code] = await run(join(shared, "run-peers.sh"), []);
  if (code !== 0) {
    console.error(`bench: run-peers.sh failed (${code})`);
    process.exit(1);
  }
}

if (parts.includes("select")) {
  // 2. Our select cost, pinned like selectcost.c (CPU 1) when taskset exists.
  const script = join(root, "bench", "selectcost.ts");
  const runs = [
    ["ts-deno", [deno, "run", "--allow-ffi", "--allow-env", "--v8-flags=--expose-gc", script]],
    ["ts-bun", [bun, script]],
  ];
  const rows = [];
  for (const [name, argv] of runs) {
    console.error(`bench: selectcost ${name}`);
    const [c, out] = await run(...pinned(1, argv), { echo: false });
    if (c !== 0) console.error(`bench: selectcost ${name} exited ${c}`);
    writeFileSync(join(results, `selectcost-${name}.jsonl`), out);
    rows.push(...out.split("\n").filter(Boolean).map((l) => JSON.parse(l)));
  }
  const load = (file) =>
    existsSync(join(results, file))
      ? readFileSync(join(results, file), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l))
      : [];
  const c = load("selectcost-c.jsonl");
  const py = load("selectcost-py.jsonl");
  const fmt = (v) => (v === undefined || v === null ? "—" : Math.round(v).toLocaleString("en-US"));
  /** `v - base` with its sign, "—" when either is missing. */
  const signedDiff = (v, base) =>
    v === undefined || base === undefined ? "—" : `${v - base >= 0 ? "+" : ""}${Math.round(v - base)}`;
  const cell = (list, impl, api, n) =>
    list.find((r) => r.impl === impl && r.api === api && r.n === n && r.ns_per_call !== undefined)
      ?.ns_per_call;
  const ns = [...new Set(c.map((r) => r.n))].sort((a, b) => a - b);

  console.log("## select(0) with N idle fds + 1 ready fd: ns per call (median of 5 batches), same run\n");
  for (const api of ["epoll", "poll", "select"]) {
    console.log(`### ${api}\n`);
    console.log("| idle fds N | C | ts-deno | ts-bun | Python | ts-deno − C | ts-bun − C |");
    console.log("|---:|---:|---:|---:|---:|---:|---:|");
    for (const n of ns) {
      const vc = cell(c, "c", api, n), vd = cell(rows, "ts-deno", api, n), vb = cell(rows, "ts-bun", api, n);
      const vp = cell(py, "python", api, n);
      console.log(
        `| ${n.toLocaleString("en-US")} | ${fmt(vc)} | ${fmt(vd)} | ${fmt(vb)} | ${fmt(vp)} | ${
          signedDiff(vd, vc)
        } | ${signedDiff(vb, vc)} |`,
      );
    }
    console.log();
  }

  // The runtime's floor under epoll select(0): a bare epoll_wait(…, 0) through
  // the runtime's own FFI, timed in the same process, batch by batch with select(0).
  const ffi = (impl, n) =>
    rows.find((r) => r.impl === impl && r.api === "epoll" && r.n === n && r.ffi_ns_per_call !== undefined)
      ?.ffi_ns_per_call;
  console.log("### epoll: the FFI floor (a bare `epoll_wait(…, 0)` call), and what select(0) adds to it\n");
  console.log(
    "| idle fds N | C | ts-deno FFI floor | ts-deno select(0) − floor | ts-bun FFI floor | ts-bun select(0) − floor |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|");
  for (const n of ns) {
    const fd = ffi("ts-deno", n), fb = ffi("ts-bun", n);
    console.log(
      `| ${n.toLocaleString("en-US")} | ${fmt(cell(c, "c", "epoll", n))} | ${fmt(fd)} | ${
        signedDiff(cell(rows, "ts-deno", "epoll", n), fd)
      } | ${fmt(fb)} | ${signedDiff(cell(rows, "ts-bun", "epoll", n), fb)} |`,
    );
  }
  console.log();

  // C poll in a process with a second thread: Linux's fdget() then counts a
  // reference per fd per call, as it always does in a (multithreaded) runtime.
  const pollThreads = join(results, "poll_threads");
  const [gccCode] = await run("gcc", [
    "-O2",
    "-o",
    pollThreads,
    join(root, "bench", "poll_threads.c"),
    "-lpthread",
  ], {
    echo: false,
  });
  if (gccCode === 0) {
    const pollNs = [1, 100, 1000, 10000];
    const samples = new Map();
    for (let round = 0; round < 3; round++) {
      for (const threads of [1, 2]) {
        const [, out] = await run(...pinned(1, [pollThreads, String(threads), ...pollNs.map(String)]), {
          echo: false,
        });
        for (const r of out.split("\n").filter(Boolean).map((l) => JSON.parse(l))) {
          const k = `${r.threads}/${r.n}`;
          samples.set(k, [...(samples.get(k) ?? []), r.ns_per_call]);
        }
      }
    }
    const med = (threads, n) => {
      const v = [...(samples.get(`${threads}/${n}`) ?? [])].sort((a, b) => a - b);
      return v.length ? v[Math.floor(v.length / 2)] : undefined;
    };
    console.log(
      "### poll against C poll with a second thread (bench/poll_threads.c, median of 3 alternating runs)\n",
    );
    console.log(
      "| idle fds N | C, 1 thread | C, 2 threads | ts-deno | ts-bun | ts-deno / C 2 threads | ts-bun / C 2 threads |",
    );
    console.log("|---:|---:|---:|---:|---:|---:|---:|");
    for (const n of pollNs) {
      const c2 = med(2, n), vd = cell(rows, "ts-deno", "poll", n), vb = cell(rows, "ts-bun", "poll", n);
      const ratio = (v) => (v === undefined || c2 === undefined ? "—" : `${(v / c2).toFixed(2)}×`);
      console.log(
        `| ${n.toLocaleString("en-US")} | ${fmt(med(1, n))} | ${fmt(c2)} | ${fmt(vd)} | ${fmt(vb)} | ${
          ratio(vd)
        } | ${ratio(vb)} |`,
      );
    }
    console.log();
  } else console.error("bench: gcc failed on bench/poll_threads.c: no two-thread poll baseline");

  console.log("## register / modify (events change) / unregister: ns per call\n");
  console.log(
    "| backend | fds | ts-deno register | modify | unregister | ts-bun register | modify | unregister |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const api of ["epoll", "poll", "select"]) {
    const op = (impl, o) => rows.find((r) => r.impl === impl && r.api === api && r.op === o);
    const n = op("ts-deno", "register")?.n ?? op("ts-bun", "register")?.n;
    const v = (impl, o) => fmt(op(impl, o)?.ns_per_op);
    console.log(
      `| ${api} | ${n} | ${v("ts-deno", "register")} | ${v("ts-deno", "modify")} | ${
        v("ts-deno", "unregister")
      } | ${v("ts-bun", "register")} | ${v("ts-bun", "modify")} | ${v("ts-bun", "unregister")} |`,
    );
  }
  console.log();

  console.log("## Bytes allocated per select(0) call in steady state (100 idle fds)\n");
  console.log("| backend | ts-deno, 0 ready | ts-deno, 1 ready | ts-bun, 0 ready | ts-bun, 1 ready |");
  console.log("|---|---:|---:|---:|---:|");
  for (const api of ["epoll", "poll", "select"]) {
    const a = (impl, ready) =>
      fmt(rows.find((r) => r.impl === impl && r.api === api && r.alloc && r.ready === ready)?.bytes_per_call);
    console.log(
      `| ${api} | ${a("ts-deno", 0)} | ${a("ts-deno", 1)} | ${a("ts-bun", 0)} | ${a("ts-bun", 1)} |`,
    );
  }
  console.log(
    "\nDeno: V8 heapUsed growth over 2,000 calls; Bun: JSC heap capacity growth over 20,000 calls.",
  );
  console.log(
    "0 ready = the empty result array; 1 ready adds the result array and one [key, events] pair.\n",
  );
}
if (parts.includes("async")) {
  // 3. selectAsync: idle CPU, wake-up latency, wait+abort cycles (bench/async.ts).
  const script = join(root, "bench", "async.ts");
  console.log("## selectAsync(): idle CPU, wake-up latency, 10 000 wait+abort cycles\n");
  console.log(
    "| runtime | backend | idle 10 s: CPU % | peer write -> resolved p50 / p99 µs | wakeup() -> resolved p50 / p99 µs | fds | threads | RSS KiB |",
  );
  console.log("|---|---|---:|---:|---:|---:|---:|---:|");
  for (
    const [name, argv] of [["deno", [deno, "run", "--allow-all", "--v8-flags=--expose-gc", script]], ["bun", [
      bun,
      script,
    ]]]
  ) {
    console.error(`bench: async ${name}`);
    const [c, out] = await run(argv[0], argv.slice(1), { echo: false });
    if (c !== 0) {
      console.error(`bench: async ${name} exited ${c}`);
      continue;
    }
    const r = JSON.parse(out.trim().split("\n").pop());
    const { before, after } = r.abortCycles;
    console.log(
      `| ${r.runtime} | ${r.backend} | ${r.idle.cpuPercent} | ${r.peerWriteToResolveUs.p50} / ${r.peerWriteToResolveUs.p99} | ${r.wakeupToResolveUs.p50} / ${r.wakeupToResolveUs.p99} | ${before.fds} -> ${after.fds} | ${before.threads} -> ${after.threads} | ${before.rssKiB} -> ${after.rssKiB} |`,
    );
  }
  console.log();
}
if (parts.includes("wake")) {
  // 3b. One wait that sleeps (bench/wake.ts): a ping-pong with a peer that pauses
  // WAKE_PAUSE_US (50) before each answer, WAKE_ROUNDS (20 000) rounds; blocking
  // select(), selectAsync() on the off-thread waiter, selectAsync() on the runtime's
  // reactor (io_uring), and the runtime's own wake-up through its event loop with no
  // selector (the floor of a reactor waiter), REPEAT rounds interleaved, medians.
  const script = join(root, "bench", "wake.ts");
  const rounds = process.env.WAKE_ROUNDS ?? "20000", pause = process.env.WAKE_PAUSE_US ?? "50";
  const modes = [
    ["select()", "sync", {}],
    ["selectAsync(), thread waiter", "async", { SELECTORS_WAITER: "thread" }],
    ["selectAsync(), reactor waiter", "async", { SELECTORS_WAITER: "reactor" }],
    ["floor: the runtime's own wake-up, no selector", "floor", {}],
  ];
  const runtimes = [["deno", [deno, "run", "--allow-all", script]], ["bun", [bun, script]]];
  const got = new Map();
  for (let round = 0; round < Number(env.REPEAT); round++) {
    for (const [name, argv] of runtimes) {
      for (const [label, mode, extra] of modes) {
        console.error(`bench: wake ${name} ${label}, round ${round + 1}`);
        const [c, out] = await run(argv[0], [...argv.slice(1), mode, rounds, pause], {
          echo: false,
          env: { ...env, ...extra },
        });
        if (c !== 0) console.error(`bench: wake ${name} ${label} exited ${c}`);
        else {
          const key = `${name}|${label}`;
          if (!got.has(key)) got.set(key, []);
          got.get(key).push(JSON.parse(out.trim().split("\n").pop()));
        }
      }
    }
  }
  console.log(
    `## One wait that sleeps (bench/wake.ts: ${rounds} rounds, the peer pauses ${pause} µs; median of ${env.REPEAT}, interleaved)\n`,
  );
  console.log(
    "| runtime | wait | CPU µs per wait | user µs | wake-up p50 / p99 µs | other threads scheduled per wait | rounds/s |",
  );
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
  for (const [name] of runtimes) {
    for (const [label] of modes) {
      const list = got.get(`${name}|${label}`) ?? [];
      const f = (field, digits) => median(list, field).toFixed(digits);
      console.log(
        `| ${name} | ${label} | ${f("cpuUsPerWait", 1)} | ${f("userUsPerWait", 1)} | ${f("wakeP50Us", 1)} / ${
          f("wakeP99Us", 0)
        } | ${f("otherThreadRunsPerWait", 2)} | ${f("roundsPerSecond", 0)} |`,
      );
    }
  }
  console.log();
}
if (parts.includes("idle")) {
  // 4. Idle connections: the server's RSS growth per connection between 1 000
  // and IDLE_CONNS (15 000) connections, each after one 64-byte round trip
  // (bench/idle_client.py), and one round trip over all of them in turn (a
  // sweep). C and Python's selectors on the same load. Servers and client run
  // with a raised fd limit.
  const total = Number(process.env.IDLE_CONNS ?? 15000);
  const servers = (process.env.IDLE_SERVERS ?? "c_epoll py_selectors ts_deno_sync ts_bun_sync").split(" ");
  const commands = {
    ...peerCommands,
    ts_deno_sync: env.CMD_ts_deno_sync,
    ts_bun_sync: env.CMD_ts_bun_sync,
    ts_deno: env.CMD_ts_deno,
    ts_bun: env.CMD_ts_bun,
  };
  const client = join(root, "bench", "idle_client.py");
  if (!existsSync(commands.c_epoll)) await run(join(shared, "build.sh"), [], { echo: false });
  const rssOf = (pid) => {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
  };
  console.log(
    `## Idle connections: RSS per connection (1 000 -> ${total}) and a sweep of one round trip each\n`,
  );
  console.log(
    "| server | RSS at 1 000 (MiB) | RSS at " + total +
      " (MiB) | bytes per connection | sweep (ms) | µs per round trip |",
  );
  console.log("|---|---:|---:|---:|---:|---:|");
  const port0 = 20000 + Math.floor(Math.random() * 20000);
  for (const [i, name] of servers.entries()) {
    const port = port0 + i;
    console.error(`bench: idle ${name}`);
    const server = spawn("sh", ["-c", `ulimit -n ${total + 1000}; exec ${commands[name]} ${port} 600`], {
      env,
      stdio: ["ignore", "ignore", "inherit"],
    });
    if (!(await untilListening(port))) {
      console.error(`bench: idle ${name} did not start`);
      server.kill("SIGKILL");
      continue;
    }
    const c = spawn("sh", ["-c", `ulimit -n ${total + 1000}; exec python3 ${client} ${port} 1000 ${total}`], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    let buffered = "";
    const lines = [];
    let wake = null;
    c.stdout.on("data", (d) => {
      buffered += d;
      let at;
      while ((at = buffered.indexOf("\n")) >= 0) {
        lines.push(buffered.slice(0, at));
        buffered = buffered.slice(at + 1);
        wake?.();
      }
    });
    const next = async () => {
      while (lines.length === 0) await new Promise((r) => wake = r);
      return lines.shift();
    };
    await next(); // held 1000
    await new Promise((r) => setTimeout(r, 1000));
    const rss1 = rssOf(server.pid);
    c.stdin.write("\n");
    await next(); // held total
    await new Promise((r) => setTimeout(r, 1000));
    const rss2 = rssOf(server.pid);
    c.stdin.write("\n");
    const sweep = Number((await next()).split(" ")[1]);
    c.stdin.end();
    await new Promise((r) => c.on("close", r));
    server.kill("SIGKILL");
    await new Promise((r) => server.on("close", r));
    const per = Math.round((rss2 - rss1) / (total - 1000));
    const mib = (n) => (n / 1048576).toFixed(1);
    console.log(
      `| ${name} | ${mib(rss1)} | ${mib(rss2)} | ${per} | ${(sweep * 1000).toFixed(0)} | ${
        (sweep * 1e6 / total).toFixed(1)
      } |`,
    );
  }
  console.log();
}
if (parts.includes("tls")) {
  // bench/tls.ts under both runtimes next to bench/tls.py, REPEAT rounds interleaved
  // (deno, bun, python in each), on a CA and server certificate made as the tests make theirs.
  const ca = makeCa(results, "bench CA", "ca");
  const [cert, key] = makeSigned(results, "srv", "localhost", "DNS:localhost,IP:127.0.0.1");
  const files = [cert, key, ca];
  const counts = [process.env.TLS_HANDSHAKES ?? "1000", process.env.TLS_TRIPS ?? "50000"];
  const script = join(root, "bench", "tls.ts");
  const runs = [
    ["deno", deno, ["run", "-A", script]],
    ["bun", bun, [script]],
    ["python", process.env.PYTHON ?? "python3", [join(root, "bench", "tls.py")]],
  ];
  const got = { deno: [], bun: [], python: [] };
  // bench/tls_floor.ts: the runtime's own FFI doing the handshake's OpenSSL calls, next to the library, per runtime.
  const floorScript = join(root, "bench", "tls_floor.ts");
  const floors = [["deno", deno, ["run", "-A", floorScript]], ["bun", bun, [floorScript]]];
  for (let round = 0; round < Number(env.REPEAT); round++) {
    for (const [name, cmd, args] of runs) {
      console.error(`bench: tls ${name}, round ${round + 1}`);
      const [c, out] = await run(cmd, [...args, ...files, ...counts], { echo: false });
      if (c !== 0) console.error(`bench: tls ${name} exited ${c}`);
      else got[name].push(JSON.parse(out.trim().split("\n").at(-1)));
    }
    for (const [name, cmd, args] of floors) {
      console.error(`bench: tls floor ${name}, round ${round + 1}`);
      const [c, out] = await run(cmd, [...args, ...files], { echo: false });
      if (c !== 0) console.error(`bench: tls floor ${name} exited ${c}`);
      else Object.assign(got[name].at(-1) ?? {}, JSON.parse(out.trim().split("\n").at(-1)));
    }
  }
  const rows = [
    ["handshakes per second", "handshakesPerSecond", 0, true],
    ["CPU per handshake, ms", "handshakeCpuMs", 3, false],
    ["CPU per round trip over memory BIOs, µs", "rttCpuUs", 2, false],
    ["CPU per round trip over a socket pair, µs", "socketRttCpuUs", 2, false],
    ["wall per round trip over a socket pair, µs", "socketRttUs", 2, false],
  ];
  console.log(
    `## TLS next to Python's ssl (bench/tls.ts, bench/tls.py; median of ${env.REPEAT}, interleaved)\n`,
  );
  console.log("| | Deno | Bun | Python | Python/Deno | Python/Bun |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const [label, field, digits, higherIsBetter] of rows) {
    const [d, b, py] = ["deno", "bun", "python"].map((n) => median(got[n], field));
    // Ratios read "Python/ours >= 1.0 means at least Python's": inverted where higher is better.
    const ratio = (ours) => (higherIsBetter ? ours / py : py / ours).toFixed(2);
    console.log(
      `| ${label} | ${d.toFixed(digits)} | ${b.toFixed(digits)} | ${py.toFixed(digits)} | ${ratio(d)} | ${
        ratio(b)
      } |`,
    );
  }
  const floorRow = (label, field) => {
    const [d, b] = ["deno", "bun"].map((n) => median(got[n], field));
    console.log(`| ${label} | ${d.toFixed(0)} | ${b.toFixed(0)} | — | | |`);
  };
  floorRow(
    "runtime's floor: CPU per handshake pair, raw FFI, µs (bench/tls_floor.ts)",
    "floorHandshakeCpuUs",
  );
  floorRow(
    "the floor with the five exceptions Python's API raises per pair (an Error made and caught at each waiting step), µs",
    "floorWithErrorsHandshakeCpuUs",
  );
  floorRow("the library in the same process, µs", "libraryHandshakeCpuUs");
  {
    // Python's CPU per handshake pair next to the runtimes' floors, in µs: what the floor leaves the library.
    const py = median(got.python, "handshakeCpuMs") * 1e3;
    const [d, b] = ["deno", "bun"].map((n) =>
      (py / median(got[n], "floorWithErrorsHandshakeCpuUs")).toFixed(2)
    );
    console.log(
      `| Python's CPU per pair / the floor with exceptions | ${d} | ${b} | ${py.toFixed(0)} µs | | |`,
    );
  }
  console.log();
}
if (parts.includes("pairs")) {
  // 6. The quiet scenario (q: one connection, the load generator pausing 50 µs
  // after each echo) in paired rounds. Every server stays up (CPU 0, the load
  // generator on CPU 1, as run-peers.sh pins them), warmed first, then loaded in
  // turn PAIR_ROUNDS times: a noisy minute of the shared host hits every server
  // alike, and ratios are taken round by round. CPU is the server's own count in
  // nanoseconds (/proc/PID/task/*/schedstat, all its threads), not /proc's 10 ms
  // ticks, which are 0.5 µs per round trip in a 4 s round; the user share is
  // still from ticks (a mean over the rounds).
  const names =
    (process.env.PAIR_SERVERS ?? "py_selectors ts_deno_floor ts_deno_sync ts_bun_floor ts_bun_sync")
      .split(" ");
  const rounds = Number(process.env.PAIR_ROUNDS ?? 10);
  const seconds = Number(process.env.PAIR_SECONDS ?? 4);
  const warm = Number(process.env.PAIR_WARM ?? 30); // Deno's quiet server reaches its floor after ~25 s
  // The load generator's pause after each echo: 50 µs is scenario q; 0 is scenario a, read on servers
  // already warm (the yardstick's a runs first on a fresh server and pays the engine's start-up compile).
  const think = process.env.PAIR_THINK_US ?? "50";
  const scenario = think === "0" ? "a) one connection" : `q) one quiet connection (${think} µs pauses)`;
  const loadgen = join(shared, "build", "loadgen");
  if (!existsSync(loadgen)) await run(join(shared, "build.sh"), [], { echo: false });
  const freePort = () =>
    new Promise((done) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const { port } = s.address();
        s.close(() => done(port));
      });
    });
  /** User and system ticks from a /proc `stat` file. */
  const ticks = (path) => {
    const stat = readFileSync(path, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { user: Number(f[11]), system: Number(f[12]) };
  };
  /**
   * CPU nanoseconds of all the process's threads, its user and system ticks, and
   * the ticks of its threads other than the main one (the engine's compiler and
   * collector threads), ended ones included: JavaScriptCore's JIT threads exit
   * when idle, taking their schedstat with them, while the process's ticks keep
   * theirs.
   */
  const times = (pid) => {
    let ns = 0;
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]);
      } catch { /* a thread that just ended */ }
    }
    const all = ticks(`/proc/${pid}/stat`), main = ticks(`/proc/${pid}/task/${pid}/stat`);
    const others = all.user + all.system - main.user - main.system;
    return { ns, others, user: all.user, system: all.system };
  };
  const quiet = async (port, secs) => {
    const [code, out] = await run(
      ...pinned(1, [loadgen, "127.0.0.1", String(port), "1", "64", String(secs)]),
      {
        echo: false,
        env: { ...env, LOADGEN_THINK_US: think },
      },
    );
    if (code !== 0) throw new Error(`bench: loadgen exited ${code}`);
    return JSON.parse(out).rtts;
  };
  const servers = [];
  for (const name of names) {
    const command = peerCommands[name] ?? env[`CMD_${name}`];
    if (!command) throw new Error(`bench: no command for ${name}`);
    const port = await freePort();
    const child = spawn(...pinned(0, [...command.split(" "), String(port), "100000"]), {
      env,
      stdio: ["ignore", "ignore", "inherit"],
    });
    if (!(await untilListening(port))) throw new Error(`bench: pairs, ${name} did not start`);
    console.error(`bench: pairs, warming ${name} (${warm} s)`);
    const w0 = times(child.pid);
    await quiet(port, warm);
    const w1 = times(child.pid);
    // A fresh process's one-off cost: what its other threads spent while it warmed up (mostly the JIT).
    servers.push({ name, port, child, rounds: [], warmOthersMs: (w1.others - w0.others) * 10 }); // a tick is 10 ms
  }
  for (let r = 0; r < rounds; r++) {
    console.error(`bench: pairs, round ${r + 1} of ${rounds}`);
    for (const s of servers) {
      const t0 = times(s.child.pid);
      const rtts = await quiet(s.port, seconds);
      const t1 = times(s.child.pid);
      s.rounds.push({
        rtts,
        cpuUs: (t1.ns - t0.ns) / 1e3 / rtts,
        userUs: ((t1.user - t0.user) * 1e4) / rtts, // a tick is 10 ms
      });
    }
  }
  for (const s of servers) s.child.kill();
  const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
  const byName = Object.fromEntries(servers.map((s) => [s.name, s.rounds]));
  console.log(
    `## ${scenario}: paired rounds, ${rounds} rounds of ${seconds} s per server, in turn, after ${warm} s each (CPU from schedstat)\n`,
  );
  console.log(
    "| server | CPU µs per round trip, median | min - max | user µs (mean) | rtt/s (median) | warm-up: other threads, ms |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const s of servers) {
    const cpu = s.rounds.map((x) => x.cpuUs);
    console.log(
      `| ${s.name} | ${median(s.rounds, "cpuUs").toFixed(1)} | ${Math.min(...cpu).toFixed(1)} - ${
        Math.max(...cpu).toFixed(1)
      } | ${mean(s.rounds.map((x) => x.userUs)).toFixed(2)} | ${
        (median(s.rounds, "rtts") / seconds).toFixed(0)
      } | ${s.warmOthersMs.toFixed(0)} |`,
    );
  }
  console.log();
  /** The median over rounds of a's CPU / b's, and the mean user time of b over a's. */
  const paired = (a, b) => ({
    ratio: median(a.map((x, i) => ({ r: x.cpuUs / b[i].cpuUs })), "r"),
    userOver: mean(b.map((x) => x.userUs)) - mean(a.map((x) => x.userUs)),
  });
  console.log(
    "| runtime | floor CPU / ours (paired median) | Python CPU / ours (paired median) | user over the floor, µs |",
  );
  console.log("| --- | ---: | ---: | ---: |");
  for (const rt of ["deno", "bun"]) {
    const ours = byName[`ts_${rt}_sync`], fl = byName[`ts_${rt}_floor`], py = byName.py_selectors;
    if (!ours || !fl) continue;
    const f = paired(fl, ours);
    const p = py ? paired(py, ours).ratio.toFixed(3) : "—";
    console.log(`| ${rt} | ${f.ratio.toFixed(3)} | ${p} | ${f.userOver.toFixed(2)} |`);
  }
  console.log();
}
console.log(`raw results: ${results}`);
