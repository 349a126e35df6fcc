/**
 * The floor for the benchmarks: the few libc calls an echo server makes (and
 * the thread CPU clock that times them), bound straight through this
 * runtime's own FFI (`Deno.dlopen` or `bun:ffi`), without the library. What
 * a benchmark measures above these calls is the library's; what these cost
 * above C is the runtime's. Linux only (epoll).
 *
 * Not library code: it trusts its callers (the benchmarks) and checks nothing.
 *
 * @module
 */
import { ARCH, RUNTIME } from "../mod.ts";

/** The calls, with Linux's C signatures; lengths are numbers. */
export interface RawLibc {
  "epoll_create1"(flags: number): number;
  "epoll_ctl"(epfd: number, op: number, fd: number, event: Uint8Array): number;
  "epoll_wait"(epfd: number, events: Uint8Array, maxEvents: number, timeoutMs: number): number;
  recv(fd: number, buf: Uint8Array, len: number, flags: number): number;
  send(fd: number, buf: Uint8Array, len: number, flags: number): number;
  "clock_gettime"(clockId: number, timespec: BigInt64Array): number;
}

/** Linux's epoll constants (sys/epoll.h). */
export const EPOLLIN = 0x001;
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CLOEXEC = 0x80000;
/** Linux's clock of the calling thread's CPU time (time.h). */
export const CLOCK_THREAD_CPUTIME_ID = 3;
/** Bytes per `struct epoll_event`: packed on x86_64. */
export const EPOLL_EVENT_SIZE = ARCH === "x86_64" ? 12 : 16;

/** The fd in `data` of event `i` of an epoll_wait result. */
export function eventFd(events: Int32Array, i: number): number {
  return EPOLL_EVENT_SIZE === 12 ? events[i * 3 + 1]! : events[i * 4 + 2]!;
}

/** Writes event 0 of `event`: `mask` and `fd` as `data`. */
export function setEvent(event: Int32Array, mask: number, fd: number): void {
  event[0] = mask;
  event[EPOLL_EVENT_SIZE === 12 ? 1 : 2] = fd;
  event[EPOLL_EVENT_SIZE === 12 ? 2 : 3] = 0;
}

const LIBC = "libc.so.6";

/** bun:ffi, imported only under Bun (Deno cannot resolve it). */
const bunFfi = RUNTIME === "bun" ? await import("bun:ffi") : null;

function openBun(): RawLibc {
  const { symbols } = bunFfi!.dlopen(LIBC, {
    epoll_create1: { args: ["i32"], returns: "i32" },
    epoll_ctl: { args: ["i32", "i32", "i32", "ptr"], returns: "i32" },
    epoll_wait: { args: ["i32", "ptr", "i32", "i32"], returns: "i32" },
    recv: { args: ["i32", "ptr", "u64", "i32"], returns: "i32" },
    send: { args: ["i32", "ptr", "u64", "i32"], returns: "i32" },
    clock_gettime: { args: ["i32", "ptr"], returns: "i32" },
  });
  return symbols as unknown as RawLibc;
}

function openDeno(): RawLibc {
  // deno-lint-ignore no-explicit-any
  const { symbols: s } = (globalThis as any).Deno.dlopen(LIBC, {
    epoll_create1: { parameters: ["i32"], result: "i32" },
    epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
    epoll_wait: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
    recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
    send: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
    clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
  });
  // Deno's fast calls take 64-bit parameters as bigints (a number deoptimizes
  // the caller): one made per length, once.
  const big: bigint[] = [];
  const b = (n: number): bigint => big[n] ??= BigInt(n);
  return {
    "epoll_create1": s.epoll_create1,
    "epoll_ctl": s.epoll_ctl,
    "epoll_wait": s.epoll_wait,
    recv: (fd, buf, len, flags) => s.recv(fd, buf, b(len), flags),
    send: (fd, buf, len, flags) => s.send(fd, buf, b(len), flags),
    "clock_gettime": s.clock_gettime,
  };
}

let opened: RawLibc | null = null;

/** The C library through this runtime's FFI, opened on first use. */
export function rawLibc(): RawLibc {
  return opened ??= RUNTIME === "bun" ? openBun() : openDeno();
}

/** The one `struct epoll_event` that watchReadable() hands epoll_ctl. */
const oneEvent = new Uint8Array(EPOLL_EVENT_SIZE);
const oneEventWords = new Int32Array(oneEvent.buffer);

/** Adds `fd` to the epoll set `epfd` for reading (EPOLL_CTL_ADD, `data` = `fd`); throws if the kernel refuses. */
export function watchReadable(epfd: number, fd: number): void {
  setEvent(oneEventWords, EPOLLIN, fd);
  if (rawLibc().epoll_ctl(epfd, EPOLL_CTL_ADD, fd, oneEvent) < 0) {
    throw new Error(`epoll_ctl ADD ${fd} failed`);
  }
}
