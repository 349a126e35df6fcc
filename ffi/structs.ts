/**
 * C struct layouts, written once, as reusable buffers with typed accessors.
 *
 * Backends never compute an offset themselves. Every size here is checked by
 * `tests/structs_test.ts` against the system headers. All supported targets are
 * little-endian and LP64.
 *
 * @module
 */
import { ARCH, OS } from "./_host.ts";
import { FD_SETSIZE, WINSOCK_FD_SETSIZE } from "./constants.ts";

/** The capacity after doubling `capacity` until it holds `n`. */
function doubled(capacity: number, n: number): number {
  let cap = Math.max(capacity, 1);
  while (cap < n) cap *= 2;
  return cap;
}

/**
 * Bytes per `struct epoll_event` on a CPU architecture: `{ uint32_t events;
 * uint64_t data; }` is packed on x86_64 (12 bytes: glibc and the kernel uapi
 * mark it `__attribute__((packed))` there) and naturally aligned elsewhere (16).
 */
export function epollEventSize(arch: string): number {
  return arch === "x86_64" ? 12 : 16;
}

/** A growable array of `struct epoll_event`, reused across calls. */
export class EpollEvents {
  /** Bytes per event on this host. */
  static readonly SIZE: number = epollEventSize(ARCH);
  /** 4-byte words per event, and the word holding `data`'s low half (the fd). */
  static readonly #WORDS = EpollEvents.SIZE / 4;
  static readonly #FD_WORD = EpollEvents.SIZE === 12 ? 1 : 2;

  /** The raw bytes, passed to C. */
  bytes: Uint8Array;
  #words: Int32Array;
  /** How many events fit (a field: `reserve` runs before every wait). */
  #capacity: number;

