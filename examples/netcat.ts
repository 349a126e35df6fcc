/**
 * A netcat with OpenBSD nc's flags and behaviour, on one selector over
 * stdin and the socket, waiting with `selectAsync()` (signals stop it
 * cleanly). TCP and UDP, client and server (`-l`, `-k`), port probes (`-z`),
 * connect and idle timeouts (`-w`), half-close on EOF (`-N`) and quit after
 * EOF (`-q`), as nc users type them:
 *
 *   deno run --allow-ffi --allow-env examples/netcat.ts -v 127.0.0.1 7000
 *   bun examples/netcat.ts -lk 9000 > log          # one client after another
 *   bun examples/netcat.ts -N example.internal 80 < request
 *   bun examples/netcat.ts -zv -w 1 127.0.0.1 20-25
 *   bun examples/netcat.ts -u -w 1 127.0.0.1 53 < query
 *
 * As in nc, EOF on stdin is not passed on unless `-N` is given (then
 * `shutdown(SHUT_WR)`), and the program ends when both stdin and the peer
 * have finished (a listener: when the peer has), when `-q` seconds pass after
 * stdin's EOF, or when nothing moves for `-w` seconds.
 *
 * @module
 */
import process from "node:process";
import { DefaultSelector, ERRNO, EVENT_READ, EVENT_WRITE, GaiError, os, OSError, socket } from "../mod.ts";
import { Cli, onShutdown, writeStdout } from "./_cli.ts";

const USAGE =
  `usage: netcat.ts [-46dklNnuvz] [-p port] [-q seconds] [-s source] [-w timeout] [destination] [port]

  -4 / -6       IPv4 / IPv6 only
  -d            do not read stdin
  -k            with -l: accept another connection after each one ends
  -l            listen for a connection (on [destination] port, default all addresses)
  -N            shutdown(2) the socket after EOF on stdin
  -n            numeric addresses only: no DNS
  -p port       local port (the port to listen on, with -l)
  -q seconds    quit this long after EOF on stdin (negative: wait for the peer; the default)
  -s source     local address to connect or listen from
  -u            UDP instead of TCP
  -v            verbose: report connections on stderr
  -w timeout    give up a connect, or an idle connection, after this many seconds
  -z            only probe for listening ports (port may be a range, 20-25); no data

Ordinary failures print one line on stderr and exit 1; bad usage exits 2. With
-z, the exit status is 0 if any port answered.`;

const STDIN = 0;
const BUFSIZE = 65536;

/** The flags, checked. */
interface Options {
  family: number;
  noStdin: boolean;
  keep: boolean;
  listen: boolean;
  shutdownOnEof: boolean;
  numeric: boolean;
  localPort: number | null;
  quitAfter: number;
  source: string | null;
  udp: boolean;
  verbose: boolean;
  timeout: number | null;
  zero: boolean;
}

const cli: Cli = new Cli("netcat", USAGE);
/** Set by SIGINT/SIGTERM: the wait in progress returns and the program ends. */
const stopping = { now: false, sel: null as DefaultSelector<unknown> | null };

function proto(o: Options): "tcp" | "udp" {
  return o.udp ? "udp" : "tcp";
}

/** nc's service tag for `-v`: `[tcp/http]`, `[udp/*]`. */
const SERVICES: Record<number, string> = {
  21: "ftp",
  22: "ssh",
  23: "telnet",
  25: "smtp",
  53: "domain",
  80: "http",
  110: "pop3",
  123: "ntp",
  143: "imap",
  443: "https",
  993: "imaps",
  995: "pop3s",
  3306: "mysql",
  5432: "postgresql",
  8080: "http-alt",
};

function log(o: Options, message: string): void {
  if (o.verbose) console.error(message);
}

/** The selector for single waits (connects, accepts, probes), made once. */
let waiter: DefaultSelector<unknown> | null = null;

