/**
 * `ssl`'s errors, Python's classes and texts, made from OpenSSL's error
 * queue (which every failure path here drains, so no error is ever stale).
 *
 * @module
 */
import { type OpenSslError, takeError } from "./ffi/openssl.ts";
import { OSError } from "./errors.ts";

/** `SSL_get_error()`'s answers (OpenSSL 3.0). */
export const SSL_ERROR_SSL = 1, SSL_ERROR_WANT_READ = 2, SSL_ERROR_WANT_WRITE = 3, SSL_ERROR_SYSCALL = 5;
/** The peer's close_notify. */
export const SSL_ERROR_ZERO_RETURN = 6;
/** Python's other `SSL_ERROR_*` numbers (`SSL_ERROR_EOF`: Python's own, for an EOF that breaks the protocol). */
export const SSL_ERROR_WANT_X509_LOOKUP = 4, SSL_ERROR_WANT_CONNECT = 7, SSL_ERROR_EOF = 8;
/** Python's number for an error it cannot name. */
export const SSL_ERROR_INVALID_ERROR_CODE = 10;

/**
 * A TLS failure, Python's `ssl.SSLError` (an {@linkcode OSError}): `errno`
 * is the `SSL_ERROR_*` number for a connection's call (the reason's number
 * for a context's, as in Python), `library` and `reason` OpenSSL's names for
 * the error (`"SSL"`, `"CERTIFICATE_VERIFY_FAILED"`), and the message reads
 * as Python's (`[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed`).
 */
export class SSLError extends OSError {
  /** OpenSSL's library name, such as `"SSL"`; empty when OpenSSL queued no error (Python's None). */
  library = "";
  /** OpenSSL's reason, such as `"WRONG_VERSION_NUMBER"`; empty when there is none (Python's None). */
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

export type SSLErrorClass = new (
  errno: number,
  syscall: string,
  options: { description: string; plain: boolean; untrimmed: boolean; code: string },
) => SSLError;

/**
 * Python's `ssl.SSL_ERROR_*` names by number: an SSLError's `code`. Its errno
 * is one of these numbers (as in Python), not a system errno, so the name of
 * the errno it equals (2: ENOENT) would mislead.
 */
const SSL_ERROR_NAMES: ReadonlyMap<number, string> = new Map([
  [SSL_ERROR_SSL, "SSL_ERROR_SSL"],
  [SSL_ERROR_WANT_READ, "SSL_ERROR_WANT_READ"],
  [SSL_ERROR_WANT_WRITE, "SSL_ERROR_WANT_WRITE"],
  [SSL_ERROR_WANT_X509_LOOKUP, "SSL_ERROR_WANT_X509_LOOKUP"],
  [SSL_ERROR_SYSCALL, "SSL_ERROR_SYSCALL"],
  [SSL_ERROR_ZERO_RETURN, "SSL_ERROR_ZERO_RETURN"],
  [SSL_ERROR_WANT_CONNECT, "SSL_ERROR_WANT_CONNECT"],
  [SSL_ERROR_EOF, "SSL_ERROR_EOF"],
  [SSL_ERROR_INVALID_ERROR_CODE, "SSL_ERROR_INVALID_ERROR_CODE"],
]);

/**
 * An error of class `cls`, with OpenSSL's library and reason when the queue
 * had an entry; its `code` names `errno` as an `SSL_ERROR_*` number unless
 * given.
 */
export function sslError(
  cls: SSLErrorClass,
  errno: number,
  text: string,
  entry?: OpenSslError | null,
  code: string = SSL_ERROR_NAMES.get(errno) ?? "",
): SSLError {
  const library = entry?.library ?? ""; // none without a queued error, as Python's None
  const reason = entry?.reason || "";
  const description = !entry ? text : reason ? `[${library}: ${reason}] ${text}` : `[${library}] ${text}`;
  // Want-read and want-write are a non-blocking loop's control flow, as BlockingIOError is.
  const untrimmed = cls === SSLWantReadError || cls === SSLWantWriteError;
  const e = new cls(errno, "SSL", { description, plain: true, untrimmed, code });
  e.library = library;
  e.reason = reason;
  return e;
}

/** Python's `SSLWantReadError`: the peer's bytes are needed first. */
export function wantRead(): SSLError {
  return sslError(SSLWantReadError, SSL_ERROR_WANT_READ, "The operation did not complete (read)");
}

/** An SSLError in CPython's own words, with no OpenSSL error behind it: errno 0, no library, reason or code. */
export function plainSslError(text: string): SSLError {
  return sslError(SSLError, 0, text, null, "");
}

/** Python's `SSLWantWriteError`: bytes for the peer wait for the socket. */
export function wantWrite(): SSLError {
  return sslError(SSLWantWriteError, SSL_ERROR_WANT_WRITE, "The operation did not complete (write)");
}

/**
 * The error of the OpenSSL call `call` that just failed, from its queue. Its
 * errno is the reason's number, as CPython's for a failure outside a
 * connection's I/O (`load_verify_locations` on a file with no certificate:
 * 136, X509_R_NO_CERTIFICATE_OR_CRL_FOUND).
 */
export function raiseFromQueue(call: string): SSLError {
  const entry = takeError();
  if (!entry) return sslError(SSLError, SSL_ERROR_SSL, `${call} failed`);
  return sslError(SSLError, entry.reasonCode, entry.text, entry, ""); // a reason's number, not an SSL_ERROR_*
}
