/**
 * Names, services and byte order: the rest of Python's `socket` functions
 * (`gethostname`, `gethostbyname(_ex)`, `gethostbyaddr`, `getnameinfo`,
 * `getfqdn`, the services and protocols databases, interfaces, `htons` and
 * friends, `inet_aton`/`inet_ntoa`), re-exported by `socket.ts`.
 *
 * The lookups block the thread until the resolver answers, as in Python: a
 * name in `/etc/hosts` answers at once, one that goes to DNS may take
 * seconds. In an event loop, resolve with {@linkcode getaddrinfoAsync}, which
 * does not block it.
 *
 * @module
 */
import { checkInt, checkSize, checkString, checkU32, show, toCString } from "./_validate.ts";
import {
  type AddrInfo,
  checkPort,
  encodeAddress,
  formatIPv4,
  formatIPv6,
  getaddrinfo,
  hostName,
  IF_NAMESIZE,
  interfaceIndex,
  parseIPv4,
  parseIPv6,
} from "./_address.ts";
import { copyBytes } from "./ffi/bytes.ts";
import { EAI, ERRNO, SOCKET } from "./ffi/constants.ts";
import {
  cString,
  gaiError,
  gethostbyaddrRaw,
  gethostbynameRaw,
  gethostnameRaw,
  getnameinfoRaw,
  type HostEntry,
  interfaceList,
  protoByName,
  servByName,
  servByPort,
} from "./ffi/resolver.ts";
import { lastError, libc } from "./ffi/mod.ts";
import { GaiError, OSError } from "./errors.ts";

const { AF_INET, AF_INET6, AF_UNSPEC } = SOCKET;

/** `(hostname, aliaslist, ipaddrlist)`, as Python's `gethostbyname_ex` and `gethostbyaddr` return it. */
export type HostInfo = [hostname: string, aliases: string[], addresses: string[]];

/**
 * This host's name, like Python's `socket.gethostname`.
 *
 * @returns The name.
 * @example
 * ```ts ignore
 * console.log(socket.gethostname());
 * ```
 */
export function gethostname(): string {
  return gethostnameRaw();
}

/**
 * Sets this host's name, like Python's `socket.sethostname` (root only, or
 * CAP_SYS_ADMIN in a UTS namespace).
 *
 * @param name The new name.
 * @throws {PermissionError} Without the privilege.
 * @example
 * ```ts ignore
 * socket.sethostname("build-7");
 * ```
 */
export function sethostname(name: string): void {
  const bytes = toCString(name, "name");
  if (libc().sethostname(bytes, bytes.length - 1) < 0) throw lastError("sethostname");
}

/** Python's `setipaddr`: "" is the IPv4 wildcard, "<broadcast>" the broadcast address, else one lookup. */
function ipOf(name: string, family: number): { family: number; addr: Uint8Array } {
  if (name === "" && family !== AF_INET6) return { family: AF_INET, addr: new Uint8Array(4) };
  if (name === "<broadcast>" && family !== AF_INET6) {
    return { family: AF_INET, addr: new Uint8Array([255, 255, 255, 255]) };
  }
  const [first] = getaddrinfo(name, null, family, SOCKET.SOCK_DGRAM);
  if (!first) throw new GaiError(EAI.EAI_NONAME!, "getaddrinfo", { code: "EAI_NONAME" });
  const [f, , , , address] = first;
  const host = (address as [string, number])[0];
  return { family: f, addr: f === AF_INET6 ? parseIPv6(host.split("%")[0]!)! : parseIPv4(host)! };
}

function formatted(entry: HostEntry): HostInfo {
  const format = entry.family === AF_INET6 ? formatIPv6 : formatIPv4;
  return [entry.name, entry.aliases, entry.addresses.map((a) => format(a))];
}

