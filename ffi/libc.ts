/**
 * The neutral libc symbol tables, one per OS, and the library names to open.
 *
 * Each parameter carries its C declaration. Translated for each runtime by
 * `_deno.ts` / `_bun.ts`; nothing here touches a runtime API.
 *
 * `ssize_t` results are declared `i32`: every byte count this module passes is
 * capped at {@linkcode MAX_IO} (Linux's own per-call cap), so the value fits,
 * and the low half of the 64-bit return register is exact (-1 stays -1). This
 * keeps results plain numbers on both runtimes, with no bigint per call.
 *
 * @module
 */
import { ARCH, type HostArch, type HostOs, OS } from "./_host.ts";
import { FCNTL_TABLES, SOCKET_TABLES } from "./constants.ts";
import type { BoundSymbols, NativeType, SymbolSpec, SymbolTable } from "./_types.ts";

/** The largest byte count passed to one read/write-like call (Linux's `MAX_RW_COUNT`). */
export const MAX_IO = 0x7ffff000;

/** The POSIX calls every Unix has with the same signature. */
const POSIX = {
  strerror: { params: ["i32"], result: "pointer" }, // char *strerror(int errnum)
  close: { params: ["i32"], result: "i32" }, // int close(int fd)
  read: { params: ["i32", "buffer", "u64"], result: "i32" }, // ssize_t read(int, void *, size_t)
  write: { params: ["i32", "buffer", "u64"], result: "i32" }, // ssize_t write(int, const void *, size_t)
  dup2: { params: ["i32", "i32"], result: "i32" }, // int dup2(int oldfd, int newfd)
  lseek: { params: ["i32", "i64", "i32"], result: "i64" }, // off_t lseek(int fd, off_t offset, int whence)
  unlink: { params: ["buffer"], result: "i32" }, // int unlink(const char *pathname)
  getpid: { params: [], result: "i32" }, // pid_t getpid(void)
  kill: { params: ["i32", "i32"], result: "i32" }, // int kill(pid_t, int sig)
  getrlimit: { params: ["i32", "buffer"], result: "i32" }, // int getrlimit(int, struct rlimit *)
  clock_gettime: { params: ["i32", "buffer"], result: "i32" }, // int clock_gettime(clockid_t, struct timespec *)
  setrlimit: { params: ["i32", "buffer"], result: "i32" }, // int setrlimit(int, const struct rlimit *)
  select: {
    params: [
      "i32", // int nfds
      "buffer", // fd_set *readfds
      "buffer", // fd_set *writefds
      "buffer", // fd_set *exceptfds
      "buffer", // struct timeval *timeout (NULL: block)
    ],
    result: "i32",
  },
  socket: { params: ["i32", "i32", "i32"], result: "i32" }, // int socket(int domain, int type, int protocol)
  socketpair: { params: ["i32", "i32", "i32", "buffer"], result: "i32" }, // int socketpair(int, int, int, int sv[2])
  bind: { params: ["i32", "buffer", "u32"], result: "i32" }, // int bind(int, const struct sockaddr *, socklen_t)
  connect: { params: ["i32", "buffer", "u32"], result: "i32" }, // int connect(int, const struct sockaddr *, socklen_t)
  listen: { params: ["i32", "i32"], result: "i32" }, // int listen(int sockfd, int backlog)
  shutdown: { params: ["i32", "i32"], result: "i32" }, // int shutdown(int sockfd, int how)
  recv: { params: ["i32", "buffer", "u64", "i32"], result: "i32" }, // ssize_t recv(int, void *, size_t, int flags)
  send: { params: ["i32", "buffer", "u64", "i32"], result: "i32" }, // ssize_t send(int, const void *, size_t, int flags)
  recvfrom: {
    params: [
      "i32", // int sockfd
      "buffer", // void *buf
      "u64", // size_t len
      "i32", // int flags
      "buffer", // struct sockaddr *src_addr
      "buffer", // socklen_t *addrlen
    ],
    result: "i32", // ssize_t
  },
  sendto: {
    params: [
      "i32", // int sockfd
      "buffer", // const void *buf
      "u64", // size_t len
      "i32", // int flags
      "buffer", // const struct sockaddr *dest_addr
      "u32", // socklen_t addrlen
    ],
    result: "i32", // ssize_t
  },
  sendmsg: { params: ["i32", "buffer", "i32"], result: "i32" }, // ssize_t sendmsg(int, const struct msghdr *, int flags)
  recvmsg: { params: ["i32", "buffer", "i32"], result: "i32" }, // ssize_t recvmsg(int, struct msghdr *, int flags)
  setsockopt: { params: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" }, // int setsockopt(int, int level, int name, const void *, socklen_t)
  getsockopt: { params: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" }, // int getsockopt(int, int level, int name, void *, socklen_t *)
  getsockname: { params: ["i32", "buffer", "buffer"], result: "i32" }, // int getsockname(int, struct sockaddr *, socklen_t *)
  getpeername: { params: ["i32", "buffer", "buffer"], result: "i32" }, // int getpeername(int, struct sockaddr *, socklen_t *)
  getaddrinfo: {
    params: [
      "buffer", // const char *node
      "buffer", // const char *service
      "buffer", // const struct addrinfo *hints
      "buffer", // struct addrinfo **res
    ],
    result: "i32",
  },
  freeaddrinfo: { params: ["pointer"], result: "void" }, // void freeaddrinfo(struct addrinfo *res)
  getnameinfo: {
    params: [
      "buffer", // const struct sockaddr *sa
      "u32", // socklen_t salen
      "buffer", // char *host
      "u32", // socklen_t hostlen
      "buffer", // char *serv
      "u32", // socklen_t servlen
      "i32", // int flags
    ],
    result: "i32",
  },
  gethostname: { params: ["buffer", "u64"], result: "i32" }, // int gethostname(char *name, size_t len)
  sethostname: { params: ["buffer", "u32"], result: "i32" }, // int sethostname(const char *name, size_t (Linux) / int (the BSDs) len)
  gethostbyname: { params: ["buffer"], result: "pointer" }, // struct hostent *gethostbyname(const char *)
  gethostbyaddr: { params: ["buffer", "u32", "i32"], result: "pointer" }, // struct hostent *gethostbyaddr(const void *, socklen_t, int type)
  hstrerror: { params: ["i32"], result: "pointer" }, // const char *hstrerror(int err)
  getservbyname: { params: ["buffer", "buffer"], result: "pointer" }, // struct servent *getservbyname(const char *name, const char *proto)
  getservbyport: { params: ["i32", "buffer"], result: "pointer" }, // struct servent *getservbyport(int port (network order), const char *proto)
  getprotobyname: { params: ["buffer"], result: "pointer" }, // struct protoent *getprotobyname(const char *name)
  if_nametoindex: { params: ["buffer"], result: "u32" }, // unsigned if_nametoindex(const char *ifname)
  if_indextoname: { params: ["u32", "buffer"], result: "pointer" }, // char *if_indextoname(unsigned ifindex, char *ifname)
  if_nameindex: { params: [], result: "pointer" }, // struct if_nameindex *if_nameindex(void)
  if_freenameindex: { params: ["pointer"], result: "void" }, // void if_freenameindex(struct if_nameindex *)
  inet_aton: { params: ["buffer", "buffer"], result: "i32" }, // int inet_aton(const char *cp, struct in_addr *inp)
  gai_strerror: { params: ["i32"], result: "pointer" }, // const char *gai_strerror(int errcode)
} as const satisfies Record<string, SymbolSpec>;

/** Linux (glibc and musl): POSIX plus epoll and the atomic close-on-exec calls. */
const LINUX = {
  ...POSIX,
  __errno_location: { params: [], result: "pointer" }, // int *__errno_location(void)
  __h_errno_location: { params: [], result: "pointer" }, // int *__h_errno_location(void) (glibc and musl)
  // fcntl and open are variadic; on Linux (x86_64, aarch64) a variadic int is
  // passed exactly like a named one, so a fixed three-int signature is sound.
  fcntl: { params: ["i32", "i32", "i32"], result: "i32" }, // int fcntl(int fd, int cmd, ... /* int arg */)
  open: { params: ["buffer", "i32", "u32"], result: "i32" }, // int open(const char *, int flags, ... /* mode_t */)
  pipe2: { params: ["buffer", "i32"], result: "i32" }, // int pipe2(int pipefd[2], int flags)
  accept4: { params: ["i32", "buffer", "buffer", "i32"], result: "i32" }, // int accept4(int, struct sockaddr *, socklen_t *, int flags)
  dup3: { params: ["i32", "i32", "i32"], result: "i32" }, // int dup3(int oldfd, int newfd, int flags)
  sendfile: { params: ["i32", "i32", "buffer", "u64"], result: "i32" }, // ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count)
  epoll_create1: { params: ["i32"], result: "i32" }, // int epoll_create1(int flags)
  epoll_ctl: {
    params: [
      "i32", // int epfd
      "i32", // int op
      "i32", // int fd
      "buffer", // struct epoll_event *event
    ],
    result: "i32",
  },
  epoll_wait: {
    params: [
      "i32", // int epfd
      "buffer", // struct epoll_event *events
      "i32", // int maxevents
      "i32", // int timeout (ms; -1 blocks)
    ],
    result: "i32",
  },
  poll: { params: ["buffer", "u64", "i32"], result: "i32" }, // int poll(struct pollfd *, nfds_t (unsigned long), int timeout)
} as const satisfies Record<string, SymbolSpec>;

/** The Linux symbol table: the shape every OS is translated into. */
export type LibcSymbols = typeof LINUX;
/** The C library as the rest of the module calls it: Linux's names and signatures on every OS. */
export type Libc = BoundSymbols<LibcSymbols>;

/**
 * macOS and FreeBSD: POSIX plus kqueue. Missing Linux calls are provided by
 * {@linkcode bindLibc} from these.
 */
function bsdTable(os: HostOs, arch: HostArch): SymbolTable {
  // Apple arm64 passes variadic arguments on the stack, never in registers:
  // declaring 6 unused register arguments after the 2 named ones puts the
  // variadic value in the first stack slot, where fcntl/open read it (as a
  // full 8-byte slot). Elsewhere a variadic int travels like a named one.
  const onStack = stackVarargs(os, arch);
  const pad: NativeType[] = onStack ? ["i64", "i64", "i64", "i64", "i64", "i64"] : [];
  const vararg: NativeType = onStack ? "i64" : "i32";
  return {
    ...POSIX,
    __error: { params: [], result: "pointer" }, // int *__error(void)
    // h_errno: FreeBSD's accessor; macOS has only the global `h_errno`, so there
    // the netdb errors say HOST_NOT_FOUND (see bindLibc).
    ...(os === "freebsd" ? { __h_errno: { params: [], result: "pointer" } } : {}), // int *__h_errno(void)
    fcntl: { params: ["i32", "i32", ...pad, vararg], result: "i32" }, // int fcntl(int, int, ...)
    open: { params: ["buffer", "i32", ...pad, vararg], result: "i32" }, // int open(const char *, int, ...)
    pipe: { params: ["buffer"], result: "i32" }, // int pipe(int fds[2])
    accept: { params: ["i32", "buffer", "buffer"], result: "i32" }, // int accept(int, struct sockaddr *, socklen_t *)
    poll: { params: ["buffer", "u32", "i32"], result: "i32" }, // int poll(struct pollfd *, nfds_t (unsigned int), int)
  };
}

/** Whether fcntl/open need the Apple arm64 variadic padding (see bsdTable). */
export function stackVarargs(os: HostOs, arch: HostArch): boolean {
  return os === "darwin" && arch === "aarch64";
}

/** The raw symbol table for an OS, or `null` where the module does not run. */
export function libcTable(os: HostOs = OS, arch: HostArch = ARCH): SymbolTable | null {
  if (os === "linux") return LINUX;
  if (os === "darwin" || os === "freebsd") return bsdTable(os, arch);
  return null;
}

/** Library names to try, in order, for this host's C library. */
export function libcPaths(os: HostOs = OS, arch: HostArch = ARCH): string[] {
  switch (os) {
    case "linux": {
      const musl = arch === "aarch64" ? "aarch64" : "x86_64";
      return ["libc.so.6", `libc.musl-${musl}.so.1`, `/lib/ld-musl-${musl}.so.1`];
    }
    case "darwin":
      return ["/usr/lib/libSystem.B.dylib"];
    case "freebsd":
      return ["libc.so.7"];
    default:
      return [];
  }
}

/**
 * What io_uring needs of the C library on Linux: its two system calls have no
 * libc wrapper (liburing is not assumed), so they go through `syscall(2)`
 * (variadic, but integer arguments pass as fixed ones do on x86_64 and
 * aarch64), and the rings are mapped with `mmap(2)`.
 */
export const URING = {
  // long syscall(long number, ...): io_uring_setup(entries, params) and io_uring_enter(fd, submit, min, flags, sig, sz)
  syscall: { params: ["i64", "i64", "i64", "i64", "i64", "i64", "i64"], result: "i64" },
  // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
  mmap: { params: ["pointer", "u64", "i32", "i32", "i32", "i64"], result: "pointer" },
} as const satisfies Record<string, SymbolSpec>;

/** kqueue(2) and kevent(2), in libc on macOS and the BSDs. */
export const KQUEUE = {
  kqueue: { params: [], result: "i32" }, // int kqueue(void)
  kevent: {
    params: [
      "i32", // int kq
      "buffer", // const struct kevent *changelist
      "i32", // int nchanges
      "buffer", // struct kevent *eventlist
      "i32", // int nevents
      "buffer", // const struct timespec *timeout (NULL: block)
    ],
    result: "i32",
  },
} as const satisfies Record<string, SymbolSpec>;

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;

function notOnThisOs(name: string): AnyFn {
  return () => {
    throw new Error(`${name} is only available on Linux`);
  };
}

/**
 * Turns the raw symbols of this OS into the Linux-shaped {@linkcode Libc}.
 * On Linux that is the raw symbols themselves (no wrapper on any hot path).
 * Elsewhere: `__error` serves as `__errno_location`; `pipe2`, `accept4`,
 * `socket` and `socketpair` get close-on-exec (and, on macOS, SO_NOSIGPIPE)
 * right after the call, which is not atomic against a concurrent fork/exec;
 * each shim returns at once when the first call fails, so errno is intact.
 */
export function bindLibc(raw: Record<string, AnyFn>, os: HostOs = OS, arch: HostArch = ARCH): Libc {
  if (os === "linux") return raw as unknown as Libc;
  const family = os === "darwin" ? "darwin" : "freebsd";
  const { F_GETFD, F_SETFD, F_GETFL, F_SETFL, FD_CLOEXEC, O_NONBLOCK, O_CLOEXEC } = FCNTL_TABLES[family];
  const { SOL_SOCKET, SO_NOSIGPIPE } = SOCKET_TABLES[family];
  const pad = stackVarargs(os, arch) ? [0, 0, 0, 0, 0, 0] : [];
  const fcntl = (fd: number, cmd: number, arg: number): number => raw.fcntl!(fd, cmd, ...pad, arg);
  const open = (path: Uint8Array, flags: number, mode: number): number =>
    raw.open!(path, flags, ...pad, mode);
  /** fcntl's read-modify-write of one flag (the shims' own: they may not throw). */
  const addFlag = (fd: number, get: number, set: number, bit: number): void => {
    fcntl(fd, set, fcntl(fd, get, 0) | bit);
  };
  const cloexec = (fd: number): void => addFlag(fd, F_GETFD, F_SETFD, FD_CLOEXEC);
  const nosigpipe = (fd: number): void => {
    if (SO_NOSIGPIPE !== 0) raw.setsockopt!(fd, SOL_SOCKET, SO_NOSIGPIPE, new Int32Array([1]), 4);
  };
  const out: Record<string, AnyFn> = {
    ...raw,
    "__errno_location": raw.__error!,
    "__h_errno_location": raw.__h_errno ?? ((): bigint => 0n),
    fcntl,
    open,
    "dup3": notOnThisOs("dup3"),
    "sendfile": notOnThisOs("sendfile"), // the BSDs' sendfile has another signature; socket.ts loops instead
    "epoll_create1": notOnThisOs("epoll_create1"),
    "epoll_ctl": notOnThisOs("epoll_ctl"),
    "epoll_wait": notOnThisOs("epoll_wait"),
  };
  if (os === "darwin") {
    out.pipe2 = (fds: Int32Array, flags: number): number => {
      if (raw.pipe!(fds) < 0) return -1;
      for (const fd of fds) {
        if (flags & O_CLOEXEC) cloexec(fd);
        if (flags & O_NONBLOCK) addFlag(fd, F_GETFL, F_SETFL, O_NONBLOCK);
      }
      return 0;
    };
    out.accept4 = (fd: number, addr: Uint8Array, len: Uint32Array, _flags: number): number => {
      const conn = raw.accept!(fd, addr, len);
      if (conn < 0) return -1;
      cloexec(conn);
      nosigpipe(conn);
      return conn;
    };
    out.socket = (domain: number, type: number, proto: number): number => {
      const fd = raw.socket!(domain, type, proto);
      if (fd < 0) return -1;
      cloexec(fd);
      nosigpipe(fd);
      return fd;
    };
    out.socketpair = (domain: number, type: number, proto: number, fds: Int32Array): number => {
      if (raw.socketpair!(domain, type, proto, fds) < 0) return -1;
      for (const fd of fds) {
        cloexec(fd);
        nosigpipe(fd);
      }
      return 0;
    };
  }
  return out as unknown as Libc;
}
