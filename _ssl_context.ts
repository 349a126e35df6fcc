/**
 * TLS configuration: {@linkcode SSLContext}, Python's `ssl.SSLContext`, and
 * `createDefaultContext`; it makes connections (`wrapSocket`, `wrapBio`).
 *
 * @module
 */
import { openSsl } from "./ffi/openssl.ts";
import { show, toCString } from "./_validate.ts";
import type { Socket } from "./_socket_object.ts";
import { disown, own } from "./_ssl_owned.ts";
import {
  BIO_C_SET_BUF_MEM_EOF_RETURN,
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  checkFlag,
  DEFAULT_CIPHERS,
  OP_ALL,
  OP_CIPHER_SERVER_PREFERENCE,
  OP_NO_COMPRESSION,
  OP_NO_SSLv3,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  Purpose,
  SSL_CTRL_GET_MAX_PROTO_VERSION,
  SSL_CTRL_GET_MIN_PROTO_VERSION,
  SSL_CTRL_MODE,
  SSL_CTRL_SET_MAX_PROTO_VERSION,
  SSL_CTRL_SET_MIN_PROTO_VERSION,
  SSL_FILETYPE_PEM,
  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER,
  SSL_MODE_ENABLE_PARTIAL_WRITE,
  SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
  SSL_VERIFY_PEER,
  TLSVersion,
  VERIFY_X509_TRUSTED_FIRST,
  type WrapOptions,
  X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
} from "./_ssl_constants.ts";
import { raiseFromQueue, SSLError, sslError } from "./_ssl_errors.ts";
import { byteLength, bytesOf } from "./ffi/bytes.ts";
import {
  alpnTrampoline,
  type SniCallback,
  sniTrampoline,
  SSL_CTRL_SET_TLSEXT_SERVERNAME_CB,
} from "./_ssl_callbacks.ts";
import { type MemoryBIO, SSLObject } from "./_ssl_bio.ts";
import { SSLSocket } from "./_ssl_socket.ts";
import { derOf, describeCertificate, type PeerCertificate } from "./_ssl_cert.ts";
import { type CipherDetails, cipherDetails, ciphersOf } from "./_ssl_cipher.ts";

/** What {@linkcode SSLContext.sessionStats} counts (Python's keys, in camelCase). */
export interface SessionStats {
  /** Sessions in the cache now. */
  number: number;
  /** Handshakes started as a client. */
  connect: number;
  /** Handshakes finished as a client. */
  connectGood: number;
  /** Renegotiations started as a client. */
  connectRenegotiate: number;
  /** Handshakes started as a server. */
  accept: number;
  /** Handshakes finished as a server. */
  acceptGood: number;
  /** Renegotiations started as a server. */
  acceptRenegotiate: number;
  /** Sessions resumed from the cache. */
  hits: number;
  /** Sessions asked for and not found. */
  misses: number;
  /** Sessions found expired. */
  timeouts: number;
  /** Sessions dropped because the cache was full. */
  cacheFull: number;
}

/** `SSL_CTRL_SESS_*`: OpenSSL's command for each counter, in Python's order. */
const SESSION_STATS: ReadonlyArray<readonly [keyof SessionStats, number]> = [
  ["number", 20],
  ["connect", 21],
  ["connectGood", 22],
  ["connectRenegotiate", 23],
  ["accept", 24],
  ["acceptGood", 25],
  ["acceptRenegotiate", 26],
  ["hits", 27],
  ["misses", 29],
  ["timeouts", 30],
  ["cacheFull", 31],
];

