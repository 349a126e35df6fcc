/**
 * The Deno adapter: translates the neutral symbol tables for `Deno.dlopen`.
 * This is the only file that touches `Deno.dlopen` and `Deno.UnsafePointer*`.
 *
 * It declares the few Deno FFI shapes it uses itself instead of relying on the
 * global `Deno` namespace types, so the package type-checks in a project that
 * has only `@types/bun` (or only Node's types) as well as under Deno.
 *
 * @module
 */
import type {
  Adapter,
  BoundSymbols,
  NativeType,
  OffThreadLibrary,
  OffThreadPoller,
  RuntimeWatch,
  SymbolTable,
} from "./_types.ts";

/** An opaque `Deno.PointerObject`, or null for NULL. */
type DenoPointer = object | null;

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;

/** The part of Deno's FFI API this adapter calls (Deno 2's `Deno.dlopen` and pointer classes). */
interface DenoFfi {
  dlopen(
    path: string,
    symbols: Record<
      string,
      { parameters: string[]; result: string; nonblocking?: boolean; callback?: boolean }
    >,
  ): { symbols: Record<string, AnyFn>; close(): void };
  UnsafeCallback: new (
    definition: { parameters: string[]; result: string },
    callback: AnyFn,
  ) => { pointer: DenoPointer; close(): void };
  UnsafePointer: {
    create(value: bigint): DenoPointer;
    of(buffer: ArrayBufferView): DenoPointer;
    value(pointer: DenoPointer): number | bigint;
  };
  UnsafePointerView: {
    new (
      pointer: object,
    ): { getInt32(offset?: number): number; copyInto(dest: Uint8Array, offset?: number): void };
    getCString(pointer: object): string;
    getArrayBuffer(pointer: object, byteLength: number): ArrayBuffer;
  };
}

const deno = (globalThis as unknown as { Deno: DenoFfi }).Deno;

/** The part of `node:net` {@linkcode adapter.watchReadable} uses (imported by a computed name: no Node types needed). */
interface NodeNet {
  Socket: new (options: {
    fd: number;
    readable: boolean;
    writable: boolean;
    onread: { buffer: Uint8Array; callback: (bytes: number) => void };
  }) => {
    on(event: string, listener: () => void): void;
    ref(): void;
    unref(): void;
  };
}

const NODE_NET = ["node", "net"].join(":");

function denoParam(t: NativeType): string {
  if (t === "void") throw new TypeError("void is not a parameter type");
  return t; // the neutral names are Deno's own
}

/**
 * A C function's parameter type for `Deno.dlopen`: an address (`pointer`)
 * goes as the 64-bit integer it is (every platform Deno ships is 64-bit, and
 * the C calling conventions pass a pointer and a `uint64_t` alike), so the
 * neutral bigint address reaches the fast call as it is: no pointer object
 * per call, which a hot SSL_read/SSL_write alternating between two
 * connections would otherwise make each time.
 */
function symbolParam(t: NativeType): string {
  return t === "pointer" ? "u64" : denoParam(t);
}

function toPointer(address: bigint): DenoPointer {
  return address === 0n ? null : deno.UnsafePointer.create(address);
}

function fromPointer(p: DenoPointer): bigint {
  return p === null ? 0n : BigInt(deno.UnsafePointer.value(p));
}

/** Sizes below this have a bigint made once and kept (a 64 KiB read is the common case). */
const SMALL_BIGINTS = 65537;
const smallBigints: bigint[] = new Array(SMALL_BIGINTS);

/** A byte count or fd count as the bigint Deno's fast call wants, without allocating for small ones. */
function toBigint(n: number | bigint): bigint {
  if (typeof n === "bigint") return n;
  return n >= 0 && n < SMALL_BIGINTS ? (smallBigints[n] ??= BigInt(n)) : BigInt(n);
}

