/**
 * A peer's certificate as Python's `getpeercert()` gives it: subject and
 * issuer as relative distinguished names, version, serial number, validity
 * and subject alternative names, read with libcrypto's own accessors.
 *
 * @module
 */
import { cText, openSsl, stackItems } from "./ffi/openssl.ts";
import { adapter } from "./ffi/mod.ts";
import { raiseFromQueue } from "./_ssl_errors.ts";

/** One attribute of a name: `["commonName", "example.com"]`. */
export type NameAttribute = [name: string, value: string];

/**
 * A certificate as Python's `SSLSocket.getpeercert()` describes it (its
 * tuples are arrays here).
 */
export interface PeerCertificate {
  /** The subject's relative distinguished names, each a list of attributes. */
  subject: NameAttribute[][];
  /** The issuer's, likewise. */
  issuer: NameAttribute[][];
  /** The X.509 version (3). */
  version: number;
  /** The serial number in upper-case hexadecimal. */
  serialNumber: string;
  /** When it starts to be valid, as OpenSSL prints it (`"Dec  6 22:57:38 2026 GMT"`). */
  notBefore: string;
  /** When it ends. */
  notAfter: string;
  /** `[["DNS", "example.com"], ["IP Address", "127.0.0.1"], ...]`, when it has the extension. */
  subjectAltName?: NameAttribute[];
}

const NID_SUBJECT_ALT_NAME = 85;
const GEN_OTHERNAME = 0, GEN_EMAIL = 1, GEN_DNS = 2, GEN_X400 = 3, GEN_DIRNAME = 4, GEN_EDIPARTY = 5;
const GEN_URI = 6, GEN_IPADD = 7, GEN_RID = 8;
const BIO_CTRL_PENDING = 10;
const NO_FILE = new Uint8Array([0]);

function asn1Bytes(s: bigint): Uint8Array {
  const { crypto } = openSsl();
  const n = crypto.ASN1_STRING_length(s);
  const data = crypto.ASN1_STRING_get0_data(s);
  return n <= 0 || data === 0n ? new Uint8Array(0) : adapter().readMemory(data, n);
}

/** An ASN1_STRING's text in UTF-8, as `ASN1_STRING_to_UTF8` converts it. */
function asn1Text(s: bigint): string {
  const { crypto } = openSsl();
  const out = new BigUint64Array(1);
  const n = crypto.ASN1_STRING_to_UTF8(new Uint8Array(out.buffer), s);
  if (n < 0 || out[0] === 0n) return "";
  try {
    return new TextDecoder().decode(adapter().readMemory(out[0]!, n));
  } finally {
    crypto.CRYPTO_free(out[0]!, NO_FILE, 0);
  }
}

/** An object's long name, or its dotted number when OpenSSL has no name for it. */
function objectName(obj: bigint): string {
  const buf = new Uint8Array(256);
  const n = openSsl().crypto.OBJ_obj2txt(buf, buf.length, obj, 0);
  return n <= 0 ? "" : new TextDecoder().decode(buf.subarray(0, Math.min(n, buf.length - 1)));
}

/** A name as relative distinguished names: entries of one RDN (the same `X509_NAME_ENTRY_set`) together. */
function nameOf(name: bigint): NameAttribute[][] {
  const { crypto } = openSsl();
  const out: NameAttribute[][] = [];
  let lastSet = -1;
  const count = crypto.X509_NAME_entry_count(name);
  for (let i = 0; i < count; i++) {
    const entry = crypto.X509_NAME_get_entry(name, i);
    const attribute: NameAttribute = [
      objectName(crypto.X509_NAME_ENTRY_get_object(entry)),
      asn1Text(crypto.X509_NAME_ENTRY_get_data(entry)),
    ];
    const set = crypto.X509_NAME_ENTRY_set(entry);
    if (set === lastSet && out.length > 0) out[out.length - 1]!.push(attribute);
    else out.push([attribute]);
    lastSet = set;
  }
  return out;
}

/** An ASN1_TIME as OpenSSL prints it (Python's form). */
function timeText(t: bigint): string {
  const { crypto } = openSsl();
  const bio = crypto.BIO_new(crypto.BIO_s_mem());
  try {
    if (crypto.ASN1_TIME_print(bio, t) !== 1) return "";
    const n = Number(crypto.BIO_ctrl(bio, BIO_CTRL_PENDING, 0, 0n));
    const buf = new Uint8Array(n);
    crypto.BIO_read(bio, buf, n);
    return new TextDecoder().decode(buf);
  } finally {
    crypto.BIO_free(bio);
  }
}

