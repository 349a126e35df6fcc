/**
 * OS constants: errno numbers and the `open`/`fcntl` flags, per OS family.
 *
 * Each table is written once from the system headers (Linux uapi
 * `asm-generic/errno*.h` and `fcntl.h`; xnu and FreeBSD `sys/errno.h` and
 * `sys/fcntl.h`); the one for this host is exported.
 *
 * @module
 */
import { LIBC, OS } from "./_host.ts";

const LINUX_ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  EPIPE: 32,
  EDOM: 33,
  ERANGE: 34,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOLCK: 37,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ENOTSOCK: 88,
  EDESTADDRREQ: 89,
  EMSGSIZE: 90,
  EPROTOTYPE: 91,
  ENOPROTOOPT: 92,
  EPROTONOSUPPORT: 93,
  ESOCKTNOSUPPORT: 94,
  EOPNOTSUPP: 95,
  EPFNOSUPPORT: 96,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENETDOWN: 100,
  ENETUNREACH: 101,
  ENETRESET: 102,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  ENOBUFS: 105,
  EISCONN: 106,
  ENOTCONN: 107,
  ESHUTDOWN: 108,
  ETOOMANYREFS: 109,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTDOWN: 112,
  EHOSTUNREACH: 113,
  EALREADY: 114,
  EINPROGRESS: 115,
} as const;

/** macOS and FreeBSD share the 4.4BSD numbering for every name used here. */
const BSD_ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  ECHILD: 10,
  EDEADLK: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  EPIPE: 32,
  EDOM: 33,
  ERANGE: 34,
  EAGAIN: 35,
  EINPROGRESS: 36,
  EALREADY: 37,
  ENOTSOCK: 38,
  EDESTADDRREQ: 39,
  EMSGSIZE: 40,
  EPROTOTYPE: 41,
  ENOPROTOOPT: 42,
  EPROTONOSUPPORT: 43,
  ESOCKTNOSUPPORT: 44,
  EOPNOTSUPP: 45,
  EPFNOSUPPORT: 46,
  EAFNOSUPPORT: 47,
  EADDRINUSE: 48,
  EADDRNOTAVAIL: 49,
  ENETDOWN: 50,
  ENETUNREACH: 51,
  ENETRESET: 52,
  ECONNABORTED: 53,
  ECONNRESET: 54,
  ENOBUFS: 55,
  EISCONN: 56,
  ENOTCONN: 57,
  ESHUTDOWN: 58,
  ETOOMANYREFS: 59,
  ETIMEDOUT: 60,
  ECONNREFUSED: 61,
  ELOOP: 62,
  ENAMETOOLONG: 63,
  EHOSTDOWN: 64,
  EHOSTUNREACH: 65,
  ENOTEMPTY: 66,
  ENOLCK: 77,
  ENOSYS: 78,
} as const;

/** An errno name this module knows, such as `"EBADF"`. */
export type ErrnoName =
  | "EPERM"
  | "ENOENT"
  | "ESRCH"
  | "EINTR"
  | "EIO"
  | "ENXIO"
  | "E2BIG"
  | "ENOEXEC"
  | "EBADF"
  | "ECHILD"
  | "EAGAIN"
  | "ENOMEM"
  | "EACCES"
  | "EFAULT"
  | "EBUSY"
  | "EEXIST"
  | "EXDEV"
  | "ENODEV"
  | "ENOTDIR"
  | "EISDIR"
  | "EINVAL"
  | "ENFILE"
  | "EMFILE"
  | "ENOTTY"
  | "EFBIG"
  | "ENOSPC"
  | "ESPIPE"
  | "EROFS"
  | "EMLINK"
  | "EPIPE"
  | "EDOM"
  | "ERANGE"
  | "EDEADLK"
  | "ENAMETOOLONG"
  | "ENOLCK"
  | "ENOSYS"
  | "ENOTEMPTY"
  | "ELOOP"
  | "ENOTSOCK"
  | "EDESTADDRREQ"
  | "EMSGSIZE"
  | "EPROTOTYPE"
  | "ENOPROTOOPT"
  | "EPROTONOSUPPORT"
  | "ESOCKTNOSUPPORT"
  | "EOPNOTSUPP"
  | "EPFNOSUPPORT"
  | "EAFNOSUPPORT"
  | "EADDRINUSE"
  | "EADDRNOTAVAIL"
  | "ENETDOWN"
  | "ENETUNREACH"
  | "ENETRESET"
  | "ECONNABORTED"
  | "ECONNRESET"
  | "ENOBUFS"
  | "EISCONN"
  | "ENOTCONN"
  | "ESHUTDOWN"
  | "ETOOMANYREFS"
  | "ETIMEDOUT"
  | "ECONNREFUSED"
  | "EHOSTDOWN"
  | "EHOSTUNREACH"
  | "EALREADY"
  | "EINPROGRESS";

/**
 * Windows: Winsock's own numbers (`winsock2.h`'s `WSAE*`, 10004-10066) for every
 * error a socket call reports, the C runtime's `errno.h` for the rest. CPython's
 * `errno` module on Windows gives the socket names the same Winsock numbers
 * (`errno.ECONNREFUSED == 10061`), so `e.errno` reads as in Python there.
 * `EAGAIN` is `WSAEWOULDBLOCK` (Node's libuv also reports that as `EAGAIN`).
 */
const WINDOWS_ERRNO: Readonly<Record<ErrnoName, number>> = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 10004,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 10009,
  ECHILD: 10,
  EAGAIN: 10035,
  ENOMEM: 12,
  EACCES: 10013,
  EFAULT: 10014,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 10022,
  ENFILE: 23,
  EMFILE: 10024,
  ENOTTY: 25,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  EPIPE: 32,
  EDOM: 33,
  ERANGE: 34,
  EDEADLK: 36,
  ENAMETOOLONG: 10063,
  ENOLCK: 39,
  ENOSYS: 40,
  ENOTEMPTY: 10066,
  ELOOP: 10062,
  ENOTSOCK: 10038,
  EDESTADDRREQ: 10039,
  EMSGSIZE: 10040,
  EPROTOTYPE: 10041,
  ENOPROTOOPT: 10042,
  EPROTONOSUPPORT: 10043,
  ESOCKTNOSUPPORT: 10044,
  EOPNOTSUPP: 10045,
  EPFNOSUPPORT: 10046,
  EAFNOSUPPORT: 10047,
  EADDRINUSE: 10048,
  EADDRNOTAVAIL: 10049,
  ENETDOWN: 10050,
  ENETUNREACH: 10051,
  ENETRESET: 10052,
  ECONNABORTED: 10053,
  ECONNRESET: 10054,
  ENOBUFS: 10055,
  EISCONN: 10056,
  ENOTCONN: 10057,
  ESHUTDOWN: 10058,
  ETOOMANYREFS: 10059,
  ETIMEDOUT: 10060,
  ECONNREFUSED: 10061,
  EHOSTDOWN: 10064,
  EHOSTUNREACH: 10065,
  EALREADY: 10037,
  EINPROGRESS: 10036,
};

