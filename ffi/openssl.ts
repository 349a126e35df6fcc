/**
 * The system's OpenSSL 3 (`libssl`, `libcrypto`): where it is on each OS,
 * the symbol tables `ssl.ts` calls, and its error queue. Opened on first use
 * only: a program that never touches `ssl` needs no OpenSSL.
 *
 * Pointers OpenSSL owns (`SSL_CTX *`, `SSL *`, `BIO *`, `X509 *`) are bigints
 * (`pointer`); bytes it reads or writes are the library's own buffers
 * (`buffer`), measured by `ssl.ts` through `ffi/bytes.ts`. Macros of the C API
 * are called through the ctrl functions with OpenSSL 3.0's command numbers.
 *
 * @module
 */
import { ARCH, getEnv, OS } from "./_host.ts";
import { adapter } from "./mod.ts";
import type { BoundSymbols, SymbolSpec } from "./_types.ts";

/** C `long` and `unsigned long`: 64 bits on Unix, 32 on Windows. */
const LONG = OS === "windows" ? "i32" : "i64";
const ULONG = OS === "windows" ? "u32" : "u64";

/** The libssl functions used here. */
export const LIBSSL = {
  TLS_client_method: { params: [], result: "pointer" }, // const SSL_METHOD *TLS_client_method(void)
  TLS_server_method: { params: [], result: "pointer" }, // const SSL_METHOD *TLS_server_method(void)
  TLS_method: { params: [], result: "pointer" }, // const SSL_METHOD *TLS_method(void)
  SSL_CTX_new: { params: ["pointer"], result: "pointer" }, // SSL_CTX *SSL_CTX_new(const SSL_METHOD *)
  SSL_CTX_free: { params: ["pointer"], result: "void" }, // void SSL_CTX_free(SSL_CTX *)
  SSL_CTX_set_verify: { params: ["pointer", "i32", "pointer"], result: "void" }, // (ctx, int mode, verify_callback NULL)
  SSL_CTX_get_verify_mode: { params: ["pointer"], result: "i32" }, // int SSL_CTX_get_verify_mode(const SSL_CTX *)
  SSL_get_verify_mode: { params: ["pointer"], result: "i32" }, // int (const SSL *)
  SSL_set_verify: { params: ["pointer", "i32", "pointer"], result: "void" }, // (ssl, int mode, verify_callback NULL)
  SSL_set_post_handshake_auth: { params: ["pointer", "i32"], result: "void" }, // void (SSL *, int val)
  SSL_verify_client_post_handshake: { params: ["pointer"], result: "i32" }, // int (SSL *)
  SSL_CTX_load_verify_locations: { params: ["pointer", "buffer", "buffer"], result: "i32" }, // (ctx, CAfile, CApath)
  SSL_CTX_set_default_verify_paths: { params: ["pointer"], result: "i32" }, // int (SSL_CTX *)
  SSL_CTX_use_certificate_chain_file: { params: ["pointer", "buffer"], result: "i32" }, // (ctx, const char *file)
  SSL_CTX_use_PrivateKey_file: { params: ["pointer", "buffer", "i32"], result: "i32" }, // (ctx, file, int type)
  SSL_CTX_check_private_key: { params: ["pointer"], result: "i32" }, // int (const SSL_CTX *)
  SSL_CTX_set_default_passwd_cb_userdata: { params: ["pointer", "buffer"], result: "void" }, // (ctx, void *u)
  SSL_CTX_ctrl: { params: ["pointer", "i32", LONG, "pointer"], result: LONG }, // long (ctx, int cmd, long larg, void *parg)
  // The same, for commands whose argument is the library's own bytes (a group list).
  SSL_CTX_ctrl_bytes: { symbol: "SSL_CTX_ctrl", params: ["pointer", "i32", LONG, "buffer"], result: LONG },
  SSL_CTX_set_cipher_list: { params: ["pointer", "buffer"], result: "i32" }, // int (ctx, const char *str)
  SSL_CTX_set_ciphersuites: { params: ["pointer", "buffer"], result: "i32" }, // int (ctx, const char *str)
  SSL_CTX_set_options: { params: ["pointer", "u64"], result: "u64" }, // uint64_t (ctx, uint64_t op)
  SSL_CTX_clear_options: { params: ["pointer", "u64"], result: "u64" }, // uint64_t (ctx, uint64_t op)
  SSL_CTX_get_options: { params: ["pointer"], result: "u64" }, // uint64_t (const SSL_CTX *)
  SSL_CTX_set_alpn_protos: { params: ["pointer", "buffer", "u32"], result: "i32" }, // (ctx, const unsigned char *, unsigned len)
  SSL_new: { params: ["pointer"], result: "pointer" }, // SSL *SSL_new(SSL_CTX *)
  SSL_free: { params: ["pointer"], result: "void" }, // void SSL_free(SSL *)
  SSL_set_bio: { params: ["pointer", "pointer", "pointer"], result: "void" }, // (ssl, BIO *rbio, BIO *wbio)
  SSL_set_connect_state: { params: ["pointer"], result: "void" }, // void (SSL *)
  SSL_set_accept_state: { params: ["pointer"], result: "void" }, // void (SSL *)
  SSL_do_handshake: { params: ["pointer"], result: "i32", callback: true }, // int (SSL *)
  SSL_read: { params: ["pointer", "buffer", "i32"], result: "i32", callback: true }, // int (ssl, void *buf, int num)
  SSL_peek: { params: ["pointer", "buffer", "i32"], result: "i32", callback: true }, // int (ssl, void *buf, int num)
  SSL_write: { params: ["pointer", "buffer", "i32"], result: "i32", callback: true }, // int (ssl, const void *buf, int num)
  // The same two once a TLS 1.3 handshake is done: no ClientHello can come (no renegotiation), so
  // neither callback (SNI, ALPN) can run, and Deno may fast-call them.
  SSL_read_settled: { symbol: "SSL_read", params: ["pointer", "buffer", "i32"], result: "i32" },
  SSL_write_settled: { symbol: "SSL_write", params: ["pointer", "buffer", "i32"], result: "i32" },
  SSL_version: { params: ["pointer"], result: "i32" }, // int (const SSL *): TLS1_3_VERSION is 0x0304
  SSL_get_error: { params: ["pointer", "i32"], result: "i32" }, // int (const SSL *, int ret)
  SSL_pending: { params: ["pointer"], result: "i32" }, // int (const SSL *)
  SSL_is_init_finished: { params: ["pointer"], result: "i32" }, // int (const SSL *): the handshake is done
  SSL_CTX_callback_ctrl: { params: ["pointer", "i32", "pointer"], result: LONG }, // long (ctx, int cmd, void (*fp)(void))
  SSL_CTX_set_alpn_select_cb: { params: ["pointer", "pointer", "pointer"], result: "void" }, // (ctx, cb, void *arg)
  SSL_CTX_set_keylog_callback: { params: ["pointer", "pointer"], result: "void" }, // (ctx, void (*cb)(const SSL *, const char *line))
  SSL_select_next_proto: { params: ["pointer", "pointer", "buffer", "u32", "pointer", "u32"], result: "i32" }, // (out, outlen, server, len, client, len)
  SSL_get_servername: { params: ["pointer", "i32"], result: "pointer" }, // const char *(const SSL *, int type)
  SSL_set_SSL_CTX: { params: ["pointer", "pointer"], result: "pointer" }, // SSL_CTX *(SSL *, SSL_CTX *)
  SSL_shutdown: { params: ["pointer"], result: "i32" }, // int (SSL *)
  SSL_ctrl: { params: ["pointer", "i32", LONG, "buffer"], result: LONG }, // long (ssl, int cmd, long larg, void *parg)
  SSL_set1_host: { params: ["pointer", "buffer"], result: "i32" }, // int (SSL *, const char *hostname)
  SSL_get0_param: { params: ["pointer"], result: "pointer" }, // X509_VERIFY_PARAM *(SSL *)
  SSL_get_verify_result: { params: ["pointer"], result: LONG }, // long (const SSL *)
  SSL_get_version: { params: ["pointer"], result: "pointer" }, // const char *(const SSL *)
  SSL_get_current_cipher: { params: ["pointer"], result: "pointer" }, // const SSL_CIPHER *(const SSL *)
  SSL_CIPHER_get_name: { params: ["pointer"], result: "pointer" }, // const char *(const SSL_CIPHER *)
  SSL_CIPHER_get_version: { params: ["pointer"], result: "pointer" }, // const char *(const SSL_CIPHER *)
  SSL_CIPHER_get_bits: { params: ["pointer", "buffer"], result: "i32" }, // int (const SSL_CIPHER *, int *alg_bits)
  SSL_CIPHER_get_id: { params: ["pointer"], result: "u32" }, // uint32_t (const SSL_CIPHER *)
  SSL_CIPHER_description: { params: ["pointer", "buffer", "i32"], result: "pointer" }, // char *(c, char *buf, int size)
  SSL_CIPHER_is_aead: { params: ["pointer"], result: "i32" }, // int (const SSL_CIPHER *)
  SSL_CIPHER_get_cipher_nid: { params: ["pointer"], result: "i32" }, // int (const SSL_CIPHER *)
  SSL_CIPHER_get_digest_nid: { params: ["pointer"], result: "i32" }, // int (const SSL_CIPHER *)
  SSL_CIPHER_get_kx_nid: { params: ["pointer"], result: "i32" }, // int (const SSL_CIPHER *)
  SSL_CIPHER_get_auth_nid: { params: ["pointer"], result: "i32" }, // int (const SSL_CIPHER *)
  SSL_get_ciphers: { params: ["pointer"], result: "pointer" }, // STACK_OF(SSL_CIPHER) *(const SSL *)
  SSL_get_client_ciphers: { params: ["pointer"], result: "pointer" }, // STACK_OF(SSL_CIPHER) *(const SSL *): servers
  SSL_CTX_get_security_level: { params: ["pointer"], result: "i32" }, // int (const SSL_CTX *)
  SSL_CTX_set_num_tickets: { params: ["pointer", "u64"], result: "i32" }, // int (SSL_CTX *, size_t)
  SSL_CTX_get_num_tickets: { params: ["pointer"], result: "u64" }, // size_t (const SSL_CTX *)
  SSL_CTX_get0_param: { params: ["pointer"], result: "pointer" }, // X509_VERIFY_PARAM *(SSL_CTX *)
  SSL_get0_alpn_selected: { params: ["pointer", "buffer", "buffer"], result: "void" }, // (ssl, const unsigned char **, unsigned *)
  SSL_get1_peer_certificate: { params: ["pointer"], result: "pointer" }, // X509 *(const SSL *)
  SSL_CTX_get_cert_store: { params: ["pointer"], result: "pointer" }, // X509_STORE *(const SSL_CTX *)
  SSL_get1_session: { params: ["pointer"], result: "pointer" }, // SSL_SESSION *(SSL *): a new reference
  SSL_set_session: { params: ["pointer", "pointer"], result: "i32" }, // int (SSL *, SSL_SESSION *)
  SSL_session_reused: { params: ["pointer"], result: "i32" }, // int (const SSL *)
  SSL_get_finished: { params: ["pointer", "buffer", "u64"], result: "u64" }, // size_t (const SSL *, void *buf, size_t count)
  SSL_get_peer_finished: { params: ["pointer", "buffer", "u64"], result: "u64" }, // size_t (same)
  SSL_set_shutdown: { params: ["pointer", "i32"], result: "void" }, // void (SSL *, int mode)
  SSL_get_shutdown: { params: ["pointer"], result: "i32" }, // int (const SSL *)
  SSL_SESSION_free: { params: ["pointer"], result: "void" }, // void (SSL_SESSION *)
  SSL_SESSION_get_id: { params: ["pointer", "buffer"], result: "pointer" }, // const unsigned char *(s, unsigned int *len)
  SSL_SESSION_get_time: { params: ["pointer"], result: LONG }, // long (const SSL_SESSION *)
  SSL_SESSION_get_timeout: { params: ["pointer"], result: LONG }, // long (const SSL_SESSION *)
  SSL_SESSION_has_ticket: { params: ["pointer"], result: "i32" }, // int (const SSL_SESSION *)
  SSL_SESSION_get_ticket_lifetime_hint: { params: ["pointer"], result: ULONG }, // unsigned long (const SSL_SESSION *)
} as const satisfies Record<string, SymbolSpec>;

