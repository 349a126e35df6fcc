/**
 * `ping -c`: ICMP echo over IPv4 or IPv6, with iputils' output and exit
 * status, on one selector.
 *
 * Unprivileged where the system allows it: a datagram ICMP socket
 * (`SOCK_DGRAM`, `IPPROTO_ICMP`/`IPPROTO_ICMPV6`; Linux lets the groups in
 * `net.ipv4.ping_group_range` open one, macOS everyone), where the kernel
 * fills in the identifier and the checksum. Otherwise a raw socket, which
 * needs root (or CAP_NET_RAW): the checksum is computed here, and replies are
 * matched by identifier. The TTL (hop limit) of each reply comes as ancillary
 * data (`IP_RECVTTL`, `IPV6_RECVHOPLIMIT`) through `recvmsg`.
 *
 *   deno run --allow-ffi --allow-env examples/ping.ts -c 3 127.0.0.1
 *   bun examples/ping.ts -6 -c 2 -i 0.2 ::1
 *
 * Exit status: 0 when a reply came, 1 when none did, 2 on another error (as
 * iputils' ping).
 *
 * @module
 */
import process from "node:process";
import { DefaultSelector, EVENT_READ, GaiError, OS, OSError, socket } from "../mod.ts";
import { Cli } from "./_cli.ts";

const USAGE = `usage: ping.ts [-46] [-c COUNT] [-i INTERVAL] [-W TIMEOUT] [-s SIZE] HOST

Sends COUNT (default 4) ICMP echo requests to HOST, INTERVAL seconds apart
(default 1), and waits TIMEOUT seconds (default 2) after the last for the
replies. SIZE bytes of payload (default 56). Prints each reply and iputils'
summary. Exit status: 0 if a reply came, 1 if none did, 2 on other errors.`;

const ECHO_REQUEST = { 4: 8, 6: 128 } as const;
const ECHO_REPLY = { 4: 0, 6: 129 } as const;

/** One reply. */
export interface Reply {
  seq: number;
  bytes: number;
  ttl: number | null;
  ms: number;
}

/** What a ping run saw. */
export interface PingResult {
  address: string;
  transmitted: number;
  replies: Reply[];
  /** "dgram" (unprivileged) or "raw". */
  kind: "dgram" | "raw";
}

