/**
 * `socket.makefile()` in a binary mode: Python's `BufferedReader` /
 * `BufferedWriter` over a socket, with their rules on blocking, non-blocking
 * and timeout sockets.
 *
 * @module
 */
import type { Socket } from "./socket.ts";
import { checkInt, checkSize, show } from "./_validate.ts";
import { byteLength, bytesOf, copyBytes, writeInto } from "./ffi/bytes.ts";
import { BlockingIOError, OSError, TimeoutError } from "./errors.ts";
import { ERRNO } from "./ffi/constants.ts";

/** Python's `io.DEFAULT_BUFFER_SIZE`. */
export const DEFAULT_BUFFER_SIZE = 8192;

/**
 * `readExactly(n)` met the end of the stream first, like asyncio's
 * `IncompleteReadError`: `partial` holds the bytes that did arrive.
 */
export class IncompleteReadError extends Error {
  /** The bytes read before the end. */
  readonly partial: Uint8Array<ArrayBuffer>;
  /** How many bytes were asked for. */
  readonly expected: number;

  /**
   * Creates the error.
   *
   * @param partial The bytes read before the end.
   * @param expected How many were asked for.
   */
  constructor(partial: Uint8Array<ArrayBuffer>, expected: number) {
    super(`${partial.length} bytes read on a total of ${expected} expected bytes`);
    this.name = "IncompleteReadError";
    this.partial = partial;
    this.expected = expected;
  }
}

const NEWLINE = 10;

/**
 * A buffered binary file over a socket, from {@linkcode Socket.makefile}.
 *
 * On a blocking socket, `read(n)` waits for `n` bytes or the end of the
 * stream and `readline()` for a whole line; on a non-blocking one they
 * return what is there (`read` returns `null` when nothing is, as Python's
 * `BufferedReader.read` returns None); on a socket with a timeout a wait
 * that runs out throws {@linkcode TimeoutError}, after which the file
 * refuses to read (as Python's `SocketIO` does: the stream's position is
 * unknown).
 *
 * @example Reading lines
 * ```ts ignore
 * using f = conn.makefile("rb");
 * for (const line of f) console.log(new TextDecoder().decode(line));
 * ```
 */
export class SocketFile implements Disposable, Iterable<Uint8Array<ArrayBuffer>> {
  readonly #sock: Socket;
  readonly #readable: boolean;
  readonly #writable: boolean;
  readonly #size: number;
  /** Bytes received and not yet read: `#buf[#start..#end]`. */
  #buf: Uint8Array<ArrayBuffer>;
  #start = 0;
  #end = 0;
  #eof = false;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #timedOut = false;
  #closed = false;
  /** `"rb"`, `"wb"` or `"rwb"`. */
  readonly mode: string;

  /**
   * Wraps a socket; {@linkcode Socket.makefile} is the usual way in.
   *
   * @param sock The socket (it stays open when the file closes).
   * @param mode `"rb"`, `"wb"` or `"rwb"` (or without the `b`).
   * @param bufferSize The buffer's size.
   */
  constructor(sock: Socket, mode = "rb", bufferSize = DEFAULT_BUFFER_SIZE) {
    if (typeof mode !== "string" || !/^(r|w|rw|wr)b?$/.test(mode)) {
      throw new RangeError(
        `Invalid mode: ${show(mode)}: expected "rb", "wb" or "rwb" (text modes: decode the bytes)`,
      );
    }
    this.#size = checkSize(bufferSize, "bufferSize") || DEFAULT_BUFFER_SIZE;
    this.#sock = sock;
    this.#readable = mode.includes("r");
    this.#writable = mode.includes("w");
    this.mode = `${this.#readable ? "r" : ""}${this.#writable ? "w" : ""}b`;
    this.#buf = new Uint8Array(this.#readable ? this.#size : 0);
  }

  /** The socket's fd (for selectors). */
  fileno(): number {
    return this.#sock.fileno();
  }

