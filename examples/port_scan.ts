/**
 * A port scanner in nmap's terms: hundreds of probes at once on one selector.
 *
 * TCP (the default) is a connect scan: the connection completes (open), is
 * refused (closed), an ICMP unreachable comes back (filtered) or nothing
 * answers by the deadline, retries included (filtered). A connection to itself
 * (the kernel chose the target port as the source port: nothing listens there)
 * counts as closed. UDP (`--udp`) sends an empty datagram: an answer is open,
 * ICMP port unreachable (ECONNREFUSED; WSAECONNRESET on Windows) closed, another ICMP error filtered,
 * silence after the retries open|filtered.
 *
 *   deno run --allow-ffi --allow-env examples/port_scan.ts 127.0.0.1 -p 1-1024
 *   bun examples/port_scan.ts 127.0.0.1 -p 53,123,161 --udp --json
 *
 * Exit status: 0 when a port is open, 1 when none is (or on an error such as
 * a name that does not resolve), 2 on bad usage. Scan only hosts you own or
 * may test.
 *
 * @module
 */
import process from "node:process";
import {
  DefaultSelector,
  ERRNO,
  errnoName,
  EVENT_READ,
  EVENT_WRITE,
  GaiError,
  OSError,
  socket,
} from "../mod.ts";
import { isOutOfFds } from "./_accept.ts";
import { Cli } from "./_cli.ts";

const USAGE =
  `usage: port_scan.ts HOST [-p LIST] [-u] [--timeout S] [--retries N] [--concurrency N] [-4|-6] [--json]

Probes each port of HOST, up to N at once (default 256), without blocking.
TCP: open (connected), closed (refused), filtered (no answer in S seconds,
default 1, after N retries, default 1; or ICMP unreachable). -u/--udp: open (a
reply), closed (ICMP port unreachable), open|filtered (no answer). LIST is
ports and ranges, e.g. 1-1024 or 22,80,8000-8100 (default 1-1024). Prints
nmap's table (every open port; a state of more than 25 other ports counted
on a "Not shown" line; service names from /etc/services), or with --json one
object {"host","protocol","open","closed","filtered","openFiltered","errors",
"seconds"}. Exit status: 0 if a port is open, 1 if none is, 2 on bad usage.`;

/** How each port ended. */
export interface ScanResult {
  open: number[];
  closed: number[];
  filtered: number[];
  /** UDP ports that never answered (no reply, no ICMP error): open or filtered. */
  openFiltered: number[];
  errors: Array<[port: number, code: string]>;
}

/** Options of {@linkcode scan}. */
export interface ScanOptions {
  /** Seconds to wait for each probe (default 1). */
  timeout?: number;
  /** Probes sent again to a port that did not answer (default 1). */
  retries?: number;
  /** Probes in flight at most (default 256); lowered at the fd limit. */
  concurrency?: number;
  /** Scan UDP instead of TCP. */
  udp?: boolean;
  /** 4 or 6: the address family to resolve HOST in (default: the first address). */
  family?: 0 | 4 | 6;
  /** Told once when the fd limit lowers the concurrency. */
  warn?: (message: string) => void;
}

/**
 * Service names for well-known ports, for a system without a services
 * database (`/etc/services`, Debian's netbase); the database answers first.
 */
const SERVICES: Record<"tcp" | "udp", Record<number, string>> = {
  tcp: {
    20: "ftp-data",
    21: "ftp",
    22: "ssh",
    23: "telnet",
    25: "smtp",
    53: "domain",
    80: "http",
    110: "pop3",
    111: "rpcbind",
    135: "msrpc",
    139: "netbios-ssn",
    143: "imap",
    389: "ldap",
    443: "https",
    445: "microsoft-ds",
    465: "smtps",
    587: "submission",
    631: "ipp",
    993: "imaps",
    995: "pop3s",
    1080: "socks",
    1433: "ms-sql-s",
    3306: "mysql",
    3389: "ms-wbt-server",
    5432: "postgresql",
    5900: "vnc",
    6379: "redis",
    8080: "http-proxy",
    8443: "https-alt",
  },
  udp: {
    53: "domain",
    67: "dhcps",
    68: "dhcpc",
    69: "tftp",
    111: "rpcbind",
    123: "ntp",
    137: "netbios-ns",
    138: "netbios-dgm",
    161: "snmp",
    162: "snmptrap",
    500: "isakmp",
    514: "syslog",
    1900: "upnp",
    4500: "nat-t-ike",
    5353: "zeroconf",
    11211: "memcache",
  },
};

