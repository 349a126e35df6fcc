/**
 * The address model: Python's address shapes (`[host, port]`,
 * `[host, port, flowinfo, scopeId]`, a path) to and from `struct sockaddr`,
 * numeric IPv4/IPv6 text in TypeScript (`inet_pton`/`inet_ntop`, so the common
 * numeric case needs no resolver call), `getaddrinfo`, and the address text
 * helpers (`inetPton`, `inetNtop`, `ipMreq`, `ipv6Mreq`). `socket.ts`
 * re-exports the public part.
 *
 * @module
 */
import { domainToASCII } from "node:url";
import { checkInt, checkString, checkU32, show, toCString } from "./_validate.ts";
import { copyBytes } from "./ffi/bytes.ts";
import { ERRNO, SOCKET } from "./ffi/constants.ts";
import { OSError } from "./errors.ts";
import { PLATFORM } from "./ffi/platform.ts";
import { cString, getaddrinfoRaw } from "./ffi/resolver.ts";
import {
  encodeIn4,
  encodeIn6,
  encodeNetlink,
  encodePacket,
  encodeUnix,
  encodeVsock,
  LINUX_FAMILIES,
  PACKET_ADDR_MAX,
  type RawAddress,
  SUN_PATH_SIZE,
} from "./ffi/sockaddr.ts";
import { errorFor, libc } from "./ffi/mod.ts";

const { AF_INET, AF_INET6, AF_UNIX, SOCK_STREAM } = SOCKET;

/** `INET6_ADDRSTRLEN`: the longest IPv6 text (`ffff:...:255.255.255.255`) plus its NUL. */
const INET6_ADDRSTRLEN = 46;

/** An IPv4 address: `[host, port]`. */
export type IPv4Address = readonly [host: string, port: number];
/** An IPv6 address: `[host, port, flowinfo, scopeId]` (the last two optional on input). */
export type IPv6Address = readonly [host: string, port: number, flowinfo?: number, scopeId?: number];
/** A netlink address (Linux `AF_NETLINK`): `[pid, groups]`, the port id (0: the kernel's) and multicast groups. */
export type NetlinkAddress = readonly [pid: number, groups: number];
/** A VM socket address (Linux `AF_VSOCK`): `[cid, port]`. */
export type VsockAddress = readonly [cid: number, port: number];
/**
 * A packet socket address (Linux `AF_PACKET`), as Python's: `[ifname, proto,
 * pkttype, hatype, addr]`, the interface's name, the Ethernet protocol (host
 * order: `0x0800` is IPv4), the packet type (`PACKET_HOST`...), the ARP
 * hardware type and the hardware address; the last three optional on input.
 */
export type PacketAddress = readonly [
  ifname: string,
  proto: number,
  pkttype?: number,
  hatype?: number,
  addr?: Uint8Array,
];
/** A socket address: IPv4 or IPv6 tuple, a Unix socket path, or (Linux) a netlink, VM or packet socket's. */
export type Address = IPv4Address | IPv6Address | string | NetlinkAddress | VsockAddress | PacketAddress;

export function checkPort(port: unknown): number {
  if (typeof port !== "number") throw new TypeError(`Invalid port: expected a number, got ${show(port)}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Invalid port: ${show(port)}: must be 0-65535`);
  }
  return port;
}

/** An optional `unsigned int` part of an IPv6 address (absent: 0). */
function optionalU32(v: unknown, what: string): number {
  return v === undefined ? 0 : checkU32(v, what);
}

export function familyName(family: number): string {
  return family === AF_INET
    ? "AF_INET"
    : family === AF_INET6
    ? "AF_INET6"
    : family === AF_UNIX
    ? "AF_UNIX"
    : family === LINUX_FAMILIES.netlink
    ? "AF_NETLINK"
    : family === LINUX_FAMILIES.packet
    ? "AF_PACKET"
    : family === LINUX_FAMILIES.vsock
    ? "AF_VSOCK"
    : `family ${family}`;
}

