/**
 * A TCP connect scanner: hundreds of non-blocking connects at once on one
 * selector. Writability plus `SO_ERROR` decide open or closed; no answer by
 * the deadline means filtered.
 *
 *   deno run --allow-ffi --allow-env examples/port_scan.ts 127.0.0.1 --ports 1-1024
 *   bun examples/port_scan.ts 127.0.0.1 --ports 20-25,80,443 --json
 *
 * Scan only hosts you own or may test.
 *
 * @module
 */
import { DefaultSelector, ERRNO, errnoName, EVENT_WRITE, socket } from "../mod.ts";
import { parseArgs, usageError } from "./_cli.ts";

const USAGE = `usage: port_scan.ts HOST [--ports LIST] [--timeout S] [--concurrency N] [--json]

Tries a TCP connection to each port of HOST, up to N at once, without blocking.
A port is open when the connection completes, closed when it is refused, and
filtered when nothing answers within S seconds (default 1). LIST is ports and
ranges, e.g. 1-1024 or 22,80,8000-8100 (default 1-1024). Prints the open ports,
or with --json one object {"host","open","closed","filtered","errors"}.`;

/** How each port ended. */
export interface ScanResult {
  open: number[];
  closed: number[];
  filtered: number[];
  errors: Array<[port: number, code: string]>;
}

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

interface Probe {
  port: number;
  sock: socket.Socket;
  deadline: number;
}

/** Scans `ports` of `host` with at most `concurrency` connects in flight. */
export function scan(host: string, ports: number[], timeout = 1, concurrency = 256): ScanResult {
  const [family, , , , address] = socket.getaddrinfo(host, 0, 0, socket.SOCK_STREAM)[0]!;
  const ip = (address as [string, number])[0];
  const result: ScanResult = { open: [], closed: [], filtered: [], errors: [] };
  using sel = new DefaultSelector<Probe>();
  let next = 0;

  const settle = (probe: Probe, err: number): void => {
    if (sel.getMap().has(probe.sock)) sel.unregister(probe.sock);
    probe.sock.close();
    if (err === 0) result.open.push(probe.port);
    else if (err === ERRNO.ECONNREFUSED) result.closed.push(probe.port);
    else if (err === ERRNO.ETIMEDOUT) result.filtered.push(probe.port);
    else result.errors.push([probe.port, errnoName(err)]);
  };

  const start = (port: number): void => {
    const sock = new socket.Socket(family, socket.SOCK_STREAM);
    sock.setBlocking(false);
    const probe: Probe = { port, sock, deadline: performance.now() + timeout * 1e3 };
    const err = sock.connectEx(family === socket.AF_INET6 ? [ip, port, 0, 0] : [ip, port]);
    if (err === ERRNO.EINPROGRESS) sel.register(sock, EVENT_WRITE, probe);
    else settle(probe, err);
  };

  while (next < ports.length || sel.getMap().size > 0) {
    while (next < ports.length && sel.getMap().size < concurrency) start(ports[next++]!);
    let earliest = Infinity;
    for (const key of sel.getMap().values()) earliest = Math.min(earliest, key.data.deadline);
    const wait = sel.getMap().size ? Math.max((earliest - performance.now()) / 1e3, 0) : 0;
    for (const [key] of sel.select(wait)) {
      settle(key.data, key.data.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) as number);
    }
    const now = performance.now();
    for (const key of [...sel.getMap().values()]) {
      if (key.data.deadline <= now) settle(key.data, ERRNO.ETIMEDOUT);
    }
  }
  for (const list of [result.open, result.closed, result.filtered]) list.sort((a, b) => a - b);
  return result;
}

if (import.meta.main) {
  const args = parseArgs(USAGE, { ports: "1-1024", timeout: 1, concurrency: 256, json: false });
  const host = args._[0] ?? usageError(USAGE, "missing HOST");
  let ports: number[] = [];
  try {
    ports = parsePorts(args.ports);
  } catch (e) {
    usageError(USAGE, e instanceof Error ? e.message : String(e));
  }
  const t0 = performance.now();
  const r = scan(host, ports, args.timeout, Math.max(1, args.concurrency));
  const seconds = (performance.now() - t0) / 1e3;
  if (args.json) {
    console.log(JSON.stringify({ host, ...r, seconds: Number(seconds.toFixed(3)) }));
  } else {
    console.log(`${host}: ${ports.length} ports in ${seconds.toFixed(2)} s`);
    for (const p of r.open) console.log(`${p}/tcp open`);
    console.log(`${r.closed.length} closed, ${r.filtered.length} filtered, ${r.errors.length} errors`);
  }
}
