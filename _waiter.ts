/**
 * Waiting off the JavaScript thread, for every selector of the process at
 * once: the layer `selectAsync()` stands on, the way asyncio's loop stands on
 * `selectors` and tokio has one I/O driver per runtime.
 *
 * One poll(2) at a time runs on another thread (Deno: one `nonblocking` FFI
 * call, so one thread of Deno's shared blocking pool however many selectors
 * wait; Bun: one Worker for the process, handed each wait through shared
 * memory and `Atomics`). It watches a control pipe plus the
 * pollfd entries of every pending wait: an epoll/kqueue fd, or the registered
 * fds of a poll/select selector, copied, each fd once however many waits
 * watch it (so the one poll takes no more entries than the process has fds,
 * and a thousand selectors on one pipe stay inside `RLIMIT_NOFILE`, as their
 * separate polls would). When it returns, the JS thread
 * settles the waits whose entries are ready or whose deadline passed and
 * starts the next poll for the others. A wait that is added, changed or ended
 * meanwhile pokes the control pipe, so the poll in flight returns and the next
 * one sees the new set. The control pipe is the waiter's own: closed or
 * replaced behind its back (`os.close`, `os.dup2` onto it), it is noticed and
 * made anew, never written into once it is someone else's, never spun on.
 *
 * The contract the selector core calls: {@linkcode waitOffThread} with a
 * source of pollfd entries and a deadline gives a {@linkcode Wait}; its
 * promise settles `"ready"`, `"timeout"` or `"ended"` (by `end()`), or
 * rejects with the OSError of a poll that failed for a reason other than a
 * signal (PEP 475: EINTR is retried, with the time left).
 *
 * @module
 */
import { ERRNO, POLL } from "./ffi/constants.ts";
import { errno, errorFor, libc } from "./ffi/mod.ts";
import { waitPoller } from "./_reactor.ts";
import type { OffThreadPoller } from "./ffi/_types.ts";
import { PollFds } from "./ffi/structs.ts";
import { drain, makePipe, poke, wakePipe } from "./_fd.ts";
import { adopt, holds, release } from "./_claim.ts";
import { RUNTIME } from "./ffi/_host.ts";
import { now, timeoutMs } from "./_time.ts";
import type { OSError } from "./errors.ts";

/** How a wait ended. */
export type WaitEnd = "ready" | "timeout" | "ended";

/** Where a wait's pollfd entries come from: refilled before every poll, so a changed set is seen. */
export interface WaitSource {
  /** Writes this wait's entries into `into` from index 0; returns how many. */
  fill(into: PollFds): number;
}

/**
 * Free fds (in pipes of two) a Bun Worker needs to start: Bun ends the process
 * ("ran out of file descriptors") when it has fewer than two, and our Worker
 * opens the C library too. Checked with room to spare, before the control pipe.
 */
const WORKER_PIPES = 5;

/** What poll(2) reports whether asked or not: an entry with these set is ready for every wait on it. */
const ALWAYS_REPORTED = POLL.POLLERR | POLL.POLLHUP | POLL.POLLNVAL;

/**
 * One pending wait of one selector, as its caller holds it: the promise and
 * the two ways to act on it. The waiter's bookkeeping is its own ({@linkcode Pending}).
 */
export class Wait {
  readonly #pending: Pending;
  /** Settles `"ready"`, `"timeout"` or `"ended"`, or rejects with the poll's OSError. */
  readonly promise: Promise<WaitEnd>;

  constructor(pending: Pending) {
    this.#pending = pending;
    this.promise = pending.promise;
  }

  /** Whether it has settled. */
  get done(): boolean {
    return this.#pending.done;
  }

