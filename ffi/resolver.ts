/**
 * `getaddrinfo(3)`: the only place that walks C-owned memory (the result list),
 * copying each entry out before `freeaddrinfo`.
 *
 * @module
 */
import { GaiError, HError } from "../errors.ts";
import { eaiName, SOCKET } from "./constants.ts";
import { adapter, errno, gaiErrorText, lastError, libc, OS } from "./mod.ts";
import {
  ADDRINFO_SIZE,
  decodeAddrinfo,
  decodeSockaddr,
  encodeHints,
  type RawAddress,
  SOCKADDR_STORAGE_SIZE,
} from "./sockaddr.ts";

/** One `getaddrinfo` result, copied into JS memory. */
export interface ResolvedAddress {
  family: number;
  socktype: number;
  protocol: number;
  canonname: string;
  address: RawAddress;
  /** The encoded sockaddr, ready for `connect`/`bind`. */
  sockaddr: Uint8Array;
}

/** The most entries copied out of one result list (a guard against a corrupt list). */
const MAX_RESULTS = 1024;

/**
 * Calls `getaddrinfo(node, service, hints)`.
 *
 * @param node A NUL-terminated host, or null.
 * @param service A NUL-terminated port or service name, or null.
 * @throws {GaiError} For resolver errors; an OSError for EAI_SYSTEM.
 */
export function getaddrinfoRaw(
  node: Uint8Array | null,
  service: Uint8Array | null,
  flags: number,
  family: number,
  socktype: number,
  protocol: number,
): ResolvedAddress[] {
  const hints = encodeHints(flags, family, socktype, protocol);
  const res = new BigUint64Array(1);
  const rc = libc().getaddrinfo(node, service, hints, res);
  if (rc !== 0) throw gaiError(rc, "getaddrinfo");
  const a = adapter();
  const out: ResolvedAddress[] = [];
  try {
    for (let p = res[0]!; p !== 0n && out.length < MAX_RESULTS;) {
      const ai = decodeAddrinfo(a.readMemory(p, ADDRINFO_SIZE));
      // ai_addrlen comes from libc, but is still bounded before it sizes a read.
      const len = Math.min(ai.addrlen, SOCKADDR_STORAGE_SIZE);
      const sockaddr = ai.addr === 0n ? new Uint8Array(0) : a.readMemory(ai.addr, len);
      out.push({
        family: ai.family,
        socktype: ai.socktype,
        protocol: ai.protocol,
        canonname: ai.canonname === 0n ? "" : a.readCString(ai.canonname),
        address: decodeSockaddr(sockaddr, len),
        sockaddr,
      });
      p = ai.next;
    }
  } finally {
    libc().freeaddrinfo(res[0]!);
  }
  return out;
}

/** The most names or addresses read from one C list (a guard against a corrupt one). */
const MAX_LIST = 1024;

/** `struct hostent`, copied: Python's `(hostname, aliaslist, ipaddrlist)` before formatting. */
export interface HostEntry {
  name: string;
  aliases: string[];
  family: number;
  addresses: Uint8Array[];
}

/**
 * The netdb structs' fields that differ on Windows x64 (winsock2.h): `hostent`'s
 * `h_addrtype`/`h_length` are shorts at 16/18 (ints at 16/20 on Unix),
 * `servent`'s `s_port` a short at 24 after `s_proto` (an int at 16 on Unix),
 * `protoent`'s `p_proto` a short at 16 (an int on Unix).
 */
const WINDOWS = OS === "windows";
const H_LENGTH_AT = WINDOWS ? 18 : 20;
const S_PORT_AT = WINDOWS ? 24n : 16n;

/** Winsock's `h_errno` values (`WSAHOST_NOT_FOUND`, ...): 11000 above the Unix ones. */
const WSA_H_ERRNO_BASE = 11000;

/** A `herror` for the resolver's `h_errno`: HOST_NOT_FOUND (1) where the OS does not say. */
function hostError(syscall: string): HError {
  if (WINDOWS) {
    // Winsock's h_errno is WSAGetLastError(), in its own numbers (CPython's herror carries them there).
    const code = errno();
    const name = H_ERRNO_NAMES[code - WSA_H_ERRNO_BASE] ?? `h_errno ${code}`;
    return new HError(code, syscall, { code: name, description: gaiErrorText(code) });
  }
  const where = libc().__h_errno_location();
  const a = adapter();
  let code = where === 0n ? 0 : new DataView(a.readMemory(where, 4).buffer).getInt32(0, true);
  if (code <= 0) code = 1;
  const text = libc().hstrerror(code);
  return new HError(code, syscall, {
    code: H_ERRNO_NAMES[code] ?? `h_errno ${code}`,
    description: text === 0n ? undefined : a.readCString(text),
  });
}

const H_ERRNO_NAMES: Readonly<Record<number, string>> = Object.freeze({
  1: "HOST_NOT_FOUND",
  2: "TRY_AGAIN",
  3: "NO_RECOVERY",
  4: "NO_DATA",
});

/** The strings of a NULL-terminated `char **`. */
function stringList(p: bigint): string[] {
  const a = adapter(), out: string[] = [];
  if (p === 0n) return out;
  for (let i = 0; i < MAX_LIST; i++) {
    const s = new DataView(a.readMemory(p + BigInt(8 * i), 8).buffer).getBigUint64(0, true);
    if (s === 0n) break;
    out.push(a.readCString(s));
  }
  return out;
}

