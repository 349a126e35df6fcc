/**
 * `ssl`'s certificate helpers in plain JavaScript, as Python's: PEM text to
 * DER bytes and back (`DER_cert_to_PEM_cert`, `PEM_cert_to_DER_cert`), and
 * `get_server_certificate` (connect, handshake, the server's certificate as
 * PEM, unverified unless CA certificates are given).
 *
 * @module
 */
import { byteLength, bytesOf } from "./ffi/bytes.ts";
import { show } from "./_validate.ts";
import { createConnection } from "./_socket_factories.ts";
import { CERT_NONE, CERT_REQUIRED, PROTOCOL_TLS_CLIENT } from "./_ssl_constants.ts";
import { SSLContext } from "./_ssl_context.ts";

/** Python's `ssl.PEM_HEADER`. */
export const PEM_HEADER = "-----BEGIN CERTIFICATE-----";
/** Python's `ssl.PEM_FOOTER`. */
export const PEM_FOOTER = "-----END CERTIFICATE-----";

/**
 * A DER certificate as PEM text, as Python's `ssl.DER_cert_to_PEM_cert`:
 * the header, the base64 in lines of 64, the footer and a newline.
 *
 * @param der The certificate's DER bytes (`getpeercert(true)`).
 * @returns The PEM text.
 * @throws {TypeError} If `der` is not bytes.
 * @example
 * ```ts ignore
 * console.log(ssl.derCertToPemCert(tls.getpeercert(true)!));
 * ```
 */
export function derCertToPemCert(der: ArrayBufferView | ArrayBuffer): string {
  const view = bytesOf(der, "der");
  const bytes = new Uint8Array(view.buffer, view.byteOffset, byteLength(view, "der"));
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  const text = btoa(binary);
  const lines = [PEM_HEADER];
  for (let i = 0; i < text.length; i += 64) lines.push(text.slice(i, i + 64));
  lines.push(PEM_FOOTER + "\n");
  return lines.join("\n");
}

/**
 * PEM text of one certificate as DER bytes, as Python's
 * `ssl.PEM_cert_to_DER_cert`: the text must start with the header and end
 * (trailing white space aside) with the footer; what is between is base64,
 * where characters outside its alphabet (line breaks) are skipped.
 *
 * @param pem The PEM text.
 * @returns The DER bytes.
 * @throws {RangeError} Python's `ValueError`: no header or footer, or base64 that does not decode.
 * @example
 * ```ts ignore
 * const der = ssl.pemCertToDerCert(readFileSync("cert.pem", "utf8"));
 * ```
 */
export function pemCertToDerCert(pem: string): Uint8Array<ArrayBuffer> {
  if (typeof pem !== "string") throw new TypeError(`Invalid pem: expected a string, got ${show(pem)}`);
  if (!pem.startsWith(PEM_HEADER)) {
    throw new RangeError(`Invalid PEM encoding; must start with ${PEM_HEADER}`);
  }
  const stripped = pem.trim();
  if (!stripped.endsWith(PEM_FOOTER)) {
    throw new RangeError(`Invalid PEM encoding; must end with ${PEM_FOOTER}`);
  }
  return decodeBase64(stripped.slice(PEM_HEADER.length, stripped.length - PEM_FOOTER.length));
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Base64 as Python's `binascii.a2b_base64` decodes it (not strict): other
 * characters are skipped, a complete pad ends the data, and what is left of a
 * group is an error with Python's words.
 */
function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(Math.ceil(text.length / 4) * 3);
  let n = 0, group = 0, bits = 0, pads = 0, chars = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "=") {
      if (group >= 2 && group + ++pads >= 4) { // a pad sequence ends the data: the group's whole bytes out
        if (group === 2) out[n++] = (bits >> 4) & 0xff;
        else out.set([(bits >> 10) & 0xff, (bits >> 2) & 0xff], (n += 2) - 2);
        return out.slice(0, n);
      }
      continue;
    }
    const v = ALPHABET.indexOf(ch);
    if (v < 0) continue;
    pads = 0;
    chars++;
    bits = (bits << 6) | v;
    if (++group === 4) {
      out[n++] = (bits >> 16) & 0xff;
      out[n++] = (bits >> 8) & 0xff;
      out[n++] = bits & 0xff;
      group = 0;
      bits = 0;
    }
  }
  if (group === 1) {
    throw new RangeError(
      `Invalid base64-encoded string: number of data characters (${chars}) cannot be 1 more than a multiple of 4`,
    );
  }
  if (group !== 0) throw new RangeError("Incorrect padding");
  return out.slice(0, n);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** What Python's `time.strptime` makes of `" %d %H:%M:%S %Y GMT"`: white space is one or more, case ignored. */
