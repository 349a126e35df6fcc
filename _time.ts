/**
 * The one place for the clock and for turning seconds into what the kernel
 * takes. Every timeout is rounded *up*, so a positive timeout waits at least
 * that long: 0.0001 s must not become a busy poll (CPython's
 * `math.ceil(timeout * 1e3)`, mio's "round up").
 *
 * @module
 */
import { monotonic } from "./ffi/mod.ts";

/** The longest wait in milliseconds one poll/epoll_wait call takes: C's `int`. */
export const MAX_WAIT_MS = 0x7fffffff;

/**
 * Seconds: the longest single wait a selector hands its backend. Fits every
 * kernel counter (int ms, timeval, timespec); longer waits are done in slices.
 */
export const MAX_WAIT_SECONDS = 2_000_000;

/** Seconds on the monotonic clock (`clock_gettime(CLOCK_MONOTONIC)`, through the FFI binding): `monotonic` itself. */
export const now: () => number = monotonic;

/**
 * A timeout in whole milliseconds for poll/epoll_wait: `-1` (block) for a
 * negative timeout, rounded up, at most {@linkcode MAX_WAIT_MS}.
 */
export function timeoutMs(timeout: number): number {
  if (timeout < 0) return -1;
  return Math.min(Math.ceil(timeout * 1e3), MAX_WAIT_MS);
}

/**
 * A non-negative timeout in whole units of `1 / perSecond` s (µs for
 * `struct timeval`, ns for `struct timespec`), rounded up.
 */
export function timeoutUnits(timeout: number, perSecond: number): number {
  return Math.ceil(timeout * perSecond);
}
