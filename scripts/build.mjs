#!/usr/bin/env node
// Builds what the npm package ships: the TypeScript sources as JavaScript
// with .d.ts files, in dist/ (imports rewritten from .ts to .js). Deno does
// not strip types inside node_modules, so a package of .ts files cannot be
// imported with npm: specifiers; JSR gets the TypeScript sources instead.
// Run by `npm pack` (prepack).
//
//   usage: node scripts/build.mjs
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
rmSync(join(root, "dist"), { recursive: true, force: true });
const tsc = spawnSync(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});
process.exit(tsc.status ?? 1);
