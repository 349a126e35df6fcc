/**
 * `struct sockaddr_in`, `sockaddr_in6`, `sockaddr_un` and `struct addrinfo`,
 * per OS. Linux and Windows start a sockaddr with a 16-bit family; the BSDs
 * and macOS with a length byte and an 8-bit family. Ports are big-endian.
 *
 * @module
 */
import { OS } from "./_host.ts";
import { SOCKET } from "./constants.ts";

/** `sizeof(struct sockaddr_storage)`: room for any address. */
export const SOCKADDR_STORAGE_SIZE = 128;
/** `sizeof(struct sockaddr_in)`. */
export const SOCKADDR_IN_SIZE = 16;
/** `sizeof(struct sockaddr_in6)`. */
export const SOCKADDR_IN6_SIZE = 28;
/** `sizeof(sun_path)`: 108 on Linux and Windows (`afunix.h`), 104 on macOS and the BSDs. */
export const SUN_PATH_SIZE: number = OS === "linux" || OS === "windows" ? 108 : 104;
/** `offsetof(struct sockaddr_un, sun_path)`. */
const SUN_PATH_OFFSET = 2;

/** A length byte before an 8-bit family (macOS, the BSDs), not a 16-bit family (Linux, Windows). */
const BSD_LAYOUT = OS !== "linux" && OS !== "windows";
/** `struct addrinfo` puts `ai_canonname` before `ai_addr` (macOS, the BSDs, Windows). */
const CANONNAME_FIRST = OS !== "linux";

function writeFamily(buf: Uint8Array, family: number, length: number): void {
  if (BSD_LAYOUT) {
    buf[0] = length;
    buf[1] = family;
  } else {
    buf[0] = family & 0xff;
    buf[1] = family >> 8;
  }
}

/** The address family of an encoded sockaddr. */
export function sockaddrFamily(buf: Uint8Array): number {
  return BSD_LAYOUT ? buf[1]! : buf[0]! | (buf[1]! << 8);
}

/** Encodes `struct sockaddr_in` (16 bytes). */
export function encodeIn4(addr: Uint8Array, port: number): Uint8Array {
  const buf = new Uint8Array(SOCKADDR_IN_SIZE);
  writeFamily(buf, SOCKET.AF_INET, SOCKADDR_IN_SIZE);
  buf[2] = port >> 8;
  buf[3] = port & 0xff;
  buf.set(addr.subarray(0, 4), 4);
  return buf;
}

/** Encodes `struct sockaddr_in6` (28 bytes); flowinfo is stored big-endian, scope id native. */
export function encodeIn6(addr: Uint8Array, port: number, flowinfo: number, scopeId: number): Uint8Array {
  const buf = new Uint8Array(SOCKADDR_IN6_SIZE);
  const view = new DataView(buf.buffer);
  writeFamily(buf, SOCKET.AF_INET6, SOCKADDR_IN6_SIZE);
  view.setUint16(2, port, false);
  view.setUint32(4, flowinfo, false);
  buf.set(addr.subarray(0, 16), 8);
  view.setUint32(24, scopeId, true);
  return buf;
}

/**
 * Encodes `struct sockaddr_un` (the caller checks the length). A path gets its
 * NUL terminator (at most `SUN_PATH_SIZE - 1` bytes). A Linux abstract name
 * (leading NUL, at most `SUN_PATH_SIZE` bytes) gets none and its exact length,
 * as the kernel requires; an empty one is the family alone (addrlen 2), which
 * asks the kernel to autobind.
 */
export function encodeUnix(path: Uint8Array, abstract: boolean): Uint8Array {
  const length = SUN_PATH_OFFSET + path.length + (abstract ? 0 : 1);
  const buf = new Uint8Array(length);
  writeFamily(buf, SOCKET.AF_UNIX, length);
  buf.set(path, SUN_PATH_OFFSET);
  return buf;
}

