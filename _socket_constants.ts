/**
 * The `socket` module's constants (this host's numbers), re-exported by
 * `socket.ts`.
 *
 * @module
 */
import { EAI as EAI_TABLE, ERRNO, NET, SOCKET } from "./ffi/constants.ts";

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

/** A constant of this OS's table, or `undefined` where the OS lacks it. */
function net(name: string): number | undefined {
  return NET[name];
}

/** ICMP (IPv4). */
export const IPPROTO_ICMP: number = NET.IPPROTO_ICMP!;
/** IGMP. */
export const IPPROTO_IGMP: number = NET.IPPROTO_IGMP!;
/** IP in IP. */
export const IPPROTO_IPIP: number = NET.IPPROTO_IPIP!;
/** EGP. */
export const IPPROTO_EGP: number = NET.IPPROTO_EGP!;
/** PUP. */
export const IPPROTO_PUP: number = NET.IPPROTO_PUP!;
/** XNS IDP. */
export const IPPROTO_IDP: number = NET.IPPROTO_IDP!;
/** ISO TP4. */
export const IPPROTO_TP: number = NET.IPPROTO_TP!;
/** IPv6 routing header. */
export const IPPROTO_ROUTING: number = NET.IPPROTO_ROUTING!;
/** IPv6 fragment header. */
export const IPPROTO_FRAGMENT: number = NET.IPPROTO_FRAGMENT!;
/** RSVP. */
export const IPPROTO_RSVP: number = NET.IPPROTO_RSVP!;
/** GRE. */
export const IPPROTO_GRE: number = NET.IPPROTO_GRE!;
/** IPsec ESP. */
export const IPPROTO_ESP: number = NET.IPPROTO_ESP!;
/** IPsec AH. */
export const IPPROTO_AH: number = NET.IPPROTO_AH!;
/** ICMP for IPv6. */
export const IPPROTO_ICMPV6: number = NET.IPPROTO_ICMPV6!;
/** IPv6: no next header. */
export const IPPROTO_NONE: number = NET.IPPROTO_NONE!;
/** IPv6 destination options. */
export const IPPROTO_DSTOPTS: number = NET.IPPROTO_DSTOPTS!;
/** IPv6 hop-by-hop options. */
export const IPPROTO_HOPOPTS: number = NET.IPPROTO_HOPOPTS!;
/** PIM. */
export const IPPROTO_PIM: number = NET.IPPROTO_PIM!;
/** SCTP. */
export const IPPROTO_SCTP: number = NET.IPPROTO_SCTP!;
/** UDP-Lite. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IPPROTO_UDPLITE: number | undefined = net("IPPROTO_UDPLITE");
/** Multipath TCP (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const IPPROTO_MPTCP: number | undefined = net("IPPROTO_MPTCP");
/** Raw IP packets. */
export const IPPROTO_RAW: number = NET.IPPROTO_RAW!;
/** IP options. */
export const IP_OPTIONS: number = NET.IP_OPTIONS!;
/** The application writes the IP header. */
export const IP_HDRINCL: number = NET.IP_HDRINCL!;
/** Type of service. */
export const IP_TOS: number = NET.IP_TOS!;
/** Time to live. */
export const IP_TTL: number = NET.IP_TTL!;
/** Receive IP options. */
export const IP_RECVOPTS: number = NET.IP_RECVOPTS!;
/** IP options to send. */
export const IP_RETOPTS: number = NET.IP_RETOPTS!;
/** Outgoing multicast interface (`struct in_addr`). */
export const IP_MULTICAST_IF: number = NET.IP_MULTICAST_IF!;
/** Multicast time to live. */
export const IP_MULTICAST_TTL: number = NET.IP_MULTICAST_TTL!;
/** Multicast loopback. */
export const IP_MULTICAST_LOOP: number = NET.IP_MULTICAST_LOOP!;
/** Join a multicast group (`ipMreq()`). */
export const IP_ADD_MEMBERSHIP: number = NET.IP_ADD_MEMBERSHIP!;
/** Leave a multicast group (`ipMreq()`). */
export const IP_DROP_MEMBERSHIP: number = NET.IP_DROP_MEMBERSHIP!;
/** The default multicast TTL. */
export const IP_DEFAULT_MULTICAST_TTL: number = NET.IP_DEFAULT_MULTICAST_TTL!;
/** The default multicast loopback. */
export const IP_DEFAULT_MULTICAST_LOOP: number = NET.IP_DEFAULT_MULTICAST_LOOP!;
/** Receive the destination address (the BSDs). `undefined` where the OS lacks it (has it: macOS, FreeBSD). */
export const IP_RECVDSTADDR: number | undefined = net("IP_RECVDSTADDR");
/** Receive the TTL. */
export const IP_RECVTTL: number = NET.IP_RECVTTL!;
/** Receive the TOS. */
export const IP_RECVTOS: number = NET.IP_RECVTOS!;
/** Packet info (`struct in_pktinfo`). `undefined` where the OS lacks it (has it: Linux, macOS). */
export const IP_PKTINFO: number | undefined = net("IP_PKTINFO");
/** Queue extended errors (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const IP_RECVERR: number | undefined = net("IP_RECVERR");
/** Path MTU discovery mode (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const IP_MTU_DISCOVER: number | undefined = net("IP_MTU_DISCOVER");
/** The path MTU (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const IP_MTU: number | undefined = net("IP_MTU");
/** Bind to an address not (yet) on this host (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const IP_FREEBIND: number | undefined = net("IP_FREEBIND");
/** Transparent proxying (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const IP_TRANSPARENT: number | undefined = net("IP_TRANSPARENT");
/** Receive the original destination address and port. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IP_RECVORIGDSTADDR: number | undefined = net("IP_RECVORIGDSTADDR");
/** Bind the address, defer the port to connect (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const IP_BIND_ADDRESS_NO_PORT: number | undefined = net("IP_BIND_ADDRESS_NO_PORT");
/** `IP_MTU_DISCOVER`: never set DF. `undefined` where the OS lacks it (has it: Linux). */
export const IP_PMTUDISC_DONT: number | undefined = net("IP_PMTUDISC_DONT");
/** `IP_MTU_DISCOVER`: per-route hints. `undefined` where the OS lacks it (has it: Linux). */
export const IP_PMTUDISC_WANT: number | undefined = net("IP_PMTUDISC_WANT");
/** `IP_MTU_DISCOVER`: always set DF. `undefined` where the OS lacks it (has it: Linux). */
export const IP_PMTUDISC_DO: number | undefined = net("IP_PMTUDISC_DO");
/** `IP_MTU_DISCOVER`: set DF, ignore the path MTU. `undefined` where the OS lacks it (has it: Linux). */
export const IP_PMTUDISC_PROBE: number | undefined = net("IP_PMTUDISC_PROBE");
/** Receive all groups joined on the host (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const IP_MULTICAST_ALL: number | undefined = net("IP_MULTICAST_ALL");
/** Bind to an interface index (macOS). `undefined` where the OS lacks it (has it: macOS). */
export const IP_BOUND_IF: number | undefined = net("IP_BOUND_IF");
/** Bind to any address (FreeBSD). `undefined` where the OS lacks it (has it: FreeBSD). */
export const IP_BINDANY: number | undefined = net("IP_BINDANY");
/** Unicast hop limit. */
export const IPV6_UNICAST_HOPS: number = NET.IPV6_UNICAST_HOPS!;
/** Outgoing multicast interface (an index). */
export const IPV6_MULTICAST_IF: number = NET.IPV6_MULTICAST_IF!;
/** Multicast hop limit. */
export const IPV6_MULTICAST_HOPS: number = NET.IPV6_MULTICAST_HOPS!;
/** Multicast loopback. */
export const IPV6_MULTICAST_LOOP: number = NET.IPV6_MULTICAST_LOOP!;
/** Join a multicast group (`ipv6Mreq()`). */
export const IPV6_JOIN_GROUP: number = NET.IPV6_JOIN_GROUP!;
/** Leave a multicast group (`ipv6Mreq()`). */
export const IPV6_LEAVE_GROUP: number = NET.IPV6_LEAVE_GROUP!;
/** Checksum offset for raw sockets. */
export const IPV6_CHECKSUM: number = NET.IPV6_CHECKSUM!;
/** Queue extended errors (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const IPV6_RECVERR: number | undefined = net("IPV6_RECVERR");
/** Path MTU discovery mode (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const IPV6_MTU_DISCOVER: number | undefined = net("IPV6_MTU_DISCOVER");
/** The path MTU (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const IPV6_MTU: number | undefined = net("IPV6_MTU");
/** The next hop address. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IPV6_NEXTHOP: number | undefined = net("IPV6_NEXTHOP");
/** Receive packet info. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IPV6_RECVPKTINFO: number | undefined = net("IPV6_RECVPKTINFO");
/** Packet info (`struct in6_pktinfo`). `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IPV6_PKTINFO: number | undefined = net("IPV6_PKTINFO");
/** Receive the hop limit. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IPV6_RECVHOPLIMIT: number | undefined = net("IPV6_RECVHOPLIMIT");
/** The hop limit (ancillary data). `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IPV6_HOPLIMIT: number | undefined = net("IPV6_HOPLIMIT");
/** Receive hop-by-hop options. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IPV6_RECVHOPOPTS: number | undefined = net("IPV6_RECVHOPOPTS");
/** Hop-by-hop options. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IPV6_HOPOPTS: number | undefined = net("IPV6_HOPOPTS");
/** Receive the routing header. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IPV6_RECVRTHDR: number | undefined = net("IPV6_RECVRTHDR");
/** The routing header. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IPV6_RTHDR: number | undefined = net("IPV6_RTHDR");
/** Receive destination options. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IPV6_RECVDSTOPTS: number | undefined = net("IPV6_RECVDSTOPTS");
/** Destination options. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IPV6_DSTOPTS: number | undefined = net("IPV6_DSTOPTS");
/** Receive the path MTU. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IPV6_RECVPATHMTU: number | undefined = net("IPV6_RECVPATHMTU");
/** The path MTU (ancillary data). `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IPV6_PATHMTU: number | undefined = net("IPV6_PATHMTU");
/** Do not fragment. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IPV6_DONTFRAG: number | undefined = net("IPV6_DONTFRAG");
/** Send at the minimum MTU. `undefined` where the OS lacks it (has it: FreeBSD). */
export const IPV6_USE_MIN_MTU: number | undefined = net("IPV6_USE_MIN_MTU");
/** Receive the traffic class. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IPV6_RECVTCLASS: number | undefined = net("IPV6_RECVTCLASS");
/** The traffic class. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IPV6_TCLASS: number | undefined = net("IPV6_TCLASS");
/** The maximum segment size. */
export const TCP_MAXSEG: number = NET.TCP_MAXSEG!;
/** Idle seconds before keep-alive probes (macOS: `TCP_KEEPALIVE`). `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const TCP_KEEPIDLE: number | undefined = net("TCP_KEEPIDLE");
/** Idle seconds before keep-alive probes (macOS). `undefined` where the OS lacks it (has it: macOS). */
export const TCP_KEEPALIVE: number | undefined = net("TCP_KEEPALIVE");
/** Seconds between keep-alive probes. */
export const TCP_KEEPINTVL: number = NET.TCP_KEEPINTVL!;
/** Keep-alive probes before the connection drops. */
export const TCP_KEEPCNT: number = NET.TCP_KEEPCNT!;
/** TCP Fast Open. */
export const TCP_FASTOPEN: number = NET.TCP_FASTOPEN!;
/** Unsent bytes before a write is ready. `undefined` where the OS lacks it (has it: Linux, macOS). */
export const TCP_NOTSENT_LOWAT: number | undefined = net("TCP_NOTSENT_LOWAT");
/** `struct tcp_info`. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const TCP_INFO: number | undefined = net("TCP_INFO");
/** The congestion control algorithm. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const TCP_CONGESTION: number | undefined = net("TCP_CONGESTION");
/** Hold partial segments (the BSDs' `TCP_CORK`). `undefined` where the OS lacks it (has it: macOS, FreeBSD). */
export const TCP_NOPUSH: number | undefined = net("TCP_NOPUSH");
/** Hold partial segments (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const TCP_CORK: number | undefined = net("TCP_CORK");
/** SYN retries (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const TCP_SYNCNT: number | undefined = net("TCP_SYNCNT");
/** FIN_WAIT2 lifetime (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const TCP_LINGER2: number | undefined = net("TCP_LINGER2");
/** Wake accept only when data arrives (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const TCP_DEFER_ACCEPT: number | undefined = net("TCP_DEFER_ACCEPT");
/** Clamp the advertised window (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const TCP_WINDOW_CLAMP: number | undefined = net("TCP_WINDOW_CLAMP");
/** Quick ACK mode (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const TCP_QUICKACK: number | undefined = net("TCP_QUICKACK");
/** Milliseconds unacknowledged data may stay before the connection drops (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const TCP_USER_TIMEOUT: number | undefined = net("TCP_USER_TIMEOUT");
/** Bind to a device by name (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const SO_BINDTODEVICE: number | undefined = net("SO_BINDTODEVICE");
/** Packet priority (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const SO_PRIORITY: number | undefined = net("SO_PRIORITY");
/** The firewall mark (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const SO_MARK: number | undefined = net("SO_MARK");
/** `SO_RCVBUF` beyond the limit, privileged (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const SO_RCVBUFFORCE: number | undefined = net("SO_RCVBUFFORCE");
/** `SO_SNDBUF` beyond the limit, privileged (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const SO_SNDBUFFORCE: number | undefined = net("SO_SNDBUFFORCE");
/** The peer's security context (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const SO_PEERSEC: number | undefined = net("SO_PEERSEC");
/** Receive the security context (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const SO_PASSSEC: number | undefined = net("SO_PASSSEC");
/** The CPU that handles the socket (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const SO_INCOMING_CPU: number | undefined = net("SO_INCOMING_CPU");
/** Bypass hardware when possible (the BSDs). `undefined` where the OS lacks it (has it: macOS, FreeBSD). */
export const SO_USELOOPBACK: number | undefined = net("SO_USELOOPBACK");
/** `SO_REUSEPORT` with load balancing (FreeBSD). `undefined` where the OS lacks it (has it: FreeBSD). */
export const SO_REUSEPORT_LB: number | undefined = net("SO_REUSEPORT_LB");
/** Confirm the path is valid (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const MSG_CONFIRM: number | undefined = net("MSG_CONFIRM");
/** Read the error queue (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const MSG_ERRQUEUE: number | undefined = net("MSG_ERRQUEUE");
/** More data follows (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const MSG_MORE: number | undefined = net("MSG_MORE");
/** Send data in the SYN (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const MSG_FASTOPEN: number | undefined = net("MSG_FASTOPEN");
/** No SIGPIPE (the library sets it on every send). `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const MSG_NOSIGNAL: number | undefined = net("MSG_NOSIGNAL");
/** Data completes the transaction (the BSDs). `undefined` where the OS lacks it (has it: macOS, FreeBSD). */
export const MSG_EOF: number | undefined = net("MSG_EOF");
/** `getnameinfo`: the numeric host. */
export const NI_NUMERICHOST: number = NET.NI_NUMERICHOST!;
/** `getnameinfo`: the numeric port. */
export const NI_NUMERICSERV: number = NET.NI_NUMERICSERV!;
/** `getnameinfo`: the local part of a local host's name. */
export const NI_NOFQDN: number = NET.NI_NOFQDN!;
/** `getnameinfo`: fail when the host has no name. */
export const NI_NAMEREQD: number = NET.NI_NAMEREQD!;
/** `getnameinfo`: a datagram service. */
export const NI_DGRAM: number = NET.NI_DGRAM!;
/** `getnameinfo`: the longest host name. */
export const NI_MAXHOST: number = NET.NI_MAXHOST!;
/** `getnameinfo`: the longest service name. */
export const NI_MAXSERV: number = NET.NI_MAXSERV!;
/** `getaddrinfo`: IPv4-mapped IPv6 addresses when there is no IPv6. */
export const AI_V4MAPPED: number = NET.AI_V4MAPPED!;
/** `getaddrinfo`: with `AI_V4MAPPED`, both. */
export const AI_ALL: number = NET.AI_ALL!;
/** `getaddrinfo`: `AI_V4MAPPED` if IPv4-mapped addresses are supported (the BSDs). `undefined` where the OS lacks it (has it: macOS, FreeBSD). */
export const AI_V4MAPPED_CFG: number | undefined = net("AI_V4MAPPED_CFG");
/** `getaddrinfo`: the default flags (macOS). `undefined` where the OS lacks it (has it: macOS). */
export const AI_DEFAULT: number | undefined = net("AI_DEFAULT");
/** `0.0.0.0` as a number. */
export const INADDR_ANY: number = NET.INADDR_ANY!;
/** `255.255.255.255` as a number. */
export const INADDR_BROADCAST: number = NET.INADDR_BROADCAST!;
/** `127.0.0.1` as a number. */
export const INADDR_LOOPBACK: number = NET.INADDR_LOOPBACK!;
/** The error value of `inet_addr`. */
export const INADDR_NONE: number = NET.INADDR_NONE!;
/** `224.0.0.0`. */
export const INADDR_UNSPEC_GROUP: number = NET.INADDR_UNSPEC_GROUP!;
/** `224.0.0.1`. */
export const INADDR_ALLHOSTS_GROUP: number = NET.INADDR_ALLHOSTS_GROUP!;
/** `224.0.0.255`. */
export const INADDR_MAX_LOCAL_GROUP: number = NET.INADDR_MAX_LOCAL_GROUP!;
/** Reliably delivered messages. */
export const SOCK_RDM: number = NET.SOCK_RDM!;
/** `socket()` type flag: non-blocking. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const SOCK_NONBLOCK: number | undefined = net("SOCK_NONBLOCK");
/** `socket()` type flag: close-on-exec (the library sets it always). `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const SOCK_CLOEXEC: number | undefined = net("SOCK_CLOEXEC");
/** Kernel/user messages (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_NETLINK: number | undefined = net("AF_NETLINK");
/** Link-level packets (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_PACKET: number | undefined = net("AF_PACKET");
/** Bluetooth. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const AF_BLUETOOTH: number | undefined = net("AF_BLUETOOTH");
/** Routing messages (the BSDs; Linux names its netlink family so). `undefined` where the OS lacks it (has it: Linux, macOS, FreeBSD). */
export const AF_ROUTE: number | undefined = net("AF_ROUTE");
/** Link-level addresses (the BSDs). `undefined` where the OS lacks it (has it: macOS, FreeBSD). */
export const AF_LINK: number | undefined = net("AF_LINK");
/** The IP level (Python's alias of `IPPROTO_IP`). */
export const SOL_IP: number = NET.SOL_IP!;
/** The TCP level (Python's alias of `IPPROTO_TCP`). */
export const SOL_TCP: number = NET.SOL_TCP!;
/** The UDP level (Python's alias of `IPPROTO_UDP`). */
export const SOL_UDP: number = NET.SOL_UDP!;
/** AppleTalk. */
export const AF_APPLETALK: number = NET.AF_APPLETALK!;
/** Novell IPX. */
export const AF_IPX: number = NET.AF_IPX!;
/** IBM SNA. */
export const AF_SNA: number = NET.AF_SNA!;
/** Debugging information in the protocol layers. */
export const SO_DEBUG: number = NET.SO_DEBUG!;
/** Ports below this are privileged. */
export const IPPORT_RESERVED: number = NET.IPPORT_RESERVED!;
/** Ports from this up are free for users (historic). */
export const IPPORT_USERRESERVED: number = NET.IPPORT_USERRESERVED!;
/** Routing header type 0. */
export const IPV6_RTHDR_TYPE_0: number = NET.IPV6_RTHDR_TYPE_0!;
/** Destination options before the routing header. `undefined` where the OS lacks it (has it: Linux, FreeBSD). */
export const IPV6_RTHDRDSTOPTS: number | undefined = net("IPV6_RTHDRDSTOPTS");
/** The most multicast groups per socket. */
export const IP_MAX_MEMBERSHIPS: number = NET.IP_MAX_MEMBERSHIPS!;
/** Receive IP options for a reply. */
export const IP_RECVRETOPTS: number = NET.IP_RECVRETOPTS!;
/** The kernel crypto API (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_ALG: number | undefined = net("AF_ALG");
/** Ash (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_ASH: number | undefined = net("AF_ASH");
/** ATM PVCs (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_ATMPVC: number | undefined = net("AF_ATMPVC");
/** ATM SVCs (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_ATMSVC: number | undefined = net("AF_ATMSVC");
/** Amateur radio AX.25 (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_AX25: number | undefined = net("AF_AX25");
/** Multiprotocol bridge (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_BRIDGE: number | undefined = net("AF_BRIDGE");
/** Controller Area Network (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_CAN: number | undefined = net("AF_CAN");
/** Acorn Econet (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_ECONET: number | undefined = net("AF_ECONET");
/** IrDA (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_IRDA: number | undefined = net("AF_IRDA");
/** PF_KEY key management (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_KEY: number | undefined = net("AF_KEY");
/** Linux LLC. `undefined` where the OS lacks it (has it: Linux). */
export const AF_LLC: number | undefined = net("AF_LLC");
/** NetBEUI (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_NETBEUI: number | undefined = net("AF_NETBEUI");
/** Amateur radio NET/ROM (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_NETROM: number | undefined = net("AF_NETROM");
/** PPPoX (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_PPPOX: number | undefined = net("AF_PPPOX");
/** Qualcomm IPC router (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_QIPCRTR: number | undefined = net("AF_QIPCRTR");
/** Reliable Datagram Sockets (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_RDS: number | undefined = net("AF_RDS");
/** Amateur radio X.25 PLP (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_ROSE: number | undefined = net("AF_ROSE");
/** Security callback pseudo family (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_SECURITY: number | undefined = net("AF_SECURITY");
/** TIPC (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_TIPC: number | undefined = net("AF_TIPC");
/** VM sockets (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_VSOCK: number | undefined = net("AF_VSOCK");
/** Wanpipe API (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_WANPIPE: number | undefined = net("AF_WANPIPE");
/** ITU-T X.25 (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const AF_X25: number | undefined = net("AF_X25");
/** `AF_CAN`'s protocol family name (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const PF_CAN: number | undefined = net("PF_CAN");
/** `AF_PACKET`'s protocol family name (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const PF_PACKET: number | undefined = net("PF_PACKET");
/** `AF_RDS`'s protocol family name (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const PF_RDS: number | undefined = net("PF_RDS");
/** The AF_ALG level (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const SOL_ALG: number | undefined = net("SOL_ALG");
/** The RDS level (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const SOL_RDS: number | undefined = net("SOL_RDS");
/** The TIPC level (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const SOL_TIPC: number | undefined = net("SOL_TIPC");
/** The CAN levels' base (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const SOL_CAN_BASE: number | undefined = net("SOL_CAN_BASE");
/** The raw CAN level (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const SOL_CAN_RAW: number | undefined = net("SOL_CAN_RAW");
/** AF_ALG: set the key (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const ALG_SET_KEY: number | undefined = net("ALG_SET_KEY");
/** AF_ALG: the IV, as ancillary data (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const ALG_SET_IV: number | undefined = net("ALG_SET_IV");
/** AF_ALG: the operation, as ancillary data (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const ALG_SET_OP: number | undefined = net("ALG_SET_OP");
/** AF_ALG: AEAD associated data length (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const ALG_SET_AEAD_ASSOCLEN: number | undefined = net("ALG_SET_AEAD_ASSOCLEN");
/** AF_ALG: AEAD tag size (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const ALG_SET_AEAD_AUTHSIZE: number | undefined = net("ALG_SET_AEAD_AUTHSIZE");
/** AF_ALG: set a public key (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const ALG_SET_PUBKEY: number | undefined = net("ALG_SET_PUBKEY");
/** AF_ALG: decrypt (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const ALG_OP_DECRYPT: number | undefined = net("ALG_OP_DECRYPT");
/** AF_ALG: encrypt (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const ALG_OP_ENCRYPT: number | undefined = net("ALG_OP_ENCRYPT");
/** AF_ALG: sign (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const ALG_OP_SIGN: number | undefined = net("ALG_OP_SIGN");
/** AF_ALG: verify (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const ALG_OP_VERIFY: number | undefined = net("ALG_OP_VERIFY");
/** Raw CAN protocol (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const CAN_RAW: number | undefined = net("CAN_RAW");
/** CAN broadcast manager (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const CAN_BCM: number | undefined = net("CAN_BCM");
/** CAN ISO-TP (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const CAN_ISOTP: number | undefined = net("CAN_ISOTP");
/** CAN SAE J1939 (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const CAN_J1939: number | undefined = net("CAN_J1939");
/** CAN extended frame flag (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const CAN_EFF_FLAG: number | undefined = net("CAN_EFF_FLAG");
/** CAN remote transmission request flag (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const CAN_RTR_FLAG: number | undefined = net("CAN_RTR_FLAG");
/** CAN error frame flag (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const CAN_ERR_FLAG: number | undefined = net("CAN_ERR_FLAG");
/** CAN standard frame id mask (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const CAN_SFF_MASK: number | undefined = net("CAN_SFF_MASK");
/** CAN extended frame id mask (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const CAN_EFF_MASK: number | undefined = net("CAN_EFF_MASK");
/** CAN error class mask (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const CAN_ERR_MASK: number | undefined = net("CAN_ERR_MASK");
/** Raw CAN: filters (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const CAN_RAW_FILTER: number | undefined = net("CAN_RAW_FILTER");
/** Raw CAN: local loopback (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const CAN_RAW_LOOPBACK: number | undefined = net("CAN_RAW_LOOPBACK");
/** Raw CAN: receive own messages (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const CAN_RAW_RECV_OWN_MSGS: number | undefined = net("CAN_RAW_RECV_OWN_MSGS");
/** Raw CAN: CAN FD frames (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const CAN_RAW_FD_FRAMES: number | undefined = net("CAN_RAW_FD_FRAMES");
/** Raw CAN: all filters must match (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const CAN_RAW_JOIN_FILTERS: number | undefined = net("CAN_RAW_JOIN_FILTERS");
/** Netlink routing (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const NETLINK_ROUTE: number | undefined = net("NETLINK_ROUTE");
/** Netlink user protocols (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const NETLINK_USERSOCK: number | undefined = net("NETLINK_USERSOCK");
/** Netlink firewall (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const NETLINK_FIREWALL: number | undefined = net("NETLINK_FIREWALL");
/** Netlink netfilter log (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const NETLINK_NFLOG: number | undefined = net("NETLINK_NFLOG");
/** Netlink IPsec (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const NETLINK_XFRM: number | undefined = net("NETLINK_XFRM");
/** Netlink IPv6 firewall (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const NETLINK_IP6_FW: number | undefined = net("NETLINK_IP6_FW");
/** Netlink DECnet routing (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const NETLINK_DNRTMSG: number | undefined = net("NETLINK_DNRTMSG");
/** Netlink crypto (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const NETLINK_CRYPTO: number | undefined = net("NETLINK_CRYPTO");
/** AF_PACKET: to this host (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const PACKET_HOST: number | undefined = net("PACKET_HOST");
/** AF_PACKET: broadcast (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const PACKET_BROADCAST: number | undefined = net("PACKET_BROADCAST");
/** AF_PACKET: multicast (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const PACKET_MULTICAST: number | undefined = net("PACKET_MULTICAST");
/** AF_PACKET: to another host (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const PACKET_OTHERHOST: number | undefined = net("PACKET_OTHERHOST");
/** AF_PACKET: outgoing (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const PACKET_OUTGOING: number | undefined = net("PACKET_OUTGOING");
/** AF_PACKET: looped back (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const PACKET_LOOPBACK: number | undefined = net("PACKET_LOOPBACK");
/** AF_PACKET: fast-routed (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const PACKET_FASTROUTE: number | undefined = net("PACKET_FASTROUTE");
/** UDP-Lite send checksum coverage (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const UDPLITE_SEND_CSCOV: number | undefined = net("UDPLITE_SEND_CSCOV");
/** UDP-Lite receive checksum coverage (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const UDPLITE_RECV_CSCOV: number | undefined = net("UDPLITE_RECV_CSCOV");
/** AF_VSOCK: any context id (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const VMADDR_CID_ANY: number | undefined = net("VMADDR_CID_ANY");
/** AF_VSOCK: the host's context id (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const VMADDR_CID_HOST: number | undefined = net("VMADDR_CID_HOST");
/** AF_VSOCK: any port (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const VMADDR_PORT_ANY: number | undefined = net("VMADDR_PORT_ANY");
/** VM sockets: the version no hypervisor has (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const VM_SOCKETS_INVALID_VERSION: number | undefined = net("VM_SOCKETS_INVALID_VERSION");
/** VM sockets' buffer size option, at `AF_VSOCK` level (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const SO_VM_SOCKETS_BUFFER_SIZE: number | undefined = net("SO_VM_SOCKETS_BUFFER_SIZE");
/** VM sockets' smallest buffer size option (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const SO_VM_SOCKETS_BUFFER_MIN_SIZE: number | undefined = net("SO_VM_SOCKETS_BUFFER_MIN_SIZE");
/** VM sockets' largest buffer size option (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const SO_VM_SOCKETS_BUFFER_MAX_SIZE: number | undefined = net("SO_VM_SOCKETS_BUFFER_MAX_SIZE");
/** `/dev/vsock`'s ioctl for the local context id (Linux). `undefined` where the OS lacks it (has it: Linux). */
export const IOCTL_VM_SOCKETS_GET_LOCAL_CID: number | undefined = net("IOCTL_VM_SOCKETS_GET_LOCAL_CID");

