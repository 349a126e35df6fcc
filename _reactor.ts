/**
 * The waiter's poll on the runtime's own event loop (Linux): a wait that
 * sleeps wakes the JavaScript thread through the runtime's reactor, with no
 * other thread scheduled, instead of a poll(2) on another thread (Deno's
 * blocking pool, Bun's Worker) that hands its answer back.
 *
 * How: one io_uring for the process, and one stream socket pair, whose read
 * end the runtime adopted into its own event loop (Deno: `node:net`, Bun:
 * `Bun.connect({ fd })`). For each poll the waiter asks for, every pollfd
 * entry becomes an io_uring poll linked to a one-byte write into the other
 * end: when an entry is ready, the kernel writes the byte (on this thread,
 * as io_uring's task work), the runtime's reactor sees the socket readable and
 * runs our handler, which reads the polls' results from the ring (each
 * poll's completion carries its revents) and answers the waiter as the
 * off-thread poll(2) would have. Then the requests still in flight, if any,
 * are cancelled, so the kernel holds no file of a finished wait. A deadline
 * is a runtime timer (then, and when the waiter interrupts a round because
 * its set changed, poll(2) with timeout 0 answers). A byte that comes late
 * (a request that fired while being cancelled) finds no poll of the current
 * round and is ignored.
 *
 * Where io_uring is missing or refused (old kernels, `io_uring_disabled`,
 * seccomp; every OS but Linux), or the runtime cannot adopt the socket, the
 * off-thread poller is used, decided once per process;
 * `SELECTORS_WAITER=thread` forces it, `SELECTORS_WAITER=reactor` insists on
 * this one (and fails when it cannot be had). One fixed footprint while the
 * process lives: the ring's fd and two mappings, and the socket pair.
 *
 * @module
 */
import { adapter, errno, getEnv, lastError, libc, offThreadPoller, OS } from "./ffi/mod.ts";
import { Ring } from "./ffi/io_uring.ts";
import { ERRNO, POLL, SOCKET } from "./ffi/constants.ts";
import type { OffThreadPoller, RuntimeWatch } from "./ffi/_types.ts";
import { adopt, forget, holds } from "./_claim.ts";

/** Submission slots: a round of more entries is handed over in several submissions. */
const SQ_ENTRIES = 256;
/** Completion slots: a round's polls, their writes and their cancellation (more are held by the kernel, never lost). */
const CQ_ENTRIES = 2048;

/** Linux's ECANCELED (the same number on x86_64 and aarch64): a poll cancelled before it fired. */
const ECANCELED = 125;

/** Tags per round: a poll's tag is the round's base plus its entry's index plus one. */
const TAG_SPAN = 2 ** 20;
/** Rounds are numbered modulo this, so a tag stays an exact integer (below 2^53). */
const ROUNDS = 2 ** 32;

/** A poll the waiter is waiting on: its entries, how to answer, and its polls in the ring. */
interface Round {
  fds: Uint8Array;
  n: number;
  resolve: (r: number) => void;
  /** When it ends with nothing ready (`performance.now()` ms), or Infinity. */
  deadline: number;
  /** The tag of its entry 0 minus one. */
  base: number;
  /** Polls it put in the ring, and how many of them have fired. */
  armed: number;
  fired: number;
}

/**
 * The poller on the runtime's reactor (see the module's text), with the
 * off-thread poller's contract: `poll(fds, n, ms)` settles with poll(2)'s
 * result and the entries' revents filled, `lastErrno()` says why it failed.
 */
export class ReactorPoller implements OffThreadPoller {
  readonly #ring: Ring;
  readonly #wake: [number, number];
  readonly #claims: [number, number, number];
  readonly #watching: Promise<RuntimeWatch>;
  #watch: RuntimeWatch | null = null;
  #round: Round | null = null;
  #rounds = 0;
  /** An interrupt() came while the first poll waited for the runtime to take the socket. */
  #interrupted = false;
  /** Whether the watched socket keeps the process alive (from a round's start until the waiter is idle). */
  #refd = false;
  /** The runtime timer for deadlines, and when it fires (`performance.now()` ms). */
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #timerAt = Infinity;
  #errno = 0;
  /** The off-thread poller, once this one could not go on (its socket or ring lost). */
  #fallback: OffThreadPoller | null = null;
  /** pollfd entries as words: fd, then events (low half) and revents (high half). */
  #words: Int32Array<ArrayBufferLike> = new Int32Array(0);
  /** {@linkcode ReactorPoller.#took}, made once: what `Ring.reap` calls for each poll's completion. */
  readonly #take = (tag: number, result: number): void => this.#took(tag, result);
  /** Entries given revents by the completions being collected ({@linkcode ReactorPoller.#collect}). */
  #ready = 0;

