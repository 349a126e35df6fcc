/**
 * The Bun adapter: translates the neutral symbol tables for `bun:ffi`.
 * This is the only file that loads `bun:ffi`.
 *
 * `bun:ffi` is imported by a computed specifier and typed by the few shapes
 * declared here, so the package type-checks without `@types/bun` (a Deno or
 * Node project) as well as with it.
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

type BunType = "i32" | "u32" | "i64" | "i64_fast" | "u64" | "u64_fast" | "f64" | "ptr" | "void";
type Pointer = number;

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;

/** The part of `bun:ffi` this adapter calls. */
interface BunFfi {
  dlopen(
    path: string,
    symbols: Record<string, { args: BunType[]; returns: BunType }>,
  ): { symbols: Record<string, AnyFn>; close(): void };
  CString: new (pointer: Pointer) => { toString(): string };
  read: { i32(pointer: Pointer, offset: number): number };
  toArrayBuffer(pointer: Pointer, offset: number, length: number): ArrayBuffer;
  ptr(view: ArrayBufferView): Pointer;
  JSCallback: new (fn: AnyFn, definition: { args: BunType[]; returns: BunType }) => { ptr: Pointer | null };
}

const BUN_FFI = ["bun", "ffi"].join(":"); // computed: type checkers do not follow it
const ffi = (await import(BUN_FFI)) as BunFfi;

function bunParam(t: NativeType): BunType {
  // "ptr" takes a typed array (its address is taken for the duration of the
  // call, which avoids stale `ptr()` values: oven-sh/bun#32055), null or a bigint.
  return t === "buffer" || t === "pointer" ? "ptr" : t;
}

function bunResult(t: NativeType): BunType {
  if (t === "i64") return "i64_fast";
  if (t === "u64") return "u64_fast";
  return t === "buffer" || t === "pointer" ? "ptr" : t;
}

function asPointer(address: bigint): Pointer {
  return Number(address);
}

/** Wraps a raw Bun symbol only where its JS result differs from the neutral one. */
function adapt(raw: AnyFn, result: NativeType): AnyFn {
  if (result === "pointer") return (...args: unknown[]) => BigInt(raw(...args) ?? 0);
  if (result === "i64" || result === "u64") return (...args: unknown[]) => Number(raw(...args));
  return raw;
}

/** Every JSCallback made: referenced for the life of the process (C may call them at any time). */
const callbacks: unknown[] = [];

export const adapter: Adapter = {
  open<S extends SymbolTable>(paths: readonly string[], table: S): BoundSymbols<S> {
    const defs: Record<string, { args: BunType[]; returns: BunType }> = {};
    for (const [name, spec] of Object.entries(table)) {
      // bun:ffi binds by the C name: a second binding of one function shares the first.
      defs[spec.symbol ?? name] = { args: spec.params.map(bunParam), returns: bunResult(spec.result) };
    }
    const errors: unknown[] = [];
    for (const path of paths) {
      let lib: ReturnType<BunFfi["dlopen"]>;
      try {
        lib = ffi.dlopen(path, defs);
      } catch (e) {
        errors.push(e);
        continue;
      }
      const symbols: Record<string, AnyFn> = {};
      for (const [name, spec] of Object.entries(table)) {
        symbols[name] = adapt(lib.symbols[spec.symbol ?? name]!, spec.result);
      }
      return symbols as BoundSymbols<S>;
    }
    throw new AggregateError(errors, `Cannot open ${paths.join(" or ")} with bun:ffi`);
  },

  readMemory(address: bigint, length: number): Uint8Array {
    if (length === 0) return new Uint8Array(0);
    return new Uint8Array(ffi.toArrayBuffer(asPointer(address), 0, length).slice(0));
  },

  readCString(address: bigint): string {
    return new ffi.CString(asPointer(address)).toString();
  },

  addressOf(bytes: Uint8Array): bigint {
    return BigInt(ffi.ptr(bytes));
  },

  intReader(address: bigint): () => number {
    const p = asPointer(address);
    return () => ffi.read.i32(p, 0);
  },

  callback(params: readonly NativeType[], result: NativeType, fn: AnyFn): bigint {
    const pointers = params.map((t) => t === "pointer");
    const cb = new ffi.JSCallback(
      (...args: unknown[]) =>
        fn(...args.map((a, i) => (pointers[i] ? BigInt((a as number | null) ?? 0) : a))),
      { args: params.map(bunParam), returns: bunResult(result) },
    );
    callbacks.push(cb); // kept for the life of the process
    return BigInt(cb.ptr ?? 0);
  },

  writeMemory(address: bigint, bytes: Uint8Array): void {
    new Uint8Array(ffi.toArrayBuffer(asPointer(address), 0, bytes.length)).set(bytes);
  },

  mapMemory(address: bigint, length: number): ArrayBuffer {
    return ffi.toArrayBuffer(asPointer(address), 0, length);
  },

  async watchReadable(fd: number, onReadable: () => void, onLost: () => void): Promise<RuntimeWatch> {
    // Bun.connect({ fd }) adopts the fd into Bun's own event loop, read on this thread.
    const bun = (globalThis as unknown as { Bun: BunConnect }).Bun;
    const socket = await bun.connect({
      fd,
      socket: { data: onReadable, close: onLost, error: onLost, end: onLost },
    });
    socket.unref();
    return socket;
  },

  offThreadPoller(library: OffThreadLibrary): OffThreadPoller {
    return new WorkerPoller(library);
  },
};

