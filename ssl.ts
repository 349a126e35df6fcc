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
 * The rooms: contexts (`_ssl_context.ts`), TLS without I/O (`_ssl_bio.ts`),
 * on a socket (`_ssl_socket.ts`), errors (`_ssl_errors.ts`), constants
 * (`_ssl_constants.ts`), certificates (`_ssl_cert.ts`), the OpenSSL binding
 * (`ffi/openssl.ts`).
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
import { statSync } from "node:fs";
import { cText, openSsl } from "./ffi/openssl.ts";
import { getEnv } from "./ffi/mod.ts";
import { byteLength, bytesOf } from "./ffi/bytes.ts";
import { raiseFromQueue } from "./_ssl_errors.ts";

export {
  ALERT_DESCRIPTION_ACCESS_DENIED,
  ALERT_DESCRIPTION_BAD_CERTIFICATE,
  ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE,
  ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE,
  ALERT_DESCRIPTION_BAD_RECORD_MAC,
  ALERT_DESCRIPTION_CERTIFICATE_EXPIRED,
  ALERT_DESCRIPTION_CERTIFICATE_REVOKED,
  ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN,
  ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE,
  ALERT_DESCRIPTION_CLOSE_NOTIFY,
  ALERT_DESCRIPTION_DECODE_ERROR,
  ALERT_DESCRIPTION_DECOMPRESSION_FAILURE,
  ALERT_DESCRIPTION_DECRYPT_ERROR,
  ALERT_DESCRIPTION_HANDSHAKE_FAILURE,
  ALERT_DESCRIPTION_ILLEGAL_PARAMETER,
  ALERT_DESCRIPTION_INSUFFICIENT_SECURITY,
  ALERT_DESCRIPTION_INTERNAL_ERROR,
  ALERT_DESCRIPTION_NO_RENEGOTIATION,
  ALERT_DESCRIPTION_PROTOCOL_VERSION,
  ALERT_DESCRIPTION_RECORD_OVERFLOW,
  ALERT_DESCRIPTION_UNEXPECTED_MESSAGE,
  ALERT_DESCRIPTION_UNKNOWN_CA,
  ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY,
  ALERT_DESCRIPTION_UNRECOGNIZED_NAME,
  ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE,
  ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION,
  ALERT_DESCRIPTION_USER_CANCELLED,
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  CHANNEL_BINDING_TYPES,
  HAS_ALPN,
  HAS_SNI,
  HAS_TLSv1_3,
  OP_ALL,
  OP_CIPHER_SERVER_PREFERENCE,
  OP_ENABLE_MIDDLEBOX_COMPAT,
  OP_IGNORE_UNEXPECTED_EOF,
  OP_NO_COMPRESSION,
  OP_NO_RENEGOTIATION,
  OP_NO_SSLv2,
  OP_NO_SSLv3,
  OP_NO_TICKET,
  OP_NO_TLSv1,
  OP_NO_TLSv1_1,
  OP_NO_TLSv1_2,
  OP_NO_TLSv1_3,
  OP_SINGLE_DH_USE,
  OP_SINGLE_ECDH_USE,
  PROTOCOL_SSLv23,
  PROTOCOL_TLS,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  PROTOCOL_TLSv1,
  PROTOCOL_TLSv1_1,
  PROTOCOL_TLSv1_2,
  Purpose,
  TLSVersion,
  VERIFY_ALLOW_PROXY_CERTS,
  VERIFY_CRL_CHECK_CHAIN,
  VERIFY_CRL_CHECK_LEAF,
  VERIFY_DEFAULT,
  VERIFY_X509_PARTIAL_CHAIN,
  VERIFY_X509_STRICT,
  VERIFY_X509_TRUSTED_FIRST,
  VerifyFlags,
  type WrapOptions,
} from "./_ssl_constants.ts";
export type { CipherDetails, CipherTuple } from "./_ssl_cipher.ts";
export {
  SSL_ERROR_EOF,
  SSL_ERROR_INVALID_ERROR_CODE,
  SSL_ERROR_SSL,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_WANT_CONNECT,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_WANT_X509_LOOKUP,
  SSL_ERROR_ZERO_RETURN,
  SSLCertVerificationError,
  SSLEOFError,
  SSLError,
  SSLSyscallError,
  SSLWantReadError,
  SSLWantWriteError,
  SSLZeroReturnError,
} from "./_ssl_errors.ts";
export { createDefaultContext, type SessionStats, SSLContext } from "./_ssl_context.ts";
export { MemoryBIO, type SSLContextLike, SSLObject } from "./_ssl_bio.ts";
export { SSLSocket } from "./_ssl_socket.ts";
export { SSLSession } from "./_ssl_session.ts";
export {
  certTimeToSeconds,
  derCertToPemCert,
  getServerCertificate,
  PEM_FOOTER,
  PEM_HEADER,
  pemCertToDerCert,
  type ServerCertificateOptions,
} from "./_ssl_pem.ts";
export type { SniCallback } from "./_ssl_callbacks.ts";
export type { NameAttribute, PeerCertificate } from "./_ssl_cert.ts";

