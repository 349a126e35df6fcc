/**
 * File descriptor helpers in the shape of Python's `os` module: pipes, reads,
 * writes, duplication and blocking mode, on raw fds through libc.
 *
 * New fds are close-on-exec (non-inheritable), as in Python. Calls interrupted
 * by a signal are retried (PEP 475). Where Python takes an fd, these take an
 * fd number or, as a selector does, an object with `fileno()` (a socket, an
 * `OwnedFd` from `recvFds`).
 *
 * @example A pipe round trip
 * ```ts ignore
 * import { os } from "./mod.ts";
 * const [r, w] = os.pipe();
 * os.write(w, new TextEncoder().encode("hi"));
 * console.log(new TextDecoder().decode(os.read(r, 64))); // "hi"
 * os.close(r);
 * os.close(w);
 * ```
 *
 * @module
 */
import { checkFd, checkInt, checkSize, show, toCString } from "./_validate.ts";
import { type FileObj, fileobjToFd } from "./selector.ts";
import { byteLength, bytesOf } from "./ffi/bytes.ts";
import { ERRNO, FCNTL } from "./ffi/constants.ts";
import { errno, errorFor, lastError, libc, MAX_IO } from "./ffi/mod.ts";
import { PLATFORM } from "./ffi/platform.ts";
import { adopt, forget, release } from "./_claim.ts";
import { getFdFlag, makePipe, retryEintr, setFdFlag } from "./_fd.ts";

/** Open for reading only. */
export const O_RDONLY: number = FCNTL.O_RDONLY;
/** Open for writing only. */
export const O_WRONLY: number = FCNTL.O_WRONLY;
/** Open for reading and writing. */
export const O_RDWR: number = FCNTL.O_RDWR;
/** Create the file if missing. */
export const O_CREAT: number = FCNTL.O_CREAT;
/** With `O_CREAT`: fail if the file exists. */
export const O_EXCL: number = FCNTL.O_EXCL;
/** Truncate to zero length. */
export const O_TRUNC: number = FCNTL.O_TRUNC;
/** Append on each write. */
export const O_APPEND: number = FCNTL.O_APPEND;
/** Non-blocking mode. */
export const O_NONBLOCK: number = FCNTL.O_NONBLOCK;
/** Close on exec (always added by {@linkcode open}). */
export const O_CLOEXEC: number = FCNTL.O_CLOEXEC;

/** A raw fd just handed out: no object's claim on its number holds any more. */
function dropOldClaims(fd: number): number {
  forget(fd);
  return fd;
}

/**
 * Creates a pipe.
 *
 * @returns `[readFd, writeFd]`, both close-on-exec.
 * @throws {OSError} EMFILE and the like.
 * @example
 * ```ts ignore
 * const [r, w] = os.pipe();
 * ```
 */
export function pipe(): [number, number] {
  return makePipe(); // its numbers' older claims are forgotten there
}

/**
 * Reads at most `n` bytes.
 *
 * @param fd The fd to read, or an object with `fileno()` (a socket, an `OwnedFd`).
 * @param n The most bytes to read.
 * @returns The bytes read; empty at end of file.
 * @throws {BlockingIOError} If the fd is non-blocking and nothing is available.
 * @throws {OSError} EBADF and the like.
 * @example
 * ```ts ignore
 * const bytes = os.read(r, 4096);
 * ```
 */
export function read(fd: FileObj, n: number): Uint8Array<ArrayBuffer> {
  fd = fileobjToFd(fd);
  const len = Math.min(checkSize(n, "size"), MAX_IO);
  const buf = new Uint8Array(len);
  const r = retryEintr(() => libc().read(fd, buf, len), "read", `fd ${fd}`);
  return r === len ? buf : buf.slice(0, r);
}