  /** Creates room for `capacity` events. */
  constructor(capacity = 1) {
    this.#capacity = Math.max(capacity, 1);
    this.bytes = new Uint8Array(this.#capacity * EpollEvents.SIZE);
    this.#words = new Int32Array(this.bytes.buffer);
  }

  /** How many events fit. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Grows (doubling) to hold at least `n` events; keeps nothing. */
  reserve(n: number): void {
    if (n <= this.#capacity) return;
    this.#capacity = doubled(this.#capacity, n);
    this.bytes = new Uint8Array(this.#capacity * EpollEvents.SIZE);
    this.#words = new Int32Array(this.bytes.buffer);
  }

  /** Writes event `i`: the epoll mask and the fd as `data` (upper half zero). */
  set(i: number, events: number, fd: number): void {
    const w = i * EpollEvents.#WORDS;
    this.#words[w] = events;
    this.#words[w + EpollEvents.#FD_WORD] = fd;
    this.#words[w + EpollEvents.#FD_WORD + 1] = 0;
  }

  /** The epoll mask of event `i`. */
  events(i: number): number {
    return this.#words[i * EpollEvents.#WORDS]! >>> 0;
  }

  /** The fd stored in `data` of event `i`. */
  fd(i: number): number {
    return this.#words[i * EpollEvents.#WORDS + EpollEvents.#FD_WORD]!;
  }
}

/**
 * 32-bit words per poll entry, and the word holding `events` (low half) and
 * `revents` (high half): `struct pollfd` is `{ int fd; short events; short
 * revents; }` (8 bytes); Winsock's `WSAPOLLFD` is `{ SOCKET fd; SHORT events;
 * SHORT revents; }` with a 64-bit handle (16 bytes, padded).
 */
const POLL_WORDS = OS === "windows" ? 4 : 2;
const EVENTS_WORD = OS === "windows" ? 2 : 1;

/** A growable array of poll entries (`struct pollfd`, or `WSAPOLLFD` on Windows). */
export class PollFds {
  /** Bytes per entry: `struct pollfd` (8), or Winsock's `WSAPOLLFD` (16). */
  static readonly SIZE: number = POLL_WORDS * 4;

  /** The raw bytes, passed to C. */
  bytes: Uint8Array;
  #words: Int32Array;

  readonly #shared: boolean;

  /**
   * Creates room for `capacity` entries; `shared` puts them in a
   * SharedArrayBuffer, for a poll(2) on another thread.
   */
  constructor(capacity = 8, shared = false) {
    this.#shared = shared;
    this.bytes = PollFds.#alloc(Math.max(capacity, 1), shared);
    this.#words = new Int32Array(this.bytes.buffer);
  }

  static #alloc(entries: number, shared: boolean): Uint8Array {
    const size = entries * PollFds.SIZE;
    return new Uint8Array(shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size));
  }

  /** How many entries fit. */
  get capacity(): number {
    return this.bytes.byteLength / PollFds.SIZE;
  }

  /** Grows (doubling) to hold at least `n` entries, keeping the existing ones. */
  reserve(n: number): void {
    if (n <= this.capacity) return;
    const cap = doubled(this.capacity, n);
    const bytes = PollFds.#alloc(cap, this.#shared);
    bytes.set(this.bytes);
    this.bytes = bytes;
    this.#words = new Int32Array(bytes.buffer);
  }

  /**
   * Writes entry `i` with `revents` cleared. A Winsock handle's high word is
   * its sign: handles are below 2^31 (checked where a socket is made), and a
   * negative fd is INVALID_SOCKET, which WSAPoll skips as poll(2) skips it.
   */
  set(i: number, fd: number, events: number): void {
    const w = i * POLL_WORDS;
    this.#words[w] = fd;
    if (EVENTS_WORD === 2) this.#words[w + 1] = fd >> 31; // the handle's high word: -1 stays INVALID_SOCKET
    this.#words[w + EVENTS_WORD] = events & 0xffff;
  }

  /** Copies entry `from` onto entry `to`. */
  move(from: number, to: number): void {
    const a = from * POLL_WORDS, b = to * POLL_WORDS;
    this.#words[b] = this.#words[a]!;
    if (EVENTS_WORD === 2) this.#words[b + 1] = this.#words[a + 1]!;
    this.#words[b + EVENTS_WORD] = this.#words[a + EVENTS_WORD]!;
  }

  /** The fd of entry `i`. */
  fd(i: number): number {
    return this.#words[i * POLL_WORDS]!;
  }

  /** The requested events of entry `i`. */
  events(i: number): number {
    return this.#words[i * POLL_WORDS + EVENTS_WORD]! & 0xffff;
  }

  /** Adds `events` to the requested events of entry `i` (its `revents` untouched). */
  addEvents(i: number, events: number): void {
    this.#words[i * POLL_WORDS + EVENTS_WORD]! |= events & 0xffff;
  }

  /** The returned events of entry `i`. */
  revents(i: number): number {
    return this.#words[i * POLL_WORDS + EVENTS_WORD]! >>> 16;
  }

  /**
   * Writes into `out` the indexes of the first `count` entries whose
   * `revents` is non-zero, stopping after `n` (poll's result); returns how
   * many. One tight pass over the words: `revents` is the high half of each
   * entry's events word (little-endian).
   */
  collectReady(count: number, n: number, out: Int32Array): number {
    const words = this.#words;
    let found = 0;
    for (let i = 0, w = EVENTS_WORD; found < n && i < count; i++, w += POLL_WORDS) {
      if ((words[w]! & -65536) !== 0) out[found++] = i;
    }
    return found;
  }
}

/**
 * An `fd_set`: a bitmap of `FD_SETSIZE` bits (128 bytes on glibc, musl and
 * macOS; on little-endian hosts fd `n` is bit `n & 7` of byte `n >> 3`).
 * Callers must keep fds below `FD_SETSIZE`: the methods throw otherwise, so no
 * bit is ever written outside the buffer C reads.
 */
export class FdSet {
  /** Bytes per `fd_set`. */
  static readonly SIZE = FD_SETSIZE / 8;
  /** The raw bytes, passed to C. */
  readonly bytes: Uint8Array = new Uint8Array(FdSet.SIZE);

  static #check(fd: number): void {
    if (!(fd >= 0 && fd < FD_SETSIZE)) throw new RangeError(`fd ${fd} does not fit in an fd_set`);
  }

  /** Sets fd's bit. */
  add(fd: number): void {
    FdSet.#check(fd);
    this.bytes[fd >> 3]! |= 1 << (fd & 7);
  }

