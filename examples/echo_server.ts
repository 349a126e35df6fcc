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
import { DefaultSelector, EVENT_READ, EVENT_WRITE, monotonic, OSError, socket } from "../mod.ts";
import { Acceptor } from "./_accept.ts";
import { Cli, formatAddress, onShutdown, serverOptions } from "./_cli.ts";

const USAGE = `usage: echo_server.ts [-H HOST] [-p PORT] [--max-seconds S] [--sync] [-q] [PORT [MAX_SECONDS]]

Echoes every byte back on each TCP connection, in one thread, on the best
selector of this host. -H/--host is the address to listen on (default
127.0.0.1; "::1" for IPv6, "::" for IPv6 and IPv4). -p/--port 0 (the default)
picks a free port; the address is printed as "listening on HOST:PORT".
--max-seconds stops the server after that long (a watchdog for benchmarks).
PORT and MAX_SECONDS may also be given positionally, as
shared/bench/run-peers.sh does. SIGINT/SIGTERM shut it down gracefully
(statistics, exit 0); --sync uses blocking select() (no graceful shutdown).
At the fd limit it stops accepting until a connection closes.`;

/** What the loop calls for a ready key: Python's `callback(key.fileobj, mask)`. */
type Handler = (sock: socket.Socket, mask: number) => void;

const BUFSIZE = 65536;

/** An echo server on one selector; `serve()` runs it until `stop()` or the deadline. */
export class EchoServer {
  readonly sel: DefaultSelector<Handler, socket.Socket> = new DefaultSelector<Handler, socket.Socket>();
  readonly listener: socket.Socket;
  /** Counters, for the demo's report. */
  readonly stats = { accepted: 0, closed: 0, resets: 0, bytes: 0 };
  #buf = new Uint8Array(BUFSIZE); // one read buffer for every connection
  /** Views of the read buffer by length, made once each: no allocation per message. */
  #views: Uint8Array[] = [];
  #pending = new Map<socket.Socket, Uint8Array>();
  #running = false;
  #onConnection: Handler = (conn, mask) => this.serviceConnection(conn, mask);
  #acceptor: Acceptor<Handler>;

  /**
   * Listens on `host:port` (port 0: any free port; an IPv6 host listens on
   * IPv6, `"::"` on both). `warn` hears when accepting pauses at the fd limit.
   */
  constructor(host = "127.0.0.1", port = 0, warn: (message: string) => void = console.error) {
    this.listener = socket.createServer([host, port], serverOptions(host, 1024));
    this.#acceptor = new Acceptor(this.sel, this.listener, () => this.accept(), warn);
  }

  /** The address it listens on. */
  get address(): [string, number] {
    return this.listener.getsockname() as [string, number];
  }

  /** Accepts one connection and watches it for reading (pauses at the fd limit). */
  accept(): void {
    const pair = this.#acceptor.accept();
    if (pair === null) return; // EAGAIN (another wake-up took it), ECONNABORTED, out of fds
    const [conn] = pair;
    this.stats.accepted++;
    conn.setBlocking(false);
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    this.#acceptor.watch(conn, EVENT_READ, this.#onConnection);
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
    this.#acceptor.resume(); // an fd is free again
  }

  /**
   * Runs the loop until `stop()` is called or `maxSeconds` pass. The clock is
   * read when a wait comes back empty and every 1024 rounds, not on every
   * wake-up: a busy loop notices the deadline within 1024 rounds.
   */
  serve(maxSeconds = Infinity): void {
    const deadline = monotonic() + maxSeconds;
    this.#running = true;
    let left = maxSeconds;
    for (let round = 1; this.#running && left > 0; round++) {
      const ready = this.sel.select(this.#acceptor.timeout(Math.min(left, 1)));
      for (const [key, mask] of ready) key.data(key.fileobj, mask);
      if (ready.length === 0 || (round & 1023) === 0) left = deadline - monotonic();
    }
  }

  /**
   * Runs the loop on `selectAsync()` until `stop()` is called or `maxSeconds`
   * pass; the event loop (timers, signal listeners) runs meanwhile. Reads the
   * clock as `serve()` does.
   */
  async serveAsync(maxSeconds = Infinity): Promise<void> {
    const deadline = monotonic() + maxSeconds;
    this.#running = true;
    let left = maxSeconds;
    for (let round = 1; this.#running && left > 0; round++) {
      const ready = await this.sel.selectAsync(
        this.#acceptor.timeout(left === Infinity ? null : Math.min(left, 1)),
      );
      for (const [key, mask] of ready) key.data(key.fileobj, mask);
      if (ready.length === 0 || (round & 1023) === 0) left = deadline - monotonic();
    }
  }

  /** Makes `serve()`/`serveAsync()` return after the current round (wakes a waiting `selectAsync()`). */
  stop(): void {
    this.#running = false;
    this.sel.wakeup();
  }

  /** Closes every connection, the listener and the selector. */
  close(): void {
    this.#acceptor.close();
    for (const key of [...this.sel.getMap().values()]) {
      this.sel.unregister(key.fileobj);
      key.fileobj.close();
    }
    this.sel.close();
  }
}

if (import.meta.main) {
  const cli: Cli = new Cli("echo_server", USAGE);
  await cli.main(async () => {
    const args = cli.parse({
      host: { type: "string", short: "H" },
      port: { type: "string", short: "p" },
      "max-seconds": { type: "string" },
      sync: { type: "boolean" },
      quiet: { type: "boolean", short: "q" },
    });
    const [posPort, posMax, extra] = args.positionals;
    if (extra !== undefined) cli.usageError(`unexpected argument ${JSON.stringify(extra)}`);
    const port = cli.number(posPort ?? cli.text(args, "port"), "port", 0, {
      min: 0,
      max: 65535,
      integer: true,
    });
    const maxSeconds = cli.number(posMax ?? cli.text(args, "max-seconds"), "max-seconds", Infinity, {
      min: 0,
    });
    const quiet = args.values.quiet === true;
    const server = new EchoServer(cli.text(args, "host") ?? "127.0.0.1", port, (m) => cli.warn(m));
    const listening = `listening on ${formatAddress(server.address)} (${server.sel.backend})`;
    if (args.values.sync) {
      console.log(listening);
      server.serve(maxSeconds);
    } else {
      // Signals are handled before the address is printed: a caller may signal as soon as it reads it.
      const removeListeners = onShutdown((signal) => {
        if (!quiet) console.log(`${signal}: shutting down`);
        server.stop();
      });
      console.log(listening);
      await server.serveAsync(maxSeconds);
      removeListeners();
    }
    server.close();
    if (!quiet) {
      const s = server.stats;
      console.log(`served ${s.accepted} connections, ${s.bytes} bytes echoed, ${s.resets} resets`);
    }
  });
}
