/**
 * A SOCKS5 proxy (RFC 1928): no authentication, the CONNECT command, IPv4,
 * IPv6 and domain-name destinations. One selector for every client; the
 * handshake is parsed as bytes arrive, names are resolved off the loop (the
 * runtime's resolver, while `selectAsync()` waits), and each connection is
 * then relayed with bounded memory through `EVENT_WRITE` back-pressure, as in
 * `tcp_proxy.ts`.
 *
 *   deno run --allow-ffi --allow-env --allow-net examples/socks5_proxy.ts -p 1080
 *   bun examples/socks5_proxy.ts -p 1080
 *   curl --socks5-hostname 127.0.0.1:1080 http://example.internal/
 *
 * Run it only where you control who can reach it: it has no authentication.
 *
 * @module
 */
import { DefaultSelector, ERRNO, EVENT_READ, os, OSError, socket } from "../mod.ts";
import { Acceptor, isOutOfFds } from "./_accept.ts";
import { Cli, formatAddress, onShutdown, serverOptions } from "./_cli.ts";
import { type Handler, Relays, type RelayStats, statsLine } from "./_relay.ts";
import { connectFrom, resolve, type Resolved } from "./_resolve.ts";

const USAGE =
  `usage: socks5_proxy.ts [-H HOST] [-p PORT] [--limit BYTES] [--handshake-timeout S] [--stats] [--max-seconds S]

A SOCKS5 proxy (RFC 1928: no authentication, CONNECT; IPv4, IPv6 and domain
names) on HOST:PORT (default 127.0.0.1; "::" for IPv6 and IPv4; port 0 = any
free port; the address is printed as "listening on HOST:PORT"). At most BYTES
(default 262144) wait in memory per direction. Clients that have not sent a
complete request within --handshake-timeout seconds (default 10) are closed.
--stats prints one line per finished connection.`;

/** RFC 1928 constants. */
const VERSION = 5;
const NO_AUTH = 0x00, NO_ACCEPTABLE = 0xff;
const CMD_CONNECT = 1;
const ATYP_IPV4 = 1, ATYP_DOMAIN = 3, ATYP_IPV6 = 4;
/** Reply codes. */
export const REP = {
  succeeded: 0,
  failure: 1,
  notAllowed: 2,
  networkUnreachable: 3,
  hostUnreachable: 4,
  refused: 5,
  ttlExpired: 6,
  commandNotSupported: 7,
  addressTypeNotSupported: 8,
} as const;

/** The most a handshake can take: a greeting (2 + 255) and a request (4 + 1 + 255 + 2). */
const MAX_HANDSHAKE = 2 + 255 + 4 + 1 + 255 + 2;

/** A client still in the handshake. */
interface Handshake {
  sock: socket.Socket;
  name: string;
  buf: Uint8Array;
  length: number;
  greeted: boolean;
  deadline: number;
}

/** The destination of a CONNECT request. */
interface Destination {
  host: string;
  port: number;
  /** The address when the request gave one (not a name). */
  resolved: Resolved | null;
}

/** What parsing the bytes so far gives: more needed, a reply code to fail with, or a result. */
type Parse<T> = { need: true } | { fail: number } | { value: T; used: number };

/** Parses the method-selection message: `VER NMETHODS METHODS...`. */
export function parseGreeting(b: Uint8Array): Parse<boolean> {
  if (b.length < 2) return { need: true };
  if (b[0] !== VERSION) return { fail: REP.failure };
  const n = b[1]!;
  if (b.length < 2 + n) return { need: true };
  return { value: b.subarray(2, 2 + n).includes(NO_AUTH), used: 2 + n };
}

