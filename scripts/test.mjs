#!/usr/bin/env node
// The whole test run: static checks, then the same suite under Deno and under
// Bun (both from node_modules/.bin, never a global install). Ends with one
// line "N passed, N failed, N skipped" summed over the checks and both runtimes.
// TEST_DENO / TEST_BUN name other runtime binaries (scripts/platform.mjs runs
// the suite under the aarch64 and musl builds that way).
//
//   usage: node scripts/test.mjs [--only deno|bun|checks|runtimes]
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { devBin, needsShell } from "./_bin.mjs";

const { signals } = constants;
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => devBin(root, name);
const deno = process.env.TEST_DENO || bin("deno");
const bun = process.env.TEST_BUN || bin("bun");
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : null;
const env = { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };
delete env.SELECTORS_BACKEND;
delete env.SELECTORS_WAITER;

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
const skips = new Set();

/**
 * Fails when an example or a bench script imports a private module: they show
 * users the public API, so they may import only mod.ts, socket.ts, node: and
 * bun: built-ins, and modules of their own folder. Returns whether they do.
 */
function publicImportsCheck() {
  const bad = [];
  for (const dir of ["examples", "bench"]) {
    for (const file of readdirSync(join(root, dir)).filter((f) => f.endsWith(".ts"))) {
      const text = readFileSync(join(root, dir, file), "utf8");
      for (const m of text.matchAll(/(?:from|import|import\()\s*"([^"]+)"/g)) {
        const spec = m[1];
        const ok = spec.startsWith("node:") || spec.startsWith("bun:") || spec === "../mod.ts" ||
          spec === "../socket.ts" || spec === "../ssl.ts" ||
          /^\.\/[a-z_]+\.ts$/.test(spec); // a sibling in the same folder (its own helpers, another example)
        if (!ok) bad.push(`${dir}/${file} imports ${spec}`);
      }
    }
  }
  for (const b of bad) console.log(`private import: ${b}`);
  if (!bad.length) console.log("examples and bench use only mod.ts and socket.ts");
  return bad.length === 0;
}

function lastMatch(re, text) {
  const all = [...text.matchAll(re)];
  return all.length ? all[all.length - 1][1] : null;
}

/** Runs a command, echoing its output; resolves with [exit code, output, signal that killed it]. */
function run(cmd, args, extraEnv = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...env, ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
      shell: needsShell(cmd),
    });
    let out = "";
    const echo = (stream) => (d) => {
      out += d;
      stream.write(d);
    };
    child.stdout.on("data", echo(process.stdout));
    child.stderr.on("data", echo(process.stderr));
    child.on("error", (e) => resolve([127, String(e), null]));
    child.on("close", (code, signal) => resolve([code ?? 1, out, signal]));
  });
}

function checkInProcess(name, fn) {
  console.log(`\n### check: ${name}`);
  const ok = fn();
  if (ok) totals.passed++;
  else totals.failed++;
  lines.push(`check ${name}: ${ok ? "ok" : "FAILED"}`);
}

async function check(name, cmd, args) {
  console.log(`\n### check: ${name}`);
  const [code] = await run(cmd, args);
  if (code === 0) totals.passed++;
  else totals.failed++;
  lines.push(`check ${name}: ${code === 0 ? "ok" : `FAILED (exit ${code})`}`);
}

function count(re, text) {
  const all = [...text.matchAll(re)];
  return all.length ? Number(all[all.length - 1][1]) : null;
}

/** Where a runner that died stopped: the file it was in and the last test it started (or finished). */
function whereItDied(text, where) {
  const file = where.file(text) ?? "unknown file";
  const last = where.test(text);
  return `in ${file}${last ? `, ${last}` : ""}`;
}

