/**
 * The FFI layer's front door: the runtime adapter, the lazily opened C library,
 * and the one errno gate.
 *
 * Nothing is loaded at import time except the adapter module; libc is opened on
 * first use, so importing types needs no permission. Every failing call is
 * turned into an error by {@linkcode lastError}, which reads errno before any
 * other FFI call can run.
 *
 * @module
 */
// Out of ffi/, only errors.ts, by design: the errno gate here (and the
// resolver's gate in resolver.ts) builds its error classes right where the
// failing call is (mio's `syscall!`).
import { OSError } from "../errors.ts";
import { ARCH, OS, RUNTIME } from "./_host.ts";
import type { Adapter, BoundSymbols, OffThreadPoller, SymbolTable } from "./_types.ts";
import { bindLibc, KQUEUE, type Libc, libcPaths, libcTable, URING } from "./libc.ts";
import { CLOCK_MONOTONIC, ERRNO } from "./constants.ts";

export { ARCH, getEnv, OS, RUNTIME } from "./_host.ts";
export { MAX_IO } from "./libc.ts";

async function loadAdapter(): Promise<Adapter | null> {
  if (RUNTIME === "deno") return (await import("./_deno.ts")).adapter;
  if (RUNTIME === "bun") return (await import("./_bun.ts")).adapter;
  return null;
}

const adapterOrNull: Adapter | null = await loadAdapter();

/** The adapter of this runtime; throws on a runtime without FFI support here. */
export function adapter(): Adapter {
  if (!adapterOrNull) throw new Error("Unsupported runtime: ffi-selectors runs on Deno and Bun");
  return adapterOrNull;
}

let lib: Libc | null = null;
let errnoReader: (() => number) | null = null;

/** Whether this OS is supported at all (the C library table exists). */
export function supported(): boolean {
  return OS === "windows" || libcTable() !== null;
}

function openOrExplain<S extends SymbolTable>(
  paths: readonly string[],
  table: S,
  what: string,
): BoundSymbols<S> {
  try {
    return adapter().open(paths, table);
  } catch (e) {
    if (e instanceof Error && (e.name === "NotCapable" || e.name === "PermissionDenied")) {
      // One line that says the fix; Deno's own error stays as the cause.
      const denied = new Error(`ffi-selectors needs FFI access: run Deno with --allow-ffi`, { cause: e });
      denied.stack = `Error: ${denied.message}`;
      throw denied;
    }
    const hint = RUNTIME === "deno" ? " (run Deno with --allow-ffi)" : "";
    throw new Error(`Cannot load ${what}${hint}`, { cause: e });
  }
}

let describeError: ((code: number) => string | undefined) | null = null;

/** Windows: Winsock and kernel32, bound into the Linux-shaped calls (`winsock.ts`). */
async function loadWinsock(): Promise<typeof import("./winsock.ts") | null> {
  return OS === "windows" ? await import("./winsock.ts") : null;
}
const winsockModule = await loadWinsock();

function openWinsock(w: typeof import("./winsock.ts")): Libc {
  const bound = w.bindWinsock(
    openOrExplain(w.WINSOCK_PATHS, w.WS2_32, "Winsock (ws2_32.dll)"),
    openOrExplain(w.KERNEL32_PATHS, w.KERNEL32, "kernel32.dll"),
    (name) => OSError.fromErrno(ERRNO.ENOSYS, name, { description: "not available on Windows" }),
  );
  errnoReader = bound.lastError;
  describeError = bound.describe;
  lib = bound.libc;
  return bound.libc;
}

/** Opens libc and finds this thread's errno; called once, on first use. */
function open(): Libc {
  if (winsockModule) return openWinsock(winsockModule);
  const table = libcTable();
  if (!table) {
    throw new Error(`Unsupported OS: ffi-selectors does not support ${OS} (${ARCH}) yet`);
  }
  const opened = openOrExplain(libcPaths(), table, "the C library");
  const bound = bindLibc(opened as Record<string, (...args: never[]) => unknown>);
  // The errno location is per thread and fixed for its lifetime; blocking FFI
  // calls run on this (the JS) thread, so one lookup serves every call.
  errnoReader = adapter().intReader(bound.__errno_location());
  lib = bound;
  return bound;
}

/**
 * The C library's functions (Linux's names on every OS), opened on first use.
 *
 * @returns The bound functions.
 * @throws {Error} If the runtime, OS or library is unsupported, or FFI permission is missing.
 */
export function libc(): Libc {
  return lib ?? open();
}

/**
 * A new poller that runs poll(2) off the JS thread (Deno: a `nonblocking` FFI
 * call; Bun: a Worker), for the process's one waiter (`_waiter.ts`).
 *
 * @returns The poller.
 */
export function offThreadPoller(): OffThreadPoller {
  libc(); // the same library, already known to load (and the permission already checked)
  if (winsockModule) {
    return adapter().offThreadPoller({
      paths: winsockModule.WINSOCK_PATHS,
      symbol: "WSAPoll",
      nfds: "u32",
      errnoSymbol: "WSAGetLastError",
      errnoIsValue: true,
    });
  }
  const table = libcTable()!;
  return adapter().offThreadPoller({
    paths: libcPaths(),
    symbol: "poll",
    nfds: table.poll!.params[1] === "u32" ? "u32" : "u64",
    errnoSymbol: OS === "linux" ? "__errno_location" : "__error",
    errnoIsValue: false,
  });
}