/** The Internet checksum (RFC 1071) of `bytes`. */
export function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (bytes.length % 2) sum += bytes[bytes.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An ICMP echo request: type, code, checksum, identifier, sequence, then the payload. */
export function echoRequest(version: 4 | 6, id: number, seq: number, size: number): Uint8Array {
  const packet = new Uint8Array(8 + size);
  const view = new DataView(packet.buffer);
  view.setUint8(0, ECHO_REQUEST[version]);
  view.setUint16(4, id);
  view.setUint16(6, seq);
  for (let i = 0; i < size; i++) packet[8 + i] = (0x10 + i) & 0xff;
  // IPv4 raw sockets need ours; the kernel fills it in for datagram ones and for every ICMPv6.
  if (version === 4) view.setUint16(2, checksum(packet));
  return packet;
}

/** Opens the ICMP socket: datagram if the system lets us, else raw. */
function openIcmp(version: 4 | 6): { sock: socket.Socket; kind: "dgram" | "raw" } {
  const family = version === 4 ? socket.AF_INET : socket.AF_INET6;
  const proto = version === 4 ? socket.IPPROTO_ICMP : socket.IPPROTO_ICMPV6;
  try {
    return { sock: new socket.Socket(family, socket.SOCK_DGRAM, proto), kind: "dgram" };
  } catch (e) {
    if (!(e instanceof OSError) || (e.code !== "EACCES" && e.code !== "EPERM")) throw e;
    try {
      return { sock: new socket.Socket(family, socket.SOCK_RAW, proto), kind: "raw" };
    } catch {
      throw new OSError(e.errno, "socket", {
        description: `${e.strerror}: an ICMP socket needs the group in net.ipv4.ping_group_range, or root`,
      });
    }
  }
}

/** The ICMP message of a received packet: a raw IPv4 socket gets the IP header too. */
function icmpOf(
  data: Uint8Array,
  version: 4 | 6,
  kind: "dgram" | "raw",
): { icmp: Uint8Array; ttl: number | null } {
  if (version === 4 && kind === "raw" && data.length >= 20) {
    const headerLength = (data[0]! & 0x0f) * 4;
    return { icmp: data.subarray(headerLength), ttl: data[8]! };
  }
  return { icmp: data, ttl: null };
}

/** The TTL or hop limit from a reply's ancillary data, as an int (Linux) or a byte (the BSDs' IP_RECVTTL). */
function ttlOf(anc: socket.Ancillary[]): number | null {
  for (const [level, type, data] of anc) {
    const ttl = (level === socket.IPPROTO_IP && (type === socket.IP_TTL || type === socket.IP_RECVTTL)) ||
      (level === socket.IPPROTO_IPV6 && type === socket.IPV6_HOPLIMIT);
    if (!ttl) continue;
    if (data.length >= 4) return new DataView(data.buffer, data.byteOffset, 4).getInt32(0, true);
    if (data.length >= 1) return data[0]!;
  }
  return null;
}

/**
 * Pings `host`: `count` requests `interval` seconds apart, then waits up to
 * `timeout` seconds for the rest of the replies.
 *
 * @param onReply Told of each reply as it comes.
 */
export function ping(
  host: string,
  options: { count?: number; interval?: number; timeout?: number; size?: number; version?: 0 | 4 | 6 } = {},
  onReply: (r: Reply) => void = () => {},
  onStart: (address: string) => void = () => {},
): PingResult {
  const { count = 4, interval = 1, timeout = 2, size = 56, version: want = 0 } = options;
  const family = want === 4 ? socket.AF_INET : want === 6 ? socket.AF_INET6 : socket.AF_UNSPEC;
  const [[f, , , , address]] = socket.getaddrinfo(host, null, family, socket.SOCK_DGRAM) as [socket.AddrInfo];
  const version = f === socket.AF_INET6 ? 6 : 4;
  const { sock, kind } = openIcmp(version);
  using _sock = sock;
  onStart(address[0] as string);
  sock.setBlocking(false);
  if (version === 4 && socket.IP_RECVTTL !== undefined && kind === "dgram") {
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTTL, 1);
  }
  if (version === 6 && socket.IPV6_RECVHOPLIMIT !== undefined) {
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1);
  }
  // A datagram socket's identifier is its port, which the kernel picks at the first send.
  const id = kind === "raw" ? process.pid & 0xffff : 0;
  using sel = new DefaultSelector();
  sel.register(sock, EVENT_READ);
  const sentAt = new Map<number, number>();
  const replies: Reply[] = [];
  const seen = new Set<number>();
  let transmitted = 0;
  let nextSend = performance.now();
  let deadline = Infinity;
  const anc = socket.CMSG_SPACE(4) * 2;
  while (performance.now() < deadline && seen.size < count) {
    const now = performance.now();
    if (transmitted < count && now >= nextSend) {
      const seq = transmitted + 1;
      sentAt.set(seq, performance.now());
      sock.sendto(echoRequest(version, id, seq, size), address);
      transmitted++;
      nextSend = now + interval * 1000;
      if (transmitted === count) deadline = now + timeout * 1000;
    }
    const until = transmitted < count ? nextSend : deadline;
    if (sel.select(Math.max(0, (until - performance.now()) / 1000)).length === 0) continue;
    for (;;) {
      let data: Uint8Array, items: socket.Ancillary[];
      try {
        [data, items] = sock.recvmsg(65536, anc);
      } catch (e) {
        if (e instanceof OSError && e.code === "EAGAIN") break;
        throw e;
      }
      const { icmp, ttl: headerTtl } = icmpOf(data, version, kind);
      if (icmp.length < 8 || icmp[0] !== ECHO_REPLY[version]) continue;
      const view = new DataView(icmp.buffer, icmp.byteOffset, icmp.byteLength);
      if (kind === "raw" && view.getUint16(4) !== id) continue; // another ping's reply
      const seq = view.getUint16(6);
      const start = sentAt.get(seq);
      if (start === undefined || seen.has(seq)) continue;
      seen.add(seq);
      const reply = {
        seq,
        bytes: icmp.length,
        ttl: ttlOf(items) ?? headerTtl,
        ms: performance.now() - start,
      };
      replies.push(reply);
      onReply(reply);
    }
  }
  return { address: address[0] as string, transmitted, replies, kind };
}