/** The separators IDNA treats as dots (ASCII, ideographic, fullwidth and halfwidth). */
const DOTS = /[.\u3002\uff0e\uff61]/;

/**
 * A host name for the resolver, as Python's socket module passes it: see
 * {@linkcode idnaName}; the name never reaches the resolver when it is bad
 * (a 1 MB "name" is no DNS query).
 *
 * @param host The caller's host.
 * @returns The NUL-terminated ASCII name for C.
 * @throws {TypeError} For a non-string or an embedded NUL. @throws {RangeError} For a bad label.
 */
export function hostName(host: unknown): Uint8Array {
  return toCString(idnaName(host, "host"), "host");
}

/**
 * A name as Python's `idna` codec encodes it for the resolver and for TLS
 * (`server_hostname`): a non-ASCII name becomes its `xn--` form, each label
 * 1 to 63 characters (a trailing dot allowed), an ASCII name is kept as it
 * is. Python raises UnicodeError for a label that is empty or too long; here
 * it is a RangeError.
 *
 * @param host The caller's name.
 * @param what What it is, for the error.
 * @returns The ASCII name.
 * @throws {TypeError} For a non-string. @throws {RangeError} For a bad label.
 */
export function idnaName(host: unknown, what: string): string {
  const text = checkString(host, what);
  // deno-lint-ignore no-control-regex
  const isAscii = /^[\x00-\x7f]*$/.test(text);
  const ascii = isAscii ? text : domainToASCII(text);
  if (!isAscii && ascii === "") {
    throw new RangeError(`Invalid ${what}: ${show(text)}: not a name IDNA can encode`);
  }
  const labels = ascii.split(DOTS);
  if (labels.length > 1 && labels[labels.length - 1] === "") labels.pop(); // a trailing dot
  if (ascii !== "") {
    for (const label of labels) {
      if (label.length === 0 || label.length > 63) {
        throw new RangeError(
          `Invalid ${what}: ${show(text)}: label ${
            label.length === 0 ? "empty" : "too long"
          } (IDNA allows 1 to 63 characters)`,
        );
      }
    }
  }
  return ascii;
}

/** Resolves a host to raw address bytes of one family: numeric forms directly, names through getaddrinfo. */
function hostBytes(host: string, family: number): { addr: Uint8Array; scopeId?: number } {
  if (family === AF_INET) {
    if (host === "") return { addr: new Uint8Array(4) };
    if (host === "<broadcast>") return { addr: new Uint8Array([255, 255, 255, 255]) };
    const v4 = parseIPv4(host);
    if (v4) return { addr: v4 };
  } else {
    if (host === "") return { addr: new Uint8Array(16) };
    const v6 = parseIPv6(host);
    if (v6) return { addr: v6 };
  }
  const found = getaddrinfoRaw(hostName(host), null, 0, family, SOCK_STREAM, 0)[0]?.address;
  if (found?.family === "inet" || found?.family === "inet6") {
    return { addr: found.addr, scopeId: found.family === "inet6" ? found.scopeId : undefined };
  }
  throw new TypeError(`Cannot resolve ${show(host)} for ${familyName(family)}`);
}

/**
 * Encodes a Python-style address for a family.
 *
 * @throws {TypeError} For a wrong shape or type. @throws {RangeError} For a bad port or path length.
 */