const CERT_TIME =
  /^\s+(3[01]|[12]\d|0[1-9]|[1-9]| [1-9])\s+(2[0-3]|[0-1]\d|\d):([0-5]\d|\d):(6[0-1]|[0-5]\d|\d)\s+(\d\d\d\d)\s+GMT/i;

/** A string as Python's `repr` quotes it (single quotes unless it holds one and no double). */
function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  return quote + text.replaceAll("\\", "\\\\").replaceAll(quote, "\\" + quote) + quote;
}

/**
 * Seconds since the epoch of a certificate's time (`notBefore`, `notAfter`
 * of `getpeercert()`, such as `"May  9 00:00:00 2007 GMT"`), as Python's
 * `ssl.cert_time_to_seconds`: the month's English abbreviation in any case,
 * then what `time.strptime` accepts for `" %d %H:%M:%S %Y GMT"`, in UTC.
 *
 * @param certTime The time as the certificate's text has it.
 * @returns Seconds since 1970-01-01 UTC.
 * @throws {RangeError} Python's `ValueError`, with its text.
 * @example
 * ```ts ignore
 * const left = ssl.certTimeToSeconds(cert.notAfter) - Date.now() / 1000;
 * ```
 */
export function certTimeToSeconds(certTime: string): number {
  if (typeof certTime !== "string") {
    throw new TypeError(`Invalid certTime: expected a string, got ${show(certTime)}`);
  }
  const head = certTime.slice(0, 3);
  const month = MONTHS.indexOf(head.charAt(0).toUpperCase() + head.slice(1).toLowerCase());
  if (month < 0) {
    throw new RangeError(`time data ${pyRepr(certTime)} does not match format "%b %d %H:%M:%S %Y GMT"`);
  }
  const rest = certTime.slice(3);
  const m = CERT_TIME.exec(rest);
  if (!m) throw new RangeError(`time data ${pyRepr(rest)} does not match format ' %d %H:%M:%S %Y GMT'`);
  if (m[0].length !== rest.length) {
    throw new RangeError(`unconverted data remains: ${rest.slice(m[0].length)}`);
  }
  const [day, hour, minute, second, year] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (year === 0) throw new RangeError("year 0 is out of range"); // Python's calendar.timegm (datetime's years)
  // A Date carries past the month's end as calendar.timegm does (Feb 31 is March 2 or 3; second 60 the next
  // minute); set field by field, since Date.UTC reads years 0 to 99 as 1900 to 1999.
  const time = new Date(0);
  time.setUTCFullYear(year, month, day);
  time.setUTCHours(hour, minute, second);
  return time.getTime() / 1000;
}

/** Options of {@linkcode getServerCertificate}. */
export interface ServerCertificateOptions {
  /** CA certificates (a PEM file) to verify the chain with; without them nothing is verified. */
  caCerts?: string | null;
  /** Seconds for the connection and the handshake; `null` (the default) follows `socket.setDefaultTimeout`. */
  timeout?: number | null;
}

/**
 * The certificate a TLS server presents at `address`, as PEM text, as
 * Python's `ssl.get_server_certificate`: connects, shakes hands with the
 * host's name as SNI, and returns what it was sent. Not verified (neither
 * chain nor name) unless `caCerts` is given, then the chain is. Blocks for
 * the connection and the handshake.
 *
 * @param address `[host, port]`.
 * @param options CA certificates, timeout.
 * @returns The PEM text.
 * @throws {OSError} If the connection fails; {@linkcode SSLError} if the handshake does.
 * @example
 * ```ts ignore
 * const pem = ssl.getServerCertificate(["example.org", 443], { timeout: 5 });
 * ```
 */
export function getServerCertificate(
  address: readonly [host: string, port: number],
  options: ServerCertificateOptions = {},
): string {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Invalid options: ${show(options)}`);
  }
  const { caCerts = null, timeout = null } = options;
  if (caCerts !== null && typeof caCerts !== "string") {
    throw new TypeError(`Invalid caCerts: ${show(caCerts)}`);
  }
  const context = new SSLContext(PROTOCOL_TLS_CLIENT);
  try {
    context.checkHostname = false;
    context.verifyMode = caCerts === null ? CERT_NONE : CERT_REQUIRED;
    if (caCerts !== null) context.loadVerifyLocations(caCerts);
    const sock = createConnection(address, timeout);
    using tls = (() => {
      try {
        return context.wrapSocket(sock, { serverHostname: address[0] });
      } catch (e) {
        sock.close();
        throw e;
      }
    })();
    return derCertToPemCert(tls.getpeercert(true)!);
  } finally {
    context.close();
  }
}
