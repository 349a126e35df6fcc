/**
 * The socket a user calls, like Python's `socket.socket` over `_socket`: the
 * system calls come from {@linkcode SocketBase}; this adds `accept` (a new
 * `Socket`), `dup`, `makefile`, `sendfile`, inheritance and the printed form.
 *
 * @module
 */
import { checkSize } from "./_validate.ts";
import { getFdFlag, retryEintr, setFdFlag, waitReady } from "./_fd.ts";
import { forget } from "./_claim.ts";
import { type Address, familyName } from "./_address.ts";
import { DEFAULT_BUFFER_SIZE, type SocketFile } from "./_socket_file.ts";
import { makeFile, type SocketTextFile, type TextOptions } from "./_socket_text_file.ts";

/** `makefile()`'s binary modes. */
export type BinaryMode = "rb" | "wb" | "rwb" | "wrb" | "br" | "bw" | "brw" | "bwr" | "rbw" | "wbr";
/** `makefile()`'s text modes. */
export type TextMode = "r" | "w" | "rw" | "wr";
import { type FileObj, fileobjToFd } from "./selector.ts";
import { ERRNO, FCNTL, POLL, SOCKET } from "./ffi/constants.ts";
import { errno, errorFor, lastError, libc, MAX_IO } from "./ffi/mod.ts";
import { PLATFORM } from "./ffi/platform.ts";
import { AF_UNIX, SOCK_STREAM } from "./_socket_constants.ts";
import { acceptFd, timedOut } from "./_socket_io.ts";
import { SocketBase, socketIO } from "./_socket_base.ts";

/** Bytes per read of sendfile's fallback loop. */
const SENDFILE_CHUNK = 65536;

/** `sendfile`'s arguments checked: the file's fd, where to start, and the most bytes (`Infinity`: to the end). */
export function sendfileRange(
  file: FileObj,
  offset: number,
  count: number | null,
): { fd: number; start: number; limit: number } {
  return {
    fd: fileobjToFd(file),
    start: checkSize(offset, "offset"),
    limit: count === null ? Infinity : checkSize(count, "count"),
  };
}

/**
 * `sendfile` where the kernel's cannot serve (no sendfile(2) here, or TLS):
 * reads `fd` from `start` in chunks and hands each to `sendall`, at most
 * `limit` bytes; the file's offset ends after the bytes sent, as in Python.
 *
 * @returns How many bytes were sent.
 */
export function sendfileBySend(
  fd: number,
  start: number,
  limit: number,
  sendall: (bytes: Uint8Array) => void,
): number {
  const chunk = new Uint8Array(SENDFILE_CHUNK);
  if (libc().lseek(fd, start, SEEK_SET) < 0) throw lastError("lseek", `fd ${fd}`);
  let sent = 0;
  while (sent < limit) {
    const want = Math.min(limit - sent, SENDFILE_CHUNK);
    const n = retryEintr(() => libc().read(fd, chunk, want), "read", `fd ${fd}`);
    if (n === 0) break;
    sendall(chunk.subarray(0, n));
    sent += n;
  }
  if (libc().lseek(fd, start + sent, SEEK_SET) < 0) throw lastError("lseek", `fd ${fd}`);
  return sent;
}
/** `SEEK_SET`: an absolute offset (0 on every supported OS). */
const SEEK_SET = 0;
const { EAGAIN, EINTR } = ERRNO;

const TYPE_NAMES = new Map<number, string>([
  [SOCK_STREAM, "SOCK_STREAM"],
  [SOCKET.SOCK_DGRAM, "SOCK_DGRAM"],
  [SOCKET.SOCK_RAW, "SOCK_RAW"],
  [SOCKET.SOCK_SEQPACKET, "SOCK_SEQPACKET"],
]);

/**
 * A socket, like Python's `socket.socket`. Register it with a selector
 * directly: it has `fileno()`.
 *
 * @example A non-blocking client
 * ```ts ignore
 * using s = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM);
 * s.setBlocking(false);
 * const err = s.connectEx(["127.0.0.1", 8080]); // EINPROGRESS: wait for EVENT_WRITE
 * ```
 */
export class Socket<A extends Address = Address> extends SocketBase<A> {
  /**
   * Accepts a connection. The new socket is blocking and close-on-exec.
   *
   * @returns `[connection, peerAddress]`.
   * @throws {BlockingIOError} If non-blocking and none is pending.
   * @example
   * ```ts ignore
   * const [conn, addr] = server.accept();
   * conn.setBlocking(false);
   * ```
   */
  accept(): [Socket<A>, A] {
    const [fd, address] = acceptFd(socketIO(this));
    return [new Socket<A>(this.family, this.type, this.proto, fd), address as A];
  }

  /**
   * A new socket on a duplicate of this one's fd (close-on-exec), with the
   * same family, type, protocol and timeout, like Python's `socket.dup`.
   *
   * @returns The copy; close both.
   * @example
   * ```ts ignore
   * using copy = s.dup();
   * ```
   */
  dup(): Socket<A> {
    const s = new Socket<A>(this.family, this.type, this.proto, dupFd(socketIO(this).open()));
    s.setTimeout(socketIO(this).timeout);
    return s;
  }

  /**
   * Whether the fd survives exec (it does not by default).
   *
   * @returns The flag.
   */
  getInheritable(): boolean {
    return !getFdFlag(socketIO(this).open(), "cloexec");
  }

  /**
   * Sets whether the fd survives exec, like Python's `socket.set_inheritable`.
   *
   * @param inheritable The flag.
   * @example
   * ```ts ignore
   * s.setInheritable(true); // hand it to a child process
   * ```
   */
  setInheritable(inheritable: boolean): void {
    setFdFlag(socketIO(this).open(), "cloexec", !inheritable);
  }

