/**
 * What the backends share below the `Poller` contract (which the core,
 * `selector.ts`, defines): translating READ/WRITE to kernel bits and back by
 * CPython's rule, and turning a failed wait into INTERRUPTED or an error.
 *
 * @module
 */
import { ERRNO } from "../ffi/constants.ts";
import { errno, lastError } from "../ffi/mod.ts";
import { EVENT_READ as READ, EVENT_WRITE as WRITE, INTERRUPTED } from "../poller.ts";

export { READ, WRITE };

/**
 * The result of a wait call (epoll_wait, poll, select, kevent): the count, or
 * {@linkcode INTERRUPTED} for EINTR (the core retries, PEP 475), or the error.
 */
export function waitResult(n: number, syscall: string): number {
  if (n >= 0) return n;
  if (errno() === ERRNO.EINTR) return INTERRUPTED;
  throw lastError(syscall);
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