/** The numbers of the families with addresses of their own on Linux only (Linux's ABI); -1 elsewhere. */
export interface LinuxFamilies {
  readonly netlink: number;
  readonly packet: number;
  readonly vsock: number;
}
const LINUX = OS === "linux";
/** `AF_NETLINK`, `AF_PACKET` and `AF_VSOCK` on Linux; -1 elsewhere, which no socket's family is. */
export const LINUX_FAMILIES: LinuxFamilies = Object.freeze({
  netlink: LINUX ? 16 : -1,
  packet: LINUX ? 17 : -1,
  vsock: LINUX ? 40 : -1,
});
/** `sizeof(struct sockaddr_nl)`: family, pad, `nl_pid`, `nl_groups`. */
const SOCKADDR_NL_SIZE = 12;
/** `sizeof(struct sockaddr_ll)`: family, protocol (big-endian), ifindex, hatype, pkttype, halen, `sll_addr[8]`. */
const SOCKADDR_LL_SIZE = 20;
/** `sizeof(struct sockaddr_vm)`: family, reserved, `svm_port`, `svm_cid`, flags and padding. */
const SOCKADDR_VM_SIZE = 16;
/** `sll_addr`'s room: the longest hardware address a packet address holds. */
export const PACKET_ADDR_MAX = 8;

/** A Linux sockaddr of `size` bytes: its family, then two native 32-bit words at bytes 4 and 8, the rest zero. */
function familyAndWords(family: number, size: number, at4: number, at8: number): Uint8Array {
  const buf = new Uint8Array(size);
  const view = new DataView(buf.buffer);
  writeFamily(buf, family, size);
  view.setUint32(4, at4, true);
  view.setUint32(8, at8, true);
  return buf;
}

/** Encodes `struct sockaddr_nl` (Linux): a netlink port id and multicast groups bitmask. */
export function encodeNetlink(pid: number, groups: number): Uint8Array {
  return familyAndWords(LINUX_FAMILIES.netlink, SOCKADDR_NL_SIZE, pid, groups);
}

/** Encodes `struct sockaddr_vm` (Linux): a VM socket's context id and port (`svm_port` comes first). */
export function encodeVsock(cid: number, port: number): Uint8Array {
  return familyAndWords(LINUX_FAMILIES.vsock, SOCKADDR_VM_SIZE, port, cid);
}

/**
 * Encodes `struct sockaddr_ll` (Linux): an interface index, an Ethernet
 * protocol (stored big-endian), the packet and hardware types, and a hardware
 * address of at most {@linkcode PACKET_ADDR_MAX} bytes (the caller checks).
 */
export function encodePacket(
  ifindex: number,
  protocol: number,
  pkttype: number,
  hatype: number,
  addr: Uint8Array,
): Uint8Array {
  const buf = new Uint8Array(SOCKADDR_LL_SIZE);
  const view = new DataView(buf.buffer);
  writeFamily(buf, LINUX_FAMILIES.packet, SOCKADDR_LL_SIZE);
  view.setUint16(2, protocol, false);
  view.setInt32(4, ifindex, true);
  view.setUint16(8, hatype, true);
  buf[10] = pkttype;
  buf[11] = addr.length;
  buf.set(addr, 12);
  return buf;
}

/** A decoded socket address. */
export type RawAddress =
  | { family: "inet"; addr: Uint8Array; port: number }
  | { family: "inet6"; addr: Uint8Array; port: number; flowinfo: number; scopeId: number }
  | { family: "unix"; path: Uint8Array }
  | { family: "netlink"; pid: number; groups: number }
  | { family: "vsock"; cid: number; port: number }
  | { family: "packet"; ifindex: number; protocol: number; pkttype: number; hatype: number; addr: Uint8Array }
  | { family: "other"; number: number };

