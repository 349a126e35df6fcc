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
import { OSError } from "../errors.ts";
import { ARCH, OS, RUNTIME } from "./_host.ts";
import type { Adapter, BoundSymbols, OpenLibrary } from "./_types.ts";
import { libcPaths, type LibcSymbols, libcTable } from "./libc.ts";

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

let lib: OpenLibrary<LibcSymbols> | null = null;
let errnoReader: (() => number) | null = null;

/** Opens libc and finds this thread's errno; called once, on first use. */
function open(): OpenLibrary<LibcSymbols> {
  const table = libcTable();
  if (!table) {
    throw new Error(`Unsupported OS: ffi-selectors does not support ${OS} (${ARCH}) yet`);
  }
  const a = adapter();
  let opened: OpenLibrary<LibcSymbols>;
  try {
    opened = a.open(libcPaths(), table);
  } catch (e) {
    const hint = RUNTIME === "deno" ? " (run Deno with --allow-ffi)" : "";
    throw new Error(`Cannot load the C library${hint}`, { cause: e });
  }
  // The errno location is per thread and fixed for its lifetime; blocking FFI
  // calls run on this (the JS) thread, so one lookup serves every call.
  errnoReader = a.intReader(opened.symbols.__errno_location());
  lib = opened;
  return opened;
}

/**
 * The C library's functions, opened on first use.
 *
 * @returns The bound symbols.
 * @throws {Error} If the runtime, OS or library is unsupported, or FFI permission is missing.
 */
export function libc(): BoundSymbols<LibcSymbols> {
  return (lib ?? open()).symbols;
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

/** Builds the error for a known errno number, with `strerror`'s text. */
export function errorFor(e: number, syscall: string, detail?: string): OSError {
  const text = libc().strerror(e);
  const description = text === 0n ? undefined : adapter().readCString(text);
  return OSError.fromErrno(e, syscall, { description, detail });
}
