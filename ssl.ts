/**
 * Python's `ssl` module on this package's sockets: TLS through the system's
 * OpenSSL 3 (`libssl`), driven by the selector like any socket. Loaded on
 * first use: a program that never makes a context needs no OpenSSL.
 *
 * Every connection runs OpenSSL over two memory BIOs (Python's `SSLObject`):
 * an {@linkcode SSLSocket} moves their bytes through its socket with the
 * socket's own blocking, timeout or non-blocking rules, so a non-blocking
 * one raises {@linkcode SSLWantReadError}/{@linkcode SSLWantWriteError} and a
 * selector loop drives it, as in Python.
 *
 * This first part has contexts (verification, certificates, versions,
 * ciphers, ALPN offered by a client), `wrapSocket` and `wrapBio`,
 * `getpeercert()` in both forms, and the error classes; `sniCallback` and
 * ALPN selection by a server are not here yet.
 *
 * @example An HTTPS request
 * ```ts ignore
 * import { socket, ssl } from "./mod.ts";
 * const ctx = ssl.createDefaultContext();
 * using sock = ctx.wrapSocket(socket.createConnection(["example.com", 443]), { serverHostname: "example.com" });
 * sock.sendall(new TextEncoder().encode("GET / HTTP/1.0\r\nHost: example.com\r\n\r\n"));
 * console.log(new TextDecoder().decode(sock.recv(4096)));
 * ```
 *
 * @module
 */
import { byteLength, byteRange, bytesOf } from "./ffi/bytes.ts";
import { cText, openSsl, type OpenSslError, takeError } from "./ffi/openssl.ts";
import { adapter } from "./ffi/mod.ts";
import { checkInt, checkSize, show, toCString } from "./_validate.ts";
import { parseIPv4, parseIPv6 } from "./_address.ts";
import { BlockingIOError, OSError } from "./errors.ts";
import type { Socket } from "./_socket_object.ts";
import { disown, own } from "./_ssl_owned.ts";
import { describeCertificate, type NameAttribute, type PeerCertificate } from "./_ssl_cert.ts";

export type { NameAttribute, PeerCertificate };

/** A client context: verifies the server's certificate and name by default. */
export const PROTOCOL_TLS_CLIENT = 16;
/** A server context. */
export const PROTOCOL_TLS_SERVER = 17;
/** No certificate is asked for or checked. */
export const CERT_NONE = 0;
/** A certificate is checked if the peer sends one. */
export const CERT_OPTIONAL = 1;
/** A certificate must be sent and valid. */
export const CERT_REQUIRED = 2;
/** SNI is there: a client sends `serverHostname` (Python's `OPENSSL_VERSION` is {@linkcode opensslVersion}). */
export const HAS_SNI = true;
/** ALPN is there (offered by a client here; selected by a server in a later part). */
export const HAS_ALPN = true;
/** TLS 1.3 is there (OpenSSL 3). */
// deno-lint-ignore camelcase -- Python's name
export const HAS_TLSv1_3 = true;
/** Do not compress (set by default, as in Python). */
export const OP_NO_COMPRESSION = 1 << 17;
/** Refuse TLS 1.3. */
// deno-lint-ignore camelcase -- Python's name
export const OP_NO_TLSv1_3 = 1 << 29;
/** Refuse TLS 1.2. */
// deno-lint-ignore camelcase -- Python's name
export const OP_NO_TLSv1_2 = 1 << 27;
/** Take a peer's EOF without close_notify as the end of the stream. */
export const OP_IGNORE_UNEXPECTED_EOF = 1 << 7;

/** TLS versions, as Python's `ssl.TLSVersion` (the wire numbers). */
export const TLSVersion: Readonly<{
  MINIMUM_SUPPORTED: -2;
  MAXIMUM_SUPPORTED: -1;
  TLSv1: 0x0301;
  TLSv1_1: 0x0302;
  TLSv1_2: 0x0303;
  TLSv1_3: 0x0304;
}> = Object.freeze({
  MINIMUM_SUPPORTED: -2,
  MAXIMUM_SUPPORTED: -1,
  TLSv1: 0x0301,
  TLSv1_1: 0x0302,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
});

/** What a default context is for, as Python's `ssl.Purpose`. */
export const Purpose: Readonly<{ SERVER_AUTH: "SERVER_AUTH"; CLIENT_AUTH: "CLIENT_AUTH" }> = Object.freeze(
  { SERVER_AUTH: "SERVER_AUTH", CLIENT_AUTH: "CLIENT_AUTH" } as const,
);

// OpenSSL 3.0's numbers (ssl.h, bio.h).
const SSL_ERROR_SSL = 1, SSL_ERROR_WANT_READ = 2, SSL_ERROR_WANT_WRITE = 3, SSL_ERROR_SYSCALL = 5;
const SSL_ERROR_ZERO_RETURN = 6;
const SSL_VERIFY_PEER = 1, SSL_VERIFY_FAIL_IF_NO_PEER_CERT = 2;
const SSL_CTRL_MODE = 33, SSL_CTRL_SET_TLSEXT_HOSTNAME = 55;
const SSL_CTRL_SET_MIN_PROTO_VERSION = 123, SSL_CTRL_SET_MAX_PROTO_VERSION = 124;
const SSL_CTRL_GET_MIN_PROTO_VERSION = 130, SSL_CTRL_GET_MAX_PROTO_VERSION = 131;
const SSL_MODE_ENABLE_PARTIAL_WRITE = 1, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = 2;
const SSL_FILETYPE_PEM = 1;
const BIO_C_SET_BUF_MEM_EOF_RETURN = 130;
/** SSL_R_CERTIFICATE_VERIFY_FAILED and SSL_R_UNEXPECTED_EOF_WHILE_READING (OpenSSL 3.0). */
const R_CERTIFICATE_VERIFY_FAILED = 134, R_UNEXPECTED_EOF = 294;
/** The most bytes one SSL_read/SSL_write/BIO call takes (an `int`). */
const MAX_CHUNK = 1 << 30;