  /**
   * Sets up the ring and the socket pair, and hands the read end to the runtime.
   *
   * @throws {OSError} When io_uring or the socket pair cannot be had (nothing is left behind).
   */
  constructor() {
    this.#ring = Ring.open(SQ_ENTRIES, CQ_ENTRIES);
    const sv = new Int32Array(2);
    const type = SOCKET.SOCK_STREAM | SOCKET.SOCK_NONBLOCK | SOCKET.SOCK_CLOEXEC;
    if (libc().socketpair(SOCKET.AF_UNIX, type, 0, sv) < 0) {
      const e = lastError("socketpair", "reactor wake socket");
      libc().close(this.#ring.fd);
      throw e;
    }
    forget(sv[0]!);
    forget(sv[1]!);
    this.#wake = [sv[0]!, sv[1]!];
    this.#claims = [
      adopt(this, this.#ring.fd, "io_uring"),
      adopt(this, sv[0]!, "reactor wake socket"),
      adopt(this, sv[1]!, "reactor wake socket"),
    ];
    this.#watching = adapter().watchReadable(sv[0]!, () => this.#woken(), () => this.#lost());
    this.#watching.catch(() => {}); // seen by the first poll, which falls back
  }

  /** Whether {@linkcode ReactorPoller.interrupt} ends a poll (not once this poller fell back to a thread). */
  get interruptible(): boolean {
    return this.#fallback === null;
  }

  /** Waits for one of the `n` entries of `fds` or `ms` milliseconds (-1: none); poll(2)'s result. */
  poll(fds: Uint8Array, n: number, ms: number): Promise<number> {
    if (this.#fallback) return this.#fallback.poll(fds, n, ms);
    if (!this.#watch) return this.#adoptThenPoll(fds, n, ms);
    // A set built for this poller leaves the waiter's control pipe out: one that falls back here
    // answers this round empty, so the waiter builds the next with the pipe, for the thread's poll.
    if (!this.#intact() || n >= TAG_SPAN) return this.#fallBackNow();
    if (ms === 0) return Promise.resolve(this.#pollNow(fds, n));
    const round: Round = {
      fds,
      n,
      resolve: () => {},
      deadline: Infinity,
      base: (this.#rounds = (this.#rounds + 1) % ROUNDS) * TAG_SPAN,
      armed: 0,
      fired: 0,
    };
    try {
      this.#arm(round);
    } catch {
      this.#cancel();
      return this.#fallBackNow();
    }
    if (!this.#refd) {
      this.#watch.ref(); // the process lives while a wait is pending (let go in idle())
      this.#refd = true;
    }
    const answer = new Promise<number>((resolve) => round.resolve = resolve);
    this.#round = round;
    // A poll that could not be armed (an fd closed meanwhile: -EBADF) completed during the submission, and
    // its write was not made: poll(2) would answer POLLNVAL at once, so does this.
    const ready = this.#collect();
    if (ready > 0) this.#finish(round, ready, round.fired < round.armed);
    else if (ms > 0) this.#deadlineIn(round, ms);
    return answer;
  }

  /** The first poll: waits for the runtime to take the socket, then polls (or falls back). */
  async #adoptThenPoll(fds: Uint8Array, n: number, ms: number): Promise<number> {
    this.#interrupted = false;
    try {
      this.#watch = await this.#watching;
    } catch {
      return this.#fallBackNow();
    }
    // Interrupted meanwhile (a wait ended or changed): this set is stale, the waiter builds the next.
    if (this.#interrupted) return this.#pollNow(fds, n);
    return this.poll(fds, n, ms);
  }

  /** Falls back to the thread for good; this round ends empty (see `poll`). */
  #fallBackNow(): Promise<number> {
    this.#fallBack();
    return Promise.resolve(0);
  }

  /**
   * Ends the poll in flight now, with what poll(2) finds ready now (0 when
   * nothing), cancelling its requests before it returns. False once this
   * poller fell back to a thread: the waiter pokes its control pipe then.
   */
  interrupt(): boolean {
    if (this.#fallback) return false;
    this.#interrupted = true; // for a first poll still waiting for the runtime to take the socket
    const round = this.#round;
    if (round) this.#finish(round, this.#pollNow(round.fds, round.n), true);
    return true;
  }

  idle(): void {
    if (this.#refd) {
      this.#watch?.unref();
      this.#refd = false;
    }
  }

  lastErrno(): number {
    return this.#fallback ? this.#fallback.lastErrno() : this.#errno;
  }

  /** poll(2) with timeout 0 on this thread, its errno kept. */
  #pollNow(fds: Uint8Array, n: number): number {
    const r = libc().poll(fds, n, 0);
    if (r < 0) this.#errno = errno();
    return r;
  }

  /** Clears the entries' revents and queues a poll linked to a wake-up write for each, then submits. */
  #arm(round: Round): void {
    const ring = this.#ring;
    ring.reap(); // what earlier rounds left (late writes, cancelled polls): not this round's
    const fds = round.fds;
    if (this.#words.buffer !== fds.buffer || this.#words.byteOffset !== fds.byteOffset) {
      this.#words = new Int32Array(fds.buffer, fds.byteOffset, fds.byteLength >> 2);
    }
    const words = this.#words;
    for (let i = 0; i < round.n; i++) {
      words[2 * i + 1]! &= 0xffff; // revents: none yet
      const fd = words[2 * i]!;
      if (fd < 0) continue; // poll(2) skips it too
      if (ring.space < 2) ring.submit();
      ring.pollThenWrite(fd, words[2 * i + 1]!, this.#wake[1], round.base + i + 1);
      round.armed++;
    }
    ring.submit();
  }

  /** A wake-up byte came: the round is answered with the revents its polls reported, if any fired. */
  #woken(): void {
    const round = this.#round;
    if (!round) {
      this.#ring.reap(); // a late byte between rounds
      return;
    }
    let ready = this.#collect();
    if (ready === 0 && this.#ring.overflowing) {
      // This round's completion may wait in the kernel behind earlier rounds' (a full CQ ring).
      try {
        this.#ring.flush();
      } catch {
        this.#fallBack();
        this.#finish(round, 0, false);
        return;
      }
      ready = this.#collect();
    }
    if (ready === 0) return; // a byte from an earlier round's request
    // Polls still in flight (other entries) are cancelled; none left: nothing to do.
    this.#finish(round, ready, round.fired < round.armed);
  }

  /** Takes the completions in the ring; returns how many of the current round's entries they gave revents to. */
  #collect(): number {
    this.#ready = 0;
    this.#ring.reap(this.#take);
    return this.#ready;
  }

  /** One poll's completion: its revents into its entry, if it is the current round's. */
  #took(tag: number, result: number): void {
    const round = this.#round!;
    const i = tag - round.base - 1;
    if (i < 0 || i >= round.n || result === -ECANCELED) return;
    round.fired++;
    const revents = result >= 0 ? result & 0xffff : result === -ERRNO.EBADF ? POLL.POLLNVAL : POLL.POLLERR;
    const at = 2 * i + 1, words = this.#words;
    if (revents !== 0 && words[at]! >>> 16 === 0) this.#ready++;
    words[at]! |= revents << 16;
  }

  /**
   * Makes the round end by `ms` from now. One runtime timer serves the
   * rounds one after another: it is kept while it fires no later than the
   * deadline (a loop whose waits each give the same timeout moves its
   * deadline a little each round, and making and clearing a timer per wait
   * costs microseconds); one that fires early finds the deadline still ahead
   * and is set again for what is left. It never keeps the process alive
   * (the watched socket does that while a wait is pending).
   */
  #deadlineIn(round: Round, ms: number): void {
    const at = performance.now() + ms;
    round.deadline = at;
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#timerFired(), ms);
    unrefTimer(this.#timer);
  }

  #timerFired(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const round = this.#round;
    if (!round || round.deadline === Infinity) return;
    const left = round.deadline - performance.now();
    if (left > 0) this.#deadlineIn(round, left); // fired for an earlier round's deadline
    else this.#finish(round, this.#pollNow(round.fds, round.n), true);
  }

  #finish(round: Round, r: number, cancel: boolean): void {
    this.#round = null;
    if (cancel) this.#cancel();
    round.resolve(r);
  }