/**
 * Writes bytes; may write fewer than given (check the result).
 *
 * @param fd The fd to write, or an object with `fileno()`.
 * @param data The bytes: a typed array, DataView or ArrayBuffer.
 * @returns The number of bytes written.
 * @throws {BlockingIOError} If the fd is non-blocking and full.
 * @throws {BrokenPipeError} If the reading end is closed.
 * @example
 * ```ts ignore
 * os.write(w, new TextEncoder().encode("hello"));
 * ```
 */
export function write(fd: FileObj, data: ArrayBufferView | ArrayBuffer): number {
  fd = fileobjToFd(fd);
  const bytes = bytesOf(data);
  const len = Math.min(byteLength(bytes), MAX_IO);
  return retryEintr(() => libc().write(fd, bytes, len), "write", `fd ${fd}`);
}

/**
 * Closes an fd.
 *
 * @param fd The fd to close, or an object with `fileno()` (whose fd it closes behind its back).
 * @throws {OSError} EBADF if it is not open.
 * @example
 * ```ts ignore
 * os.close(fd);
 * ```
 */
export function close(fd: FileObj): void {
  fd = fileobjToFd(fd);
  forget(fd); // whatever object held this number no longer does
  // Never retried: on Linux the fd is released even when close reports EINTR.
  if (libc().close(fd) < 0 && errno() !== ERRNO.EINTR) throw lastError("close", `fd ${fd}`);
}

/**
 * Duplicates an fd onto the lowest free number, close-on-exec.
 *
 * @param fd The fd to duplicate, or an object with `fileno()`.
 * @returns The new fd.
 * @example
 * ```ts ignore
 * const copy = os.dup(fd);
 * ```
 */
export function dup(fd: FileObj): number {
  fd = fileobjToFd(fd);
  const r = libc().fcntl(fd, FCNTL.F_DUPFD_CLOEXEC, 0);
  if (r < 0) throw lastError("fcntl", `F_DUPFD_CLOEXEC of fd ${fd}`);
  return dropOldClaims(r);
}

/**
 * Duplicates `fd` onto `fd2`, closing what `fd2` was first.
 *
 * @param fd The fd to duplicate, or an object with `fileno()`.
 * @param fd2 The number it gets (or an object with `fileno()` whose number it takes).
 * @param inheritable Whether the copy survives exec (Python's default: true).
 * @returns `fd2`.
 * @example
 * ```ts ignore
 * os.dup2(sockFd, 0); // make it stdin
 * ```
 */
export function dup2(fd: FileObj, fd2: FileObj, inheritable = true): number {
  fd = fileobjToFd(fd);
  fd2 = fileobjToFd(fd2);
  if (fd === fd2 && PLATFORM.hasDup2) { // (where there is none, its ENOSYS below)
    // CPython: dup2 onto itself changes nothing (EBADF for a closed fd); the
    // number keeps its owner. Non-inheritable asks for dup3, which refuses it.
    if (libc().fcntl(fd, FCNTL.F_GETFD, 0) < 0) throw lastError("dup2", `fd ${fd} -> ${fd2}`);
    if (!inheritable && PLATFORM.dup3RefusesSameFd) {
      throw errorFor(ERRNO.EINVAL, "dup3", `fd ${fd} -> ${fd2}: the same fd`);
    }
    if (!inheritable) setInheritable(fd2, false);
    return fd2;
  }
  dropOldClaims(retryEintr(() => libc().dup2(fd, fd2), "dup2", `fd ${fd} -> ${fd2}`));
  if (!inheritable) setInheritable(fd2, false);
  return fd2;
}

/**
 * Opens a file; the fd is close-on-exec.
 *
 * @param path The file's path.
 * @param flags `O_RDONLY`, `O_WRONLY | O_CREAT`, ... (from this module).
 * @param mode Permission bits for a created file.
 * @returns The fd.
 * @throws {FileNotFoundError} And other OSErrors.
 * @example
 * ```ts ignore
 * const fd = os.open("/tmp/x", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644);
 * ```
 */