  /** Its set changed (a registration came or went): the next poll refills it. */
  changed(): void {
    if (!this.#pending.done) waiter.changed();
  }

  /** Ends it now with `"ended"` (wakeup, abort, close); the poll in flight stops watching it. */
  end(): void {
    if (this.#pending.done) return;
    waiter.remove(this.#pending);
    this.#pending.settle("ended");
  }
}

/** The waiter's record of a wait: where its entries come from, its deadline, its place in the poll. */
class Pending {
  readonly source: WaitSource;
  /** Seconds on the monotonic clock; `Infinity` for none. */
  readonly deadline: number;
  readonly promise: Promise<WaitEnd>;
  /** Its entries in the poll in flight: `[index, events, index, events, ...]` of the waiter's array. */
  readonly picks: number[] = [];
  /** Whether the poll in flight has its entries (false when it was added after that poll began). */
  inPoll = false;
  done = false;
  #resolve!: (end: WaitEnd) => void;
  #reject!: (e: unknown) => void;

  constructor(source: WaitSource, deadline: number) {
    this.source = source;
    this.deadline = deadline;
    this.promise = new Promise<WaitEnd>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Settles it, once. */
  settle(end: WaitEnd): void {
    if (this.#finish()) this.#resolve(end);
  }

  /** Rejects it, once. */
  fail(e: unknown): void {
    if (this.#finish()) this.#reject(e);
  }

  /** Marks it done; false when it already was. */
  #finish(): boolean {
    if (this.done) return false;
    this.done = true;
    return true;
  }
}

/** The process's one waiter. */
class Waiter {
  #waits = new Set<Pending>();
  /** The pollfd array the other thread reads (shared memory for Bun's Worker). */
  #set = new PollFds(64, true);
  /** Where each source writes its entries before they are copied into `#set`. */
  #scratch = new PollFds(8);
  /** Each watched fd's entry in `#set`, while a set is built. */
  readonly #slots = new Map<number, number>();
  #poller: OffThreadPoller | null = null;
  #control: [number, number] | null = null;
  /** The claims (_claim.ts) on the control pipe's ends: false once either number is no longer ours. */
  #controlClaims: [number, number] = [0, 0];
  /** Polls in a row that found the control pipe readable with no poke of ours. */
  #unasked = 0;
  #running = false;
  /** A poll is in flight on the other thread. */
  #inflight = false;
  /** A byte is in the control pipe. */
  #poked = false;

  /**
   * Adds a wait. Makes the control pipe and the thread on first use.
   *
   * @throws {OSError} EMFILE and the like when they cannot be made; nothing is left behind.
   */
  add(source: WaitSource, deadline: number): Wait {
    this.#start();
    const pending = new Pending(source, deadline);
    this.#waits.add(pending);
    if (this.#running) this.#poke();
    else void this.#run();
    return new Wait(pending);
  }

  changed(): void {
    this.#poke();
  }

  remove(wait: Pending): void {
    if (this.#waits.delete(wait)) this.#poke();
  }

  /** The control pipe and the off-thread poller, made once for the process. */
  #start(): void {
    if (this.#control && !this.#controlIntact()) this.#dropControl();
    if (this.#poller && this.#control) return;
    if (!this.#poller && RUNTIME === "bun") reserveFds(WORKER_PIPES);
    const control = this.#control ?? wakePipe();
    try {
      this.#poller ??= waitPoller();
    } catch (e) {
      if (!this.#control) { for (const fd of control) libc().close(fd); }
      throw e;
    }
    if (!this.#control) {
      this.#control = control;
      this.#controlClaims = [adopt(this, control[0], "waiter pipe"), adopt(this, control[1], "waiter pipe")];
    }
  }

  /** Whether both control pipe numbers are still the waiter's (not closed or replaced through `os`). */
  #controlIntact(): boolean {
    const control = this.#control;
    return control !== null && holds(control[0], this.#controlClaims[0]) &&
      holds(control[1], this.#controlClaims[1]);
  }

  /** Lets go of the control pipe, closing only the ends still ours; the next `#start()` makes a new one. */
  #dropControl(): void {
    const control = this.#control;
    if (!control) return;
    this.#control = null;
    this.#poked = false;
    this.#unasked = 0;
    for (let i = 0; i < 2; i++) {
      if (release(this, control[i]!, this.#controlClaims[i]!)) libc().close(control[i]!);
    }
  }

  /** Makes the poll in flight return (a no-op when none is, or it was poked already). */
  #poke(): void {
    // On this thread, at once where the poller can: nothing of an ended wait stays watched.
    if (this.#inflight && this.#poller?.interrupt?.()) return;
    if (this.#inflight && !this.#poked && this.#control) {
      // Never a byte into an fd that is no longer ours. (The poll in flight
      // holds the old pipe until it returns, so it is not woken then: the
      // waits it has go on until their own readiness or deadline.)
      if (!holds(this.#control[1], this.#controlClaims[1])) return;
      poke(this.#control[1]);
      this.#poked = true;
    }
  }

  /**
   * Fills `#set`: the control pipe, then every wait's entries, one entry per
   * fd (the events of every wait on it together). Returns the count.
   */
  #build(): number {
    const set = this.#set, scratch = this.#scratch, slots = this.#slots;
    slots.clear();
    // The control pipe, unless the poller is interrupted on this thread instead (-1: an entry poll(2) skips).
    set.set(0, this.#poller?.interruptible ? -1 : this.#control![0], POLL.POLLIN);
    let n = 1;
    for (const wait of this.#waits) {
      let count: number;
      try {
        count = wait.source.fill(scratch);
      } catch (e) {
        this.#waits.delete(wait); // one selector's failure is its own wait's, no other's
        wait.fail(e);
        continue;
      }
      const picks = wait.picks;
      picks.length = 0;
      for (let i = 0; i < count; i++) {
        const fd = scratch.fd(i), events = scratch.events(i);
        let at = slots.get(fd);
        if (at === undefined) {
          at = n++;
          set.reserve(n);
          set.set(at, fd, events);
          slots.set(fd, at);
        } else {
          set.addEvents(at, events);
        }
        picks.push(at, events);
      }
      wait.inPoll = true;
    }
    return n;
  }

  /** The poll timeout: until the nearest deadline, or -1. */
  #timeout(): number {
    let nearest = Infinity;
    for (const wait of this.#waits) if (wait.deadline < nearest) nearest = wait.deadline;
    return nearest === Infinity ? -1 : timeoutMs(Math.max(nearest - now(), 0));
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#waits.size > 0) {
        let n: number;
        try {
          this.#start(); // a new pipe when ours was closed or replaced behind our back
          n = this.#build();
        } catch (e) {
          this.#failAll(e);
          break;
        }
        if (this.#waits.size === 0) break; // every source failed: nothing to wait for
        const ms = this.#timeout();
        this.#inflight = true;
        let r: number;
        try {
          r = await this.#poller!.poll(this.#set.bytes, n, ms);
        } catch (e) {
          r = -1;
          this.#inflight = false;
          this.#failAll(e);
          continue;
        } finally {
          this.#inflight = false;
          this.#checkControl();
        }
        if (r < 0) {
          const e = this.#failure(n);
          if (e) this.#failAll(e);
          continue; // EINTR: again, with the time left
        }
        this.#settle();
      }
    } finally {
      this.#running = false;
      this.#poller?.idle?.(); // no wait left: nothing of the waiter keeps the process alive
    }
  }

  /**
   * After a poll: empties the control pipe if we poked it. A control entry
   * that reports anything else (its fd closed: POLLNVAL; readable with no
   * poke of ours, twice in a row; an end no longer ours) means the pipe was
   * closed or replaced behind the waiter's back: it is dropped, and the next
   * poll has a new one, instead of every poll returning at once.
   */
  #checkControl(): void {
    const control = this.#control;
    if (!control) return;
    const revents = this.#set.revents(0);
    const poked = this.#poked;
    this.#poked = false;
    if (!this.#controlIntact() || (revents & POLL.POLLNVAL) !== 0) {
      this.#dropControl();
      return;
    }
    if (poked) {
      drain(control[0]);
      this.#unasked = 0;
    } else if (revents !== 0) {
      drain(control[0]); // a byte someone else wrote into our pipe, or a pipe that is not ours any more
      if (++this.#unasked > 1) this.#dropControl();
    } else {
      this.#unasked = 0;
    }
  }

  /** Settles the waits that are ready or past their deadline. */
  #settle(): void {
    const set = this.#set;
    let t = -1; // read once, and only if some wait has a deadline
    for (const wait of this.#waits) {
      if (!wait.inPoll) continue; // added after this poll began: the next one has it
      const picks = wait.picks;
      let ready = false;
      for (let i = 0; i < picks.length && !ready; i += 2) {
        ready = (set.revents(picks[i]!) & (picks[i + 1]! | ALWAYS_REPORTED)) !== 0;
      }
      if (!ready && wait.deadline !== Infinity && t < 0) t = now();
      if (ready || (wait.deadline !== Infinity && wait.deadline <= t)) {
        this.#waits.delete(wait);
        wait.settle(ready ? "ready" : "timeout");
      }
    }
  }

  /**
   * The error of a failed off-thread poll, or null for EINTR (retried). Deno
   * cannot see the other thread's errno: the same poll with timeout 0 on this
   * thread tells a lasting failure (EINVAL, ENOMEM) from a signal.
   */
  #failure(n: number): OSError | null {
    const e = this.#poller!.lastErrno();
    if (e === ERRNO.EINTR) return null;
    if (e !== 0) return errorFor(e, "poll", "off-thread wait");
    if (libc().poll(this.#set.bytes, n, 0) >= 0) return null;
    const here = errno();
    return here === ERRNO.EINTR ? null : errorFor(here, "poll", "off-thread wait");
  }

  #failAll(e: unknown): void {
    const waits = [...this.#waits];
    this.#waits.clear();
    for (const wait of waits) wait.fail(e);
  }
}

const waiter = new Waiter();

/**
 * Starts waiting off the JS thread until one of `source`'s entries is ready,
 * `deadline` (monotonic seconds, `Infinity` for none) passes, or the wait is
 * ended.
 *
 * @param source Its pollfd entries, refilled before every poll.
 * @param deadline When to give up.
 * @returns The wait.
 * @throws {OSError} EMFILE and the like when the process's waiter cannot be started.
 */
export function waitOffThread(source: WaitSource, deadline: number): Wait {
  return waiter.add(source, deadline);
}

/**
 * Checks that `pipes` pipes' worth of fds are free, by making and closing
 * them: Bun ends the whole process when a Worker cannot get its fds, so a
 * wait must fail cleanly before that.
 *
 * @throws {OSError} EMFILE (or ENFILE) when fewer are free.
 */
function reserveFds(pipes: number): void {
  const made: number[] = [];
  try {
    for (let i = 0; i < pipes; i++) made.push(...makePipe());
  } finally {
    for (const fd of made) libc().close(fd);
  }
}
