/**
 * `socket.makefile()` in a binary mode: Python's `BufferedReader` /
 * `BufferedWriter` over a socket, with their rules on blocking, non-blocking
 * and timeout sockets.
 *
 * @module
 */
import { checkSize, show } from "./_validate.ts";
import { byteLength, byteRange, bytesOf, copyInto, writeInto } from "./ffi/bytes.ts";
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

/** What a socket file needs of its socket (a `Socket`, or anything that behaves like one). */
export interface FileSocket {
  /** The fd. */
  fileno(): number;
  /** Receives into `buffer`, as `Socket.recvInto`. */
  recvInto(buffer: ArrayBufferView | ArrayBuffer): number;
  /** Sends what it can of `data`, as `Socket.send`. */
  send(data: ArrayBufferView | ArrayBuffer): number;
}

/** The largest buffer a file takes (1 GiB): a size past it is a mistake, not a buffer. */
const MAX_BUFFER_SIZE = 1 << 30;

/**
 * A count of bytes where Python takes any integer and a negative one means
 * "no limit" (`read(-1)`, `readline(2**31)`): any safe integer.
 */
function checkCount(n: unknown, what: string): number {
  if (typeof n !== "number") throw new TypeError(`Invalid ${what}: expected a number, got ${show(n)}`);
  if (!Number.isSafeInteger(n)) throw new RangeError(`Invalid ${what}: ${show(n)}`);
  return n;
}

/** Python's "write could not complete without blocking", with the bytes it did take. */
function wouldBlock(taken: number): BlockingIOError {
  const e = new BlockingIOError(ERRNO.EAGAIN, "send", {
    description: "write could not complete without blocking",
  });
  e.charactersWritten = taken;
  return e;
}