// The union above and the Linux table name the same errnos (checked both ways at compile time).
const SAME_NAMES: [keyof typeof LINUX_ERRNO] extends [ErrnoName]
  ? [ErrnoName] extends [keyof typeof LINUX_ERRNO] ? true : never
  : never = true;
void SAME_NAMES;

/** Errno numbers for every OS family, by name; the tests check each against its headers. */
export const ERRNO_TABLES: Readonly<
  Record<"linux" | "bsd" | "windows", Readonly<Record<ErrnoName, number>>>
> = {
  linux: LINUX_ERRNO,
  bsd: BSD_ERRNO,
  windows: WINDOWS_ERRNO,
};

/** This host's errno numbers by name. */
export const ERRNO: Readonly<Record<ErrnoName, number>> = OS === "linux"
  ? LINUX_ERRNO
  : OS === "windows"
  ? WINDOWS_ERRNO
  : BSD_ERRNO;

const NAMES = new Map<number, ErrnoName>();
for (const [name, value] of Object.entries(ERRNO)) NAMES.set(value, name as ErrnoName);

/** This host's name for an errno number (`"EBADF"`), or `"E<n>"` when unknown. */
export function errnoName(errno: number): string {
  return NAMES.get(errno) ?? `E${errno}`;
}

interface FcntlFlags {
  O_RDONLY: number;
  O_WRONLY: number;
  O_RDWR: number;
  O_CREAT: number;
  O_EXCL: number;
  O_TRUNC: number;
  O_APPEND: number;
  O_NONBLOCK: number;
  O_CLOEXEC: number;
  F_GETFD: number;
  F_SETFD: number;
  F_GETFL: number;
  F_SETFL: number;
  F_DUPFD_CLOEXEC: number;
  FD_CLOEXEC: number;
}

const LINUX_FCNTL: FcntlFlags = {
  O_RDONLY: 0,
  O_WRONLY: 1,
  O_RDWR: 2,
  O_CREAT: 0o100,
  O_EXCL: 0o200,
  O_TRUNC: 0o1000,
  O_APPEND: 0o2000,
  O_NONBLOCK: 0o4000,
  O_CLOEXEC: 0o2000000,
  F_GETFD: 1,
  F_SETFD: 2,
  F_GETFL: 3,
  F_SETFL: 4,
  F_DUPFD_CLOEXEC: 1030,
  FD_CLOEXEC: 1,
};

const DARWIN_FCNTL: FcntlFlags = {
  O_RDONLY: 0,
  O_WRONLY: 1,
  O_RDWR: 2,
  O_CREAT: 0x200,
  O_EXCL: 0x800,
  O_TRUNC: 0x400,
  O_APPEND: 0x8,
  O_NONBLOCK: 0x4,
  O_CLOEXEC: 0x1000000,
  F_GETFD: 1,
  F_SETFD: 2,
  F_GETFL: 3,
  F_SETFL: 4,
  F_DUPFD_CLOEXEC: 67,
  FD_CLOEXEC: 1,
};

const FREEBSD_FCNTL: FcntlFlags = { ...DARWIN_FCNTL, O_CLOEXEC: 0x100000, F_DUPFD_CLOEXEC: 17 };

/** `open(2)` and `fcntl(2)` constants of every OS family; the tests check the host's against its headers. */
export const FCNTL_TABLES: Readonly<Record<"linux" | "darwin" | "freebsd", Readonly<FcntlFlags>>> = {
  linux: LINUX_FCNTL,
  darwin: DARWIN_FCNTL,
  freebsd: FREEBSD_FCNTL,
};

/** `open(2)` and `fcntl(2)` constants of this host. */
export const FCNTL: Readonly<FcntlFlags> = OS === "darwin"
  ? DARWIN_FCNTL
  : OS === "freebsd"
  ? FREEBSD_FCNTL
  : LINUX_FCNTL;

/** epoll constants (Linux uapi `eventpoll.h`). */
export const EPOLL = {
  EPOLLIN: 0x001,
  EPOLLPRI: 0x002,
  EPOLLOUT: 0x004,
  EPOLLERR: 0x008,
  EPOLLHUP: 0x010,
  EPOLL_CTL_ADD: 1,
  EPOLL_CTL_DEL: 2,
  EPOLL_CTL_MOD: 3,
  EPOLL_CLOEXEC: 0o2000000,
} as const;

/** poll's event bits. */
interface PollBits {
  POLLIN: number;
  POLLPRI: number;
  POLLOUT: number;
  POLLERR: number;
  POLLHUP: number;
  POLLNVAL: number;
}

/** poll constants of every OS family: one set on Linux, macOS and the BSDs; Winsock's `WSAPoll` has its own. */
export const POLL_TABLES: Readonly<Record<"unix" | "windows", Readonly<PollBits>>> = {
  unix: { POLLIN: 0x001, POLLPRI: 0x002, POLLOUT: 0x004, POLLERR: 0x008, POLLHUP: 0x010, POLLNVAL: 0x020 },
  // winsock2.h: POLLIN is POLLRDNORM | POLLRDBAND, POLLOUT is POLLWRNORM. WSAPoll
  // refuses POLLPRI in `events` (WSAEINVAL), so the selectors never ask for it.
  windows: { POLLIN: 0x300, POLLPRI: 0x400, POLLOUT: 0x010, POLLERR: 0x001, POLLHUP: 0x002, POLLNVAL: 0x004 },
};

/** poll constants of this host. */
export const POLL: Readonly<PollBits> = POLL_TABLES[OS === "windows" ? "windows" : "unix"];

/** select(2)'s `FD_SETSIZE`: the fd_set bitmaps hold fds 0..1023 on every supported OS. */
export const FD_SETSIZE = 1024;

/**
 * How many sockets one Winsock `fd_set` holds here. winsock2.h's default is
 * 64; the array's length is the caller's choice (CPython builds `select`
 * with 512). 1024 matches the Unix sets' bound: 8 KiB per set.
 */
export const WINSOCK_FD_SETSIZE = 1024;

/** `CLOCK_MONOTONIC` of every OS family (`clock_gettime`'s clock id); the tests check the host's against its headers. */
export const CLOCK_MONOTONIC_TABLES: Readonly<Record<"linux" | "darwin" | "freebsd", number>> = {
  linux: 1,
  darwin: 6,
  freebsd: 4,
};

