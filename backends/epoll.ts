/**
 * epoll(7), Linux's scalable readiness API.
 *
 * @module
 */
import { EPOLL, FCNTL, POLL } from "../ffi/constants.ts";
import { lastError, libc } from "../ffi/mod.ts";
import { EpollEvents } from "../ffi/structs.ts";
import { BaseSelector, type FileObj } from "../selector.ts";
import type { Poller, PollList } from "../poller.ts";
import { fromKernel, toKernel, waitResult } from "./_poller.ts";
import { timeoutMs } from "../_time.ts";

const { EPOLLIN, EPOLLOUT, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, EPOLL_CLOEXEC } = EPOLL;

/** Numbers below this keep their registration in a byte of an array; higher ones (rare) in a map. */
const DENSE_FDS = 65536;

/**
 * What an epoll instance watches, fd -> EVENT_READ/EVENT_WRITE bits (0: not
 * registered): one byte per fd number below 65 536 (a Map entry costs a
 * connection ~40 bytes more), a Map for the rest. Exported for its tests
 * only; not part of the package's API (mod.ts does not re-export it).
 *
 * @example
 * ```ts ignore
 * const table = new Registrations();
 * table.set(7, EVENT_READ);
 * table.get(7); // 1
 * ```
 */
export class Registrations {
  #dense = new Uint8Array(64);
  #sparse = new Map<number, number>();

