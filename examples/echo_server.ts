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
 * `--tls CERT KEY` serves TLS instead (the `ssl` module, OpenSSL 3): each
 * connection's handshake, reads and writes are driven by the same loop
 * through `SSLWantReadError`/`SSLWantWriteError`, and what OpenSSL has
 * decrypted already (`pending()`) is read before waiting again.
 *
 *   deno run --allow-ffi --allow-env examples/echo_server.ts [--port 1234]
 *   bun examples/echo_server.ts [--port 1234]
 *   deno run --allow-ffi --allow-env --allow-read examples/echo_server.ts --tls cert.pem key.pem
 *
 * @module
 */
import {
  DefaultSelector,
  EVENT_READ,
  EVENT_WRITE,
  monotonic,
  OSError,
  type ReadyPair,
  socket,
  ssl,
} from "../mod.ts";
import process from "node:process";
import { Acceptor } from "./_accept.ts";
import { Cli, formatAddress, onShutdown, serverOptions } from "./_cli.ts";

const USAGE =
  `usage: echo_server.ts [-H HOST] [-p PORT] [--max-seconds S] [--sync] [-q] [--tls CERT KEY] [PORT [MAX_SECONDS]]

Echoes every byte back on each TCP connection, in one thread, on the best
selector of this host. -H/--host is the address to listen on (default
127.0.0.1; "::1" for IPv6, "::" for IPv6 and IPv4). -p/--port 0 (the default)
picks a free port; the address is printed as "listening on HOST:PORT".
--max-seconds stops the server after that long (a watchdog for benchmarks).
PORT and MAX_SECONDS may also be given positionally, as
shared/bench/run-peers.sh does. SIGINT/SIGTERM shut it down gracefully
(statistics, exit 0); --sync uses blocking select() (no graceful shutdown).
--tls CERT KEY serves TLS with that certificate chain and key (PEM files).
At the fd limit it stops accepting until a connection closes.`;

/** A connection: a socket, or TLS on one. */
type Conn = socket.Socket | ssl.SSLSocket;

/** What the loop calls for a ready key: Python's `callback(key.fileobj, mask)`. */
type Handler = (conn: Conn, mask: number) => void;

const BUFSIZE = 65536;

/** An echo server on one selector; `serve()` runs it until `stop()` or the deadline. */
export class EchoServer {
  readonly sel: DefaultSelector<Handler, Conn> = new DefaultSelector<Handler, Conn>();
  readonly listener: socket.Socket;
  /** Counters, for the demo's report. */
  readonly stats = { accepted: 0, closed: 0, resets: 0, bytes: 0 };
  #buf = new Uint8Array(BUFSIZE); // one read buffer for every connection
  /** Views of the read buffer by length, made once each: no allocation per message. */
  #views: Uint8Array[] = [];
  #pending = new Map<Conn, Uint8Array>();
  #running = false;
  #onConnection: Handler = (conn, mask) => this.serviceConnection(conn as socket.Socket, mask);
  #onTls: Handler = (conn, mask) => this.serviceTls(conn as ssl.SSLSocket, mask);
  #acceptor: Acceptor<Handler>;
  /** The TLS context (`--tls`), or null for plain TCP. */
  readonly #context: ssl.SSLContext | null;
  /** TLS connections whose handshake is done. */
  #secured = new WeakSet<ssl.SSLSocket>();

  /**
   * Listens on `host:port` (port 0: any free port; an IPv6 host listens on
   * IPv6, `"::"` on both). `warn` hears when accepting pauses at the fd limit.
   * With a server `context`, every connection is TLS.
   */
  constructor(
    host = "127.0.0.1",
    port = 0,
    warn: (message: string) => void = console.error,
    context: ssl.SSLContext | null = null,
  ) {
    this.#context = context;
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
    if (this.#context === null) {
      this.#acceptor.watch(conn, EVENT_READ, this.#onConnection);
      return;
    }
    // TLS: the handshake is driven by the loop, as reads and writes are (the client speaks first).
    const tls = this.#context.wrapSocket(conn, { serverSide: true, doHandshakeOnConnect: false });
    this.#acceptor.watch(tls, EVENT_READ, this.#onTls);
  }