/** This host's `CLOCK_MONOTONIC`. */
export const CLOCK_MONOTONIC: number =
  CLOCK_MONOTONIC_TABLES[OS === "darwin" || OS === "freebsd" ? OS : "linux"];

/** `RLIMIT_NOFILE`, the resource number of the open-fd limit: 7 on Linux, 8 on macOS and the BSDs. */
export const RLIMIT_NOFILE: number = OS === "linux" ? 7 : 8;

/** `RLIM_NLIMITS`, one past the largest resource number (`sys/resource.h`): Linux 16, macOS 9, FreeBSD 15. */
export const RLIM_NLIMITS: number = OS === "linux" ? 16 : OS === "darwin" ? 9 : 15;

interface SocketConstants {
  AF_UNSPEC: number;
  AF_UNIX: number;
  AF_INET: number;
  AF_INET6: number;
  SOCK_STREAM: number;
  SOCK_DGRAM: number;
  SOCK_RAW: number;
  /** Flags OR-ed into `socket()`'s type (Linux); 0 where the OS lacks them. */
  SOCK_NONBLOCK: number;
  SOCK_CLOEXEC: number;
  SOCK_SEQPACKET: number;
  /** `SCM_RIGHTS`: fds in a control message. */
  SCM_RIGHTS: number;
  /** Linux: a `struct ucred` control message (0 elsewhere). */
  SCM_CREDENTIALS: number;
  /** macOS, FreeBSD: a `struct cmsgcred`/`xucred` control message (0 on Linux). */
  SCM_CREDS: number;
  /** Linux: receive SCM_CREDENTIALS (0 elsewhere). */
  SO_PASSCRED: number;
  /** Linux: the peer's `struct ucred` (0 elsewhere). */
  SO_PEERCRED: number;
  /** Linux, FreeBSD: the socket's family (0 on macOS). */
  SO_DOMAIN: number;
  /** Linux, FreeBSD: the socket's protocol (0 on macOS). */
  SO_PROTOCOL: number;
  SO_ACCEPTCONN: number;
  SO_RCVTIMEO: number;
  SO_SNDTIMEO: number;
  SO_RCVLOWAT: number;
  SO_SNDLOWAT: number;
  SO_DONTROUTE: number;
  SO_OOBINLINE: number;
  MSG_CTRUNC: number;
  MSG_TRUNC: number;
  MSG_EOR: number;
  MSG_DONTROUTE: number;
  /** Received fds close-on-exec (Linux, FreeBSD; 0 on macOS). */
  MSG_CMSG_CLOEXEC: number;
  SOL_SOCKET: number;
  SO_REUSEADDR: number;
  SO_REUSEPORT: number;
  SO_KEEPALIVE: number;
  SO_BROADCAST: number;
  SO_ERROR: number;
  SO_TYPE: number;
  SO_SNDBUF: number;
  SO_RCVBUF: number;
  SO_LINGER: number;
  /** macOS only: no SIGPIPE for this socket (0 elsewhere). */
  SO_NOSIGPIPE: number;
  IPPROTO_IP: number;
  IPPROTO_TCP: number;
  IPPROTO_UDP: number;
  IPPROTO_IPV6: number;
  TCP_NODELAY: number;
  IPV6_V6ONLY: number;
  SHUT_RD: number;
  SHUT_WR: number;
  SHUT_RDWR: number;
  MSG_OOB: number;
  MSG_PEEK: number;
  MSG_DONTWAIT: number;
  MSG_WAITALL: number;
  /** No SIGPIPE for this call (0 on macOS, which has SO_NOSIGPIPE instead). */
  MSG_NOSIGNAL: number;
  AI_PASSIVE: number;
  AI_CANONNAME: number;
  AI_NUMERICHOST: number;
  AI_NUMERICSERV: number;
  AI_ADDRCONFIG: number;
  SOMAXCONN: number;
  /** `getaddrinfo`'s "see errno" result. */
  EAI_SYSTEM: number;
}

const LINUX_SOCKET: SocketConstants = {
  AF_UNSPEC: 0,
  AF_UNIX: 1,
  AF_INET: 2,
  AF_INET6: 10,
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_RAW: 3,
  SOCK_NONBLOCK: 0o4000,
  SOCK_CLOEXEC: 0o2000000,
  SOCK_SEQPACKET: 5,
  SCM_RIGHTS: 1,
  SCM_CREDENTIALS: 2,
  SCM_CREDS: 0,
  SO_PASSCRED: 16,
  SO_PEERCRED: 17,
  SO_DOMAIN: 39,
  SO_PROTOCOL: 38,
  SO_ACCEPTCONN: 30,
  SO_RCVTIMEO: 20,
  SO_SNDTIMEO: 21,
  SO_RCVLOWAT: 18,
  SO_SNDLOWAT: 19,
  SO_DONTROUTE: 5,
  SO_OOBINLINE: 10,
  MSG_CTRUNC: 8,
  MSG_TRUNC: 0x20,
  MSG_EOR: 0x80,
  MSG_DONTROUTE: 4,
  MSG_CMSG_CLOEXEC: 0x40000000,
  SOL_SOCKET: 1,
  SO_REUSEADDR: 2,
  SO_REUSEPORT: 15,
  SO_KEEPALIVE: 9,
  SO_BROADCAST: 6,
  SO_ERROR: 4,
  SO_TYPE: 3,
  SO_SNDBUF: 7,
  SO_RCVBUF: 8,
  SO_LINGER: 13,
  SO_NOSIGPIPE: 0,
  IPPROTO_IP: 0,
  IPPROTO_TCP: 6,
  IPPROTO_UDP: 17,
  IPPROTO_IPV6: 41,
  TCP_NODELAY: 1,
  IPV6_V6ONLY: 26,
  SHUT_RD: 0,
  SHUT_WR: 1,
  SHUT_RDWR: 2,
  MSG_OOB: 1,
  MSG_PEEK: 2,
  MSG_DONTWAIT: 0x40,
  MSG_WAITALL: 0x100,
  MSG_NOSIGNAL: 0x4000,
  AI_PASSIVE: 1,
  AI_CANONNAME: 2,
  AI_NUMERICHOST: 4,
  AI_NUMERICSERV: 0x400,
  AI_ADDRCONFIG: 0x20,
  SOMAXCONN: 4096,
  EAI_SYSTEM: -11,
};