/**
 * The first IPv4 address of a name, like Python's `socket.gethostbyname`
 * (`""` is `0.0.0.0`, `"<broadcast>"` is `255.255.255.255`). Blocks while the
 * resolver works.
 *
 * @param hostname A name or an IPv4 literal.
 * @returns The address as text.
 * @throws {GaiError} When the name does not resolve.
 * @example
 * ```ts ignore
 * socket.gethostbyname("localhost"); // "127.0.0.1"
 * ```
 */
export function gethostbyname(hostname: string): string {
  return formatIPv4(ipOf(checkString(hostname, "hostname"), AF_INET).addr);
}

/**
 * A name's host entry, like Python's `socket.gethostbyname_ex`: the primary
 * name, its aliases and its IPv4 addresses. Blocks while the resolver works.
 *
 * @param hostname A name or an IPv4 literal.
 * @returns `[hostname, aliases, addresses]`.
 * @throws {GaiError} When the name does not resolve; {@linkcode HError} when the host database has no entry.
 * @example
 * ```ts ignore
 * socket.gethostbynameEx("localhost"); // ["localhost", [], ["127.0.0.1"]]
 * ```
 */
export function gethostbynameEx(hostname: string): HostInfo {
  const name = checkString(hostname, "hostname");
  ipOf(name, AF_INET); // Python resolves first: its errors are gaierrors
  return formatted(gethostbynameRaw(toCString(name, "hostname")));
}

/**
 * The host entry of an address (or of a name's first address), like Python's
 * `socket.gethostbyaddr`. Blocks while the resolver works.
 *
 * @param ipAddress An IPv4 or IPv6 literal, or a name.
 * @returns `[hostname, aliases, addresses]`.
 * @throws {HError} When no name is known for the address (`code` `"HOST_NOT_FOUND"`).
 * @example
 * ```ts ignore
 * socket.gethostbyaddr("127.0.0.1"); // ["localhost", [], ["127.0.0.1"]]
 * ```
 */
export function gethostbyaddr(ipAddress: string): HostInfo {
  const { family, addr } = ipOf(checkString(ipAddress, "ipAddress"), AF_UNSPEC);
  return formatted(gethostbyaddrRaw(addr, family));
}

/**
 * The name and service of a numeric address, like Python's
 * `socket.getnameinfo`.
 *
 * @param sockaddr `[host, port]` or `[host, port, flowinfo, scopeId]`; the host must be numeric.
 * @param flags `NI_NUMERICHOST`, `NI_NUMERICSERV`, `NI_NAMEREQD`, `NI_DGRAM`, ...
 * @returns `[host, service]`.
 * @throws {GaiError} For a host that is not numeric, or a name required and not found.
 * @example
 * ```ts ignore
 * socket.getnameinfo(["127.0.0.1", 80], 0); // ["localhost", "http"]
 * ```
 */
export function getnameinfo(
  sockaddr: readonly [string, number] | readonly [string, number, number, number],
  flags: number,
): [string, string] {
  if (!Array.isArray(sockaddr) || (sockaddr.length !== 2 && sockaddr.length !== 4)) {
    throw new TypeError(
      `Invalid sockaddr: expected [host, port] or [host, port, flowinfo, scopeId], got ${show(sockaddr)}`,
    );
  }
  const [host, port] = sockaddr;
  const f = checkInt(flags, "flags");
  checkString(host, "host");
  checkPort(port);
  // As Python: the host must be a numeric address, and one of one family.
  const found = getaddrinfo(host, String(port), AF_UNSPEC, SOCKET.SOCK_DGRAM, 0, SOCKET.AI_NUMERICHOST);
  const [family] = found[0]!;
  if (family === AF_INET && sockaddr.length === 4) {
    throw new OSError(ERRNO.EINVAL, "getnameinfo", {
      description: "IPv4 sockaddr must be 2 tuple",
      plain: true,
    });
  }
  // As CPython: the tuple's flowinfo and scope id (0 when absent) are the
  // address's, whatever a `%scope` in the host said ("fe80::1%lo" -> "fe80::1").
  const address = family === AF_INET6 ? [host, port, sockaddr[2] ?? 0, sockaddr[3] ?? 0] : sockaddr;
  return getnameinfoRaw(encodeAddress(family, address), f);
}