export function open(path: string, flags: number, mode = 0o777): number {
  const cpath = toCString(path, "path");
  const f = checkInt(flags, "flags") | FCNTL.O_CLOEXEC;
  const m = checkInt(mode, "mode");
  if (m < 0 || m > 0o7777) throw new RangeError(`Invalid mode: ${show(mode)}`);
  for (;;) {
    const fd = libc().open(cpath, f, m);
    if (fd >= 0) return dropOldClaims(fd);
    const e = errno();
    if (e !== ERRNO.EINTR) throw errorFor(e, "open", undefined, path); // Python: "[Errno 2] ...: 'path'"
  }
}

/**
 * Removes a name from the file system, like Python's `os.unlink` (an AF_UNIX
 * socket's path before `bind`, or after the server is done).
 *
 * @param path The path.
 * @throws {FileNotFoundError} And other OSErrors, naming the path as Python does.
 * @example
 * ```ts ignore
 * try { os.unlink("/tmp/app.sock"); } catch (e) { if (!(e instanceof FileNotFoundError)) throw e; }
 * ```
 */
export function unlink(path: string): void {
  const cpath = toCString(path, "path");
  for (;;) {
    if (libc().unlink(cpath) === 0) return;
    const e = errno();
    if (e !== ERRNO.EINTR) throw errorFor(e, "unlink", undefined, path);
  }
}

/** `os.lseek`'s `how`: from the start of the file. */
export const SEEK_SET = 0;
/** `os.lseek`'s `how`: from the current position. */
export const SEEK_CUR = 1;
/** `os.lseek`'s `how`: from the end of the file. */
export const SEEK_END = 2;

/**
 * Moves an fd's file position, like Python's `os.lseek`.
 *
 * @param fd The fd, or an object with `fileno()`.
 * @param pos The offset.
 * @param how `SEEK_SET`, `SEEK_CUR` or `SEEK_END`.
 * @returns The new position from the start of the file.
 * @throws {OSError} ESPIPE for a pipe or socket, EBADF and the like.
 * @example
 * ```ts ignore
 * const size = os.lseek(fd, 0, os.SEEK_END);
 * os.lseek(fd, 0, os.SEEK_SET);
 * ```
 */
export function lseek(fd: FileObj, pos: number, how: number): number {
  fd = fileobjToFd(fd);
  if (typeof pos !== "number") throw new TypeError(`Invalid pos: expected a number, got ${show(pos)}`);
  if (!Number.isSafeInteger(pos)) throw new RangeError(`Invalid pos: ${show(pos)}`);
  const whence = checkInt(how, "how");
  const r = Number(libc().lseek(fd, pos, whence));
  if (r < 0) throw lastError("lseek", `fd ${fd}`);
  return r;
}

/**
 * Sets blocking (true) or non-blocking (false) mode.
 *
 * @param fd The fd, or an object with `fileno()`.
 * @param blocking The mode.
 * @example
 * ```ts ignore
 * os.setBlocking(fd, false);
 * ```
 */
export function setBlocking(fd: FileObj, blocking: boolean): void {
  fd = fileobjToFd(fd);
  setFdFlag(fd, "nonblock", !blocking);
}

/**
 * Whether an fd is in blocking mode.
 *
 * @param fd The fd, or an object with `fileno()`.
 * @returns `false` if `O_NONBLOCK` is set.
 * @example
 * ```ts ignore
 * if (os.getBlocking(fd)) os.setBlocking(fd, false);
 * ```
 */
export function getBlocking(fd: FileObj): boolean {
  fd = fileobjToFd(fd);
  return !getFdFlag(fd, "nonblock");
}

/**
 * Whether an fd survives exec (its close-on-exec flag is clear).
 *
 * @param fd The fd, or an object with `fileno()`.
 * @returns `true` if inheritable.
 * @example
 * ```ts ignore
 * os.getInheritable(os.pipe()[0]); // false
 * ```
 */
export function getInheritable(fd: FileObj): boolean {
  fd = fileobjToFd(fd);
  return !getFdFlag(fd, "cloexec");
}

