/**
 * OS constants: errno numbers and the `open`/`fcntl` flags, per OS family.
 *
 * Each table is written once from the system headers (Linux uapi
 * `asm-generic/errno*.h` and `fcntl.h`; xnu and FreeBSD `sys/errno.h` and
 * `sys/fcntl.h`); the one for this host is exported.
 *
 * @module
 */
import { OS } from "./_host.ts";

const LINUX_ERRNO = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9,
  ECHILD: 10, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, EBUSY: 16, EEXIST: 17, EXDEV: 18,
  ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOTTY: 25,
  EFBIG: 27, ENOSPC: 28, ESPIPE: 29, EROFS: 30, EMLINK: 31, EPIPE: 32, EDOM: 33, ERANGE: 34,
  EDEADLK: 35, ENAMETOOLONG: 36, ENOLCK: 37, ENOSYS: 38, ENOTEMPTY: 39, ELOOP: 40,
  ENOTSOCK: 88, EDESTADDRREQ: 89, EMSGSIZE: 90, EPROTOTYPE: 91, ENOPROTOOPT: 92,
  EPROTONOSUPPORT: 93, ESOCKTNOSUPPORT: 94, EOPNOTSUPP: 95, EPFNOSUPPORT: 96,
  EAFNOSUPPORT: 97, EADDRINUSE: 98, EADDRNOTAVAIL: 99, ENETDOWN: 100, ENETUNREACH: 101,
  ENETRESET: 102, ECONNABORTED: 103, ECONNRESET: 104, ENOBUFS: 105, EISCONN: 106,
  ENOTCONN: 107, ESHUTDOWN: 108, ETOOMANYREFS: 109, ETIMEDOUT: 110, ECONNREFUSED: 111,
  EHOSTDOWN: 112, EHOSTUNREACH: 113, EALREADY: 114, EINPROGRESS: 115,
} as const;

/** macOS and FreeBSD share the 4.4BSD numbering for every name used here. */
const BSD_ERRNO = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9,
  ECHILD: 10, EDEADLK: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, EBUSY: 16, EEXIST: 17, EXDEV: 18,
  ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOTTY: 25,
  EFBIG: 27, ENOSPC: 28, ESPIPE: 29, EROFS: 30, EMLINK: 31, EPIPE: 32, EDOM: 33, ERANGE: 34,
  EAGAIN: 35, EINPROGRESS: 36, EALREADY: 37, ENOTSOCK: 38, EDESTADDRREQ: 39, EMSGSIZE: 40,
  EPROTOTYPE: 41, ENOPROTOOPT: 42, EPROTONOSUPPORT: 43, ESOCKTNOSUPPORT: 44, EOPNOTSUPP: 45,
  EPFNOSUPPORT: 46, EAFNOSUPPORT: 47, EADDRINUSE: 48, EADDRNOTAVAIL: 49, ENETDOWN: 50,
  ENETUNREACH: 51, ENETRESET: 52, ECONNABORTED: 53, ECONNRESET: 54, ENOBUFS: 55, EISCONN: 56,
  ENOTCONN: 57, ESHUTDOWN: 58, ETOOMANYREFS: 59, ETIMEDOUT: 60, ECONNREFUSED: 61, ELOOP: 62,
  ENAMETOOLONG: 63, EHOSTDOWN: 64, EHOSTUNREACH: 65, ENOTEMPTY: 66, ENOLCK: 77, ENOSYS: 78,
} as const;

/** An errno name this module knows, such as `"EBADF"`. */
export type ErrnoName = keyof typeof LINUX_ERRNO;

/** Errno numbers for every OS family, by name; the tests check each against its headers. */
export const ERRNO_TABLES: Readonly<Record<"linux" | "bsd", Readonly<Record<ErrnoName, number>>>> = {
  linux: LINUX_ERRNO,
  bsd: BSD_ERRNO,
};

/** This host's errno numbers by name. */
export const ERRNO: Readonly<Record<ErrnoName, number>> = OS === "linux" ? LINUX_ERRNO : BSD_ERRNO;

const NAMES = new Map<number, ErrnoName>();
for (const [name, value] of Object.entries(ERRNO)) NAMES.set(value, name as ErrnoName);

/** This host's name for an errno number (`"EBADF"`), or `"E<n>"` when unknown. */
export function errnoName(errno: number): string {
  return NAMES.get(errno) ?? `E${errno}`;
}

interface FileFlags {
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

const LINUX_FILE: FileFlags = {
  O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 0o100, O_EXCL: 0o200, O_TRUNC: 0o1000,
  O_APPEND: 0o2000, O_NONBLOCK: 0o4000, O_CLOEXEC: 0o2000000,
  F_GETFD: 1, F_SETFD: 2, F_GETFL: 3, F_SETFL: 4, F_DUPFD_CLOEXEC: 1030, FD_CLOEXEC: 1,
};

const DARWIN_FILE: FileFlags = {
  O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 0x200, O_EXCL: 0x800, O_TRUNC: 0x400,
  O_APPEND: 0x8, O_NONBLOCK: 0x4, O_CLOEXEC: 0x1000000,
  F_GETFD: 1, F_SETFD: 2, F_GETFL: 3, F_SETFL: 4, F_DUPFD_CLOEXEC: 67, FD_CLOEXEC: 1,
};

const FREEBSD_FILE: FileFlags = { ...DARWIN_FILE, O_CLOEXEC: 0x100000, F_DUPFD_CLOEXEC: 17 };

/** `open(2)` and `fcntl(2)` constants of this host. */
export const FILE: Readonly<FileFlags> = OS === "darwin"
  ? DARWIN_FILE
  : OS === "freebsd"
  ? FREEBSD_FILE
  : LINUX_FILE;

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

/** poll constants (the same on Linux, macOS and the BSDs). */
export const POLL = {
  POLLIN: 0x001,
  POLLPRI: 0x002,
  POLLOUT: 0x004,
  POLLERR: 0x008,
  POLLHUP: 0x010,
  POLLNVAL: 0x020,
} as const;

/** select(2)'s `FD_SETSIZE`: the fd_set bitmaps hold fds 0..1023 on every supported OS. */
export const FD_SETSIZE = 1024;