/**
 * Deno's fast calls (V8's fast API, through its "turbocall" trampolines) take
 * 64-bit integer parameters as bigint only: a number there fails V8's
 * CheckBigInt in optimized code and deoptimizes it, every time, so a hot
 * `recv`/`send` loop was compiled and thrown away for ever (measured: 180 ns
 * per call and a V8 compiler thread busy, against 25 ns with a bigint). So
 * 64-bit parameters (`size_t` lengths, `nfds_t`) are passed as bigints made
 * from the numbers the neutral tables promise, cached for small values. One
 * closure shape per arity keeps each call site monomorphic.
 */
function withBigintParams(raw: AnyFn, params: readonly NativeType[]): AnyFn | null {
  const at = params.flatMap((t, i) => t === "u64" || t === "i64" || t === "pointer" ? [i] : []);
  if (at.length === 0) return null;
  const n = params.length, k = at[0];
  if (at.length === 1 && k === 0) { // Winsock's SOCKET, first
    if (n === 1) return (a) => raw(toBigint(a));
    if (n === 2) return (a, b) => raw(toBigint(a), b);
    if (n === 3) return (a, b, c) => raw(toBigint(a), b, c);
    if (n === 4) return (a, b, c, d) => raw(toBigint(a), b, c, d);
    if (n === 5) return (a, b, c, d, e) => raw(toBigint(a), b, c, d, e);
    if (n === 6) return (a, b, c, d, e, f) => raw(toBigint(a), b, c, d, e, f);
  }
  if (at.length === 1) {
    if (n === 3 && k === 1) return (a, b, c) => raw(a, toBigint(b), c);
    if (n === 3 && k === 2) return (a, b, c) => raw(a, b, toBigint(c));
    if (n === 4 && k === 2) return (a, b, c, d) => raw(a, b, toBigint(c), d);
    if (n === 6 && k === 2) return (a, b, c, d, e, f) => raw(a, b, toBigint(c), d, e, f);
  }
  return (...args: unknown[]) => {
    for (const i of at) args[i] = toBigint(args[i] as number | bigint);
    return raw(...args);
  };
}

/**
 * Wraps a raw Deno symbol only where its JS types differ from the neutral ones
 * (pointer results as bigint, 64-bit results as numbers, 64-bit and address
 * parameters as bigint); every other symbol is the raw FFI function itself,
 * so the hot path pays nothing.
 */
function adapt(rawSymbol: AnyFn, params: readonly NativeType[], result: NativeType): AnyFn {
  const raw = withBigintParams(rawSymbol, params) ?? rawSymbol;
  const convertResult = result === "pointer"
    ? fromPointer
    : result === "i64" || result === "u64"
    ? Number
    : null;
  if (!convertResult) return raw;
  // One closure per arity, no rest parameters: a hot BIO_ctrl_pending (a size_t
  // result) would otherwise make an arguments array and spread it per call.
  const c = convertResult as (r: unknown) => unknown;
  switch (params.length) {
    case 0:
      return () => c(raw());
    case 1:
      return (a) => c(raw(a));
    case 2:
      return (a, b) => c(raw(a, b));
    case 3:
      return (a, b, d) => c(raw(a, b, d));
    case 4:
      return (a, b, d, e) => c(raw(a, b, d, e));
    default:
      return (...args: unknown[]) => c(raw(...args));
  }
}

/** poll(2) declared `nonblocking`: Deno runs each call on its blocking-task thread pool. */
let offThreadPoll: ((fds: Uint8Array, n: number, ms: number) => Promise<number>) | null = null;

function openOffThreadPoll(
  library: OffThreadLibrary,
): (fds: Uint8Array, n: number, ms: number) => Promise<number> {
  const errors: unknown[] = [];
  for (const path of library.paths) {
    try {
      const lib = deno.dlopen(path, {
        [library.symbol]: { parameters: ["buffer", library.nfds, "i32"], result: "i32", nonblocking: true },
      });
      return lib.symbols[library.symbol] as (fds: Uint8Array, n: number, ms: number) => Promise<number>;
    } catch (e) {
      errors.push(e);
    }
  }
  throw new AggregateError(errors, `Cannot open poll() from ${library.paths.join(" or ")} with Deno.dlopen`);
}

/** Every UnsafeCallback made: referenced for the life of the process. */
const callbacks: unknown[] = [];