export function encodeAddress(family: number, address: unknown): Uint8Array {
  if (family === AF_UNIX) {
    let path: Uint8Array;
    if (typeof address === "string") path = new TextEncoder().encode(address);
    else if (ArrayBuffer.isView(address)) path = copyBytes(address, "AF_UNIX address");
    else throw new TypeError("AF_UNIX address must be a path string or bytes");
    // Python's rules: on Linux "" asks for autobind (the kernel picks an
    // abstract name) and a name starting with NUL is abstract; both may use
    // all of sun_path, with no terminator. Any other path is NUL-terminated.
    const linuxNamespace = PLATFORM.abstractUnixNames && (path.length === 0 || path[0] === 0);
    if (!linuxNamespace && path.includes(0)) throw new TypeError("AF_UNIX path has an embedded null byte");
    const max = linuxNamespace ? SUN_PATH_SIZE : SUN_PATH_SIZE - 1;
    if (path.length > max) {
      throw new RangeError(`AF_UNIX path too long: ${path.length} bytes (max ${max})`);
    }
    return encodeUnix(path, linuxNamespace);
  }
  if (family === LINUX_FAMILIES.netlink || family === LINUX_FAMILIES.vsock) {
    const shape = family === LINUX_FAMILIES.netlink ? "[pid, groups]" : "[cid, port]";
    if (!Array.isArray(address) || address.length !== 2) {
      throw new TypeError(`${familyName(family)} address must be ${shape}`);
    }
    const [a, b] = address as unknown[];
    return family === LINUX_FAMILIES.netlink
      ? encodeNetlink(checkU32(a, "pid"), checkU32(b, "groups"))
      : encodeVsock(checkU32(a, "cid"), checkU32(b, "port"));
  }
  if (family === LINUX_FAMILIES.packet) return packetAddress(address);
  if (family !== AF_INET && family !== AF_INET6) {
    throw new TypeError(`Unsupported address family: ${show(family)}`);
  }
  const max = family === AF_INET ? 2 : 4;
  if (!Array.isArray(address) || address.length < 2 || address.length > max) {
    throw new TypeError(
      `${familyName(family)} address must be ${
        family === AF_INET ? "[host, port]" : "[host, port, flowinfo?, scopeId?]"
      }`,
    );
  }
  const [host, port, flowinfo, scopeId] = address as unknown[];
  if (typeof host !== "string") throw new TypeError(`Invalid host: expected a string, got ${show(host)}`);
  const p = checkPort(port);
  if (family === AF_INET) return encodeIn4(hostBytes(host, AF_INET).addr, p);
  const flow = optionalU32(flowinfo, "flowinfo");
  if (flow > 0xfffff) throw new RangeError(`Invalid flowinfo: ${flow}: must be 0-1048575`);
  const resolved = hostBytes(host, AF_INET6);
  return encodeIn6(
    resolved.addr,
    p,
    flow,
    scopeId === undefined ? resolved.scopeId ?? 0 : optionalU32(scopeId, "scopeId"),
  );
}

/** `struct sockaddr_ll` from Python's `[ifname, proto, pkttype?, hatype?, addr?]`. */
function packetAddress(address: unknown): Uint8Array {
  if (!Array.isArray(address) || address.length < 2 || address.length > 5) {
    throw new TypeError("AF_PACKET address must be [ifname, proto, pkttype?, hatype?, addr?]");
  }
  const [ifname, proto, pkttype = 0, hatype = 0, addr] = address as unknown[];
  const protocol = checkU32(proto, "proto");
  if (protocol > 0xffff) throw new RangeError(`Invalid proto: ${protocol}: must be 0-65535`);
  const type = checkU32(pkttype, "pkttype");
  if (type > 0xff) throw new RangeError(`Invalid pkttype: ${type}: must be 0-255`);
  const hardware = checkU32(hatype, "hatype");
  if (hardware > 0xffff) throw new RangeError(`Invalid hatype: ${hardware}: must be 0-65535`);
  const bytes = addr === undefined ? new Uint8Array(0) : copyBytes(addr, "addr");
  if (bytes.length > PACKET_ADDR_MAX) {
    throw new RangeError(
      `Invalid addr: ${bytes.length} bytes (a hardware address holds at most ${PACKET_ADDR_MAX})`,
    );
  }
  const name = checkString(ifname, "ifname");
  const index = libc().if_nametoindex(toCString(name, "ifname"));
  // Python looks it up with ioctl(SIOCGIFINDEX): "[Errno 19] No such device".
  if (index === 0) throw errorFor(ERRNO.ENODEV, "SIOCGIFINDEX", `interface ${show(name)}`);
  return encodePacket(index, protocol, type, hardware, bytes);
}

