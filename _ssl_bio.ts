/**
 * TLS without I/O: {@linkcode MemoryBIO} and {@linkcode SSLObject}, Python's
 * `ssl.MemoryBIO` and `ssl.SSLObject`; `_ssl_socket.ts` moves their bytes
 * through a socket.
 *
 * @module
 */
import { byteLength, byteRange, bytesOf } from "./ffi/bytes.ts";
import { cText, openSsl, stackItems, takeError } from "./ffi/openssl.ts";
import { adapter } from "./ffi/mod.ts";
import { checkInt, checkSize, show, toCString } from "./_validate.ts";
import { idnaName, parseIPv4, parseIPv6 } from "./_address.ts";
import { disown, own } from "./_ssl_owned.ts";
import { derOf, describeCertificate, type PeerCertificate } from "./_ssl_cert.ts";
import { type CipherTuple, cipherTuple } from "./_ssl_cipher.ts";
import {
  BIO_C_SET_BUF_MEM_EOF_RETURN,
  CERT_NONE,
  checkFlag,
  MAX_CHUNK,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  R_CERTIFICATE_VERIFY_FAILED,
  R_UNEXPECTED_EOF,
  SSL_CTRL_SET_TLSEXT_HOSTNAME,
  type WrapOptions,
  X509_V_ERR_HOSTNAME_MISMATCH,
  X509_V_ERR_IP_ADDRESS_MISMATCH,
} from "./_ssl_constants.ts";
import { SSLSession } from "./_ssl_session.ts";
import { enter, leave, type SniCallback } from "./_ssl_callbacks.ts";
import {
  plainSslError,
  raiseFromQueue,
  SSL_ERROR_EOF,
  SSL_ERROR_SSL,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_ZERO_RETURN,
  SSLCertVerificationError,
  SSLEOFError,
  SSLError,
  sslError,
  SSLSyscallError,
  SSLWantReadError,
  SSLWantWriteError,
  SSLZeroReturnError,
  wantRead,
  wantWrite,
} from "./_ssl_errors.ts";

/** `SSL_SENT_SHUTDOWN`. */
const SENT_SHUTDOWN = 1;
/** `SSL_VERIFY_PEER` and `SSL_VERIFY_POST_HANDSHAKE`. */
const SSL_VERIFY_PEER = 1, SSL_VERIFY_POST_HANDSHAKE = 8;
/** The longest Finished message `getChannelBinding()` reads (CPython's `PySSL_CB_MAXLEN`). */
const FINISHED_MAX = 128;
/** `SSL_version()` of a TLS 1.3 connection. */
const TLS1_3_VERSION = 0x0304;

/**
 * Frees a connection. Marked as shut down first, as CPython does: OpenSSL
 * invalidates the session of a connection freed without `SSL_shutdown`, and
 * a client's `session` taken from it would then never resume.
 */
function freeConnection(s: bigint): void {
  const { ssl } = openSsl();
  ssl.SSL_set_shutdown(s, SENT_SHUTDOWN | ssl.SSL_get_shutdown(s));
  ssl.SSL_free(s);
}

/** What a connection needs of the context it is made from (an {@linkcode SSLContext}). */
export interface SSLContextLike {
  /** `PROTOCOL_TLS_CLIENT` or `PROTOCOL_TLS_SERVER`. */
  readonly protocol: number;
  /** Whether the server's name is checked. */
  readonly checkHostname: boolean;
  /** `CERT_NONE`, `CERT_OPTIONAL` or `CERT_REQUIRED`. */
  readonly verifyMode: number;
  /** The `SSL_CTX *`. */
  pointer(): bigint;
  /** The server-name callback, or null. */
  readonly sniCallback: SniCallback | null;
  /** The ALPN protocols in wire form, over memory the engine never moves, or null. */
  alpnWire(): Uint8Array | null;
  /** Whether connections take part in TLS 1.3 post-handshake authentication (absent: no). */
  readonly postHandshakeAuth?: boolean;
}

/** What {@linkcode tryReadInto} returns when OpenSSL needs the peer's bytes first. */
export const WANT_READ = -1;

/**
 * An SSLObject's SSL_read into `buf` (`len` bytes, checked by
 * {@linkcode readLength}): how many, 0 at the end of the stream, or
 * `WANT_READ` with no exception made; other failures throw as `readInto`'s.
 * For SSLSocket, whose reads mostly meet WANT_READ once before the socket
 * has the record.
 */
