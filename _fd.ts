/**
 * The fd rules written once: fcntl's read-modify-write of a flag, the EINTR
 * retry of a call (PEP 475), and waiting for one fd's readiness until a
 * deadline.
 *
 * @module
 */
import { ERRNO, FCNTL } from "./ffi/constants.ts";
import { errno, lastError, libc } from "./ffi/mod.ts";
import { intPair, PollFds } from "./ffi/structs.ts";
import { now, timeoutMs } from "./_time.ts";
import { forget } from "./_claim.ts";

/** The two fd flags this module sets: `O_NONBLOCK` (status) and `FD_CLOEXEC` (descriptor). */
export type FdFlag = "nonblock" | "cloexec";

const FLAGS = {
  nonblock: { get: FCNTL.F_GETFL, set: FCNTL.F_SETFL, bit: FCNTL.O_NONBLOCK, name: "O_NONBLOCK" },
  cloexec: { get: FCNTL.F_GETFD, set: FCNTL.F_SETFD, bit: FCNTL.FD_CLOEXEC, name: "FD_CLOEXEC" },
} as const;

/** Whether `flag` is set on `fd`. @throws {OSError} EBADF and the like. */
export function getFdFlag(fd: number, flag: FdFlag): boolean {
  const { get, bit, name } = FLAGS[flag];
  const flags = libc().fcntl(fd, get, 0);
  if (flags < 0) throw lastError("fcntl", `get ${name} of fd ${fd}`);
  return (flags & bit) !== 0;
}

/** Sets or clears `flag` on `fd`; no second call when it already is so. @throws {OSError} */
export function setFdFlag(fd: number, flag: FdFlag, on: boolean): void {
  const { get, set, bit, name } = FLAGS[flag];
  const flags = libc().fcntl(fd, get, 0);
  if (flags < 0) throw lastError("fcntl", `get ${name} of fd ${fd}`);
  const next = on ? flags | bit : flags & ~bit;
  if (next !== flags && libc().fcntl(fd, set, next) < 0) throw lastError("fcntl", `set ${name} of fd ${fd}`);
}

/**
 * Runs a libc call until it is not interrupted by a signal (PEP 475).
 *
 * @returns The call's non-negative result. @throws {OSError} For any other failure.
 */
export function retryEintr(call: () => number, syscall: string, detail?: string): number {
  for (;;) {
    const r = call();
    if (r >= 0) return r;
    if (errno() !== ERRNO.EINTR) throw lastError(syscall, detail);
  }
}

/**
 * A close-on-exec pipe, with `flags` (`O_NONBLOCK`) added to both ends.
 * @returns `[readFd, writeFd]`. @throws {OSError} EMFILE and the like.
 */
export function makePipe(flags = 0): [number, number] {
  const fds = intPair();
  if (libc().pipe2(fds, FCNTL.O_CLOEXEC | flags) < 0) throw lastError("pipe2");
  // New numbers: a claim an object still has on either is stale (_claim.ts).
  forget(fds[0]!);
  forget(fds[1]!);
  return [fds[0]!, fds[1]!];
}

/** A self-pipe for waking a wait (Python's trick, mio's Waker): both ends non-blocking. */
export function wakePipe(): [number, number] {
  return makePipe(FCNTL.O_NONBLOCK);
}

const ONE_BYTE = new Uint8Array(1);
const DRAIN = new Uint8Array(64);

/** Makes a wake pipe's read end readable (a full pipe is already readable: EAGAIN is fine). */
export function poke(writeFd: number): void {
  libc().write(writeFd, ONE_BYTE, 1);
}

/** Empties a wake pipe's read end. */
export function drain(readFd: number): void {
  while (libc().read(readFd, DRAIN, DRAIN.length) > 0) { /* keep reading */ }
}

const onePoll = new PollFds(1);

/**
 * Waits until `fd` is ready for `events` (POLLIN/POLLOUT) or `deadline` (s on
 * the monotonic clock; `null` waits forever) passes. Any finite deadline works:
 * the wait goes in slices the kernel's `int` milliseconds hold, asleep.
 *
 * @returns false on timeout; error and hang-up count as ready (the next call reports them).
 */
export function waitReady(fd: number, events: number, deadline: number | null): boolean {
  for (;;) {
    const ms = deadline === null ? -1 : timeoutMs(Math.max(deadline - now(), 0));
    onePoll.set(0, fd, events);
    const r = libc().poll(onePoll.bytes, 1, ms);
    if (r > 0) return true;
    if (r === 0) {
      if (deadline === null || now() >= deadline) return false;
      continue;
    }
    if (errno() !== ERRNO.EINTR) throw lastError("poll", `fd ${fd}`);
  }
}