const DARWIN_SOCKET: SocketConstants = {
  AF_UNSPEC: 0,
  AF_UNIX: 1,
  AF_INET: 2,
  AF_INET6: 30,
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_RAW: 3,
  SOCK_NONBLOCK: 0,
  SOCK_CLOEXEC: 0,
  SOCK_SEQPACKET: 5,
  SCM_RIGHTS: 1,
  SCM_CREDENTIALS: 0,
  SCM_CREDS: 3,
  SO_PASSCRED: 0,
  SO_PEERCRED: 0,
  SO_DOMAIN: 0,
  SO_PROTOCOL: 0,
  SO_ACCEPTCONN: 2,
  SO_RCVTIMEO: 0x1006,
  SO_SNDTIMEO: 0x1005,
  SO_RCVLOWAT: 0x1004,
  SO_SNDLOWAT: 0x1003,
  SO_DONTROUTE: 0x10,
  SO_OOBINLINE: 0x100,
  MSG_CTRUNC: 0x20,
  MSG_TRUNC: 0x10,
  MSG_EOR: 0x8,
  MSG_DONTROUTE: 4,
  MSG_CMSG_CLOEXEC: 0,
  SOL_SOCKET: 0xffff,
  SO_REUSEADDR: 4,
  SO_REUSEPORT: 0x200,
  SO_KEEPALIVE: 8,
  SO_BROADCAST: 0x20,
  SO_ERROR: 0x1007,
  SO_TYPE: 0x1008,
  SO_SNDBUF: 0x1001,
  SO_RCVBUF: 0x1002,
  SO_LINGER: 0x80,
  SO_NOSIGPIPE: 0x1022,
  IPPROTO_IP: 0,
  IPPROTO_TCP: 6,
  IPPROTO_UDP: 17,
  IPPROTO_IPV6: 41,
  TCP_NODELAY: 1,
  IPV6_V6ONLY: 27,
  SHUT_RD: 0,
  SHUT_WR: 1,
  SHUT_RDWR: 2,
  MSG_OOB: 1,
  MSG_PEEK: 2,
  MSG_DONTWAIT: 0x80,
  MSG_WAITALL: 0x40,
  MSG_NOSIGNAL: 0,
  AI_PASSIVE: 1,
  AI_CANONNAME: 2,
  AI_NUMERICHOST: 4,
  AI_NUMERICSERV: 0x1000,
  AI_ADDRCONFIG: 0x400,
  SOMAXCONN: 128,
  EAI_SYSTEM: 11,
};

const FREEBSD_SOCKET: SocketConstants = {
  ...DARWIN_SOCKET,
  AF_INET6: 28,
  SOCK_NONBLOCK: 0x20000000,
  SOCK_CLOEXEC: 0x10000000,
  SO_NOSIGPIPE: 0,
  SO_DOMAIN: 0x1019,
  SO_PROTOCOL: 0x1016,
  MSG_CMSG_CLOEXEC: 0x40000,
  MSG_NOSIGNAL: 0x20000,
  AI_NUMERICSERV: 8,
  SOMAXCONN: 128,
};

/**
 * Windows (`winsock2.h`, `ws2def.h`, `ws2ipdef.h`): Winsock's numbers; 0 for
 * what Winsock lacks (the `socket()` type flags, fd passing and credentials,
 * `MSG_DONTWAIT`: a socket's blocking mode is all there is, `MSG_NOSIGNAL`:
 * Windows has no SIGPIPE).
 */
const WINDOWS_SOCKET: SocketConstants = {
  AF_UNSPEC: 0,
  AF_UNIX: 1,
  AF_INET: 2,
  AF_INET6: 23,
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_RAW: 3,
  SOCK_NONBLOCK: 0,
  SOCK_CLOEXEC: 0,
  SOCK_SEQPACKET: 5,
  SCM_RIGHTS: 0,
  SCM_CREDENTIALS: 0,
  SCM_CREDS: 0,
  SO_PASSCRED: 0,
  SO_PEERCRED: 0,
  SO_DOMAIN: 0,
  SO_PROTOCOL: 0,
  SO_ACCEPTCONN: 2,
  SO_RCVTIMEO: 0x1006,
  SO_SNDTIMEO: 0x1005,
  SO_RCVLOWAT: 0x1004,
  SO_SNDLOWAT: 0x1003,
  SO_DONTROUTE: 0x10,
  SO_OOBINLINE: 0x100,
  MSG_CTRUNC: 0x200,
  MSG_TRUNC: 0x100,
  MSG_EOR: 0,
  MSG_DONTROUTE: 4,
  MSG_CMSG_CLOEXEC: 0,
  SOL_SOCKET: 0xffff,
  SO_REUSEADDR: 4,
  SO_REUSEPORT: 0,
  SO_KEEPALIVE: 8,
  SO_BROADCAST: 0x20,
  SO_ERROR: 0x1007,
  SO_TYPE: 0x1008,
  SO_SNDBUF: 0x1001,
  SO_RCVBUF: 0x1002,
  SO_LINGER: 0x80,
  SO_NOSIGPIPE: 0,
  IPPROTO_IP: 0,
  IPPROTO_TCP: 6,
  IPPROTO_UDP: 17,
  IPPROTO_IPV6: 41,
  TCP_NODELAY: 1,
  IPV6_V6ONLY: 27,
  SHUT_RD: 0,
  SHUT_WR: 1,
  SHUT_RDWR: 2,
  MSG_OOB: 1,
  MSG_PEEK: 2,
  MSG_DONTWAIT: 0,
  MSG_WAITALL: 8,
  MSG_NOSIGNAL: 0,
  AI_PASSIVE: 1,
  AI_CANONNAME: 2,
  AI_NUMERICHOST: 4,
  AI_NUMERICSERV: 8,
  AI_ADDRCONFIG: 0x400,
  SOMAXCONN: 0x7fffffff,
  EAI_SYSTEM: 0,
};

/**
 * musl's headers: the kernel's numbers, but its own `SOMAXCONN` (128; glibc
 * follows the kernel's 4096).
 */
const LINUX_MUSL_SOCKET: SocketConstants = { ...LINUX_SOCKET, SOMAXCONN: 128 };

/**
 * Socket constants of every OS family and C library (Linux's are the same on
 * x86_64 and aarch64: asm-generic); the tests check the host's against its
 * headers, with the probe compiled for that target.
 */
export const SOCKET_TABLES: Readonly<
  Record<"linux" | "linux-musl" | "darwin" | "freebsd" | "windows", Readonly<SocketConstants>>
> = {
  linux: LINUX_SOCKET,
  "linux-musl": LINUX_MUSL_SOCKET,
  darwin: DARWIN_SOCKET,
  freebsd: FREEBSD_SOCKET,
  windows: WINDOWS_SOCKET,
};