  /**
   * One step of a TLS connection: the handshake until it is done, then what a
   * send that waited left (the same bytes again: Python's rule), then echoes
   * every record there is, `pending()` ones included, until OpenSSL wants
   * the socket; waits for the readiness it names.
   */
  serviceTls(conn: ssl.SSLSocket, _mask: number): void {
    try {
      if (!this.#secured.has(conn)) {
        conn.doHandshake();
        this.#secured.add(conn);
      }
      const rest = this.#pending.get(conn);
      if (rest !== undefined) {
        conn.send(rest);
        this.#pending.delete(conn);
      }
      do {
        const n = conn.recvInto(this.#buf);
        if (n === 0) { // close_notify, or the peer's end of the stream
          this.#closeTls(conn);
          return;
        }
        this.stats.bytes += n;
        const data = this.#views[n] ??= this.#buf.subarray(0, n);
        try {
          conn.send(data);
        } catch (e) {
          // Full: the same bytes again once writable (a copy: the read buffer is reused).
          if (e instanceof ssl.SSLWantWriteError) this.#pending.set(conn, data.slice());
          throw e;
        }
      } while (conn.pending() > 0);
      this.sel.modify(conn, EVENT_READ, this.#onTls);
    } catch (e) {
      if (e instanceof ssl.SSLWantReadError) return void this.sel.modify(conn, EVENT_READ, this.#onTls);
      if (e instanceof ssl.SSLWantWriteError) return void this.sel.modify(conn, EVENT_WRITE, this.#onTls);
      if (!(e instanceof OSError)) throw e; // an SSLError is an OSError: a failed handshake, a reset
      this.stats.resets++;
      this.#close(conn);
    }
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

  /** Answers the peer's close_notify with ours (a client's `unwrap()` waits for it), then closes. */
  #closeTls(conn: ssl.SSLSocket): void {
    try {
      conn.unwrap();
    } catch { /* a ragged end, or the peer gone: nothing to answer */ }
    this.#close(conn);
  }

  #close(conn: Conn): void {
    this.#pending.delete(conn);
    this.sel.unregister(conn);
    conn.close();
    this.stats.closed++;
    this.#acceptor.resume(); // an fd is free again
  }

  /**
   * Runs the loop until `stop()` is called or `maxSeconds` pass. The clock is
   * read when a wait comes back empty and every 1024 rounds, not on every
   * wake-up: a busy loop notices the deadline within 1024 rounds. Without a
   * deadline the waits are untimed (`select()` reads the clock before a timed
   * wait, for PEP 475's retry).
   */
  serve(maxSeconds = Infinity): void {
    const deadline = monotonic() + maxSeconds;
    this.#running = true;
    let left = maxSeconds;
    const ready: ReadyPair<Handler, Conn>[] = []; // refilled by each wait: no allocation per wake-up
    for (let round = 1; this.#running && left > 0; round++) {
      // No deadline (the default): wait untimed, as Python's example does; a timed wait reads the clock.
      // At most 1 s, written as the constant: JavaScriptCore's optimized code boxes Math.min()'s 1 as
      // a double where its interpreter made an integer, and each function the timeout passes through
      // was then recompiled for the other kind (Bun: ~24 ms of JIT time in the first 10 s, issue #33).
      const n = this.sel.selectInto(
        ready,
        this.#acceptor.timeout(left === Infinity ? null : left > 1 ? 1 : left),
      );
      for (const [key, mask] of ready) key.data(key.fileobj, mask);
      if (n === 0 || (round & 1023) === 0) left = deadline - monotonic();
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
        this.#acceptor.timeout(left === Infinity ? null : left > 1 ? 1 : left),
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
    // --tls takes two words, CERT and KEY: the second becomes --tls-key for parseArgs.
    const argv = process.argv.slice(2);
    const at = argv.indexOf("--tls");
    if (at >= 0) {
      if (at + 2 >= argv.length) cli.usageError("--tls takes CERT and KEY");
      argv.splice(at, 3, `--tls=${argv[at + 1]}`, `--tls-key=${argv[at + 2]}`);
    }
    const args = cli.parse({
      host: { type: "string", short: "H" },
      port: { type: "string", short: "p" },
      "max-seconds": { type: "string" },
      sync: { type: "boolean" },
      quiet: { type: "boolean", short: "q" },
      tls: { type: "string" },
      "tls-key": { type: "string" },
    }, argv);
    const certfile = cli.text(args, "tls");
    const keyfile = cli.text(args, "tls-key");
    if ((certfile === undefined) !== (keyfile === undefined)) cli.usageError("--tls takes CERT and KEY");
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
    let context: ssl.SSLContext | null = null;
    if (certfile !== undefined) {
      context = ssl.createDefaultContext(ssl.Purpose.CLIENT_AUTH);
      context.loadCertChain(certfile, keyfile);
    }
    const server = new EchoServer(cli.text(args, "host") ?? "127.0.0.1", port, (m) => cli.warn(m), context);
    const listening = `listening on ${formatAddress(server.address)} (${server.sel.backend}${
      context ? ", TLS" : ""
    })`;
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
    context?.close();
    if (!quiet) {
      const s = server.stats;
      console.log(`served ${s.accepted} connections, ${s.bytes} bytes echoed, ${s.resets} resets`);
    }
  });
}