/**
 * A fully qualified name for `name` (this host by default), like Python's
 * `socket.getfqdn`: the first name with a dot among the host entry's name
 * and aliases, else its name, else `name` itself.
 *
 * @param name A name or address; `""`, `"0.0.0.0"` or `"::"` is this host.
 * @returns The name.
 * @example
 * ```ts ignore
 * socket.getfqdn(); // "build-7.example.com"
 * ```
 */
export function getfqdn(name = ""): string {
  let n = checkString(name, "name").trim();
  if (n === "" || n === "0.0.0.0" || n === "::") n = gethostname(); // CPython 3.12's rule
  let entry: HostInfo;
  try {
    entry = gethostbyaddr(n);
  } catch (e) {
    if (e instanceof OSError) return n;
    throw e;
  }
  const [hostname, aliases] = entry;
  for (const candidate of [hostname, ...aliases]) if (candidate.includes(".")) return candidate;
  return hostname;
}

function notFound(syscall: string, description: string): OSError {
  return new OSError(0, syscall, { code: "ENOTFOUND", description, plain: true });
}

/**
 * A service's port from the services database, like Python's
 * `socket.getservbyname`.
 *
 * @param name `"http"`, `"ssh"`, ...
 * @param proto `"tcp"` or `"udp"`; any when omitted.
 * @returns The port.
 * @throws {OSError} `code` `"ENOTFOUND"` when there is no such service.
 * @example
 * ```ts ignore
 * socket.getservbyname("https"); // 443
 * ```
 */
export function getservbyname(name: string, proto?: string): number {
  const port = servByName(toCString(name, "name"), proto === undefined ? null : toCString(proto, "proto"));
  if (port === null) throw notFound("getservbyname", "service/proto not found");
  return port;
}

/**
 * A port's service name from the services database, like Python's
 * `socket.getservbyport`.
 *
 * @param port 0 to 65535.
 * @param proto `"tcp"` or `"udp"`; any when omitted.
 * @returns The name.
 * @throws {OSError} `code` `"ENOTFOUND"` when the port has no name.
 * @example
 * ```ts ignore
 * socket.getservbyport(22); // "ssh"
 * ```
 */
export function getservbyport(port: number, proto?: string): string {
  const p = checkPort(port);
  const name = servByPort(p, proto === undefined ? null : toCString(proto, "proto"));
  if (name === null) throw notFound("getservbyport", "port/proto not found");
  return name;
}

/**
 * A protocol's number from the protocols database, like Python's
 * `socket.getprotobyname`.
 *
 * @param name `"tcp"`, `"udp"`, `"icmp"`, ...
 * @returns The number.
 * @throws {OSError} `code` `"ENOTFOUND"` when there is no such protocol.
 * @example
 * ```ts ignore
 * socket.getprotobyname("icmp"); // 1
 * ```
 */
export function getprotobyname(name: string): number {
  const n = protoByName(toCString(name, "name"));
  if (n === null) throw notFound("getprotobyname", "protocol not found");
  return n;
}

/**
 * This host's network interfaces, like Python's `socket.if_nameindex`.
 *
 * @returns `[index, name]` pairs.
 * @example
 * ```ts ignore
 * socket.ifNameindex(); // [[1, "lo"], [2, "eth0"]]
 * ```
 */
export function ifNameindex(): [number, string][] {
  return interfaceList();
}

/**
 * An interface's index, like Python's `socket.if_nametoindex`.
 *
 * @param name `"lo"`, `"eth0"`, ...
 * @returns The index.
 * @throws {OSError} When there is no such interface.
 * @example
 * ```ts ignore
 * socket.ifNametoindex("lo"); // 1
 * ```
 */
export function ifNametoindex(name: string): number {
  return interfaceIndex(name);
}

