/**
 * The echo server from Python's `selectors` guide, in TypeScript.
 *
 * A listening socket is registered with an accept handler in `key.data`;
 * each accepted connection with a handler of its own; the loop dispatches as
 * `key.data(key.fileobj, mask)`. Sockets are non-blocking. A partial send
 * keeps the rest, stops reading, and waits for `EVENT_WRITE` to flush it, so
 * memory stays bounded by one read per connection. EOF and resets close the
 * connection cleanly.
 *
 * The loop waits with `selectAsync()`, so the runtime's event loop keeps
 * running: SIGINT or SIGTERM stops accepting, closes every connection, prints
 * the statistics and exits 0. `--sync` runs the classic blocking `select()`
 * loop instead (no graceful shutdown: a signal kills it).
 *
 *   deno run --allow-ffi --allow-env examples/echo_server.ts [--port 1234]
 *   bun examples/echo_server.ts [--port 1234]
 *
 * @module
 */
import { DefaultSelector, EVENT_READ, EVENT_WRITE, OSError, socket } from "../mod.ts";
import { onShutdown, parseArgs } from "./_cli.ts";

const USAGE =
  `usage: echo_server.ts [--host H] [--port N] [--max-seconds S] [--sync] [--quiet] [PORT [MAX_SECONDS]]

Echoes every byte back on each TCP connection, in one thread, on the best
selector of this host. --port 0 (the default) picks a free port; the address
is printed as "listening on HOST:PORT". --max-seconds stops the server after
that long (a watchdog for benchmarks). PORT and MAX_SECONDS may also be given
positionally, as shared/bench/run-peers.sh does. SIGINT/SIGTERM shut it down
gracefully (statistics, exit 0); --sync uses blocking select() (no graceful
shutdown).`;

/** What the loop calls for a ready key: Python's `callback(key.fileobj, mask)`. */
type Handler = (sock: socket.Socket, mask: number) => void;

const BUFSIZE = 65536;

/** An echo server on one selector; `serve()` runs it until `stop()` or the deadline. */
export class EchoServer {
  readonly sel: DefaultSelector<Handler> = new DefaultSelector<Handler>();
  readonly listener: socket.Socket;
  /** Counters, for the demo's report. */
  readonly stats = { accepted: 0, closed: 0, resets: 0, bytes: 0 };
  #buf = new Uint8Array(BUFSIZE); // one read buffer for every connection
  /** Views of the read buffer by length, made once each: no allocation per message. */
  #views: Uint8Array[] = [];
  #pending = new Map<socket.Socket, Uint8Array>();
  #running = false;
  #onConnection: Handler = (conn, mask) => this.serviceConnection(conn, mask);

  /** Listens on `host:port` (port 0: any free port). */
  constructor(host = "127.0.0.1", port = 0) {
    this.listener = socket.createServer([host, port], { backlog: 1024 });
    this.listener.setBlocking(false);
    this.sel.register(this.listener, EVENT_READ, (sock, mask) => this.accept(sock, mask));
  }

  /** The address it listens on. */
  get address(): [string, number] {
    return this.listener.getsockname() as [string, number];
  }

  /** Accepts one connection and watches it for reading. */
  accept(sock: socket.Socket, _mask: number): void {
    let conn: socket.Socket;
    try {
      [conn] = sock.accept();
    } catch (e) {
      if (e instanceof OSError) return; // EAGAIN (another wake-up took it), ECONNABORTED, EMFILE
      throw e;
    }
    this.stats.accepted++;
    conn.setBlocking(false);
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    this.sel.register(conn, EVENT_READ, this.#onConnection);
  }

  /** Reads and echoes, or flushes what a partial send left behind. */
  serviceConnection(conn: socket.Socket, mask: number): void {
    try {
      if (mask & EVENT_WRITE) {
        this.#flush(conn);
        return;
      }
      const n = conn.recvInto(this.#buf);
      if (n === 0) {
        this.#close(conn);
        return;
      }
      this.stats.bytes += n;
      const data = this.#views[n] ??= this.#buf.subarray(0, n);
      const sent = conn.send(data);
      if (sent < n) {
        // Keep the rest (a copy: the read buffer is reused) and stop reading until it is out.
        this.#pending.set(conn, data.slice(sent));
        this.sel.modify(conn, EVENT_WRITE, this.#onConnection);
      }
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      if (e.code === "EAGAIN") return; // spurious wake-up
      this.stats.resets++; // ECONNRESET, EPIPE: the peer is gone
      this.#close(conn);
    }
  }

  #flush(conn: socket.Socket): void {
    const rest = this.#pending.get(conn)!;
    const sent = conn.send(rest);
    if (sent < rest.length) {
      this.#pending.set(conn, rest.subarray(sent));
      return;
    }
    this.#pending.delete(conn);
    this.sel.modify(conn, EVENT_READ, this.#onConnection);
  }

  #close(conn: socket.Socket): void {
    this.#pending.delete(conn);
    this.sel.unregister(conn);
    conn.close();
    this.stats.closed++;
  }

  /** Runs the loop until `stop()` is called or `maxSeconds` pass. */
  serve(maxSeconds = Infinity): void {
    const deadline = performance.now() + maxSeconds * 1e3;
    this.#running = true;
    while (this.#running) {
      const left = (deadline - performance.now()) / 1e3;
      if (left <= 0) break;
      for (const [key, mask] of this.sel.select(Math.min(left, 1))) {
        key.data(key.fileobj as socket.Socket, mask);
      }
    }
  }

  /**
   * Runs the loop on `selectAsync()` until `stop()` is called or `maxSeconds`
   * pass; the event loop (timers, signal listeners) runs meanwhile.
   */
  async serveAsync(maxSeconds = Infinity): Promise<void> {
    const deadline = performance.now() + maxSeconds * 1e3;
    this.#running = true;
    while (this.#running) {
      const left = (deadline - performance.now()) / 1e3;
      if (left <= 0) break;
      for (const [key, mask] of await this.sel.selectAsync(left === Infinity ? null : left)) {
        key.data(key.fileobj as socket.Socket, mask);
      }
    }
  }

  /** Makes `serve()`/`serveAsync()` return after the current round (wakes a waiting `selectAsync()`). */
  stop(): void {
    this.#running = false;
    this.sel.wakeup();
  }

  /** Closes every connection, the listener and the selector. */
  close(): void {
    for (const key of [...this.sel.getMap().values()]) {
      this.sel.unregister(key.fileobj);
      (key.fileobj as socket.Socket).close();
    }
    this.sel.close();
  }
}

if (import.meta.main) {
  const args = parseArgs(USAGE, {
    port: 0,
    host: "127.0.0.1",
    "max-seconds": Infinity,
    sync: false,
    quiet: false,
  });
  const [posPort, posMax] = args._;
  const port = posPort !== undefined ? Number(posPort) : args.port;
  const maxSeconds = posMax !== undefined ? Number(posMax) : args["max-seconds"];
  const server = new EchoServer(args.host, port);
  const [host, boundPort] = server.address;
  console.log(`listening on ${host}:${boundPort} (${server.sel.backend})`);
  if (args.sync) {
    server.serve(maxSeconds);
  } else {
    const removeListeners = onShutdown((signal) => {
      if (!args.quiet) console.log(`${signal}: shutting down`);
      server.stop();
    });
    await server.serveAsync(maxSeconds);
    removeListeners();
  }
  server.close();
  if (!args.quiet) {
    const s = server.stats;
    console.log(`served ${s.accepted} connections, ${s.bytes} bytes echoed, ${s.resets} resets`);
  }
}
