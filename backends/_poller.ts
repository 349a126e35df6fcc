/**
 * The contract every backend implements (mio's `Selector` shape).
 *
 * A poller knows only fds and generic event bits; the selector above it owns
 * the one fd -> key map, all validation, rollback and the EINTR loop. Each
 * file in `backends/` exports one poller class and adds only its constants,
 * its struct work (through `ffi/structs.ts`) and its few system calls.
 *
 * @module
 */

/** Generic readiness bits, as exposed to users. */
export const READ = 1;
/** Generic readiness bits, as exposed to users. */
export const WRITE = 2;

/** Returned by {@linkcode Poller.wait} when a signal interrupted the wait (EINTR). */
export const INTERRUPTED = -1;

/** A kernel readiness mechanism behind a selector. */
export interface Poller {
  /** The backend's name: `"epoll"`, `"poll"`, `"select"` or `"kqueue"`. */
  readonly name: string;
  /** Starts watching `fd` for `events` (READ/WRITE bits). Throws OSError/RangeError. */
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
  /** The READ/WRITE bits of result `i` of the last wait (error and hang-up included). */
  readyEvents(i: number): number;
  /** The kernel object's fd, or -1 when the backend has none. */
  fileno(): number;
  /** Releases the kernel object; called once. */
  close(): void;
}

/** Generic READ/WRITE bits as a kernel interest mask with the given IN and OUT bits. */
export function toKernel(events: number, inBit: number, outBit: number): number {
  return (events & READ ? inBit : 0) | (events & WRITE ? outBit : 0);
}

/**
 * A kernel readiness mask as READ/WRITE bits, by CPython's rule: any bit
 * other than IN (OUT, ERR, HUP, NVAL) makes it writable, any bit other than
 * OUT makes it readable. So an error or hang-up wakes both directions and the
 * caller meets EOF or the error on its next read or write.
 */
export function fromKernel(mask: number, inBit: number, outBit: number): number {
  return (mask & ~inBit ? WRITE : 0) | (mask & ~outBit ? READ : 0);
}