/** Parses a request: `VER CMD RSV ATYP DST.ADDR DST.PORT`. */
export function parseRequest(b: Uint8Array): Parse<Destination> {
  if (b.length < 5) return { need: true };
  if (b[0] !== VERSION) return { fail: REP.failure };
  if (b[1] !== CMD_CONNECT) return { fail: REP.commandNotSupported };
  const atyp = b[3]!;
  let addrEnd: number, host: string, resolved: Resolved | null = null;
  if (atyp === ATYP_IPV4) {
    addrEnd = 4 + 4;
    if (b.length < addrEnd + 2) return { need: true };
    host = socket.inetNtop(socket.AF_INET, b.subarray(4, addrEnd));
    resolved = { family: socket.AF_INET, ip: host };
  } else if (atyp === ATYP_IPV6) {
    addrEnd = 4 + 16;
    if (b.length < addrEnd + 2) return { need: true };
    host = socket.inetNtop(socket.AF_INET6, b.subarray(4, addrEnd));
    resolved = { family: socket.AF_INET6, ip: host };
  } else if (atyp === ATYP_DOMAIN) {
    const len = b[4]!;
    addrEnd = 5 + len;
    if (b.length < addrEnd + 2) return { need: true };
    host = new TextDecoder().decode(b.subarray(5, addrEnd));
    if (len === 0 || /[\0\s]/.test(host)) return { fail: REP.hostUnreachable };
  } else {
    return { fail: REP.addressTypeNotSupported };
  }
  const port = (b[addrEnd]! << 8) | b[addrEnd + 1]!;
  return { value: { host, port, resolved }, used: addrEnd + 2 };
}

/** A reply: `VER REP RSV ATYP BND.ADDR BND.PORT`. */
export function reply(code: number, bound: socket.Address | null = null): Uint8Array {
  const [host, port] = Array.isArray(bound) ? bound as [string, number] : ["0.0.0.0", 0];
  const v6 = host.includes(":");
  const addr = socket.inetPton(v6 ? socket.AF_INET6 : socket.AF_INET, host);
  const out = new Uint8Array(4 + addr.length + 2);
  out.set([VERSION, code, 0, v6 ? ATYP_IPV6 : ATYP_IPV4]);
  out.set(addr, 4);
  out[4 + addr.length] = port >> 8;
  out[5 + addr.length] = port & 0xff;
  return out;
}

/** The reply code for a connect that failed with `errno`. */
function replyFor(errno: number): number {
  switch (errno) {
    case ERRNO.ECONNREFUSED:
      return REP.refused;
    case ERRNO.ENETUNREACH:
      return REP.networkUnreachable;
    case ERRNO.EHOSTUNREACH:
    case ERRNO.ETIMEDOUT:
      return REP.hostUnreachable;
    case ERRNO.EACCES:
    case ERRNO.EPERM:
      return REP.notAllowed;
    default:
      return REP.failure;
  }
}

/** A SOCKS5 proxy on one selector. */
export class Socks5Proxy {
  readonly sel: DefaultSelector<Handler, socket.Socket> = new DefaultSelector<Handler, socket.Socket>();
  readonly listener: socket.Socket;
  readonly relays: Relays;
  #acceptor: Acceptor<Handler>;
  #handshakes = new Map<socket.Socket, Handshake>();
  /** Names resolved off the loop, waiting for it to connect them. */
  #resolved: Array<() => void> = [];
  /** Clients whose destination name is being resolved. */
  #resolving = new Set<socket.Socket>();
  #running = true;
  #onHandshake: Handler = (sock) => this.#read(this.#handshakes.get(sock)!);

  constructor(
    host: string,
    port: number,
    readonly limit = 262144,
    readonly handshakeTimeout = 10,
    readonly onClose: (stats: RelayStats) => void = () => {},
    readonly warn: (message: string) => void = console.error,
  ) {
    this.listener = socket.createServer([host, port], serverOptions(host, 512));
    this.#acceptor = new Acceptor(this.sel, this.listener, () => this.#accept(), warn);
    this.relays = new Relays(this.sel, limit, (stats) => {
      this.#acceptor.resume();
      this.onClose(stats);
    });
  }

  #accept(): void {
    const pair = this.#acceptor.accept();
    if (pair === null) return;
    const [sock, peer] = pair;
    sock.setBlocking(false);
    const hs: Handshake = {
      sock,
      name: formatAddress(peer),
      buf: new Uint8Array(MAX_HANDSHAKE),
      length: 0,
      greeted: false,
      deadline: performance.now() + this.handshakeTimeout * 1e3,
    };
    if (!this.#acceptor.watch(sock, EVENT_READ, this.#onHandshake)) return;
    this.#handshakes.set(sock, hs);
  }

