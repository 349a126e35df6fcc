/**
 * TEST-ONLY switches of the FFI layer. Nothing in the module imports this
 * file; only tests do. The library paths it accepts are loaded with the
 * same rights as libc: never point it at anything but the stand-ins that
 * `tests/fixtures/build.sh` builds.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { type KeventFlavour, setKqueueOverride } from "../ffi/mod.ts";
import { ARCH, LIBC, OS } from "../ffi/_host.ts";

/**
 * Makes `KqueueSelector` use the epoll-backed kqueue stand-in at `path`
 * (a kernel stand-in for machines without kqueue), with the given
 * `struct kevent` layout; `null` restores the system's kqueue.
 */
export function useKqueueStandIn(path: string | null, flavour: KeventFlavour = "darwin"): void {
  setKqueueOverride(path === null ? null : { path, flavour });
}

/** The target the stand-in is built for: an aarch64 or musl runtime needs a library built for it. */
const TARGET = `${ARCH}-${LIBC}`;

/** Where `tests/fixtures/build.sh TARGET` puts the stand-in of `flavour` for this runtime's target. */
export function standInLibrary(flavour: KeventFlavour): string {
  return new URL(`fixtures/build/${TARGET}/libkqueue_standin_${flavour}.so`, import.meta.url).pathname;
}

/**
 * Builds the stand-in for this target unless both flavours are there.
 *
 * @returns `undefined` when it is there, else why it is not (a skip reason).
 */
export function buildStandIn(): string | undefined {
  if (OS !== "linux") return "the stand-in is built on Linux only";
  if ((["darwin", "freebsd"] as const).every((f) => existsSync(standInLibrary(f)))) return undefined;
  const script = new URL("fixtures/build.sh", import.meta.url).pathname;
  const r = spawnSync("bash", [script, TARGET], { encoding: "utf8" });
  return r.status === 0 ? undefined : `cannot build the kqueue stand-in: ${r.stderr}`;
}
