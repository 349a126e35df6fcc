/**
 * kqueue(2), the readiness API of macOS and the BSDs.
 *
 * Unlike epoll, kqueue has one filter per direction: an fd registered for
 * READ|WRITE is two kernel registrations and may come back as two events
 * (CPython gh-110038: max events counts filters, not fds).
 *
 * @module
 */
import { ERRNO, KEVENT, POLL } from "../ffi/constants.ts";
import { errno, errorFor, kqueueLib, lastError, libc } from "../ffi/mod.ts";
import { Kevents, TimeStruct } from "../ffi/structs.ts";
import { BaseSelector, type FileObj } from "../selector.ts";
import type { Poller, PollList } from "../poller.ts";
import { timeoutUnits } from "../_time.ts";
import { setFdFlag } from "../_fd.ts";
import { READ, waitResult, WRITE } from "./_poller.ts";

const { EVFILT_READ, EVFILT_WRITE, EV_ADD, EV_DELETE } = KEVENT;

/** A kqueue instance (close-on-exec) with level-triggered read/write filters. */
export class KqueuePoller implements Poller {
  readonly name = "kqueue";
  #kq: number;
  #lib: ReturnType<typeof kqueueLib>["symbols"];
  #events: Kevents;
  #change: Kevents;
  #ts = new TimeStruct();

  constructor() {
    const { symbols, flavour } = kqueueLib();
    this.#lib = symbols;
    this.#events = new Kevents(flavour, 8);
    this.#change = new Kevents(flavour, 1);
    const kq = symbols.kqueue();
    if (kq < 0) throw lastError("kqueue");
    // kqueue() has no close-on-exec flag on macOS: set it at once.
    try {
      setFdFlag(kq, "cloexec", true);
    } catch (e) {
      libc().close(kq);
      throw e;
    }
    this.#kq = kq;
  }

  /** Applies one change; returns 0 or the errno. */
  #apply(fd: number, filter: number, flags: number): number {
    this.#change.set(0, fd, filter, flags);
    const r = this.#lib.kevent(this.#kq, this.#change.bytes, 1, null, 0, null);
    return r < 0 ? errno() : 0;
  }

  #add(fd: number, events: number): void {
    if (events & READ) {
      const e = this.#apply(fd, EVFILT_READ, EV_ADD);
      if (e) throw errorFor(e, "kevent", `EV_ADD EVFILT_READ fd ${fd}`);
    }
    if (events & WRITE) {
      const e = this.#apply(fd, EVFILT_WRITE, EV_ADD);
      if (e) {
        if (events & READ) this.#remove(fd, READ); // roll back the read filter
        throw errorFor(e, "kevent", `EV_ADD EVFILT_WRITE fd ${fd}`);
      }
    }
  }

  /** Deletes filters; ENOENT/EBADF (the fd was closed, which drops its filters) are ignored. */
  #remove(fd: number, events: number): void {
    for (const [bit, filter] of [[READ, EVFILT_READ], [WRITE, EVFILT_WRITE]] as const) {
      if (!(events & bit)) continue;
      const e = this.#apply(fd, filter, EV_DELETE);
      if (e && e !== ERRNO.ENOENT && e !== ERRNO.EBADF) {
        throw errorFor(e, "kevent", `EV_DELETE fd ${fd}`);
      }
    }
  }

  register(fd: number, events: number): void {
    this.#add(fd, events);
  }

  modify(fd: number, oldEvents: number, events: number): void {
    this.#remove(fd, oldEvents & ~events);
    this.#add(fd, events & ~oldEvents);
  }

  unregister(fd: number, events: number): void {
    this.#remove(fd, events);
  }

  wait(timeout: number, maxEvents: number): number {
    // maxEvents counts filters (gh-110038) and is at least 1: nevents == 0
    // makes kevent return at once, ignoring the timeout (curio#156, bpo-29255).
    this.#events.reserve(maxEvents);
    let ts: Uint8Array | null = null;
    if (timeout >= 0) {
      this.#ts.setUnits(timeoutUnits(timeout, 1e9), 1e9);
      ts = this.#ts.bytes;
    }
    return waitResult(this.#lib.kevent(this.#kq, null, 0, this.#events.bytes, maxEvents, ts), "kevent");
  }

  readyFd(i: number): number {
    return this.#events.ident(i);
  }

  readyEvents(i: number): number {
    const filter = this.#events.filter(i);
    return filter === EVFILT_READ ? READ : filter === EVFILT_WRITE ? WRITE : 0;
  }

  fileno(): number {
    return this.#kq;
  }

  pollSet(into: PollList): number {
    into.set(0, this.#kq, POLL.POLLIN); // a kqueue fd is readable while any event is pending
    return 1;
  }

  close(closeFd: boolean): void {
    if (closeFd) libc().close(this.#kq);
    this.#kq = -1;
  }
}

/**
 * A selector on kqueue: macOS and the BSDs' scalable API.
 *
 * @typeParam T The type of `data` attached to each key.
 * @example
 * ```ts ignore
 * using sel = new KqueueSelector<string>();
 * sel.register(fd, EVENT_READ | EVENT_WRITE, "both"); // two filters
 * ```
 */
export class KqueueSelector<T = unknown, F extends FileObj = FileObj> extends BaseSelector<T, F> {
  /** Creates the kqueue. @throws {Error} Where this OS has no kqueue. */
  constructor() {
    super(new KqueuePoller());
  }

  /**
   * The kqueue fd (close-on-exec), which another selector can itself watch.
   * Only the selectors with a kernel object have `fileno()`, as in Python.
   *
   * @returns The fd, or -1 after `close()`.
   * @example
   * ```ts ignore
   * console.log(new KqueueSelector().fileno()); // e.g. 5
   * ```
   */
  fileno(): number {
    return this.poller.fileno();
  }
}