/** The service name shown for `port`: the system's services database, else the built-in list, else "unknown". */
export function serviceName(port: number, protocol: "tcp" | "udp"): string {
  try {
    return socket.getservbyport(port, protocol);
  } catch {
    return SERVICES[protocol][port] ?? "unknown";
  }
}

/** nmap hides a state (never open) that more than this many ports are in. */
const HIDE_OVER = 25;

/** Parses "1-5,80" into a sorted list of unique ports; throws RangeError for bad input. */
export function parsePorts(list: string): number[] {
  const ports = new Set<number>();
  for (const part of list.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new RangeError(`Invalid port list item: ${JSON.stringify(part)}`);
    const lo = Number(m[1]), hi = Number(m[2] ?? m[1]);
    if (lo < 1 || hi > 65535 || lo > hi) throw new RangeError(`Invalid port range: ${part}`);
    for (let p = lo; p <= hi; p++) ports.add(p);
  }
  return [...ports].sort((a, b) => a - b);
}

/** ICMP errors that mean "something in the way" (nmap: filtered). */
const UNREACHABLE = new Set<number>(
  ["EHOSTUNREACH", "ENETUNREACH", "EACCES", "EPERM", "EHOSTDOWN", "ENETDOWN"]
    .map((name) => ERRNO[name as keyof typeof ERRNO]).filter((n) => n !== undefined),
);

interface Probe {
  port: number;
  sock: socket.Socket; // a new one for each TCP try
  deadline: number;
  tries: number;
}

const EMPTY = new Uint8Array(0);
const recvBuf = new Uint8Array(1);

