/**
 * The selector core: `SelectorKey` and `BaseSelector`, which holds the only
 * fd -> key map, all validation and rollback (CPython's `_BaseSelectorImpl`
 * and `_PollLikeSelector` in one class), over the backends' contract
 * (`poller.ts`, whose event bits it re-exports).
 *
 * @module
 */
import { checkFd, show } from "./_validate.ts";
import { MAX_WAIT_SECONDS, now } from "./_time.ts";
import { adopt, release } from "./_claim.ts";
import { drain, poke, wakePipe } from "./_fd.ts";
import { libc } from "./ffi/mod.ts";
import { KeyError, OSError, SelectorClosedError } from "./errors.ts";
import { EVENT_READ, EVENT_WRITE, INTERRUPTED, type Poller, type PollList } from "./poller.ts";

export { EVENT_READ, EVENT_WRITE, INTERRUPTED, type Poller, type PollList } from "./poller.ts";

/**
 * An object with a file descriptor, like Python's file objects and sockets.
 *
 * @example
 * ```ts ignore
 * const wrapper: FileLike = { fileno: () => fd };
 * sel.register(wrapper, EVENT_READ);
 * ```
 */
export interface FileLike {
  /** The fd, or -1 once closed. */
  fileno(): number;
}

/** What a selector watches: an fd number or an object with `fileno()`. */
export type FileObj = number | FileLike;

/**
 * One registration: an immutable record, like Python's `SelectorKey`
 * namedtuple. `modify()` returns a new key; keys handed out never change.
 *
 * @example
 * ```ts ignore
 * const key = sel.register(r, EVENT_READ, "pipe");
 * console.log(key.fd, key.events, key.data);
 * ```
 */
export interface SelectorKey<T = unknown, F extends FileObj = FileObj> {
  /** The registered file object, as given (typed by the selector's `F`). */
  readonly fileobj: F;
  /** Its fd. */
  readonly fd: number;
  /** The events it is watched for (`EVENT_READ`, `EVENT_WRITE` or both). */
  readonly events: number;
  /** The opaque data given at registration. */
  readonly data: T;
}

/**
 * The fd a file object is registered under in a selector, or `undefined`: the
 * mapping's way into the selector's private lookup (set in BaseSelector's
 * static block, so it is no public method).
 */
let lookupFd: <T, F extends FileObj>(selector: BaseSelector<T, F>, fileobj: FileObj) => number | undefined;

/** What a selector tells the async layer: its set `"changed"`, or a pending wait must `"end"` (wakeup, close). */
export type SelectorEvent = "changed" | "ended";
/** The async layer's listener on one selector. */
export type SelectorListener = (event: SelectorEvent) => void;

/**
 * What the async layer (`_select_async.ts`) may ask of a selector beyond its
 * public API, and nothing else does: set in BaseSelector's static block.
 */
export interface SelectorInternals {
  /** Writes the pollfd entries whose readiness means `select(0)` has news (see `Poller.pollSet`). */
  pollSet(selector: BaseSelector, into: PollList): number;
  /** Sets (or with `null` clears) the selector's one listener. */
  listen(selector: BaseSelector, listener: SelectorListener | null): void;
  /** Whether the last `select()` returned because of `wakeup()`. */
  wasWoken(selector: BaseSelector): boolean;
}

/** The async layer's access; see {@linkcode SelectorInternals}. */
export let selectorInternals: SelectorInternals;

/** `selectAsync()` as the async layer implements it. */
export type AsyncSelect = (
  selector: BaseSelector,
  timeout: number | null | undefined,
  options: unknown,
) => Promise<Array<[SelectorKey<unknown, FileObj>, number]>>;

let asyncLayer: AsyncSelect | null = null;

/**
 * Installs the async layer: `_select_async.ts` calls it once when it is
 * imported (`mod.ts` imports it), so the core never imports the waiter.
 *
 * @param layer The implementation of `selectAsync()`.
 */
export function installAsyncLayer(layer: AsyncSelect): void {
  asyncLayer = layer;
}

function closeFd(fd: number): void {
  libc().close(fd);
}

/** How many directions an events mask holds: 1 -> 1, 2 -> 1, 3 -> 2. */
const DIRECTIONS = [0, 1, 1, 2] as const;

/** A file object for a KeyError: its fd (never its own toString, which may throw or be huge). */
function describe(fileobj: unknown, fd: number): string {
  return typeof fileobj === "number" ? `fd ${fd}` : `file object (fd ${fd})`;
}

