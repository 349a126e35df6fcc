/**
 * A TCP proxy: listen on a port, connect each client to a target, copy both
 * directions on one selector. Back-pressure through `EVENT_WRITE`: a side is
 * read only while the bytes waiting for its peer are under the limit, so a
 * slow reader slows the sender instead of growing memory. Half-closes pass
 * through (EOF on one side becomes `shutdown(SHUT_WR)` on the other).
 *
 *   deno run --allow-ffi --allow-env examples/tcp_proxy.ts --listen 8080 --target 127.0.0.1:80
 *   bun examples/tcp_proxy.ts --listen 8080 --target example.internal:80 --stats
 *
 * @module
 */
import { DefaultSelector, ERRNO, EVENT_READ, EVENT_WRITE, OSError, socket } from "../mod.ts";
import { onShutdown, parseArgs, usageError } from "./_cli.ts";

const USAGE =
  `usage: tcp_proxy.ts --target HOST:PORT [--listen PORT] [--host H] [--limit BYTES] [--stats] [--max-seconds S]

Accepts TCP connections on H:PORT (default 127.0.0.1, port 0 = any free port;
the address is printed as "listening on HOST:PORT") and relays each to
--target. At most BYTES (default 262144) wait in memory per direction; past
that the sending side is not read until the receiver catches up. --stats
prints one line per finished connection: bytes each way and the most ever
buffered.`;

/** One direction of a relay: bytes read from `from`, waiting to be written to `to`. */
class Flow {
  chunks: Uint8Array[] = [];
  buffered = 0;
  maxBuffered = 0;
  total = 0;
  eof = false; // `from` sent EOF
  shut = false; // EOF passed on to `to`
  constructor(readonly from: socket.Socket, readonly to: socket.Socket) {}
}

/** A client connection and its upstream connection. */
class Relay {
  connecting = true;
  readonly up: Flow; // client -> target
  readonly down: Flow; // target -> client
  constructor(readonly client: socket.Socket, readonly target: socket.Socket, readonly name: string) {
    this.up = new Flow(client, target);
    this.down = new Flow(target, client);
  }
}

type Handler = (sock: socket.Socket, mask: number) => void;

/** A proxy from a listening socket to `target`, with at most `limit` bytes buffered per direction. */
export class TcpProxy {
  readonly sel: DefaultSelector<Handler> = new DefaultSelector<Handler>();
  readonly listener: socket.Socket;
  #relays = new Map<socket.Socket, Relay>();
  #buf: Uint8Array;
  #running = true;

  constructor(
    host: string,
    port: number,
    readonly target: [string, number],
    readonly limit = 262144,
    readonly onClose?: (relay: { name: string; up: number; down: number; maxBuffered: number }) => void,
  ) {
    this.#buf = new Uint8Array(Math.min(limit, 65536));
    this.listener = socket.createServer([host, port]);
    this.listener.setBlocking(false);
    this.sel.register(this.listener, EVENT_READ, () => this.#accept());
  }

  #onSocket: Handler = (sock, mask) => this.#service(this.#relays.get(sock)!, sock, mask);

  #accept(): void {
    let client: socket.Socket, peer: socket.Address;
    try {
      [client, peer] = this.listener.accept();
    } catch (e) {
      if (e instanceof OSError) return;
      throw e;
    }
    client.setBlocking(false);
    const [family, , , , address] = socket.getaddrinfo(
      this.target[0],
      this.target[1],
      0,
      socket.SOCK_STREAM,
    )[0]!;
    const target = new socket.Socket(family, socket.SOCK_STREAM);
    target.setBlocking(false);
    const relay = new Relay(client, target, Array.isArray(peer) ? `${peer[0]}:${peer[1]}` : String(peer));
    this.#relays.set(client, relay);
    this.#relays.set(target, relay);
    const err = target.connectEx(address);
    if (err !== 0 && err !== ERRNO.EINPROGRESS) {
      this.#finish(relay);
      return;
    }
    this.sel.register(client, EVENT_READ, this.#onSocket);
    this.sel.register(target, EVENT_WRITE, this.#onSocket);
  }

  #service(relay: Relay, sock: socket.Socket, mask: number): void {
    try {
      if (relay.connecting && sock === relay.target) {
        if (sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) !== 0) return this.#finish(relay);
        relay.connecting = false;
      }
      const outgoing = sock === relay.client ? relay.down : relay.up; // what `sock` must write
      const incoming = sock === relay.client ? relay.up : relay.down; // what `sock` is read for
      if (mask & EVENT_WRITE) this.#drain(relay, outgoing);
      if (mask & EVENT_READ) this.#fill(relay, incoming);
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      return this.#finish(relay); // reset, broken pipe, refused: drop both sides
    }
    if (relay.up.shut && relay.down.shut) return this.#finish(relay);
    this.#update(relay);
  }

