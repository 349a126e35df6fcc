/**
 * Fd passing over AF_UNIX sockets, as Python's `send_fds`/`recv_fds`: one
 * `sendmsg`/`recvmsg` with an `SCM_RIGHTS` item, the received fds owned.
 *
 * @module
 */
import { checkSize, show } from "./_validate.ts";
import type { Address } from "./_address.ts";
import { type BytesLike, fdsIn, rightsOf } from "./_ancillary.ts";
import { copyBytes } from "./ffi/bytes.ts";
import { SOCKET } from "./ffi/constants.ts";
import { OwnedFd } from "./os.ts";
import type { FileObj } from "./selector.ts";
import { SOL_SOCKET } from "./_socket_constants.ts";
import { CMSG_LEN } from "./_socket_msg.ts";
import { SocketBase } from "./_socket_base.ts";

/**
 * The fds in an `SCM_RIGHTS` item's data, as numbers (a partial one at the
 * end is dropped, as CPython's `recv_fds` does).
 *
 * @param data The item's bytes.
 * @returns The fds.
 * @example
 * ```ts ignore
 * for (const [level, type, data] of anc) if (type === socket.SCM_RIGHTS) fds.push(...socket.fdsOf(data));
 * ```
 */
export function fdsOf(data: BytesLike): number[] {
  return fdsIn(copyBytes(data, "data"));
}

/**
 * Sends fds (and some bytes) over an AF_UNIX socket, like Python's
 * `socket.send_fds`: one `sendmsg` with an `SCM_RIGHTS` item. The fds stay
 * open here; the receiver gets its own copies.
 *
 * @param sock The socket.
 * @param buffers The bytes to send with them (at least one byte on a stream socket).
 * @param fds fds, or objects with `fileno()` (sockets, selectors, `OwnedFd`s).
 * @param flags `MSG_*` flags.
 * @param address Where to send, for an unconnected datagram socket.
 * @returns How many bytes were sent.
 * @example
 * ```ts ignore
 * socket.sendFds(sock, [new TextEncoder().encode("x")], [conn]);
 * ```
 */
export function sendFds(
  sock: SocketBase,
  buffers: Iterable<BytesLike>,
  fds: Iterable<FileObj>,
  flags = 0,
  address?: Address | null,
): number {
  checkSocket(sock, "sendFds");
  return sock.sendmsg(buffers, [[SOL_SOCKET, SOCKET.SCM_RIGHTS, rightsOf(fds)]], flags, address);
}

/**
 * Receives bytes and up to `maxfds` fds, like Python's `socket.recv_fds`.
 * The fds come as {@linkcode OwnedFd}s: close them, `detach()` them, or let
 * `using` or the garbage collector (with a warning) close them. They are
 * close-on-exec.
 *
 * @param sock The socket.
 * @param bufsize The most bytes of data.
 * @param maxfds The most fds to make room for.
 * @param flags `MSG_*` flags.
 * @returns `[data, fds, msgFlags, address]`; `msgFlags & MSG_CTRUNC` when more fds
 *   were sent than there was room for (the kernel closes those).
 * @example
 * ```ts ignore
 * const [data, fds] = socket.recvFds(sock, 1024, 4);
 * using conn = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM, 0, fds[0]!.detach());
 * ```
 */
export function recvFds(
  sock: SocketBase,
  bufsize: number,
  maxfds: number,
  flags = 0,
): [Uint8Array<ArrayBuffer>, OwnedFd[], number, Address | null] {
  checkSocket(sock, "recvFds");
  const room = checkSize(maxfds, "maxfds");
  if (room > 253) throw new RangeError(`Invalid maxfds: ${room}: at most 253 (SCM_MAX_FD)`);
  const [data, anc, msgFlags, address] = sock.recvmsg(bufsize, CMSG_LEN(room * 4), flags);
  const fds: OwnedFd[] = [];
  for (const [level, type, bytes] of anc) {
    if (level !== SOL_SOCKET || type !== SOCKET.SCM_RIGHTS) continue;
    for (const fd of fdsIn(bytes)) fds.push(new OwnedFd(fd, "fd received by recvFds"));
  }
  return [data, fds, msgFlags, address];
}

function checkSocket(sock: unknown, what: string): void {
  if (!(sock instanceof SocketBase)) {
    throw new TypeError(`${what}: expected a socket.Socket, got ${show(sock)}`);
  }
}
