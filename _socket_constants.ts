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
