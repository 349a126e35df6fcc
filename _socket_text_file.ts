/**
 * `socket.makefile()` in a text mode: Python's `TextIOWrapper` over the
 * binary {@linkcode SocketFile}: strings in and out, an encoding, the
 * `errors` rule, and newline translation.
 *
 * @module
 */
import { show } from "./_validate.ts";
import { type FileSocket, SocketFile } from "./_socket_file.ts";

/** The options of a text-mode file, as Python's `makefile` takes them. */
export interface TextOptions {
  /** The encoding (default UTF-8). Reading takes any `TextDecoder` encoding; writing UTF-8, Latin-1 or ASCII. */
  encoding?: string | null;
  /** `"strict"` (default: a bad byte or character throws) or `"replace"` (U+FFFD on reading, `?` on writing). */
  errors?: "strict" | "replace" | null;
  /**
   * Python's `newline`: `null` (default: `\r`, `\n` and `\r\n` read as `\n`,
   * `\n` written as is), `""` (lines end at any of them, untranslated),
   * or `"\n"`, `"\r"`, `"\r\n"` (lines end there; `\n` written as it).
   */
  newline?: null | "" | "\n" | "\r" | "\r\n";
}

type Newline = null | "" | "\n" | "\r" | "\r\n";

const ENCODERS: Record<string, number> = {
  "utf-8": 0,
  "utf8": 0,
  "latin-1": 0xff,
  "latin1": 0xff,
  "iso-8859-1": 0xff,
  "ascii": 0x7f,
  "us-ascii": 0x7f,
};

/**
 * A text file over a socket, from {@linkcode Socket.makefile} with a mode
 * without `b` (`"r"`, `"w"`, `"rw"`), as Python's: `readline()` gives a
 * string, `write()` takes one.
 *
 * @example A line protocol
 * ```ts ignore
 * using f = conn.makefile("rw", null, { newline: "\r\n" });
 * f.write("HELO example.com\n"); // sent as "HELO example.com\r\n"
 * f.flush();
 * const reply = f.readline();
 * ```
 */
export class SocketTextFile implements Disposable, Iterable<string> {
  readonly #file: SocketFile;
  /** UTF-8 and the other WHATWG encodings; null for Latin-1 and ASCII, decoded here (WHATWG reads those labels as windows-1252). */
  readonly #decoder: TextDecoder | null;
  /** The highest code point the encoding writes as one byte (Latin-1, ASCII), or 0 for UTF-8. */
  readonly #single: number;
  readonly #strict: boolean;
  readonly #newline: Newline;
  /** Decoded (and, with `newline` null, translated) text not yet returned. */
  #text = "";
  /** With `newline` null: a `\r` held back until the next text says whether `\n` follows. */
  #heldCR = false;
  #eof = false;
  /** `"r"`, `"w"` or `"rw"`. */
  readonly mode: string;
  /** The encoding's name, as given (`"utf-8"` by default). */
  readonly encoding: string;
  /** `"strict"` or `"replace"`. */
  readonly errors: string;