/**
 * The fd of a file object: the number itself or `fileobj.fileno()`.
 *
 * @param fileobj An fd or an object with `fileno()`.
 * @returns The fd, a non-negative int.
 * @throws {TypeError} If it is neither, or `fileno()` returns a non-number.
 * @throws {RangeError} If the fd is negative, fractional or beyond an int.
 * @example
 * ```ts ignore
 * fileobjToFd({ fileno: () => 3 }); // 3
 * ```
 */
export function fileobjToFd(fileobj: FileObj): number {
  let fd: unknown;
  if (typeof fileobj === "number") {
    fd = fileobj;
  } else if (
    typeof fileobj === "object" && fileobj !== null && typeof fileobj.fileno === "function"
  ) {
    fd = fileobj.fileno();
  } else {
    throw new TypeError(
      `Invalid file object: expected an fd or an object with fileno(), got ${show(fileobj)}`,
    );
  }
  return checkFd(fd);
}

function checkEvents(events: unknown): number {
  if (typeof events !== "number") {
    throw new TypeError(`Invalid events: expected a number, got ${show(events)}`);
  }
  if (!(events === 1 || events === 2 || events === 3)) {
    throw new RangeError(`Invalid events: ${show(events)}: use EVENT_READ, EVENT_WRITE or both`);
  }
  return events;
}

/** No array yet for selectInto()'s once-per-array check (this one is never passed in). */
const UNCHECKED: unknown = Object.freeze([]);

/** selectInto()'s error for an array it cannot fill (made apart: see timeoutError()). */
function readyError(ready: unknown): TypeError {
  return Array.isArray(ready)
    ? new TypeError("Invalid ready: a frozen, sealed or non-extensible array cannot be filled")
    : new TypeError(`Invalid ready: expected an array, got ${show(ready)}`);
}

/**
 * A selector timeout in seconds: -1 blocks (`undefined`, `null`, `Infinity`),
 * 0 polls (any value `<= 0`), else the value. @throws {TypeError|RangeError}
 */
export function selectTimeout(timeout: unknown): number {
  if (timeout === undefined || timeout === null) return -1;
  // A number that is not NaN; the errors are made apart (see timeoutError()).
  if (typeof timeout !== "number" || timeout !== timeout) throw timeoutError(timeout);
  if (timeout === Infinity) return -1;
  return timeout > 0 ? timeout : 0;
}

/**
 * selectTimeout()'s error, made apart from it, as `intoLength()` in
 * `_socket_io.ts` makes its own (there an inline `throw new` kept Deno's
 * engine from optimizing `recvInto`; here no effect was measured on its own).
 */
function timeoutError(timeout: unknown): TypeError | RangeError {
  return typeof timeout !== "number"
    ? new TypeError(`Invalid timeout: expected a number or null, got ${show(timeout)}`)
    : new RangeError("Invalid timeout: NaN");
}

function makeKey<T, F extends FileObj>(fileobj: F, fd: number, events: number, data: T): SelectorKey<T, F> {
  const key = { fileobj, fd, events, data };
  new ReadyPairs(key); // its three empty slots, before the freeze
  return Object.freeze(key);
}

/**
 * The `[key, events]` pair `selectInto()` fills in: made once per key and
 * events and shared by every call that reports it, so read-only, like
 * Python's tuple.
 *
 * @example
 * ```ts ignore
 * const ready: ReadyPair<(mask: number) => void>[] = [];
 * sel.selectInto(ready, 0);
 * for (const [key, mask] of ready) key.data(mask);
 * ```
 */
export type ReadyPair<T = unknown, F extends FileObj = FileObj> = readonly [SelectorKey<T, F>, number];

/** Hands its argument to a subclass's constructor as `this`, so the subclass's private fields land on it. */
class Stamped {
  constructor(target: object) {
    return target;
  }
}

/**
 * The pairs `selectInto()` fills in, made once per key and events: a loop
 * that wakes up again and again for the same connection allocates no pair
 * (the garbage collector's threads are CPU time too). They live in private
 * slots on the key itself, which stays a plain frozen object with its four
 * fields (an idle key: three empty slots, no pair). Not frozen: destructuring
 * a frozen array takes the engines' slow path (an iterator per loop), which
 * would cost more than the pair saves; the type makes them read-only.
 */