/** The libcrypto functions used here. */
export const LIBCRYPTO = {
  OpenSSL_version: { params: ["i32"], result: "pointer" }, // const char *OpenSSL_version(int t)
  OpenSSL_version_num: { params: [], result: ULONG }, // unsigned long (void)
  RAND_bytes: { params: ["buffer", "i32"], result: "i32" }, // int (unsigned char *buf, int num)
  RAND_status: { params: [], result: "i32" }, // int (void): 1 when seeded
  RAND_add: { params: ["buffer", "i32", "f64"], result: "void" }, // void (const void *buf, int num, double entropy)
  X509_get_default_cert_file: { params: [], result: "pointer" }, // const char *(void): OpenSSL's built-in CA file
  X509_get_default_cert_dir: { params: [], result: "pointer" }, // const char *(void)
  X509_get_default_cert_file_env: { params: [], result: "pointer" }, // const char *(void): "SSL_CERT_FILE"
  X509_get_default_cert_dir_env: { params: [], result: "pointer" }, // const char *(void): "SSL_CERT_DIR"
  BIO_s_mem: { params: [], result: "pointer" }, // const BIO_METHOD *BIO_s_mem(void)
  BIO_new: { params: ["pointer"], result: "pointer" }, // BIO *BIO_new(const BIO_METHOD *)
  BIO_free: { params: ["pointer"], result: "i32" }, // int BIO_free(BIO *)
  BIO_read: { params: ["pointer", "buffer", "i32"], result: "i32" }, // int (BIO *, void *data, int dlen)
  BIO_write: { params: ["pointer", "buffer", "i32"], result: "i32" }, // int (BIO *, const void *data, int dlen)
  BIO_ctrl: { params: ["pointer", "i32", LONG, "pointer"], result: LONG }, // long (BIO *, int cmd, long larg, void *parg)
  BIO_ctrl_pending: { params: ["pointer"], result: "u64" }, // size_t BIO_ctrl_pending(BIO *)
  ERR_get_error: { params: [], result: ULONG }, // unsigned long ERR_get_error(void)
  ERR_clear_error: { params: [], result: "void" }, // void ERR_clear_error(void)
  ERR_error_string_n: { params: [ULONG, "buffer", "u64"], result: "void" }, // (unsigned long e, char *buf, size_t len)
  ERR_reason_error_string: { params: [ULONG], result: "pointer" }, // const char *(unsigned long e)
  ERR_lib_error_string: { params: [ULONG], result: "pointer" }, // const char *(unsigned long e)
  X509_verify_cert_error_string: { params: [LONG], result: "pointer" }, // const char *(long n)
  X509_free: { params: ["pointer"], result: "void" }, // void X509_free(X509 *)
  PEM_read_bio_DHparams: { params: ["pointer", "pointer", "pointer", "pointer"], result: "pointer" }, // DH *(BIO *, DH **, pem_password_cb *, void *)
  DH_free: { params: ["pointer"], result: "void" }, // void (DH *)
  PEM_read_bio_X509: { params: ["pointer", "pointer", "pointer", "pointer"], result: "pointer" }, // X509 *(BIO *, X509 **, pem_password_cb *, void *)
  d2i_X509_bio: { params: ["pointer", "pointer"], result: "pointer" }, // X509 *(BIO *, X509 **)
  X509_STORE_add_cert: { params: ["pointer", "pointer"], result: "i32" }, // int (X509_STORE *, X509 *)
  ERR_peek_last_error: { params: [], result: ULONG }, // unsigned long (void)
  i2d_X509: { params: ["pointer", "buffer"], result: "i32" }, // int i2d_X509(const X509 *, unsigned char **out)
  X509_VERIFY_PARAM_set1_ip_asc: { params: ["pointer", "buffer"], result: "i32" }, // int (param, const char *ipasc)
  X509_VERIFY_PARAM_set_hostflags: { params: ["pointer", "u32"], result: "void" }, // void (param, unsigned int flags)
  X509_VERIFY_PARAM_get_flags: { params: ["pointer"], result: ULONG }, // unsigned long (const X509_VERIFY_PARAM *)
  X509_VERIFY_PARAM_set_flags: { params: ["pointer", ULONG], result: "i32" }, // int (param, unsigned long flags)
  X509_VERIFY_PARAM_clear_flags: { params: ["pointer", ULONG], result: "i32" }, // int (param, unsigned long flags)
  // A context's trust store, for certStoreStats() and getCaCerts().
  X509_STORE_get0_objects: { params: ["pointer"], result: "pointer" }, // STACK_OF(X509_OBJECT) *(const X509_STORE *)
  X509_OBJECT_get_type: { params: ["pointer"], result: "i32" }, // X509_LOOKUP_TYPE (const X509_OBJECT *)
  X509_OBJECT_get0_X509: { params: ["pointer"], result: "pointer" }, // X509 *(const X509_OBJECT *)
  X509_check_ca: { params: ["pointer"], result: "i32" }, // int (X509 *): non-zero for a CA
  OPENSSL_sk_find: { params: ["pointer", "pointer"], result: "i32" }, // int (OPENSSL_STACK *, const void *): index or -1
  // Reading a certificate for getpeercert()'s dictionary.
  X509_get_subject_name: { params: ["pointer"], result: "pointer" }, // X509_NAME *(const X509 *)
  X509_get_issuer_name: { params: ["pointer"], result: "pointer" }, // X509_NAME *(const X509 *)
  X509_NAME_entry_count: { params: ["pointer"], result: "i32" }, // int (const X509_NAME *)
  X509_NAME_get_entry: { params: ["pointer", "i32"], result: "pointer" }, // X509_NAME_ENTRY *(const X509_NAME *, int loc)
  X509_NAME_ENTRY_get_object: { params: ["pointer"], result: "pointer" }, // ASN1_OBJECT *(const X509_NAME_ENTRY *)
  X509_NAME_ENTRY_get_data: { params: ["pointer"], result: "pointer" }, // ASN1_STRING *(const X509_NAME_ENTRY *)
  X509_NAME_ENTRY_set: { params: ["pointer"], result: "i32" }, // int (const X509_NAME_ENTRY *): its RDN's index
  OBJ_obj2nid: { params: ["pointer"], result: "i32" }, // int (const ASN1_OBJECT *)
  OBJ_nid2ln: { params: ["i32"], result: "pointer" }, // const char *(int n)
  OBJ_sn2nid: { params: ["buffer"], result: "i32" }, // int (const char *s): 0 for an unknown name
  OBJ_obj2txt: { params: ["buffer", "i32", "pointer", "i32"], result: "i32" }, // int (char *buf, int len, obj, int no_name)
  ASN1_STRING_to_UTF8: { params: ["buffer", "pointer"], result: "i32" }, // int (unsigned char **out, const ASN1_STRING *)
  ASN1_STRING_length: { params: ["pointer"], result: "i32" }, // int (const ASN1_STRING *)
  ASN1_STRING_get0_data: { params: ["pointer"], result: "pointer" }, // const unsigned char *(const ASN1_STRING *)
  CRYPTO_free: { params: ["pointer", "buffer", "i32"], result: "void" }, // void (void *ptr, const char *file, int line)
  X509_get_version: { params: ["pointer"], result: LONG }, // long (const X509 *)
  X509_get_serialNumber: { params: ["pointer"], result: "pointer" }, // ASN1_INTEGER *(X509 *)
  ASN1_INTEGER_to_BN: { params: ["pointer", "pointer"], result: "pointer" }, // BIGNUM *(const ASN1_INTEGER *, BIGNUM *)
  BN_bn2hex: { params: ["pointer"], result: "pointer" }, // char *(const BIGNUM *)
  BN_free: { params: ["pointer"], result: "void" }, // void (BIGNUM *)
  X509_get0_notBefore: { params: ["pointer"], result: "pointer" }, // const ASN1_TIME *(const X509 *)
  X509_get0_notAfter: { params: ["pointer"], result: "pointer" }, // const ASN1_TIME *(const X509 *)
  ASN1_TIME_print: { params: ["pointer", "pointer"], result: "i32" }, // int (BIO *, const ASN1_TIME *)
  X509_get_ext_d2i: { params: ["pointer", "i32", "pointer", "pointer"], result: "pointer" }, // void *(x, int nid, int *crit, int *idx)
  OPENSSL_sk_num: { params: ["pointer"], result: "i32" }, // int (const OPENSSL_STACK *)
  OPENSSL_sk_value: { params: ["pointer", "i32"], result: "pointer" }, // void *(const OPENSSL_STACK *, int)
  GENERAL_NAMES_free: { params: ["pointer"], result: "void" }, // void (GENERAL_NAMES *)
} as const satisfies Record<string, SymbolSpec>;

