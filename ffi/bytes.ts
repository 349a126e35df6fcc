/**
 * The one place that turns a caller's bytes into a pointer and a length for C.
 *
 * A caller's object can lie: `byteLength`, `byteOffset`, `buffer`, `length`
 * and `subarray` can be own properties or subclass getters. Handed to C, one
 * forged length is a heap overflow. So every length and offset here is read
 * through the engine's own getters, captured once at module load (before any
 * user code can replace them), and never through the object. (Under Bun a
 * typed array measured so is remembered, and the same view again is checked
 * by its elements, which no property can stand in for: see `Measured`.)
 *
 * The view itself is passed to C unchanged: both runtimes' FFI take the data
 * pointer from the engine's internal slots of a typed array or DataView, never
 * from its JS properties (pinned by `tests/boundary_test.ts`, which forges
 * `byteOffset` and `buffer` and checks which bytes reach a pipe). That keeps
 * the hot path (send/recv) free of allocation. An ArrayBuffer gets a fresh
 * `Uint8Array` over all of it.
 *
 * @module
 */

import { RUNTIME } from "./_host.ts";

// deno-lint-ignore no-explicit-any
type Getter = (self: any) => any;

const call = Function.prototype.call;
const apply = Reflect.apply;
const NO_ARGS: readonly never[] = Object.freeze([]);
/** `fn` as a plain function of its receiver and arguments, immune to later patching of `.call`. */
function uncurry(fn: (...args: never[]) => unknown): Getter {
  return call.bind(fn) as Getter;
}

/**
 * A getter as a plain function of its receiver, immune to later patching.
 * V8 inlines a bound `call` (~4 ns a call under Deno); JavaScriptCore does
 * not (~30 ns under Bun, on every send and receive) but runs `Reflect.apply`
 * faster (~21 ns): each engine gets the one it runs best.
 */
function uncurryGetter(get: (...args: never[]) => unknown): Getter {
  if (RUNTIME === "bun") return (self) => apply(get, self, NO_ARGS);
  return uncurry(get);
}

function getter(proto: object, name: PropertyKey): Getter {
  const get = Reflect.getOwnPropertyDescriptor(proto, name)?.get;
  if (!get) throw new Error(`The engine lacks ${String(name)}`);
  return uncurryGetter(get);
}

function optionalGetter(proto: object, name: PropertyKey): Getter | null {
  const get = Reflect.getOwnPropertyDescriptor(proto, name)?.get;
  return get ? uncurryGetter(get) : null;
}

const TYPED_ARRAY = Reflect.getPrototypeOf(Uint8Array.prototype) as object;
const taTag = getter(TYPED_ARRAY, Symbol.toStringTag);
const taLength = getter(TYPED_ARRAY, "byteLength");
const taOffset = getter(TYPED_ARRAY, "byteOffset");
const taBuffer = getter(TYPED_ARRAY, "buffer");
const TA_METHODS = TYPED_ARRAY as Record<"subarray" | "set" | "at", (...args: never[]) => unknown>;
/** `at(0)`: throws for a view that is detached or out of bounds of a shrunk resizable buffer, and nothing else. */
const taAt = uncurry(TA_METHODS.at) as (self: CBytes, index: number) => unknown;
const taSubarray = uncurry(TA_METHODS.subarray) as (
  self: Uint8Array,
  start: number,
  end: number,
) => Uint8Array;
const taSet = uncurry(TA_METHODS.set) as (self: Uint8Array, source: Uint8Array, offset?: number) => void;
const dvLength = getter(DataView.prototype, "byteLength");
const dvOffset = getter(DataView.prototype, "byteOffset");
const dvBuffer = getter(DataView.prototype, "buffer");
const abLength = getter(ArrayBuffer.prototype, "byteLength");
const abDetached = optionalGetter(ArrayBuffer.prototype, "detached");
const sabLength = typeof SharedArrayBuffer === "function"
  ? optionalGetter(SharedArrayBuffer.prototype, "byteLength")
  : null;
const isView = ArrayBuffer.isView as (data: unknown) => data is ArrayBufferView;
const getPrototypeOf = Reflect.getPrototypeOf;
const DATA_VIEW = DataView.prototype;
const U8 = Uint8Array;

/** Bytes for C: a typed array or DataView (passed as is) or a fresh view of an ArrayBuffer. */
export type CBytes = ArrayBufferView;

