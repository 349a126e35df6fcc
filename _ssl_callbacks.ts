/**
 * OpenSSL's calls back into JavaScript during a handshake: the server-name
 * (SNI) callback and the server's ALPN selection. One C function pointer for
 * each, made once per process on first use and never freed (a fixed
 * footprint; no context or connection has to outlive anything for them).
 * OpenSSL passes the `SSL *`. A callback runs only inside an OpenSSL call
 * the library made on this thread for that connection (a handshake step, or
 * a read or write that can meet a ClientHello), so the connection is found
 * among the calls running now: each such call enters it and leaves it. No
 * table holds a connection between calls, and no weak reference is made (an
 * engine keeps a WeakRef's target alive until the running job ends, which a
 * synchronous select() loop never does: ~420 bytes kept per connection it
 * ever served, measured).
 *
 * A JavaScript exception must not cross into C (both runtimes turn it into
 * a 0, which OpenSSL would read as success): every callback catches, fails
 * the handshake with an alert as CPython does, and leaves the exception on
 * the connection, whose SSLError then carries it as `cause`.
 *
 * @module
 */
import { adapter } from "./ffi/mod.ts";
import { openSsl } from "./ffi/openssl.ts";
import { show } from "./_validate.ts";

/** `SSL_TLSEXT_ERR_*`: what a TLS extension callback answers. */
const TLSEXT_ERR_OK = 0, TLSEXT_ERR_ALERT_FATAL = 2, TLSEXT_ERR_NOACK = 3;
/** `TLSEXT_NAMETYPE_host_name`. */
const NAMETYPE_HOST_NAME = 0;
/** `SSL_AD_HANDSHAKE_FAILURE`: CPython's alert when the callback raised. */
export const ALERT_HANDSHAKE_FAILURE = 40;
/** `OPENSSL_NPN_NEGOTIATED`: `SSL_select_next_proto` found a protocol both offer. */
const NPN_NEGOTIATED = 1;
/** `SSL_CTRL_SET_TLSEXT_SERVERNAME_CB`. */
export const SSL_CTRL_SET_TLSEXT_SERVERNAME_CB = 53;

/** What the callbacks need of a connection: the object the caller knows, its context, a place for an error. */
export interface CallbackTarget {
  /** What `sniCallback` receives first: the SSLSocket, or the SSLObject of `wrapBio`. */
  readonly owner: object;
  /** The context now in use (SNI can switch it). */
  readonly context: CallbackContext;
  /** The exception a callback threw during this handshake, kept for the SSLError. */
  callbackError: unknown;
}

/** What the callbacks need of a context. */
export interface CallbackContext {
  /** The server-name callback, or null. */
  readonly sniCallback: SniCallback | null;
  /** The ALPN protocols in wire form (length-prefixed), over memory the engine never moves, or null. */
  alpnWire(): Uint8Array | null;
  /** Appends one line of key material to the context's key log (`keylogFilename`), if it has one. */
  keylog?(line: string): void;
}

/**
 * Python's `sni_callback(ssl_socket, server_name, ssl_context)`: called on the
 * server when a client's hello arrives, with the name it asked for (`null`
 * when it sent none). Return nothing to go on (it may switch
 * `sslSocket.context` to another context first), or an alert number
 * (`ssl.ALERT_DESCRIPTION_*`) to refuse the handshake with.
 */
export type SniCallback = (
  sslSocket: never,
  serverName: string | null,
  sslContext: never,
) => number | null | undefined | void;

/** The connections whose OpenSSL call is running now, by `SSL *` (a callback can only come from one of them). */
const calling = new Map<bigint, CallbackTarget>();

/**
 * Makes `target` findable by the callbacks while an OpenSSL call on `ssl`
 * runs; returns what to give {@linkcode leave} after it (a nested call on the
 * same `SSL *`, from a callback, restores the outer one).
 */
export function enter(ssl: bigint, target: CallbackTarget): CallbackTarget | undefined {
  const outer = calling.get(ssl);
  calling.set(ssl, target);
  return outer;
}