/**
 * Sets whether an fd survives exec.
 *
 * @param fd The fd, or an object with `fileno()`.
 * @param inheritable The flag.
 * @example
 * ```ts ignore
 * os.setInheritable(fd, true); // hand it to a child
 * ```
 */
export function setInheritable(fd: FileObj, inheritable: boolean): void {
  fd = fileobjToFd(fd);
  setFdFlag(fd, "cloexec", !inheritable);
}

/**
 * This process's id.
 *
 * @returns The pid.
 * @example
 * ```ts ignore
 * console.log(os.getpid());
 * ```
 */
export function getpid(): number {
  return libc().getpid();
}

/**
 * Sends a signal to a process.
 *
 * @param pid The process.
 * @param signal The signal number (`SIGTERM` is 15).
 * @example
 * ```ts ignore
 * os.kill(pid, 15);
 * ```
 */
export function kill(pid: number, signal: number): void {
  const p = checkInt(pid, "pid");
  const s = checkInt(signal, "signal");
  if (libc().kill(p, s) < 0) throw lastError("kill", `pid ${p}`);
}

/**
 * The text the C library gives for an errno number, like Python's
 * `os.strerror` (`"Unknown error N"` for a number it does not know).
 *
 * @param code An errno number, such as `ERRNO.ECONNREFUSED`.
 * @returns The message, such as `"Connection refused"`.
 * @example
 * ```ts ignore
 * console.log(os.strerror(ERRNO.ECONNREFUSED)); // "Connection refused"
 * ```
 */
export function strerror(code: number): string {
  return errorFor(checkInt(code, "code"), "strerror").strerror;
}

/**
 * An fd this library handed you and that you own: the fds `socket.recvFds()`
 * received. Close it, take it with `detach()`, or let a `using` scope close
 * it; one dropped without either is closed by the garbage collector with a
 * ResourceWarning, like a socket. Register it with a selector directly (it
 * has `fileno()`), or wrap a socket in it: `new socket.Socket(family, type,
 * 0, owned.detach())`.
 *
 * @example
 * ```ts ignore
 * const [, fds] = socket.recvFds(sock, 16, 1);
 * using received = fds[0]!;
 * os.write(received.fileno(), new TextEncoder().encode("hello\n"));
 * ```
 */
export class OwnedFd implements Disposable {
  #fd: number;
  #claim: number;

  /**
   * Takes ownership of an open fd.
   *
   * @param fd The fd (it will be closed by `close()` or at GC).
   * @param what What it is, for the warning of an fd dropped unclosed (a string of up to 256 characters).
   */
  constructor(fd: number, what = "fd") {
    this.#fd = checkFd(fd);
    // Printed by the finalizer's warning: a short string now, so no caller's code runs then.
    if (typeof what !== "string") throw new TypeError(`Invalid what: expected a string, got ${show(what)}`);
    if (what.length > 256) throw new RangeError(`Invalid what: at most 256 characters, got ${show(what)}`);
    this.#claim = adopt(this, this.#fd, what);
  }

  /**
   * The fd, or -1 once closed or detached.
   *
   * @returns The fd.
   */
  fileno(): number {
    return this.#fd;
  }

  /**
   * Gives up ownership without closing.
   *
   * @returns The fd (`fileno()` is -1 after).
   */
  detach(): number {
    const fd = this.#fd;
    if (fd < 0) return fd;
    this.#fd = -1;
    release(this, fd, this.#claim);
    return fd;
  }

  /** Closes the fd; idempotent. A number closed behind its back is left alone. */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    if (!release(this, fd, this.#claim)) return;
    if (libc().close(fd) < 0 && errno() !== ERRNO.EINTR) throw lastError("close", `fd ${fd}`);
  }

  /** Closes the fd at the end of a `using` scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `OwnedFd(5)`, or `OwnedFd(closed)`. */
  toString(): string {
    return `OwnedFd(${this.#fd < 0 ? "closed" : this.#fd})`;
  }
}
