#!/usr/bin/env node
// The API reference, generated from the JSDoc of the two entry points
// (mod.ts and socket.ts) with the devDependency's `deno doc --html`.
//
//   usage: node scripts/docs.mjs [OUTPUT_DIR]      (default docs/api)
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { devBin } from "./_bin.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(process.argv[2] ?? join(root, "docs", "api"));
const r = spawnSync(
  devBin(root, "deno"),
  ["doc", "--html", "--name=ffi-selectors", `--output=${out}`, "mod.ts", "socket.ts", "ssl.ts"],
  { cwd: root, stdio: "inherit", env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } },
);
if (r.status !== 0) process.exit(r.status ?? 1);
console.log(`API reference: ${join(out, "index.html")}`);
