/**
 * Relaying bytes between two non-blocking sockets on one selector, for the
 * proxies. Back-pressure through `EVENT_WRITE`: a side is read only while the
 * bytes waiting for its peer are under the limit, so a slow reader slows the
 * sender instead of growing memory. Half-closes pass through (EOF on one side
 * becomes `shutdown(SHUT_WR)` on the other).
 *
 * @module
 */
import { type BaseSelector, ERRNO, EVENT_READ, EVENT_WRITE, os, OSError, socket } from "../mod.ts";

/** What a selector key holds in the proxies: the function that services the socket. */
export type Handler = (sock: socket.Socket, mask: number) => void;

/** One direction of a relay: bytes read from `from`, waiting to be written to `to`. */
export class Flow {
  chunks: Uint8Array[] = [];
  buffered = 0;
  maxBuffered = 0;
  total = 0;
  eof = false; // `from` sent EOF
  shut = false; // EOF passed on to `to`
  constructor(public from: socket.Socket, public to: socket.Socket) {}

  /** Queues bytes for `to` (they count against the limit). */
  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.buffered += bytes.length;
    this.maxBuffered = Math.max(this.maxBuffered, this.buffered);
  }
}

/** How a relay ended, for logs. */
export interface RelayStats {
  name: string;
  up: number;
  down: number;
  maxBuffered: number;
  /** The error that ended it, if one did (`ECONNREFUSED` from the target, a reset). */
  error?: OSError;
}

/** The `--stats` line for a finished relay: bytes each way, the most buffered, and the error if any. */
export function statsLine(r: RelayStats): string {
  const why = r.error ? ` (${r.error.code})` : "";
  return `closed ${r.name}: up ${r.up} bytes, down ${r.down} bytes, max buffered ${r.maxBuffered}${why}`;
}

/**
 * Called once the target's connect finished: `error` is 0 or its errno. The
 * bytes returned go to the client before anything from the target (a SOCKS
 * reply); on an error they are sent if they fit, then both sides close.
 */
export type OnConnected = (relay: Relay, error: number) => Uint8Array | null;

/**
 * After the target's connect failed with `error`: the next target to try (a
 * non-blocking socket whose `connectEx` returned EINPROGRESS or 0), or null
 * when no address is left, as `createConnection` tries each address a name
 * resolves to.
 */
export type NextTarget = (error: number) => { sock: socket.Socket; connecting: boolean } | null;

/** A client connection and its upstream connection. */
export class Relay {
  connecting: boolean;
  target: socket.Socket;
  readonly up: Flow; // client -> target
  readonly down: Flow; // target -> client
  constructor(
    readonly client: socket.Socket,
    target: socket.Socket,
    readonly name: string,
    connecting: boolean,
    readonly onConnected?: OnConnected,
    readonly next?: NextTarget,
  ) {
    this.target = target;
    this.connecting = connecting;
    this.up = new Flow(client, target);
    this.down = new Flow(target, client);
  }
}

/** Every relay of one selector, with at most `limit` bytes buffered per direction. */
export class Relays {
  #relays = new Map<socket.Socket, Relay>();
  #buf: Uint8Array;
  #onSocket: Handler = (sock, mask) => this.#service(this.#relays.get(sock)!, sock, mask);

  constructor(
    readonly sel: BaseSelector<Handler>,
    readonly limit: number,
    readonly onClose: (stats: RelayStats) => void,
  ) {
    this.#buf = new Uint8Array(Math.min(limit, 65536));
  }

  /** How many relays are open. */
  get size(): number {
    return this.#relays.size / 2;
  }

  /**
   * Relays between `client` and `target` (both non-blocking, neither
   * registered). `connecting`: the target's `connectEx` returned EINPROGRESS.
   * `early` holds client bytes already read (sent once connected).
   */
  start(
    client: socket.Socket,
    target: socket.Socket,
    name: string,
    connecting: boolean,
    options: { early?: Uint8Array; onConnected?: OnConnected; next?: NextTarget } = {},
  ): void {
    const relay = new Relay(client, target, name, connecting, options.onConnected, options.next);
    this.#relays.set(client, relay);
    this.#relays.set(target, relay);
    if (options.early) relay.up.push(options.early);
    if (!connecting) this.#connected(relay, 0);
    if (this.#relays.has(client)) this.#update(relay);
  }

  #connected(relay: Relay, error: number): void {
    relay.connecting = false;
    const first = relay.onConnected?.(relay, error) ?? null;
    if (error !== 0) {
      if (first) {
        try {
          relay.client.send(first); // a few bytes into an empty buffer: they fit
        } catch { /* the client is gone too */ }
      }
      return this.finish(relay, OSError.fromErrno(error, "connect", { description: os.strerror(error) }));
    }
    if (first) {
      relay.down.chunks.unshift(first); // ahead of anything from the target
      relay.down.buffered += first.length;
    }
  }