/**
 * A TLS failure, Python's `ssl.SSLError` (an {@linkcode OSError}): `errno`
 * is the `SSL_ERROR_*` number, `library` and `reason` OpenSSL's names for
 * the error (`"SSL"`, `"CERTIFICATE_VERIFY_FAILED"`), and the message reads
 * as Python's (`[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed`).
 */
export class SSLError extends OSError {
  /** OpenSSL's library name, such as `"SSL"`. */
  library = "";
  /** OpenSSL's reason, such as `"WRONG_VERSION_NUMBER"`. */
  reason = "";
}
/** The peer closed the TLS connection cleanly (close_notify). */
export class SSLZeroReturnError extends SSLError {}
/** More bytes from the peer are needed: wait until the socket is readable, then call again. */
export class SSLWantReadError extends SSLError {}
/** Bytes for the peer are waiting: wait until the socket is writable, then call again. */
export class SSLWantWriteError extends SSLError {}
/** A system-level failure under TLS. */
export class SSLSyscallError extends SSLError {}
/** The connection ended without close_notify (a truncated stream). */
export class SSLEOFError extends SSLError {}
/** The peer's certificate did not verify: `verifyCode` and `verifyMessage` say why. */
export class SSLCertVerificationError extends SSLError {
  /** OpenSSL's `X509_V_ERR_*` number. */
  verifyCode = 0;
  /** Its text, such as `"Hostname mismatch"`. */
  verifyMessage = "";
}

type SSLErrorClass = new (
  errno: number,
  syscall: string,
  options: { description: string; plain: boolean },
) => SSLError;

function sslError(cls: SSLErrorClass, errno: number, text: string, entry?: OpenSslError | null): SSLError {
  const library = entry?.library || "SSL";
  const reason = entry?.reason || "";
  const description = entry ? `[${library}: ${reason}] ${text}` : text;
  const e = new cls(errno, "SSL", { description, plain: true });
  e.library = library;
  e.reason = reason;
  return e;
}

/** The library's version text, as Python's `ssl.OPENSSL_VERSION` (loads OpenSSL). */
export function opensslVersion(): string {
  return cText(openSsl().crypto.OpenSSL_version(0));
}

function checkFlag(value: unknown, what: string): boolean {
  if (typeof value !== "boolean") {
    throw new TypeError(`Invalid ${what}: expected a boolean, got ${show(value)}`);
  }
  return value;
}

/**
 * A TLS configuration, Python's `ssl.SSLContext`: what to verify and how,
 * the certificates, versions and ciphers; it makes connections with
 * {@linkcode SSLContext.wrapSocket} and {@linkcode SSLContext.wrapBio}.
 *
 * @example A server
 * ```ts ignore
 * const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
 * ctx.loadCertChain("cert.pem", "key.pem");
 * const [conn] = server.accept();
 * using tls = ctx.wrapSocket(conn, { serverSide: true });
 * ```
 */
export class SSLContext implements Disposable {
  #ctx: bigint;
  #checkHostname: boolean;
  /** `PROTOCOL_TLS_CLIENT` or `PROTOCOL_TLS_SERVER`. */
  readonly protocol: number;

