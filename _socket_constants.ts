/**
 * The `socket` module's constants (this host's numbers), re-exported by
 * `socket.ts`.
 *
 * @module
 */
import { SOCKET } from "./ffi/constants.ts";

/** IPv4. */
export const AF_INET: number = SOCKET.AF_INET;
/** IPv6. */
export const AF_INET6: number = SOCKET.AF_INET6;
/** Unix domain sockets. */
export const AF_UNIX: number = SOCKET.AF_UNIX;
/** Any family (for `getaddrinfo`). */
export const AF_UNSPEC: number = SOCKET.AF_UNSPEC;
/** A byte stream (TCP). */
export const SOCK_STREAM: number = SOCKET.SOCK_STREAM;
/** Datagrams (UDP). */
export const SOCK_DGRAM: number = SOCKET.SOCK_DGRAM;
/** Raw packets. */
export const SOCK_RAW: number = SOCKET.SOCK_RAW;
/** Socket-level options. */
export const SOL_SOCKET: number = SOCKET.SOL_SOCKET;
/** Allow reuse of a local address in TIME_WAIT. */
export const SO_REUSEADDR: number = SOCKET.SO_REUSEADDR;
/** Allow several sockets to bind the same port. */
export const SO_REUSEPORT: number = SOCKET.SO_REUSEPORT;
/** TCP keep-alive probes. */
export const SO_KEEPALIVE: number = SOCKET.SO_KEEPALIVE;
/** Allow UDP broadcast. */
export const SO_BROADCAST: number = SOCKET.SO_BROADCAST;
/** The pending error (read with `getsockopt`; a non-blocking connect's result). */
export const SO_ERROR: number = SOCKET.SO_ERROR;
/** The socket type. */
export const SO_TYPE: number = SOCKET.SO_TYPE;
/** Send buffer size. */
export const SO_SNDBUF: number = SOCKET.SO_SNDBUF;
/** Receive buffer size. */
export const SO_RCVBUF: number = SOCKET.SO_RCVBUF;
/** Linger on close (`struct linger`). */
export const SO_LINGER: number = SOCKET.SO_LINGER;
/** The IP protocol level. */
export const IPPROTO_IP: number = SOCKET.IPPROTO_IP;
/** The TCP protocol level. */
export const IPPROTO_TCP: number = SOCKET.IPPROTO_TCP;
/** The UDP protocol level. */
export const IPPROTO_UDP: number = SOCKET.IPPROTO_UDP;
/** The IPv6 protocol level. */
export const IPPROTO_IPV6: number = SOCKET.IPPROTO_IPV6;
/** Disable Nagle's algorithm. */
export const TCP_NODELAY: number = SOCKET.TCP_NODELAY;
/** IPv6 socket accepts IPv6 only. */
export const IPV6_V6ONLY: number = SOCKET.IPV6_V6ONLY;
/** Shut down the receiving side. */
export const SHUT_RD: number = SOCKET.SHUT_RD;
/** Shut down the sending side (sends FIN). */
export const SHUT_WR: number = SOCKET.SHUT_WR;
/** Shut down both sides. */
export const SHUT_RDWR: number = SOCKET.SHUT_RDWR;
/** Out-of-band data. */
export const MSG_OOB: number = SOCKET.MSG_OOB;
/** Read without consuming. */
export const MSG_PEEK: number = SOCKET.MSG_PEEK;
/** Non-blocking for this call only. */
export const MSG_DONTWAIT: number = SOCKET.MSG_DONTWAIT;
/** Wait for the full amount. */
export const MSG_WAITALL: number = SOCKET.MSG_WAITALL;
/** `getaddrinfo`: addresses for `bind`. */
export const AI_PASSIVE: number = SOCKET.AI_PASSIVE;
/** `getaddrinfo`: return the canonical name. */
export const AI_CANONNAME: number = SOCKET.AI_CANONNAME;
/** `getaddrinfo`: the host is numeric; no lookup. */
export const AI_NUMERICHOST: number = SOCKET.AI_NUMERICHOST;
/** `getaddrinfo`: the port is numeric. */
export const AI_NUMERICSERV: number = SOCKET.AI_NUMERICSERV;
/** `getaddrinfo`: only families configured on this host. */
export const AI_ADDRCONFIG: number = SOCKET.AI_ADDRCONFIG;
/** The kernel's largest listen backlog. */
export const SOMAXCONN: number = SOCKET.SOMAXCONN;
/** Reliable, ordered datagrams with boundaries (AF_UNIX). */
export const SOCK_SEQPACKET: number = SOCKET.SOCK_SEQPACKET;
/** Ancillary data: fds (`sendFds`/`recvFds`, or `sendmsg` by hand). */
export const SCM_RIGHTS: number = SOCKET.SCM_RIGHTS;
/** Whether the socket listens. */
export const SO_ACCEPTCONN: number = SOCKET.SO_ACCEPTCONN;
/** Receive timeout (`struct timeval`). */
export const SO_RCVTIMEO: number = SOCKET.SO_RCVTIMEO;
/** Send timeout (`struct timeval`). */
export const SO_SNDTIMEO: number = SOCKET.SO_SNDTIMEO;
/** Bytes before a read is ready. */
export const SO_RCVLOWAT: number = SOCKET.SO_RCVLOWAT;
/** Room before a write is ready. */
export const SO_SNDLOWAT: number = SOCKET.SO_SNDLOWAT;
/** Bypass routing: send to directly connected hosts only. */
export const SO_DONTROUTE: number = SOCKET.SO_DONTROUTE;
/** Out-of-band data inline. */
export const SO_OOBINLINE: number = SOCKET.SO_OOBINLINE;
/** `recvmsg` flags: ancillary data was cut short (fds that did not fit were closed). */
export const MSG_CTRUNC: number = SOCKET.MSG_CTRUNC;
/** `recvmsg` flags: the datagram was longer than the buffer. */
export const MSG_TRUNC: number = SOCKET.MSG_TRUNC;
/** End of record (SOCK_SEQPACKET). */
export const MSG_EOR: number = SOCKET.MSG_EOR;
/** Send to directly connected hosts only. */
export const MSG_DONTROUTE: number = SOCKET.MSG_DONTROUTE;

