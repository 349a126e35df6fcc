/**
 * The I/O engine under every socket (CPython's `sock_call`): one fd, its
 * timeout mode, and the rules each call follows. A call is made at once; on
 * EINTR it is made again (PEP 475); on EAGAIN in timeout mode the engine
 * waits for readiness until the deadline, then throws {@linkcode TimeoutError};
 * any other errno is the call's error. Also the module-wide default timeout.
 *
 * @module
 */
import { checkSize, show } from "./_validate.ts";
import { now } from "./_time.ts";
import { waitReady } from "./_fd.ts";
import { type Address, toAddress } from "./_address.ts";
import { byteLength } from "./ffi/bytes.ts";
import { ERRNO, POLL, SOCKET } from "./ffi/constants.ts";
import { errno, errorFor, libc, MAX_IO } from "./ffi/mod.ts";
import { decodeSockaddr, SOCKADDR_STORAGE_SIZE } from "./ffi/sockaddr.ts";
import { OSError, TimeoutError } from "./errors.ts";

/** Flags of every send: no SIGPIPE on a closed peer (Linux, FreeBSD), a BrokenPipeError instead. */
export const SEND_FLAGS: number = SOCKET.MSG_NOSIGNAL;
const { EAGAIN, EINTR, ETIMEDOUT } = ERRNO;

/** What an I/O call on a closed socket raises (Python's `[Errno 9] Bad file descriptor`), a TLS socket's too. */
export function closedSocketError(): OSError {
  return new OSError(ERRNO.EBADF, "socket", { description: "Bad file descriptor (socket is closed)" });
}

/**
 * One socket's fd and timeout mode, and the retry rules. A socket holds its
 * engine in a private field: no caller can reach or change the fd it uses.
 *
 * @example
 * ```ts ignore
 * const io = new SocketIO(fd);
 * const n = io.run((fd) => libc().send(fd, bytes, len, SEND_FLAGS), POLL.POLLOUT, "send");
 * ```
 */
export class SocketIO {
  /** The fd, or -1 once closed or detached. */
  fd: number;
  /** `null`: blocking; 0: non-blocking; seconds: each call waits at most that long. */
  timeout: number | null = null;

  constructor(fd: number) {
    this.fd = fd;
  }

  /** The fd. @throws {OSError} EBADF once the socket is closed. */
  open(): number {
    if (this.fd < 0) throw closedSocketError();
    return this.fd;
  }

  /** When a call that starts now must end: `null` when it may wait for ever (or not at all). */
  deadline(): number | null {
    return this.timeout !== null && this.timeout > 0 ? now() + this.timeout : null;
  }

  /**
   * Runs a call until it succeeds, retrying on EINTR and, in timeout mode,
   * waiting for readiness on EAGAIN. `call` must return the raw C result.
   */
  run(call: (fd: number) => number, pollEvents: number, syscall: string, deadline?: number | null): number {
    const r = call(this.open());
    return r >= 0 ? r : this.retry(errno(), call, pollEvents, syscall, deadline);
  }

  /**
   * The slow path after a failed call whose errno is `e`: retries on EINTR,
   * waits on EAGAIN in timeout mode, throws the error otherwise. The hot
   * methods make their first call inline and come here only on failure, so
   * the common case allocates no closure.
   */
  retry(
    e: number,
    call: (fd: number) => number,
    pollEvents: number,
    syscall: string,
    deadline: number | null = this.deadline(),
  ): number {
    const fd = this.open();
    for (;;) {
      if (e === EAGAIN && this.timeout !== null && this.timeout > 0) {
        if (!waitReady(fd, pollEvents, deadline)) throw timedOut(syscall);
      } else if (e !== EINTR) {
        throw errorFor(e, syscall, `fd ${fd}`);
      }
      const r = call(fd);
      if (r >= 0) return r;
      e = errno();
    }
  }

  // The retry closures live in these helpers, not in the hot methods: a closure
  // there would make V8 allocate a context for its variables on every call.

  /** `recv` after its first try failed with `e`. */
  recvSlow(e: number, buf: ArrayBufferView, len: number, flags: number): number {
    return this.retry(e, (fd) => libc().recv(fd, buf, len, flags), POLL.POLLIN, "recv");
  }

  /** `send` after its first try failed with `e`. */
  sendSlow(e: number, buf: ArrayBufferView, len: number, flags: number): number {
    return this.retry(e, (fd) => libc().send(fd, buf, len, flags), POLL.POLLOUT, "send");
  }
}