  /** Clears fd's bit. */
  delete(fd: number): void {
    FdSet.#check(fd);
    this.bytes[fd >> 3]! &= ~(1 << (fd & 7));
  }

  /** Whether fd's bit is set. */
  has(fd: number): boolean {
    return fd >= 0 && fd < FD_SETSIZE && (this.bytes[fd >> 3]! & (1 << (fd & 7))) !== 0;
  }

  /** Copies another set's bits into this one. */
  copyFrom(other: FdSet): void {
    this.bytes.set(other.bytes);
  }
}

/**
 * Winsock's `fd_set`: `{ u_int fd_count; SOCKET fd_array[WINSOCK_FD_SETSIZE]; }`,
 * an array of handles filled from the front (8 bytes of count and padding,
 * then 8 bytes per handle), so its limit is how many sockets, not how large a
 * number. select() rewrites it to hold the ready ones.
 */
export class WinsockFdSet {
  /** Bytes per set. */
  static readonly SIZE = 8 + 8 * WINSOCK_FD_SETSIZE;
  /** The raw bytes, passed to C. */
  readonly bytes: Uint8Array = new Uint8Array(WinsockFdSet.SIZE);
  #words = new Int32Array(this.bytes.buffer);

  /** How many handles the set holds. */
  get count(): number {
    return this.#words[0]!;
  }

  /** Empties the set. */
  clear(): void {
    this.#words[0] = 0;
  }

  /** Appends a handle (below 2^31); the caller keeps the count below WINSOCK_FD_SETSIZE. */
  push(handle: number): void {
    const n = this.#words[0]!;
    if (n >= WINSOCK_FD_SETSIZE) {
      throw new RangeError(`an fd_set holds at most ${WINSOCK_FD_SETSIZE} sockets`);
    }
    this.#words[2 + 2 * n] = handle;
    this.#words[3 + 2 * n] = 0;
    this.#words[0] = n + 1;
  }

  /** The handle at `i`. */
  at(i: number): number {
    return this.#words[2 + 2 * i]!;
  }
}

/** Winsock `struct timeval`: `{ long tv_sec; long tv_usec; }`, 32-bit longs (8 bytes). */
export class WinsockTimeval {
  /** The raw bytes, passed to C. */
  readonly bytes: Uint8Array = new Uint8Array(8);
  #words = new Int32Array(this.bytes.buffer);

  /** Stores a time in microseconds; seconds saturate at 2^31 - 1 (68 years). */
  setMicros(us: number): void {
    this.#words[0] = Math.min(Math.floor(us / 1e6), 0x7fffffff);
    this.#words[1] = us % 1e6;
  }
}

/**
 * A `struct timeval` or `struct timespec`: 16 bytes on LP64 (`tv_sec` is a
 * 64-bit `time_t`; the fraction is a `long` on Linux and FreeBSD, an `int`
 * plus padding for macOS's `timeval`). Both are written as two 64-bit words.
 */
export class TimeStruct {
  /** Bytes per struct. */
  static readonly SIZE = 16;
  /** The raw bytes, passed to C. */
  readonly bytes: Uint8Array = new Uint8Array(TimeStruct.SIZE);
  #words = new Int32Array(this.bytes.buffer);

  /** Stores a time given in units of `1 / perSecond` s (1e6 for timeval, 1e9 for timespec). */
  setUnits(units: number, perSecond: number): void {
    this.set(Math.floor(units / perSecond), units % perSecond);
  }

  /** Stores whole seconds and a fraction (µs for timeval, ns for timespec). */
  set(seconds: number, fraction: number): void {
    const w = this.#words;
    w[0] = seconds % 0x100000000;
    w[1] = Math.floor(seconds / 0x100000000);
    w[2] = fraction;
    w[3] = 0;
  }
}

/** A `struct rlimit { rlim_t rlim_cur, rlim_max; }` (16 bytes, 64-bit fields). */
export class Rlimit {
  /** Bytes per struct. */
  static readonly SIZE = 16;
  /** The raw bytes, passed to C. */
  readonly bytes: Uint8Array = new Uint8Array(Rlimit.SIZE);
  #words = new BigUint64Array(this.bytes.buffer);