/** Decodes the first `length` bytes of a sockaddr the kernel filled in. */
export function decodeSockaddr(buf: Uint8Array, length: number): RawAddress {
  const family = length >= 2 ? sockaddrFamily(buf) : SOCKET.AF_UNSPEC;
  if (family === SOCKET.AF_INET && length >= SOCKADDR_IN_SIZE) {
    return { family: "inet", addr: buf.slice(4, 8), port: (buf[2]! << 8) | buf[3]! };
  }
  if (family === SOCKET.AF_INET6 && length >= SOCKADDR_IN6_SIZE) {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    return {
      family: "inet6",
      addr: buf.slice(8, 24),
      port: view.getUint16(2, false),
      flowinfo: view.getUint32(4, false),
      scopeId: view.getUint32(24, true),
    };
  }
  if (family === SOCKET.AF_UNIX) {
    let path = buf.slice(SUN_PATH_OFFSET, Math.min(length, buf.length));
    if (path[0] !== 0) {
      const nul = path.indexOf(0);
      if (nul >= 0) path = path.subarray(0, nul);
    }
    return { family: "unix", path };
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (family === LINUX_FAMILIES.netlink && length >= SOCKADDR_NL_SIZE) {
    return { family: "netlink", pid: view.getUint32(4, true), groups: view.getUint32(8, true) };
  }
  if (family === LINUX_FAMILIES.vsock && length >= 12) {
    return { family: "vsock", cid: view.getUint32(8, true), port: view.getUint32(4, true) };
  }
  if (family === LINUX_FAMILIES.packet && length >= 12) {
    // The hardware address is as long as halen says, within what the kernel wrote and sll_addr's room.
    const halen = Math.min(buf[11]!, PACKET_ADDR_MAX, Math.max(length - 12, 0));
    return {
      family: "packet",
      ifindex: view.getInt32(4, true),
      protocol: view.getUint16(2, false),
      pkttype: buf[10]!,
      hatype: view.getUint16(8, true),
      addr: buf.slice(12, 12 + halen),
    };
  }
  return { family: "other", number: family };
}

/** `sizeof(struct addrinfo)` on LP64. */
export const ADDRINFO_SIZE = 48;

/** One decoded `struct addrinfo`; pointers are addresses in C memory. */
export interface RawAddrinfo {
  flags: number;
  family: number;
  socktype: number;
  protocol: number;
  addrlen: number;
  addr: bigint;
  canonname: bigint;
  next: bigint;
}

/**
 * Encodes `getaddrinfo` hints: `{ int ai_flags, ai_family, ai_socktype,
 * ai_protocol; socklen_t ai_addrlen; ... }`, pointers NULL.
 */
export function encodeHints(flags: number, family: number, socktype: number, protocol: number): Uint8Array {
  const buf = new Uint8Array(ADDRINFO_SIZE);
  const w = new Int32Array(buf.buffer);
  w[0] = flags;
  w[1] = family;
  w[2] = socktype;
  w[3] = protocol;
  return buf;
}

/**
 * Decodes a `struct addrinfo`. After `ai_addrlen` (offset 16) come three
 * pointers: glibc and musl order them `ai_addr, ai_canonname, ai_next`;
 * macOS, the BSDs and Windows `ai_canonname, ai_addr, ai_next` (Windows'
 * `ai_addrlen` is a `size_t`, whose low half is read).
 */
export function decodeAddrinfo(buf: Uint8Array): RawAddrinfo {
  const w = new Int32Array(buf.buffer, buf.byteOffset, 6);
  const p = new BigUint64Array(buf.buffer, buf.byteOffset + 24, 3);
  return {
    flags: w[0]!,
    family: w[1]!,
    socktype: w[2]!,
    protocol: w[3]!,
    addrlen: w[4]! >>> 0,
    addr: CANONNAME_FIRST ? p[1]! : p[0]!,
    canonname: CANONNAME_FIRST ? p[0]! : p[1]!,
    next: p[2]!,
  };
}