/** Waits until `sock` is ready for `events` or `timeout` seconds pass (`null`: no limit), or a signal. */
async function waitFor(sock: socket.Socket, events: number, timeout: number | null): Promise<boolean> {
  const sel = waiter ??= new DefaultSelector<unknown>();
  stopping.sel = sel;
  sel.register(sock, events);
  try {
    return (await sel.selectAsync(timeout)).length > 0;
  } finally {
    sel.unregister(sock);
    stopping.sel = null;
  }
}

/** Resolves `host` the way nc does (`-n`: numeric only; `-4`/`-6`); exits 1 with nc's message on failure. */
function resolve(host: string | null, port: number, o: Options, passive = false): socket.AddrInfo[] {
  let flags = o.numeric ? socket.AI_NUMERICHOST : 0;
  if (passive) flags |= socket.AI_PASSIVE;
  try {
    return socket.getaddrinfo(host, port, o.family, o.udp ? socket.SOCK_DGRAM : socket.SOCK_STREAM, 0, flags);
  } catch (e) {
    if (e instanceof GaiError) cli.fail(`getaddrinfo for host "${host ?? "*"}" port ${port}: ${e.strerror}`);
    throw e;
  }
}

/** Binds to `-s`/`-p` when given (before a connect). */
function bindLocal(sock: socket.Socket, family: number, o: Options): void {
  if (o.source === null && o.localPort === null) return;
  sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  const host = o.source ?? (family === socket.AF_INET6 ? "::" : "0.0.0.0");
  sock.bind(family === socket.AF_INET6 ? [host, o.localPort ?? 0, 0, 0] : [host, o.localPort ?? 0]);
}

/**
 * Connects to one of `host`'s addresses (each tried in turn, `-w` seconds
 * each); `null` when none answered (each failure printed, as nc does).
 */
async function connect(host: string, port: number, o: Options, quiet = false): Promise<socket.Socket | null> {
  for (const [family, type, protocol, , address] of resolve(host, port, o)) {
    const sock = new socket.Socket(family, type, protocol);
    let err: number;
    try {
      bindLocal(sock, family, o);
      sock.setBlocking(false);
      err = sock.connectEx(address);
      if (err === ERRNO.EINPROGRESS) {
        const ready = await waitFor(sock, EVENT_WRITE, o.timeout);
        if (stopping.now) return sock;
        err = ready ? sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) as number : ERRNO.ETIMEDOUT;
      }
      if (err === 0 && o.udp && o.zero) err = await probeUdp(sock, o);
    } catch (e) {
      sock.close();
      if (!(e instanceof OSError)) throw e;
      err = e.errno;
    }
    if (err === 0) {
      log(o, `Connection to ${host} ${port} port [${proto(o)}/${SERVICES[port] ?? "*"}] succeeded!`);
      return sock;
    }
    sock.close();
    if (!quiet || o.verbose) {
      const why = os.strerror(err);
      cli.warn(`connect to ${host} port ${port} (${proto(o)}) failed: ${why}`);
    }
  }
  return null;
}

/**
 * `-zu`: a connected UDP socket cannot tell an open port from a silent one;
 * send a byte and wait (`-w`, default 1 s) for ICMP port unreachable.
 */
async function probeUdp(sock: socket.Socket, o: Options): Promise<number> {
  sock.send(new Uint8Array([0x58])); // "X", as nc sends
  if (!(await waitFor(sock, EVENT_READ, o.timeout ?? 1))) return 0;
  try {
    sock.recv(1);
    return 0;
  } catch (e) {
    if (e instanceof OSError && e.code !== "EAGAIN") return e.errno;
    return 0;
  }
}

/** stdin shared by every connection of a `-k` listener: once at EOF, it stays there. */
const stdin = { open: true, alwaysReady: false, fed: false };

/**
 * Windows: stdin cannot be selected (Winsock's select takes sockets only), so
 * the runtime reads it (`process.stdin`) and wakes the selector with each
 * chunk; the loop takes them from here. Paused while the socket is behind.
 */
const stdinFeed = { chunks: [] as Uint8Array[], ended: false };