function serialText(x: bigint): string {
  const { crypto } = openSsl();
  const bn = crypto.ASN1_INTEGER_to_BN(crypto.X509_get_serialNumber(x), 0n);
  if (bn === 0n) return "";
  const hex = crypto.BN_bn2hex(bn);
  try {
    return cText(hex);
  } finally {
    crypto.CRYPTO_free(hex, NO_FILE, 0);
    crypto.BN_free(bn);
  }
}

/** An IP address as CPython prints a certificate's: dotted IPv4; IPv6 in 8 upper-case groups, uncompressed. */
function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join(".");
  if (bytes.length !== 16) return "<invalid>";
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16).toUpperCase());
  return groups.join(":");
}

function altNames(x: bigint): NameAttribute[] | undefined {
  const { crypto } = openSsl();
  const names = crypto.X509_get_ext_d2i(x, NID_SUBJECT_ALT_NAME, 0n, 0n);
  if (names === 0n) return undefined;
  try {
    const out: NameAttribute[] = [];
    for (const name of stackItems(names)) {
      // GENERAL_NAME: { int type; union { ... *ptr } d; }: the pointer at 8 on 64-bit hosts.
      const gn = adapter().readMemory(name, 16);
      const view = new DataView(gn.buffer);
      const type = view.getInt32(0, true);
      const value = view.getBigUint64(8, true);
      switch (type) {
        case GEN_DNS:
          out.push(["DNS", new TextDecoder().decode(asn1Bytes(value))]);
          break;
        case GEN_EMAIL:
          out.push(["email", new TextDecoder().decode(asn1Bytes(value))]);
          break;
        case GEN_URI:
          out.push(["URI", new TextDecoder().decode(asn1Bytes(value))]);
          break;
        case GEN_IPADD:
          out.push(["IP Address", ipText(asn1Bytes(value))]);
          break;
        case GEN_RID:
          out.push(["Registered ID", objectName(value)]);
          break;
        case GEN_OTHERNAME:
          out.push(["othername", "<unsupported>"]);
          break;
        case GEN_X400:
          out.push(["X400Name", "<unsupported>"]);
          break;
        case GEN_EDIPARTY:
          out.push(["EdiPartyName", "<unsupported>"]);
          break;
        case GEN_DIRNAME:
          out.push(["DirName", "<unsupported>"]);
          break;
      }
    }
    return out;
  } finally {
    crypto.GENERAL_NAMES_free(names);
  }
}

/**
 * The certificate `x` (an `X509 *` the caller frees) as Python describes it.
 *
 * @param x The certificate.
 * @returns Its description.
 */
export function describeCertificate(x: bigint): PeerCertificate {
  const { crypto } = openSsl();
  const cert: PeerCertificate = {
    subject: nameOf(crypto.X509_get_subject_name(x)),
    issuer: nameOf(crypto.X509_get_issuer_name(x)),
    version: Number(crypto.X509_get_version(x)) + 1,
    serialNumber: serialText(x),
    notBefore: timeText(crypto.X509_get0_notBefore(x)),
    notAfter: timeText(crypto.X509_get0_notAfter(x)),
  };
  const san = altNames(x);
  if (san) cert.subjectAltName = san;
  return cert;
}

/**
 * The certificate `x` (an `X509 *` the caller frees) in DER bytes, as
 * `getpeercert(true)` and `getCaCerts(true)` give it.
 *
 * @param x The certificate.
 * @returns Its DER encoding.
 * @throws {SSLError} If OpenSSL cannot encode it.
 */
export function derOf(x: bigint): Uint8Array<ArrayBuffer> {
  const { crypto } = openSsl();
  const len = crypto.i2d_X509(x, null);
  if (len <= 0) throw raiseFromQueue("i2d_X509");
  const out = new Uint8Array(new ArrayBuffer(len));
  // i2d_X509 writes at *cursor (and moves it): the cursor holds `out`'s address.
  const cursor = new BigUint64Array([adapter().addressOf(out)]);
  if (crypto.i2d_X509(x, new Uint8Array(cursor.buffer)) !== len) throw raiseFromQueue("i2d_X509");
  return out;
}
