/**
 * A TCP proxy: listen on a port, connect each client to a target, copy both
 * directions on one selector, with bounded memory (see `_relay.ts`).
 *
 * The target is resolved once at start, off the selector loop; when that
 * fails, or a connect to it fails, it is resolved again (at most once a
 * second) and the failure is logged: a bad target never stops the proxy. At
 * the fd limit it stops accepting until a relay closes.
 *
 *   deno run --allow-ffi --allow-env --allow-net examples/tcp_proxy.ts --listen 8080 --target 127.0.0.1:80
 *   bun examples/tcp_proxy.ts -l 8080 -t example.internal:80 --stats
 *
 * @module
 */
import { DefaultSelector, os, socket } from "../mod.ts";
import { Acceptor, isOutOfFds } from "./_accept.ts";
import { Cli, formatAddress, onShutdown, serverOptions, splitHostPort } from "./_cli.ts";
import { type Handler, Relays, type RelayStats, statsLine } from "./_relay.ts";
import { connectFrom, resolve, type Resolved } from "./_resolve.ts";

const USAGE =
  `usage: tcp_proxy.ts -t HOST:PORT [-l PORT] [-H HOST] [--limit BYTES] [--stats] [--max-seconds S]

Accepts TCP connections on HOST:PORT (-H, default 127.0.0.1; "::" for IPv6 and
IPv4; -l/--listen port 0 = any free port; the address is printed as
"listening on HOST:PORT") and relays each to -t/--target (an IPv6 target is
written [::1]:80). At most BYTES (default 262144) wait in memory per
direction; past that the sending side is not read until the receiver catches
up. --stats prints one line per finished connection: bytes each way and the
most ever buffered. Failures to resolve or reach the target are logged to
stderr and close only the client concerned.`;

/** How long to wait before resolving the target again, in ms. */
const RESOLVE_INTERVAL_MS = 1000;

/** A proxy from a listening socket to `target`, with at most `limit` bytes buffered per direction. */
export class TcpProxy {
  readonly sel: DefaultSelector<Handler, socket.Socket> = new DefaultSelector<Handler, socket.Socket>();
  readonly listener: socket.Socket;
  readonly relays: Relays;
  #acceptor: Acceptor<Handler>;
  #running = true;
  /** Every address the target resolved to: each connect tries them in turn. */
  #address: Resolved[] | null = null;
  #resolving = false;
  #lastResolve = -Infinity;

  constructor(
    host: string,
    port: number,
    readonly target: [string, number],
    readonly limit = 262144,
    readonly onClose: (stats: RelayStats) => void = () => {},
    readonly warn: (message: string) => void = console.error,
  ) {
    this.listener = socket.createServer([host, port], serverOptions(host));
    this.#acceptor = new Acceptor(this.sel, this.listener, () => this.#accept(), warn);
    this.relays = new Relays(this.sel, limit, (stats) => {
      this.#acceptor.resume(); // two fds are free again
      if (stats.error && stats.error.syscall === "connect") this.#refresh(stats.error.strerror);
      this.onClose(stats);
    });
  }

  /** Resolves the target now (the first time, or again after a failure), off the loop. */
  async resolveTarget(): Promise<void> {
    if (this.#resolving) return;
    this.#resolving = true;
    this.#lastResolve = performance.now();
    try {
      this.#address = await resolve(this.target[0]);
    } catch (e) {
      this.warn(`cannot resolve the target: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.#resolving = false;
    }
  }

  /** After a failed connect: resolve again (at most once a second), logging why. */
  #refresh(why: string): void {
    this.warn(`connect to ${formatAddress(this.target)} failed: ${why}`);
    if (performance.now() - this.#lastResolve >= RESOLVE_INTERVAL_MS) void this.resolveTarget();
  }

  #accept(): void {
    const pair = this.#acceptor.accept();
    if (pair === null) return;
    const [client, peer] = pair;
    const addresses = this.#address;
    if (addresses === null) {
      client.close(); // nothing to connect it to (yet)
      this.#acceptor.resume();
      if (performance.now() - this.#lastResolve >= RESOLVE_INTERVAL_MS) void this.resolveTarget();
      return;
    }
    client.setBlocking(false);
    const port = this.target[1];
    let first: ReturnType<typeof connectFrom>;
    try {
      first = connectFrom(addresses, port, 0);
    } catch (e) {
      client.close();
      if (isOutOfFds(e)) return this.#acceptor.pause(e);
      throw e;
    }
    if ("error" in first) { // every address refused at once: a local target that is down
      client.close();
      this.#acceptor.resume();
      return this.#refresh(os.strerror(first.error));
    }
    let after = first.next;
    this.relays.start(client, first.sock, formatAddress(peer), first.connecting, {
      // A connect that fails later goes on with the next address, as createConnection does.
      next: () => {
        const r = connectFrom(addresses, port, after);
        if ("error" in r) return null;
        after = r.next;
        return r;
      },
    });
  }

  /** Runs on `selectAsync()` until `stop()` or until `maxSeconds` pass. */
  async serve(maxSeconds = Infinity): Promise<void> {
    const deadline = performance.now() + maxSeconds * 1e3;
    if (this.#address === null && !this.#resolving) void this.resolveTarget().then(() => this.sel.wakeup());
    while (this.#running) {
      const left = (deadline - performance.now()) / 1e3;
      if (left <= 0) break;
      const timeout = this.#acceptor.timeout(left === Infinity ? null : left);
      for (const [key, mask] of await this.sel.selectAsync(timeout)) {
        key.data(key.fileobj, mask);
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
    this.relays.closeAll();
    this.#acceptor.close();
    this.sel.close();
  }
}

if (import.meta.main) {
  const cli: Cli = new Cli("tcp_proxy", USAGE);
  await cli.main(async () => {
    const args = cli.parse({
      target: { type: "string", short: "t" },
      listen: { type: "string", short: "l" },
      host: { type: "string", short: "H" },
      limit: { type: "string" },
      stats: { type: "boolean" },
      "max-seconds": { type: "string" },
    });
    if (args.positionals.length) cli.usageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
    const targetText = cli.text(args, "target");
    if (targetText === undefined) cli.usageError("--target HOST:PORT is required");
    const target = splitHostPort(targetText);
    if (target === null || target[1] === 0) {
      cli.usageError(`--target must be HOST:PORT, got ${JSON.stringify(targetText)}`);
    }
    const port = cli.number(cli.text(args, "listen"), "--listen", 0, { min: 0, max: 65535, integer: true });
    const limit = cli.number(cli.text(args, "limit"), "--limit", 262144, { min: 1, integer: true });
    const maxSeconds = cli.number(cli.text(args, "max-seconds"), "--max-seconds", Infinity, { min: 0 });
    let relays = 0;
    const proxy = new TcpProxy(cli.text(args, "host") ?? "127.0.0.1", port, target, limit, (r) => {
      relays++;
      if (args.values.stats) console.log(statsLine(r));
    }, (m) => cli.warn(m));
    await proxy.resolveTarget();
    // Signals are handled before the address is printed: a caller may signal as soon as it reads it.
    const removeListeners = onShutdown((signal) => {
      console.log(`${signal}: shutting down`);
      proxy.stop();
    });
    console.log(`listening on ${formatAddress(proxy.listener.getsockname())} -> ${formatAddress(target)}`);
    await proxy.serve(maxSeconds);
    removeListeners();
    proxy.close();
    console.log(`relayed ${relays} connections`);
  });
}