/**
 * An interface's index by name (`if_nametoindex`), as Python's
 * `if_nametoindex` and packet addresses look it up.
 *
 * @throws {OSError} ENODEV when there is no interface of that name.
 */
export function interfaceIndex(name: string): number {
  const i = libc().if_nametoindex(toCString(name, "name"));
  if (i === 0) {
    throw new OSError(ERRNO.ENODEV, "if_nametoindex", {
      description: "no interface with this name",
      plain: true,
    });
  }
  return i;
}

/** `IF_NAMESIZE`: an interface name's room, NUL included (16 on every supported OS). */
export const IF_NAMESIZE = 16;

/** An interface's name by index, or `""` for 0 or an index no interface has (CPython's packet addresses). */
function interfaceName(index: number): string {
  const name = new Uint8Array(IF_NAMESIZE);
  return index <= 0 || libc().if_indextoname(index, name) === 0n ? "" : cString(name);
}

/** Decodes a kernel address into Python's shape. */
export function toAddress(raw: RawAddress): Address {
  switch (raw.family) {
    case "inet":
      return [formatIPv4(raw.addr), raw.port];
    case "inet6":
      return [formatIPv6(raw.addr), raw.port, raw.flowinfo, raw.scopeId];
    case "unix":
      return new TextDecoder().decode(raw.path);
    case "netlink":
      return [raw.pid, raw.groups];
    case "vsock":
      return [raw.cid, raw.port];
    case "packet":
      return [interfaceName(raw.ifindex), raw.protocol, raw.pkttype, raw.hatype, raw.addr];
    default:
      return "";
  }
}

/** A host as a message shows it: as is when short (it is one of the caller's, already checked). */
function clipHost(host: string): string {
  return host.length <= 64 ? host : show(host);
}

/** An address for an error message: `host:port` or the quoted path, bounded. */
export function describeAddress(address: unknown): string {
  if (typeof address === "string") return show(address);
  if (!Array.isArray(address)) return "";
  const [host, port] = address as unknown[];
  return `${typeof host === "string" ? clipHost(host) : show(host)}:${show(port)}`;
}

/** One `getaddrinfo` result: `[family, type, proto, canonname, address]`, as in Python. */
export type AddrInfo = [family: number, type: number, proto: number, canonname: string, address: Address];

/**
 * Resolves a host and port, like Python's `socket.getaddrinfo`.
 *
 * @param host A name, a numeric address, or `null` (with `AI_PASSIVE`: the wildcard).
 * @param port A number, a service name, or `null`.
 * @param family `AF_UNSPEC` (0, default), `AF_INET` or `AF_INET6`.
 * @param type `SOCK_STREAM`, `SOCK_DGRAM`, or 0 for all.
 * @param proto The protocol, or 0.
 * @param flags `AI_PASSIVE`, `AI_NUMERICHOST`, ...
 * @returns The results, in the resolver's order of preference.
 * @throws {GaiError} When the name does not resolve (`code` such as `"EAI_NONAME"`).
 * @example
 * ```ts ignore
 * for (const [family, type, proto, , address] of socket.getaddrinfo("localhost", 80, 0, socket.SOCK_STREAM)) {
 *   console.log(family, address);
 * }
 * ```
 */
export function getaddrinfo(
  host: string | null,
  port: number | string | null,
  family = 0,
  type = 0,
  proto = 0,
  flags = 0,
): AddrInfo[] {
  const node = host === null ? null : hostName(host);
  let service: Uint8Array | null = null;
  if (typeof port === "number") service = toCString(String(checkPort(port)), "port");
  else if (typeof port === "string") service = toCString(port, "port");
  else if (port !== null) {
    throw new TypeError(`Invalid port: expected a number, a string or null, got ${show(port)}`);
  }
  const results = getaddrinfoRaw(
    node,
    service,
    checkInt(flags, "flags"),
    checkInt(family, "family"),
    checkInt(type, "type"),
    checkInt(proto, "proto"),
  );
  return results.map((r) => [r.family, r.socktype, r.protocol, r.canonname, toAddress(r.address)]);
}

