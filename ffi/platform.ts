/**
 * What this platform can do, asked by the portable code (mio's `sys/` split):
 * the one place outside the backends where an OS is named. Root code asks
 * `PLATFORM.selectsSocketsOnly`, never `OS === "windows"`.
 *
 * @module
 */
import { OS } from "./_host.ts";
import { ERRNO, FCNTL, SOCKET } from "./constants.ts";
import { lastError, libc } from "./mod.ts";
import { SOCKADDR_STORAGE_SIZE, sockaddrFamily } from "./sockaddr.ts";
import { ProtocolInfo } from "./structs.ts";

/** A platform's answers. */
export interface Platform {
  /**
   * The selector backends `DefaultSelector` tries, best first, as CPython
   * orders them: kqueue and epoll scale with ready fds, poll has no fd limit,
   * select refuses fds >= 1024. Windows: select first, CPython's choice (its
   * `select` module has no poll there), and Winsock's select reports a failed
   * non-blocking connect, where WSAPoll did not before Windows 10 2004.
   */
  readonly backends: readonly string[];
  /** Selectors watch sockets only (Winsock's select and WSAPoll). */
  readonly selectsSocketsOnly: boolean;
  /** `socketpair()`'s default family: AF_UNIX, or AF_INET where it is a loopback TCP pair (Windows, as CPython). */
  readonly socketpairFamily: number;
  /**
   * Servers set `SO_REUSEADDR` (POSIX), as CPython's `create_server`; not on
   * Windows, where it lets another socket take the port.
   */
  readonly reusesServerAddresses: boolean;
  /** sendfile(2) of a file to a socket, zero-copy (Linux; the BSDs' has another signature). */
  readonly hasSendfile: boolean;
  /** `dup2()`/`dup3()`: a handle put at a chosen number (not Windows). */
  readonly hasDup2: boolean;
  /** `dup2(fd, fd)` non-inheritable asks for dup3, which refuses it with EINVAL (Linux, as CPython). */
  readonly dup3RefusesSameFd: boolean;
  /** AF_UNIX's abstract namespace (a name starting with NUL) and autobind (`""`): Linux. */
  readonly abstractUnixNames: boolean;
}

/** This platform's answers. */
export const PLATFORM: Platform = Object.freeze({
  backends: OS === "linux"
    ? ["epoll", "poll", "select"]
    : OS === "darwin" || OS === "freebsd"
    ? ["kqueue", "poll", "select"]
    : OS === "windows"
    ? ["select", "poll"]
    : ["poll", "select"],
  selectsSocketsOnly: OS === "windows",
  socketpairFamily: OS === "windows" ? SOCKET.AF_INET : SOCKET.AF_UNIX,
  reusesServerAddresses: OS !== "windows",
  hasSendfile: OS === "linux",
  hasDup2: OS !== "windows",
  dup3RefusesSameFd: OS === "linux",
  abstractUnixNames: OS === "linux",
});

/**
 * The errno of a non-blocking `connect()` that failed: EINPROGRESS for one
 * under way on every OS (Winsock says WSAEWOULDBLOCK, CPython's 10035 there).
 *
 * @param e The errno `connect()` left.
 * @returns The same errno, or EINPROGRESS for Winsock's word for it.
 */
export function connectErrno(e: number): number {
  return OS === "windows" && e === ERRNO.EAGAIN ? ERRNO.EINPROGRESS : e;
}

/** An int socket option of a raw fd. @throws {OSError} ENOTSOCK, EBADF and the like. */
export function intOption(fd: number, level: number, option: number): number {
  const value = new Int32Array(1);
  const len = new Uint32Array([4]);
  if (libc().getsockopt(fd, level, option, value, len) < 0) throw lastError("getsockopt", `fd ${fd}`);
  return value[0]!;
}

/**
 * What the kernel says a socket fd is: SO_TYPE; SO_DOMAIN and SO_PROTOCOL
 * where they exist (Linux, FreeBSD), else the family of its local address
 * and protocol 0, as CPython does; on Windows all three from its
 * WSAPROTOCOL_INFOW.
 *
 * @param fd An open socket fd.
 * @returns Its family, type and protocol.
 * @throws {OSError} ENOTSOCK for an fd that is no socket, EBADF and the like.
 */
export function describeSocket(fd: number): { family: number; type: number; proto: number } {
  const { SOL_SOCKET } = SOCKET;
  if (OS === "windows") {
    const info = new ProtocolInfo();
    const len = new Uint32Array([ProtocolInfo.SIZE]);
    if (libc().getsockopt(fd, SOL_SOCKET, ProtocolInfo.OPTION, info.bytes, len) < 0) {
      throw lastError("getsockopt", `fd ${fd}`);
    }
    return { family: info.family, type: info.type, proto: info.protocol };
  }
  const type = intOption(fd, SOL_SOCKET, SOCKET.SO_TYPE);
  let family: number;
  if (SOCKET.SO_DOMAIN !== 0) {
    family = intOption(fd, SOL_SOCKET, SOCKET.SO_DOMAIN);
  } else {
    const addr = new Uint8Array(SOCKADDR_STORAGE_SIZE);
    const len = new Uint32Array([SOCKADDR_STORAGE_SIZE]);
    if (libc().getsockname(fd, addr, len) < 0) throw lastError("getsockname", `fd ${fd}`);
    family = sockaddrFamily(addr);
  }
  const proto = SOCKET.SO_PROTOCOL !== 0 ? intOption(fd, SOL_SOCKET, SOCKET.SO_PROTOCOL) : 0;
  return { family, type, proto };
}

/**
 * Refuses an fd a selector cannot watch here, before it is registered:
 * anything but a socket where selectors watch sockets only (Winsock).
 *
 * @param fd The fd.
 * @throws {OSError} ENOTSOCK (Winsock's WSAENOTSOCK).
 */
export function checkSelectable(fd: number): void {
  if (PLATFORM.selectsSocketsOnly && libc().fcntl(fd, FCNTL.F_GETFL, 0) < 0) {
    throw lastError("getsockopt", `fd ${fd}: Winsock's select and poll watch sockets only`);
  }
}
