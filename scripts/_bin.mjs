// Where a devDependency's program is. node_modules/.bin links to it on Unix;
// on Windows .bin holds .cmd shims, which Node spawns only through a shell,
// so the runtimes are taken from their packages directly there (deno's
// postinstall puts deno.exe beside its bin.cjs; bun ships bin/bun.exe), and
// other tools (tsc) through their .cmd shim with `shell: true` (see
// needsShell).
import { join } from "node:path";

const NATIVE = { deno: ["deno", "deno.exe"], bun: ["bun", "bin", "bun.exe"] };

/** The program `name` of node_modules under `root`. */
export function devBin(root, name) {
  if (process.platform !== "win32") return join(root, "node_modules", ".bin", name);
  const native = NATIVE[name];
  return native ? join(root, "node_modules", ...native) : join(root, "node_modules", ".bin", `${name}.cmd`);
}

/** Whether spawning `cmd` needs a shell (a Windows .cmd shim). */
export function needsShell(cmd) {
  return process.platform === "win32" && cmd.endsWith(".cmd");
}