function feedStdin(): void {
  if (stdin.fed) return;
  stdin.fed = true;
  process.stdin.on("data", (d: Uint8Array) => {
    stdinFeed.chunks.push(new Uint8Array(d));
    stopping.sel?.wakeup();
  });
  process.stdin.on("end", () => {
    stdinFeed.ended = true;
    stopping.sel?.wakeup();
  });
}

/**
 * Copies stdin to `sock` and `sock` to stdout until nc would stop. `peer` is
 * where UDP datagrams go when the socket is not connected (`-ulk`).
 *
 * @returns false when it ended on an error worth exit status 1.
 */
async function pump(sock: socket.Socket, o: Options, udpPeer?: UdpPeer): Promise<boolean> {
  sock.setBlocking(false);
  using sel = new DefaultSelector<"stdin" | "socket">();
  stopping.sel = sel as DefaultSelector<unknown>;
  let netinOpen = true;
  let pending = null as Uint8Array | null; // stdin bytes the socket did not take yet
  let lastActivity = performance.now();
  let stdinEofAt = stdin.open ? Infinity : performance.now();
  let ok = true;

  const watchStdin = (): void => {
    if (stdin.fed && stdin.open) process.stdin.resume(); // the socket drained: read on
    if (!stdin.open || stdin.alwaysReady || stdin.fed || sel.getMap().has(STDIN)) return;
    if (udpPeer && !udpPeer.connected && udpPeer.address === null) return; // nobody to send to yet
    try {
      sel.register(STDIN, EVENT_READ, "stdin");
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      if (e.code === "EPERM") stdin.alwaysReady = true; // a regular file: epoll refuses it, it is always ready
      else if (e.code === "ENOTSOCK") feedStdin(); // Windows: the runtime reads it for us
      else stdinEnded(); // EBADF: no stdin at all
    }
  };
  const stdinEnded = (): void => {
    stdin.open = false;
    stdinEofAt = performance.now();
    if (sel.getMap().has(STDIN)) sel.unregister(STDIN);
    if (o.shutdownOnEof && !o.udp) {
      try {
        sock.shutdown(socket.SHUT_WR);
      } catch { /* the peer is gone already */ }
    }
  };
  const socketEvents = (): number => (netinOpen ? EVENT_READ : 0) | (pending ? EVENT_WRITE : 0);
  const updateSocket = (): void => {
    const events = socketEvents();
    const key = sel.getMap().get(sock);
    if (events === 0) key && sel.unregister(sock);
    else if (!key) sel.register(sock, events, "socket");
    else if (key.events !== events) sel.modify(sock, events, "socket");
  };
  const send = (data: Uint8Array): void => {
    if (udpPeer?.connected) sock.send(data);
    else if (udpPeer) sock.sendto(data, udpPeer.address!);
    else {
      const n = sock.send(data);
      if (n < data.length) pending = data.subarray(n);
    }
  };
  const readStdin = (): void => {
    if (o.noStdin || !stdin.open || pending) return;
    let data: Uint8Array;
    if (stdin.fed) {
      const chunk = stdinFeed.chunks.shift();
      if (!chunk) return stdinFeed.ended ? stdinEnded() : undefined;
      data = chunk;
    } else {
      try {
        data = os.read(STDIN, BUFSIZE);
      } catch (e) {
        if (e instanceof OSError && e.code === "EAGAIN") return;
        throw e;
      }
      if (data.length === 0) return stdinEnded();
    }
    lastActivity = performance.now();
    send(data);
    if (pending && sel.getMap().has(STDIN)) sel.unregister(STDIN); // stop reading until the socket drains
    if (pending && stdin.fed) process.stdin.pause();
  };
  const readSocket = (): void => {
    let data: Uint8Array;
    if (udpPeer) {
      const [bytes, from] = sock.recvfrom(BUFSIZE);
      data = bytes;
      if (udpPeer.address === null || o.keep) udpPeer.address = from;
      if (o.listen && !o.keep && from !== null && !udpPeer.connected) {
        sock.connect(from); // like nc -ul: talk to the first sender only
        udpPeer.connected = true;
        log(o, `Connection received on ${(from as [string, number])[0]} ${(from as [string, number])[1]}`);
      }
    } else {
      data = sock.recv(BUFSIZE);
      if (data.length === 0) {
        netinOpen = false;
        return;
      }
    }
    lastActivity = performance.now();
    writeStdout(data);
  };

  if (!o.noStdin) watchStdin();
  else stdin.open = false;
  updateSocket();
  while (!stopping.now) {
    // nc's end conditions: both inputs done; a listener whose peer is done; -q after stdin's EOF.
    if (!netinOpen && !pending && (!stdin.open || o.listen)) break;
    const now = performance.now();
    const quitAt = o.quitAfter >= 0 && !stdin.open ? stdinEofAt + o.quitAfter * 1e3 : Infinity;
    const idleAt = o.timeout !== null ? lastActivity + o.timeout * 1e3 : Infinity;
    const until = Math.min(quitAt, idleAt);
    if (until <= now) break;
    const fedReady = stdin.fed && (stdinFeed.chunks.length > 0 || stdinFeed.ended);
    const busyStdin = (stdin.alwaysReady || fedReady) && stdin.open && !pending && !o.noStdin;
    const timeout = busyStdin ? 0 : until === Infinity ? null : (until - now) / 1e3;
    const ready = await sel.selectAsync(timeout);
    try {
      if (busyStdin) readStdin();
      for (const [key, mask] of ready) {
        if (key.data === "stdin") readStdin();
        else {
          if (mask & EVENT_WRITE && pending) {
            const n = sock.send(pending);
            pending = n < pending.length ? pending.subarray(n) : null;
            lastActivity = performance.now();
            if (!pending) watchStdin();
          }
          if (mask & EVENT_READ) readSocket();
        }
      }
    } catch (e) {
      if (!(e instanceof OSError) || e.syscall === "write" || e.syscall === "read") throw e; // stdin/stdout
      if (e.code === "EAGAIN") continue;
      // The socket failed: a reset, a broken pipe, ICMP port unreachable for UDP.
      if (netinOpen || o.udp) {
        cli.warn(`${e.syscall}: ${e.strerror}`);
        ok = false;
      }
      break;
    }
    updateSocket();
    if (!stdin.open || o.noStdin) continue;
    watchStdin();
  }
  stopping.sel = null;
  return ok;
}