/** The two libraries, bound. */
export interface OpenSsl {
  readonly ssl: BoundSymbols<typeof LIBSSL>;
  readonly crypto: BoundSymbols<typeof LIBCRYPTO>;
}

/**
 * Where OpenSSL 3 is on this OS, best first. `FFI_SELECTORS_LIBSSL` and
 * `FFI_SELECTORS_LIBCRYPTO` name the files instead. Never macOS's unversioned
 * `/usr/lib/libssl.dylib`: loading it aborts the process.
 */
export function openSslPaths(): { ssl: string[]; crypto: string[] } {
  const ssl = getEnv("FFI_SELECTORS_LIBSSL"), crypto = getEnv("FFI_SELECTORS_LIBCRYPTO");
  if (ssl || crypto) return { ssl: ssl ? [ssl] : [], crypto: crypto ? [crypto] : [] };
  switch (OS) {
    case "darwin": {
      const dirs = ARCH === "aarch64"
        ? ["/opt/homebrew/opt/openssl@3/lib", "/usr/local/opt/openssl@3/lib", "/opt/local/lib"]
        : ["/usr/local/opt/openssl@3/lib", "/opt/homebrew/opt/openssl@3/lib", "/opt/local/lib"];
      return {
        ssl: dirs.map((d) => `${d}/libssl.3.dylib`),
        crypto: dirs.map((d) => `${d}/libcrypto.3.dylib`),
      };
    }
    case "freebsd":
      return {
        ssl: ["libssl.so.30", "/usr/local/lib/libssl.so.3", "libssl.so.3"],
        crypto: ["libcrypto.so.30", "/usr/local/lib/libcrypto.so.3", "libcrypto.so.3"],
      };
    case "windows":
      return {
        ssl: ["libssl-3-x64.dll", "libssl-3.dll"],
        crypto: ["libcrypto-3-x64.dll", "libcrypto-3.dll"],
      };
    default:
      return { ssl: ["libssl.so.3"], crypto: ["libcrypto.so.3"] };
  }
}