  /** The family's name: `"AF_INET"`, `"AF_INET6"`, `"AF_UNIX"` (or the number, as text). */
  get familyName(): string {
    return familyName(this.family).replace(/^family /, "");
  }

  /** The type's name: `"SOCK_STREAM"`, `"SOCK_DGRAM"`, ... (or the number, as text). */
  get typeName(): string {
    return TYPE_NAMES.get(this.type) ?? String(this.type);
  }

  /**
   * Sends a file's bytes, like Python's `socket.sendfile`: zero-copy with
   * sendfile(2) on Linux, a read/send loop elsewhere. The file's offset ends
   * `offset` + the bytes sent, as in Python. Not for non-blocking sockets.
   *
   * @param file An fd of a regular file, or an object with `fileno()`.
   * @param offset Where in the file to start.
   * @param count The most bytes (`null`: to the end of the file).
   * @returns How many bytes were sent.
   * @throws {RangeError} On a non-blocking socket or one that is not SOCK_STREAM (Python's ValueError).
   * @example
   * ```ts ignore
   * const fd = os.open("index.html", os.O_RDONLY);
   * conn.sendfile(fd);
   * ```
   */
  sendfile(file: FileObj, offset = 0, count: number | null = null): number {
    const { fd: inFd, start, limit } = sendfileRange(file, offset, count);
    if (this.type !== SOCK_STREAM) throw new RangeError("sendfile: only SOCK_STREAM sockets are supported");
    if (socketIO(this).timeout === 0) {
      throw new RangeError("sendfile: non-blocking sockets are not supported");
    }
    const out = socketIO(this).open();
    const deadline = socketIO(this).deadline();
    let sent = 0;
    if (PLATFORM.hasSendfile) {
      const pos = new BigInt64Array([BigInt(start)]);
      while (sent < limit) {
        const want = Math.min(limit - sent, MAX_IO);
        const n = libc().sendfile(out, inFd, pos, want);
        if (n > 0) {
          sent += n;
          continue;
        }
        if (n === 0) break;
        const e = errno();
        if (e === EINTR) continue;
        if (e === EAGAIN && socketIO(this).timeout !== 0) {
          if (!waitReady(out, POLL.POLLOUT, deadline)) throw timedOut("sendfile");
          continue;
        }
        throw errorFor(e, "sendfile", `fd ${inFd} -> ${out}`);
      }
    } else {
      return sendfileBySend(inFd, start, limit, (bytes) => this.sendall(bytes));
    }
    if (libc().lseek(inFd, start + sent, SEEK_SET) < 0) throw lastError("lseek", `fd ${inFd}`);
    return sent;
  }

  /**
   * A file over this socket, like Python's `socket.makefile`. With `b` in
   * the mode, a buffered binary file ({@linkcode SocketFile}: `readline()`,
   * `read(n)`, `readExactly(n)`, lines by iteration, buffered `write()` and
   * `flush()`); without, as Python's default `"r"`, a text file
   * ({@linkcode SocketTextFile}: strings, an encoding, newline translation).
   * Closing the file leaves the socket open.
   *
   * @param mode `"r"` (default), `"w"`, `"rw"` (text) or `"rb"`, `"wb"`, `"rwb"` (bytes).
   * @param bufferSize The buffer's size in bytes; a negative number, 0 or `null`: the default (8 KiB).
   * @param options Text modes: `encoding`, `errors`, `newline`, as Python's.
   * @returns The file.
   * @example
   * ```ts ignore
   * using f = conn.makefile("rw", null, { newline: "\r\n" });
   * f.write("GET / HTTP/1.0\n\n");
   * f.flush();
   * const status = f.readline();
   * ```
   */
  makefile(mode: BinaryMode, bufferSize?: number | null): SocketFile;
  /** A text file over this socket (see the first signature). */
  makefile(mode?: TextMode, bufferSize?: number | null, options?: TextOptions): SocketTextFile;
  /** A binary or text file over this socket, as the mode says (see the first signature). */
  makefile(mode: string, bufferSize?: number | null, options?: TextOptions): SocketFile | SocketTextFile;
  makefile(
    mode = "r",
    bufferSize: number | null = DEFAULT_BUFFER_SIZE,
    options?: TextOptions,
  ): SocketFile | SocketTextFile {
    return makeFile(this, mode, bufferSize, options);
  }

  /** `Socket(fd=3, family=AF_INET, type=SOCK_STREAM, proto=6, laddr=["127.0.0.1", 8080], raddr=[...])`, like Python's repr. */
  override toString(): string {
    const parts = [
      this.fileno() < 0 ? "[closed] fd=-1" : `fd=${this.fileno()}`,
      `family=${this.familyName}`,
      `type=${this.typeName}`,
      `proto=${this.proto}`,
    ];
    if (this.fileno() >= 0) {
      for (const [key, call] of [["laddr", "getsockname"], ["raddr", "getpeername"]] as const) {
        try {
          const a = this[call]() as Address;
          if (a !== "" || this.family !== AF_UNIX) parts.push(`${key}=${JSON.stringify(a)}`);
        } catch { /* not bound or not connected: Python leaves it out */ }
      }
    }
    return `Socket(${parts.join(", ")})`;
  }

  /** What `console.log` shows under Deno. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  /** What `console.log` shows under Bun and Node. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/**
 * A duplicate of a socket fd (close-on-exec), a new number no older claim holds.
 *
 * @throws {OSError} EBADF and the like.
 */
export function dupFd(fd: number): number {
  const copy = libc().fcntl(fd, FCNTL.F_DUPFD_CLOEXEC, 0);
  if (copy < 0) throw lastError("fcntl", `F_DUPFD_CLOEXEC of fd ${fd}`);
  forget(copy);
  return copy;
}
