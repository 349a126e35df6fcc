/**
 * The neutral FFI vocabulary shared by the Deno and Bun adapters.
 *
 * A symbol table is written once in these terms (`ffi/libc.ts`); each adapter
 * translates it mechanically for its runtime. Only types that behave the same on
 * both runtimes are used.
 *
 * @module
 */

/**
 * A native parameter or result type.
 *
 * - `i32`/`u32`: C `int`/`unsigned`, passed as numbers.
 * - `i64`/`u64`: 64-bit integers such as `size_t`; parameters take a number or a
 *   bigint, results come back as numbers.
 * - `f64`: a C `double`, a number.
 * - `buffer`: a typed array (or `null`) whose memory C reads or writes during the
 *   call; never retained by C after it returns.
 * - `pointer`: an address as a bigint (`0n` is NULL); used only for memory that C
 *   owns (errno location, `getaddrinfo` results).
 */
export type NativeType = "i32" | "u32" | "i64" | "u64" | "f64" | "buffer" | "pointer" | "void";

/** One C function: its parameter types in order and its result type. */
export interface SymbolSpec {
  readonly params: readonly NativeType[];
  readonly result: NativeType;
  /** The function can call back into JavaScript (an OpenSSL handshake): Deno must not fast-call it. */
  readonly callback?: true;
  /** The C function's name, where the table's key is another: a second binding of one function. */
  readonly symbol?: string;
}

/** A symbol table: C function name to its signature. */
export type SymbolTable = Readonly<Record<string, SymbolSpec>>;

/** A typed array C may read or write during a call, or NULL. */
export type BufferArg = ArrayBufferView | null;

type JsParam<T> = T extends "i32" | "u32" | "f64" ? number
  : T extends "i64" | "u64" ? number | bigint
  : T extends "buffer" ? BufferArg
  : T extends "pointer" ? bigint
  : never;

type JsResult<T> = T extends "i32" | "u32" | "i64" | "u64" | "f64" ? number
  : T extends "pointer" ? bigint
  : T extends "void" ? void
  : never;

type JsParams<P extends readonly NativeType[]> = { -readonly [I in keyof P]: JsParam<P[I]> };

/** The callable functions an adapter makes of a symbol table. */
export type BoundSymbols<S extends SymbolTable> = {
  readonly [K in keyof S]: (...args: JsParams<S[K]["params"]>) => JsResult<S[K]["result"]>;
};

/**
 * poll(2) run on a thread other than the JS thread, so the event loop keeps
 * running while it sleeps (`selectAsync`). The process makes one, for its one
 * waiter (`_waiter.ts`), and keeps it. The pollfd array must not be touched
 * by the JS thread until the promise settles.
 */
export interface OffThreadPoller {
  /**
   * Calls `poll(fds, n, ms)` off the JS thread.
   *
   * @param fds `n` pollfd entries over a SharedArrayBuffer.
   * @returns poll's result; negative when it failed (see {@linkcode OffThreadPoller.lastErrno}).
   */
  poll(fds: Uint8Array, n: number, ms: number): Promise<number>;
  /** The errno of the last failed poll, or 0 where the runtime cannot tell (Deno's thread pool). */
  lastErrno(): number;
  /**
   * Ends the poll in flight now, on this thread, as a ready entry would: it
   * settles with what poll(2) finds now (0 when nothing is ready), and the
   * kernel holds none of its files once this returns. False (or absent)
   * where the poll runs on another thread: the waiter pokes its control pipe.
   */
  interrupt?(): boolean;
  /** Whether {@linkcode OffThreadPoller.interrupt} works now: the waiter's control pipe is not watched then. */
  readonly interruptible?: boolean;
  /** The waiter has no wait left (between its polls it may have more at once: nothing is let go there). */
  idle?(): void;
}

/** How to find poll(2) in the C library for an off-thread poller. */
export interface OffThreadLibrary {
  readonly paths: readonly string[];
  /** The poll function: `poll`, or Winsock's `WSAPoll`. */
  readonly symbol: string;
  /** `nfds_t`: unsigned long on Linux, unsigned int on macOS, the BSDs and Windows (`ULONG`). */
  readonly nfds: "u64" | "u32";
  /**
   * The errno accessor: `__errno_location` (Linux) or `__error`, which return
   * the thread's errno address; or Winsock's `WSAGetLastError`, which returns
   * the error itself (`errnoIsValue`).
   */
  readonly errnoSymbol: string;
  readonly errnoIsValue: boolean;
}

/** What each runtime adapter provides: everything unsafe the rest of the module needs. */
export interface Adapter {
  /** Opens the first library of `paths` that loads and binds `table`; throws with every failure. */
  open<S extends SymbolTable>(paths: readonly string[], table: S): BoundSymbols<S>;
  /** Copies `length` bytes of C memory at `address` (never NULL) into a new array. */
  readMemory(address: bigint, length: number): Uint8Array;
  /** Reads the NUL-terminated C string at `address` (never NULL). */
  readCString(address: bigint): string;
  /**
   * The address of `bytes[0]`, for a pointer written into a struct. Only for
   * a view over a buffer made with `new ArrayBuffer()` (whose bytes the engine
   * never moves), kept alive until the call that uses the address returns.
   */
  addressOf(bytes: Uint8Array): bigint;
  /**
   * Returns a function that reads the int at `address` (the thread's errno).
   * The reader makes no FFI call, so it cannot clobber errno itself.
   */
  intReader(address: bigint): () => number;
  /** A new {@linkcode OffThreadPoller} on `library`'s poll(2). */
  offThreadPoller(library: OffThreadLibrary): OffThreadPoller;
  /**
   * A C function pointer that calls `fn` on the JavaScript thread, for C to
   * call during an FFI call from that thread (OpenSSL's handshake callbacks).
   * `pointer` parameters arrive as bigints. Never freed: make each one once
   * per process. `fn` must not throw (an exception reads as 0 to C).
   */
  callback(params: readonly NativeType[], result: NativeType, fn: (...args: never[]) => number): bigint;
  /** Copies `bytes` into C memory at `address` (never NULL), which C handed to a callback to fill. */
  writeMemory(address: bigint, bytes: Uint8Array): void;
  /**
   * The `length` bytes of C memory at `address` as an ArrayBuffer over that
   * memory itself, not a copy: for memory mapped for the life of the process
   * (io_uring's rings), which typed arrays over it then read and write in place.
   */
  mapMemory(address: bigint, length: number): ArrayBuffer;
  /**
   * Hands `fd`, one end of a stream socket pair, to the runtime's own event
   * loop (Deno: `node:net`'s `Socket({ fd })`; Bun: `Bun.connect({ fd })`):
   * from then on the runtime owns it and reads it, dropping the bytes, and
   * `onReadable` runs on the JavaScript thread each time some arrive;
   * `onLost` when the runtime reports an error or the end of the stream
   * (perhaps more than once: an error, then the close).
   * Starts unref'd (it keeps no process alive until `ref()`).
   */
  watchReadable(fd: number, onReadable: () => void, onLost: () => void): Promise<RuntimeWatch>;
}

/** A socket the runtime's event loop watches for us: whether it keeps the process alive. */
export interface RuntimeWatch {
  /** Keeps the process alive while it is watched (a wait is pending). */
  ref(): void;
  /** Lets the process end though it is watched. */
  unref(): void;
}
