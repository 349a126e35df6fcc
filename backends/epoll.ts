/**
 * epoll(7), Linux's scalable readiness API.
 *
 * @module
 */
import { EPOLL, POLL } from "../ffi/constants.ts";
import { lastError, libc } from "../ffi/mod.ts";
import { EpollEvents } from "../ffi/structs.ts";
import { BaseSelector, type Poller, type PollList } from "../selector.ts";
import { fromKernel, toKernel, waitResult } from "./_poller.ts";
import { timeoutMs } from "../_time.ts";

const { EPOLLIN, EPOLLOUT, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, EPOLL_CLOEXEC } = EPOLL;

/** A level-triggered epoll instance (close-on-exec). */
export class EpollPoller implements Poller {
  readonly name = "epoll";
  #epfd: number;
  #events = new EpollEvents(8);
  #one = new EpollEvents(1); // the argument of epoll_ctl

  constructor() {
    const fd = libc().epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0) throw lastError("epoll_create1");
    this.#epfd = fd;
  }

  /** epoll_ctl with `op` (`opName` for the error: "EPOLL_CTL_ADD" and so on). */
  #ctl(op: number, opName: string, fd: number, events: number): void {
    this.#one.set(0, toKernel(events, EPOLLIN, EPOLLOUT), fd);
    if (libc().epoll_ctl(this.#epfd, op, fd, this.#one.bytes) < 0) {
      throw lastError("epoll_ctl", `${opName} fd ${fd}`);
    }
  }

  register(fd: number, events: number): void {
    this.#ctl(EPOLL_CTL_ADD, "EPOLL_CTL_ADD", fd, events);
  }

  modify(fd: number, _oldEvents: number, events: number): void {
    this.#ctl(EPOLL_CTL_MOD, "EPOLL_CTL_MOD", fd, events);
  }

  unregister(fd: number, _events: number): void {
    this.#ctl(EPOLL_CTL_DEL, "EPOLL_CTL_DEL", fd, 0);
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
export class EpollSelector<T = unknown> extends BaseSelector<T> {
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