  /** Reads from `flow.from` into its queue (only called while under the limit). */
  #fill(relay: Relay, flow: Flow): void {
    const n = flow.from.recvInto(this.#buf, Math.min(this.#buf.length, this.limit - flow.buffered));
    if (n === 0) {
      flow.eof = true;
    } else {
      flow.chunks.push(this.#buf.slice(0, n));
      flow.buffered += n;
      flow.total += n;
      flow.maxBuffered = Math.max(flow.maxBuffered, flow.buffered);
    }
    this.#drain(relay, flow); // try at once: usually the receiver has room
  }

  /** Writes what is queued for `flow.to`; passes EOF on once the queue is empty. */
  #drain(relay: Relay, flow: Flow): void {
    if (relay.connecting && flow === relay.up) return; // the target is not connected yet
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
      if (sock === relay.target && relay.connecting) events = EVENT_WRITE;
      else {
        if (!incoming.eof && incoming.buffered < this.limit) events |= EVENT_READ;
        if (outgoing.buffered > 0) events |= EVENT_WRITE;
      }
      const key = this.sel.getMap().get(sock);
      if (events === 0) {
        if (key) this.sel.unregister(sock);
      } else if (!key) {
        this.sel.register(sock, events, this.#onSocket);
      } else if (key.events !== events) {
        this.sel.modify(sock, events, this.#onSocket);
      }
    }
  }

  #finish(relay: Relay): void {
    for (const sock of [relay.client, relay.target]) {
      if (this.sel.getMap().has(sock)) this.sel.unregister(sock);
      this.#relays.delete(sock);
      sock.close();
    }
    this.onClose?.({
      name: relay.name,
      up: relay.up.total,
      down: relay.down.total,
      maxBuffered: Math.max(relay.up.maxBuffered, relay.down.maxBuffered),
    });
  }

  /** Runs on `selectAsync()` until `stop()` or until `maxSeconds` pass. */
  async serve(maxSeconds = Infinity): Promise<void> {
    const deadline = performance.now() + maxSeconds * 1e3;
    while (this.#running) {
      const left = (deadline - performance.now()) / 1e3;
      if (left <= 0) break;
      for (const [key, mask] of await this.sel.selectAsync(left === Infinity ? null : left)) {
        key.data(key.fileobj as socket.Socket, mask);
      }
    }
  }

  /** Makes `serve()` return (wakes its wait). */
  stop(): void {
    this.#running = false;
    this.sel.wakeup();
  }

  /** Closes every relay, the listener and the selector. */
  close(): void {
    for (const relay of new Set(this.#relays.values())) this.#finish(relay);
    this.sel.unregister(this.listener);
    this.listener.close();
    this.sel.close();
  }
}

if (import.meta.main) {
  const args = parseArgs(USAGE, {
    target: "",
    listen: 0,
    host: "127.0.0.1",
    limit: 262144,
    stats: false,
    "max-seconds": Infinity,
  });
  const m = /^(.+):(\d+)$/.exec(args.target);
  if (!m) usageError(USAGE, "--target HOST:PORT is required");
  if (!(args.limit >= 1)) usageError(USAGE, "--limit must be at least 1");
  const host = m![1]!.replace(/^\[(.*)\]$/, "$1");
  let relays = 0;
  const proxy = new TcpProxy(
    args.host,
    args.listen,
    [host, Number(m![2])],
    args.limit,
    (r) => {
      relays++;
      if (args.stats) {
        console.log(
          `closed ${r.name}: up ${r.up} bytes, down ${r.down} bytes, max buffered ${r.maxBuffered}`,
        );
      }
    },
  );
  const [h, p] = proxy.listener.getsockname() as [string, number];
  console.log(`listening on ${h}:${p} -> ${args.target}`);
  const removeListeners = onShutdown((signal) => {
    console.log(`${signal}: shutting down`);
    proxy.stop();
  });
  await proxy.serve(args["max-seconds"]);
  removeListeners();
  proxy.close();
  console.log(`relayed ${relays} connections`);
}
