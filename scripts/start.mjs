#!/usr/bin/env node
// `npm start`: the echo server demo (examples/demo.ts) under Deno, then Bun.
// `npm start -- --serve [--port N] [--runtime deno|bun]`: just the echo server,
// in the foreground, for `nc 127.0.0.1 N`.
// Other arguments go to the demo (`npm start -- --seconds 5 --runtime bun`).
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { devBin } from "./_bin.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
let runtimes = ["deno", "bun"];
const ri = argv.indexOf("--runtime");
if (ri >= 0) {
  runtimes = [argv[ri + 1]];
  argv.splice(ri, 2);
}
if (!runtimes.every((r) => r === "deno" || r === "bun")) {
  console.error("--runtime must be deno or bun");
  process.exit(2);
}
const serve = argv.includes("--serve");
const rest = argv.filter((a) => a !== "--serve");
const script = join(root, "examples", serve ? "echo_server.ts" : "demo.ts");
if (serve) {
  runtimes = runtimes.slice(0, 1);
  if (!rest.includes("--port")) rest.push("--port", "1234");
}
const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1" };

let status = 0;
for (const runtime of runtimes) {
  const exe = devBin(root, runtime);
  const args = runtime === "deno"
    ? ["run", "--allow-ffi", "--allow-env", "--allow-run", "--allow-read", script, ...rest]
    : [script, ...rest];
  const r = spawnSync(exe, args, { stdio: "inherit", env });
  if (r.error) {
    console.error(`cannot run ${exe}: ${r.error.message} (run npm install first)`);
    process.exit(1);
  }
  status ||= r.status ?? 1;
  if (runtimes.length > 1) console.log();
}
process.exit(status);