/** `nc -l`: accept a connection (or, with -k, one after another) and pump each. */
async function listen(host: string | null, port: number, o: Options): Promise<boolean> {
  const [family, type, protocol, , address] = resolve(host, port, o, true)[0]!;
  const server = new socket.Socket(family, type, protocol);
  try {
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
    server.bind(address);
    if (!o.udp) server.listen(1);
    const [h, p] = server.getsockname() as [string, number];
    log(o, `${o.udp ? "Bound" : "Listening"} on ${h} ${p}`);
    if (o.udp) return await pump(server, o, { address: null, connected: false });
    let ok = true;
    do {
      server.setBlocking(false);
      if (!(await waitFor(server, EVENT_READ, null)) || stopping.now) break;
      let conn: socket.Socket, peer: socket.Address;
      try {
        [conn, peer] = server.accept();
      } catch (e) {
        if (e instanceof OSError && (e.code === "EAGAIN" || e.code === "ECONNABORTED")) continue;
        throw e;
      }
      const [ph, pp] = peer as [string, number];
      log(o, `Connection received on ${ph} ${pp}`);
      try {
        ok = (await pump(conn, o)) && ok;
      } finally {
        conn.close();
      }
    } while (o.keep && !stopping.now);
    return ok;
  } finally {
    server.close();
  }
}

/** Where UDP datagrams from stdin go: the last sender (`-ulk`) or the first, connected (`-ul`). */
interface UdpPeer {
  address: socket.Address | null;
  connected: boolean;
}

/** Parses `N` or `LO-HI`. */
function parsePortRange(text: string, allowRange: boolean): [number, number] {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  const lo = m ? Number(m[1]) : NaN, hi = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || lo < 1 || hi > 65535 || lo > hi || (!allowRange && m[2] !== undefined)) {
    cli.usageError(`port number invalid: ${text}`);
  }
  return [lo, hi];
}