/** What to install when no OpenSSL 3 loads, per OS. */
function installHint(): string {
  switch (OS) {
    case "darwin":
      return "brew install openssl@3 (or MacPorts' openssl3)";
    case "windows":
      return "an OpenSSL 3 build whose libssl-3-x64.dll and libcrypto-3-x64.dll are on PATH";
    case "freebsd":
      return "OpenSSL 3 (FreeBSD 14's base system has it; pkg install openssl on 13)";
    default:
      return "your distribution's OpenSSL 3 library (Debian and Ubuntu: libssl3; Alpine: libssl3)";
  }
}

let loaded: OpenSsl | null = null;

/**
 * OpenSSL 3, opened on first use.
 *
 * @returns The bound libraries.
 * @throws {Error} Naming what to install (and FFI_SELECTORS_LIBSSL) when none loads.
 */
export function openSsl(): OpenSsl {
  if (loaded) return loaded;
  const paths = openSslPaths();
  try {
    // libcrypto first: libssl needs it loaded.
    const crypto = adapter().open(paths.crypto, LIBCRYPTO);
    const ssl = adapter().open(paths.ssl, LIBSSL);
    loaded = { ssl, crypto };
    return loaded;
  } catch (e) {
    if (e instanceof Error && (e.name === "NotCapable" || e.name === "PermissionDenied")) throw e;
    throw new Error(
      `ffi-selectors' ssl needs OpenSSL 3: none of ${
        [...paths.ssl].join(", ")
      } loads. Install ${installHint()}, ` +
        "or set FFI_SELECTORS_LIBSSL and FFI_SELECTORS_LIBCRYPTO to its two libraries",
      { cause: e },
    );
  }
}