export const adapter: Adapter = {
  open<S extends SymbolTable>(paths: readonly string[], table: S): BoundSymbols<S> {
    const defs: Record<string, { name?: string; parameters: string[]; result: string; callback?: boolean }> =
      {};
    for (const [name, spec] of Object.entries(table)) {
      defs[name] = { parameters: spec.params.map(symbolParam), result: spec.result };
      if (spec.symbol) defs[name].name = spec.symbol;
      if (spec.callback) defs[name].callback = true; // may call back into JS: no fast call
    }
    const errors: unknown[] = [];
    for (const path of paths) {
      let lib: ReturnType<DenoFfi["dlopen"]>;
      try {
        lib = deno.dlopen(path, defs);
      } catch (e) {
        // No --allow-ffi: every other path would fail the same way.
        if (e instanceof Error && (e.name === "NotCapable" || e.name === "PermissionDenied")) throw e;
        errors.push(e);
        continue;
      }
      const symbols: Record<string, AnyFn> = {};
      for (const [name, spec] of Object.entries(table)) {
        symbols[name] = adapt(lib.symbols[name]!, spec.params, spec.result);
      }
      return symbols as BoundSymbols<S>;
    }
    throw new AggregateError(errors, `Cannot open ${paths.join(" or ")} with Deno.dlopen`);
  },

  readMemory(address: bigint, length: number): Uint8Array {
    const out = new Uint8Array(length);
    if (length > 0) new deno.UnsafePointerView(toPointer(address)!).copyInto(out);
    return out;
  },

  readCString(address: bigint): string {
    return deno.UnsafePointerView.getCString(toPointer(address)!);
  },

  addressOf(bytes: Uint8Array): bigint {
    return fromPointer(deno.UnsafePointer.of(bytes));
  },

  intReader(address: bigint): () => number {
    const view = new deno.UnsafePointerView(toPointer(address)!);
    return () => view.getInt32(0);
  },

  callback(params: readonly NativeType[], result: NativeType, fn: AnyFn): bigint {
    const pointers = params.map((t) => t === "pointer");
    const cb = new deno.UnsafeCallback(
      { parameters: params.map(denoParam), result },
      (...args: unknown[]) => fn(...args.map((a, i) => (pointers[i] ? fromPointer(a as DenoPointer) : a))),
    );
    callbacks.push(cb); // kept for the life of the process (C may call it at any time)
    return fromPointer(cb.pointer);
  },

  writeMemory(address: bigint, bytes: Uint8Array): void {
    new Uint8Array(deno.UnsafePointerView.getArrayBuffer(toPointer(address)!, bytes.length)).set(bytes);
  },

  mapMemory(address: bigint, length: number): ArrayBuffer {
    return deno.UnsafePointerView.getArrayBuffer(toPointer(address)!, length);
  },

  async watchReadable(fd: number, onReadable: () => void, onLost: () => void): Promise<RuntimeWatch> {
    // node:net adopts the fd into Deno's own reactor (its pipe_wrap, an AsyncFd read on this thread).
    // `onread` (Node's documented option) reads into one small buffer and calls back, without a
    // stream: no 64 KiB buffer, Buffer and 'data' event per read (4.5 against 11 µs per read, measured).
    const net = (await import(NODE_NET)) as NodeNet;
    const socket = new net.Socket({
      fd,
      readable: true,
      writable: false,
      onread: { buffer: new Uint8Array(64), callback: () => void onReadable() },
    });
    socket.on("error", onLost);
    socket.on("close", onLost);
    socket.unref();
    return { ref: () => socket.ref(), unref: () => socket.unref() };
  },

  // Deno: a `nonblocking` FFI symbol returns a promise and runs the call on a
  // thread of Deno's own pool, which Deno joins at exit: nothing of ours to
  // stop. errno lives on that thread and is not visible here.
  offThreadPoller(library: OffThreadLibrary): OffThreadPoller {
    const poll = offThreadPoll ??= openOffThreadPoll(library);
    return { poll, lastErrno: () => 0 };
  },
};