/** Socket constants of this host. */
export const SOCKET: Readonly<SocketConstants> = OS === "darwin"
  ? DARWIN_SOCKET
  : OS === "freebsd"
  ? FREEBSD_SOCKET
  : OS === "windows"
  ? WINDOWS_SOCKET
  : LIBC === "musl"
  ? LINUX_MUSL_SOCKET
  : LINUX_SOCKET;

const LINUX_EAI: Readonly<Record<string, number>> = {
  EAI_BADFLAGS: -1,
  EAI_NONAME: -2,
  EAI_AGAIN: -3,
  EAI_FAIL: -4,
  EAI_NODATA: -5,
  EAI_FAMILY: -6,
  EAI_SOCKTYPE: -7,
  EAI_SERVICE: -8,
  EAI_ADDRFAMILY: -9,
  EAI_MEMORY: -10,
  EAI_SYSTEM: -11,
  EAI_OVERFLOW: -12,
};

const BSD_EAI: Readonly<Record<string, number>> = {
  EAI_ADDRFAMILY: 1,
  EAI_AGAIN: 2,
  EAI_BADFLAGS: 3,
  EAI_FAIL: 4,
  EAI_FAMILY: 5,
  EAI_MEMORY: 6,
  EAI_NODATA: 7,
  EAI_NONAME: 8,
  EAI_SERVICE: 9,
  EAI_SOCKTYPE: 10,
  EAI_SYSTEM: 11,
  EAI_OVERFLOW: 14,
};

/** Windows (`ws2tcpip.h`): `getaddrinfo` answers with Winsock error numbers (EAI_NODATA is EAI_NONAME). */
const WINDOWS_EAI: Readonly<Record<string, number>> = {
  EAI_MEMORY: 8,
  EAI_BADFLAGS: 10022,
  EAI_SOCKTYPE: 10044,
  EAI_FAMILY: 10047,
  EAI_SERVICE: 10109,
  EAI_NONAME: 11001,
  EAI_AGAIN: 11002,
  EAI_FAIL: 11003,
  EAI_NODATA: 11001,
};

/** `getaddrinfo` error numbers of this host, by name. */
export const EAI: Readonly<Record<string, number>> = OS === "linux"
  ? LINUX_EAI
  : OS === "windows"
  ? WINDOWS_EAI
  : BSD_EAI;

/** The name of a `getaddrinfo` error number on this host (`"EAI_NONAME"`). */
export function eaiName(code: number): string {
  const table = EAI;
  for (const [name, value] of Object.entries(table)) if (value === code) return name;
  return `EAI_${code}`;
}

/**
 * The rest of the socket module's constants, per OS family: a name an OS
 * lacks is absent from its table (and `undefined` in `socket.ts`, as Python
 * then lacks the name). Linux's are checked against the headers by
 * tests/structs_test.ts (musl's equal glibc's); macOS's and FreeBSD's are
 * from xnu's and FreeBSD's `netinet/in.h`, `netinet/tcp.h`, `sys/socket.h`
 * and `netdb.h`.
 */