/**
 * An interface's name, like Python's `socket.if_indextoname`.
 *
 * @param index The index (1 or more).
 * @returns The name.
 * @throws {OSError} ENXIO when there is no such interface.
 * @example
 * ```ts ignore
 * socket.ifIndextoname(1); // "lo"
 * ```
 */
export function ifIndextoname(index: number): string {
  const i = checkU32(index, "index");
  const name = new Uint8Array(IF_NAMESIZE);
  if (libc().if_indextoname(i, name) === 0n) throw lastError("if_indextoname", `index ${i}`);
  return cString(name);
}

function u16(x: number, what: string): number {
  const n = checkSize(x, what);
  if (n > 0xffff) throw new RangeError(`${what}: ${n} does not fit in 16 bits`);
  return n;
}

/**
 * Host to network byte order, 16 bits (Python's `socket.htons`).
 *
 * @param x 0 to 65535.
 * @returns The swapped value (every supported CPU is little-endian).
 * @example
 * ```ts ignore
 * socket.htons(0x1234); // 0x3412
 * ```
 */
export function htons(x: number): number {
  const n = u16(x, "htons");
  return ((n & 0xff) << 8) | (n >>> 8);
}

/**
 * Network to host byte order, 16 bits (Python's `socket.ntohs`).
 *
 * @param x 0 to 65535.
 * @returns The swapped value.
 * @example
 * ```ts ignore
 * socket.ntohs(0x3412); // 0x1234
 * ```
 */
export function ntohs(x: number): number {
  return htons(u16(x, "ntohs"));
}

/**
 * Host to network byte order, 32 bits (Python's `socket.htonl`).
 *
 * @param x 0 to 2^32 - 1.
 * @returns The swapped value.
 * @example
 * ```ts ignore
 * socket.htonl(1); // 16777216
 * ```
 */