  /**
   * Wraps a binary socket file; {@linkcode Socket.makefile} is the usual way in.
   *
   * @param file The binary file.
   * @param mode `"r"`, `"w"` or `"rw"`.
   * @param options Encoding, errors and newline.
   */
  constructor(file: SocketFile, mode: string, options: TextOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`Invalid options: expected an object, got ${show(options)}`);
    }
    const { encoding, errors, newline } = options; // each read once
    const enc = encoding ?? "utf-8";
    if (typeof enc !== "string") throw new TypeError(`Invalid encoding: expected a string, got ${show(enc)}`);
    const err = errors ?? "strict";
    if (err !== "strict" && err !== "replace") {
      throw new RangeError(`Invalid errors: ${show(err)}: "strict" or "replace"`);
    }
    const nl = newline === undefined ? null : newline;
    if (nl !== null && nl !== "" && nl !== "\n" && nl !== "\r" && nl !== "\r\n") {
      throw new RangeError(`Invalid newline: ${show(nl)}: null, "", "\\n", "\\r" or "\\r\\n"`);
    }
    const single = ENCODERS[enc.toLowerCase()];
    try {
      this.#decoder = single ? null : new TextDecoder(enc as "utf-8", { fatal: err === "strict" }); // any label: a bad one throws
    } catch {
      throw new RangeError(`Unknown encoding: ${show(enc)}`);
    }
    if (mode.includes("w") && single === undefined) {
      throw new RangeError(`Unsupported encoding for writing: ${show(enc)}: UTF-8, Latin-1 or ASCII`);
    }
    this.#file = file;
    this.#single = single ?? 0;
    this.#strict = err === "strict";
    this.#newline = nl;
    this.mode = file.mode.replace("b", "");
    this.encoding = enc;
    this.errors = err;
  }

  /** The socket's fd (for selectors). */
  fileno(): number {
    return this.#file.fileno();
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#file.closed;
  }

  /**
   * One receive, decoded into `#text`. False at the end of the stream (once
   * everything is decoded) or when a non-blocking socket has nothing.
   */
  #more(): boolean {
    if (this.#eof) return false;
    const chunk = this.#file.read1();
    if (chunk === null) return false;
    if (chunk.length === 0) this.#eof = true;
    this.#append(this.#decode(chunk));
    return true;
  }

  /** A chunk's text (an empty chunk: the end, flushing a partial character). */
  #decode(chunk: Uint8Array): string {
    if (this.#decoder) {
      return chunk.length === 0 ? this.#decoder.decode() : this.#decoder.decode(chunk, { stream: true });
    }
    let out = "";
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b <= this.#single) out += String.fromCharCode(b);
      else if (this.#strict) {
        throw new TypeError(
          `'${this.encoding}' codec can't decode byte 0x${b.toString(16)} in position ${i}`,
        );
      } else out += "\ufffd";
    }
    return out;
  }

  #append(text: string): void {
    if (this.#newline !== null) {
      this.#text += text;
      return;
    }
    // Universal newlines: \r\n and \r read as \n; a \r at the end waits for what follows.
    let s = this.#heldCR ? `\r${text}` : text;
    this.#heldCR = !this.#eof && s.endsWith("\r");
    if (this.#heldCR) s = s.slice(0, -1);
    this.#text += s.replace(/\r\n?/g, "\n");
  }

  /** Where the first line of `#text` ends (after its terminator), or -1 when more text is needed to tell. */
  #lineEnd(): number {
    const t = this.#text;
    switch (this.#newline) {
      case null:
      case "\n": {
        const i = t.indexOf("\n");
        return i < 0 ? -1 : i + 1;
      }
      case "\r": {
        const i = t.indexOf("\r");
        return i < 0 ? -1 : i + 1;
      }
      case "\r\n": {
        const i = t.indexOf("\r\n");
        return i < 0 ? -1 : i + 2;
      }
      default: { // "": any of \r\n, \r, \n ends a line, kept as it is
        const m = /\r\n|\r|\n/.exec(t);
        if (!m) return -1;
        // A \r at the very end may be the first half of \r\n: wait, unless the stream ended.
        if (m[0] === "\r" && m.index === t.length - 1 && !this.#eof) return -1;
        return m.index + m[0].length;
      }
    }
  }

  #take(n: number): string {
    const out = this.#text.slice(0, n);
    this.#text = this.#text.slice(n);
    return out;
  }

  #checkRead(): void {
    if (this.#file.closed) throw new RangeError("I/O operation on closed file");
    if (!this.mode.includes("r")) throw new RangeError("File not open for reading");
  }

  /**
   * Reads a line, its terminator included (translated to `\n` with the
   * default `newline`); `""` at the end of the stream.
   *
   * @param limit The most characters (-1: none).
   * @returns The line.
   * @example
   * ```ts ignore
   * const status = f.readline().trimEnd();
   * ```
   */
  readline(limit = -1): string {
    this.#checkRead();
    if (typeof limit !== "number" || !Number.isSafeInteger(limit)) {
      throw new TypeError(`Invalid limit: expected an integer, got ${show(limit)}`);
    }
    for (;;) {
      const end = this.#lineEnd();
      if (end >= 0) return this.#take(limit >= 0 ? Math.min(end, limit) : end);
      if (limit >= 0 && this.#text.length >= limit) return this.#take(limit);
      if (!this.#more()) {
        return this.#take(limit >= 0 ? Math.min(limit, this.#text.length) : this.#text.length);
      }
    }
  }

  /**
   * Reads `n` characters, or to the end of the stream (`n` < 0, the default).
   *
   * @param n The most characters.
   * @returns The text (`""` at the end of the stream).
   */
  read(n = -1): string {
    this.#checkRead();
    if (typeof n !== "number" || !Number.isSafeInteger(n)) {
      throw new TypeError(`Invalid n: expected an integer, got ${show(n)}`);
    }
    while (n < 0 || this.#text.length < n) if (!this.#more()) break;
    return this.#take(n < 0 ? this.#text.length : Math.min(n, this.#text.length));
  }

  /**
   * Reads all the lines to the end of the stream.
   *
   * @returns The lines.
   */
  readlines(): string[] {
    return [...this];
  }

  /** Lines, until the end of the stream. */
  *[Symbol.iterator](): Iterator<string> {
    for (;;) {
      const line = this.readline();
      if (line === "") return;
      yield line;
    }
  }

  /**
   * Writes text: `\n` becomes the `newline` given (`"\r\n"`, `"\r"`), then
   * the encoding's bytes go to the buffer (see `SocketFile.write`).
   *
   * @param text The text.
   * @returns How many characters were taken (all of them).
   * @throws {TypeError} For a character the encoding cannot write, with `errors: "strict"`.
   */
  write(text: string): number {
    if (typeof text !== "string") throw new TypeError(`Invalid text: expected a string, got ${show(text)}`);
    const nl = this.#newline;
    const translated = nl === "\r\n" || nl === "\r" ? text.replaceAll("\n", nl) : text;
    this.#file.write(this.#encode(translated));
    return text.length;
  }

  #encode(text: string): Uint8Array {
    if (this.#single === 0) return new TextEncoder().encode(text);
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c <= this.#single) out[i] = c;
      else if (this.#strict) {
        throw new TypeError(
          `'${this.encoding}' codec can't encode character ${show(text[i])} in position ${i}`,
        );
      } else out[i] = 0x3f; // "?"
    }
    return out;
  }

  /** Sends everything buffered (see `SocketFile.flush`). */
  flush(): void {
    this.#file.flush();
  }

  /** Flushes and closes the file; the socket stays open. Idempotent. */
  close(): void {
    this.#file.close();
  }

  /** Closes the file at the end of a `using` scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * What `makefile()` gives over `sock` (a socket, or a TLS socket): with `b`
 * in the mode a binary {@linkcode SocketFile}, without a
 * {@linkcode SocketTextFile} over one.
 *
 * @param sock What the file reads from and writes to.
 * @param mode The mode, as `Socket.makefile` takes it.
 * @param bufferSize The buffer's size (a negative number, 0 or null: the default).
 * @param options Text modes' encoding, errors and newline.
 * @returns The file.
 */
export function makeFile(
  sock: FileSocket,
  mode: string,
  bufferSize: number | null,
  options?: TextOptions,
): SocketFile | SocketTextFile {
  if (typeof mode === "string" && !mode.includes("b")) {
    // Checked first, so a bad mode or option leaves no binary file behind.
    const file = new SocketFile(sock, `${mode}b`, bufferSize);
    return new SocketTextFile(file, mode, options);
  }
  return new SocketFile(sock, mode, bufferSize);
}
