/**
 * Cipher suites as Python's `ssl` describes them: the tuple of `cipher()` and
 * `sharedCiphers()`, and the dictionary of `SSLContext.getCiphers()`.
 *
 * @module
 */
import { cText, openSsl } from "./ffi/openssl.ts";

/** `[name, protocol version, secret bits]`, as Python's `cipher()` and `shared_ciphers()` give. */
export type CipherTuple = [string, string, number];

/** One cipher suite of `SSLContext.getCiphers()`: Python's dictionary, its keys in camelCase. */
export interface CipherDetails {
  /** OpenSSL's id (the protocol's two bytes, plus 0x03000000). */
  id: number;
  /** OpenSSL's name, such as `"TLS_AES_256_GCM_SHA384"`. */
  name: string;
  /** The protocol version it came with, such as `"TLSv1.3"`. */
  protocol: string;
  /** OpenSSL's one-line description (`SSL_CIPHER_description`). */
  description: string;
  /** The secret bits it gives (Python's `strength_bits`). */
  strengthBits: number;
  /** The bits of its algorithm (Python's `alg_bits`). */
  algBits: number;
  /** Whether it is an AEAD cipher. */
  aead: boolean;
  /** The symmetric cipher's long name (`"aes-256-gcm"`), or null. */
  symmetric: string | null;
  /** The MAC's long name (`"sha256"`), or null for AEAD. */
  digest: string | null;
  /** The key exchange (`"kx-ecdhe"`, `"kx-any"` for TLS 1.3), or null. */
  kea: string | null;
  /** The authentication (`"auth-rsa"`, `"auth-any"` for TLS 1.3), or null. */
  auth: string | null;
}

/** `NID_undef`. */
const NID_UNDEF = 0;

/** The long name of `nid`, or null for none. */
function nidName(nid: number): string | null {
  if (nid === NID_UNDEF) return null;
  const name = openSsl().crypto.OBJ_nid2ln(nid);
  return name === 0n ? null : cText(name);
}

/** The tuple for an `SSL_CIPHER *`. */
export function cipherTuple(c: bigint): CipherTuple {
  const { ssl } = openSsl();
  return [
    cText(ssl.SSL_CIPHER_get_name(c)),
    cText(ssl.SSL_CIPHER_get_version(c)),
    ssl.SSL_CIPHER_get_bits(c, null),
  ];
}

/** The dictionary for an `SSL_CIPHER *`. */
export function cipherDetails(c: bigint): CipherDetails {
  const { ssl } = openSsl();
  const text = new Uint8Array(512); // OpenSSL writes at most 128 bytes and a NUL
  ssl.SSL_CIPHER_description(c, text, text.length - 1);
  const end = text.indexOf(0);
  const description = new TextDecoder().decode(text.subarray(0, end < 0 ? text.length - 1 : end)).replace(
    /\n$/,
    "",
  );
  const algBits = new Int32Array(1);
  const strength = ssl.SSL_CIPHER_get_bits(c, new Uint8Array(algBits.buffer));
  return {
    id: ssl.SSL_CIPHER_get_id(c),
    name: cText(ssl.SSL_CIPHER_get_name(c)),
    protocol: cText(ssl.SSL_CIPHER_get_version(c)),
    description,
    strengthBits: strength,
    algBits: algBits[0]!,
    aead: ssl.SSL_CIPHER_is_aead(c) !== 0,
    symmetric: nidName(ssl.SSL_CIPHER_get_cipher_nid(c)),
    digest: nidName(ssl.SSL_CIPHER_get_digest_nid(c)),
    kea: nidName(ssl.SSL_CIPHER_get_kx_nid(c)),
    auth: nidName(ssl.SSL_CIPHER_get_auth_nid(c)),
  };
}