  #read(hs: Handshake): void {
    let n: number;
    try {
      n = hs.sock.recvInto(hs.buf.subarray(hs.length));
    } catch (e) {
      if (e instanceof OSError && e.code === "EAGAIN") return;
      if (e instanceof OSError) return this.#drop(hs);
      throw e;
    }
    if (n === 0) return this.#drop(hs); // gone before asking for anything
    hs.length += n;
    if (!hs.greeted) {
      const g = parseGreeting(hs.buf.subarray(0, hs.length));
      if ("need" in g) return;
      if ("fail" in g) return this.#drop(hs);
      if (!g.value) return this.#drop(hs, new Uint8Array([VERSION, NO_ACCEPTABLE]));
      hs.greeted = true;
      this.#consume(hs, g.used);
      if (!this.#send(hs, new Uint8Array([VERSION, NO_AUTH]))) return;
    }
    const r = parseRequest(hs.buf.subarray(0, hs.length));
    if ("need" in r) {
      if (hs.length === hs.buf.length) this.#drop(hs, reply(REP.failure)); // cannot be a request
      return;
    }
    if ("fail" in r) return this.#drop(hs, reply(r.fail));
    const early = hs.buf.slice(r.used, hs.length); // bytes sent after the request, for the target
    this.#handshakes.delete(hs.sock);
    this.sel.unregister(hs.sock);
    const dest = r.value;
    if (dest.resolved) return this.#connect(hs, [dest.resolved], dest, early);
    this.#resolving.add(hs.sock);
    resolve(dest.host).then(
      (resolved) => this.#later(hs, () => this.#connect(hs, resolved, dest, early)),
      (e) => {
        this.warn(`${hs.name}: ${e instanceof Error ? e.message : String(e)}`);
        this.#later(hs, () => this.#refuse(hs, REP.hostUnreachable));
      },
    );
  }

  /** Runs `job` on the loop (after a name resolved): queue it and wake the wait. */
  #later(hs: Handshake, job: () => void): void {
    if (!this.#resolving.delete(hs.sock)) return; // closed meanwhile
    this.#resolved.push(job);
    this.sel.wakeup();
  }