/** A constant this OS has, or `undefined` where it has none (as Python then lacks the name). */
function ifAny(value: number): number | undefined {
  return value === 0 ? undefined : value;
}

/** Linux: ancillary credentials (`struct ucred`); `undefined` elsewhere. */
export const SCM_CREDENTIALS: number | undefined = ifAny(SOCKET.SCM_CREDENTIALS);
/** macOS, FreeBSD: ancillary credentials; `undefined` on Linux. */
export const SCM_CREDS: number | undefined = ifAny(SOCKET.SCM_CREDS);
/** Linux: receive `SCM_CREDENTIALS` with each message; `undefined` elsewhere. */
export const SO_PASSCRED: number | undefined = ifAny(SOCKET.SO_PASSCRED);
/** Linux: the peer's `struct ucred` (pid, uid, gid); `undefined` elsewhere. */
export const SO_PEERCRED: number | undefined = ifAny(SOCKET.SO_PEERCRED);
/** Linux, FreeBSD: the socket's family; `undefined` on macOS. */
export const SO_DOMAIN: number | undefined = ifAny(SOCKET.SO_DOMAIN);
/** Linux, FreeBSD: the socket's protocol; `undefined` on macOS. */
export const SO_PROTOCOL: number | undefined = ifAny(SOCKET.SO_PROTOCOL);
/** Linux, FreeBSD: received fds close-on-exec (the library sets it itself); `undefined` on macOS. */
export const MSG_CMSG_CLOEXEC: number | undefined = ifAny(SOCKET.MSG_CMSG_CLOEXEC);
