/**
 * The module functions that make sockets, beside the class as in Python's
 * `socket.py`: `socketpair`, `createConnection`, `createServer`, `fromfd`,
 * and the fd-level `close` and `dup`.
 *
 * @module
 */
import { checkFd, checkInt, show } from "./_validate.ts";
import { forget } from "./_claim.ts";
import {
  type Address,
  checkPort,
  encodeAddress,
  getaddrinfo,
  type IPv4Address,
  type IPv6Address,
} from "./_address.ts";
import { type FileObj, fileobjToFd } from "./selector.ts";
import { ERRNO, SOCKET } from "./ffi/constants.ts";
import { lastError, libc } from "./ffi/mod.ts";
import { describeSocket, PLATFORM } from "./ffi/platform.ts";
import { intPair } from "./ffi/structs.ts";
import {
  AF_INET,
  AF_INET6,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_STREAM,
  SOL_SOCKET,
} from "./_socket_constants.ts";
import { OSError } from "./errors.ts";
import { closeSocketFd, TYPE_FLAGS } from "./_socket_base.ts";
import { dupFd, Socket } from "./_socket_object.ts";

/**
 * Creates a connected pair of sockets.
 *
 * @param family `AF_UNIX` (default); on Windows `AF_INET` (default) or
 *   `AF_INET6`: a pair of loopback TCP sockets, as CPython makes there.
 * @param type `SOCK_STREAM` (default) or `SOCK_DGRAM` (not on Windows).
 * @param proto The protocol; 0 picks the default.
 * @returns Two sockets, blocking and close-on-exec.
 * @example
 * ```ts ignore
 * const [a, b] = socket.socketpair();
 * a.sendall(new Uint8Array([1]));
 * b.recv(1);
 * ```
 */
export function socketpair(): [Socket<string>, Socket<string>];
/** Creates a connected pair of sockets of `family` (see the first signature). */
export function socketpair(family: number, type?: number, proto?: number): [Socket, Socket];
export function socketpair(
  family: number = PLATFORM.socketpairFamily,
  type: number = SOCK_STREAM,
  proto = 0,
): [Socket, Socket] {
  const fds = intPair();
  const f = checkInt(family, "family"), t = checkInt(type, "type"), p = checkInt(proto, "proto");
  if (libc().socketpair(f, t | SOCKET.SOCK_CLOEXEC, p, fds) < 0) throw lastError("socketpair");
  return [new Socket(f, t, p, fds[0]!), new Socket(f, t, p, fds[1]!)];
}

/**
 * Connects to a TCP service, trying each address the host resolves to, like
 * Python's `socket.create_connection`.
 *
 * @param address `[host, port]`.
 * @param timeout Seconds for the connect (and the socket's timeout mode after); `null` blocks.
 * @param sourceAddress A local `[host, port]` to bind first.
 * @returns The connected socket.
 * @throws {OSError} The last address's error when none connects.
 * @example
 * ```ts ignore
 * using s = socket.createConnection(["localhost", 8080], 5);
 * ```
 */
export function createConnection(
  address: readonly [host: string, port: number],
  timeout: number | null = null,
  sourceAddress?: readonly [host: string, port: number],
): Socket<InetAddress> {
  if (!Array.isArray(address) || address.length !== 2) throw new TypeError("address must be [host, port]");
  const [host, port] = address;
  if (typeof host !== "string") throw new TypeError(`Invalid host: expected a string, got ${show(host)}`);
  checkPort(port);
  let last: unknown = new OSError(ERRNO.EADDRNOTAVAIL, "getaddrinfo", { description: "no addresses" });
  for (const [family, type, proto, , sa] of getaddrinfo(host, port, 0, SOCK_STREAM)) {
    const s = new Socket<InetAddress>(family, type, proto);
    try {
      if (timeout !== null) s.setTimeout(timeout);
      if (sourceAddress) s.bind(sourceAddress);
      s.connect(sa);
      return s;
    } catch (e) {
      s.close();
      last = e;
    }
  }
  throw last;
}

/** An IPv4 or IPv6 address: what TCP and UDP sockets report. */
export type InetAddress = IPv4Address | IPv6Address;

/** Options of {@linkcode createServer}. */
export interface CreateServerOptions {
  /**
   * `AF_INET` or `AF_INET6`. The default follows the host: `AF_INET6` for an
   * IPv6 literal (`"::1"`, `"::"`), else `AF_INET` (Python's default).
   */
  family?: number;
  /** The listen backlog (default: `min(SOMAXCONN, 128)`). */
  backlog?: number;
  /** Set `SO_REUSEPORT`. */
  reusePort?: boolean;
  /**
   * For AF_INET6: `true` also accepts IPv4 (clears `IPV6_V6ONLY`), `false`
   * only IPv6 (sets it); absent leaves the system default. A RangeError with
   * AF_INET, as Python raises ValueError.
   */
  dualstackIpv6?: boolean;
}

/**
 * Whether this host can listen on IPv6 and IPv4 with one socket (an AF_INET6
 * socket with `IPV6_V6ONLY` cleared), like Python's `socket.has_dualstack_ipv6()`.
 *
 * @returns `true` when such a socket can be made.
 * @example
 * ```ts ignore
 * const options = socket.hasDualstackIpv6() ? { dualstackIpv6: true } : {};
 * using server = socket.createServer(["::", 8080], options);
 * ```
 */