const LINUX_NET: Readonly<Record<string, number>> = {
  IPPROTO_ICMP: 1,
  IPPROTO_IGMP: 2,
  IPPROTO_IPIP: 4,
  IPPROTO_EGP: 8,
  IPPROTO_PUP: 12,
  IPPROTO_IDP: 22,
  IPPROTO_TP: 29,
  IPPROTO_ROUTING: 43,
  IPPROTO_FRAGMENT: 44,
  IPPROTO_RSVP: 46,
  IPPROTO_GRE: 47,
  IPPROTO_ESP: 50,
  IPPROTO_AH: 51,
  IPPROTO_ICMPV6: 58,
  IPPROTO_NONE: 59,
  IPPROTO_DSTOPTS: 60,
  IPPROTO_HOPOPTS: 0,
  IPPROTO_PIM: 103,
  IPPROTO_SCTP: 132,
  IPPROTO_UDPLITE: 136,
  IPPROTO_MPTCP: 262,
  IPPROTO_RAW: 255,
  IP_OPTIONS: 4,
  IP_HDRINCL: 3,
  IP_TOS: 1,
  IP_TTL: 2,
  IP_RECVOPTS: 6,
  IP_RETOPTS: 7,
  IP_MULTICAST_IF: 32,
  IP_MULTICAST_TTL: 33,
  IP_MULTICAST_LOOP: 34,
  IP_ADD_MEMBERSHIP: 35,
  IP_DROP_MEMBERSHIP: 36,
  IP_DEFAULT_MULTICAST_TTL: 1,
  IP_DEFAULT_MULTICAST_LOOP: 1,
  IP_RECVTTL: 12,
  IP_RECVTOS: 13,
  IP_PKTINFO: 8,
  IP_RECVERR: 11,
  IP_MTU_DISCOVER: 10,
  IP_MTU: 14,
  IP_FREEBIND: 15,
  IP_TRANSPARENT: 19,
  IP_RECVORIGDSTADDR: 20,
  IP_BIND_ADDRESS_NO_PORT: 24,
  IP_PMTUDISC_DONT: 0,
  IP_PMTUDISC_WANT: 1,
  IP_PMTUDISC_DO: 2,
  IP_PMTUDISC_PROBE: 3,
  IP_MULTICAST_ALL: 49,
  IPV6_UNICAST_HOPS: 16,
  IPV6_MULTICAST_IF: 17,
  IPV6_MULTICAST_HOPS: 18,
  IPV6_MULTICAST_LOOP: 19,
  IPV6_JOIN_GROUP: 20,
  IPV6_LEAVE_GROUP: 21,
  IPV6_CHECKSUM: 7,
  IPV6_RECVERR: 25,
  IPV6_MTU_DISCOVER: 23,
  IPV6_MTU: 24,
  IPV6_NEXTHOP: 9,
  IPV6_RECVPKTINFO: 49,
  IPV6_PKTINFO: 50,
  IPV6_RECVHOPLIMIT: 51,
  IPV6_HOPLIMIT: 52,
  IPV6_RECVHOPOPTS: 53,
  IPV6_HOPOPTS: 54,
  IPV6_RECVRTHDR: 56,
  IPV6_RTHDR: 57,
  IPV6_RECVDSTOPTS: 58,
  IPV6_DSTOPTS: 59,
  IPV6_RECVPATHMTU: 60,
  IPV6_PATHMTU: 61,
  IPV6_DONTFRAG: 62,
  IPV6_RECVTCLASS: 66,
  IPV6_TCLASS: 67,
  TCP_MAXSEG: 2,
  TCP_KEEPIDLE: 4,
  TCP_KEEPINTVL: 5,
  TCP_KEEPCNT: 6,
  TCP_FASTOPEN: 23,
  TCP_NOTSENT_LOWAT: 25,
  TCP_INFO: 11,
  TCP_CONGESTION: 13,
  TCP_CORK: 3,
  TCP_SYNCNT: 7,
  TCP_LINGER2: 8,
  TCP_DEFER_ACCEPT: 9,
  TCP_WINDOW_CLAMP: 10,
  TCP_QUICKACK: 12,
  TCP_USER_TIMEOUT: 18,
  SO_BINDTODEVICE: 25,
  SO_PRIORITY: 12,
  SO_MARK: 36,
  SO_RCVBUFFORCE: 33,
  SO_SNDBUFFORCE: 32,
  SO_PEERSEC: 31,
  SO_PASSSEC: 34,
  SO_INCOMING_CPU: 49,
  MSG_CONFIRM: 0x800,
  MSG_ERRQUEUE: 0x2000,
  MSG_MORE: 0x8000,
  MSG_FASTOPEN: 0x20000000,
  MSG_NOSIGNAL: 0x4000,
  NI_NUMERICHOST: 1,
  NI_NUMERICSERV: 2,
  NI_NOFQDN: 4,
  NI_NAMEREQD: 8,
  NI_DGRAM: 16,
  NI_MAXHOST: 1025,
  NI_MAXSERV: 32,
  AI_V4MAPPED: 8,
  AI_ALL: 16,
  INADDR_ANY: 0,
  INADDR_BROADCAST: 0xffffffff,
  INADDR_LOOPBACK: 0x7f000001,
  INADDR_NONE: 0xffffffff,
  INADDR_UNSPEC_GROUP: 0xe0000000,
  INADDR_ALLHOSTS_GROUP: 0xe0000001,
  INADDR_MAX_LOCAL_GROUP: 0xe00000ff,
  SOCK_RDM: 4,
  SOCK_NONBLOCK: 0o4000,
  SOCK_CLOEXEC: 0o2000000,
  AF_NETLINK: 16,
  AF_ROUTE: 16,
  AF_PACKET: 17,
  AF_BLUETOOTH: 31,
  SOL_IP: 0,
  SOL_TCP: 6,
  SOL_UDP: 17,
  AF_APPLETALK: 5,
  AF_IPX: 4,
  AF_SNA: 22,
  SO_DEBUG: 1,
  IPPORT_RESERVED: 0x400,
  IPPORT_USERRESERVED: 0x1388,
  IPV6_RTHDR_TYPE_0: 0,
  IPV6_RTHDRDSTOPTS: 55,
  IP_MAX_MEMBERSHIPS: 20,
  IP_RECVRETOPTS: 7,
  AF_ALG: 38,
  AF_ASH: 18,
  AF_ATMPVC: 8,
  AF_ATMSVC: 20,
  AF_AX25: 3,
  AF_BRIDGE: 7,
  AF_CAN: 29,
  AF_ECONET: 19,
  AF_IRDA: 23,
  AF_KEY: 15,
  AF_LLC: 26,
  AF_NETBEUI: 13,
  AF_NETROM: 6,
  AF_PPPOX: 24,
  AF_QIPCRTR: 42,
  AF_RDS: 21,
  AF_ROSE: 11,
  AF_SECURITY: 14,
  AF_TIPC: 30,
  AF_VSOCK: 40,
  AF_WANPIPE: 25,
  AF_X25: 9,
  PF_CAN: 29,
  PF_PACKET: 17,
  PF_RDS: 21,
  SOL_ALG: 0x117,
  SOL_RDS: 0x114,
  SOL_TIPC: 0x10f,
  SOL_CAN_BASE: 100,
  SOL_CAN_RAW: 101,
  ALG_SET_KEY: 1,
  ALG_SET_IV: 2,
  ALG_SET_OP: 3,
  ALG_SET_AEAD_ASSOCLEN: 4,
  ALG_SET_AEAD_AUTHSIZE: 5,
  ALG_SET_PUBKEY: 6,
  ALG_OP_DECRYPT: 0,
  ALG_OP_ENCRYPT: 1,
  ALG_OP_SIGN: 2,
  ALG_OP_VERIFY: 3,
  CAN_RAW: 1,
  CAN_BCM: 2,
  CAN_ISOTP: 6,
  CAN_J1939: 7,
  CAN_EFF_FLAG: 0x80000000,
  CAN_RTR_FLAG: 0x40000000,
  CAN_ERR_FLAG: 0x20000000,
  CAN_SFF_MASK: 0x7ff,
  CAN_EFF_MASK: 0x1fffffff,
  CAN_ERR_MASK: 0x1fffffff,
  CAN_RAW_FILTER: 1,
  CAN_RAW_LOOPBACK: 3,
  CAN_RAW_RECV_OWN_MSGS: 4,
  CAN_RAW_FD_FRAMES: 5,
  CAN_RAW_JOIN_FILTERS: 6,
  NETLINK_ROUTE: 0,
  NETLINK_USERSOCK: 2,
  NETLINK_FIREWALL: 3,
  NETLINK_NFLOG: 5,
  NETLINK_XFRM: 6,
  NETLINK_IP6_FW: 13,
  NETLINK_DNRTMSG: 14,
  NETLINK_CRYPTO: 21,
  PACKET_HOST: 0,
  PACKET_BROADCAST: 1,
  PACKET_MULTICAST: 2,
  PACKET_OTHERHOST: 3,
  PACKET_OUTGOING: 4,
  PACKET_LOOPBACK: 5,
  PACKET_FASTROUTE: 6,
  UDPLITE_SEND_CSCOV: 10,
  UDPLITE_RECV_CSCOV: 11,
  VMADDR_CID_ANY: 0xffffffff,
  VMADDR_CID_HOST: 2,
  VMADDR_PORT_ANY: 0xffffffff,
  VM_SOCKETS_INVALID_VERSION: 0xffffffff,
  SO_VM_SOCKETS_BUFFER_SIZE: 0,
  SO_VM_SOCKETS_BUFFER_MIN_SIZE: 1,
  SO_VM_SOCKETS_BUFFER_MAX_SIZE: 2,
  IOCTL_VM_SOCKETS_GET_LOCAL_CID: 1977,
};