  /** The soft limit (`RLIM_INFINITY` is 2**64 - 1). */
  get soft(): bigint {
    return this.#words[0]!;
  }
  set soft(v: bigint) {
    this.#words[0] = v;
  }

  /** The hard limit. */
  get hard(): bigint {
    return this.#words[1]!;
  }
  set hard(v: bigint) {
    this.#words[1] = v;
  }
}

/** Two C ints (`int fds[2]`, as filled by `pipe2` and `socketpair`). */
export function intPair(): Int32Array {
  return new Int32Array(2);
}

/**
 * Bytes per `struct kevent`: `{ uintptr_t ident; int16_t filter; uint16_t
 * flags; uint32_t fflags; intptr_t data; void *udata; }` is 32 bytes on macOS
 * and OpenBSD (LP64); FreeBSD >= 12 appends `uint64_t ext[4]`: 64 bytes. The
 * first 32 bytes are laid out alike, which is all this module touches.
 */
export function keventSize(flavour: "darwin" | "freebsd"): number {
  return flavour === "freebsd" ? 64 : 32;
}

/** A growable array of `struct kevent`, reused across calls. */
export class Kevents {
  /** Bytes per event for this layout. */
  readonly size: number;
  /** The raw bytes, passed to C. */
  bytes: Uint8Array;
  #words!: Int32Array;
  #shorts!: Int16Array;

  /** Creates room for `capacity` events of a layout. */
  constructor(flavour: "darwin" | "freebsd", capacity = 1) {
    this.size = keventSize(flavour);
    this.bytes = new Uint8Array(Math.max(capacity, 1) * this.size);
    this.#views();
  }

  #views(): void {
    this.#words = new Int32Array(this.bytes.buffer);
    this.#shorts = new Int16Array(this.bytes.buffer);
  }

  /** How many events fit. */
  get capacity(): number {
    return this.bytes.byteLength / this.size;
  }

  /** Grows (doubling) to hold at least `n` events; keeps nothing. */
  reserve(n: number): void {
    if (n <= this.capacity) return;
    const cap = doubled(this.capacity, n);
    this.bytes = new Uint8Array(cap * this.size);
    this.#views();
  }

  /** Writes event `i` (`ident` at 0, `filter` at 8, `flags` at 10; the rest zeroed). */
  set(i: number, ident: number, filter: number, flags: number): void {
    this.bytes.fill(0, i * this.size, (i + 1) * this.size);
    const w = (i * this.size) >> 2;
    this.#words[w] = ident;
    this.#shorts[w * 2 + 4] = filter;
    this.#shorts[w * 2 + 5] = flags;
  }

  /** The `ident` (fd) of event `i` (its low 32 bits: fds are ints). */
  ident(i: number): number {
    return this.#words[(i * this.size) >> 2]!;
  }

  /** The `filter` of event `i`. */
  filter(i: number): number {
    return this.#shorts[((i * this.size) >> 1) + 4]!;
  }
}

/**
 * Winsock's `WSAPROTOCOL_INFOW` as `getsockopt(SOL_SOCKET, SO_PROTOCOL_INFOW)`
 * fills it (x64, 628 bytes): service and provider ids and the protocol chain
 * (76 bytes), then `iVersion`, `iAddressFamily` (76), `iMaxSockAddr`,
 * `iMinSockAddr`, `iSocketType` (88), `iProtocol` (92), ..., `szProtocol`.
 * Windows' answer to "what is this socket", where getsockname() of an
 * unbound socket fails (CPython reads the same three fields).
 */
export class ProtocolInfo {
  /** `SO_PROTOCOL_INFOW` (winsock2.h). */
  static readonly OPTION = 0x2005;
  /** Bytes per struct. */
  static readonly SIZE = 628;
  /** The raw bytes, passed to C. */
  readonly bytes: Uint8Array = new Uint8Array(ProtocolInfo.SIZE);
  #words = new Int32Array(this.bytes.buffer);

  /** `iAddressFamily`. */
  get family(): number {
    return this.#words[19]!;
  }

  /** `iSocketType`. */
  get type(): number {
    return this.#words[22]!;
  }

  /** `iProtocol`. */
  get protocol(): number {
    return this.#words[23]!;
  }
}