/** Ends what {@linkcode enter} began. */
export function leave(ssl: bigint, outer: CallbackTarget | undefined): void {
  if (outer === undefined) calling.delete(ssl);
  else calling.set(ssl, outer);
}

/** How many connections the callbacks can find now (none between calls; for the collector's test). */
export function trackedCount(): number {
  return calling.size;
}

function targetOf(ssl: bigint): CallbackTarget | undefined {
  return calling.get(ssl);
}

/** Writes a C int where OpenSSL asked for the alert. */
function setAlert(al: bigint, alert: number): void {
  if (al !== 0n) adapter().writeMemory(al, new Uint8Array(Int32Array.of(alert).buffer));
}

let sni = 0n;

/** The C function OpenSSL calls for the server name: `int (*)(SSL *, int *al, void *arg)`. */
export function sniTrampoline(): bigint {
  if (sni !== 0n) return sni;
  sni = adapter().callback(["pointer", "pointer", "pointer"], "i32", (ssl: bigint, al: bigint) => {
    const target = targetOf(ssl);
    const callback = target?.context.sniCallback;
    if (!target || !callback) return TLSEXT_ERR_OK;
    try {
      const name = openSsl().ssl.SSL_get_servername(ssl, NAMETYPE_HOST_NAME);
      const context = target.context;
      const result = callback(
        target.owner as never,
        name === 0n ? null : adapter().readCString(name),
        context as never,
      );
      if (result === null || result === undefined) return TLSEXT_ERR_OK;
      if (typeof result !== "number" || !Number.isInteger(result) || result < 0 || result > 255) {
        throw new TypeError(`sniCallback must return nothing or an alert number, got ${show(result)}`);
      }
      setAlert(al, result);
      return TLSEXT_ERR_ALERT_FATAL;
    } catch (e) {
      target.callbackError = e;
      setAlert(al, ALERT_HANDSHAKE_FAILURE);
      return TLSEXT_ERR_ALERT_FATAL;
    }
  });
  return sni;
}

let alpn = 0n;

/**
 * The C function OpenSSL calls on a server to pick the protocol:
 * `int (*)(SSL *, const unsigned char **out, unsigned char *outlen, const
 * unsigned char *in, unsigned int inlen, void *arg)`. The server's order
 * wins (CPython's rule); none in common: no ALPN in the answer.
 */
export function alpnTrampoline(): bigint {
  if (alpn !== 0n) return alpn;
  alpn = adapter().callback(
    ["pointer", "pointer", "pointer", "pointer", "u32", "pointer"],
    "i32",
    (ssl: bigint, out: bigint, outlen: bigint, offered: bigint, offeredLength: number) => {
      const target = targetOf(ssl);
      try {
        const wire = target?.context.alpnWire();
        if (!wire || offered === 0n) return TLSEXT_ERR_NOACK;
        // `out` ends up pointing into `wire`, which the context keeps (and the engine never moves).
        const r = openSsl().ssl.SSL_select_next_proto(out, outlen, wire, wire.length, offered, offeredLength);
        return r === NPN_NEGOTIATED ? TLSEXT_ERR_OK : TLSEXT_ERR_NOACK;
      } catch (e) {
        if (target) target.callbackError = e;
        return TLSEXT_ERR_ALERT_FATAL;
      }
    },
  );
  return alpn;
}

let keylogCallback = 0n;

/**
 * The C function OpenSSL calls with each secret of a handshake when a
 * context has a key log: `void (*)(const SSL *, const char *line)`. A line
 * that cannot be written is kept as the connection's `callbackError`, raised
 * when the OpenSSL call returns (CPython raises it then too).
 */
export function keylogTrampoline(): bigint {
  if (keylogCallback !== 0n) return keylogCallback;
  // A void C function: what it returns is ignored (0, for the adapter's type).
  keylogCallback = adapter().callback(["pointer", "pointer"], "void", (ssl: bigint, line: bigint) => {
    const target = targetOf(ssl);
    if (!target || line === 0n) return 0;
    try {
      target.context.keylog?.(adapter().readCString(line));
    } catch (e) {
      target.callbackError ??= e;
    }
    return 0;
  });
  return keylogCallback;
}