/** Scans `ports` of `host`. Throws OSError when `host` does not resolve. */
export function scan(host: string, ports: number[], options: ScanOptions = {}): ScanResult {
  const { timeout = 1, retries = 1, udp = false, family = 0, warn = () => {} } = options;
  let concurrency = Math.max(1, options.concurrency ?? 256);
  const af = family === 4 ? socket.AF_INET : family === 6 ? socket.AF_INET6 : socket.AF_UNSPEC;
  const type = udp ? socket.SOCK_DGRAM : socket.SOCK_STREAM;
  const [info] = socket.getaddrinfo(host, 0, af, type);
  const [fam, , , , address] = info!;
  const ip = (address as [string, number])[0];
  const target = (port: number): socket.Address => fam === socket.AF_INET6 ? [ip, port, 0, 0] : [ip, port];
  const result: ScanResult = { open: [], closed: [], filtered: [], openFiltered: [], errors: [] };
  using sel = new DefaultSelector<Probe>();
  const waiting: number[] = [...ports].reverse(); // ports not yet probed (popped from the end)

  const settle = (probe: Probe, err: number): void => {
    if (sel.getMap().has(probe.sock)) sel.unregister(probe.sock);
    probe.sock.close();
    if (err === 0) result.open.push(probe.port);
    // A closed UDP port's ICMP "port unreachable" reads as ECONNREFUSED on Unix and as
    // WSAECONNRESET on Windows (ERRNO.ECONNRESET there).
    else if (err === ERRNO.ECONNREFUSED || (udp && err === ERRNO.ECONNRESET)) result.closed.push(probe.port);
    else if (err === ERRNO.ETIMEDOUT) (udp ? result.openFiltered : result.filtered).push(probe.port);
    else if (UNREACHABLE.has(err)) result.filtered.push(probe.port);
    else result.errors.push([probe.port, errnoName(err)]);
  };

  /** Whether the socket is connected to itself: the source port is the target port. */
  const selfConnected = (sock: socket.Socket, port: number): boolean => {
    const [localIp, localPort] = sock.getsockname() as [string, number];
    return localPort === port && localIp === ip;
  };

  /** Sends a probe (again): a connect, or an empty datagram. */
  const send = (probe: Probe): void => {
    probe.tries++;
    probe.deadline = performance.now() + timeout * 1e3;
    if (!udp) {
      const err = probe.sock.connectEx(target(probe.port));
      if (err === ERRNO.EINPROGRESS) sel.register(probe.sock, EVENT_WRITE, probe);
      else settle(probe, err === 0 && selfConnected(probe.sock, probe.port) ? ERRNO.ECONNREFUSED : err);
      return;
    }
    try {
      probe.sock.send(EMPTY);
    } catch (e) {
      if (e instanceof OSError) return settle(probe, e.errno);
      throw e;
    }
    if (!sel.getMap().has(probe.sock)) sel.register(probe.sock, EVENT_READ, probe);
  };

  const start = (port: number): boolean => {
    let sock: socket.Socket;
    try {
      sock = new socket.Socket(fam, type);
    } catch (e) {
      if (!isOutOfFds(e) || sel.getMap().size === 0) throw e;
      concurrency = sel.getMap().size;
      warn(`socket: ${e.strerror}; going on with ${concurrency} probes at once`);
      return false;
    }
    sock.setBlocking(false);
    const probe: Probe = { port, sock, deadline: 0, tries: 0 };
    if (udp) {
      sock.connect(target(port)); // a UDP connect only picks the route and the source port
      if (selfConnected(sock, port)) {
        settle(probe, ERRNO.ECONNREFUSED);
        return true;
      }
    }
    send(probe);
    return true;
  };

  /** A TCP connect cannot be sent again on the same socket: try on a new one. */
  const retryTcp = (probe: Probe): void => {
    sel.unregister(probe.sock);
    probe.sock.close();
    probe.sock = new socket.Socket(fam, type); // an fd was just freed: this one is there
    probe.sock.setBlocking(false);
    send(probe);
  };

  /** A UDP probe is readable: a reply (open) or a queued ICMP error. */
  const answered = (probe: Probe): void => {
    try {
      probe.sock.recvInto(recvBuf);
      settle(probe, 0);
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      // Winsock says WSAEMSGSIZE for a reply longer than the 1-byte buffer
      // (Unix truncates it quietly): a reply all the same, so the port is open.
      if (e.code === "EMSGSIZE") settle(probe, 0);
      else if (e.code !== "EAGAIN") settle(probe, e.errno);
    }
  };

  while (waiting.length > 0 || sel.getMap().size > 0) {
    while (waiting.length > 0 && sel.getMap().size < concurrency) {
      if (!start(waiting[waiting.length - 1]!)) break;
      waiting.pop();
    }
    let earliest = Infinity;
    for (const key of sel.getMap().values()) earliest = Math.min(earliest, key.data.deadline);
    const wait = sel.getMap().size ? Math.max((earliest - performance.now()) / 1e3, 0) : 0;
    for (const [key] of sel.select(wait)) {
      const probe = key.data;
      if (udp) answered(probe);
      else {
        const err = probe.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) as number;
        settle(probe, err === 0 && selfConnected(probe.sock, probe.port) ? ERRNO.ECONNREFUSED : err);
      }
    }
    const now = performance.now();
    for (const key of [...sel.getMap().values()]) {
      const probe = key.data;
      if (probe.deadline > now) continue;
      if (probe.tries > retries) settle(probe, ERRNO.ETIMEDOUT);
      else if (udp) send(probe);
      else retryTcp(probe);
    }
  }
  for (const list of [result.open, result.closed, result.filtered, result.openFiltered]) {
    list.sort((a, b) => a - b);
  }
  result.errors.sort((a, b) => a[0] - b[0]);
  return result;
}