export let tryReadInto: (tls: SSLObject, buf: ArrayBufferView, len: number) => number;

/**
 * How many bytes a read into `view` may take: `nbytes`, or the whole view
 * for 0, a negative number or more than the view holds (CPython's rule for a
 * TLS read into a buffer), at most one TLS record's worth; measured by the
 * engine's own length.
 *
 * @throws {TypeError} For an `nbytes` that is not an integer.
 */
export function readLength(view: ArrayBufferView, nbytes: number): number {
  const size = byteLength(view, "buffer");
  const want = checkInt(nbytes, "nbytes");
  return Math.min(want <= 0 || want > size ? size : want, MAX_CHUNK);
}

/** What an IP address's text can be made of: any other server name is a host name. */
const MAYBE_IP = /^[0-9A-Fa-f.:]+(?:%.*)?$/s;

/** `BIO_s_mem()`: OpenSSL's static table for memory BIOs, the same for the life of the process. */
let memoryMethod = 0n;

/**
 * A memory buffer for TLS bytes, Python's `ssl.MemoryBIO`.
 *
 * @example
 * ```ts ignore
 * const incoming = new ssl.MemoryBIO(), outgoing = new ssl.MemoryBIO();
 * const tls = ctx.wrapBio(incoming, outgoing);
 * ```
 */
export class MemoryBIO implements Disposable {
  #bio: bigint;
  #eof = false;

  /** Makes an empty buffer. */
  constructor() {
    const { crypto } = openSsl();
    const bio = crypto.BIO_new(memoryMethod ||= crypto.BIO_s_mem());
    if (bio === 0n) throw raiseFromQueue("BIO_new");
    // Empty reads ask for more (-1, retry), never read as EOF until writeEof().
    crypto.BIO_ctrl(bio, BIO_C_SET_BUF_MEM_EOF_RETURN, -1, 0n);
    this.#bio = bio;
    own(this, bio, (p) => openSsl().crypto.BIO_free(p));
  }

