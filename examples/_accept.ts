/**
 * Accepting connections without spinning at the fd limit. When `accept()`
 * fails with EMFILE/ENFILE (or ENOBUFS/ENOMEM), the listener stays readable:
 * a loop that keeps selecting on it burns a core. {@linkcode Acceptor} takes
 * the listener out of the selector instead (clients wait in the kernel's
 * backlog), says so (at most once a minute), and puts it back when a connection closes or after
 * a short pause, whichever comes first.
 *
 * @module
 */
import { type BaseSelector, EVENT_READ, OSError, type socket } from "../mod.ts";

/** Errors that mean "no fd (or memory) for another connection right now". */
const OUT_OF_FDS = new Set(["EMFILE", "ENFILE", "ENOBUFS", "ENOMEM"]);

/** Whether `e` says the process or system is out of descriptors or buffers. */
export function isOutOfFds(e: unknown): e is OSError {
  return e instanceof OSError && OUT_OF_FDS.has(e.code);
}

/** How often a pausing listener may say so, in ms. */
const WARN_INTERVAL_MS = 60_000;

/** How long a paused listener waits before trying again, in seconds. */
const RETRY_SECONDS = 0.25;

/** A listener registered with a selector, paused while no fd is free. */
export class Acceptor<T> {
  #paused = false;
  #retryAt = 0;
  #lastWarning = -Infinity;
  #pausesSinceWarning = 0;

  /**
   * Registers `listener` (non-blocking) with `sel` for reading, with `data`.
   * `warn` gets one line when accepting pauses.
   */
  constructor(
    readonly sel: BaseSelector<T>,
    readonly listener: socket.Socket,
    readonly data: T,
    readonly warn: (message: string) => void,
  ) {
    listener.setBlocking(false);
    sel.register(listener, EVENT_READ, data);
  }

  /** Whether accepting is paused for want of fds. */
  get paused(): boolean {
    return this.#paused;
  }

  /**
   * Accepts one connection (non-blocking), or returns `null`: nothing waiting
   * (EAGAIN), the client gave up (ECONNABORTED), or no fd free (then the
   * listener is paused). Other errors are thrown.
   */
  accept(): [socket.Socket, socket.Address] | null {
    let pair: [socket.Socket, socket.Address];
    try {
      pair = this.listener.accept();
    } catch (e) {
      if (isOutOfFds(e)) {
        this.pause(e);
        return null;
      }
      if (e instanceof OSError && (e.code === "EAGAIN" || e.code === "ECONNABORTED" || e.code === "EINTR")) {
        return null;
      }
      throw e;
    }
    return pair;
  }

  /**
   * Stops watching the listener for a while, after `cause` (EMFILE and the
   * like). Says so at most once a minute, however often it pauses.
   */
  pause(cause: OSError | RangeError): void {
    const now = performance.now();
    if (now - this.#lastWarning >= WARN_INTERVAL_MS) {
      const more = this.#pausesSinceWarning
        ? ` (${this.#pausesSinceWarning} more pauses since the last message)`
        : "";
      const why = cause instanceof OSError ? cause.strerror : cause.message;
      this.warn(`accept: ${why}; not accepting until a connection closes${more}`);
      this.#lastWarning = now;
      this.#pausesSinceWarning = 0;
    } else {
      this.#pausesSinceWarning++;
    }
    this.#retryAt = performance.now() + RETRY_SECONDS * 1e3;
    if (this.#paused) return;
    this.#paused = true;
    this.sel.unregister(this.listener);
  }

  /**
   * Registers a socket just accepted. When the selector can watch no more
   * (select(): fds below 1024, or 1 024 sockets on Windows; a RangeError),
   * closes it and pauses, as at the fd limit, instead of ending the server.
   *
   * @returns Whether it is watched.
   */
  watch(sock: { fileno(): number; close(): void }, events: number, data: T): boolean {
    try {
      this.sel.register(sock, events, data);
      return true;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      sock.close();
      this.pause(e);
      return false;
    }
  }

  /** Watches the listener again (call it when a connection closed: an fd is free). */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.sel.register(this.listener, EVENT_READ, this.data);
  }

  /**
   * The timeout for the next wait: `timeout` (seconds, `null` for none),
   * shortened while paused so accepting is retried; resumes when it is time.
   */
  timeout(timeout: number | null): number | null {
    if (!this.#paused) return timeout;
    const left = (this.#retryAt - performance.now()) / 1e3;
    if (left <= 0) {
      this.resume();
      return timeout;
    }
    return timeout === null ? left : Math.min(timeout, left);
  }

  /** Unregisters (if watched) and closes the listener. */
  close(): void {
    if (!this.#paused && this.sel.getMap().has(this.listener)) this.sel.unregister(this.listener);
    this.listener.close();
  }
}
