/**
 * `node:test`'s `test`, plus one thing both runners lack: a skipped test's
 * reason is printed (`SKIP <name>: <reason>`), and `scripts/test.mjs` lists
 * those lines in its summary. Every test file imports `test` from here.
 *
 * @module
 */
import { test as nodeTest } from "node:test";
import process from "node:process";
import { OS } from "../ffi/_host.ts";

type Body = () => void | Promise<void>;
type Options = { skip?: string | boolean };

/** Registers a test, printing the skip reason when it is skipped. */
export function test(name: string, optionsOrFn: Options | Body, maybeFn?: Body): void {
  const options = typeof optionsOrFn === "function" ? {} : optionsOrFn;
  const fn = typeof optionsOrFn === "function" ? optionsOrFn : maybeFn!;
  if (options.skip) {
    console.log(`SKIP ${name}: ${typeof options.skip === "string" ? options.skip : "skipped"}`);
    nodeTest(name, { skip: options.skip }, fn);
  } else {
    nodeTest(name, fn);
  }
}

/** Whether the suite runs on Windows (`npm run test:windows`: the Windows runtimes under Wine). */
export const WINDOWS: boolean = OS === "windows";

/**
 * Whether it runs under Wine, which is not Windows: where Wine answers
 * differently from Windows' documented behaviour, a test skips there by name
 * instead of pinning Wine's answer (`scripts/platform.mjs windows` sets it).
 */
export const WINE: boolean = WINDOWS && process.env.TEST_PLATFORM === "windows";

/**
 * The code a system call on a closed fd fails with: EBADF, or on Windows
 * Winsock's WSAENOTSOCK (`ENOTSOCK`: a closed handle is no socket), as
 * CPython reports there.
 */
export const CLOSED_FD: "EBADF" | "ENOTSOCK" = WINDOWS ? "ENOTSOCK" : "EBADF";

/** Why a test whose peer is a Python program skips on Windows (with {@linkcode unixOnly}). */
export const PYTHON_PEER = "its peer is a python3 program, which the Windows runtimes cannot start here";

/** The skip option of a test that cannot run on Windows, saying why; `false` elsewhere. */
export function unixOnly(reason: string): string | false {
  return WINDOWS ? `not on Windows: ${reason}` : false;
}

/** Why AF_UNIX tests skip under Wine (with {@linkcode notUnderWine}). */
export const NO_AF_UNIX = "its Winsock has no AF_UNIX (Windows 10 1803 and later has)";

/** The skip option of a test whose subject Wine does differently from Windows; `false` elsewhere. */
export function notUnderWine(reason: string): string | false {
  return WINE ? `Wine is not Windows: ${reason}` : false;
}

/**
 * `test` for a file whose every test needs Unix (epoll, signals, `/proc`, Unix
 * peers such as Python): on Windows each skips with `reason`; elsewhere it is
 * `test` itself.
 */
export function unixTests(reason: string): typeof test {
  if (!WINDOWS) return test;
  return (name, optionsOrFn, maybeFn) => {
    const fn = typeof optionsOrFn === "function" ? optionsOrFn : maybeFn!;
    test(name, { skip: unixOnly(reason) }, fn);
  };
}