/** Which `struct kevent` layout a kqueue library uses. */
export type KeventFlavour = "darwin" | "freebsd";

let kqueueOverride: { path: string; flavour: KeventFlavour } | null = null;
const kqueueLibs = new Map<string, BoundSymbols<typeof KQUEUE>>();

/**
 * TEST ONLY (reached through `ffi/_testing.ts`): take kqueue/kevent from the
 * library at `path` (the epoll-backed stand-in) with the given struct layout.
 * `null` restores the system's. Never set by the module itself.
 */
export function setKqueueOverride(o: { path: string; flavour: KeventFlavour } | null): void {
  kqueueOverride = o;
}

/**
 * kqueue(2)/kevent(2) and the `struct kevent` layout they take: from the
 * system C library on macOS and FreeBSD, or from the test-only override.
 *
 * @throws {Error} Where this OS has no kqueue.
 */
export function kqueueLib(): { symbols: BoundSymbols<typeof KQUEUE>; flavour: KeventFlavour } {
  libc(); // errno is read through libc's accessor: make sure it is loaded
  const o = kqueueOverride;
  const flavour: KeventFlavour | null = o
    ? o.flavour
    : OS === "darwin"
    ? "darwin"
    : OS === "freebsd"
    ? "freebsd"
    : null;
  if (!flavour) throw new Error(`kqueue is not available on ${OS}`);
  const paths = o ? [o.path] : libcPaths();
  const key = paths.join("\0");
  let symbols = kqueueLibs.get(key);
  if (!symbols) {
    symbols = openOrExplain(paths, KQUEUE, o ? `the kqueue stand-in ${o.path}` : "kqueue from the C library");
    kqueueLibs.set(key, symbols);
  }
  return { symbols, flavour };
}

let uring: BoundSymbols<typeof URING> | null = null;

/**
 * `syscall(2)` and `mmap(2)` from the C library, for io_uring (`io_uring.ts`).
 *
 * @throws {Error} Off Linux, or when the C library lacks them.
 */
export function uringLib(): BoundSymbols<typeof URING> {
  libc(); // errno is read through libc's accessor: make sure it is loaded
  if (OS !== "linux") throw new Error(`io_uring is not available on ${OS}`);
  return uring ??= openOrExplain(libcPaths(), URING, "syscall() and mmap() from the C library");
}

/** The `struct timespec` clock_gettime() fills, as 32-bit words: tv_sec (64-bit) at 0-1, tv_nsec at 2. */
const timespec = new Int32Array(4);

/**
 * Seconds on the monotonic clock, like Python's `time.monotonic()`: one
 * `clock_gettime(CLOCK_MONOTONIC)` through the FFI binding. The selectors'
 * deadlines read it on every timed wait; it costs less than `performance.now()`
 * (measured on x86_64: ~58 against ~160 ns per call under Deno, ~43 against
 * ~54 ns under Bun), and it is the clock the kernel's own timeouts run on.
 *
 * @returns Seconds since an arbitrary fixed point (boot, on Linux).
 * @throws {OSError} If the clock cannot be read (no supported OS does that).
 * @example
 * ```ts ignore
 * const deadline = monotonic() + 1.5;
 * ```
 */
export function monotonic(): number {
  if (libc().clock_gettime(CLOCK_MONOTONIC, timespec) !== 0) throw lastError("clock_gettime");
  return (timespec[0]! >>> 0) + timespec[1]! * 0x100000000 + timespec[2]! / 1e9;
}

/**
 * Reads errno now. Call it only right after the failing FFI call, with no
 * other FFI call in between.
 */
export function errno(): number {
  return errnoReader!();
}

/**
 * The errno gate: builds the error for the FFI call that just failed. Reads
 * errno first, before anything else can clobber it.
 *
 * @param syscall The C function that failed.
 * @param detail What the call was about, for the message.
 * @returns An {@linkcode OSError} of the class Python would raise.
 */
export function lastError(syscall: string, detail?: string): OSError {
  const e = errno();
  return errorFor(e, syscall, detail);
}

/** A C library string, or undefined for NULL. */
function cText(text: bigint): string | undefined {
  return text === 0n ? undefined : adapter().readCString(text);
}

/**
 * The text of an error number: the C library's (`unixText`), or on Windows
 * the system's message for its Winsock number (`FormatMessageA`), whichever
 * table the number comes from.
 */
function errorText(code: number, unixText: (code: number) => bigint): string | undefined {
  libc(); // opened first: on Windows that also sets describeError
  return describeError ? describeError(code) : cText(unixText(code));
}

/** The text of a `getaddrinfo`/`getnameinfo` error (`gai_strerror`; Windows' own message there). */
export function gaiErrorText(code: number): string | undefined {
  return errorText(code, (c) => libc().gai_strerror(c));
}

/** Builds the error for a known errno number, with `strerror`'s text (and a path call's file name). */
export function errorFor(e: number, syscall: string, detail?: string, filename?: string): OSError {
  return OSError.fromErrno(e, syscall, {
    description: errorText(e, (c) => libc().strerror(c)),
    detail,
    filename,
  });
}
