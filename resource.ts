/**
 * Resource limits in the shape of Python's `resource` module (the part a
 * network script needs: how many fds it may open).
 *
 * @example Raise the fd limit as far as allowed
 * ```ts ignore
 * import { resource } from "./mod.ts";
 * const [, hard] = resource.getrlimit(resource.RLIMIT_NOFILE);
 * resource.setrlimit(resource.RLIMIT_NOFILE, [hard, hard]);
 * ```
 *
 * @module
 */
import { checkInt } from "./_validate.ts";
import { RLIMIT_NOFILE as RESOURCE_NOFILE } from "./ffi/constants.ts";
import { lastError, libc } from "./ffi/mod.ts";
import { Rlimit } from "./ffi/structs.ts";

/** The most open fds (7 on Linux, 8 on macOS and the BSDs). */
export const RLIMIT_NOFILE: number = RESOURCE_NOFILE;
/** "No limit", as Python spells it. */
export const RLIM_INFINITY: number = -1;

const INFINITY_BITS = 0xffffffffffffffffn;

function fromC(v: bigint): number {
  return v === INFINITY_BITS || v > BigInt(Number.MAX_SAFE_INTEGER) ? RLIM_INFINITY : Number(v);
}

function toC(v: number): bigint {
  if (v === RLIM_INFINITY) return INFINITY_BITS;
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`Invalid limit: ${v}`);
  return BigInt(v);
}

/**
 * Reads a limit.
 *
 * @param resource Such as {@linkcode RLIMIT_NOFILE}.
 * @returns `[soft, hard]`; {@linkcode RLIM_INFINITY} for none.
 * @example
 * ```ts ignore
 * const [soft, hard] = resource.getrlimit(resource.RLIMIT_NOFILE);
 * ```
 */
export function getrlimit(resource: number): [number, number] {
  const r = new Rlimit();
  if (libc().getrlimit(checkInt(resource, "resource"), r.bytes) < 0) throw lastError("getrlimit");
  return [fromC(r.soft), fromC(r.hard)];
}

/**
 * Sets a limit; the soft one may rise up to the hard one.
 *
 * @param resource Such as {@linkcode RLIMIT_NOFILE}.
 * @param limits `[soft, hard]`.
 * @example
 * ```ts ignore
 * resource.setrlimit(resource.RLIMIT_NOFILE, [4096, hard]);
 * ```
 */
export function setrlimit(resource: number, limits: readonly [number, number]): void {
  const r = new Rlimit();
  r.soft = toC(limits[0]);
  r.hard = toC(limits[1]);
  if (libc().setrlimit(checkInt(resource, "resource"), r.bytes) < 0) throw lastError("setrlimit");
}