  /**
   * Makes a context.
   *
   * @param protocol `PROTOCOL_TLS_CLIENT` (verifies the server: `CERT_REQUIRED`,
   *   `checkHostname`) or `PROTOCOL_TLS_SERVER` (`CERT_NONE`).
   * @throws {Error} When OpenSSL 3 cannot be loaded (the message says what to install).
   */
  constructor(protocol: number) {
    if (protocol !== PROTOCOL_TLS_CLIENT && protocol !== PROTOCOL_TLS_SERVER) {
      throw new RangeError(`Invalid protocol: ${show(protocol)}: PROTOCOL_TLS_CLIENT or PROTOCOL_TLS_SERVER`);
    }
    const { ssl } = openSsl();
    const client = protocol === PROTOCOL_TLS_CLIENT;
    const ctx = ssl.SSL_CTX_new(client ? ssl.TLS_client_method() : ssl.TLS_server_method());
    if (ctx === 0n) throw raiseFromQueue("SSL_CTX_new");
    this.#ctx = ctx;
    this.protocol = protocol;
    this.#checkHostname = client;
    own(this, ctx, (p) => openSsl().ssl.SSL_CTX_free(p));
    ssl.SSL_CTX_set_options(ctx, OP_NO_COMPRESSION);
    ssl.SSL_CTX_ctrl(
      ctx,
      SSL_CTRL_MODE,
      SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER,
      0n,
    );
    // Python 3.10 and later: TLS 1.2 at least.
    ssl.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLSVersion.TLSv1_2, 0n);
    this.verifyMode = client ? CERT_REQUIRED : CERT_NONE;
  }

  #open(): bigint {
    if (this.#ctx === 0n) throw new RangeError("The SSLContext is closed");
    return this.#ctx;
  }

  /** `CERT_NONE`, `CERT_OPTIONAL` or `CERT_REQUIRED`. */
  get verifyMode(): number {
    const mode = openSsl().ssl.SSL_CTX_get_verify_mode(this.#open());
    return mode & SSL_VERIFY_FAIL_IF_NO_PEER_CERT
      ? CERT_REQUIRED
      : mode & SSL_VERIFY_PEER
      ? CERT_OPTIONAL
      : CERT_NONE;
  }

  set verifyMode(mode: number) {
    if (mode !== CERT_NONE && mode !== CERT_OPTIONAL && mode !== CERT_REQUIRED) {
      throw new RangeError(`Invalid verifyMode: ${show(mode)}: CERT_NONE, CERT_OPTIONAL or CERT_REQUIRED`);
    }
    if (mode === CERT_NONE && this.#checkHostname) {
      throw new RangeError("Cannot set verifyMode to CERT_NONE when checkHostname is enabled");
    }
    const bits = mode === CERT_NONE
      ? 0
      : mode === CERT_OPTIONAL
      ? SSL_VERIFY_PEER
      : SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    openSsl().ssl.SSL_CTX_set_verify(this.#open(), bits, 0n);
  }

  /** Whether the server's name is checked against its certificate (clients; needs verification on). */
  get checkHostname(): boolean {
    return this.#checkHostname;
  }

  set checkHostname(on: boolean) {
    checkFlag(on, "checkHostname");
    if (on && this.verifyMode === CERT_NONE) this.verifyMode = CERT_REQUIRED; // Python does the same
    this.#checkHostname = on;
  }

  /** The lowest TLS version accepted (`TLSVersion`). */
  get minimumVersion(): number {
    const v = Number(openSsl().ssl.SSL_CTX_ctrl(this.#open(), SSL_CTRL_GET_MIN_PROTO_VERSION, 0, 0n));
    return v === 0 ? TLSVersion.MINIMUM_SUPPORTED : v;
  }

  set minimumVersion(version: number) {
    this.#setVersion(SSL_CTRL_SET_MIN_PROTO_VERSION, version, "minimumVersion");
  }

  /** The highest TLS version accepted (`TLSVersion`). */
  get maximumVersion(): number {
    const v = Number(openSsl().ssl.SSL_CTX_ctrl(this.#open(), SSL_CTRL_GET_MAX_PROTO_VERSION, 0, 0n));
    return v === 0 ? TLSVersion.MAXIMUM_SUPPORTED : v;
  }

  set maximumVersion(version: number) {
    this.#setVersion(SSL_CTRL_SET_MAX_PROTO_VERSION, version, "maximumVersion");
  }

  #setVersion(cmd: number, version: number, what: string): void {
    const known = Object.values(TLSVersion) as number[];
    if (typeof version !== "number" || !known.includes(version)) {
      throw new RangeError(`Invalid ${what}: ${show(version)}: a TLSVersion`);
    }
    const v = version < 0 ? 0 : version; // 0: the library's own bound
    if (Number(openSsl().ssl.SSL_CTX_ctrl(this.#open(), cmd, v, 0n)) !== 1) throw raiseFromQueue(what);
  }

  /** The `OP_*` bits set (`options |= ssl.OP_NO_TLSv1_3`). */
  get options(): number {
    return Number(openSsl().ssl.SSL_CTX_get_options(this.#open()));
  }

  set options(bits: number) {
    if (typeof bits !== "number" || !Number.isSafeInteger(bits) || bits < 0) {
      throw new RangeError(`Invalid options: ${show(bits)}`);
    }
    const ctx = this.#open(), now = this.options;
    const { ssl } = openSsl();
    const clear = now & ~bits, set = bits & ~now;
    if (clear) ssl.SSL_CTX_clear_options(ctx, clear);
    if (set) ssl.SSL_CTX_set_options(ctx, set);
  }

  /**
   * Trusts the CA certificates in a file, a directory (hashed names) or PEM text.
   *
   * @param cafile A PEM file of CA certificates.
   * @param capath A directory of them (`c_rehash` names).
   * @throws {SSLError} When OpenSSL cannot read them (a missing file: FileNotFoundError's text).
   */
  loadVerifyLocations(cafile?: string | null, capath?: string | null): void {
    if ((cafile ?? null) === null && (capath ?? null) === null) {
      throw new TypeError("cafile and capath cannot be both omitted");
    }
    const f = cafile == null ? null : toCString(cafile, "cafile");
    const p = capath == null ? null : toCString(capath, "capath");
    openSsl().crypto.ERR_clear_error();
    if (openSsl().ssl.SSL_CTX_load_verify_locations(this.#open(), f, p) !== 1) {
      throw raiseFromQueue("load_verify_locations");
    }
  }

  /** Trusts the system's CA certificates (OpenSSL's default paths, `SSL_CERT_FILE`, `SSL_CERT_DIR`). */
  loadDefaultCerts(): void {
    this.setDefaultVerifyPaths();
  }

  /** Python's name for {@linkcode SSLContext.loadDefaultCerts}'s work: OpenSSL's default verify paths. */
  setDefaultVerifyPaths(): void {
    openSsl().crypto.ERR_clear_error();
    if (openSsl().ssl.SSL_CTX_set_default_verify_paths(this.#open()) !== 1) {
      throw raiseFromQueue("set_default_verify_paths");
    }
  }

  /**
   * This side's certificate chain and private key (PEM files).
   *
   * @param certfile The certificate, then its chain.
   * @param keyfile The private key (default: in `certfile`).
   * @param password The key's password, when it is encrypted.
   * @throws {SSLError} When they cannot be read or do not match.
   */
  loadCertChain(certfile: string, keyfile?: string | null, password?: string | null): void {
    const ctx = this.#open();
    const { ssl, crypto } = openSsl();
    const cert = toCString(certfile, "certfile");
    const key = keyfile == null ? cert : toCString(keyfile, "keyfile");
    // OpenSSL's own password callback reads the userdata as the password.
    const secret = password == null ? null : toCString(password, "password");
    crypto.ERR_clear_error();
    ssl.SSL_CTX_set_default_passwd_cb_userdata(ctx, secret);
    try {
      if (ssl.SSL_CTX_use_certificate_chain_file(ctx, cert) !== 1) {
        throw raiseFromQueue("use_certificate_chain_file");
      }
      if (ssl.SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) !== 1) {
        throw raiseFromQueue("use_PrivateKey_file");
      }
      if (ssl.SSL_CTX_check_private_key(ctx) !== 1) throw raiseFromQueue("check_private_key");
    } finally {
      ssl.SSL_CTX_set_default_passwd_cb_userdata(ctx, null);
      secret?.fill(0);
    }
  }

  /**
   * The TLS 1.2 cipher list (OpenSSL's syntax, such as `"ECDHE+AESGCM"`).
   *
   * @param ciphers The list.
   * @throws {SSLError} When no cipher matches ("No cipher can be selected").
   */
  setCiphers(ciphers: string): void {
    openSsl().crypto.ERR_clear_error();
    if (openSsl().ssl.SSL_CTX_set_cipher_list(this.#open(), toCString(ciphers, "ciphers")) !== 1) {
      throw raiseFromQueue("set_cipher_list");
    }
  }

  /**
   * The ALPN protocols a client offers, in order (`["h2", "http/1.1"]`).
   *
   * @param protocols Their names (1 to 255 bytes each).
   */
  setAlpnProtocols(protocols: readonly string[]): void {
    if (!Array.isArray(protocols)) {
      throw new TypeError(`Invalid protocols: expected an array, got ${show(protocols)}`);
    }
    const parts: number[] = [];
    for (const p of protocols) {
      if (typeof p !== "string") throw new TypeError(`Invalid protocol: expected a string, got ${show(p)}`);
      const bytes = new TextEncoder().encode(p);
      if (bytes.length < 1 || bytes.length > 255) {
        throw new RangeError(`Invalid protocol: ${show(p)}: 1 to 255 bytes`);
      }
      parts.push(bytes.length, ...bytes);
    }
    const wire = new Uint8Array(parts);
    // Returns 0 on success (unlike the rest of OpenSSL).
    if (openSsl().ssl.SSL_CTX_set_alpn_protos(this.#open(), wire, wire.length) !== 0) {
      throw raiseFromQueue("set_alpn_protos");
    }
  }

  /**
   * TLS on a connected socket, Python's `SSLContext.wrap_socket`: the new
   * {@linkcode SSLSocket} owns the socket (closing it closes both).
   *
   * @param sock A connected (or accepted) socket.
   * @param options `serverSide`, `serverHostname` (SNI and the name checked),
   *   `doHandshakeOnConnect` (default true: the handshake runs now, as the
   *   socket's mode allows), `suppressRaggedEofs` (default true).
   * @returns The TLS socket.
   * @throws {SSLError} A failed handshake (`SSLCertVerificationError` for a certificate).
   */
  wrapSocket(sock: Socket, options: WrapOptions = {}): SSLSocket {
    return new SSLSocket(this, sock, options);
  }

  /**
   * TLS over two memory BIOs, Python's `SSLContext.wrap_bio`: bytes from the
   * peer go into `incoming`, bytes for it come out of `outgoing`.
   *
   * @param incoming Where the caller writes what the peer sent.
   * @param outgoing Where the caller reads what to send to the peer.
   * @param options `serverSide`, `serverHostname`.
   * @returns The TLS object.
   */
  wrapBio(incoming: MemoryBIO, outgoing: MemoryBIO, options: WrapOptions = {}): SSLObject {
    return new SSLObject(this, incoming, outgoing, options);
  }

  /** @internal The `SSL_CTX *`, for a new connection. */
  pointer(): bigint {
    return this.#open();
  }

  /** Frees the context (connections made from it keep their own reference). Idempotent. */
  close(): void {
    const ctx = this.#ctx;
    if (ctx === 0n) return;
    this.#ctx = 0n;
    disown(this);
    openSsl().ssl.SSL_CTX_free(ctx);
  }

  /** Closes the context at the end of a `using` scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Options of `wrapSocket` and `wrapBio`. */
export interface WrapOptions {
  /** This side is the server. */
  serverSide?: boolean;
  /** The server's name: sent as SNI (names only) and checked against its certificate (with `checkHostname`). */
  serverHostname?: string | null;
  /** `wrapSocket`: handshake now (default true). */
  doHandshakeOnConnect?: boolean;
  /** `wrapSocket`: a peer's EOF without close_notify reads as the end of the stream (default true, as Python). */
  suppressRaggedEofs?: boolean;
}

/**
 * The context for common use, Python's `ssl.create_default_context`: a
 * client that verifies with the system's CAs (`Purpose.SERVER_AUTH`), or a
 * server (`Purpose.CLIENT_AUTH`); TLS 1.2 at least.
 *
 * @param purpose `Purpose.SERVER_AUTH` (default) or `Purpose.CLIENT_AUTH`.
 * @param options `cafile`, `capath` to trust instead of the system's CAs.
 * @returns The context.
 * @example
 * ```ts ignore
 * const ctx = ssl.createDefaultContext();
 * ```
 */
export function createDefaultContext(
  purpose: string = Purpose.SERVER_AUTH,
  options: { cafile?: string | null; capath?: string | null } = {},
): SSLContext {
  if (purpose !== Purpose.SERVER_AUTH && purpose !== Purpose.CLIENT_AUTH) {
    throw new RangeError(`Invalid purpose: ${show(purpose)}: Purpose.SERVER_AUTH or Purpose.CLIENT_AUTH`);
  }
  const ctx = new SSLContext(purpose === Purpose.SERVER_AUTH ? PROTOCOL_TLS_CLIENT : PROTOCOL_TLS_SERVER);
  if (options.cafile != null || options.capath != null) {
    ctx.loadVerifyLocations(options.cafile, options.capath);
  } else if (purpose === Purpose.SERVER_AUTH) ctx.loadDefaultCerts();
  return ctx;
}

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
    const bio = crypto.BIO_new(crypto.BIO_s_mem());
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

/** The error of the OpenSSL call `call` that just failed, from its queue. */
function raiseFromQueue(call: string): SSLError {
  const entry = takeError();
  if (!entry) return sslError(SSLError, SSL_ERROR_SSL, `${call} failed`);
  return sslError(SSLError, SSL_ERROR_SSL, entry.text, entry);
}

/**
 * TLS over memory BIOs, Python's `ssl.SSLObject`: the protocol without the
 * I/O. A call that needs the peer's bytes raises {@linkcode SSLWantReadError}:
 * feed `incoming`, send what `outgoing` holds, and call again.
 */
export class SSLObject implements Disposable {
  #ssl: bigint;
  readonly #incoming: MemoryBIO;
  readonly #outgoing: MemoryBIO;
  readonly #suppressRaggedEofs: boolean;
  /** The context it came from. */
  readonly context: SSLContext;
  /** Whether this is the server side. */
  readonly serverSide: boolean;
  /** The name given to check the server's certificate against, if any. */
  readonly serverHostname: string | null;

  /**
   * Use {@linkcode SSLContext.wrapBio}.
   *
   * @param context The context.
   * @param incoming Bytes from the peer.
   * @param outgoing Bytes for the peer.
   * @param options Side, server name, ragged EOFs.
   */
  constructor(context: SSLContext, incoming: MemoryBIO, outgoing: MemoryBIO, options: WrapOptions = {}) {
    if (!(context instanceof SSLContext)) throw new TypeError(`Invalid context: ${show(context)}`);
    if (!(incoming instanceof MemoryBIO) || !(outgoing instanceof MemoryBIO)) {
      throw new TypeError("incoming and outgoing must be MemoryBIOs");
    }
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`Invalid options: ${show(options)}`);
    }
    const { serverSide = false, serverHostname = null, suppressRaggedEofs = true } = options;
    checkFlag(serverSide, "serverSide");
    checkFlag(suppressRaggedEofs, "suppressRaggedEofs");
    if (serverHostname !== null && typeof serverHostname !== "string") {
      throw new TypeError(`Invalid serverHostname: ${show(serverHostname)}`);
    }
    if (serverSide && context.protocol === PROTOCOL_TLS_CLIENT) {
      throw new RangeError("Cannot create a server socket with a PROTOCOL_TLS_CLIENT context");
    }
    if (!serverSide && context.protocol === PROTOCOL_TLS_SERVER) {
      throw new RangeError("Cannot create a client socket with a PROTOCOL_TLS_SERVER context");
    }
    if (!serverSide && context.checkHostname && !serverHostname) {
      throw new RangeError("checkHostname requires serverHostname");
    }
    const { ssl } = openSsl();
    const s = ssl.SSL_new(context.pointer());
    if (s === 0n) throw raiseFromQueue("SSL_new");
    this.#ssl = s;
    own(this, s, (p) => openSsl().ssl.SSL_free(p));
    ssl.SSL_set_bio(s, incoming.pointer(), outgoing.pointer()); // the SSL frees them from now on
    incoming.handOver();
    outgoing.handOver();
    this.#incoming = incoming;
    this.#outgoing = outgoing;
    this.context = context;
    this.serverSide = serverSide;
    this.serverHostname = serverHostname;
    this.#suppressRaggedEofs = suppressRaggedEofs;
    if (serverSide) ssl.SSL_set_accept_state(s);
    else {
      ssl.SSL_set_connect_state(s);
      if (serverHostname) this.#setServerName(s, serverHostname, context.checkHostname);
    }
  }

  #setServerName(s: bigint, name: string, check: boolean): void {
    const { ssl, crypto } = openSsl();
    const host = name.startsWith("[") && name.endsWith("]") ? name.slice(1, -1) : name;
    const isIp = parseIPv4(host) !== null || parseIPv6(host.split("%")[0]!) !== null;
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

  /** The error Python raises for an OpenSSL call on `s` that returned `r` (<= 0). */
  #fail(s: bigint, r: number, what: string): never {
    const { ssl, crypto } = openSsl();
    const code = ssl.SSL_get_error(s, r);
    if (code === SSL_ERROR_WANT_READ || code === SSL_ERROR_WANT_WRITE || code === SSL_ERROR_ZERO_RETURN) {
      crypto.ERR_clear_error();
    }
    switch (code) {
      case SSL_ERROR_WANT_READ:
        throw sslError(SSLWantReadError, code, "The operation did not complete (read)");
      case SSL_ERROR_WANT_WRITE:
        throw sslError(SSLWantWriteError, code, "The operation did not complete (write)");
      case SSL_ERROR_ZERO_RETURN:
        throw sslError(SSLZeroReturnError, code, "TLS/SSL connection has been closed (EOF)");
      case SSL_ERROR_SYSCALL: {
        const entry = takeError();
        if (entry) throw sslError(SSLSyscallError, code, entry.text, entry);
        throw sslError(SSLEOFError, 8, "EOF occurred in violation of protocol");
      }
      default: {
        const entry = takeError();
        if (entry?.reasonCode === R_CERTIFICATE_VERIFY_FAILED && entry.library === "SSL_ROUTINES") {
          const verifyCode = Number(ssl.SSL_get_verify_result(s));
          const verifyMessage = cText(crypto.X509_verify_cert_error_string(verifyCode));
          const e = sslError(SSLCertVerificationError, 1, `certificate verify failed: ${verifyMessage}`, {
            ...entry,
            library: "SSL",
          }) as SSLCertVerificationError;
          e.verifyCode = verifyCode;
          e.verifyMessage = verifyMessage;
          throw e;
        }
        if (entry?.reasonCode === R_UNEXPECTED_EOF) {
          throw sslError(SSLEOFError, 8, `EOF occurred in violation of protocol`, {
            ...entry,
            library: "SSL",
          });
        }
        if (entry) {
          throw sslError(SSLError, code, entry.text, {
            ...entry,
            library: entry.library.replace("_ROUTINES", ""),
          });
        }
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
    this.#call((s) => openSsl().ssl.SSL_do_handshake(s), "do_handshake");
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
   * @param nbytes The most (0: the buffer's length).
   * @returns How many; 0 at the end of the stream.
   */
  readInto(buffer: ArrayBufferView | ArrayBuffer, nbytes = 0): number {
    const view = bytesOf(buffer, "buffer");
    const size = byteLength(view, "buffer");
    const want = checkSize(nbytes, "nbytes");
    if (want > size) throw new RangeError(`nbytes ${want} is larger than the buffer (${size})`);
    const len = Math.min(want === 0 ? size : want, MAX_CHUNK);
    if (len === 0) return 0;
    return this.#readInto(view, len); // into the caller's memory, by the engine's own measure
  }

  #readInto(buf: ArrayBufferView, len: number): number {
    try {
      // The hot path inline (no closure per call); failures through #fail.
      const s = this.#open();
      const r = openSsl().ssl.SSL_read(s, buf, len);
      return r > 0 ? r : this.#fail(s, r, "read");
    } catch (e) {
      if (e instanceof SSLZeroReturnError) return 0; // close_notify: the end of the stream
      if (e instanceof SSLEOFError && this.#suppressRaggedEofs) return 0;
      throw e;
    }
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
      const r = openSsl().ssl.SSL_write(s, part, chunk);
      at += r > 0 ? r : this.#fail(s, r, "write");
    }
    return n;
  }

  /** Decrypted bytes ready to read without more input. */
  pending(): number {
    return openSsl().ssl.SSL_pending(this.#open());
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
      throw sslError(SSLWantReadError, SSL_ERROR_WANT_READ, "The operation did not complete (read)");
    }
    this.#call(() => r, "shutdown");
  }

  /** The negotiated version, such as `"TLSv1.3"`, or null before the handshake. */
  version(): string | null {
    const v = cText(openSsl().ssl.SSL_get_version(this.#open()));
    return v === "" || v === "unknown" ? null : v;
  }

  /** `[name, version, secret bits]` of the cipher in use, or null before the handshake. */
  cipher(): [string, string, number] | null {
    const { ssl } = openSsl();
    const c = ssl.SSL_get_current_cipher(this.#open());
    if (c === 0n) return null;
    return [
      cText(ssl.SSL_CIPHER_get_name(c)),
      cText(ssl.SSL_CIPHER_get_version(c)),
      ssl.SSL_CIPHER_get_bits(c, 0n),
    ];
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
    const x = ssl.SSL_get1_peer_certificate(this.#open());
    if (x === 0n) return null;
    try {
      if (!binaryForm) return this.context.verifyMode === CERT_NONE ? null : describeCertificate(x);
      const len = crypto.i2d_X509(x, null);
      if (len <= 0) throw raiseFromQueue("i2d_X509");
      const out = new Uint8Array(new ArrayBuffer(len));
      const cursor = new BigUint64Array([adapter().addressOf(out)]);
      if (crypto.i2d_X509(x, new Uint8Array(cursor.buffer)) !== len) throw raiseFromQueue("i2d_X509");
      return out;
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
    openSsl().ssl.SSL_free(s); // and its two BIOs
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

/** Bytes for the peer held here beyond which a non-blocking send waits for the socket (SSLWantWriteError). */
const MAX_HELD = 256 * 1024;

/**
 * TLS on a socket, Python's `ssl.SSLSocket`: register it with a selector
 * (`fileno()`), and read and write plain bytes. The socket's mode rules: a
 * blocking socket waits, one with a timeout throws `TimeoutError` (Python's
 * `socket.timeout`), a non-blocking one throws {@linkcode SSLWantReadError}
 * or {@linkcode SSLWantWriteError}: wait for that readiness and call again.
 * Decrypted bytes can wait inside (`pending()`) with no readiness on the fd:
 * read until `pending()` is 0 before waiting again.
 */
export class SSLSocket implements Disposable {
  readonly #sock: Socket;
  readonly #tls: SSLObject;
  /** Bytes for the peer that the socket did not take yet. */
  #held: Uint8Array[] = [];
  #heldBytes = 0;
  #buf = new Uint8Array(16384 + 512);
  #eof = false;

  /**
   * Use {@linkcode SSLContext.wrapSocket}.
   *
   * @param context The context.
   * @param sock The socket (owned from now on).
   * @param options See {@linkcode WrapOptions}.
   */
  constructor(context: SSLContext, sock: Socket, options: WrapOptions = {}) {
    if (typeof sock !== "object" || sock === null || typeof sock.recvInto !== "function") {
      throw new TypeError(`Invalid sock: expected a socket.Socket, got ${show(sock)}`);
    }
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`Invalid options: ${show(options)}`);
    }
    const { doHandshakeOnConnect = true } = options;
    checkFlag(doHandshakeOnConnect, "doHandshakeOnConnect");
    this.#tls = new SSLObject(context, new MemoryBIO(), new MemoryBIO(), options);
    this.#sock = sock;
    if (doHandshakeOnConnect) {
      try {
        this.doHandshake();
      } catch (e) {
        if (!(e instanceof SSLWantReadError || e instanceof SSLWantWriteError)) {
          this.#tls.close();
          throw e;
        }
        // A non-blocking socket: the caller drives the rest, as in Python.
      }
    }
  }

  /** The socket's fd, for selectors. */
  fileno(): number {
    return this.#sock.fileno();
  }

  /** The context. */
  get context(): SSLContext {
    return this.#tls.context;
  }

  /** Whether this is the server side. */
  get serverSide(): boolean {
    return this.#tls.serverSide;
  }

  /** The name checked against the server's certificate, if any. */
  get serverHostname(): string | null {
    return this.#tls.serverHostname;
  }

  /**
   * Sends what is held and what OpenSSL wrote, as far as the socket takes it
   * now (all of it, on a blocking socket). Returns whether nothing is left held.
   */
  #flushSome(): boolean {
    const out = this.#tls.outgoing;
    if (out.pending > 0) {
      const bytes = out.read();
      this.#held.push(bytes);
      this.#heldBytes += bytes.length;
    }
    while (this.#held.length > 0) {
      const head = this.#held[0]!;
      let sent: number;
      try {
        sent = this.#sock.send(head);
      } catch (e) {
        if (e instanceof BlockingIOError) return false;
        throw e;
      }
      this.#heldBytes -= sent;
      if (sent === head.length) this.#held.shift();
      else this.#held[0] = head.subarray(sent);
    }
    return true;
  }

  /** {@linkcode SSLSocket.#flushSome}, or SSLWantWriteError when a non-blocking socket cannot take it all. */
  #flush(): void {
    if (!this.#flushSome()) {
      throw sslError(SSLWantWriteError, SSL_ERROR_WANT_WRITE, "The operation did not complete (write)");
    }
  }

  /** One receive into OpenSSL's incoming BIO; throws SSLWantReadError when a non-blocking socket has nothing. */
  #fill(): void {
    if (this.#eof) throw sslError(SSLEOFError, 8, "EOF occurred in violation of protocol");
    let n: number;
    try {
      n = this.#sock.recvInto(this.#buf);
    } catch (e) {
      if (e instanceof BlockingIOError) {
        throw sslError(SSLWantReadError, SSL_ERROR_WANT_READ, "The operation did not complete (read)");
      }
      throw e;
    }
    if (n === 0) {
      this.#eof = true;
      this.#tls.incoming.writeEof();
      return;
    }
    this.#tls.incoming.write(this.#buf.subarray(0, n));
  }

  /**
   * Runs a TLS step until it completes, moving bytes through the socket as
   * its mode allows. Bytes for the peer go out as far as the socket takes
   * them, and never stop a read: while the peer's bytes are wanted, they are
   * received even if ours wait (two peers each waiting to be read would
   * otherwise wait for ever). A non-blocking socket's wait is the caller's:
   * SSLWantWriteError when bytes of ours are held, else SSLWantReadError.
   * With `mustSend` (handshake, shutdown), the step is done only once the
   * peer can have everything it needs.
   */
  #drive<R>(step: () => R, mustSend = false): R {
    for (;;) {
      let result: R;
      try {
        result = step();
      } catch (e) {
        if (e instanceof SSLWantReadError) {
          const flushed = this.#flushSome();
          try {
            this.#fill();
          } catch (wait) {
            if (wait instanceof SSLWantReadError && !flushed) this.#flush(); // throws SSLWantWriteError
            throw wait;
          }
          continue;
        }
        this.#flushQuietly();
        throw e;
      }
      if (mustSend) this.#flush();
      else this.#flushSome();
      return result;
    }
  }

  /** Sends what it can of an alert OpenSSL wrote before failing (the peer learns why). */
  #flushQuietly(): void {
    try {
      this.#flushSome();
    } catch { /* the connection is failing anyway */ }
  }

  /**
   * Runs the handshake.
   *
   * @throws {SSLWantReadError|SSLWantWriteError} On a non-blocking socket: wait, then call again.
   * @throws {SSLCertVerificationError} When the peer's certificate does not verify.
   */
  doHandshake(): void {
    this.#drive(() => this.#tls.doHandshake(), true);
  }

  /**
   * Receives at most `n` decrypted bytes.
   *
   * @param n The most bytes.
   * @returns The bytes; empty at the end of the stream.
   */
  recv(n = 16384): Uint8Array<ArrayBuffer> {
    return this.#drive(() => this.#tls.read(n));
  }

  /** Python's name for {@linkcode SSLSocket.recv} on an SSLSocket. @param n The most bytes. @returns The bytes. */
  read(n = 16384): Uint8Array<ArrayBuffer> {
    return this.recv(n);
  }

  /**
   * Receives into a buffer you own.
   *
   * @param buffer Where the bytes go.
   * @param nbytes The most (0: the buffer's length).
   * @returns How many; 0 at the end of the stream.
   */
  recvInto(buffer: ArrayBufferView | ArrayBuffer, nbytes = 0): number {
    return this.#drive(() => this.#tls.readInto(buffer, nbytes));
  }

  /**
   * Sends bytes (encrypted); on a non-blocking socket that is full, bytes
   * already taken are held and sent first next time.
   *
   * @param data The bytes.
   * @returns How many were taken.
   * @throws {SSLWantWriteError} When a non-blocking socket is full and too much is held already (nothing taken).
   */
  send(data: ArrayBufferView | ArrayBuffer): number {
    if (this.#heldBytes > MAX_HELD) this.#flush(); // throws SSLWantWriteError while full
    const n = this.#tls.write(data);
    this.#flushSome(); // what the socket does not take now is held for the next call
    return n;
  }

  /** Python's name for {@linkcode SSLSocket.send}. @param data The bytes. @returns How many were taken. */
  write(data: ArrayBufferView | ArrayBuffer): number {
    return this.send(data);
  }

  /**
   * Sends all the bytes (a blocking socket waits; a timeout covers each send).
   *
   * @param data The bytes.
   */
  sendall(data: ArrayBufferView | ArrayBuffer): void {
    this.#tls.write(data);
    this.#flush();
  }

  /** Decrypted bytes ready to read with no readiness on the fd: read them before waiting again. */
  pending(): number {
    return this.#tls.pending();
  }

  /** The negotiated version (`"TLSv1.3"`), or null before the handshake. */
  version(): string | null {
    return this.#tls.version();
  }

  /** `[name, version, secret bits]` of the cipher in use. */
  cipher(): [string, string, number] | null {
    return this.#tls.cipher();
  }

  /** The ALPN protocol the server chose, or null. */
  selectedAlpnProtocol(): string | null {
    return this.#tls.selectedAlpnProtocol();
  }

  /**
   * The peer's certificate as Python describes it, or with `true` its DER
   * bytes (see {@linkcode SSLObject.getpeercert}).
   *
   * @param binaryForm `true` for the DER bytes.
   * @returns The description or the bytes, or null.
   */
  getpeercert(binaryForm?: false): PeerCertificate | null;
  /** The peer's certificate in DER bytes, or null. */
  getpeercert(binaryForm: true): Uint8Array<ArrayBuffer> | null;
  getpeercert(binaryForm = false): PeerCertificate | Uint8Array<ArrayBuffer> | null {
    return binaryForm === true ? this.#tls.getpeercert(true) : this.#tls.getpeercert(binaryForm as false);
  }

  /**
   * Ends TLS (close_notify both ways) and returns the plain socket, which
   * stays open.
   *
   * @returns The socket.
   */
  unwrap(): Socket {
    this.#drive(() => this.#tls.unwrap(), true);
    this.#tls.close();
    return this.#sock;
  }

  /** The underlying socket's timeout mode, as `Socket.setTimeout`. @param timeout Seconds or null. */
  setTimeout(timeout: number | null): void {
    this.#sock.setTimeout(timeout);
  }

  /** As `Socket.setBlocking`. @param flag Blocking or not. */
  setBlocking(flag: boolean): void {
    this.#sock.setBlocking(flag);
  }

  /** Frees the TLS connection and closes the socket. Idempotent. */
  close(): void {
    this.#tls.close();
    this.#sock.close();
  }

  /** Closes it at the end of a `using` scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}