class ReadyPairs extends Stamped {
  #read: ReadyPair | undefined = undefined;
  #write: ReadyPair | undefined = undefined;
  #both: ReadyPair | undefined = undefined;

  /** The pair for `key` and `events`, a non-empty subset of `key.events`. */
  static of<T, F extends FileObj>(key: SelectorKey<T, F>, events: number): [SelectorKey<T, F>, number] {
    const slots = key as unknown as ReadyPairs;
    const pair = events === EVENT_READ
      ? slots.#read ??= [key, events]
      : events === EVENT_WRITE
      ? slots.#write ??= [key, events]
      : slots.#both ??= [key, events];
    return pair as [SelectorKey<T, F>, number];
  }
}

/**
 * A read-only view of a selector's registrations, keyed by fd, like the mapping
 * Python's `get_map()` returns. Lookups also accept the registered file object.
 *
 * @example
 * ```ts ignore
 * const map = sel.getMap();
 * for (const [fd, key] of map) console.log(fd, key.data);
 * ```
 */
export class SelectorMapping<T = unknown, F extends FileObj = FileObj>
  implements ReadonlyMap<number, SelectorKey<T, F>> {
  #selector: BaseSelector<T, F>;
  #map: Map<number, SelectorKey<T, F>>;

  /** @internal Made by `BaseSelector.getMap()`. */
  constructor(selector: BaseSelector<T, F>, map: Map<number, SelectorKey<T, F>>) {
    this.#selector = selector;
    this.#map = map;
    Object.freeze(this);
  }

  /** The number of registrations. */
  get size(): number {
    return this.#map.size;
  }

  /**
   * The key of an fd or file object, or `undefined`.
   *
   * @param fileobj An fd or a registered file object.
   * @returns The key, if registered.
   */
  get(fileobj: FileObj): SelectorKey<T, F> | undefined {
    const fd = lookupFd(this.#selector, fileobj);
    return fd === undefined ? undefined : this.#map.get(fd);
  }

  /**
   * Whether an fd or file object is registered.
   *
   * @param fileobj An fd or a file object.
   * @returns `true` if registered.
   */
  has(fileobj: FileObj): boolean {
    return this.get(fileobj) !== undefined;
  }

  /** Calls `fn` for each registration. */
  forEach(
    fn: (key: SelectorKey<T, F>, fd: number, map: ReadonlyMap<number, SelectorKey<T, F>>) => void,
    thisArg?: unknown,
  ): void {
    for (const [fd, key] of this.#map) fn.call(thisArg, key, fd, this);
  }

  /** The registered fds. */
  keys(): MapIterator<number> {
    return this.#map.keys();
  }

  /** The keys. */
  values(): MapIterator<SelectorKey<T, F>> {
    return this.#map.values();
  }

  /** `[fd, key]` pairs. */
  entries(): MapIterator<[number, SelectorKey<T, F>]> {
    return this.#map.entries();
  }

  /** `[fd, key]` pairs. */
  [Symbol.iterator](): MapIterator<[number, SelectorKey<T, F>]> {
    return this.#map.entries();
  }
}

/**
 * The selector API shared by every backend: register file objects for
 * `EVENT_READ`/`EVENT_WRITE`, then `select()` those that are ready.
 *
 * Not thread-safe, like Python's. `select()` is a synchronous system call: it
 * blocks the JavaScript thread (timers, promises, signal listeners) while it
 * waits.
 *
 * @typeParam T The type of `data` attached to each key.
 * @example An echo loop
 * ```ts ignore
 * using sel = new DefaultSelector<(key: SelectorKey, mask: number) => void>();
 * sel.register(server, EVENT_READ, accept);
 * for (;;) for (const [key, mask] of sel.select()) key.data(key, mask);
 * ```
 */
export abstract class BaseSelector<T = unknown, F extends FileObj = FileObj> implements Disposable {
  /** The kernel mechanism behind this selector. */
  protected readonly poller: Poller;
  #map: Map<number, SelectorKey<T, F>> | null = new Map();
  #mapping: SelectorMapping<T, F>;
  /** Registered directions (READ and WRITE count one each): the most events one wait returns. */
  #directions = 0;
  /** The fds this selector owns and its claim on each (_claim.ts): `[fd, claim, fd, claim, ...]`. */
  #claims: number[] = [];
  /** The self-pipe of wakeup(), made on first use. */
  #wake: [number, number] | null = null;
  #wakeRead = -1;
  /** A byte is in the wake pipe. */
  #wakePending = false;
  /** wakeup() was called since the last wait returned. */
  #userWoken = false;
  /** The array selectInto() last filled, known to be fillable (an array, extensible). */
  #fillable: unknown = UNCHECKED;
  /** The last select() returned early because of wakeup(). */
  #lastWasWakeup = false;
  /** The async layer's one listener (`_select_async.ts`): told when the set changes, on wakeup() and close(). */
  #listener: SelectorListener | null = null;

  /**
   * Creates a selector on a backend; subclasses pass their poller.
   *
   * @param poller The backend this selector drives.
   */
  protected constructor(poller: Poller) {
    // Plain JavaScript can reach what TypeScript's `abstract` forbids: say so
    // clearly instead of failing on a missing poller.
    if (new.target === BaseSelector) {
      throw new TypeError(
        "BaseSelector is abstract: construct DefaultSelector, EpollSelector, KqueueSelector, PollSelector or SelectSelector",
      );
    }
    if (typeof poller !== "object" || poller === null || typeof poller.fileno !== "function") {
      throw new TypeError(`Invalid poller: expected a Poller, got ${show(poller)}`);
    }
    this.poller = poller;
    this.#mapping = new SelectorMapping(this, this.#map!);
    const fd = poller.fileno();
    // A selector dropped without close() gives its epoll/kqueue fd back at GC.
    if (fd >= 0) this.#claim(fd);
  }

  /** The backend's name: `"epoll"`, `"poll"`, `"select"` or `"kqueue"`. */
  get backend(): string {
    return this.poller.name;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#map === null;
  }

  #open(): Map<number, SelectorKey<T, F>> {
    if (this.#map === null) throw new SelectorClosedError();
    return this.#map;
  }

  static {
    selectorInternals = {
      pollSet: (selector, into) => selector.poller.pollSet(into),
      listen: (selector, listener) => {
        selector.#listener = listener;
      },
      wasWoken: (selector) => selector.#lastWasWakeup,
    };
    lookupFd = (selector, fileobj) => {
      try {
        return selector.#resolve(fileobj);
      } catch (e) {
        if (e instanceof RangeError || e instanceof TypeError) return undefined;
        throw e; // an exception of the object's own fileno()
      }
    };
  }

  /**
   * The fd a file object is registered under: its `fileno()`, or, when that is
   * no longer valid (a closed object returns -1), the fd of the key registered
   * with that very object. Throws `fileno()`'s error when neither works.
   */
  #resolve(fileobj: FileObj): number {
    try {
      return fileobjToFd(fileobj);
    } catch (e) {
      if (this.#map) {
        for (const key of this.#map.values()) if (key.fileobj === fileobj) return key.fd;
      }
      throw e;
    }
  }

  /**
   * {@linkcode BaseSelector.#resolve} on an open selector, checked to be still
   * open afterwards: `fileno()` is user code and may close the selector
   * (re-entrancy), which must then end in SelectorClosedError with nothing
   * registered.
   */
  #fdOf(fileobj: FileObj): number {
    this.#open();
    const fd = this.#resolve(fileobj);
    this.#open();
    return fd;
  }

  #keyOf(fileobj: FileObj): SelectorKey<T, F> {
    const fd = this.#fdOf(fileobj);
    const key = this.#open().get(fd);
    if (!key) throw new KeyError(`${describe(fileobj, fd)} is not registered`);
    return key;
  }

  /**
   * Starts watching a file object.
   *
   * @param fileobj An fd or an object with `fileno()`.
   * @param events `EVENT_READ`, `EVENT_WRITE`, or both.
   * @param data Anything to get back in the key, such as a callback.
   * @returns The new key.
   * @throws {KeyError} If the fd is already registered.
   * @throws {TypeError|RangeError} For an invalid file object or events; nothing is registered.
   * @throws {OSError} If the kernel refuses it (epoll: EPERM for a regular file); nothing stays registered.
   * @example
   * ```ts ignore
   * const key = sel.register(sock, EVENT_READ, onReadable);
   * ```
   */
  register(fileobj: F, events: number, data?: T): SelectorKey<T, F> {
    this.#open();
    checkEvents(events);
    const fd = this.#fdOf(fileobj);
    const map = this.#open();
    if (map.has(fd)) throw new KeyError(`${describe(fileobj, fd)} is already registered`);
    const key = makeKey(fileobj, fd, events, data as T);
    map.set(fd, key);
    try {
      this.poller.register(fd, events);
    } catch (e) {
      map.delete(fd); // the kernel refused: roll back the bookkeeping
      throw e;
    }
    this.#directions += DIRECTIONS[events]!;
    this.#listener?.("changed"); // a pending async wait goes on with the new set
    return key;
  }

  /**
   * Stops watching a file object. Works after the fd was closed behind the
   * selector's back (the kernel error is ignored, as in CPython).
   *
   * @param fileobj An fd or a registered file object.
   * @returns The key it had.
   * @throws {KeyError} If it is not registered.
   * @example
   * ```ts ignore
   * sel.unregister(sock);
   * sock.close();
   * ```
   */
  unregister(fileobj: FileObj): SelectorKey<T, F> {
    const key = this.#keyOf(fileobj);
    this.#map!.delete(key.fd);
    this.#directions -= DIRECTIONS[key.events]!;
    try {
      this.poller.unregister(key.fd, key.events);
    } catch (e) {
      // The fd was closed (EBADF) or reused since it was registered.
      if (!(e instanceof OSError)) throw e;
    }
    this.#listener?.("changed");
    return key;
  }

  /**
   * Changes the events or data of a registration. With the same events, only
   * `data` is replaced and no system call is made. As in Python, leaving out
   * `data` sets it to `undefined`.
   *
   * @param fileobj An fd or a registered file object.
   * @param events The new events.
   * @param data The new data.
   * @returns The new key (earlier keys are unchanged).
   * @throws {KeyError} If it is not registered.
   * @throws {OSError} If the kernel refuses; the file object is then unregistered.
   * @example
   * ```ts ignore
   * sel.modify(sock, EVENT_READ | EVENT_WRITE, conn);
   * ```
   */
  modify(fileobj: FileObj, events: number, data?: T): SelectorKey<T, F> {
    const key = this.#keyOf(fileobj);
    checkEvents(events);
    const map = this.#map!;
    let newKey = key;
    if (events !== key.events) {
      try {
        this.poller.modify(key.fd, key.events, events);
      } catch (e) {
        // CPython (bpo-30014): a refused modify leaves the fd unregistered.
        map.delete(key.fd);
        this.#directions -= DIRECTIONS[key.events]!;
        try {
          this.poller.unregister(key.fd, key.events);
        } catch { /* already gone from the kernel */ }
        throw e;
      }
      newKey = makeKey(key.fileobj, key.fd, events, data as T);
      this.#directions += DIRECTIONS[events]! - DIRECTIONS[key.events]!;
    } else if (data !== key.data) {
      newKey = makeKey(key.fileobj, key.fd, events, data as T);
    }
    map.set(key.fd, newKey);
    if (events !== key.events) this.#listener?.("changed");
    return newKey;
  }

  /**
   * Waits until some registered file objects are ready, or the timeout passes.
   * Interrupted by a signal, it waits again for the time left (PEP 475).
   *
   * @param timeout Seconds. `undefined`, `null` or `Infinity` block until an
   *   event; `<= 0` polls without blocking; otherwise waits at least that long.
   * @returns `[key, events]` for each ready file object; `events` is a non-empty
   *   subset of `key.events`. Error and hang-up conditions report as readable
   *   and/or writable, so the next read or write sees them. The array and its
   *   pairs are new each call (`selectInto()` allocates none).
   * @throws {TypeError|RangeError} For a timeout that is not a number, or NaN.
   * @throws {OSError} If the wait itself fails (select: EBADF for a closed fd).
   * @example
   * ```ts ignore
   * for (const [key, mask] of sel.select(1.5)) key.data(key.fileobj, mask);
   * ```
   */
  select(timeout?: number | null): Array<[SelectorKey<T, F>, number]> {
    return this.#gather(null, timeout);
  }

  /**
   * `select()` into an array the caller keeps: the same wait, and the pairs
   * replace the array's contents (its length becomes their count). A loop
   * that passes the same array each time allocates nothing per wake-up, as
   * `recvInto()` reuses a buffer. Each pair is made once per key and events
   * and shared by every call that reports it: read-only (as Python's tuples
   * are), safe to keep, not to change.
   *
   * @param ready The array to fill; what it held is dropped.
   * @param timeout Seconds, as for `select()`.
   * @returns How many file objects are ready (`ready.length`).
   * @throws {TypeError} If `ready` is not an array it can fill (frozen, sealed); nothing is waited for.
   *   Checked once per array: one frozen after a call that filled it is refused after the wait, whose
   *   events stay pending for the next.
   * @throws {TypeError|RangeError|OSError} As `select()` does.
   * @example
   * ```ts ignore
   * const ready: ReadyPair<Handler>[] = [];
   * for (;;) {
   *   sel.selectInto(ready, 1.5);
   *   for (const [key, mask] of ready) key.data(key.fileobj, mask);
   * }
   * ```
   */
  selectInto(ready: Array<ReadyPair<T, F>>, timeout?: number | null): number {
    // Checked once per array: Object.isExtensible() is a call into V8's C++ runtime, which
    // after a sleep cost ~0.2 us per wake-up of an echo loop (issue #33).
    if (ready !== this.#fillable) {
      if (!Array.isArray(ready) || !Object.isExtensible(ready)) throw readyError(ready);
      this.#fillable = ready;
    }
    try {
      return this.#gather(ready as Array<[SelectorKey<T, F>, number]>, timeout).length;
    } catch (e) {
      // Frozen or sealed since it was checked: the same error as up front (the events stay
      // pending: every backend here reports readiness, not edges).
      if (!Object.isExtensible(ready)) {
        this.#fillable = UNCHECKED;
        throw readyError(ready);
      }
      throw e;
    }
  }

  /**
   * The body of `select()` and `selectInto()`: waits, then fills `into` with
   * the keys' own pairs, or (null) a new array with new pairs; returns it.
   */
  #gather(
    into: Array<[SelectorKey<T, F>, number]> | null,
    timeout: number | null | undefined,
  ): Array<[SelectorKey<T, F>, number]> {
    const map = this.#open();
    const seconds = selectTimeout(timeout);
    if (this.#userWoken && !this.#wakePending) return this.#wokenWithoutPipe(into);
    const deadline = seconds > 0 ? now() + seconds : 0;
    // #pollKernel's first wait, written out: one call less to compile on the hot path.
    const long = seconds > MAX_WAIT_SECONDS;
    let n = this.poller.wait(long ? MAX_WAIT_SECONDS : seconds, this.#directions || 1);
    if (n < 0 || (n === 0 && long)) n = this.#pollAgain(n, seconds, deadline);
    // The common case, kept small (it runs on every wake-up): every fd the
    // kernel reported is registered. The wake pipe and a stale registration
    // (neither in the map) go to the rare path, which starts over.
    const ready = into ?? new Array<[SelectorKey<T, F>, number]>(n); // sized once, trimmed if some are dropped
    const poller = this.poller;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const fd = poller.readyFd(i);
      const key = map.get(fd);
      if (key === undefined || fd === this.#wakeRead) {
        return this.#selectRare(into, map, n, seconds, deadline);
      }
      const events = poller.readyEvents(i) & key.events;
      if (events !== 0) ready[count++] = into === null ? [key, events] : ReadyPairs.of(key, events);
    }
    // Only when it differs: setting an array's length is a call into the engine's runtime.
    if (ready.length !== count) ready.length = count;
    this.#lastWasWakeup = false;
    return ready;
  }

  /** `select()` after a wakeup() that no pipe could carry (EMFILE; fds past FD_SETSIZE): returns at once. */
  #wokenWithoutPipe(into: Array<[SelectorKey<T, F>, number]> | null): Array<[SelectorKey<T, F>, number]> {
    this.#userWoken = false;
    const ready = this.#gather(into, 0);
    this.#lastWasWakeup = true;
    return ready;
  }

  /**
   * The rest of `select()` when a wait returned the wake pipe or an fd no
   * longer registered: collects its `n` events again, drains the pipe, drops
   * stale registrations, and waits again for the time left where returning
   * now would be early.
   */
  #selectRare(
    into: Array<[SelectorKey<T, F>, number]> | null,
    map: Map<number, SelectorKey<T, F>>,
    n: number,
    seconds: number,
    deadline: number,
  ): Array<[SelectorKey<T, F>, number]> {
    const ready = into ?? [];
    let staleRounds = 0;
    for (;;) {
      ready.length = 0;
      let woken = false;
      let stale = false;
      for (let i = 0; i < n; i++) {
        const fd = this.poller.readyFd(i);
        if (fd === this.#wakeRead) {
          woken = true;
          continue;
        }
        const key = map.get(fd);
        if (key === undefined) {
          // No longer registered: never reported. The kernel still had it
          // (epoll keeps a closed fd's registration while a dup lives on).
          this.poller.stale?.(fd);
          stale = true;
          continue;
        }
        const events = this.poller.readyEvents(i) & key.events;
        if (events !== 0) ready.push(into === null ? [key, events] : ReadyPairs.of(key, events));
      }
      this.#lastWasWakeup = false;
      if (!woken) {
        // Only stale events: the backend dropped them; wait out the time left
        // instead of returning early (a loop around select() would spin).
        // Once per call, and only where the backend can drop them: else a
        // stale state it cannot clear would turn this into a busy loop.
        if (!stale || ready.length > 0 || seconds === 0 || !this.poller.stale || ++staleRounds > 1) {
          return ready;
        }
      } else {
        drain(this.#wakeRead);
        this.#wakePending = false;
        if (this.#userWoken) {
          // wakeup(): return now with whatever is ready.
          this.#userWoken = false;
          this.#lastWasWakeup = true;
          return ready;
        }
        // A byte wakeup() did not send (another writer on the wake pipe's fd):
        // drained, and not a reason to return early.
        if (ready.length > 0 || seconds === 0) return ready;
      }
      if (seconds > 0) {
        seconds = deadline - now();
        if (seconds <= 0) return ready;
      }
      n = this.#pollKernel(seconds, deadline);
    }
  }

  /** One kernel wait for `seconds` seconds (< 0 blocks), retried on EINTR (PEP 475) and split when very long. */
  #pollKernel(seconds: number, deadline: number): number {
    const long = seconds > MAX_WAIT_SECONDS;
    const n = this.poller.wait(long ? MAX_WAIT_SECONDS : seconds, this.#directions || 1);
    return n > 0 || (n === 0 && !long) ? n : this.#pollAgain(n, seconds, deadline);
  }

  /** The rest of `#pollKernel` after a wait returned `n`: EINTR or the end of one slice of a very long wait. */
  #pollAgain(n: number, seconds: number, deadline: number): number {
    for (;;) {
      if (n === 0 && seconds > MAX_WAIT_SECONDS) {
        seconds = deadline - now(); // a very long wait, split for the kernel's int ms
        if (seconds <= 0) return 0;
      } else if (n !== INTERRUPTED) {
        return n;
      } else if (seconds > 0) {
        seconds = Math.max(deadline - now(), 0); // bpo-35310: retry even past the deadline, with 0
      }
      n = this.poller.wait(seconds > MAX_WAIT_SECONDS ? MAX_WAIT_SECONDS : seconds, this.#directions || 1);
    }
  }

  /**
   * Like {@linkcode BaseSelector.select}, but waits without blocking the
   * JavaScript thread: timers, promises, I/O and signal listeners keep running.
   * Same timeout rules, same results.
   *
   * When something is ready already, it answers from a `select(0)` on the JS
   * thread (the loaded-loop fast path), after letting one event-loop turn run
   * at least every 5 ms so that a loop that is always busy starves no timer.
   * Otherwise it waits through the process's one off-thread waiter: a single
   * poll(2) on another thread (Deno: one `nonblocking` FFI call, one thread of
   * Deno's pool however many selectors wait; Bun: one Worker for the process)
   * watches every waiting selector's epoll/kqueue fd, or a copy of its
   * registered fds for poll and select. When it wakes, a `select(0)` on the JS
   * thread collects the results. A `register`/`modify`/`unregister` while it
   * waits is seen by the next poll. `wakeup()` ends the wait early; `close()`
   * ends it with `[]`. A signal interrupting the other thread's poll is
   * retried with the time left (PEP 475). One `selectAsync()` at a time per
   * selector.
   *
   * @param timeout Seconds, as for `select()`.
   * @param options `signal`: an AbortSignal that rejects the wait with its reason.
   * @returns `[key, events]` for each ready file object.
   * @throws {TypeError|RangeError} For a bad timeout. @throws {SelectorClosedError} After `close()`.
   * @throws {OSError} EMFILE and the like when the waiter's pipe or thread cannot be made (the
   *   selector stays usable with `select()`).
   * @example
   * ```ts ignore
   * process.on("SIGINT", () => { stopping = true; sel.wakeup(); });
   * while (!stopping) for (const [key, mask] of await sel.selectAsync()) key.data(key, mask);
   * ```
   */
  selectAsync(
    timeout?: number | null,
    options: { signal?: AbortSignal } = {},
  ): Promise<Array<[SelectorKey<T, F>, number]>> {
    if (!asyncLayer) return Promise.reject(new Error("selectAsync() needs the async layer: import mod.ts"));
    return asyncLayer(this, timeout, options) as Promise<Array<[SelectorKey<T, F>, number]>>;
  }

  /**
   * Makes a pending wait return early, sync or async, with whatever is ready
   * (mio's `Waker`, Python's self-pipe trick); a wakeup before the wait makes
   * the next wait return at once. Safe from a timer or a signal listener (it
   * never throws; a no-op after `close()`); repeated calls before the wait
   * returns cost nothing.
   *
   * @example
   * ```ts ignore
   * process.on("SIGTERM", () => { stopping = true; sel.wakeup(); });
   * ```
   */
  wakeup(): void {
    if (this.#map === null) return;
    this.#userWoken = true;
    this.#listener?.("ended"); // a pending selectAsync() returns at once
    if (this.#wakePending) return;
    try {
      poke(this.#wakePipe()[1]);
      this.#wakePending = true;
    } catch {
      // No pipe could be made (EMFILE; a SelectSelector whose next fd is past
      // FD_SETSIZE): a signal listener must not throw. A pending async wait was
      // woken above; a later wait just is not cut short.
    }
  }

  /** Claims `fd`, just made, as this selector's (_claim.ts): closed at GC if the selector is dropped. */
  #claim(fd: number): void {
    this.#claims.push(fd, adopt(this, fd, `${this.poller.name} selector`));
  }

  /** The wake pipe, made and watched on first use: `[readFd, writeFd]`. */
  #wakePipe(): [number, number] {
    if (this.#wake) return this.#wake;
    const pipe = wakePipe();
    try {
      this.poller.register(pipe[0], EVENT_READ);
    } catch (e) {
      for (const fd of pipe) closeFd(fd);
      throw e;
    }
    // Owned from here: closed at GC if the selector is dropped.
    for (const fd of pipe) this.#claim(fd);
    this.#directions += 1;
    this.#wake = pipe;
    this.#wakeRead = pipe[0];
    return pipe;
  }

  /**
   * The key of a registered file object.
   *
   * @param fileobj An fd or a registered file object.
   * @returns Its key.
   * @throws {KeyError} If it is not registered.
   * @throws {SelectorClosedError} After `close()`.
   * @example
   * ```ts ignore
   * const key = sel.getKey(sock);
   * ```
   */
  getKey(fileobj: FileObj): SelectorKey<T, F> {
    return this.#keyOf(fileobj);
  }

  /**
   * A read-only, live view of the registrations, keyed by fd.
   *
   * @returns The mapping.
   * @throws {SelectorClosedError} After `close()`.
   * @example
   * ```ts ignore
   * console.log(sel.getMap().size);
   * ```
   */
  getMap(): SelectorMapping<T, F> {
    this.#open();
    return this.#mapping;
  }

  /**
   * Forgets every registration and releases the kernel object. Idempotent; the
   * registered file objects are not closed.
   *
   * @example
   * ```ts ignore
   * sel.close();
   * ```
   */
  close(): void {
    if (this.#map === null) return;
    this.#map.clear();
    this.#map = null;
    this.#directions = 0;
    // A pending selectAsync() ends with []; the waiter stops watching our fds
    // (its poll in flight is poked, and holds its own reference to them).
    this.#listener?.("ended");
    this.#release();
  }

  /** Frees the kernel object and the wake pipe. */
  #release(): void {
    // Only the numbers still this selector's are closed: one closed behind
    // its back (os.close(sel.fileno())) may belong to a new pipe by now.
    const owned: number[] = [];
    const claims = this.#claims;
    for (let i = 0; i < claims.length; i += 2) {
      if (release(this, claims[i]!, claims[i + 1]!)) owned.push(claims[i]!);
    }
    this.#claims = [];
    const fd = this.poller.fileno();
    this.poller.close(fd >= 0 && owned.includes(fd));
    if (this.#wake) { for (const fd of this.#wake) if (owned.includes(fd)) closeFd(fd); }
    this.#wake = null;
    this.#wakeRead = -1;
  }

  /** Closes the selector at the end of a `using` scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}
