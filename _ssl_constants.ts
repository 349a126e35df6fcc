/**
 * `ssl`'s constants: Python's public ones (protocols, verification modes,
 * options, `TLSVersion`, `Purpose`) and OpenSSL 3.0's numbers the other
 * `_ssl_*` modules pass to it; the options `wrapSocket`/`wrapBio` take.
 *
 * @module
 */
import type { SSLSession } from "./_ssl_session.ts";
import { show } from "./_validate.ts";

/** A client context: verifies the server's certificate and name by default. */
export const PROTOCOL_TLS_CLIENT = 16;
/** A server context. */
export const PROTOCOL_TLS_SERVER = 17;
/**
 * A context for either side that verifies nothing by default (`CERT_NONE`,
 * no `checkHostname`): what `new SSLContext()` makes, as Python's.
 *
 * @deprecated As in Python: use `PROTOCOL_TLS_CLIENT` or `PROTOCOL_TLS_SERVER`.
 */
export const PROTOCOL_TLS = 2;
/** @deprecated Python's old name for {@linkcode PROTOCOL_TLS}. */
// deno-lint-ignore camelcase -- Python's name
export const PROTOCOL_SSLv23 = 2;
/**
 * Either side, TLS 1.0 only (OpenSSL 3 refuses it at Python's security level 2).
 *
 * @deprecated As in Python: use `minimumVersion`/`maximumVersion`.
 */
// deno-lint-ignore camelcase -- Python's name
export const PROTOCOL_TLSv1 = 3;
/** @deprecated As {@linkcode PROTOCOL_TLSv1}, TLS 1.1 only. */
// deno-lint-ignore camelcase -- Python's name
export const PROTOCOL_TLSv1_1 = 4;
/** @deprecated As {@linkcode PROTOCOL_TLSv1}, TLS 1.2 only. */
// deno-lint-ignore camelcase -- Python's name
export const PROTOCOL_TLSv1_2 = 5;
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
/** OpenSSL's bug workarounds (`SSL_OP_ALL`: set by default, as in Python). */
export const OP_ALL = 0x80000050;
/** Do not compress (set by default, as in Python). */
export const OP_NO_COMPRESSION = 1 << 17;
/** A server picks the cipher by its own order, not the client's (set by default, as in Python). */
export const OP_CIPHER_SERVER_PREFERENCE = 1 << 22;
/** Send no TLS 1.3 session tickets, and no TLS 1.2 ticket extension. */
export const OP_NO_TICKET = 1 << 14;
/** Refuse renegotiation (TLS 1.2 and earlier). */
export const OP_NO_RENEGOTIATION = 1 << 30;
/** Make a TLS 1.3 handshake look like TLS 1.2 to middleboxes (on by OpenSSL's default). */
export const OP_ENABLE_MIDDLEBOX_COMPAT = 1 << 20;
/** Refuse SSL 3 (set by default, as in Python). */
// deno-lint-ignore camelcase -- Python's name
export const OP_NO_SSLv3 = 1 << 25;
/** Refuse TLS 1.0 (use `minimumVersion` instead, as Python advises). */
// deno-lint-ignore camelcase -- Python's name
export const OP_NO_TLSv1 = 1 << 26;
/** Refuse TLS 1.1 (use `minimumVersion` instead). */
// deno-lint-ignore camelcase -- Python's name
export const OP_NO_TLSv1_1 = 1 << 28;
/** Python's names for options OpenSSL 3 no longer has: 0, as in Python. */
// deno-lint-ignore camelcase -- Python's name
export const OP_NO_SSLv2 = 0, OP_SINGLE_DH_USE = 0, OP_SINGLE_ECDH_USE = 0;
/** Refuse TLS 1.3. */
// deno-lint-ignore camelcase -- Python's name
export const OP_NO_TLSv1_3 = 1 << 29;
/** Refuse TLS 1.2. */
// deno-lint-ignore camelcase -- Python's name
export const OP_NO_TLSv1_2 = 1 << 27;
/** Take a peer's EOF without close_notify as the end of the stream. */
export const OP_IGNORE_UNEXPECTED_EOF = 1 << 7;

/** Certificate checks beyond the defaults, Python's `ssl.VerifyFlags` (OpenSSL's `X509_V_FLAG_*`): `SSLContext.verifyFlags`. */
export const VerifyFlags: Readonly<{
  VERIFY_DEFAULT: 0;
  VERIFY_CRL_CHECK_LEAF: 0x4;
  VERIFY_CRL_CHECK_CHAIN: 0xc;
  VERIFY_X509_STRICT: 0x20;
  VERIFY_ALLOW_PROXY_CERTS: 0x40;
  VERIFY_X509_TRUSTED_FIRST: 0x8000;
  VERIFY_X509_PARTIAL_CHAIN: 0x80000;
}> = Object.freeze({
  VERIFY_DEFAULT: 0,
  VERIFY_CRL_CHECK_LEAF: 0x4,
  VERIFY_CRL_CHECK_CHAIN: 0xc,
  VERIFY_X509_STRICT: 0x20,
  VERIFY_ALLOW_PROXY_CERTS: 0x40,
  VERIFY_X509_TRUSTED_FIRST: 0x8000,
  VERIFY_X509_PARTIAL_CHAIN: 0x80000,
});
/** No checks beyond the chain's (Python's `ssl.VERIFY_DEFAULT`). */
export const VERIFY_DEFAULT = 0;
/** Check the peer's certificate against a CRL (load one with `loadVerifyLocations`). */
export const VERIFY_CRL_CHECK_LEAF = 0x4;
/** Check every certificate of the chain against CRLs. */
export const VERIFY_CRL_CHECK_CHAIN = 0xc;
/** Refuse certificates that break RFC 5280 (OpenSSL's strict mode). */
export const VERIFY_X509_STRICT = 0x20;
/** Accept proxy certificates (RFC 3820). */
export const VERIFY_ALLOW_PROXY_CERTS = 0x40;
/** Prefer trusted certificates when building the chain (OpenSSL's default, on in every context). */
export const VERIFY_X509_TRUSTED_FIRST = 0x8000;
/** Trust an intermediate certificate of the store as an anchor, without its root. */
export const VERIFY_X509_PARTIAL_CHAIN = 0x80000;

