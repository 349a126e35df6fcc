/**
 * The one place that knows which runtime, OS and CPU this is.
 *
 * Deno is tested first: it also defines `process` for Node compatibility.
 *
 * @module
 */

/** The JavaScript runtime. */
export type Runtime = "deno" | "bun" | "other";
/** The operating system, in Deno's spelling. */
export type HostOs = "linux" | "darwin" | "freebsd" | "netbsd" | "windows" | "other";
/** The CPU architecture, in Deno's spelling. */
export type HostArch = "x86_64" | "aarch64" | "other";

interface DenoLike {
  build: { os: string; arch: string; env?: string };
  env: { get(name: string): string | undefined };
  permissions: { querySync?(d: { name: "env"; variable: string }): { state: string } };
}
interface ProcessLike {
  platform: string;
  arch: string;
  env: Record<string, string | undefined>;
  report?: { getReport?(): { header?: { glibcVersionRuntime?: string } } };
}

const g = globalThis as { Deno?: DenoLike; Bun?: unknown; process?: ProcessLike };

/** The runtime this module runs on. */
export const RUNTIME: Runtime = g.Deno ? "deno" : g.Bun ? "bun" : "other";

function detectOs(): HostOs {
  const name = g.Deno?.build.os ?? g.process?.platform ?? "";
  switch (name) {
    case "linux":
    case "darwin":
    case "freebsd":
    case "netbsd":
    case "windows":
      return name;
    case "win32":
      return "windows";
    default:
      return "other";
  }
}

function detectArch(): HostArch {
  const name = g.Deno?.build.arch ?? g.process?.arch ?? "";
  if (name === "x86_64" || name === "x64") return "x86_64";
  if (name === "aarch64" || name === "arm64") return "aarch64";
  return "other";
}

/** The operating system this module runs on. */
export const OS: HostOs = detectOs();
/** The CPU architecture this module runs on. */
export const ARCH: HostArch = detectArch();

/** The C library: glibc or musl on Linux; "system" (the OS's own libc) elsewhere. */
export type HostLibc = "glibc" | "musl" | "system";

function detectLibc(): HostLibc {
  if (OS !== "linux") return "system";
  // Deno says how it was built ("gnu"; there is no musl build yet).
  if (g.Deno) return g.Deno.build.env === "musl" ? "musl" : "glibc";
  // Bun, like Node, reports the glibc it runs on, and nothing on musl (~0.5 ms, once).
  try {
    return g.process?.report?.getReport?.().header?.glibcVersionRuntime ? "glibc" : "musl";
  } catch {
    return "glibc";
  }
}

/** The C library this module's FFI calls go to. */
export const LIBC: HostLibc = detectLibc();

/**
 * Reads an environment variable without prompting: under Deno, only when `env`
 * permission for it is already granted; otherwise `undefined`.
 */
export function getEnv(name: string): string | undefined {
  const deno = g.Deno;
  if (deno) {
    const state = deno.permissions.querySync?.({ name: "env", variable: name }).state;
    if (state !== "granted") return undefined;
    return deno.env.get(name);
  }
  return g.process?.env[name];
}