/** The NUL-terminated C string at `address`, or "" for NULL. */
export function cText(address: bigint): string {
  return address === 0n ? "" : adapter().readCString(address);
}

/** One entry of OpenSSL's error queue, taken apart as OpenSSL 3 packs it. */
export interface OpenSslError {
  code: number;
  library: string;
  reason: string;
  reasonCode: number;
  text: string;
}

/**
 * The items of an OpenSSL `STACK_OF(...)` (its `OPENSSL_STACK`), in order;
 * none for NULL. They stay the stack owner's: read them before it changes.
 *
 * @param stack The stack's address.
 * @returns The items' addresses.
 */
export function stackItems(stack: bigint): bigint[] {
  const { crypto } = openSsl();
  const out: bigint[] = [];
  const n = stack === 0n ? 0 : crypto.OPENSSL_sk_num(stack);
  for (let i = 0; i < n; i++) out.push(crypto.OPENSSL_sk_value(stack, i));
  return out;
}

/**
 * OpenSSL 3's library numbers (`ERR_LIB_*`) with the names Python's `SSLError.library` gives them
 * (CPython's table: the macro's name, not OpenSSL's text such as "PEM routines").
 */
const LIBRARY_NAMES: ReadonlyMap<number, string> = new Map([
  [2, "SYS"],
  [3, "BN"],
  [4, "RSA"],
  [5, "DH"],
  [6, "EVP"],
  [7, "BUF"],
  [8, "OBJ"],
  [9, "PEM"],
  [10, "DSA"],
  [11, "X509"],
  [13, "ASN1"],
  [14, "CONF"],
  [15, "CRYPTO"],
  [16, "EC"],
  [20, "SSL"],
  [32, "BIO"],
  [33, "PKCS7"],
  [34, "X509V3"],
  [35, "PKCS12"],
  [36, "RAND"],
  [37, "DSO"],
  [38, "ENGINE"],
  [39, "OCSP"],
  [40, "UI"],
  [41, "COMP"],
  [42, "ECDSA"],
  [43, "ECDH"],
  [44, "OSSL_STORE"],
  [45, "FIPS"],
  [46, "CMS"],
  [47, "TS"],
  [48, "HMAC"],
  [50, "CT"],
  [51, "ASYNC"],
  [52, "KDF"],
  [53, "SM2"],
  [54, "ESS"],
  [55, "PROP"],
  [56, "CRMF"],
  [57, "PROV"],
  [58, "CMP"],
  [59, "OSSL_ENCODER"],
  [60, "OSSL_DECODER"],
  [61, "HTTP"],
  [128, "USER"],
]);

