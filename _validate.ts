/**
 * Checks at the public boundary: nothing unchecked derived from user input
 * reaches libc.
 *
 * @module
 */

/** The largest fd number: C's `int` range. */
const FD_MAX = 0x7fffffff;

/** Returns `fd` as an int if it is a valid fd number; throws TypeError/RangeError otherwise. */
export function checkFd(fd: unknown, what = "file descriptor"): number {
  if (typeof fd !== "number") throw new TypeError(`Invalid ${what}: ${String(fd)}`);
  if (!Number.isInteger(fd) || fd < 0 || fd > FD_MAX) {
    throw new RangeError(`Invalid ${what}: ${fd}`);
  }
  return fd | 0; // -0 becomes 0
}

/** Returns `n` if it is a non-negative safe integer; throws TypeError/RangeError otherwise. */
export function checkSize(n: unknown, what: string): number {
  if (typeof n !== "number") throw new TypeError(`Invalid ${what}: ${String(n)}`);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Invalid ${what}: ${n}`);
  return n;
}

/** Returns a C int argument, or throws TypeError/RangeError. */
export function checkInt(n: unknown, what: string): number {
  if (typeof n !== "number") throw new TypeError(`Invalid ${what}: ${String(n)}`);
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) {
    throw new RangeError(`Invalid ${what}: ${n}`);
  }
  return n | 0;
}

/** A NUL-terminated UTF-8 copy of a string for C; refuses embedded NULs. */
export function toCString(s: unknown, what: string): Uint8Array {
  if (typeof s !== "string") throw new TypeError(`Invalid ${what}: ${String(s)}`);
  if (s.includes("\0")) throw new TypeError(`Invalid ${what}: embedded null character`);
  const bytes = new TextEncoder().encode(s);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}