/** The error of a call whose timeout ran out: Python's `socket.timeout` ("timed out"). */
export function timedOut(syscall: string): TimeoutError {
  return new TimeoutError(ETIMEDOUT, syscall, { description: "timed out", plain: true });
}

/**
 * accept()'s peer address and its length, for one call at a time (the address
 * is decoded into new objects before acceptFd() returns): a server accepting
 * 15 000 connections makes no buffers for them.
 */
const ACCEPT_ADDRESS = new Uint8Array(SOCKADDR_STORAGE_SIZE);
const ACCEPT_LENGTH = new Uint32Array(1);

function accept4(fd: number): number {
  ACCEPT_LENGTH[0] = SOCKADDR_STORAGE_SIZE;
  return libc().accept4(fd, ACCEPT_ADDRESS, ACCEPT_LENGTH, SOCKET.SOCK_CLOEXEC);
}

/**
 * Accepts a connection on a listening socket's engine (CPython's `_accept`):
 * the new fd (close-on-exec) and the peer's address.
 */
export function acceptFd(io: SocketIO): [number, Address] {
  const fd = io.run(accept4, POLL.POLLIN, "accept");
  const length = Math.min(ACCEPT_LENGTH[0]!, SOCKADDR_STORAGE_SIZE);
  return [fd, toAddress(decodeSockaddr(ACCEPT_ADDRESS, length))];
}

/**
 * How many bytes a `recvInto`/`recvfromInto` may receive into `bytes`: `nbytes`
 * (0: the whole buffer), measured by the engine, capped at MAX_IO. A buffer
 * that cannot hold a byte is the caller's error, never a silent 0 (which
 * means end of file, and only that).
 */
export function intoLength(bytes: ArrayBufferView, nbytes: unknown, call: string): number {
  const size = byteLength(bytes, "buffer");
  const len = checkSize(nbytes, "nbytes");
  if (size === 0 || len > size) throw intoLengthError(size, len, call);
  return Math.min(len === 0 ? size : len, MAX_IO);
}

/**
 * intoLength()'s errors, made apart from it: a `throw new` that never runs
 * kept Deno's engine from optimizing `recvInto` past its middle tier, where
 * every FFI call takes the engine's slow path (measured: BENCHMARKS.md, #33).
 */
function intoLengthError(size: number, len: number, call: string): RangeError {
  return size === 0
    ? new RangeError(`Invalid buffer: it holds no bytes (${call} returns 0 only at end of file)`)
    : new RangeError(`nbytes ${len} is larger than the buffer (${size})`);
}

/** The longest socket timeout CPython takes: 2^63 - 1 ns, in whole seconds. */
const MAX_TIMEOUT = 9_223_372_036;

/** A socket timeout: `null`, or finite seconds >= 0 (at most {@linkcode MAX_TIMEOUT}). */
export function checkSocketTimeout(timeout: unknown): number | null {
  if (timeout === null) return null;
  if (typeof timeout !== "number") {
    throw new TypeError(`Invalid timeout: expected a number or null, got ${show(timeout)}`);
  }
  if (Number.isNaN(timeout) || timeout < 0) {
    throw new RangeError(`Invalid timeout: ${show(timeout)}: must be >= 0`);
  }
  // Python raises OverflowError for inf; `null` is how to say "block forever".
  if (timeout === Infinity) throw new RangeError("Invalid timeout: Infinity: use null to block");
  // And for one its clock cannot hold: past 2^63 ns (about 292 years).
  if (timeout > MAX_TIMEOUT) {
    throw new RangeError(
      `Invalid timeout: ${show(timeout)}: out of range (at most ${MAX_TIMEOUT} s; null blocks)`,
    );
  }
  return timeout;
}

/** The timeout of new sockets (`setDefaultTimeout`): `null` blocks, as in Python. */
let defaultTimeout: number | null = null;

/**
 * The timeout new sockets get, like Python's `socket.getdefaulttimeout`.
 *
 * @returns Seconds, or `null` (blocking: the default).
 */
export function getDefaultTimeout(): number | null {
  return defaultTimeout;
}

/**
 * Sets the timeout of sockets made from now on (new, accepted, from fds),
 * like Python's `socket.setdefaulttimeout`.
 *
 * @param timeout Seconds, 0 (non-blocking) or `null` (blocking).
 * @throws {RangeError} For a negative, NaN or infinite timeout.
 * @example
 * ```ts ignore
 * socket.setDefaultTimeout(5);
 * ```
 */
export function setDefaultTimeout(timeout: number | null): void {
  defaultTimeout = checkSocketTimeout(timeout);
}