/**
 * nmap's table: every open port, and the other ports unless more than 25 of
 * them share a state, which a "Not shown" line counts instead (with nmap's
 * reason: `conn-refused`, `port-unreach`, `no-response`).
 */
export function report(host: string, protocol: "tcp" | "udp", r: ScanResult, seconds: number): string[] {
  const states: Array<[state: string, ports: number[], reason: string]> = [
    ["open", r.open, ""],
    ["closed", r.closed, protocol === "tcp" ? "conn-refused" : "port-unreach"],
    ["filtered", r.filtered, protocol === "tcp" ? "no-response" : "host-unreach"],
    ["open|filtered", r.openFiltered, "no-response"],
  ];
  const total = states.reduce((n, [, ports]) => n + ports.length, 0) + r.errors.length;
  const lines = [`${host}: ${total} ${protocol} ports in ${seconds.toFixed(2)} s`];
  const hidden = states.filter(([state, ports]) => state !== "open" && ports.length > HIDE_OVER);
  if (hidden.length) {
    lines.push(
      `Not shown: ${
        hidden.map(([state, ports, why]) => `${ports.length} ${state} ${protocol} ports (${why})`).join(", ")
      }`,
    );
  }
  const rows: Array<[number, string]> = [];
  for (const [state, ports] of states) {
    if (!hidden.some(([h]) => h === state)) { for (const p of ports) rows.push([p, state]); }
  }
  for (const [p, code] of r.errors) rows.push([p, `error (${code})`]);
  rows.sort((a, b) => a[0] - b[0]);
  if (rows.length) lines.push("PORT      STATE          SERVICE");
  for (const [p, state] of rows) {
    lines.push(`${`${p}/${protocol}`.padEnd(9)} ${state.padEnd(14)} ${serviceName(p, protocol)}`);
  }
  return lines;
}

if (import.meta.main) {
  const cli: Cli = new Cli("port_scan", USAGE);
  await cli.main(() => {
    const args = cli.parse({
      ports: { type: "string", short: "p" },
      udp: { type: "boolean", short: "u" },
      timeout: { type: "string", short: "w" },
      retries: { type: "string" },
      concurrency: { type: "string" },
      json: { type: "boolean" },
      "4": { type: "boolean", short: "4" },
      "6": { type: "boolean", short: "6" },
    });
    const host = cli.positional(args, "HOST");
    const version = cli.ipVersion(args);
    let ports: number[] = [];
    try {
      ports = parsePorts(cli.text(args, "ports") ?? "1-1024");
    } catch (e) {
      cli.usageError(e instanceof Error ? e.message : String(e));
    }
    const timeout = cli.number(cli.text(args, "timeout"), "--timeout", 1, { min: 0.001, max: 3600 });
    const retries = cli.number(cli.text(args, "retries"), "--retries", 1, { min: 0, max: 10, integer: true });
    const concurrency = cli.number(cli.text(args, "concurrency"), "--concurrency", 256, {
      min: 1,
      max: 65536,
      integer: true,
    });
    const protocol = args.values.udp ? "udp" : "tcp";
    const t0 = performance.now();
    let r: ScanResult;
    try {
      r = scan(host, ports, {
        timeout,
        retries,
        concurrency,
        udp: protocol === "udp",
        family: version,
        warn: (m) => cli.warn(m),
      });
    } catch (e) {
      if (e instanceof GaiError) cli.fail(`${host}: ${e.strerror}`);
      throw e;
    }
    const seconds = (performance.now() - t0) / 1e3;
    if (args.values.json) {
      console.log(JSON.stringify({ host, protocol, ...r, seconds: Number(seconds.toFixed(3)) }));
    } else {
      for (const line of report(host, protocol, r, seconds)) console.log(line);
    }
    if (r.open.length === 0) process.exitCode = 1;
  });
}