  /** Cancels every request in flight; a ring that fails here is given up. */
  #cancel(): void {
    if (this.#fallback || !this.#intact()) return;
    try {
      this.#ring.cancelAll();
      this.#ring.submit();
    } catch {
      this.#fallBack();
    }
  }

  /** The runtime lost the socket (closed or failed behind our back): this round ends empty, the next polls go off-thread. */
  #lost(): void {
    this.#fallBack();
    const round = this.#round;
    if (round) this.#finish(round, 0, false);
  }

  /** Whether the ring and both socket ends are still ours (not closed or replaced through `os`). */
  #intact(): boolean {
    const [ring, read, write] = this.#claims;
    return holds(this.#ring.fd, ring) && holds(this.#wake[0], read) && holds(this.#wake[1], write);
  }

  #fallBack(): OffThreadPoller {
    return this.#fallback ??= offThreadPoller();
  }
}

/** Lets a timer not keep the process alive: Deno's `setTimeout` gives a number (`Deno.unrefTimer`), Bun's an object. */
function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  const deno = (globalThis as { Deno?: { unrefTimer(id: number): void } }).Deno;
  if (typeof timer === "number") deno?.unrefTimer(timer);
  else (timer as { unref?(): void }).unref?.();
}

/** Which poller the process's waiter has: `"reactor"` (this module's) or `"thread"`. */
let kind: "reactor" | "thread" | null = null;

/**
 * The poller for the process's one waiter: the reactor's where it can be
 * had, else the off-thread one (see the module's text).
 *
 * @throws {OSError} Only with `SELECTORS_WAITER=reactor`, when io_uring cannot be had.
 */
export function waitPoller(): OffThreadPoller {
  const wanted = getEnv("SELECTORS_WAITER");
  if (wanted !== "thread" && OS === "linux") {
    try {
      const poller = new ReactorPoller();
      kind = "reactor";
      return poller;
    } catch (e) {
      if (wanted === "reactor") throw e;
    }
  }
  kind = "thread";
  return offThreadPoller();
}

/** TEST ONLY: which poller the waiter took (null before the first async wait). */
export function waiterKind(): "reactor" | "thread" | null {
  return kind;
}