const DARWIN_NET: Readonly<Record<string, number>> = {
  IPPROTO_ICMP: 1,
  IPPROTO_IGMP: 2,
  IPPROTO_IPIP: 4,
  IPPROTO_EGP: 8,
  IPPROTO_PUP: 12,
  IPPROTO_IDP: 22,
  IPPROTO_TP: 29,
  IPPROTO_ROUTING: 43,
  IPPROTO_FRAGMENT: 44,
  IPPROTO_RSVP: 46,
  IPPROTO_GRE: 47,
  IPPROTO_ESP: 50,
  IPPROTO_AH: 51,
  IPPROTO_ICMPV6: 58,
  IPPROTO_NONE: 59,
  IPPROTO_DSTOPTS: 60,
  IPPROTO_HOPOPTS: 0,
  IPPROTO_PIM: 103,
  IPPROTO_SCTP: 132,
  IPPROTO_RAW: 255,
  IP_OPTIONS: 1,
  IP_HDRINCL: 2,
  IP_TOS: 3,
  IP_TTL: 4,
  IP_RECVOPTS: 5,
  IP_RETOPTS: 8,
  IP_MULTICAST_IF: 9,
  IP_MULTICAST_TTL: 10,
  IP_MULTICAST_LOOP: 11,
  IP_ADD_MEMBERSHIP: 12,
  IP_DROP_MEMBERSHIP: 13,
  IP_DEFAULT_MULTICAST_TTL: 1,
  IP_DEFAULT_MULTICAST_LOOP: 1,
  IP_RECVDSTADDR: 7,
  IP_RECVTTL: 24,
  IP_RECVTOS: 27,
  IP_PKTINFO: 26,
  IP_BOUND_IF: 25,
  IPV6_UNICAST_HOPS: 4,
  IPV6_MULTICAST_IF: 9,
  IPV6_MULTICAST_HOPS: 10,
  IPV6_MULTICAST_LOOP: 11,
  IPV6_JOIN_GROUP: 12,
  IPV6_LEAVE_GROUP: 13,
  IPV6_CHECKSUM: 26,
  TCP_MAXSEG: 2,
  TCP_KEEPALIVE: 16,
  TCP_KEEPINTVL: 0x101,
  TCP_KEEPCNT: 0x102,
  TCP_FASTOPEN: 261,
  TCP_NOTSENT_LOWAT: 0x201,
  TCP_NOPUSH: 4,
  SO_USELOOPBACK: 64,
  MSG_EOF: 0x100,
  NI_NUMERICHOST: 2,
  NI_NUMERICSERV: 8,
  NI_NOFQDN: 1,
  NI_NAMEREQD: 4,
  NI_DGRAM: 16,
  NI_MAXHOST: 1025,
  NI_MAXSERV: 32,
  AI_V4MAPPED: 0x800,
  AI_ALL: 0x100,
  AI_V4MAPPED_CFG: 0x200,
  AI_DEFAULT: 0x600,
  INADDR_ANY: 0,
  INADDR_BROADCAST: 0xffffffff,
  INADDR_LOOPBACK: 0x7f000001,
  INADDR_NONE: 0xffffffff,
  INADDR_UNSPEC_GROUP: 0xe0000000,
  INADDR_ALLHOSTS_GROUP: 0xe0000001,
  INADDR_MAX_LOCAL_GROUP: 0xe00000ff,
  SOCK_RDM: 4,
  AF_ROUTE: 17,
  AF_LINK: 18,
  SOL_IP: 0,
  SOL_TCP: 6,
  SOL_UDP: 17,
  AF_APPLETALK: 16,
  AF_IPX: 23,
  AF_SNA: 11,
  SO_DEBUG: 1,
  IPPORT_RESERVED: 0x400,
  IPPORT_USERRESERVED: 0x1388,
  IPV6_RTHDR_TYPE_0: 0,
  IP_MAX_MEMBERSHIPS: 0xfff,
  IP_RECVRETOPTS: 6,
};

const FREEBSD_NET: Readonly<Record<string, number>> = {
  IPPROTO_ICMP: 1,
  IPPROTO_IGMP: 2,
  IPPROTO_IPIP: 4,
  IPPROTO_EGP: 8,
  IPPROTO_PUP: 12,
  IPPROTO_IDP: 22,
  IPPROTO_TP: 29,
  IPPROTO_ROUTING: 43,
  IPPROTO_FRAGMENT: 44,
  IPPROTO_RSVP: 46,
  IPPROTO_GRE: 47,
  IPPROTO_ESP: 50,
  IPPROTO_AH: 51,
  IPPROTO_ICMPV6: 58,
  IPPROTO_NONE: 59,
  IPPROTO_DSTOPTS: 60,
  IPPROTO_HOPOPTS: 0,
  IPPROTO_PIM: 103,
  IPPROTO_SCTP: 132,
  IPPROTO_UDPLITE: 136,
  IPPROTO_RAW: 255,
  IP_OPTIONS: 1,
  IP_HDRINCL: 2,
  IP_TOS: 3,
  IP_TTL: 4,
  IP_RECVOPTS: 5,
  IP_RETOPTS: 8,
  IP_MULTICAST_IF: 9,
  IP_MULTICAST_TTL: 10,
  IP_MULTICAST_LOOP: 11,
  IP_ADD_MEMBERSHIP: 12,
  IP_DROP_MEMBERSHIP: 13,
  IP_DEFAULT_MULTICAST_TTL: 1,
  IP_DEFAULT_MULTICAST_LOOP: 1,
  IP_RECVDSTADDR: 7,
  IP_RECVTTL: 65,
  IP_RECVTOS: 68,
  IP_RECVORIGDSTADDR: 27,
  IP_BINDANY: 24,
  IPV6_UNICAST_HOPS: 4,
  IPV6_MULTICAST_IF: 9,
  IPV6_MULTICAST_HOPS: 10,
  IPV6_MULTICAST_LOOP: 11,
  IPV6_JOIN_GROUP: 12,
  IPV6_LEAVE_GROUP: 13,
  IPV6_CHECKSUM: 26,
  IPV6_NEXTHOP: 48,
  IPV6_RECVPKTINFO: 36,
  IPV6_PKTINFO: 46,
  IPV6_RECVHOPLIMIT: 37,
  IPV6_HOPLIMIT: 47,
  IPV6_RECVHOPOPTS: 39,
  IPV6_HOPOPTS: 49,
  IPV6_RECVRTHDR: 38,
  IPV6_RTHDR: 51,
  IPV6_RECVDSTOPTS: 40,
  IPV6_DSTOPTS: 50,
  IPV6_RECVPATHMTU: 43,
  IPV6_PATHMTU: 44,
  IPV6_DONTFRAG: 62,
  IPV6_USE_MIN_MTU: 42,
  IPV6_RECVTCLASS: 57,
  IPV6_TCLASS: 61,
  TCP_MAXSEG: 2,
  TCP_KEEPIDLE: 0x100,
  TCP_KEEPINTVL: 0x200,
  TCP_KEEPCNT: 0x400,
  TCP_FASTOPEN: 1025,
  TCP_INFO: 32,
  TCP_CONGESTION: 64,
  TCP_NOPUSH: 4,
  SO_USELOOPBACK: 64,
  SO_REUSEPORT_LB: 0x10000,
  MSG_NOSIGNAL: 0x20000,
  MSG_EOF: 0x100,
  NI_NUMERICHOST: 2,
  NI_NUMERICSERV: 8,
  NI_NOFQDN: 1,
  NI_NAMEREQD: 4,
  NI_DGRAM: 16,
  NI_MAXHOST: 1025,
  NI_MAXSERV: 32,
  AI_V4MAPPED: 0x800,
  AI_ALL: 0x100,
  AI_V4MAPPED_CFG: 0x200,
  INADDR_ANY: 0,
  INADDR_BROADCAST: 0xffffffff,
  INADDR_LOOPBACK: 0x7f000001,
  INADDR_NONE: 0xffffffff,
  INADDR_UNSPEC_GROUP: 0xe0000000,
  INADDR_ALLHOSTS_GROUP: 0xe0000001,
  INADDR_MAX_LOCAL_GROUP: 0xe00000ff,
  SOCK_RDM: 4,
  SOCK_NONBLOCK: 0x20000000,
  SOCK_CLOEXEC: 0x10000000,
  AF_BLUETOOTH: 36,
  AF_ROUTE: 17,
  AF_LINK: 18,
  SOL_IP: 0,
  SOL_TCP: 6,
  SOL_UDP: 17,
  AF_APPLETALK: 16,
  AF_IPX: 23,
  AF_SNA: 11,
  SO_DEBUG: 1,
  IPPORT_RESERVED: 0x400,
  IPPORT_USERRESERVED: 0x1388,
  IPV6_RTHDR_TYPE_0: 0,
  IPV6_RTHDRDSTOPTS: 35,
  IP_MAX_MEMBERSHIPS: 0xfff,
  IP_RECVRETOPTS: 6,
};