export function hasDualstackIpv6(): boolean {
  let s: Socket | undefined;
  try {
    s = new Socket(AF_INET6, SOCK_STREAM);
    s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0);
    return true;
  } catch {
    return false;
  } finally {
    s?.close();
  }
}

/**
 * Creates a listening TCP socket, like Python's `socket.create_server`
 * (`SO_REUSEADDR` set on POSIX, not on Windows; `reusePort` where the OS has
 * `SO_REUSEPORT`, else a RangeError, Python's ValueError). An IPv6 host (`"::1"`, `"::"`) makes an
 * AF_INET6 socket unless `family` says otherwise.
 *
 * @param address `[host, port]`; port 0 picks a free one.
 * @param options Family, backlog, `SO_REUSEPORT`, dual stack.
 * @returns The listening socket (blocking).
 * @example
 * ```ts ignore
 * using server = socket.createServer(["127.0.0.1", 0]);
 * console.log(server.getsockname());
 * ```
 */
export function createServer(address: string, options?: CreateServerOptions): Socket<string>;
/** Creates a listening TCP socket on `[host, port]` (see the first signature). */
export function createServer(address: InetAddress, options?: CreateServerOptions): Socket<InetAddress>;
/** Creates a listening socket on any address (see the first signature). */
export function createServer(address: Address, options?: CreateServerOptions): Socket;
export function createServer(address: Address, options: CreateServerOptions = {}): Socket {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Invalid options: expected an object, got ${show(options)}`);
  }
  // Each option read once: a getter that answers differently twice cannot
  // pass the check with one value and act with another.
  const { family: given, backlog, reusePort, dualstackIpv6 } = options;
  const host = Array.isArray(address) ? address[0] : undefined;
  const family = given ?? (typeof host === "string" && host.includes(":") ? AF_INET6 : AF_INET);
  if (dualstackIpv6 !== undefined && family !== AF_INET6) {
    throw new RangeError("dualstackIpv6 requires family AF_INET6");
  }
  encodeAddress(family, address); // validate before any fd exists
  if (reusePort && SO_REUSEPORT === 0) throw new RangeError("SO_REUSEPORT not supported on this platform");
  const s = new Socket(family, SOCK_STREAM);
  try {
    if (PLATFORM.reusesServerAddresses) s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    if (reusePort) s.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
    if (family === AF_INET6 && dualstackIpv6 !== undefined) {
      s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, dualstackIpv6 ? 0 : 1);
    }
    s.bind(address);
    s.listen(backlog);
    return s;
  } catch (e) {
    s.close();
    throw e;
  }
}

/** Python's `socket.SocketType`: the socket class. */
export const SocketType: typeof Socket = Socket;

/**
 * Whether IPv6 is supported here, like Python's `socket.has_ipv6` (true on
 * every OS this module runs on; whether this host has an IPv6 address is
 * another matter: see {@linkcode hasDualstackIpv6}).
 */
export const hasIpv6 = true;

/**
 * Closes a socket fd, like Python's `socket.close(fd)`; ECONNRESET is not
 * an error (the fd is closed all the same).
 *
 * @param fd The fd.
 * @throws {OSError} EBADF for a number that is not open.
 * @example
 * ```ts ignore
 * socket.close(sock.detach());
 * ```
 */
export function close(fd: number): void {
  const n = checkFd(fd);
  forget(n);
  closeSocketFd(n);
}

/**
 * Duplicates a socket fd (close-on-exec), like Python's `socket.dup(fd)`.
 *
 * @param fd The fd.
 * @returns The new fd, yours to close.
 * @example
 * ```ts ignore
 * const copy = socket.dup(sock.fileno());
 * ```
 */
export function dup(fd: number): number {
  return dupFd(checkFd(fd));
}

/**
 * A socket object for an open socket fd, like Python's `socket.fromfd`: the
 * fd is duplicated (the copy is close-on-exec and owned by the new socket;
 * the original stays yours). Family, type and protocol are read from the
 * kernel (`SO_DOMAIN`, `SO_TYPE`, `SO_PROTOCOL`); any given must agree.
 *
 * @param fd An open socket fd, or an object with `fileno()`.
 * @param family Expected family (checked).
 * @param type Expected type (checked).
 * @param proto Expected protocol (checked where the kernel tells it).
 * @returns The new socket.
 * @throws {OSError} ENOTSOCK for an fd that is no socket; RangeError when a given value disagrees.
 * @example
 * ```ts ignore
 * using s = socket.fromfd(3); // a socket inherited from the parent as fd 3
 * ```
 */
export function fromfd(fd: FileObj, family?: number, type?: number, proto?: number): Socket {
  const n = fileobjToFd(fd);
  const known = describeSocket(n);
  const given = { family, type, proto };
  for (const key of ["family", "type", "proto"] as const) {
    const value = given[key];
    if (value === undefined) continue;
    const v = checkInt(value, key);
    const actual = key === "type" ? known.type & ~TYPE_FLAGS : known[key];
    if (key === "proto" && SOCKET.SO_PROTOCOL === 0) continue; // macOS cannot tell
    if ((key === "type" ? v & ~TYPE_FLAGS : v) !== actual) {
      throw new RangeError(`fromfd: fd ${n} has ${key} ${actual}, not ${v}`);
    }
  }
  const copy = dupFd(n);
  return new Socket(known.family, known.type, SOCKET.SO_PROTOCOL === 0 ? (proto ?? 0) : known.proto, copy);
}