  #checkRead(): void {
    if (this.#closed) throw new RangeError("I/O operation on closed file");
    if (!this.#readable) throw new RangeError("File not open for reading");
    if (this.#timedOut) {
      throw new OSError(ERRNO.EIO, "recv", { description: "cannot read from timed out object" });
    }
  }

  #checkWrite(): void {
    if (this.#closed) throw new RangeError("I/O operation on closed file");
    if (!this.#writable) throw new RangeError("File not open for writing");
  }

  /** Bytes buffered and not yet read. */
  get #buffered(): number {
    return this.#end - this.#start;
  }

  /**
   * One receive into the buffer: its byte count, 0 at the end of the
   * stream, -1 when a non-blocking socket has nothing.
   */
  #fill(): number {
    if (this.#eof) return 0;
    if (this.#start > 0 && this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#end === this.#buf.length) {
      // No room after the buffered bytes: move them to the front, or grow (a long line).
      const kept = this.#end - this.#start;
      if (this.#start > 0) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        const next = new Uint8Array(this.#buf.length * 2);
        next.set(this.#buf);
        this.#buf = next;
      }
      this.#start = 0;
      this.#end = kept;
    }
    let n: number;
    try {
      n = this.#sock.recvInto(this.#buf.subarray(this.#end));
    } catch (e) {
      if (e instanceof BlockingIOError) return -1;
      if (e instanceof TimeoutError) this.#timedOut = true;
      throw e;
    }
    if (n === 0) this.#eof = true;
    this.#end += n;
    return n;
  }

  #take(n: number): Uint8Array<ArrayBuffer> {
    const out = this.#buf.slice(this.#start, this.#start + n);
    this.#start += n;
    return out;
  }

  /**
   * Reads up to `n` bytes: on a blocking socket, until `n` arrived or the
   * stream ended; `n` < 0 (the default) reads to the end.
   *
   * @param n The most bytes; -1 for all.
   * @returns The bytes (empty at the end of the stream), or `null` when a
   *   non-blocking socket has nothing yet.
   * @example
   * ```ts ignore
   * const body = f.read(length);
   * ```
   */
  read(n = -1): Uint8Array<ArrayBuffer> | null {
    this.#checkRead();
    const want = checkInt(n, "n");
    for (;;) {
      if (want >= 0 && this.#buffered >= want) return this.#take(want);
      const got = this.#fill();
      if (got === 0) return this.#take(this.#buffered);
      if (got < 0) return this.#buffered > 0 ? this.#take(this.#buffered) : null;
    }
  }

  /**
   * Reads at most `n` bytes with at most one receive (Python's `read1`).
   *
   * @param n The most bytes; -1 for what one receive gives.
   * @returns The bytes, or `null` when a non-blocking socket has nothing.
   */
  read1(n = -1): Uint8Array<ArrayBuffer> | null {
    this.#checkRead();
    const want = checkInt(n, "n");
    if (this.#buffered === 0 && this.#fill() < 0) return null;
    return this.#take(want < 0 ? this.#buffered : Math.min(want, this.#buffered));
  }

  /**
   * Reads exactly `n` bytes, waiting as the socket's mode allows.
   *
   * @param n How many.
   * @returns The bytes.
   * @throws {IncompleteReadError} When the stream ends first.
   * @throws {BlockingIOError} When a non-blocking socket runs dry first (the bytes stay buffered).
   * @example
   * ```ts ignore
   * const header = f.readExactly(4);
   * ```
   */
  readExactly(n: number): Uint8Array<ArrayBuffer> {
    this.#checkRead();
    const want = checkSize(n, "n");
    for (;;) {
      if (this.#buffered >= want) return this.#take(want);
      const got = this.#fill();
      if (got === 0) throw new IncompleteReadError(this.#take(this.#buffered), want);
      if (got < 0) throw new BlockingIOError(ERRNO.EAGAIN, "recv", { description: "not enough data yet" });
    }
  }

  /**
   * Reads a line, its `\n` included: the last line may lack one, and the
   * end of the stream is an empty array. On a non-blocking socket, what has
   * arrived of the line so far (as Python's `readline` there).
   *
   * @param limit The most bytes (-1: none).
   * @returns The line.
   * @example
   * ```ts ignore
   * const status = new TextDecoder().decode(f.readline());
   * ```
   */
  readline(limit = -1): Uint8Array<ArrayBuffer> {
    this.#checkRead();
    const max = checkInt(limit, "limit");
    let scanned = 0;
    for (;;) {
      const nl = this.#buf.subarray(this.#start + scanned, this.#end).indexOf(NEWLINE);
      if (nl >= 0) {
        const len = scanned + nl + 1;
        return this.#take(max >= 0 ? Math.min(len, max) : len);
      }
      scanned = this.#buffered;
      if (max >= 0 && scanned >= max) return this.#take(max);
      if (this.#fill() <= 0) return this.#take(max >= 0 ? Math.min(this.#buffered, max) : this.#buffered);
    }
  }

  /**
   * Reads all the lines to the end of the stream.
   *
   * @returns The lines.
   */
  readlines(): Uint8Array<ArrayBuffer>[] {
    return [...this];
  }

  /**
   * Reads into a buffer you own: what is buffered, else one receive.
   *
   * @param buffer Where the bytes go.
   * @returns How many bytes; 0 at the end of the stream; `null` when a non-blocking socket has nothing.
   */
  readinto(buffer: ArrayBufferView | ArrayBuffer): number | null {
    this.#checkRead();
    const view = bytesOf(buffer, "buffer");
    const room = byteLength(view, "buffer");
    if (room === 0) return 0;
    if (this.#buffered === 0 && this.#fill() < 0) return null;
    const chunk = this.#take(Math.min(room, this.#buffered));
    writeInto(view, 0, chunk);
    return chunk.length;
  }

  /** Lines, until the end of the stream. */
  *[Symbol.iterator](): Iterator<Uint8Array<ArrayBuffer>> {
    for (;;) {
      const line = this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }

  /**
   * Buffers bytes to send; a full buffer is sent at once.
   *
   * @param data The bytes.
   * @returns How many bytes were taken (all of them).
   */
  write(data: ArrayBufferView | ArrayBuffer): number {
    this.#checkWrite();
    const bytes = copyBytes(data, "data");
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
    if (this.#pendingBytes >= this.#size) this.flush();
    return bytes.length;
  }

  /** Sends everything buffered (`sendall`). */
  flush(): void {
    if (this.#closed || !this.#writable || this.#pendingBytes === 0) return;
    const all = new Uint8Array(this.#pendingBytes);
    let at = 0;
    for (const chunk of this.#pending) {
      all.set(chunk, at);
      at += chunk.length;
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#sock.sendall(all);
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Flushes and closes the file; the socket stays open. Idempotent. */
  close(): void {
    if (this.#closed) return;
    try {
      this.flush();
    } finally {
      this.#closed = true;
    }
  }

  /** Closes the file at the end of a `using` scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}