/**
 * Windows (`ws2def.h`, `ws2ipdef.h`, `ws2tcpip.h`, `mstcpip.h`): the names
 * Winsock defines, with its numbers. Not checked against headers here (none
 * on this Linux host); `tests/layouts_test.ts` pins them.
 */
const WINDOWS_NET: Readonly<Record<string, number>> = {
  IPPROTO_ICMP: 1,
  IPPROTO_IGMP: 2,
  IPPROTO_EGP: 8,
  IPPROTO_PUP: 12,
  IPPROTO_IDP: 22,
  IPPROTO_ROUTING: 43,
  IPPROTO_FRAGMENT: 44,
  IPPROTO_ESP: 50,
  IPPROTO_AH: 51,
  IPPROTO_ICMPV6: 58,
  IPPROTO_NONE: 59,
  IPPROTO_DSTOPTS: 60,
  IPPROTO_HOPOPTS: 0,
  IPPROTO_PIM: 103,
  IPPROTO_SCTP: 132,
  IPPROTO_RAW: 255,
  IP_OPTIONS: 1,
  IP_HDRINCL: 2,
  IP_TOS: 3,
  IP_TTL: 4,
  IP_MULTICAST_IF: 9,
  IP_MULTICAST_TTL: 10,
  IP_MULTICAST_LOOP: 11,
  IP_ADD_MEMBERSHIP: 12,
  IP_DROP_MEMBERSHIP: 13,
  IP_PKTINFO: 19,
  IP_RECVTOS: 40,
  IPV6_UNICAST_HOPS: 4,
  IPV6_MULTICAST_IF: 9,
  IPV6_MULTICAST_HOPS: 10,
  IPV6_MULTICAST_LOOP: 11,
  IPV6_JOIN_GROUP: 12,
  IPV6_LEAVE_GROUP: 13,
  IPV6_PKTINFO: 19,
  IPV6_HOPLIMIT: 21,
  IPV6_RECVTCLASS: 40,
  IPV6_TCLASS: 39,
  TCP_MAXSEG: 4,
  TCP_KEEPIDLE: 3,
  TCP_KEEPCNT: 16,
  TCP_KEEPINTVL: 17,
  TCP_FASTOPEN: 15,
  NI_NOFQDN: 1,
  NI_NUMERICHOST: 2,
  NI_NAMEREQD: 4,
  NI_NUMERICSERV: 8,
  NI_DGRAM: 16,
  NI_MAXHOST: 1025,
  NI_MAXSERV: 32,
  AI_ALL: 0x100,
  AI_V4MAPPED: 0x800,
  INADDR_ANY: 0,
  INADDR_BROADCAST: 0xffffffff,
  INADDR_LOOPBACK: 0x7f000001,
  INADDR_NONE: 0xffffffff,
  SOCK_RDM: 4,
  SO_DEBUG: 1,
  AF_APPLETALK: 16,
  AF_IPX: 6,
  AF_SNA: 11,
  AF_IRDA: 26,
  AF_NETBEUI: 13,
};

/** The per-OS tables of {@linkcode NET}. */
export const NET_TABLES: Readonly<
  Record<"linux" | "darwin" | "freebsd" | "windows", Readonly<Record<string, number>>>
> = {
  linux: LINUX_NET,
  darwin: DARWIN_NET,
  freebsd: FREEBSD_NET,
  windows: WINDOWS_NET,
};

/** This host's table of the socket module's further constants. */
export const NET: Readonly<Record<string, number>> = OS === "darwin"
  ? DARWIN_NET
  : OS === "freebsd"
  ? FREEBSD_NET
  : OS === "windows"
  ? WINDOWS_NET
  : LINUX_NET;

/** `struct kevent` filters and flags (xnu, FreeBSD and OpenBSD `sys/event.h`; NetBSD differs and is not supported). */
export const KEVENT = {
  EVFILT_READ: -1,
  EVFILT_WRITE: -2,
  EV_ADD: 0x0001,
  EV_DELETE: 0x0002,
  EV_ERROR: 0x4000,
  EV_EOF: 0x8000,
} as const;

/** Freezes a table and every table inside it. */
function deepFreeze(table: object): void {
  for (const value of Object.values(table)) {
    if (typeof value === "object" && value !== null) deepFreeze(value);
  }
  Object.freeze(table);
}

// Read-only, all the way down: the library reads these on every call (ERRNO.EINTR
// decides whether a call is retried), and `ERRNO` is public. A caller's
// `ERRNO.EINTR = ERRNO.EAGAIN` must fail (a TypeError in strict code), never
// turn a read of an empty pipe into a spin.
for (
  const table of [
    ERRNO_TABLES,
    FCNTL_TABLES,
    EPOLL,
    POLL_TABLES,
    CLOCK_MONOTONIC_TABLES,
    SOCKET_TABLES,
    NET_TABLES,
    LINUX_EAI,
    BSD_EAI,
    WINDOWS_EAI,
    KEVENT,
  ]
) deepFreeze(table);
