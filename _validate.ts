/**
 * Checks at the public boundary: nothing unchecked derived from user input
 * reaches libc, and every message about a bad value quotes it bounded and
 * exactly, without running any of the caller's code.
 *
 * @module
 */

/** The largest fd number: C's `int` range. */
const FD_MAX = 0x7fffffff;

/** The most characters of a string (or digits of a bigint) a message quotes. */
const SHOWN = 40;

// Captured at module load, before any user code can replace them: a message
// about a hostile value must not run that value's code, nor patched built-ins.
const symbolDescription = Reflect.getOwnPropertyDescriptor(Symbol.prototype, "description")!.get!;
const isArray = Array.isArray;
const isView = ArrayBuffer.isView;
const stringify = JSON.stringify;
const reflectApply = Reflect.apply;
const objectIs = Object.is;

function clip(s: string, unit: string): string {
  return s.length <= SHOWN ? s : `${s.slice(0, SHOWN)}… (${s.length} ${unit})`;
}

/**
 * A value as an error message quotes it: short (a 1 MB string shows its first
 * 40 characters and its length), exact (`5n` for a bigint, `"5"` for a
 * string, `-0`), and made without calling anything of the value's own (no
 * `toString`, `valueOf`, getters or proxy traps), so it never throws.
 *
 * @param value Anything a caller passed.
 * @returns Its description, such as `"5"`, `5n`, `-0`, `an array of 100000 elements`.
 */
export function show(value: unknown): string {
  switch (typeof value) {
    case "number":
      return objectIs(value, -0) ? "-0" : `${value}`;
    case "bigint":
      return `${clip(`${value}`, "digits")}n`;
    case "string":
      return value.length <= SHOWN
        ? stringify(value)
        : `${stringify(value.slice(0, SHOWN))}… (${value.length} characters)`;
    case "boolean":
    case "undefined":
      return `${value}`;
    case "symbol": {
      const d = reflectApply(symbolDescription, value, []) as string | undefined;
      return d === undefined ? "a symbol" : `a symbol (${clip(d, "characters")})`;
    }
    case "function":
      return "a function";
    default:
      if (value === null) return "null";
      try {
        if (isArray(value)) return "an array";
        if (isView(value)) return "a typed array or DataView";
      } catch { /* a revoked proxy */ }
      return "an object";
  }
}

/** "expected a number, got 5n" for a value of the wrong type. */
function wrongType(what: string, value: unknown, expected: string): TypeError {
  return new TypeError(`Invalid ${what}: expected ${expected}, got ${show(value)}`);
}

/**
 * Returns `fd` as an int if it is a valid fd number.
 *
 * @param fd The caller's value.
 * @param what Its name in messages.
 * @returns The fd (-0 becomes 0).
 * @throws {TypeError} For a non-number. @throws {RangeError} For a negative, fractional or too large number.
 */
export function checkFd(fd: unknown, what = "file descriptor"): number {
  if (typeof fd !== "number") throw wrongType(what, fd, "a number");
  if (!Number.isInteger(fd) || fd < 0 || fd > FD_MAX) {
    throw new RangeError(`Invalid ${what}: ${show(fd)}`);
  }
  return fd | 0; // -0 becomes 0
}

/**
 * Returns `n` if it is a non-negative safe integer.
 *
 * @param n The caller's value.
 * @param what Its name in messages.
 * @returns `n`.
 * @throws {TypeError} For a non-number. @throws {RangeError} For a negative, fractional or unsafe number.
 */
export function checkSize(n: unknown, what: string): number {
  // The common case first: a number in 0..2^32-1 (checked as a number first: no valueOf runs).
  return typeof n === "number" && n >>> 0 === n ? n : sizeOrThrow(n, what);
}

function sizeOrThrow(n: unknown, what: string): number {
  if (typeof n !== "number") throw wrongType(what, n, "a number");
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Invalid ${what}: ${show(n)}`);
  return n;
}

/**
 * Returns a C `unsigned int` argument (an interface index, a flow label).
 *
 * @param n The caller's value.
 * @param what Its name in messages.
 * @returns `n`.
 * @throws {TypeError} For a non-number. @throws {RangeError} Negative, fractional or above 2^32 - 1.
 */
export function checkU32(n: unknown, what: string): number {
  const v = checkSize(n, what);
  if (v > 0xffffffff) throw new RangeError(`Invalid ${what}: ${show(v)}: must fit in 32 bits`);
  return v;
}

/**
 * Returns a C `int` argument.
 *
 * @param n The caller's value.
 * @param what Its name in messages.
 * @returns `n` as an int.
 * @throws {TypeError} For a non-number. @throws {RangeError} Outside C's int range, or fractional.
 */
export function checkInt(n: unknown, what: string): number {
  // The common case first: a number in C's int range (checked as a number first: no valueOf runs).
  return typeof n === "number" && (n | 0) === n ? n | 0 : intOrThrow(n, what);
}

function intOrThrow(n: unknown, what: string): number {
  if (typeof n !== "number") throw wrongType(what, n, "a number");
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) {
    throw new RangeError(`Invalid ${what}: ${show(n)}`);
  }
  return n | 0;
}

/**
 * Returns a string argument.
 *
 * @param s The caller's value.
 * @param what Its name in messages.
 * @returns `s`.
 * @throws {TypeError} For a non-string.
 */
export function checkString(s: unknown, what: string): string {
  if (typeof s !== "string") throw wrongType(what, s, "a string");
  return s;
}

/** One encoder for every C string made here (making one per call costs more than the encoding). */
const utf8 = new TextEncoder();

/**
 * A NUL-terminated UTF-8 copy of a string for C; refuses embedded NULs.
 *
 * @param s The caller's value.
 * @param what Its name in messages.
 * @returns The bytes, NUL included.
 * @throws {TypeError} For a non-string or an embedded NUL.
 */
export function toCString(s: unknown, what: string): Uint8Array {
  const str = checkString(s, what);
  if (str.includes("\0")) throw new TypeError(`Invalid ${what}: embedded null character`);
  // UTF-8 takes at most three bytes per UTF-16 unit; the terminating NUL is the zero after what was written.
  const out = new Uint8Array(str.length * 3 + 1);
  const { written } = utf8.encodeInto(str, out);
  return out.subarray(0, written + 1);
}
