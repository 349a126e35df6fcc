/**
 * poll(2), available on every Unix; Winsock's `WSAPoll` on Windows (sockets only).
 *
 * @module
 */
import { POLL } from "../ffi/constants.ts";
import { libc } from "../ffi/mod.ts";
import { PollFds } from "../ffi/structs.ts";
import { fromKernel, toKernel, waitResult } from "./_poller.ts";
import { timeoutMs } from "../_time.ts";
import { checkSelectable } from "../ffi/platform.ts";
import { BaseSelector, type FileObj } from "../selector.ts";
import type { Poller, PollList } from "../poller.ts";

const { POLLIN, POLLOUT } = POLL;

/** A `struct pollfd` array kept between calls; O(1) register/unregister. */
export class PollPoller implements Poller {
  readonly name = "poll";
  #fds = new PollFds(8);
  #count = 0;
  /** fd -> its slot in the pollfd array (a layout index, not a key map). */
  #slot = new Map<number, number>();
  #ready = new Int32Array(8);

  register(fd: number, events: number): void {
    checkSelectable(fd);
    this.#fds.reserve(this.#count + 1);
    this.#fds.set(this.#count, fd, toKernel(events, POLLIN, POLLOUT));
    this.#slot.set(fd, this.#count++);
  }

  modify(fd: number, _oldEvents: number, events: number): void {
    const i = this.#slot.get(fd);
    if (i !== undefined) this.#fds.set(i, fd, toKernel(events, POLLIN, POLLOUT));
  }

  unregister(fd: number, _events: number): void {
    const i = this.#slot.get(fd);
    if (i === undefined) return;
    const last = --this.#count;
    if (i !== last) {
      this.#fds.move(last, i); // swap-remove keeps the array dense
      this.#slot.set(this.#fds.fd(i), i);
    }
    this.#slot.delete(fd);
  }

  wait(timeout: number, _maxEvents: number): number {
    const fds = this.#fds;
    const n = waitResult(libc().poll(fds.bytes, this.#count, timeoutMs(timeout)), "poll");
    if (n <= 0) return n;
    if (this.#ready.length < n) this.#ready = new Int32Array(fds.capacity);
    const found = fds.collectReady(this.#count, n, this.#ready);
    return found;
  }

  pollSet(into: PollList): number {
    into.reserve(this.#count);
    into.bytes.set(this.#fds.bytes.subarray(0, this.#count * PollFds.SIZE));
    return this.#count;
  }

  readyFd(i: number): number {
    return this.#fds.fd(this.#ready[i]!);
  }

  readyEvents(i: number): number {
    return fromKernel(this.#fds.revents(this.#ready[i]!), POLLIN, POLLOUT);
  }

  fileno(): number {
    return -1;
  }

  close(_closeFd: boolean): void {
    this.#count = 0;
    this.#slot.clear();
  }
}

/**
 * A selector on poll(2): no fd limit, cost grows with the number registered.
 *
 * @typeParam T The type of `data` attached to each key.
 * @example
 * ```ts ignore
 * using sel = new PollSelector();
 * ```
 */
export class PollSelector<T = unknown, F extends FileObj = FileObj> extends BaseSelector<T, F> {
  /** Creates the selector. */
  constructor() {
    super(new PollPoller());
  }
}