/** iputils' summary lines. */
export function summary(host: string, r: PingResult, ms: number): string[] {
  const received = r.replies.length;
  const loss = r.transmitted === 0 ? 0 : Math.round(((r.transmitted - received) / r.transmitted) * 100);
  const lines = [
    `--- ${host} ping statistics ---`,
    `${r.transmitted} packets transmitted, ${received} received, ${loss}% packet loss, time ${
      Math.round(ms)
    }ms`,
  ];
  if (received > 0) {
    const times = r.replies.map((x) => x.ms);
    const avg = times.reduce((a, b) => a + b, 0) / received;
    const mdev = Math.sqrt(times.reduce((a, b) => a + (b - avg) ** 2, 0) / received);
    const f = (n: number) => n.toFixed(3);
    lines.push(
      `rtt min/avg/max/mdev = ${f(Math.min(...times))}/${f(avg)}/${f(Math.max(...times))}/${f(mdev)} ms`,
    );
  }
  return lines;
}

if (import.meta.main) {
  const cli: Cli = new Cli("ping", USAGE);
  await cli.main(() => {
    if (OS === "windows") cli.fail("not on Windows: it needs Unix ICMP sockets (Windows has its own ping)");
    const args = cli.parse({
      count: { type: "string", short: "c" },
      interval: { type: "string", short: "i" },
      timeout: { type: "string", short: "W" },
      size: { type: "string", short: "s" },
      "4": { type: "boolean", short: "4" },
      "6": { type: "boolean", short: "6" },
    });
    const host = cli.positional(args, "HOST");
    const version = cli.ipVersion(args);
    const count = cli.number(cli.text(args, "count"), "-c", 4, { min: 1, max: 65535, integer: true });
    const interval = cli.number(cli.text(args, "interval"), "-i", 1, { min: 0.002, max: 3600 });
    const timeout = cli.number(cli.text(args, "timeout"), "-W", 2, { min: 0.001, max: 3600 });
    const size = cli.number(cli.text(args, "size"), "-s", 56, { min: 0, max: 65000, integer: true });
    const t0 = performance.now();
    let r: PingResult;
    try {
      let v6 = false;
      r = ping(host, { count, interval, timeout, size, version }, (reply) => {
        const ttl = reply.ttl === null ? "" : ` ${v6 ? "hlim" : "ttl"}=${reply.ttl}`;
        console.log(
          `${reply.bytes} bytes from ${host}: icmp_seq=${reply.seq}${ttl} time=${reply.ms.toFixed(3)} ms`,
        );
      }, (address) => {
        v6 = address.includes(":");
        console.log(`PING ${host} (${address}) ${size}(${size + (v6 ? 48 : 28)}) bytes of data.`);
      });
    } catch (e) {
      if (e instanceof GaiError) cli.fail(`${host}: ${e.strerror}`, 2);
      if (e instanceof OSError) cli.fail(`${e.syscall}: ${e.strerror}`, 2);
      throw e;
    }
    console.log("");
    for (const line of summary(host, r, performance.now() - t0)) console.log(line);
    process.exitCode = r.replies.length > 0 ? 0 : 1;
  });
}