  get(fd: number): number {
    return fd < DENSE_FDS ? (this.#dense[fd] ?? 0) : (this.#sparse.get(fd) ?? 0);
  }

  set(fd: number, events: number): void {
    if (fd >= DENSE_FDS) {
      this.#sparse.set(fd, events);
      return;
    }
    if (fd >= this.#dense.length) {
      let size = this.#dense.length;
      while (size <= fd) size *= 2;
      const grown = new Uint8Array(Math.min(size, DENSE_FDS));
      grown.set(this.#dense);
      this.#dense = grown;
    }
    this.#dense[fd] = events;
  }

  delete(fd: number): void {
    if (fd >= DENSE_FDS) this.#sparse.delete(fd);
    else if (fd < this.#dense.length) this.#dense[fd] = 0;
  }

  /** Every registration, as `[fd, events]` (a copy: the caller may delete while it walks). */
  entries(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const dense = this.#dense;
    for (let fd = 0; fd < dense.length; fd++) if (dense[fd]! !== 0) out.push([fd, dense[fd]!]);
    for (const entry of this.#sparse) out.push(entry);
    return out;
  }
}

/**
 * A level-triggered epoll instance (close-on-exec).
 *
 * epoll registers a file *description*, not a number: when a registered fd is
 * closed while a `dup` of it lives on, the registration stays in the kernel,
 * and no `EPOLL_CTL_DEL` can reach it any more (the number no longer names
 * that description). If it is ready, every wait returns at once with an
 * event for an fd the selector no longer knows. CPython drops such events and
 * returns early, so a loop around `select()` spins. Here the poller rebuilds
 * its instance instead: a new epoll fd with exactly the live registrations,
 * `dup3`'d onto the old number (so `fileno()` keeps its value), which drops the
 * stale one. It does so when the kernel reports an fd it does not know, and
 * before registering a number whose `EPOLL_CTL_DEL` failed with EBADF (a
 * reused number would otherwise share its events with the stale one).
 */
export class EpollPoller implements Poller {
  readonly name = "epoll";
  #epfd: number;
  #events = new EpollEvents(8);
  #one = new EpollEvents(1); // the argument of epoll_ctl
  /** What this instance watches: fd -> EVENT_READ/EVENT_WRITE bits. */
  #registered = new Registrations();
  /** Numbers unregistered after they were closed: a stale registration may be behind them. */
  #suspect = new Set<number>();

  constructor() {
    const fd = libc().epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0) throw lastError("epoll_create1");
    this.#epfd = fd;
  }

  /** epoll_ctl on `epfd` with `op`; returns 0 or -1 (errno set). */
  #ctlOn(epfd: number, op: number, fd: number, events: number): number {
    this.#one.set(0, toKernel(events, EPOLLIN, EPOLLOUT), fd);
    return libc().epoll_ctl(epfd, op, fd, this.#one.bytes);
  }

  /** epoll_ctl with `op` (`opName` for the error: "EPOLL_CTL_ADD" and so on). */
  #ctl(op: number, opName: string, fd: number, events: number): void {
    if (this.#ctlOn(this.#epfd, op, fd, events) < 0) throw lastError("epoll_ctl", `${opName} fd ${fd}`);
  }

  register(fd: number, events: number): void {
    if (this.#suspect.has(fd)) this.#rebuild();
    this.#ctl(EPOLL_CTL_ADD, "EPOLL_CTL_ADD", fd, events);
    this.#registered.set(fd, events);
  }

  modify(fd: number, _oldEvents: number, events: number): void {
    this.#ctl(EPOLL_CTL_MOD, "EPOLL_CTL_MOD", fd, events);
    this.#registered.set(fd, events);
  }

  unregister(fd: number, _events: number): void {
    this.#registered.delete(fd);
    if (this.#ctlOn(this.#epfd, EPOLL_CTL_DEL, fd, 0) < 0) {
      const e = lastError("epoll_ctl", `EPOLL_CTL_DEL fd ${fd}`);
      if (e.code === "EBADF") this.#suspect.add(fd); // closed: its description may still be registered
      throw e;
    }
  }

  /** The kernel reported `fd`, which the selector does not know: a stale registration. Drops it. */
  stale(fd: number): void {
    if (this.#registered.get(fd) === 0) this.#rebuild();
  }

  /**
   * A new instance with exactly the live registrations, put on the old number
   * (dup3, close-on-exec): the old instance, and every stale registration in
   * it, goes away. A registered fd that was closed meanwhile is left out (the
   * kernel had dropped it too, unless a dup of it lives on).
   */
  #rebuild(): void {
    const c = libc();
    const fresh = c.epoll_create1(EPOLL_CLOEXEC);
    if (fresh < 0) throw lastError("epoll_create1", "rebuilding an epoll set with a stale registration");
    try {
      for (const [fd, events] of this.#registered.entries()) {
        if (this.#ctlOn(fresh, EPOLL_CTL_ADD, fd, events) < 0) this.#registered.delete(fd);
      }
      if (c.dup3(fresh, this.#epfd, FCNTL.O_CLOEXEC) < 0) throw lastError("dup3", `epoll fd ${this.#epfd}`);
    } finally {
      c.close(fresh);
    }
    this.#suspect.clear();
  }

  wait(timeout: number, maxEvents: number): number {
    const buf = this.#events;
    buf.reserve(maxEvents); // grows only when registrations grew: no per-call buffer
    return waitResult(libc().epoll_wait(this.#epfd, buf.bytes, maxEvents, timeoutMs(timeout)), "epoll_wait");
  }

  readyFd(i: number): number {
    return this.#events.fd(i);
  }

  readyEvents(i: number): number {
    return fromKernel(this.#events.events(i), EPOLLIN, EPOLLOUT);
  }

  fileno(): number {
    return this.#epfd;
  }

  pollSet(into: PollList): number {
    into.set(0, this.#epfd, POLL.POLLIN); // an epoll fd is readable while any event is ready
    return 1;
  }

  close(closeFd: boolean): void {
    if (closeFd) libc().close(this.#epfd);
    this.#epfd = -1;
  }
}

/**
 * A selector on epoll: O(1) per ready fd however many are registered; Linux only.
 *
 * @typeParam T The type of `data` attached to each key.
 * @example
 * ```ts ignore
 * using sel = new EpollSelector<string>();
 * sel.register(fd, EVENT_READ, "stdin");
 * ```
 */
export class EpollSelector<T = unknown, F extends FileObj = FileObj> extends BaseSelector<T, F> {
  /** Creates the epoll instance. @throws {OSError} ENOSYS on a kernel without epoll. */
  constructor() {
    super(new EpollPoller());
  }

  /**
   * The epoll fd (close-on-exec), which another selector can itself watch.
   * Only the selectors with a kernel object have `fileno()`, as in Python.
   *
   * @returns The fd, or -1 after `close()`.
   * @example
   * ```ts ignore
   * console.log(new EpollSelector().fileno()); // e.g. 5
   * ```
   */
  fileno(): number {
    return this.poller.fileno();
  }
}
