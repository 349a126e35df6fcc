/**
 * select(2), the oldest and most portable readiness call, limited to fds
 * below `FD_SETSIZE` (1024).
 *
 * @module
 */
import { FD_SETSIZE, POLL } from "../ffi/constants.ts";
import { libc, OS } from "../ffi/mod.ts";
import { WinsockSelectPoller } from "./winsock_select.ts";
import { FdSet, TimeStruct } from "../ffi/structs.ts";
import { READ, waitResult, WRITE } from "./_poller.ts";
import { BaseSelector, type FileObj } from "../selector.ts";
import type { Poller, PollList } from "../poller.ts";
import { timeoutUnits } from "../_time.ts";

/**
 * Master read/write sets, copied into working sets for each call (select
 * overwrites its arguments). fds >= FD_SETSIZE are refused at `register`: a
 * bit written past the 128-byte fd_set would corrupt memory (CPython raises
 * "filedescriptor out of range in select()").
 */
export class SelectPoller implements Poller {
  readonly name = "select";
  #readers = new FdSet();
  #writers = new FdSet();
  #r = new FdSet();
  #w = new FdSet();
  #x = new FdSet(); // always empty: exceptional conditions are not watched
  #tv = new TimeStruct();
  #maxFd = -1;
  #readyFds = new Int32Array(FD_SETSIZE);
  #readyEvents = new Uint8Array(FD_SETSIZE);

  register(fd: number, events: number): void {
    if (fd >= FD_SETSIZE) {
      throw new RangeError(`Cannot register fd ${fd}: select() supports fds below ${FD_SETSIZE}`);
    }
    this.modify(fd, 0, events);
  }

  modify(fd: number, _oldEvents: number, events: number): void {
    if (events & READ) this.#readers.add(fd);
    else this.#readers.delete(fd);
    if (events & WRITE) this.#writers.add(fd);
    else this.#writers.delete(fd);
    if (fd > this.#maxFd) this.#maxFd = fd;
  }

  unregister(fd: number, _events: number): void {
    this.#readers.delete(fd);
    this.#writers.delete(fd);
    while (this.#maxFd >= 0 && !this.#readers.has(this.#maxFd) && !this.#writers.has(this.#maxFd)) {
      this.#maxFd--;
    }
  }

  wait(timeout: number, _maxEvents: number): number {
    this.#r.copyFrom(this.#readers);
    this.#w.copyFrom(this.#writers);
    let tv: Uint8Array | null = null;
    if (timeout >= 0) {
      this.#tv.setUnits(timeoutUnits(timeout, 1e6), 1e6);
      tv = this.#tv.bytes;
    }
    const n = waitResult(
      libc().select(this.#maxFd + 1, this.#r.bytes, this.#w.bytes, this.#x.bytes, tv),
      "select",
    );
    if (n <= 0) return n; // timeout, or INTERRUPTED for the core to retry
    let found = 0;
    const r = this.#r.bytes, w = this.#w.bytes;
    for (let byte = 0; byte <= this.#maxFd >> 3; byte++) {
      const bits = r[byte]! | w[byte]!;
      if (bits === 0) continue;
      for (let bit = 0; bit < 8; bit++) {
        const mask = 1 << bit;
        if (!(bits & mask)) continue;
        this.#readyFds[found] = byte * 8 + bit;
        this.#readyEvents[found++] = (r[byte]! & mask ? READ : 0) | (w[byte]! & mask ? WRITE : 0);
      }
    }
    return found;
  }

  pollSet(into: PollList): number {
    let n = 0;
    for (let fd = 0; fd <= this.#maxFd; fd++) {
      const events = (this.#readers.has(fd) ? POLL.POLLIN : 0) | (this.#writers.has(fd) ? POLL.POLLOUT : 0);
      if (events === 0) continue;
      into.reserve(n + 1);
      into.set(n++, fd, events);
    }
    return n;
  }

  readyFd(i: number): number {
    return this.#readyFds[i]!;
  }

  readyEvents(i: number): number {
    return this.#readyEvents[i]!;
  }

  fileno(): number {
    return -1;
  }

  close(_closeFd: boolean): void {
    this.#readers = new FdSet();
    this.#writers = new FdSet();
    this.#maxFd = -1;
  }
}

/**
 * A selector on select(2): fds below 1024 only (`register` refuses others);
 * on Windows, Winsock's select() and at most 1024 sockets.
 *
 * @typeParam T The type of `data` attached to each key.
 * @example
 * ```ts ignore
 * using sel = new SelectSelector();
 * ```
 */
export class SelectSelector<T = unknown, F extends FileObj = FileObj> extends BaseSelector<T, F> {
  /** Creates the selector. */
  constructor() {
    super(newSelectPoller());
  }
}

/** This OS's select(): the fd_set bitmaps, or Winsock's handle arrays on Windows. */
export function newSelectPoller(): Poller {
  return OS === "windows" ? new WinsockSelectPoller() : new SelectPoller();
}