/** `getaddrinfo` error numbers (`GaiError.errno`), by name, of this OS. */
export const EAI: Readonly<Record<string, number>> = EAI_TABLE;
/** `getaddrinfo`: The host has no address of the family. */
export const EAI_ADDRFAMILY: number | undefined = EAI_TABLE.EAI_ADDRFAMILY;
/** `getaddrinfo`: A temporary failure: try again. */
export const EAI_AGAIN: number | undefined = EAI_TABLE.EAI_AGAIN;
/** `getaddrinfo`: Invalid flags. */
export const EAI_BADFLAGS: number | undefined = EAI_TABLE.EAI_BADFLAGS;
/** `getaddrinfo`: A permanent failure. */
export const EAI_FAIL: number | undefined = EAI_TABLE.EAI_FAIL;
/** `getaddrinfo`: The family is not supported. */
export const EAI_FAMILY: number | undefined = EAI_TABLE.EAI_FAMILY;
/** `getaddrinfo`: Out of memory. */
export const EAI_MEMORY: number | undefined = EAI_TABLE.EAI_MEMORY;
/** `getaddrinfo`: The host has no address. */
export const EAI_NODATA: number | undefined = EAI_TABLE.EAI_NODATA;
/** `getaddrinfo`: The name or service is not known. */
export const EAI_NONAME: number | undefined = EAI_TABLE.EAI_NONAME;
/** `getaddrinfo`: A buffer was too small. */
export const EAI_OVERFLOW: number | undefined = EAI_TABLE.EAI_OVERFLOW;
/** `getaddrinfo`: The service is not available for the socket type. */
export const EAI_SERVICE: number | undefined = EAI_TABLE.EAI_SERVICE;
/** `getaddrinfo`: The socket type is not supported. */
export const EAI_SOCKTYPE: number | undefined = EAI_TABLE.EAI_SOCKTYPE;
/** `getaddrinfo`: A system error: see errno. */
export const EAI_SYSTEM: number | undefined = EAI_TABLE.EAI_SYSTEM;
/** `EAGAIN`, as Python's socket module has it. */
export const EAGAIN: number = ERRNO.EAGAIN;
/** `EWOULDBLOCK` (the same number as `EAGAIN` on every supported OS). */
export const EWOULDBLOCK: number = ERRNO.EAGAIN;
/** `EBADF`, as Python's socket module has it. */
export const EBADF: number = ERRNO.EBADF;