/** The library's version text, as Python's `ssl.OPENSSL_VERSION` (loads OpenSSL). */
export function opensslVersion(): string {
  return cText(openSsl().crypto.OpenSSL_version(0));
}

/** Where OpenSSL looks for the system's CAs, Python's `DefaultVerifyPaths` (fields in camelCase). */
export interface DefaultVerifyPaths {
  /** The CA file `loadDefaultCerts()` reads (the environment's, else OpenSSL's), or null if no such file. */
  cafile: string | null;
  /** The CA directory it reads, or null if no such directory. */
  capath: string | null;
  /** The environment variable that names the file: `"SSL_CERT_FILE"`. */
  opensslCafileEnv: string;
  /** OpenSSL's built-in file. */
  opensslCafile: string;
  /** The environment variable that names the directory: `"SSL_CERT_DIR"`. */
  opensslCapathEnv: string;
  /** OpenSSL's built-in directory. */
  opensslCapath: string;
}

/**
 * Where `loadDefaultCerts()` finds the system's CAs, as Python's
 * `ssl.get_default_verify_paths()`: the environment's paths over OpenSSL's
 * built-in ones, each null when it is not there. Under Deno it needs
 * `--allow-read` for the paths (and `--allow-env` for the two variables;
 * without it OpenSSL's own paths are reported, though OpenSSL itself still
 * reads the variables).
 *
 * @returns The paths.
 * @example
 * ```ts ignore
 * console.log(ssl.getDefaultVerifyPaths().cafile); // e.g. /etc/ssl/certs/ca-certificates.crt
 * ```
 */
export function getDefaultVerifyPaths(): DefaultVerifyPaths {
  const { crypto } = openSsl();
  const opensslCafileEnv = cText(crypto.X509_get_default_cert_file_env());
  const opensslCafile = cText(crypto.X509_get_default_cert_file());
  const opensslCapathEnv = cText(crypto.X509_get_default_cert_dir_env());
  const opensslCapath = cText(crypto.X509_get_default_cert_dir());
  const cafile = getEnv(opensslCafileEnv) ?? opensslCafile;
  const capath = getEnv(opensslCapathEnv) ?? opensslCapath;
  return {
    cafile: statSync(cafile, { throwIfNoEntry: false })?.isFile() ? cafile : null,
    capath: statSync(capath, { throwIfNoEntry: false })?.isDirectory() ? capath : null,
    opensslCafileEnv,
    opensslCafile,
    opensslCapathEnv,
    opensslCapath,
  };
}

/**
 * `n` cryptographically strong random bytes from OpenSSL, Python's
 * `ssl.RAND_bytes` (the runtimes' `crypto.getRandomValues` gives the same
 * without OpenSSL).
 *
 * @param n How many (0 to 2^31 - 1).
 * @returns The bytes.
 * @throws {RangeError} For a negative count (Python's ValueError "num must be positive").
 * @throws {SSLError} If OpenSSL cannot make them (it is not seeded).
 * @example
 * ```ts ignore
 * const key = ssl.RAND_bytes(32);
 * ```
 */
// deno-lint-ignore camelcase -- Python's name
export function RAND_bytes(n: number): Uint8Array<ArrayBuffer> {
  if (typeof n !== "number") throw new TypeError(`Invalid n: expected a number, got ${String(n)}`);
  if (!Number.isInteger(n) || n > 0x7fffffff) throw new RangeError(`Invalid n: ${n}`);
  if (n < 0) throw new RangeError("num must be positive");
  const out = new Uint8Array(n);
  if (n > 0 && openSsl().crypto.RAND_bytes(out, n) !== 1) throw raiseFromQueue("RAND_bytes");
  return out;
}

/**
 * Whether OpenSSL's generator is seeded, Python's `ssl.RAND_status` (true on
 * every system this runs on).
 *
 * @returns Whether it is.
 * @example
 * ```ts ignore
 * if (!ssl.RAND_status()) console.error("no entropy");
 * ```
 */
// deno-lint-ignore camelcase -- Python's name
export function RAND_status(): boolean {
  return openSsl().crypto.RAND_status() === 1;
}

/**
 * Mixes `data` into OpenSSL's generator, counting it as `entropy` bytes of
 * randomness, Python's `ssl.RAND_add` (a string is UTF-8).
 *
 * @param data The bytes, or text.
 * @param entropy How many bytes of randomness it holds, by the caller's estimate.
 * @example
 * ```ts ignore
 * ssl.RAND_add(new Uint8Array([1, 2, 3]), 0.0);
 * ```
 */
// deno-lint-ignore camelcase -- Python's name
export function RAND_add(data: string | ArrayBufferView | ArrayBuffer, entropy: number): void {
  if (typeof entropy !== "number") throw new TypeError(`must be real number, not ${typeof entropy}`);
  const view = typeof data === "string" ? new TextEncoder().encode(data) : bytesOf(data, "data");
  const n = byteLength(view, "data");
  if (n > 0x7fffffff) throw new RangeError("data is too long");
  openSsl().crypto.RAND_add(view, n, entropy);
}