/**
 * Parses dotted-quad IPv4 (`"127.0.0.1"`) as `inet_pton` does: four decimal
 * parts 0..255, none with a leading zero (`"01"` could be octal, so C's
 * `inet_pton` refuses it and only `inet_aton` reads it). `leadingZeros`
 * takes them as decimal, as OpenSSL does when it tells an address from a
 * name (`"010.0.0.1"` is 10.0.0.1 there).
 */
export function parseIPv4(text: string, leadingZeros = false): Uint8Array<ArrayBuffer> | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!(leadingZeros ? /^\d{1,3}$/ : /^(?:0|[1-9]\d{0,2})$/).test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

/** Formats 4 bytes as dotted-quad IPv4. */
export function formatIPv4(addr: Uint8Array): string {
  return `${addr[0]}.${addr[1]}.${addr[2]}.${addr[3]}`;
}

/**
 * Parses IPv6 text (RFC 4291 forms: `::`, embedded IPv4), without a `%scope`
 * suffix, as `inet_pton` does; `leadingZeros` as for {@linkcode parseIPv4}.
 */
export function parseIPv6(text: string, leadingZeros = false): Uint8Array<ArrayBuffer> | null {
  if (text.length === 0 || text.length > INET6_ADDRSTRLEN - 1) return null;
  let groups: number[] = [];
  let tail: number[] = [];
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parseHalf = (half: string, allowV4: boolean): number[] | null => {
    if (half === "") return [];
    const out: number[] = [];
    const items = half.split(":");
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (allowV4 && i === items.length - 1 && item.includes(".")) {
        const v4 = parseIPv4(item, leadingZeros);
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return null;
        out.push(parseInt(item, 16));
      }
    }
    return out;
  };
  if (halves.length === 2) {
    const head = parseHalf(halves[0]!, false);
    const rest = parseHalf(halves[1]!, true);
    if (!head || !rest || head.length + rest.length > 7) return null;
    groups = head;
    tail = rest;
  } else {
    const all = parseHalf(text, true);
    if (!all || all.length !== 8) return null;
    groups = all;
  }
  const words = [...groups, ...new Array(8 - groups.length - tail.length).fill(0), ...tail];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/**
 * Formats 16 bytes as IPv6 text as glibc's `inet_ntop` does (what Python's
 * `inet_ntop` and addresses show on Linux): the first longest run of two or
 * more zero words as `::`, lower-case hex, and the last 32 bits as dotted
 * IPv4 after a prefix of six zero words (IPv4-compatible, `::a.b.c.d`, but
 * not `::` or `::x`) or of five and `ffff` (IPv4-mapped, `::ffff:a.b.c.d`).
 */
export function formatIPv6(addr: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((addr[2 * i]! << 8) | addr[2 * i + 1]!);
  if (
    words.slice(0, 5).every((w) => w === 0) && (words[5] === 0xffff || (words[5] === 0 && words[6] !== 0))
  ) {
    return `::${words[5] === 0 ? "" : "ffff:"}${formatIPv4(addr.subarray(12, 16))}`;
  }
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(":");
  const left = hex.slice(0, bestStart).join(":");
  const right = hex.slice(bestStart + bestLen).join(":");
  return `${left}::${right}`;
}
/**
 * Packs an IP address into its network-order bytes, like Python's
 * `socket.inet_pton`.
 *
 * @param family `AF_INET` (4 bytes) or `AF_INET6` (16 bytes).
 * @param text The address, such as `"127.0.0.1"` or `"::1"`.
 * @returns The bytes.
 * @throws {OSError} EINVAL for text that is not an address of that family
 *   (`inet_pton`'s rules: no leading zeros in IPv4 parts, which `inetAton` reads).
 * @throws {RangeError} For another family.
 * @example
 * ```ts ignore
 * socket.inetPton(socket.AF_INET, "10.0.0.1"); // Uint8Array [10, 0, 0, 1]
 * ```
 */