  /** @internal The `BIO *`. */
  pointer(): bigint {
    if (this.#bio === 0n) throw new RangeError("The MemoryBIO is closed");
    return this.#bio;
  }

  /**
   * @internal Reads what is waiting into `buf`, one of the library's own
   * buffers (its length is trusted): how many bytes, 0 when none wait. No
   * allocation, unlike `read()`: SSLSocket sends every record through it.
   */
  readIntoOwn(buf: Uint8Array): number {
    const got = openSsl().crypto.BIO_read(this.pointer(), buf, buf.length);
    return got > 0 ? got : 0;
  }

  /** @internal Appends `buf[0, len)`, one of the library's own buffers (trusted): no view made per call. */
  writeOwn(buf: Uint8Array, len: number): void {
    if (openSsl().crypto.BIO_write(this.pointer(), buf, len) !== len) throw raiseFromQueue("BIO_write");
  }

  /** @internal The BIO now belongs to an SSL, which frees it. */
  handOver(): void {
    disown(this);
  }

  /** @internal Its SSL freed it: no further use. */
  released(): void {
    this.#bio = 0n;
  }

  /** Bytes waiting to be read. */
  get pending(): number {
    return openSsl().crypto.BIO_ctrl_pending(this.pointer());
  }

  /** Whether `writeEof()` was called and everything was read. */
  get eof(): boolean {
    return this.#eof && this.pending === 0;
  }

  /**
   * Reads up to `n` bytes (all by default).
   *
   * @param n The most bytes (-1: all).
   * @returns The bytes.
   */
  read(n = -1): Uint8Array<ArrayBuffer> {
    const want = checkInt(n, "n");
    const pending = this.pending;
    const size = Math.min(want < 0 ? pending : want, pending, MAX_CHUNK);
    if (size === 0) return new Uint8Array(0);
    const buf = new Uint8Array(size);
    const got = openSsl().crypto.BIO_read(this.pointer(), buf, size);
    return got <= 0 ? new Uint8Array(0) : got === size ? buf : buf.slice(0, got);
  }

  /**
   * Appends bytes.
   *
   * @param data The bytes.
   * @returns How many were taken (all).
   */
  write(data: ArrayBufferView | ArrayBuffer): number {
    if (this.#eof) throw sslError(SSLError, SSL_ERROR_SSL, "cannot write() after write_eof()");
    const view = bytesOf(data, "data"); // the engine's own view and length go to C (ffi/bytes.ts)
    const n = byteLength(view, "data");
    for (let at = 0; at < n;) {
      const chunk = Math.min(n - at, MAX_CHUNK);
      const w = openSsl().crypto.BIO_write(
        this.pointer(),
        at === 0 && chunk === n ? view : byteRange(view, at, at + chunk),
        chunk,
      );
      if (w <= 0) throw raiseFromQueue("BIO_write");
      at += w;
    }
    return n;
  }

  /** The peer sent its last byte: reads past what is buffered are the end of the stream. */
  writeEof(): void {
    this.#eof = true;
    openSsl().crypto.BIO_ctrl(this.pointer(), BIO_C_SET_BUF_MEM_EOF_RETURN, 0, 0n);
  }

  /** Frees the buffer (unless an SSLObject owns it). Idempotent. */
  close(): void {
    if (this.#bio === 0n) return;
    const bio = this.#bio;
    this.#bio = 0n;
    if (disown(this)) openSsl().crypto.BIO_free(bio);
  }

  /** Closes the buffer at the end of a `using` scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * TLS over memory BIOs, Python's `ssl.SSLObject`: the protocol without the
 * I/O. A call that needs the peer's bytes raises {@linkcode SSLWantReadError}:
 * feed `incoming`, send what `outgoing` holds, and call again.
 */
export class SSLObject implements Disposable {
  #ssl: bigint;
  #context: SSLContextLike;
  /** @internal What an `sniCallback` receives first: this, or the SSLSocket over it. */
  owner: object = this;
  /** @internal The exception a handshake callback threw, for the SSLError's `cause`. */
  callbackError: unknown = undefined;
  readonly #incoming: MemoryBIO;
  readonly #outgoing: MemoryBIO;
  readonly #suppressRaggedEofs: boolean;
  /**
   * Whether nothing can call back into JavaScript any more (a TLS 1.3
   * handshake done): reads and writes then go through the bindings Deno may
   * fast-call. Decided once, when a read, write or handshake step first finds
   * the handshake done; a TLS 1.2 connection (renegotiation) stays false.
   */
  #settled = false;
  #settledKnown = false;
  /** Where `pendingAfterPeek()` peeks. */
  readonly #peekByte = new Uint8Array(1);
  /** Whether this is the server side. */
  readonly serverSide: boolean;
  /** The name the server's certificate is checked against, if any: as given, or a non-ASCII name's `xn--` form (Python's). */
  readonly serverHostname: string | null;

  /**
   * Use {@linkcode SSLContext.wrapBio}.
   *
   * @param context The context.
   * @param incoming Bytes from the peer.
   * @param outgoing Bytes for the peer.
   * @param options Side, server name, ragged EOFs.
   */
  constructor(context: SSLContextLike, incoming: MemoryBIO, outgoing: MemoryBIO, options: WrapOptions = {}) {
    if (typeof context !== "object" || context === null || typeof context.pointer !== "function") {
      throw new TypeError(`Invalid context: expected an SSLContext, got ${show(context)}`);
    }
    if (!(incoming instanceof MemoryBIO) || !(outgoing instanceof MemoryBIO)) {
      throw new TypeError("incoming and outgoing must be MemoryBIOs");
    }
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`Invalid options: ${show(options)}`);
    }
    const { serverSide = false, serverHostname = null, suppressRaggedEofs = true, session = null } = options;
    checkFlag(serverSide, "serverSide");
    checkFlag(suppressRaggedEofs, "suppressRaggedEofs");
    if (serverHostname !== null && typeof serverHostname !== "string") {
      throw new TypeError(`Invalid serverHostname: ${show(serverHostname)}`);
    }
    // Python's order: the name IDNA-encoded (an `xn--` form for a non-ASCII one), the context's side, the name's form.
    const name = serverHostname === null ? null : idnaName(serverHostname, "serverHostname");
    if (context.protocol === (serverSide ? PROTOCOL_TLS_CLIENT : PROTOCOL_TLS_SERVER)) {
      throw plainSslError(
        serverSide
          ? "Cannot create a server socket with a PROTOCOL_TLS_CLIENT context"
          : "Cannot create a client socket with a PROTOCOL_TLS_SERVER context",
      );
    }
    if (name !== null && (name === "" || name.startsWith("."))) {
      throw new RangeError("serverHostname cannot be an empty string or start with a leading dot.");
    }
    if (!serverSide && context.checkHostname && !name) {
      throw new RangeError("checkHostname requires serverHostname");
    }
    const { ssl } = openSsl();
    const s = ssl.SSL_new(context.pointer());
    if (s === 0n) throw raiseFromQueue("SSL_new");
    this.#ssl = s;
    own(this, s, freeConnection);
    ssl.SSL_set_bio(s, incoming.pointer(), outgoing.pointer()); // the SSL frees them from now on
    incoming.handOver();
    outgoing.handOver();
    this.#incoming = incoming;
    this.#outgoing = outgoing;
    this.#context = context;
    this.serverSide = serverSide;
    this.serverHostname = name;
    this.#suppressRaggedEofs = suppressRaggedEofs;
    if (serverSide) ssl.SSL_set_accept_state(s);
    else {
      ssl.SSL_set_connect_state(s);
      if (name) this.#setServerName(s, name, context.checkHostname);
    }
    if (context.postHandshakeAuth === true) {
      // As CPython: a client offers it; a server that verifies clients asks after the handshake, not in it.
      if (!serverSide) ssl.SSL_set_post_handshake_auth(s, 1);
      else {
        const mode = ssl.SSL_get_verify_mode(s);
        if (mode & SSL_VERIFY_PEER) ssl.SSL_set_verify(s, mode | SSL_VERIFY_POST_HANDSHAKE, 0n);
      }
    }
    if (session !== null) {
      try {
        this.session = session as SSLSession;
      } catch (e) {
        this.close();
        throw e;
      }
    }
  }

  /**
   * The TLS session, to resume on a later connection (`wrapSocket(sock,
   * { session })`), or null before there is one. With TLS 1.3 the server's
   * ticket arrives after the handshake: read once first. Set it (a client,
   * before the handshake, a session of the same context) to resume one.
   */
  get session(): SSLSession | null {
    const p = openSsl().ssl.SSL_get1_session(this.#open());
    return p === 0n ? null : new SSLSession(p, this.#context);
  }

  set session(session: SSLSession) {
    if (!(session instanceof SSLSession)) throw new TypeError(`Value is not an SSLSession: ${show(session)}`);
    if (session.context !== this.#context) throw new RangeError("Session refers to a different SSLContext.");
    if (this.serverSide) throw new RangeError("Cannot set session for server-side SSLSocket.");
    const { ssl } = openSsl();
    const s = this.#open();
    if (ssl.SSL_is_init_finished(s) === 1) throw new RangeError("Cannot set session after handshake.");
    if (ssl.SSL_set_session(s, session.pointer()) !== 1) throw raiseFromQueue("SSL_set_session");
  }

  /** Whether the handshake resumed a session instead of making a new one. */
  get sessionReused(): boolean {
    return openSsl().ssl.SSL_session_reused(this.#open()) === 1;
  }

  /** The context: the one it was made from, or the one an `sniCallback` switched it to. */
  get context(): SSLContextLike {
    return this.#context;
  }

  /**
   * Switches the connection to another context (its certificate and key), as
   * an `sniCallback` does for the name a client asked for; Python's
   * `SSLSocket.context` setter.
   */
  set context(context: SSLContextLike) {
    if (typeof context !== "object" || context === null || typeof context.pointer !== "function") {
      throw new TypeError(`The value must be an SSLContext, got ${show(context)}`);
    }
    if (openSsl().ssl.SSL_set_SSL_CTX(this.#open(), context.pointer()) === 0n) {
      throw raiseFromQueue("SSL_set_SSL_CTX");
    }
    this.#context = context;
  }

  #setServerName(s: bigint, name: string, check: boolean): void {
    const { ssl, crypto } = openSsl();
    const host = name.startsWith("[") && name.endsWith("]") ? name.slice(1, -1) : name;
    // Only digits, hex letters, dots and colons (and an IPv6 scope after `%`) can be an address.
    const isIp = MAYBE_IP.test(host) &&
      (parseIPv4(host, true) !== null || parseIPv6(host.split("%")[0]!, true) !== null);
    const text = toCString(host, "serverHostname");
    // SNI carries names only (RFC 6066), never an address.
    if (!isIp && Number(ssl.SSL_ctrl(s, SSL_CTRL_SET_TLSEXT_HOSTNAME, 0, text)) !== 1) {
      throw raiseFromQueue("set_tlsext_host_name");
    }
    if (!check) return;
    const ok = isIp
      ? crypto.X509_VERIFY_PARAM_set1_ip_asc(ssl.SSL_get0_param(s), text)
      : ssl.SSL_set1_host(s, text);
    if (ok !== 1) throw raiseFromQueue("set1_host");
  }

  #open(): bigint {
    if (this.#ssl === 0n) throw new RangeError("The SSL object is closed");
    return this.#ssl;
  }

  /**
   * Runs one OpenSSL call with a clean error queue, and turns a failure into
   * the error Python raises for it.
   */
  #call(op: (s: bigint) => number, what: string): number {
    const s = this.#open();
    // The queue is empty here: every failure below (and every failed OpenSSL
    // call elsewhere in this module) takes or clears what it left, so a
    // success costs no ERR_clear_error call and no error is ever stale.
    const r = op(s);
    return r > 0 ? r : this.#fail(s, r, what);
  }

  /**
   * The error Python raises for an OpenSSL call on `s` that returned `r`
   * (<= 0); when a handshake callback threw, its exception is the `cause`.
   */
  #fail(s: bigint, r: number, what: string): never {
    try {
      this.#raise(s, r, what);
    } catch (e) {
      const cause = this.callbackError;
      if (cause !== undefined && !(e instanceof SSLWantReadError || e instanceof SSLWantWriteError)) {
        this.callbackError = undefined;
        (e as Error).cause = cause;
      }
      throw e;
    }
  }

  #raise(s: bigint, r: number, what: string): never {
    const { ssl, crypto } = openSsl();
    const code = ssl.SSL_get_error(s, r);
    if (code === SSL_ERROR_WANT_READ || code === SSL_ERROR_WANT_WRITE || code === SSL_ERROR_ZERO_RETURN) {
      crypto.ERR_clear_error();
    }
    switch (code) {
      case SSL_ERROR_WANT_READ:
        throw wantRead();
      case SSL_ERROR_WANT_WRITE:
        throw wantWrite();
      case SSL_ERROR_ZERO_RETURN:
        throw sslError(SSLZeroReturnError, code, "TLS/SSL connection has been closed (EOF)");
      case SSL_ERROR_SYSCALL: {
        const entry = takeError();
        if (entry) throw sslError(SSLSyscallError, code, entry.text, entry);
        throw sslError(SSLEOFError, SSL_ERROR_EOF, "EOF occurred in violation of protocol");
      }
      default: {
        const entry = takeError();
        if (entry?.reasonCode === R_CERTIFICATE_VERIFY_FAILED && entry.library === "SSL") {
          const verifyCode = Number(ssl.SSL_get_verify_result(s));
          // CPython words the two name checks itself, naming the name it checked.
          const verifyMessage = verifyCode === X509_V_ERR_HOSTNAME_MISMATCH
            ? `Hostname mismatch, certificate is not valid for '${this.serverHostname}'.`
            : verifyCode === X509_V_ERR_IP_ADDRESS_MISMATCH
            ? `IP address mismatch, certificate is not valid for '${this.serverHostname}'.`
            : cText(crypto.X509_verify_cert_error_string(verifyCode));
          const e = sslError(SSLCertVerificationError, 1, `certificate verify failed: ${verifyMessage}`, {
            ...entry,
            library: "SSL",
          }) as SSLCertVerificationError;
          e.verifyCode = verifyCode;
          e.verifyMessage = verifyMessage;
          throw e;
        }
        if (entry?.reasonCode === R_UNEXPECTED_EOF) {
          throw sslError(SSLEOFError, SSL_ERROR_EOF, `EOF occurred in violation of protocol`, {
            ...entry,
            library: "SSL",
          });
        }
        if (entry) throw sslError(SSLError, code, entry.text, entry);
        throw sslError(SSLError, code, `${what} failed`);
      }
    }
  }

  /**
   * Runs the handshake (or the next step of it).
   *
   * @throws {SSLWantReadError} When it needs the peer's bytes.
   * @throws {SSLCertVerificationError} When the peer's certificate does not verify.
   */
  doHandshake(): void {
    const s = this.#open();
    const { ssl, crypto } = openSsl();
    const outer = enter(s, this);
    let r: number;
    try {
      r = ssl.SSL_do_handshake(s);
    } finally {
      leave(s, outer);
    }
    if (r <= 0) {
      // Waiting for the peer is most steps' answer: thrown without a second look at the error queue.
      if (ssl.SSL_get_error(s, r) !== SSL_ERROR_WANT_READ) this.#fail(s, r, "do_handshake");
      crypto.ERR_clear_error();
      throw wantRead();
    }
    if (!this.#settledKnown) this.#settle(s);
    if (this.callbackError !== undefined) this.#raiseCallbackError();
  }

  /** A callback that cannot fail the handshake (the key log) failed during it: its error, now. */
  #raiseCallbackError(): never {
    const e = this.callbackError;
    this.callbackError = undefined;
    throw e;
  }

  /**
   * `SSL_read`, `SSL_write` or `SSL_peek` on `s` while the callbacks can find
   * this connection (a ClientHello may come: see `_ssl_callbacks.ts`).
   */
  #calling(
    call: (s: bigint, buf: ArrayBufferView, len: number) => number,
    s: bigint,
    buf: ArrayBufferView,
    len: number,
  ): number {
    const outer = enter(s, this);
    try {
      return call(s, buf, len);
    } finally {
      leave(s, outer);
    }
  }

  /** Decides `#settled` once the handshake is done (see there). */
  #settle(s: bigint): void {
    const { ssl } = openSsl();
    if (ssl.SSL_is_init_finished(s) !== 1) return;
    this.#settledKnown = true;
    this.#settled = ssl.SSL_version(s) === TLS1_3_VERSION;
  }

  /**
   * Reads decrypted bytes.
   *
   * @param n The most bytes.
   * @returns The bytes; empty at the end of the stream.
   * @throws {SSLWantReadError} When no whole record is there yet.
   */
  read(n = 16384): Uint8Array<ArrayBuffer> {
    const len = Math.min(checkSize(n, "n"), MAX_CHUNK);
    if (len === 0) return new Uint8Array(0);
    const buf = new Uint8Array(len);
    const got = this.#readInto(buf, len);
    return got === len ? buf : buf.slice(0, got);
  }

  /**
   * Reads decrypted bytes into a buffer you own.
   *
   * @param buffer Where they go.
   * @param nbytes The most (0, a negative number or more than it holds: the buffer's length, as Python's).
   * @returns How many; 0 at the end of the stream.
   */
  readInto(buffer: ArrayBufferView | ArrayBuffer, nbytes = 0): number {
    const view = bytesOf(buffer, "buffer");
    const len = readLength(view, nbytes);
    if (len === 0) return 0;
    return this.#readInto(view, len); // into the caller's memory, by the engine's own measure
  }

  #readInto(buf: ArrayBufferView, len: number): number {
    const r = this.#tryReadInto(buf, len);
    if (r !== WANT_READ) return r;
    // What #raise makes of SSL_ERROR_WANT_READ, without asking OpenSSL again (the queue is clear).
    throw wantRead();
  }

