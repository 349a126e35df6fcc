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
import { ARCH, OS } from "./_host.ts";
import type { SymbolSpec } from "./_types.ts";

/** The largest byte count passed to one read/write-like call (Linux's `MAX_RW_COUNT`). */
export const MAX_IO = 0x7ffff000;

/** The POSIX calls every Unix has with the same signature. */
const POSIX = {
  strerror: { params: ["i32"], result: "pointer" }, // char *strerror(int errnum)
  close: { params: ["i32"], result: "i32" }, // int close(int fd)
  read: { params: ["i32", "buffer", "u64"], result: "i32" }, // ssize_t read(int, void *, size_t)
  write: { params: ["i32", "buffer", "u64"], result: "i32" }, // ssize_t write(int, const void *, size_t)
  dup2: { params: ["i32", "i32"], result: "i32" }, // int dup2(int oldfd, int newfd)
  getpid: { params: [], result: "i32" }, // pid_t getpid(void)
  kill: { params: ["i32", "i32"], result: "i32" }, // int kill(pid_t, int sig)
  getrlimit: { params: ["i32", "buffer"], result: "i32" }, // int getrlimit(int, struct rlimit *)
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
  gai_strerror: { params: ["i32"], result: "pointer" }, // const char *gai_strerror(int errcode)
} as const satisfies Record<string, SymbolSpec>;

/** Linux (glibc and musl): POSIX plus epoll and the atomic close-on-exec calls. */
const LINUX = {
  ...POSIX,
  __errno_location: { params: [], result: "pointer" }, // int *__errno_location(void)
  // fcntl and open are variadic; on Linux (x86_64, aarch64) a variadic int is
  // passed exactly like a named one, so a fixed three-int signature is sound.
  fcntl: { params: ["i32", "i32", "i32"], result: "i32" }, // int fcntl(int fd, int cmd, ... /* int arg */)
  open: { params: ["buffer", "i32", "u32"], result: "i32" }, // int open(const char *, int flags, ... /* mode_t */)
  pipe2: { params: ["buffer", "i32"], result: "i32" }, // int pipe2(int pipefd[2], int flags)
  accept4: { params: ["i32", "buffer", "buffer", "i32"], result: "i32" }, // int accept4(int, struct sockaddr *, socklen_t *, int flags)
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

/** The Linux symbol table: the shape every OS table is translated into. */
export type LibcSymbols = typeof LINUX;

/** The symbol table for this host, or `null` where the module does not run yet. */
export function libcTable(): LibcSymbols | null {
  return OS === "linux" ? LINUX : null;
}

/** Library names to try, in order, for this host's C library. */
export function libcPaths(): string[] {
  switch (OS) {
    case "linux": {
      const musl = ARCH === "aarch64" ? "aarch64" : "x86_64";
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