interface WorkerLike {
  postMessage(message: unknown): void;
  onmessage: ((e: MessageEvent) => void) | null;
  ref(): void;
  unref(): void;
}

/** The shared control block of the poll Worker (Int32 slots; `_bun_poll_worker.ts` has the same). */
const CTL = { REQ: 0, DONE: 1, N: 2, MS: 3, RESULT: 4, ERRNO: 5, GEN: 6, FAILED: 7, SIZE: 8 } as const;

type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/**
 * Bun's FFI has no non-blocking calls: a Worker (`_bun_poll_worker.ts`) makes
 * the blocking poll(2). The process has one (its waiter's). A wait is handed
 * over through shared memory, not messages: the JS thread writes the request
 * into a control block and `Atomics.notify`s the Worker, asleep in
 * `Atomics.wait`; the Worker polls, writes the result and notifies back,
 * which `Atomics.waitAsync` turns into a resolved promise here. Only a new
 * pollfd buffer (when the set outgrows the old one) goes as a message. The
 * Worker is `unref()`ed whenever no poll is pending, so it never keeps a
 * finished process alive.
 */
class WorkerPoller implements OffThreadPoller {
  #worker: WorkerLike;
  #ctl = new Int32Array(new SharedArrayBuffer(CTL.SIZE * 4));
  #seq = 0;
  #buffer: ArrayBufferLike | null = null;
  #gen = 0;
  #errno = 0;
  #initError = "";

  constructor(library: OffThreadLibrary) {
    const Ctor = (globalThis as unknown as { Worker: new (url: URL) => WorkerLike }).Worker;
    // The sources run as .ts; the npm package ships them built to .js.
    const worker = import.meta.url.endsWith(".js")
      ? new URL("./_bun_poll_worker.js", import.meta.url)
      : new URL("./_bun_poll_worker.ts", import.meta.url);
    this.#worker = new Ctor(worker);
    this.#worker.unref();
    this.#worker.onmessage = (e: MessageEvent<{ error?: string }>) => {
      if (e.data.error) this.#initError = e.data.error;
    };
    this.#worker.postMessage({
      paths: library.paths,
      symbol: library.symbol,
      nfds: library.nfds,
      errnoSymbol: library.errnoSymbol,
      errnoIsValue: library.errnoIsValue,
      ctl: this.#ctl.buffer,
    });
  }

  poll(fds: Uint8Array, n: number, ms: number): Promise<number> {
    const ctl = this.#ctl;
    if (fds.buffer !== this.#buffer) {
      // A new buffer: the Worker takes it from a message before this request.
      this.#buffer = fds.buffer;
      this.#worker.postMessage({ fds: fds.buffer, gen: ++this.#gen });
    }
    const seq = ++this.#seq;
    ctl[CTL.N] = n;
    ctl[CTL.MS] = ms;
    ctl[CTL.GEN] = this.#gen;
    Atomics.store(ctl, CTL.REQ, seq);
    Atomics.notify(ctl, CTL.REQ);
    this.#worker.ref();
    const done = waitAsync(ctl, CTL.DONE, seq - 1);
    const finish = (): number => {
      this.#worker.unref();
      if (Atomics.load(ctl, CTL.FAILED) !== 0) {
        throw new Error(`Cannot open poll() in the off-thread worker: ${this.#initError || "unknown error"}`);
      }
      this.#errno = Atomics.load(ctl, CTL.ERRNO);
      return Atomics.load(ctl, CTL.RESULT);
    };
    return done.async ? done.value.then(finish) : Promise.resolve().then(finish);
  }

  lastErrno(): number {
    return this.#errno;
  }
}

/** The part of `Bun.connect` {@linkcode adapter.watchReadable} uses. */
interface BunConnect {
  connect(options: {
    fd: number;
    socket: { data(): void; close(): void; error(): void; end(): void };
  }): Promise<{ ref(): void; unref(): void }>;
}