  /**
   * SSL_read into `buf`: how many bytes, 0 at the end of the stream, or
   * `WANT_READ` when OpenSSL needs the peer's bytes first, with no exception
   * made for it (an error object and its stack cost microseconds: SSLSocket
   * meets this case on most reads). Other failures throw.
   */
  #tryReadInto(buf: ArrayBufferView, len: number): number {
    const s = this.#open();
    const { ssl } = openSsl();
    const r = this.#settled ? ssl.SSL_read_settled(s, buf, len) : this.#calling(ssl.SSL_read, s, buf, len);
    if (r > 0) {
      if (!this.#settledKnown) this.#settle(s);
      return r;
    }
    if (ssl.SSL_get_error(s, r) === SSL_ERROR_WANT_READ) {
      openSsl().crypto.ERR_clear_error();
      return WANT_READ;
    }
    try {
      return this.#fail(s, r, "read");
    } catch (e) {
      if (e instanceof SSLZeroReturnError) return 0; // close_notify: the end of the stream
      if (e instanceof SSLEOFError && this.#suppressRaggedEofs) return 0;
      throw e;
    }
  }

  static {
    tryReadInto = (tls, buf, len) => tls.#tryReadInto(buf, len);
  }

  /**
   * Encrypts bytes for the peer (into `outgoing`).
   *
   * @param data The bytes.
   * @returns How many were taken (all, with memory BIOs).
   */
  write(data: ArrayBufferView | ArrayBuffer): number {
    const view = bytesOf(data, "data"); // the engine's own view and length go to C (ffi/bytes.ts)
    const n = byteLength(view, "data");
    let at = 0;
    while (at < n) {
      const chunk = Math.min(n - at, MAX_CHUNK);
      const part = at === 0 && chunk === n ? view : byteRange(view, at, at + chunk);
      const s = this.#open();
      const { ssl } = openSsl();
      const r = this.#settled
        ? ssl.SSL_write_settled(s, part, chunk)
        : this.#calling(ssl.SSL_write, s, part, chunk);
      at += r > 0 ? r : this.#fail(s, r, "write");
    }
    if (!this.#settledKnown) this.#settle(this.#open());
    return n;
  }

  /** Decrypted bytes ready to read without more input. */
  pending(): number {
    return openSsl().ssl.SSL_pending(this.#open());
  }

  /**
   * Like `pending()`, but first decrypts the next record when a whole one
   * waits in `incoming` (SSL_peek; nothing is consumed): what an SSLSocket
   * has read from its fd must count, or a select loop would wait on an fd
   * that has nothing more to say. Not Python's `SSLObject.pending()`, whose
   * caller fills `incoming` itself. A failure to decrypt reads as 1: the
   * next read meets the error, or the end of the stream.
   */
  pendingAfterPeek(): number {
    const s = this.#open();
    const { ssl, crypto } = openSsl();
    const ready = ssl.SSL_pending(s);
    if (ready > 0 || this.#incoming.pending === 0 || ssl.SSL_is_init_finished(s) !== 1) return ready;
    const r = this.#calling(ssl.SSL_peek, s, this.#peekByte, 1);
    if (r > 0) return ssl.SSL_pending(s);
    const code = ssl.SSL_get_error(s, r);
    crypto.ERR_clear_error();
    return code === SSL_ERROR_WANT_READ ? 0 : 1;
  }

  /**
   * Sends close_notify; done when the peer's came back (call again on SSLWantReadError).
   */
  unwrap(): void {
    const s = this.#open();
    openSsl().crypto.ERR_clear_error();
    const r = openSsl().ssl.SSL_shutdown(s);
    if (r === 1) return;
    if (r === 0) {
      // Ours sent; the peer's not here yet.
      if (openSsl().ssl.SSL_shutdown(s) === 1) return;
      throw wantRead();
    }
    this.#call(() => r, "shutdown");
  }

  /** The negotiated version, such as `"TLSv1.3"`, or null before the handshake. */
  version(): string | null {
    const { ssl } = openSsl();
    const s = this.#open();
    if (ssl.SSL_is_init_finished(s) !== 1) return null; // as Python: not before the handshake is done
    const v = cText(ssl.SSL_get_version(s));
    return v === "" || v === "unknown" ? null : v;
  }

  /** `[name, version, secret bits]` of the cipher in use, or null before the handshake. */
  cipher(): CipherTuple | null {
    const c = openSsl().ssl.SSL_get_current_cipher(this.#open());
    return c === 0n ? null : cipherTuple(c);
  }

  /**
   * The cipher suites both ends can use, as `cipher()` tuples in the
   * server's order: on a server after the client's hello, null elsewhere
   * (a client, or before the hello), as Python's `shared_ciphers()`.
   *
   * @returns The shared suites, or null.
   * @example
   * ```ts ignore
   * console.log(tls.sharedCiphers()?.map(([name]) => name));
   * ```
   */
  sharedCiphers(): CipherTuple[] | null {
    const { ssl, crypto } = openSsl();
    const s = this.#open();
    const offered = ssl.SSL_get_client_ciphers(s);
    const ours = ssl.SSL_get_ciphers(s);
    if (offered === 0n || ours === 0n) return null;
    return stackItems(ours).filter((c) => crypto.OPENSSL_sk_find(offered, c) >= 0).map(cipherTuple);
  }

  /**
   * Asks the client for its certificate now, after a TLS 1.3 handshake
   * (Python's `verify_client_post_handshake()`): the request goes out with
   * the next write, and the certificate is checked when its answer is read.
   * A server whose context has `postHandshakeAuth` and verifies clients.
   *
   * @throws {SSLError} When it cannot be asked (`EXTENSION_NOT_RECEIVED`: the client did not offer it; TLS 1.2).
   * @example
   * ```ts ignore
   * tls.verifyClientPostHandshake();
   * tls.write(bytes); // carries the request
   * ```
   */
  verifyClientPostHandshake(): void {
    const s = this.#open();
    if (openSsl().ssl.SSL_verify_client_post_handshake(s) !== 1) {
      throw raiseFromQueue("verify_client_post_handshake");
    }
  }

  /**
   * The channel binding of this connection (RFC 5929), Python's
   * `get_channel_binding()`: for `"tls-unique"` (the only type, as in
   * Python), the first Finished message of the handshake, or null before
   * there is one. SCRAM-SHA-*-PLUS (PostgreSQL, XMPP, IMAP) binds to it; it
   * is defined for TLS 1.2 (TLS 1.3 has no tls-unique).
   *
   * @param cbType `"tls-unique"`.
   * @returns The binding's bytes, or null.
   * @throws {RangeError} For another type (Python's ValueError).
   * @example
   * ```ts ignore
   * const binding = tls.getChannelBinding(); // 12 bytes under TLS 1.2
   * ```
   */
  getChannelBinding(cbType: string = "tls-unique"): Uint8Array<ArrayBuffer> | null {
    if (cbType !== "tls-unique") throw new RangeError(`Unsupported channel binding type: ${show(cbType)}`);
    const { ssl } = openSsl();
    const s = this.#open();
    const buf = new Uint8Array(FINISHED_MAX);
    // The first Finished sent: the client's on a new session, the server's on a resumed one (CPython's rule).
    const ours = (ssl.SSL_session_reused(s) === 1) !== !this.serverSide;
    const len = Number(
      ours ? ssl.SSL_get_finished(s, buf, FINISHED_MAX) : ssl.SSL_get_peer_finished(s, buf, FINISHED_MAX),
    );
    return len === 0 ? null : buf.slice(0, Math.min(len, FINISHED_MAX));
  }

  /** The ALPN protocol the server chose, or null. */
  selectedAlpnProtocol(): string | null {
    const data = new BigUint64Array(1), len = new Uint32Array(1);
    openSsl().ssl.SSL_get0_alpn_selected(this.#open(), data, len);
    if (data[0] === 0n || len[0] === 0) return null;
    return new TextDecoder().decode(adapter().readMemory(data[0]!, Math.min(len[0]!, 255)));
  }

  /**
   * The peer's certificate as Python's `getpeercert()` describes it
   * (subject, issuer, version, serialNumber, notBefore, notAfter,
   * subjectAltName), or with `true` its DER bytes. Null when the peer sent
   * none, and (the description) when the context does not verify
   * certificates (Python: an empty dict, which is falsy there).
   *
   * @param binaryForm `true` for the DER bytes.
   * @returns The description or the bytes, or null.
   * @throws {RangeError} Before the handshake is done (Python's ValueError).
   * @example
   * ```ts ignore
   * const cert = tls.getpeercert();
   * console.log(cert?.notAfter, cert?.subjectAltName);
   * ```
   */
  getpeercert(binaryForm?: false): PeerCertificate | null;
  /** The peer's certificate in DER bytes, or null (see the first signature). */
  getpeercert(binaryForm: true): Uint8Array<ArrayBuffer> | null;
  getpeercert(binaryForm = false): PeerCertificate | Uint8Array<ArrayBuffer> | null {
    checkFlag(binaryForm, "binaryForm");
    const { ssl, crypto } = openSsl();
    const s = this.#open();
    if (ssl.SSL_is_init_finished(s) !== 1) throw new RangeError("handshake not done yet"); // Python's ValueError
    const x = ssl.SSL_get1_peer_certificate(s);
    if (x === 0n) return null;
    try {
      if (!binaryForm) return this.context.verifyMode === CERT_NONE ? null : describeCertificate(x);
      return derOf(x);
    } finally {
      crypto.X509_free(x);
    }
  }

  /** Frees the connection (and its BIOs). Idempotent. */
  close(): void {
    const s = this.#ssl;
    if (s === 0n) return;
    this.#ssl = 0n;
    disown(this);
    freeConnection(s); // and its two BIOs
    this.#incoming.released();
    this.#outgoing.released();
  }

  /** Closes it at the end of a `using` scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal The incoming BIO. */
  get incoming(): MemoryBIO {
    return this.#incoming;
  }

  /** @internal The outgoing BIO. */
  get outgoing(): MemoryBIO {
    return this.#outgoing;
  }
}