function detached(buffer: unknown): boolean {
  if (abDetached) {
    try {
      return abDetached(buffer) === true;
    } catch {
      return false; // a SharedArrayBuffer: never detached
    }
  }
  // Engines without `detached`: a detached ArrayBuffer cannot back a new view.
  try {
    new U8(buffer as ArrayBuffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

function refuseDetached(what: string): never {
  throw new TypeError(`Invalid ${what}: the buffer is detached`);
}

/**
 * Checks that `data` is bytes C may read or write, and returns what to pass to
 * C: a typed array or DataView as is, an ArrayBuffer as a fresh `Uint8Array`.
 * Measure it with {@linkcode byteLength}, never with its properties.
 *
 * @param data A typed array, DataView, ArrayBuffer or SharedArrayBuffer.
 * @param what Its name in error messages.
 * @returns A view over exactly the caller's memory.
 * @throws {TypeError} For anything else, or a detached ArrayBuffer.
 * @example
 * ```ts ignore
 * const bytes = bytesOf(data);
 * libc().write(fd, bytes, byteLength(bytes));
 * ```
 */
export function bytesOf(data: unknown, what = "data"): CBytes {
  if (isView(data)) return data; // a brand check: a forged object is no view
  let isBuffer = false;
  try {
    abLength(data);
    isBuffer = true;
  } catch { /* not an ArrayBuffer */ }
  if (!isBuffer && sabLength) {
    try {
      sabLength(data);
      isBuffer = true;
    } catch { /* not a SharedArrayBuffer */ }
  }
  if (isBuffer) {
    if (detached(data)) refuseDetached(what);
    return new U8(data as ArrayBuffer);
  }
  throw new TypeError(
    `Invalid ${what}: expected bytes (a typed array, DataView or ArrayBuffer), got ${describe(data)}`,
  );
}

/**
 * The true length in bytes of a view from {@linkcode bytesOf}, read through
 * the engine's own getters.
 *
 * @param view A typed array or DataView.
 * @param what Its name in error messages.
 * @returns Its length in bytes.
 * @throws {TypeError} If its buffer is detached, or a resizable buffer's shrink left the view out of bounds.
 * @example
 * ```ts ignore
 * byteLength(bytesOf(new Uint32Array(4))); // 16
 * ```
 */
export const byteLength: (view: CBytes, what?: string) => number = RUNTIME === "bun"
  ? byteLengthByPrototype
  : byteLengthByTag;

/**
 * V8's way: the tag getter is the brand (a typed array's own slot, whatever
 * its prototype), then its length, which never throws. V8's optimizing
 * compiler turns both getters into a few inline loads; a prototype check
 * (`Reflect.getPrototypeOf`) it leaves as a call into the engine's C++
 * runtime when it cannot prove the object's shape, as it could not for the
 * echo server's `recvInto` and `send` (~0.5 us per quiet round trip, issue
 * #33).
 */
function byteLengthByTag(view: CBytes, what = "data"): number {
  const length = taTag(view) !== undefined ? taLength(view) : dataViewLength(view, what);
  return length !== 0 ? length : emptyLength(view, what);
}

/**
 * JavaScriptCore's way: one getter call on the common path (each one costs
 * ~21 ns there, where `Reflect.getPrototypeOf` is an intrinsic), after a
 * prototype check that sends DataViews, and typed arrays dressed as one, to
 * their own path. The last two typed arrays measured are remembered (see
 * {@linkcode Measured}): the same buffer again, as a loop's `recvInto` and
 * `send` pass it, is not measured again.
 */
function byteLengthByPrototype(view: CBytes, what = "data"): number {
  if (view === recent.view && recent.holds(view)) return recent.bytes;
  if (view === older.view && older.holds(view)) return older.bytes;
  let length: number;
  if (getPrototypeOf(view) !== DATA_VIEW) {
    try {
      length = taLength(view); // one engine call: a typed array's length never throws
    } catch {
      return nonEmpty(dataViewLength(view, what), view, what); // a DataView with another prototype
    }
    if (length !== 0) remember(view, length); // the getter did not throw: a typed array
  } else {
    length = dressedViewLength(view, what);
  }
  return nonEmpty(length, view, what);
}

function nonEmpty(length: number, view: CBytes, what: string): number {
  return length !== 0 ? length : emptyLength(view, what);
}

/**
 * A typed array measured by the engine's getter, and how to tell, without
 * calling it again, that its length is still that: its last element is there
 * and the one after is not. An index on a typed array is the engine's own
 * bounds check (no property, own or inherited, can stand in for an element,
 * and JavaScriptCore compiles the read inline), while the getter is a call
 * into the engine's C++ that cost ~0.27 us per call each time a quiet echo
 * loop woke up (two per round trip, issue #33). A detached view, a shrink or
 * growth of its resizable buffer, an out-of-bounds view: each changes what
 * the index finds, and the view is measured again.
 */
class Measured {
  view: CBytes | null = null;
  /** Its length in elements, and in bytes. */
  count = 0;
  bytes = 0;

  holds(view: CBytes): boolean {
    const elements = view as unknown as Record<number, unknown>;
    return elements[this.count - 1] !== undefined && elements[this.count] === undefined;
  }
}

let recent = new Measured();
let older = new Measured();

/**
 * Remembers a typed array and its length in bytes, found by the getter. Its
 * element size is found by the same index check (the first of 1, 2, 4 and 8
 * bytes whose count holds); it keeps at most two views, so at most two
 * buffers stay alive for it.
 */
function remember(view: CBytes, bytes: number): void {
  const slot = older;
  for (let size = 1; size <= 8; size *= 2) {
    slot.count = bytes / size;
    if (slot.holds(view)) {
      slot.view = view;
      slot.bytes = bytes;
      older = recent;
      recent = slot;
      return;
    }
  }
  slot.view = null; // no size fits (one always does for a typed array): not remembered
}

/** A view whose prototype is DataView's: a DataView, or a typed array dressed as one. */
function dressedViewLength(view: CBytes, what: string): number {
  try {
    return dataViewLength(view, what);
  } catch (e) {
    try {
      return taLength(view);
    } catch {
      throw e;
    }
  }
}

/**
 * A view that reads as empty: a detached view, and one that a resizable
 * buffer's shrink left out of bounds, read so too; only then is the view
 * checked (reading its buffer moves a small on-heap array's bytes off-heap).
 * Neither is an empty view: a recv into one would return 0 and look like end
 * of file.
 */
function emptyLength(view: CBytes, what: string): number {
  if (taTag(view) !== undefined) {
    try {
      taAt(view, 0);
    } catch {
      if (detached(taBuffer(view))) refuseDetached(what);
      throw new TypeError(`Invalid ${what}: the view is out of bounds of its resized buffer`);
    }
  }
  return 0;
}

function dataViewLength(view: CBytes, what: string): number {
  try {
    return dvLength(view); // throws for a detached or out-of-bounds DataView
  } catch (e) {
    let buffer: unknown;
    try {
      buffer = dvBuffer(view);
    } catch {
      throw e; // not a DataView either
    }
    if (detached(buffer)) refuseDetached(what);
    throw new TypeError(`Invalid ${what}: the DataView is out of bounds`);
  }
}

/**
 * A `Uint8Array` over bytes `start`..`end` of a view, made with the engine's
 * own `subarray` (never the object's).
 *
 * @param view A view from {@linkcode bytesOf}.
 * @param start The first byte.
 * @param end One past the last byte.
 * @returns The sub-view.
 * @example
 * ```ts ignore
 * const chunk = byteRange(bytes, 0, 16);
 * ```
 */
export function byteRange(view: CBytes, start: number, end: number): Uint8Array {
  const tag = taTag(view);
  if (tag === "Uint8Array") return taSubarray(view as Uint8Array, start, end);
  const buffer = tag !== undefined ? taBuffer(view) : dvBuffer(view);
  return new U8(buffer, byteOffset(view) + start, end - start);
}

function byteOffset(view: CBytes): number {
  return taTag(view) !== undefined ? taOffset(view) : dvOffset(view);
}

/**
 * A copy of a caller's bytes, sized by the engine's own length.
 *
 * @param data Bytes, as {@linkcode bytesOf} takes them.
 * @param what Its name in error messages.
 * @returns A new `Uint8Array` the caller cannot reach.
 * @example
 * ```ts ignore
 * const path = copyBytes(userPath, "path");
 * ```
 */
export function copyBytes(data: unknown, what = "data"): Uint8Array {
  const view = bytesOf(data, what);
  const length = byteLength(view, what);
  const out = new U8(length);
  if (length > 0) taSet(out, byteRange(view, 0, length));
  return out;
}

/**
 * Copies the first `length` bytes of a caller's view (from {@linkcode bytesOf},
 * measured by {@linkcode byteLength}) into `target` at `offset`, through the
 * engine's own methods.
 *
 * @param target The library's own bytes.
 * @param offset Where in `target`.
 * @param source The caller's view.
 * @param length How many bytes (at most the view's true length).
 * @example
 * ```ts ignore
 * copyInto(arena, 64, bytes, byteLength(bytes));
 * ```
 */
export function copyInto(target: Uint8Array, offset: number, source: CBytes, length: number): void {
  if (length > 0) taSet(target, byteRange(source, 0, length), offset);
}

/**
 * Writes `source` into a caller's view (from {@linkcode bytesOf}) at `offset`,
 * through the engine's own methods; the caller has checked it fits.
 *
 * @param view The caller's view.
 * @param offset Where in it.
 * @param source The bytes.
 * @example
 * ```ts ignore
 * writeInto(userBuffer, 0, received);
 * ```
 */
export function writeInto(view: CBytes, offset: number, source: Uint8Array): void {
  if (source.length > 0) taSet(byteRange(view, offset, offset + source.length), source);
}

function describe(data: unknown): string {
  if (data === null) return "null";
  if (typeof data !== "object") return typeof data;
  return "an object";
}