/** Copies the `struct hostent` at `p`: h_name 0, h_aliases 8, h_addrtype 16, h_length 20 (18), h_addr_list 24. */
function hostEntry(p: bigint): HostEntry {
  const a = adapter();
  const v = new DataView(a.readMemory(p, 32).buffer);
  const length = Math.min(
    Math.max(WINDOWS ? v.getInt16(H_LENGTH_AT, true) : v.getInt32(H_LENGTH_AT, true), 0),
    16,
  );
  const list = v.getBigUint64(24, true);
  const addresses: Uint8Array[] = [];
  for (let i = 0; list !== 0n && i < MAX_LIST; i++) {
    const at = new DataView(a.readMemory(list + BigInt(8 * i), 8).buffer).getBigUint64(0, true);
    if (at === 0n) break;
    addresses.push(a.readMemory(at, length));
  }
  const name = v.getBigUint64(0, true);
  return {
    name: name === 0n ? "" : a.readCString(name),
    aliases: stringList(v.getBigUint64(8, true)),
    family: WINDOWS ? v.getInt16(16, true) : v.getInt32(16, true),
    addresses,
  };
}

/**
 * `gethostbyname(3)`: the host database's entry for a name.
 *
 * @throws {HError} When there is none.
 */
export function gethostbynameRaw(name: Uint8Array): HostEntry {
  const p = libc().gethostbyname(name);
  if (p === 0n) throw hostError("gethostbyname");
  return hostEntry(p);
}

/**
 * `gethostbyaddr(3)`: the host database's entry for an address (4 or 16 bytes).
 *
 * @throws {HError} When there is none.
 */
export function gethostbyaddrRaw(addr: Uint8Array, family: number): HostEntry {
  const p = libc().gethostbyaddr(addr, addr.length, family);
  if (p === 0n) throw hostError("gethostbyaddr");
  return hostEntry(p);
}

/** `NI_MAXHOST` and `NI_MAXSERV`. */
const NI_MAXHOST = 1025, NI_MAXSERV = 32;

/**
 * `getnameinfo(3)` on an encoded sockaddr.
 *
 * @returns `[host, service]`.
 * @throws {GaiError} For resolver errors; an OSError for EAI_SYSTEM.
 */
export function getnameinfoRaw(sockaddr: Uint8Array, flags: number): [string, string] {
  const host = new Uint8Array(NI_MAXHOST), serv = new Uint8Array(NI_MAXSERV);
  const rc = libc().getnameinfo(sockaddr, sockaddr.length, host, NI_MAXHOST, serv, NI_MAXSERV, flags);
  if (rc !== 0) throw gaiError(rc, "getnameinfo");
  return [cString(host), cString(serv)];
}

/** The error of a resolver call that returned `rc` (EAI_SYSTEM: the errno's OSError). */
export function gaiError(rc: number, syscall: string): Error {
  if (rc === SOCKET.EAI_SYSTEM) return lastError(syscall);
  return new GaiError(rc, syscall, { code: eaiName(rc), description: gaiErrorText(rc) });
}

/** The text of a NUL-terminated string in a buffer of ours. */
export function cString(buf: Uint8Array): string {
  const end = buf.indexOf(0);
  return new TextDecoder().decode(end < 0 ? buf : buf.subarray(0, end));
}

/** `gethostname(3)`. @throws {OSError} */
export function gethostnameRaw(): string {
  const buf = new Uint8Array(256 + 1);
  if (libc().gethostname(buf, 256) < 0) throw lastError("gethostname");
  return cString(buf);
}

/** `getservbyname(3)`: the port (host order), or null. `struct servent`: s_port at 16 (Windows: 24). */
export function servByName(name: Uint8Array, proto: Uint8Array | null): number | null {
  const p = libc().getservbyname(name, proto);
  if (p === 0n) return null;
  const port = new DataView(adapter().readMemory(p + S_PORT_AT, 2).buffer).getUint16(0, false);
  return port;
}

/** `getservbyport(3)`: the service name, or null. */
export function servByPort(port: number, proto: Uint8Array | null): string | null {
  // s_port is an int holding the port in network order in its low 16 bits.
  const networkOrder = ((port & 0xff) << 8) | (port >> 8);
  const p = libc().getservbyport(networkOrder, proto);
  if (p === 0n) return null;
  const name = new DataView(adapter().readMemory(p, 8).buffer).getBigUint64(0, true);
  return adapter().readCString(name);
}

/** `getprotobyname(3)`: the protocol number, or null. `struct protoent`: p_proto at 16. */
export function protoByName(name: Uint8Array): number | null {
  const p = libc().getprotobyname(name);
  if (p === 0n) return null;
  const v = new DataView(adapter().readMemory(p + 16n, 4).buffer);
  return WINDOWS ? v.getInt16(0, true) : v.getInt32(0, true);
}

/** `if_nameindex(3)`: `[index, name]` of each interface. `struct if_nameindex` is 16 bytes. */
export function interfaceList(): [number, string][] {
  const p = libc().if_nameindex();
  if (p === 0n) throw lastError("if_nameindex");
  const a = adapter(), out: [number, string][] = [];
  try {
    for (let i = 0; i < MAX_LIST; i++) {
      const v = new DataView(a.readMemory(p + BigInt(16 * i), 16).buffer);
      const index = v.getUint32(0, true), name = v.getBigUint64(8, true);
      if (index === 0 && name === 0n) break;
      out.push([index, name === 0n ? "" : a.readCString(name)]);
    }
  } finally {
    libc().if_freenameindex(p);
  }
  return out;
}