/** A port to listen on: 0 (any free port, shown with -v) or 1..65535. */
function listenPort(text: string): number {
  return text === "0" ? 0 : parsePortRange(text, false)[0];
}

function options(): [Options, string[]] {
  const args = cli.parse({
    "4": { type: "boolean", short: "4" },
    "6": { type: "boolean", short: "6" },
    d: { type: "boolean", short: "d" },
    k: { type: "boolean", short: "k" },
    l: { type: "boolean", short: "l" },
    N: { type: "boolean", short: "N" },
    n: { type: "boolean", short: "n" },
    p: { type: "string", short: "p" },
    q: { type: "string", short: "q" },
    s: { type: "string", short: "s" },
    u: { type: "boolean", short: "u" },
    v: { type: "boolean", short: "v", multiple: true },
    w: { type: "string", short: "w" },
    z: { type: "boolean", short: "z" },
  });
  const v = args.values;
  const version = cli.ipVersion(args);
  const o: Options = {
    family: version === 4 ? socket.AF_INET : version === 6 ? socket.AF_INET6 : socket.AF_UNSPEC,
    noStdin: v.d === true,
    keep: v.k === true,
    listen: v.l === true,
    shutdownOnEof: v.N === true,
    numeric: v.n === true,
    localPort: null,
    quitAfter: cli.number(cli.text(args, "q"), "-q", -1, { min: -1e9, max: 1e9 }),
    source: cli.text(args, "s") ?? null,
    udp: v.u === true,
    verbose: Array.isArray(v.v) && v.v.length > 0,
    timeout: cli.number(cli.text(args, "w"), "-w", NaN, { min: 0.001, max: 1e9 }),
    zero: v.z === true,
  };
  if (Number.isNaN(o.timeout)) o.timeout = null;
  const p = cli.text(args, "p");
  if (p !== undefined) o.localPort = listenPort(p);
  if (o.keep && !o.listen) cli.usageError("must use -l with -k");
  if (o.listen && o.zero) cli.usageError("-l and -z exclude each other");
  return [o, args.positionals];
}

if (import.meta.main) {
  await cli.main(async () => {
    const [o, rest] = options();
    const removeListeners = onShutdown(() => {
      stopping.now = true;
      stopping.sel?.wakeup();
    });
    let ok: boolean;
    try {
      if (o.listen) {
        // nc -l [host] port, or nc -l -p port [host]
        let host: string | null = null, port: number;
        if (rest.length > 2) cli.usageError("too many arguments");
        if (rest.length === 2) [host, port] = [rest[0]!, listenPort(rest[1]!)];
        else if (o.localPort !== null && rest.length <= 1) [host, port] = [rest[0] ?? null, o.localPort];
        else if (rest.length === 1) port = listenPort(rest[0]!);
        else return cli.usageError("missing port number");
        ok = await listen(host ?? o.source, port, o);
      } else {
        if (rest.length !== 2) {
          cli.usageError(rest.length < 2 ? "missing destination or port" : "too many arguments");
        }
        const [host, portText] = rest as [string, string];
        const [lo, hi] = parsePortRange(portText, o.zero);
        if (o.zero) {
          let any = false;
          for (let port = lo; port <= hi && !stopping.now; port++) {
            const sock = await connect(host, port, o, true);
            if (sock) any = true;
            sock?.close();
          }
          ok = any;
        } else {
          const sock = await connect(host, lo, o);
          if (sock === null) ok = false;
          else {
            try {
              ok = stopping.now ||
                (await pump(sock, o, o.udp ? { address: null, connected: true } : undefined));
            } finally {
              sock.close();
            }
          }
        }
      }
    } finally {
      removeListeners();
      waiter?.close();
      if (stdin.fed) process.stdin.destroy(); // its reader would keep the process alive
    }
    process.exitCode = ok ? 0 : 1;
  });
}