  #service(relay: Relay, sock: socket.Socket, mask: number): void {
    try {
      if (relay.connecting && sock === relay.target) {
        const err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) as number;
        if (err !== 0 && this.#retarget(relay, err)) return;
        this.#connected(relay, err);
        if (err !== 0) return;
        this.#drain(relay, relay.down); // a reply to the client, if any
        this.#drain(relay, relay.up); // early client bytes
      } else {
        const outgoing = sock === relay.client ? relay.down : relay.up; // what `sock` must write
        const incoming = sock === relay.client ? relay.up : relay.down; // what `sock` is read for
        if (mask & EVENT_WRITE) this.#drain(relay, outgoing);
        if (mask & EVENT_READ) this.#fill(relay, incoming);
      }
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      return this.finish(relay, e); // reset, broken pipe: drop both sides
    }
    if (relay.up.shut && relay.down.shut) return this.finish(relay);
    this.#update(relay);
  }

  /**
   * After a failed connect: moves the relay to the next address's socket, if
   * there is one (the failed socket unregistered and closed). True when the
   * relay goes on.
   */
  #retarget(relay: Relay, error: number): boolean {
    let next = relay.next?.(error) ?? null;
    while (next !== null && !next.connecting) {
      // Connected at once (a local target), or refused at once: the latter tries the one after.
      const err = next.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) as number;
      if (err === 0) break;
      next.sock.close();
      next = relay.next?.(err) ?? null;
    }
    if (next === null) return false;
    const old = relay.target;
    if (this.sel.getMap().has(old)) this.sel.unregister(old);
    this.#relays.delete(old);
    old.close();
    relay.target = next.sock;
    relay.up.to = next.sock;
    relay.down.from = next.sock;
    this.#relays.set(next.sock, relay);
    if (!next.connecting) {
      this.#connected(relay, 0);
      this.#drain(relay, relay.down);
      this.#drain(relay, relay.up);
    }
    this.#update(relay);
    return true;
  }

  /** Reads from `flow.from` into its queue (only called while under the limit). */
  #fill(relay: Relay, flow: Flow): void {
    let n: number;
    try {
      n = flow.from.recvInto(this.#buf, Math.min(this.#buf.length, this.limit - flow.buffered));
    } catch (e) {
      if (e instanceof OSError && e.code === "EAGAIN") return;
      throw e;
    }
    if (n === 0) flow.eof = true;
    else {
      flow.push(this.#buf.slice(0, n));
      flow.total += n;
    }
    this.#drain(relay, flow); // try at once: usually the receiver has room
  }

  /** Writes what is queued for `flow.to`; passes EOF on once the queue is empty. */
  #drain(relay: Relay, flow: Flow): void {
    if (relay.connecting) return; // the target is not connected yet
    while (flow.chunks.length > 0) {
      const chunk = flow.chunks[0]!;
      let sent: number;
      try {
        sent = flow.to.send(chunk);
      } catch (e) {
        if (e instanceof OSError && e.code === "EAGAIN") return;
        throw e;
      }
      flow.buffered -= sent;
      if (sent < chunk.length) {
        flow.chunks[0] = chunk.subarray(sent);
        return;
      }
      flow.chunks.shift();
    }
    if (flow.eof && !flow.shut) {
      flow.to.shutdown(socket.SHUT_WR);
      flow.shut = true;
    }
  }

  /** Each socket is read while its flow has room, written while its peer's flow has bytes. */
  #update(relay: Relay): void {
    for (const sock of [relay.client, relay.target]) {
      const incoming = sock === relay.client ? relay.up : relay.down;
      const outgoing = sock === relay.client ? relay.down : relay.up;
      let events = 0;
      if (relay.connecting) events = sock === relay.target ? EVENT_WRITE : 0;
      else {
        if (!incoming.eof && incoming.buffered < this.limit) events |= EVENT_READ;
        if (outgoing.buffered > 0) events |= EVENT_WRITE;
      }
      const key = this.sel.getMap().get(sock);
      if (events === 0) {
        if (key) this.sel.unregister(sock);
      } else if (!key) {
        try {
          this.sel.register(sock, events, this.#onSocket);
        } catch (e) {
          // The selector watches no more (select(): fds below 1024, 1 024 sockets on Windows): this relay ends.
          if (!(e instanceof RangeError)) throw e;
          return this.finish(relay, new OSError(ERRNO.EMFILE, "register", { description: e.message }));
        }
      } else if (key.events !== events) {
        this.sel.modify(sock, events, this.#onSocket);
      }
    }
  }

  /** Closes both sides of `relay` and reports it. */
  finish(relay: Relay, error?: OSError): void {
    if (!this.#relays.has(relay.client)) return;
    for (const sock of [relay.client, relay.target]) {
      if (this.sel.getMap().has(sock)) this.sel.unregister(sock);
      this.#relays.delete(sock);
      sock.close();
    }
    this.onClose({
      name: relay.name,
      up: relay.up.total,
      down: relay.down.total,
      maxBuffered: Math.max(relay.up.maxBuffered, relay.down.maxBuffered),
      error,
    });
  }

  /** Closes every relay. */
  closeAll(): void {
    for (const relay of new Set(this.#relays.values())) this.finish(relay);
  }
}