/**
 * A buffered binary file over a socket, from `Socket.makefile()`.
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
  readonly #sock: FileSocket;
  readonly #readable: boolean;
  readonly #writable: boolean;
  readonly #size: number;
  /** Bytes received and not yet read: `#buf[#start..#end]`. */
  #buf: Uint8Array<ArrayBuffer>;
  #start = 0;
  #end = 0;
  #eof = false;
  /** Bytes written and not yet sent: `#out[#sent..#queued]`. */
  #out: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  #sent = 0;
  #queued = 0;
  #timedOut = false;
  #closed = false;
  /** `"rb"`, `"wb"` or `"rwb"`. */
  readonly mode: string;

  /**
   * Wraps a socket; `Socket.makefile()` is the usual way in.
   *
   * @param sock The socket (it stays open when the file closes).
   * @param mode `"rb"`, `"wb"` or `"rwb"`.
   * @param bufferSize The buffer's size; 0, a negative number or `null` is
   *   {@linkcode DEFAULT_BUFFER_SIZE}, as Python's `buffering=-1`.
   */
  constructor(sock: FileSocket, mode = "rb", bufferSize: number | null = DEFAULT_BUFFER_SIZE) {
    // Python's rule: any of r, w and b (at least r or w).
    if (typeof mode !== "string" || !/^[rwb]{1,8}$/.test(mode) || !/[rw]/.test(mode)) {
      throw new RangeError(
        `Invalid mode: ${show(mode)}: expected "rb", "wb" or "rwb" (or "r", "w", "rw": text)`,
      );
    }
    this.#size = bufferSize === null || bufferSize === undefined
      ? DEFAULT_BUFFER_SIZE
      : Math.max(checkCount(bufferSize, "bufferSize"), 0) || DEFAULT_BUFFER_SIZE;
    if (this.#size > MAX_BUFFER_SIZE) {
      throw new RangeError(`Invalid bufferSize: ${this.#size}: at most ${MAX_BUFFER_SIZE}`);
    }
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
      throw new OSError(ERRNO.EIO, "recv", { description: "cannot read from timed out object", plain: true });
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
    const want = checkCount(n, "n");
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
    const want = checkCount(n, "n");
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
    const max = checkCount(limit, "limit");
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
   * Buffers bytes to send, like Python's `BufferedWriter.write`: what fits
   * in the buffer waits there; otherwise the buffer is sent first and a
   * large write goes out directly.
   *
   * Nothing written is lost: a call that returns has taken all its bytes
   * (sent, or buffered until {@linkcode SocketFile.flush}); a call that
   * throws {@linkcode TimeoutError} (or another error) before any of its own
   * bytes went out has taken none of them, and the bytes of earlier calls
   * stay buffered for the next `flush()`. On a non-blocking socket that is
   * full, as much as fits is buffered and {@linkcode BlockingIOError} says
   * how much in `charactersWritten` (Python's `characters_written`).
   *
   * @param data The bytes.
   * @returns How many bytes were taken (all of them).
   * @example
   * ```ts ignore
   * f.write(new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n"));
   * f.flush();
   * ```
   */
  write(data: ArrayBufferView | ArrayBuffer): number {
    this.#checkWrite();
    const bytes = bytesOf(data, "data");
    const n = byteLength(bytes, "data");
    if (this.#queued + n <= this.#size) {
      this.#queue(bytes, 0, n);
      return n;
    }
    try {
      this.#sendQueued();
    } catch (e) {
      if (!(e instanceof BlockingIOError)) throw e; // none of this call's bytes taken
      // Non-blocking and full: keep as much as the buffer holds (Python's rule).
      this.#compact();
      const room = Math.max(this.#size - this.#queued, 0);
      this.#queue(bytes, 0, Math.min(room, n));
      if (n <= room) return n;
      throw wouldBlock(room);
    }
    let done = 0;
    while (n - done > this.#size) {
      let sent: number;
      try {
        sent = this.#sock.send(byteRange(bytes, done, n));
      } catch (e) {
        if (e instanceof BlockingIOError) {
          this.#queue(bytes, done, Math.min(done + this.#size, n));
          done = Math.min(done + this.#size, n);
          if (done === n) return n;
          throw wouldBlock(done);
        }
        if (done === 0) throw e; // nothing of this call went out: none of it taken
        // Part of this call went out already: the rest is kept for flush(),
        // so the peer gets exactly what write() accepted, and the error
        // surfaces there (Python drops the rest, unreported).
        this.#queue(bytes, done, n);
        return n;
      }
      done += sent;
    }
    this.#queue(bytes, done, n);
    return n;
  }

  /**
   * Sends everything buffered. On a timeout or any other error, what was not
   * sent stays buffered: call `flush()` again to go on.
   *
   * @throws {TimeoutError} When the socket's timeout runs out first.
   * @throws {BlockingIOError} When a non-blocking socket is full.
   */
  flush(): void {
    if (this.#closed || !this.#writable) return;
    this.#sendQueued();
  }

  /** Copies `bytes[from..to]` behind the buffered bytes, growing the buffer when needed. */
  #queue(bytes: ArrayBufferView, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    if (this.#queued + n > this.#out.length) {
      this.#compact();
      if (this.#queued + n > this.#out.length) {
        const next = new Uint8Array(Math.max(this.#queued + n, this.#size));
        next.set(this.#out.subarray(0, this.#queued));
        this.#out = next;
      }
    }
    copyInto(this.#out, this.#queued, byteRange(bytes, from, to), n);
    this.#queued += n;
  }

  /** Moves the unsent bytes to the front of the buffer. */
  #compact(): void {
    if (this.#sent === 0) return;
    this.#out.copyWithin(0, this.#sent, this.#queued);
    this.#queued -= this.#sent;
    this.#sent = 0;
  }

  /** Sends the buffered bytes, one `send()` at a time, each sent byte dropped from the buffer at once. */
  #sendQueued(): void {
    while (this.#sent < this.#queued) {
      this.#sent += this.#sock.send(this.#out.subarray(this.#sent, this.#queued));
    }
    this.#sent = this.#queued = 0;
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
