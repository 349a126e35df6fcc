/**
 * {@linkcode SSLSession}, Python's `ssl.SSLSession`: a client's TLS session,
 * handed to the next connection to the same server to resume it (no full
 * handshake: `sessionReused` is true there).
 *
 * @module
 */
import { adapter } from "./ffi/mod.ts";
import { openSsl } from "./ffi/openssl.ts";
import { own } from "./_ssl_owned.ts";

/**
 * A TLS session (`SSL_SESSION`, a reference of its own, freed with this
 * object by the collector): from `SSLSocket.session` after a handshake (with
 * TLS 1.3, after the first read, which brings the server's ticket), for
 * `wrapSocket(sock, { session })` on a later connection of the same context.
 *
 * @example
 * ```ts ignore
 * const first = ctx.wrapSocket(sock1, { serverHostname: "example.com" });
 * first.recv(); // TLS 1.3 tickets come after the handshake
 * const again = ctx.wrapSocket(sock2, { serverHostname: "example.com", session: first.session });
 * again.sessionReused; // true
 * ```
 */
export class SSLSession {
  readonly #session: bigint;
  /** The context of the connection it came from (a session resumes only with that one, as in Python). */
  readonly context: object;

  /**
   * Made by `SSLSocket.session` and `SSLObject.session`.
   *
   * @param session An `SSL_SESSION *` reference, owned from now on.
   * @param context The connection's context.
   */
  constructor(session: bigint, context: object) {
    this.#session = session;
    this.context = context;
    own(this, session, (p) => openSsl().ssl.SSL_SESSION_free(p));
  }

  /** @internal The `SSL_SESSION *`. */
  pointer(): bigint {
    return this.#session;
  }

  /** The session id, as bytes (empty for a TLS 1.3 ticket's session until the server gives one). */
  get id(): Uint8Array {
    const length = new Uint32Array(1);
    const p = openSsl().ssl.SSL_SESSION_get_id(this.#session, length);
    return p === 0n || length[0] === 0 ? new Uint8Array(0) : adapter().readMemory(p, length[0]!);
  }

  /** When it was made, in seconds since the epoch. */
  get time(): number {
    return Number(openSsl().ssl.SSL_SESSION_get_time(this.#session));
  }

  /** How long it lives, in seconds. */
  get timeout(): number {
    return Number(openSsl().ssl.SSL_SESSION_get_timeout(this.#session));
  }

  /** The server's hint for how long its ticket is good, in seconds (0: none given). */
  get ticketLifetimeHint(): number {
    return Number(openSsl().ssl.SSL_SESSION_get_ticket_lifetime_hint(this.#session));
  }

  /** Whether the server gave a ticket for it. */
  get hasTicket(): boolean {
    return openSsl().ssl.SSL_SESSION_has_ticket(this.#session) === 1;
  }
}