export function inetPton(family: number, text: string): Uint8Array<ArrayBuffer> {
  const f = checkInt(family, "family");
  if (typeof text !== "string") {
    throw new TypeError(`Invalid address text: expected a string, got ${show(text)}`);
  }
  if (f !== AF_INET && f !== AF_INET6) throw new RangeError(`inetPton: unsupported family ${familyName(f)}`);
  const bytes = f === AF_INET ? parseIPv4(text) : parseIPv6(text);
  if (bytes === null) {
    throw new OSError(ERRNO.EINVAL, "inet_pton", {
      description: "illegal IP address string passed to inet_pton",
      detail: show(text),
      plain: true,
    });
  }
  return bytes;
}

/**
 * Formats network-order address bytes as text, like Python's
 * `socket.inet_ntop` on Linux (IPv6 as glibc writes it: the longest zero run
 * as `::`, and `::a.b.c.d` or `::ffff:a.b.c.d` for IPv4-compatible and
 * IPv4-mapped addresses).
 *
 * @param family `AF_INET` or `AF_INET6`.
 * @param packed 4 or 16 bytes (a TypedArray, DataView or ArrayBuffer).
 * @returns The text, such as `"10.0.0.1"` or `"2001:db8::1"`.
 * @throws {RangeError} For a wrong length or another family.
 * @example
 * ```ts ignore
 * socket.inetNtop(socket.AF_INET6, new Uint8Array(16)); // "::"
 * ```
 */
export function inetNtop(family: number, packed: ArrayBufferView | ArrayBuffer): string {
  const f = checkInt(family, "family");
  const want = f === AF_INET ? 4 : f === AF_INET6 ? 16 : -1;
  if (want < 0) throw new RangeError(`inetNtop: unsupported family ${familyName(f)}`);
  const bytes = copyBytes(packed, "packed"); // read through the engine's own view of the bytes
  if (bytes.length !== want) {
    throw new RangeError(`inetNtop: ${familyName(f)} needs ${want} bytes, got ${bytes.length}`);
  }
  return f === AF_INET ? formatIPv4(bytes) : formatIPv6(bytes);
}

/**
 * A `struct ip_mreq` for `IP_ADD_MEMBERSHIP`/`IP_DROP_MEMBERSHIP`: the
 * group and the local interface's address, 4 bytes each.
 *
 * @param group The multicast group, such as `"239.1.2.3"`.
 * @param iface The local interface's IPv4 address (`"0.0.0.0"`: the kernel chooses).
 * @returns 8 bytes.
 * @example
 * ```ts ignore
 * udp.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.ipMreq("239.1.2.3"));
 * ```
 */
export function ipMreq(group: string, iface = "0.0.0.0"): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(8);
  out.set(inetPton(AF_INET, group), 0);
  out.set(inetPton(AF_INET, iface), 4);
  return out;
}

/**
 * A `struct ipv6_mreq` for `IPV6_JOIN_GROUP`/`IPV6_LEAVE_GROUP`: the group
 * and an interface index.
 *
 * @param group The multicast group, such as `"ff02::1:3"`.
 * @param ifindex The interface's index (0: the kernel chooses; see `ifNametoindex`).
 * @returns 20 bytes.
 * @example
 * ```ts ignore
 * udp.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.ipv6Mreq("ff02::1:3", socket.ifNametoindex("lo")));
 * ```
 */
export function ipv6Mreq(group: string, ifindex = 0): Uint8Array<ArrayBuffer> {
  const index = checkU32(ifindex, "ifindex");
  const out = new Uint8Array(20);
  out.set(inetPton(AF_INET6, group), 0);
  new DataView(out.buffer).setUint32(16, index, true);
  return out;
}