/** The library of an error code, by Python's name; OpenSSL's own text, upper-cased, for a number not in the table. */
function libraryName(code: number): string {
  // OpenSSL 3: bit 31 marks a system error; else the library in bits 23-30.
  if (code >= 0x80000000) return "SYS";
  const known = LIBRARY_NAMES.get((code >>> 23) & 0xff);
  if (known !== undefined) return known;
  return cText(openSsl().crypto.ERR_lib_error_string(code)).toUpperCase().replaceAll(" ", "_").replace(
    /_ROUTINES$/,
    "",
  );
}

/** OpenSSL 3's flag on a reason shared by every library (`ERR_R_PEM_LIB`): Python names no reason for those. */
const ERR_RFLAG_COMMON = 0x80000;

/**
 * Takes the newest error off this thread's queue, the one CPython reports
 * (`ERR_peek_last_error`: for a failed call that queued a chain of them, the
 * outermost), and clears the rest (none stays behind to be reported by a
 * later call), or null when it is empty.
 */
export function takeError(): OpenSslError | null {
  const { crypto } = openSsl();
  const code = Number(crypto.ERR_peek_last_error());
  if (code === 0) return null;
  crypto.ERR_clear_error();
  const reason = cText(crypto.ERR_reason_error_string(code));
  let text = reason; // Python's text: the reason alone ("wrong version number")
  if (text === "") { // a code OpenSSL has no string for: its whole line, "error:0A00010B:..."
    const buf = new Uint8Array(256);
    crypto.ERR_error_string_n(code, buf, buf.length);
    const end = buf.indexOf(0);
    text = new TextDecoder().decode(buf.subarray(0, end < 0 ? buf.length : end));
  }
  return {
    code,
    library: libraryName(code),
    reason: code & ERR_RFLAG_COMMON ? "" : reason.toUpperCase().replaceAll(" ", "_"),
    // OpenSSL 3: the reason in the low 23 bits (bit 31 marks a system error).
    reasonCode: code & 0x7fffff,
    text,
  };
}