export function htonl(x: number): number {
  const n = checkU32(x, "htonl");
  return (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0;
}

/**
 * Network to host byte order, 32 bits (Python's `socket.ntohl`).
 *
 * @param x 0 to 2^32 - 1.
 * @returns The swapped value.
 * @example
 * ```ts ignore
 * socket.ntohl(16777216); // 1
 * ```
 */
export function ntohl(x: number): number {
  return htonl(checkU32(x, "ntohl"));
}

/**
 * Packs IPv4 text into 4 bytes with the C library's lenient rules, like
 * Python's `socket.inet_aton`: `"127.1"`, `"0x7f.1"`, `"2130706433"` and
 * octal parts are accepted (use {@linkcode inetPton} for the strict form).
 *
 * @param text The address.
 * @returns 4 bytes, network order.
 * @throws {OSError} EINVAL for text that is not an address.
 * @example
 * ```ts ignore
 * socket.inetAton("127.1"); // Uint8Array [127, 0, 0, 1]
 * ```
 */
export function inetAton(text: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(4);
  if (libc().inet_aton(toCString(text, "text"), out) === 0) {
    throw new OSError(ERRNO.EINVAL, "inet_aton", {
      description: "illegal IP address string passed to inet_aton",
      detail: show(text),
      plain: true,
    });
  }
  return out;
}

/**
 * Formats 4 bytes as dotted IPv4 text, like Python's `socket.inet_ntoa`.
 *
 * @param packed Exactly 4 bytes.
 * @returns `"a.b.c.d"`.
 * @throws {RangeError} For another length.
 * @example
 * ```ts ignore
 * socket.inetNtoa(new Uint8Array([10, 0, 0, 1])); // "10.0.0.1"
 * ```
 */
export function inetNtoa(packed: ArrayBufferView | ArrayBuffer): string {
  const bytes = copyBytes(packed, "packed");
  if (bytes.length !== 4) throw new RangeError(`inetNtoa: packed IP wrong length: ${bytes.length}`);
  return formatIPv4(bytes);
}

/** Whether `node:dns` may be used here (Deno needs --allow-net for it). */
let runtimeResolver: typeof import("node:dns/promises") | null | undefined;

/**
 * Resolves like {@linkcode getaddrinfo}, without blocking the event loop:
 * the same arguments, the same checks and errors, results of the same shape.
 * A name goes to the runtime's own resolver (`node:dns`, a worker thread);
 * each address it returns, a numeric host, `""` and `null` go through the C
 * resolver as numbers, which answers at once (no lookup). Where the runtime
 * may not resolve (Deno without `--allow-net`), or for flags it cannot honour
 * (`AI_CANONNAME`, `AI_PASSIVE`), the blocking `getaddrinfo` answers instead.
 *
 * @param host A name or address.
 * @param port A number, a service name, or null.
 * @param family `AF_UNSPEC`, `AF_INET` or `AF_INET6`.
 * @param type `SOCK_STREAM`, `SOCK_DGRAM`, or 0 for all.
 * @param proto The protocol, or 0.
 * @param flags `AI_*` flags.
 * @returns The results.
 * @throws {GaiError} When the name does not resolve (`EAI_NONAME`).
 * @example
 * ```ts ignore
 * const [[family, , , , address]] = await socket.getaddrinfoAsync("example.com", 443);
 * ```
 */
export async function getaddrinfoAsync(
  host: string | null,
  port: number | string | null,
  family = 0,
  type = 0,
  proto = 0,
  flags = 0,
): Promise<AddrInfo[]> {
  // Every argument as the blocking call checks it (a bad host name is its
  // TypeError/RangeError, never a resolver's error).
  if (host !== null) hostName(host);
  const f = checkInt(family, "family"), t = checkInt(type, "type");
  const p = checkInt(proto, "proto"), fl = checkInt(flags, "flags");
  const simple = host !== null && host !== "" && !isNumericHost(host) &&
    (fl & ~(SOCKET.AI_ADDRCONFIG | SOCKET.AI_NUMERICSERV)) === 0 &&
    (f === AF_UNSPEC || f === AF_INET || f === AF_INET6);
  // Numeric hosts, no host, and flags the runtime cannot honour: the C
  // resolver answers at once without a lookup, or only it can answer.
  if (!simple) return getaddrinfo(host, port, f, t, p, fl);
  // The port, type and protocol through the C resolver with no host (no
  // lookup): its EAI_SERVICE/EAI_SOCKTYPE come before any name is asked for.
  getaddrinfo(null, port ?? 0, f, t, p, fl & SOCKET.AI_NUMERICSERV);
  runtimeResolver ??= await import("node:dns/promises").catch(() => null);
  if (runtimeResolver === null) return getaddrinfo(host, port, f, t, p, fl);
  let found: { address: string; family: number }[];
  try {
    found = await runtimeResolver.lookup(host, {
      all: true,
      family: f === AF_INET ? 4 : f === AF_INET6 ? 6 : 0,
    });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === "ENOTFOUND" || code === "ENODATA" || code === "EAI_NONAME") {
      throw gaiError(EAI.EAI_NONAME!, "getaddrinfo"); // the very error the blocking call gives
    }
    return getaddrinfo(host, port, f, t, p, fl); // no permission, or an answer only libc can give
  }
  // Each address through the C resolver as a numeric host (no lookup): the
  // results have exactly the blocking call's shape (types, protocols, ports,
  // an IPv6 `%scope` as its scope id).
  const out: AddrInfo[] = [];
  for (const { address, family: v } of found) {
    for (
      const info of getaddrinfo(address, port, v === 6 ? AF_INET6 : AF_INET, t, p, SOCKET.AI_NUMERICHOST)
    ) {
      // A C library that names every answer by the host asked for (musl) named these by the address:
      // the blocking call would have given the host.
      if (info[3] === address) info[3] = host;
      out.push(info);
    }
  }
  return out;
}

/** Whether `host` is a numeric IPv4 or IPv6 address (an IPv6 one may carry a `%scope`). */
function isNumericHost(host: string): boolean {
  const scope = host.indexOf("%");
  return parseIPv4(host) !== null || parseIPv6(scope < 0 ? host : host.slice(0, scope)) !== null;
}
