/**
 * The contract between the selector core and its backends (mio's
 * `sys/mod.rs`): the event bits, and the {@linkcode Poller} every file in
 * `backends/` implements. It imports nothing: the core (`selector.ts`) and the
 * backends both stand on it.
 *
 * @module
 */

/**
 * The file is ready to read (or at EOF, or in error).
 *
 * @example
 * ```ts ignore
 * sel.register(fd, EVENT_READ);
 * ```
 */
export const EVENT_READ = 1;
/**
 * The file is ready to write (or in error).
 *
 * @example
 * ```ts ignore
 * sel.register(fd, EVENT_READ | EVENT_WRITE);
 * ```
 */
export const EVENT_WRITE = 2;

/** Returned by {@linkcode Poller.wait} when a signal interrupted the wait (EINTR). */
export const INTERRUPTED: number = -1;

/** A growable `struct pollfd` array that another thread will poll: what {@linkcode Poller.pollSet} fills. */
export interface PollList {
  /** The raw `struct pollfd` entries (8 bytes each). */
  readonly bytes: Uint8Array;
  /** Grows to hold at least `n` entries, keeping the existing ones. */
  reserve(n: number): void;
  /** Writes entry `i`: the fd and its POLLIN/POLLOUT interest. */
  set(i: number, fd: number, events: number): void;
}

/**
 * The contract every backend implements (mio's `Selector` shape): a kernel
 * readiness mechanism behind a selector. A poller knows only fds and the
 * EVENT_READ/EVENT_WRITE bits; the selector owns the one fd -> key map, all
 * validation, rollback and the EINTR loop. Each file in `backends/` exports one
 * poller class and adds only its constants, its struct work (through
 * `ffi/structs.ts`) and its few system calls.
 */
export interface Poller {
  /** The backend's name: `"epoll"`, `"poll"`, `"select"` or `"kqueue"`. */
  readonly name: string;
  /** Starts watching `fd` for `events` (EVENT_READ/EVENT_WRITE bits). Throws OSError/RangeError. */
  register(fd: number, events: number): void;
  /** Changes what `fd` is watched for. Throws OSError. */
  modify(fd: number, oldEvents: number, events: number): void;
  /** Stops watching `fd`. May throw OSError if the fd was closed meanwhile. */
  unregister(fd: number, events: number): void;
  /**
   * Waits until something is ready or `timeout` seconds pass (`< 0` blocks,
   * `0` polls). Returns the number of results, or {@linkcode INTERRUPTED}.
   * `maxEvents` is the number of registered directions (an fd watched for
   * READ|WRITE counts twice, as kqueue filters do), at least 1.
   */
  wait(timeout: number, maxEvents: number): number;
  /** The fd of result `i` of the last wait. */
  readyFd(i: number): number;
  /**
   * Optional: the last wait reported `fd`, which the selector does not know
   * (no key, not its wake pipe). A backend whose kernel can keep a stale
   * registration (epoll: a closed fd whose `dup` lives on) drops it here, so
   * the next wait does not return at once again.
   */
  stale?(fd: number): void;
  /** The EVENT_READ/EVENT_WRITE bits of result `i` of the last wait (error and hang-up included). */
  readyEvents(i: number): number;
  /** The kernel object's fd, or -1 when the backend has none. */
  fileno(): number;
  /**
   * Writes into `into` the pollfd entries whose readiness means a wait would
   * return (the epoll/kqueue fd itself, or every registered fd), for a poll(2)
   * on another thread; returns how many. The JS thread keeps its own arrays.
   */
  pollSet(into: PollList): number;
  /**
   * Releases the kernel object; called once. `closeFd` is false when its fd
   * number is no longer its own (closed behind the selector's back, perhaps
   * handed out again): then it forgets the number without closing it.
   */
  close(closeFd: boolean): void;
}
