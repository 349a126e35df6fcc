/**
 * Python's `socket` module in TypeScript: sockets made through libc, whose
 * real fds register with the selectors of this package.
 *
 * Semantics follow Python: addresses are `[host, port]` (IPv4),
 * `[host, port, flowinfo, scopeId]` (IPv6) or a path (AF_UNIX); timeouts are
 * seconds (`null` blocks, `0` is non-blocking); errors are `OSError`
 * subclasses such as `BlockingIOError` and `ConnectionRefusedError`. New
 * sockets are close-on-exec, and a send to a closed peer raises
 * `BrokenPipeError` instead of killing the process with SIGPIPE.
 *
 * This module is the entry point only, as Python's `socket.py` sits on
 * `_socket`: the {@linkcode Socket} object (`_socket_object.ts`) over its
 * system calls (`_socket_base.ts`) and their I/O engine (`_socket_io.ts`);
 * messages (`_socket_msg.ts`) and fd passing (`_socket_fds.ts`); the
 * factories (`_socket_factories.ts`); addresses and their text
 * (`_address.ts`); names and services (`_netdb.ts`); buffered files
 * (`_socket_file.ts`); the constants (`_socket_constants.ts`).
 *
 * @example A TCP round trip on loopback
 * ```ts ignore
 * import { socket } from "./mod.ts";
 * using server = socket.createServer(["127.0.0.1", 0]);
 * using client = socket.createConnection(server.getsockname() as [string, number]);
 * const [conn] = server.accept();
 * client.sendall(new TextEncoder().encode("ping"));
 * console.log(new TextDecoder().decode(conn.recv(64))); // "ping"
 * conn.close();
 * ```
 *
 * @module
 */
export * from "./_socket_constants.ts";
// Python's names for the errors a socket script catches: socket.error is
// OSError, socket.timeout TimeoutError, socket.gaierror and socket.herror.
export {
  GaiError,
  GaiError as gaierror,
  HError,
  HError as herror,
  OSError as error,
  TimeoutError,
  TimeoutError as timeout,
} from "./errors.ts";
export {
  type Address,
  type AddrInfo,
  getaddrinfo,
  inetNtop,
  inetPton,
  ipMreq,
  type IPv4Address,
  type IPv6Address,
  ipv6Mreq,
  type NetlinkAddress,
  type PacketAddress,
  type VsockAddress,
} from "./_address.ts";
export type { Ancillary, AncillaryInput, BytesLike } from "./_ancillary.ts";
export { OwnedFd } from "./os.ts";
export { type FileSocket, IncompleteReadError, SocketFile } from "./_socket_file.ts";
export * from "./_netdb.ts";
export { SocketBase } from "./_socket_base.ts";
export { type BinaryMode, Socket, type TextMode } from "./_socket_object.ts";
export { SocketTextFile, type TextOptions } from "./_socket_text_file.ts";
export { getDefaultTimeout, setDefaultTimeout } from "./_socket_io.ts";
export { CMSG_LEN, CMSG_SPACE } from "./_socket_msg.ts";
export { fdsOf, recvFds, sendFds } from "./_socket_fds.ts";
export {
  close,
  createConnection,
  createServer,
  type CreateServerOptions,
  dup,
  fromfd,
  hasDualstackIpv6,
  hasIpv6,
  type InetAddress,
  socketpair,
  SocketType,
} from "./_socket_factories.ts";