  #consume(hs: Handshake, used: number): void {
    hs.buf.copyWithin(0, used, hs.length);
    hs.length -= used;
  }

  /** Sends a short handshake message; false (and dropped) when it does not fit at once. */
  #send(hs: Handshake, bytes: Uint8Array): boolean {
    try {
      if (hs.sock.send(bytes) === bytes.length) return true;
    } catch { /* reset */ }
    this.#drop(hs);
    return false;
  }

  #drop(hs: Handshake, last?: Uint8Array): void {
    if (last) {
      try {
        hs.sock.send(last);
      } catch { /* gone */ }
    }
    if (this.#handshakes.delete(hs.sock)) this.sel.unregister(hs.sock);
    hs.sock.close();
    this.#acceptor.resume();
  }

  /** Answers a request that cannot be served (not in the handshake map any more) and closes it. */
  #refuse(hs: Handshake, code: number): void {
    try {
      hs.sock.send(reply(code));
    } catch { /* gone */ }
    hs.sock.close();
    this.#acceptor.resume();
  }

  #connect(hs: Handshake, addresses: Resolved[], dest: Destination, early: Uint8Array): void {
    if (!this.#running) return this.#refuse(hs, REP.failure);
    let first: ReturnType<typeof connectFrom>;
    try {
      first = connectFrom(addresses, dest.port, 0);
    } catch (e) {
      this.#refuse(hs, REP.failure);
      if (isOutOfFds(e)) return this.#acceptor.pause(e);
      throw e;
    }
    if ("error" in first) {
      this.warn(
        `${hs.name}: connect to ${formatAddress([dest.host, dest.port])}: ${os.strerror(first.error)}`,
      );
      return this.#refuse(hs, replyFor(first.error));
    }
    let after = first.next;
    const name = `${hs.name} -> ${formatAddress([dest.host, dest.port])}`;
    this.relays.start(hs.sock, first.sock, name, first.connecting, {
      early,
      onConnected: (relay, error) => {
        if (error === 0) return reply(REP.succeeded, relay.target.getsockname());
        this.warn(`${hs.name}: connect to ${formatAddress([dest.host, dest.port])}: ${os.strerror(error)}`);
        return reply(replyFor(error));
      },
      // A connect that fails later goes on with the next address, as createConnection does.
      next: () => {
        const r = connectFrom(addresses, dest.port, after);
        if ("error" in r) return null;
        after = r.next;
        return r;
      },
    });
  }

  /** The next handshake deadline, as a wait in seconds (`null`: none). */
  #nextDeadline(): number | null {
    let earliest = Infinity;
    for (const hs of this.#handshakes.values()) earliest = Math.min(earliest, hs.deadline);
    return earliest === Infinity ? null : Math.max(0, (earliest - performance.now()) / 1e3);
  }

  #expire(): void {
    const now = performance.now();
    for (const hs of [...this.#handshakes.values()]) if (hs.deadline <= now) this.#drop(hs);
  }

  /** Runs on `selectAsync()` until `stop()` or until `maxSeconds` pass. */
  async serve(maxSeconds = Infinity): Promise<void> {
    const deadline = performance.now() + maxSeconds * 1e3;
    while (this.#running) {
      const left = (deadline - performance.now()) / 1e3;
      if (left <= 0) break;
      const handshake = this.#nextDeadline();
      let timeout = this.#acceptor.timeout(left === Infinity ? null : left);
      if (handshake !== null) timeout = timeout === null ? handshake : Math.min(timeout, handshake);
      for (const [key, mask] of await this.sel.selectAsync(timeout)) {
        key.data(key.fileobj, mask);
      }
      for (const job of this.#resolved.splice(0)) job();
      this.#expire();
    }
  }

  /** Makes `serve()` return (wakes its wait). */
  stop(): void {
    this.#running = false;
    this.sel.wakeup();
  }

  /** Closes every connection, the listener and the selector. */
  close(): void {
    this.#running = false;
    for (const hs of [...this.#handshakes.values()]) this.#drop(hs);
    for (const sock of this.#resolving) sock.close();
    this.#resolving.clear();
    for (const job of this.#resolved.splice(0)) job(); // refused: not running any more
    this.relays.closeAll();
    this.#acceptor.close();
    this.sel.close();
  }
}

if (import.meta.main) {
  const cli: Cli = new Cli("socks5_proxy", USAGE);
  await cli.main(async () => {
    const args = cli.parse({
      host: { type: "string", short: "H" },
      port: { type: "string", short: "p" },
      limit: { type: "string" },
      "handshake-timeout": { type: "string" },
      stats: { type: "boolean" },
      "max-seconds": { type: "string" },
    });
    if (args.positionals.length) cli.usageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
    const port = cli.number(cli.text(args, "port"), "--port", 0, { min: 0, max: 65535, integer: true });
    const limit = cli.number(cli.text(args, "limit"), "--limit", 262144, { min: 1, integer: true });
    const handshake = cli.number(cli.text(args, "handshake-timeout"), "--handshake-timeout", 10, {
      min: 0.001,
      max: 86400,
    });
    const maxSeconds = cli.number(cli.text(args, "max-seconds"), "--max-seconds", Infinity, { min: 0 });
    let relays = 0;
    const proxy = new Socks5Proxy(cli.text(args, "host") ?? "127.0.0.1", port, limit, handshake, (r) => {
      relays++;
      if (args.values.stats) console.log(statsLine(r));
    }, (m) => cli.warn(m));
    // Signals are handled before the address is printed: a caller may signal as soon as it reads it.
    const removeListeners = onShutdown((signal) => {
      console.log(`${signal}: shutting down`);
      proxy.stop();
    });
    console.log(`listening on ${formatAddress(proxy.listener.getsockname())}`);
    await proxy.serve(maxSeconds);
    removeListeners();
    proxy.close();
    console.log(`relayed ${relays} connections`);
  });
}
