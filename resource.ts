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
import { checkInt, show } from "./_validate.ts";
import { RLIM_NLIMITS, RLIMIT_NOFILE as RESOURCE_NOFILE } from "./ffi/constants.ts";
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

function toC(v: unknown, what: string): bigint {
  if (typeof v !== "number") throw new TypeError(`Invalid ${what}: expected a number, got ${show(v)}`);
  if (v === RLIM_INFINITY) return INFINITY_BITS;
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new RangeError(`Invalid ${what}: ${show(v)}: must be >= 0 or RLIM_INFINITY`);
  }
  return BigInt(v);
}

/** A resource number this OS knows (Python: ValueError "invalid resource specified"). */
function checkResource(resource: unknown): number {
  const r = checkInt(resource, "resource");
  if (r < 0 || r >= RLIM_NLIMITS) {
    throw new RangeError(`Invalid resource: ${r}: must be 0-${RLIM_NLIMITS - 1}`);
  }
  return r;
}

const isArray = Array.isArray;

/**
 * Reads a limit.
 *
 * @param resource Such as {@linkcode RLIMIT_NOFILE}.
 * @returns `[soft, hard]`; {@linkcode RLIM_INFINITY} for none.
 * @throws {RangeError} For a resource number this OS does not have.
 * @example
 * ```ts ignore
 * const [soft, hard] = resource.getrlimit(resource.RLIMIT_NOFILE);
 * ```
 */
export function getrlimit(resource: number): [number, number] {
  const r = new Rlimit();
  if (libc().getrlimit(checkResource(resource), r.bytes) < 0) throw lastError("getrlimit");
  return [fromC(r.soft), fromC(r.hard)];
}

/**
 * Sets a limit; the soft one may rise up to the hard one.
 *
 * @param resource Such as {@linkcode RLIMIT_NOFILE}.
 * @param limits `[soft, hard]`: non-negative integers or {@linkcode RLIM_INFINITY}, soft <= hard.
 * @throws {TypeError} If `limits` is not an array, or a limit not a number.
 * @throws {RangeError} For another length, a bad limit, soft above hard, or an unknown resource
 *   (Python's ValueError), all before any system call.
 * @throws {OSError} EPERM when raising the hard limit is not allowed.
 * @example
 * ```ts ignore
 * resource.setrlimit(resource.RLIMIT_NOFILE, [4096, hard]);
 * ```
 */
export function setrlimit(resource: number, limits: readonly [number, number]): void {
  const res = checkResource(resource);
  if (!isArray(limits)) {
    throw new TypeError(`Invalid limits: expected a [soft, hard] pair, got ${show(limits)}`);
  }
  const length: unknown = limits.length; // read once: a proxy's trap could answer differently twice
  if (length !== 2) {
    throw new RangeError(
      `Invalid limits: expected a [soft, hard] pair, got an array of length ${show(length)}`,
    );
  }
  const r = new Rlimit();
  r.soft = toC(limits[0], "soft limit");
  r.hard = toC(limits[1], "hard limit");
  if (r.soft > r.hard) {
    throw new RangeError(`Invalid limits: the soft limit exceeds the hard limit`);
  }
  if (libc().setrlimit(res, r.bytes) < 0) throw lastError("setrlimit");
}
