/**
 * Winsock's select(): Windows' readiness call for sockets, the one CPython's
 * `selectors.DefaultSelector` uses there. Its `fd_set` is an array of handles,
 * not a bitmap, so the limit is how many sockets one set holds
 * (`WINSOCK_FD_SETSIZE`, 1024 here), whatever their handle values.
 *
 * As CPython does on Windows, sockets watched for writing are also put in
 * the exception set: a non-blocking `connect()` that fails is reported there,
 * never as writable, and the caller must still wake to see the error.
 *
 * @module
 */
import { POLL, WINSOCK_FD_SETSIZE } from "../ffi/constants.ts";
import { libc } from "../ffi/mod.ts";
import { WinsockFdSet, WinsockTimeval } from "../ffi/structs.ts";
import { READ, toKernel, waitResult, WRITE } from "./_poller.ts";
import type { Poller, PollList } from "../poller.ts";
import { timeoutUnits } from "../_time.ts";
import { checkSelectable } from "../ffi/platform.ts";

/** The select backend on Windows (`SelectSelector` picks it there). */
export class WinsockSelectPoller implements Poller {
  readonly name = "select";
  /** Registered handles and their READ/WRITE bits, in registration order. */
  #events = new Map<number, number>();
  #r = new WinsockFdSet();
  #w = new WinsockFdSet();
  #x = new WinsockFdSet();
  #tv = new WinsockTimeval();
  #readyFds = new Float64Array(WINSOCK_FD_SETSIZE);
  #readyEvents = new Uint8Array(WINSOCK_FD_SETSIZE);
  /** Result index of a handle during one wait's merge of the three sets. */
  #slot = new Map<number, number>();

  /** Opens Winsock now, so that a missing FFI permission fails here, as the other backends do. */
  constructor() {
    libc();
  }

  register(fd: number, events: number): void {
    if (this.#events.size >= WINSOCK_FD_SETSIZE) {
      throw new RangeError(
        `Cannot register fd ${fd}: select() on Windows watches at most ${WINSOCK_FD_SETSIZE} sockets`,
      );
    }
    checkSelectable(fd);
    this.#events.set(fd, events);
  }

  modify(fd: number, _oldEvents: number, events: number): void {
    this.#events.set(fd, events);
  }

  unregister(fd: number, _events: number): void {
    this.#events.delete(fd);
  }

  wait(timeout: number, _maxEvents: number): number {
    const r = this.#r, w = this.#w, x = this.#x;
    r.clear();
    w.clear();
    x.clear();
    for (const [fd, events] of this.#events) {
      if (events & READ) r.push(fd);
      if (events & WRITE) {
        w.push(fd);
        x.push(fd);
      }
    }
    let tv: Uint8Array | null = null;
    if (timeout >= 0) {
      this.#tv.setMicros(timeoutUnits(timeout, 1e6));
      tv = this.#tv.bytes;
    }
    const n = waitResult(libc().select(0, r.bytes, w.bytes, x.bytes, tv), "select");
    if (n <= 0) return n;
    this.#slot.clear();
    let found = this.#merge(r, READ, 0);
    found = this.#merge(w, WRITE, found);
    found = this.#merge(x, WRITE, found);
    return found;
  }

  /** Adds the handles of one returned set to the results (`found` so far), merging repeats. */
  #merge(set: WinsockFdSet, bit: number, found: number): number {
    for (let i = 0; i < set.count; i++) {
      const fd = set.at(i);
      const at = this.#slot.get(fd);
      if (at === undefined) {
        this.#slot.set(fd, found);
        this.#readyFds[found] = fd;
        this.#readyEvents[found++] = bit;
      } else {
        this.#readyEvents[at]! |= bit;
      }
    }
    return found;
  }

  pollSet(into: PollList): number {
    let n = 0;
    for (const [fd, events] of this.#events) {
      into.reserve(n + 1);
      into.set(n++, fd, toKernel(events, POLL.POLLIN, POLL.POLLOUT));
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
    this.#events.clear();
  }
}