/** `X509_LU_X509` and `X509_LU_CRL`: what an `X509_OBJECT` of a store holds. */
const X509_LU_X509 = 1, X509_LU_CRL = 2;
/** The largest `verifyFlags` value: C's `unsigned long` (64 bits here, 32 on Windows), within a safe integer. */
const MAX_FLAGS = 0xffffffff;

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
  #sniCallback: SniCallback | null = null;
  /** The ALPN protocols in wire form, over an ArrayBuffer of its own (never moved): OpenSSL points into it. */
  #alpnWire: Uint8Array | null = null;
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
    // Python's defaults: OpenSSL's bug workarounds, no SSL 3, no compression, the server's cipher order,
    // its cipher list, and no partial wildcards (`f*.example.com`) in the host name check.
    ssl.SSL_CTX_set_options(
      ctx,
      (OP_ALL | OP_NO_SSLv3 | OP_NO_COMPRESSION | OP_CIPHER_SERVER_PREFERENCE) >>> 0,
    );
    if (ssl.SSL_CTX_set_cipher_list(ctx, toCString(DEFAULT_CIPHERS, "ciphers")) !== 1) {
      throw raiseFromQueue("set_cipher_list");
    }
    const { crypto } = openSsl();
    const param = ssl.SSL_CTX_get0_param(ctx);
    crypto.X509_VERIFY_PARAM_set_flags(param, VERIFY_X509_TRUSTED_FIRST); // as CPython does
    crypto.X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
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
    if (typeof bits !== "number") {
      throw new TypeError(`Invalid options: expected a number, got ${show(bits)}`);
    }
    // `options |= x` on a value with bit 31 set (OP_ALL's) gives a negative 32-bit number in JavaScript: its bits are meant.
    if (!Number.isInteger(bits) || bits < -0x80000000 || bits > 0xffffffff) {
      throw new RangeError(`Invalid options: ${show(bits)}: OP_* bits (32 of them)`);
    }
    const ctx = this.#open(), now = this.options;
    const { ssl } = openSsl();
    const clear = (now & ~bits) >>> 0, set = (bits & ~now) >>> 0;
    if (clear) ssl.SSL_CTX_clear_options(ctx, clear);
    if (set) ssl.SSL_CTX_set_options(ctx, set);
  }

  /**
   * The certificate checks beyond the defaults, as `VERIFY_*` bits
   * (`ssl.VerifyFlags`): `verifyFlags |= ssl.VERIFY_X509_STRICT`. A new
   * context has `VERIFY_X509_TRUSTED_FIRST`, as Python's.
   *
   * @example
   * ```ts ignore
   * ctx.verifyFlags |= ssl.VERIFY_X509_PARTIAL_CHAIN; // trust an intermediate of the store
   * ```
   */
  get verifyFlags(): number {
    return Number(openSsl().crypto.X509_VERIFY_PARAM_get_flags(this.#param()));
  }

  set verifyFlags(flags: number) {
    if (typeof flags !== "number") {
      throw new TypeError(`Invalid verifyFlags: expected a number, got ${show(flags)}`);
    }
    if (!Number.isInteger(flags) || flags < 0 || flags > MAX_FLAGS) {
      throw new RangeError(
        `Invalid verifyFlags: ${show(flags)}: a non-negative integer of at most ${MAX_FLAGS}`,
      );
    }
    const { crypto } = openSsl();
    const param = this.#param(), now = this.verifyFlags;
    // As CPython does: clear what is no longer wanted, set what is new.
    const clear = (now & ~flags) >>> 0, set = (flags & ~now) >>> 0;
    if (clear && crypto.X509_VERIFY_PARAM_clear_flags(param, clear) !== 1) {
      throw raiseFromQueue("clear_flags");
    }
    if (set && crypto.X509_VERIFY_PARAM_set_flags(param, set) !== 1) throw raiseFromQueue("set_flags");
  }

  #param(): bigint {
    return openSsl().ssl.SSL_CTX_get0_param(this.#open());
  }

  /** OpenSSL's security level (0 to 5) of this context: what key sizes and algorithms it accepts. Read-only, as in Python. */
  get securityLevel(): number {
    return openSsl().ssl.SSL_CTX_get_security_level(this.#open());
  }

  /**
   * How many TLS 1.3 session tickets a server sends after the handshake
   * (OpenSSL's default: 2); 0 sends none. Set on server contexts only.
   *
   * @example
   * ```ts ignore
   * serverCtx.numTickets = 0; // no resumption
   * ```
   */
  get numTickets(): number {
    return Number(openSsl().ssl.SSL_CTX_get_num_tickets(this.#open()));
  }

  set numTickets(n: number) {
    if (typeof n !== "number") throw new TypeError(`Invalid numTickets: expected a number, got ${show(n)}`);
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new RangeError(`Invalid numTickets: ${show(n)}: value must be non-negative`);
    }
    if (this.protocol !== PROTOCOL_TLS_SERVER) throw new RangeError("SSLContext is not a server context.");
    if (openSsl().ssl.SSL_CTX_set_num_tickets(this.#open(), n) !== 1) {
      throw sslError(SSLError, 1, "failed to set num tickets.");
    }
  }

  /**
   * The cipher suites this context offers, in its order, as Python's
   * `get_ciphers()` describes them (`strength_bits` and `alg_bits` are
   * `strengthBits` and `algBits` here).
   *
   * @returns One entry per suite.
   * @example
   * ```ts ignore
   * for (const c of ctx.getCiphers()) console.log(c.name, c.protocol, c.strengthBits);
   * ```
   */
  getCiphers(): CipherDetails[] {
    const { ssl } = openSsl();
    const s = ssl.SSL_new(this.#open()); // the list as a connection of this context would have it
    if (s === 0n) throw raiseFromQueue("SSL_new");
    try {
      return ciphersOf(ssl.SSL_get_ciphers(s)).map(cipherDetails);
    } finally {
      ssl.SSL_free(s);
    }
  }

  /**
   * How many certificates the context trusts now, as Python's
   * `cert_store_stats()`: `x509` certificates (of which `x509Ca` are CAs) and
   * `crl` revocation lists. Certificates of a `capath` directory count only
   * once a handshake has read them.
   *
   * @example
   * ```ts ignore
   * ctx.loadVerifyLocations("ca.pem");
   * console.log(ctx.certStoreStats()); // { x509: 1, crl: 0, x509Ca: 1 }
   * ```
   */
  certStoreStats(): { x509: number; crl: number; x509Ca: number } {
    const stats = { x509: 0, crl: 0, x509Ca: 0 };
    const { crypto } = openSsl();
    for (const obj of this.#storeObjects()) {
      const type = crypto.X509_OBJECT_get_type(obj);
      if (type === X509_LU_CRL) stats.crl++;
      else if (type === X509_LU_X509) {
        stats.x509++;
        if (crypto.X509_check_ca(crypto.X509_OBJECT_get0_X509(obj)) !== 0) stats.x509Ca++;
      }
    }
    return stats;
  }

  /**
   * The CA certificates the context trusts now (from `cafile` or `cadata`;
   * a `capath` directory's only once a handshake has read them), described
   * as `getpeercert()` does, or with `true` as DER bytes: Python's `get_ca_certs()`.
   *
   * @param binaryForm `true` for DER bytes.
   * @returns One entry per CA certificate.
   * @example
   * ```ts ignore
   * console.log(ctx.getCaCerts().map((c) => c.subject));
   * ```
   */
  getCaCerts(binaryForm?: false): PeerCertificate[];
  /** The CA certificates as DER bytes (see the first signature). */
  getCaCerts(binaryForm: true): Uint8Array<ArrayBuffer>[];
  getCaCerts(binaryForm = false): PeerCertificate[] | Uint8Array<ArrayBuffer>[] {
    checkFlag(binaryForm, "binaryForm");
    const { crypto } = openSsl();
    const certs: bigint[] = [];
    for (const obj of this.#storeObjects()) {
      if (crypto.X509_OBJECT_get_type(obj) !== X509_LU_X509) continue;
      const x = crypto.X509_OBJECT_get0_X509(obj);
      if (crypto.X509_check_ca(x) !== 0) certs.push(x);
    }
    return binaryForm ? certs.map(derOf) : certs.map(describeCertificate);
  }

  /**
   * The context's session-cache counters, as Python's `session_stats()`
   * (its keys in camelCase): sessions in the cache, handshakes started and
   * finished as a client (`connect*`) and as a server (`accept*`), resumed
   * (`hits`) or not (`misses`), and the cache's timeouts and overflows.
   *
   * @example
   * ```ts ignore
   * console.log(serverCtx.sessionStats().acceptGood); // handshakes this server finished
   * ```
   */
  sessionStats(): SessionStats {
    const ctx = this.#open();
    const { ssl } = openSsl();
    const stats = {} as Record<keyof SessionStats, number>;
    for (const [name, cmd] of SESSION_STATS) stats[name] = Number(ssl.SSL_CTX_ctrl(ctx, cmd, 0, 0n));
    return stats;
  }

  /** The `X509_OBJECT *`s of the context's trust store (owned by the store: read them before it changes). */
  #storeObjects(): bigint[] {
    const { ssl, crypto } = openSsl();
    const objects = crypto.X509_STORE_get0_objects(ssl.SSL_CTX_get_cert_store(this.#open()));
    const n = objects === 0n ? 0 : crypto.OPENSSL_sk_num(objects);
    const out: bigint[] = [];
    for (let i = 0; i < n; i++) out.push(crypto.OPENSSL_sk_value(objects, i));
    return out;
  }

  /**
   * Trusts the CA certificates in a file, a directory (hashed names) or data.
   *
   * @param cafile A PEM file of CA certificates.
   * @param capath A directory of them (`c_rehash` names).
   * @param cadata PEM text (a string) or DER bytes, one certificate after another.
   * @throws {SSLError} When OpenSSL cannot read them (a missing file: FileNotFoundError's text; data with
   *   no certificate: Python's "no start line"/"not enough data" texts).
   * @throws {TypeError} When all three are missing, or `cadata` is neither ASCII text nor bytes.
   */
  loadVerifyLocations(
    cafile?: string | null,
    capath?: string | null,
    cadata?: string | ArrayBufferView | ArrayBuffer | null,
  ): void {
    if ((cafile ?? null) === null && (capath ?? null) === null && (cadata ?? null) === null) {
      throw new TypeError("cafile, capath and cadata cannot be all omitted");
    }
    const ctx = this.#open();
    // cadata first, then the files, as CPython does (the order getCaCerts() lists them in).
    if (cadata != null) addCaCerts(ctx, cadata);
    if (cafile != null || capath != null) {
      const f = cafile == null ? null : toCString(cafile, "cafile");
      const p = capath == null ? null : toCString(capath, "capath");
      openSsl().crypto.ERR_clear_error();
      if (openSsl().ssl.SSL_CTX_load_verify_locations(ctx, f, p) !== 1) {
        throw raiseFromQueue("load_verify_locations");
      }
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
    const wire = new Uint8Array(new ArrayBuffer(parts.length));
    wire.set(parts);
    const { ssl } = openSsl();
    // What a client offers; returns 0 on success (unlike the rest of OpenSSL).
    if (ssl.SSL_CTX_set_alpn_protos(this.#open(), wire, wire.length) !== 0) {
      throw raiseFromQueue("set_alpn_protos");
    }
    // What a server picks from a client's offer: the first of these the client offers (CPython's rule).
    if (this.protocol === PROTOCOL_TLS_SERVER) {
      ssl.SSL_CTX_set_alpn_select_cb(this.#ctx, alpnTrampoline(), 0n);
    }
    this.#alpnWire = wire;
  }

  /** @internal The ALPN protocols in wire form, for the server's selection. */
  alpnWire(): Uint8Array | null {
    return this.#alpnWire;
  }

  /**
   * Python's `sni_callback`: on a server, called with the name a client asks
   * for (`null` if none) before the certificate is chosen, as
   * `callback(sslSocket, serverName, sslContext)`. It may set
   * `sslSocket.context` to another context (another certificate); returning
   * an alert number (`ALERT_DESCRIPTION_*`) refuses the handshake. If it
   * throws, the handshake fails with a handshake_failure alert and the
   * server's SSLError carries the exception as `cause`. `null` removes it.
   *
   * @example
   * ```ts ignore
   * ctx.sniCallback = (sock, name) => { if (name === "b.example") sock.context = other; };
   * ```
   */
  get sniCallback(): SniCallback | null {
    return this.#sniCallback;
  }

  set sniCallback(callback: SniCallback | null) {
    if (callback !== null && typeof callback !== "function") {
      throw new TypeError(`Invalid sniCallback: not a function: ${show(callback)}`);
    }
    if (this.protocol === PROTOCOL_TLS_CLIENT) {
      throw new RangeError("sniCallback cannot be set on a PROTOCOL_TLS_CLIENT context");
    }
    const ctx = this.#open();
    openSsl().ssl.SSL_CTX_callback_ctrl(
      ctx,
      SSL_CTRL_SET_TLSEXT_SERVERNAME_CB,
      callback === null ? 0n : sniTrampoline(),
    );
    this.#sniCallback = callback;
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

/** OpenSSL 3.0's error reasons that end a certificate stream cleanly: ASN1_R_HEADER_TOO_LONG, PEM_R_NO_START_LINE. */
const ERR_LIB_ASN1 = 13, ASN1_R_HEADER_TOO_LONG = 123, ERR_LIB_PEM = 9, PEM_R_NO_START_LINE = 108;

/**
 * `cadata` into the context's trust store, as CPython's `_add_ca_certs`:
 * a string is PEM (one certificate or more, ASCII), bytes are DER
 * certificates one after another. None found: an SSLError.
 */
function addCaCerts(ctx: bigint, cadata: string | ArrayBufferView | ArrayBuffer): void {
  let bytes: ArrayBufferView;
  let pem: boolean;
  if (typeof cadata === "string") {
    for (let i = 0; i < cadata.length; i++) {
      if (cadata.charCodeAt(i) > 0x7f) {
        throw new TypeError("cadata should be an ASCII string or a bytes-like object");
      }
    }
    bytes = new TextEncoder().encode(cadata);
    pem = true;
  } else {
    try {
      bytes = bytesOf(cadata, "cadata");
    } catch {
      throw new TypeError(`cadata should be an ASCII string or a bytes-like object, got ${show(cadata)}`);
    }
    pem = false;
  }
  const length = byteLength(bytes, "cadata");
  if (length > 0x7fffffff) throw new RangeError("cadata is too long");
  const { ssl, crypto } = openSsl();
  crypto.ERR_clear_error();
  const bio = crypto.BIO_new(crypto.BIO_s_mem());
  if (bio === 0n) throw raiseFromQueue("BIO_new");
  try {
    crypto.BIO_ctrl(bio, BIO_C_SET_BUF_MEM_EOF_RETURN, 0, 0n); // its end reads as the end (CPython's read-only buffer)
    if (length > 0 && crypto.BIO_write(bio, bytes, length) !== length) throw raiseFromQueue("BIO_write");
    const store = ssl.SSL_CTX_get_cert_store(ctx);
    let loaded = 0;
    for (;;) {
      const x = pem ? crypto.PEM_read_bio_X509(bio, 0n, 0n, 0n) : crypto.d2i_X509_bio(bio, 0n);
      if (x === 0n) break;
      const added = crypto.X509_STORE_add_cert(store, x);
      crypto.X509_free(x);
      if (added !== 1) throw raiseFromQueue("X509_STORE_add_cert");
      loaded++;
    }
    if (loaded === 0) {
      crypto.ERR_clear_error();
      const why = pem ? "no start line" : "not enough data"; // CPython's words
      throw sslError(SSLError, 0, `${why}: cadata does not contain a certificate`);
    }
    const err = Number(crypto.ERR_peek_last_error());
    const lib = (err >>> 23) & 0xff, reason = err & 0x7fffff;
    const cleanEnd = err === 0 || (!pem && lib === ERR_LIB_ASN1 && reason === ASN1_R_HEADER_TOO_LONG) ||
      (pem && lib === ERR_LIB_PEM && reason === PEM_R_NO_START_LINE);
    if (!cleanEnd) throw raiseFromQueue("load_verify_locations");
    crypto.ERR_clear_error();
  } finally {
    crypto.BIO_free(bio);
  }
}