/**
 * The cipher suites (TLS 1.2 and earlier) of a new context, Python's
 * `PY_SSL_DEFAULT_CIPHER_STRING`: forward secrecy, AEAD or AES, no SHA-1
 * MAC, no NULL or DSS authentication, security level 2.
 */
export const DEFAULT_CIPHERS =
  "@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM";
/** `X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS`: `f*.example.com` matches nothing (Python's default host check). */
export const X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS = 0x4;

/** The channel binding types `getChannelBinding()` knows, Python's `ssl.CHANNEL_BINDING_TYPES`. */
export const CHANNEL_BINDING_TYPES: readonly string[] = Object.freeze(["tls-unique"]);

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

/** TLS alert descriptions (RFC 8446), Python's `ssl.ALERT_DESCRIPTION_*`: what an `sniCallback` may return to refuse a handshake. */
export const ALERT_DESCRIPTION_CLOSE_NOTIFY = 0,
  ALERT_DESCRIPTION_UNEXPECTED_MESSAGE = 10,
  ALERT_DESCRIPTION_BAD_RECORD_MAC = 20,
  ALERT_DESCRIPTION_RECORD_OVERFLOW = 22,
  ALERT_DESCRIPTION_DECOMPRESSION_FAILURE = 30,
  ALERT_DESCRIPTION_HANDSHAKE_FAILURE = 40,
  ALERT_DESCRIPTION_BAD_CERTIFICATE = 42,
  ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE = 43,
  ALERT_DESCRIPTION_CERTIFICATE_REVOKED = 44,
  ALERT_DESCRIPTION_CERTIFICATE_EXPIRED = 45,
  ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN = 46,
  ALERT_DESCRIPTION_ILLEGAL_PARAMETER = 47,
  ALERT_DESCRIPTION_UNKNOWN_CA = 48,
  ALERT_DESCRIPTION_ACCESS_DENIED = 49,
  ALERT_DESCRIPTION_DECODE_ERROR = 50,
  ALERT_DESCRIPTION_DECRYPT_ERROR = 51,
  ALERT_DESCRIPTION_PROTOCOL_VERSION = 70,
  ALERT_DESCRIPTION_INSUFFICIENT_SECURITY = 71,
  ALERT_DESCRIPTION_INTERNAL_ERROR = 80,
  ALERT_DESCRIPTION_USER_CANCELLED = 90,
  ALERT_DESCRIPTION_NO_RENEGOTIATION = 100,
  ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION = 110,
  ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE = 111,
  ALERT_DESCRIPTION_UNRECOGNIZED_NAME = 112,
  ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE = 113,
  ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE = 114,
  ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY = 115;

/** What a default context is for, as Python's `ssl.Purpose`. */
export const Purpose: Readonly<{ SERVER_AUTH: "SERVER_AUTH"; CLIENT_AUTH: "CLIENT_AUTH" }> = Object.freeze(
  { SERVER_AUTH: "SERVER_AUTH", CLIENT_AUTH: "CLIENT_AUTH" } as const,
);

// OpenSSL 3.0's numbers (ssl.h, bio.h).
export const SSL_VERIFY_PEER = 1, SSL_VERIFY_FAIL_IF_NO_PEER_CERT = 2;
export const SSL_CTRL_MODE = 33, SSL_CTRL_SET_TLSEXT_HOSTNAME = 55;
export const SSL_CTRL_SET_MIN_PROTO_VERSION = 123, SSL_CTRL_SET_MAX_PROTO_VERSION = 124;
export const SSL_CTRL_GET_MIN_PROTO_VERSION = 130, SSL_CTRL_GET_MAX_PROTO_VERSION = 131;
export const SSL_MODE_ENABLE_PARTIAL_WRITE = 1, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = 2;
export const SSL_FILETYPE_PEM = 1;
export const BIO_C_SET_BUF_MEM_EOF_RETURN = 130;
/** SSL_R_CERTIFICATE_VERIFY_FAILED and SSL_R_UNEXPECTED_EOF_WHILE_READING (OpenSSL 3.0). */
export const R_CERTIFICATE_VERIFY_FAILED = 134, R_UNEXPECTED_EOF = 294;
/** `X509_V_ERR_HOSTNAME_MISMATCH` and `X509_V_ERR_IP_ADDRESS_MISMATCH`: the two name checks, which CPython words itself. */
export const X509_V_ERR_HOSTNAME_MISMATCH = 62, X509_V_ERR_IP_ADDRESS_MISMATCH = 64;
/** The most bytes one SSL_read/SSL_write/BIO call takes (an `int`). */
export const MAX_CHUNK = 1 << 30;

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
  /** A client's session from an earlier connection to the same server, to resume (`SSLSocket.session`). */
  session?: SSLSession | null;
}

/** A boolean option, checked. */
export function checkFlag(value: unknown, what: string): boolean {
  if (typeof value !== "boolean") {
    throw new TypeError(`Invalid ${what}: expected a boolean, got ${show(value)}`);
  }
  return value;
}