async function suite(name, cmd, args, parse, where, extraEnv = {}) {
  console.log(`\n### tests: ${name}`);
  const [code, raw, signal] = await run(cmd, args, extraEnv);
  const out = raw.replace(/\x1b\[[0-9;]*m/g, "");
  for (const m of new Set(out.match(/^SKIP .*$/gm) ?? [])) skips.add(`${name}: ${m.slice(5)}`);
  const r = parse(out);
  if (r.passed === null || signal) {
    totals.failed++;
    // A wrapper (node_modules/.bin) reports a killed runtime as exit 128 + N.
    const bySignal = signal ??
      (code > 128 ? Object.keys(signals).find((k) => signals[k] === code - 128) : null);
    const how = bySignal ? `killed by ${bySignal}, exit ${code}` : `exit ${code}`;
    lines.push(`${name}: no summary (${how}) ${whereItDied(out, where)}: counted as 1 failure`);
    return;
  }
  // A runner that exits non-zero with no failed test (a crash after the run) still fails.
  const failed = r.failed + (code !== 0 && r.failed === 0 ? 1 : 0);
  totals.passed += r.passed;
  totals.failed += failed;
  totals.skipped += r.skipped;
  lines.push(`${name}: ${r.passed} passed, ${failed} failed, ${r.skipped} skipped (exit ${code})`);
  for (const t of r.failures ?? []) lines.push(`  failed: ${t}`);
}

if (!only || only === "checks") {
  await check("deno fmt --check", deno, ["fmt", "--check"]);
  await check("deno lint", deno, ["lint"]);
  await check("deno check", deno, [
    "check",
    "mod.ts",
    "socket.ts",
    "ssl.ts",
    "examples/",
    "tests/",
    "bench/",
  ]);
  await check("deno doc --lint", deno, ["doc", "--lint", "mod.ts", "socket.ts", "ssl.ts"]);
  // The API reference `npm run docs` makes: it builds, into a scratch folder.
  const docsDir = join(tmpdir(), `ffi-selectors-docs-${process.pid}`);
  await check("API reference (npm run docs)", process.execPath, [join(root, "scripts", "docs.mjs"), docsDir]);
  rmSync(docsDir, { recursive: true, force: true });
  await check("tsc --noEmit (@types/bun)", bin("tsc"), ["-p", "tsconfig.json"]);
  checkInProcess("examples and bench import only the public modules", publicImportsCheck);
  await check("package contents and consumers (npm pack, deno publish --dry-run)", process.execPath, [
    join(root, "scripts", "package.mjs"),
  ]);
}
/** The suite's files under Deno, with the permissions the tests need. */
const denoArgs = (files) => [
  "test",
  "--allow-ffi",
  "--allow-env",
  "--allow-run",
  "--allow-read",
  "--allow-write",
  "--allow-net",
  ...files,
];
const denoReport = [
  (t) => ({
    passed: count(/(\d+) passed/g, t),
    failed: count(/(\d+) failed/g, t) ?? 0,
    skipped: count(/(\d+) ignored/g, t) ?? 0,
    failures: [...new Set([...t.matchAll(/^(.+?) \.\.\. FAILED/gm)].map((m) => m[1]))],
  }),
  {
    file: (t) => lastMatch(/^running \d+ tests? from (\S+)/gm, t),
    test: (t) => {
      const started = lastMatch(/^(.+?) \.\.\.(?: |$)/gm, t);
      return started ? `test started last: "${started}"` : null;
    },
  },
];
/**
 * The async suite again with the waiter forced onto its other thread
 * (`SELECTORS_WAITER=thread`): where io_uring is allowed, the main run has
 * the runtime's reactor wake the waits (`_reactor.ts`), and the fallback
 * must keep passing too.
 */
const THREAD_WAITER = { SELECTORS_WAITER: "thread" };
if (!only || only === "deno" || only === "runtimes") {
  await suite("deno", deno, denoArgs(["tests/"]), ...denoReport);
  await suite(
    "deno, waiter on a thread",
    deno,
    denoArgs(["tests/async_test.ts", "tests/reactor_test.ts"]),
    ...denoReport,
    THREAD_WAITER,
  );
}
const bunReport = [
  (t) => ({
    passed: count(/^\s*(\d+) pass$/gm, t),
    failed: count(/^\s*(\d+) fail$/gm, t) ?? 0,
    skipped: count(/^\s*(\d+) skip$/gm, t) ?? 0,
    failures: [...new Set([...t.matchAll(/^\(fail\) (.+?)(?: \[[\d.]+m?s\])?$/gm)].map((m) => m[1]))],
  }),
  {
    file: (t) => lastMatch(/^(tests\/\S+\.ts):$/gm, t),
    // Bun names a test when it ends: the one after this one was running.
    test: (t) => {
      const done = lastMatch(/^\((?:pass|fail|skip)\) (.+?)(?: \[[\d.]+m?s\])?$/gm, t);
      return done ? `after "${done}"` : null;
    },
  },
];
if (!only || only === "bun" || only === "runtimes") {
  await suite("bun", bun, ["test", "--timeout", "120000"], ...bunReport);
  await suite(
    "bun, waiter on a thread",
    bun,
    ["test", "--timeout", "120000", "tests/async_test.ts", "tests/reactor_test.ts"],
    ...bunReport,
    THREAD_WAITER,
  );
}

console.log("\n### summary");
for (const skip of skips) console.log(`skipped: ${skip}`);
for (const line of lines) console.log(line);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed === 0 ? 0 : 1);
