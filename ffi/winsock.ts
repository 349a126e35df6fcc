/**
 * Windows: Winsock (`ws2_32.dll`) and the few `kernel32.dll` calls around it,
 * bound into the Linux-shaped {@linkcode Libc} the rest of the module calls.
 *
 * What changes on Windows, and where it is handled here:
 * - **Handles, not fds.** A socket is a `SOCKET` (a 64-bit `UINT_PTR`), passed
 *   as `i64`; the module keeps it as a number. Windows keeps handle values
 *   below 2^32 (32-bit processes share them), so no precision is lost; a
 *   handle above 2^31 - 1 would not fit the module's 32-bit tables and is
 *   refused (closed, `EMFILE`) where it is made.
 * - **Errors** come from `WSAGetLastError()` (the thread's last error), in
 *   Winsock's numbering (`ERRNO` on Windows holds those); texts from
 *   `FormatMessageA`.
 * - **Blocking mode** is set by `ioctlsocket(FIONBIO)` and cannot be read back
 *   from Windows, so the binding remembers which sockets it made non-blocking
 *   (as CPython keeps `sock_timeout`); `fcntl(F_GETFL/F_SETFL, O_NONBLOCK)`
 *   reads and writes that.
 * - **Inheritance** (`FD_CLOEXEC`) is the handle's `HANDLE_FLAG_INHERIT`;
 *   sockets are made non-inheritable (`WSA_FLAG_NO_HANDLE_INHERIT`), as CPython
 *   makes them.
 * - **No pipes.** Winsock's `select` and `WSAPoll` take sockets only, so
 *   `pipe2` (the selectors' wake pipe, `os.pipe()`) is a connected pair of
 *   loopback TCP sockets, and `read`/`write` are `recv`/`send`. `socketpair`
 *   is emulated the same way, as CPython emulates it on Windows.
 * - fds 0, 1 and 2 (never socket handles: those are multiples of 4 from 4)
 *   are the process's standard handles: `read`/`write` on them are
 *   `ReadFile`/`WriteFile`, so `os.read(0)` and `os.write(1)` work as in
 *   Python (a broken pipe is EPIPE, a closed one EBADF).
 * - `poll` is `WSAPoll`; `select` is Winsock's, with its own `fd_set`
 *   (`backends/select.ts` builds it). With nothing to watch both fail on
 *   Windows, so an empty wait sleeps instead, as CPython's `select()` does.
 *
 * Calls Windows lacks (`epoll`, `kill`, `rlimit`, `dup2`, `open`,
 * `sethostname`, the interface list, ancillary data, ...) throw an OSError
 * ENOSYS that names them. The host, service and protocol databases are
 * Winsock's (`ffi/resolver.ts` reads their Windows struct layouts).
 *
 * @module
 */
import type { BoundSymbols, BufferArg, SymbolSpec } from "./_types.ts";
import { type Libc, libcTable } from "./libc.ts";
import { FCNTL, SOCKET } from "./constants.ts";
import { ProtocolInfo } from "./structs.ts";

/** The Winsock functions, as `ws2_32.dll` exports them (x64: SOCKET is 64-bit, `int` lengths). */
export const WS2_32 = {
  WSAStartup: { params: ["u32", "buffer"], result: "i32" }, // int WSAStartup(WORD wVersionRequested, LPWSADATA)
  WSAGetLastError: { params: [], result: "i32" }, // int WSAGetLastError(void)
  WSASetLastError: { params: ["i32"], result: "void" }, // void WSASetLastError(int iError)
  WSASocketW: {
    params: [
      "i32", // int af
      "i32", // int type
      "i32", // int protocol
      "buffer", // LPWSAPROTOCOL_INFOW lpProtocolInfo (NULL)
      "u32", // GROUP g
      "u32", // DWORD dwFlags
    ],
    result: "i64", // SOCKET (INVALID_SOCKET is ~0: -1 as i64)
  },
  closesocket: { params: ["i64"], result: "i32" }, // int closesocket(SOCKET s)
  WSADuplicateSocketW: { params: ["i64", "u32", "buffer"], result: "i32" }, // int WSADuplicateSocketW(SOCKET, DWORD dwProcessId, LPWSAPROTOCOL_INFOW)
  inet_addr: { params: ["buffer"], result: "u32" }, // unsigned long inet_addr(const char *cp) (network order)
  ioctlsocket: { params: ["i64", "i32", "buffer"], result: "i32" }, // int ioctlsocket(SOCKET s, long cmd, u_long *argp)
  bind: { params: ["i64", "buffer", "i32"], result: "i32" }, // int bind(SOCKET, const struct sockaddr *, int namelen)
  connect: { params: ["i64", "buffer", "i32"], result: "i32" }, // int connect(SOCKET, const struct sockaddr *, int namelen)
  listen: { params: ["i64", "i32"], result: "i32" }, // int listen(SOCKET s, int backlog)
  accept: { params: ["i64", "buffer", "buffer"], result: "i64" }, // SOCKET accept(SOCKET, struct sockaddr *, int *addrlen)
  shutdown: { params: ["i64", "i32"], result: "i32" }, // int shutdown(SOCKET s, int how)
  recv: { params: ["i64", "buffer", "i32", "i32"], result: "i32" }, // int recv(SOCKET, char *, int len, int flags)
  send: { params: ["i64", "buffer", "i32", "i32"], result: "i32" }, // int send(SOCKET, const char *, int len, int flags)
  recvfrom: {
    params: [
      "i64", // SOCKET s
      "buffer", // char *buf
      "i32", // int len
      "i32", // int flags
      "buffer", // struct sockaddr *from
      "buffer", // int *fromlen
    ],
    result: "i32",
  },
  sendto: {
    params: [
      "i64", // SOCKET s
      "buffer", // const char *buf
      "i32", // int len
      "i32", // int flags
      "buffer", // const struct sockaddr *to
      "i32", // int tolen
    ],
    result: "i32",
  },
  setsockopt: { params: ["i64", "i32", "i32", "buffer", "i32"], result: "i32" }, // int setsockopt(SOCKET, int level, int optname, const char *, int optlen)
  getsockopt: { params: ["i64", "i32", "i32", "buffer", "buffer"], result: "i32" }, // int getsockopt(SOCKET, int level, int optname, char *, int *optlen)
  getsockname: { params: ["i64", "buffer", "buffer"], result: "i32" }, // int getsockname(SOCKET, struct sockaddr *, int *namelen)
  getpeername: { params: ["i64", "buffer", "buffer"], result: "i32" }, // int getpeername(SOCKET, struct sockaddr *, int *namelen)
  select: {
    params: [
      "i32", // int nfds (ignored)
      "buffer", // fd_set *readfds
      "buffer", // fd_set *writefds
      "buffer", // fd_set *exceptfds
      "buffer", // const struct timeval *timeout (NULL: block)
    ],
    result: "i32",
  },
  WSAPoll: { params: ["buffer", "u32", "i32"], result: "i32" }, // int WSAPoll(LPWSAPOLLFD fdArray, ULONG fds, INT timeout)
  getaddrinfo: { params: ["buffer", "buffer", "buffer", "buffer"], result: "i32" }, // INT getaddrinfo(PCSTR node, PCSTR service, const ADDRINFOA *hints, PADDRINFOA *res)
  freeaddrinfo: { params: ["pointer"], result: "void" }, // VOID freeaddrinfo(PADDRINFOA)
  getnameinfo: {
    params: [
      "buffer", // const SOCKADDR *pSockaddr
      "i32", // socklen_t SockaddrLength
      "buffer", // PCHAR pNodeBuffer
      "u32", // DWORD NodeBufferSize
      "buffer", // PCHAR pServiceBuffer
      "u32", // DWORD ServiceBufferSize
      "i32", // INT Flags
    ],
    result: "i32",
  },
  gethostname: { params: ["buffer", "i32"], result: "i32" }, // int gethostname(char *name, int namelen)
  gethostbyname: { params: ["buffer"], result: "pointer" }, // struct hostent *gethostbyname(const char *)
  gethostbyaddr: { params: ["buffer", "i32", "i32"], result: "pointer" }, // struct hostent *gethostbyaddr(const char *, int len, int type)
  getservbyname: { params: ["buffer", "buffer"], result: "pointer" }, // struct servent *getservbyname(const char *, const char *proto)
  getservbyport: { params: ["i32", "buffer"], result: "pointer" }, // struct servent *getservbyport(int port (network order), const char *proto)
  getprotobyname: { params: ["buffer"], result: "pointer" }, // struct protoent *getprotobyname(const char *)
} as const satisfies Record<string, SymbolSpec>;

/** The `kernel32.dll` calls the binding needs. */
export const KERNEL32 = {
  GetHandleInformation: { params: ["i64", "buffer"], result: "i32" }, // BOOL GetHandleInformation(HANDLE, LPDWORD lpdwFlags)
  SetHandleInformation: { params: ["i64", "u32", "u32"], result: "i32" }, // BOOL SetHandleInformation(HANDLE, DWORD dwMask, DWORD dwFlags)
  FormatMessageA: {
    params: [
      "u32", // DWORD dwFlags
      "buffer", // LPCVOID lpSource (NULL)
      "u32", // DWORD dwMessageId
      "u32", // DWORD dwLanguageId
      "buffer", // LPSTR lpBuffer
      "u32", // DWORD nSize
      "buffer", // va_list *Arguments (NULL)
    ],
    result: "u32",
  },
  GetCurrentProcessId: { params: [], result: "u32" }, // DWORD GetCurrentProcessId(void)
  QueryPerformanceCounter: { params: ["buffer"], result: "i32" }, // BOOL QueryPerformanceCounter(LARGE_INTEGER *)
  QueryPerformanceFrequency: { params: ["buffer"], result: "i32" }, // BOOL QueryPerformanceFrequency(LARGE_INTEGER *)
  Sleep: { params: ["u32"], result: "void" }, // void Sleep(DWORD dwMilliseconds)
  GetStdHandle: { params: ["i32"], result: "i64" }, // HANDLE GetStdHandle(DWORD nStdHandle)
  ReadFile: { params: ["i64", "buffer", "u32", "buffer", "buffer"], result: "i32" }, // BOOL ReadFile(HANDLE, LPVOID, DWORD, LPDWORD, LPOVERLAPPED)
  WriteFile: { params: ["i64", "buffer", "u32", "buffer", "buffer"], result: "i32" }, // BOOL WriteFile(HANDLE, LPCVOID, DWORD, LPDWORD, LPOVERLAPPED)
} as const satisfies Record<string, SymbolSpec>;

/** The DLLs to open, in the order of the tables above. */
export const WINSOCK_PATHS: readonly string[] = ["ws2_32.dll"];
/** `kernel32.dll`. */
export const KERNEL32_PATHS: readonly string[] = ["kernel32.dll"];

type Ws2 = BoundSymbols<typeof WS2_32>;
type Kernel = BoundSymbols<typeof KERNEL32>;

// winsock2.h / winbase.h
const FIONBIO = 0x8004667e | 0; // _IOW('f', 126, u_long), as the signed `long` ioctlsocket takes
const WSA_FLAG_OVERLAPPED = 0x01;
const WSA_FLAG_NO_HANDLE_INHERIT = 0x80;
/** `FROM_PROTOCOL_INFO`: WSASocketW takes family, type and protocol from the WSAPROTOCOL_INFOW. */
const FROM_PROTOCOL_INFO = -1;
const INADDR_NONE = 0xffffffff;
const HANDLE_FLAG_INHERIT = 0x1;
const FORMAT_MESSAGE_FROM_SYSTEM = 0x1000;
const FORMAT_MESSAGE_IGNORE_INSERTS = 0x200;
const INFINITE = 0xffffffff;
const WSAEMFILE = 10024;
const WSAESOCKTNOSUPPORT = 10044;
const WSAEOPNOTSUPP = 10045;
const WSAEAFNOSUPPORT = 10047;
const WSAECONNABORTED = 10053;
const INT_MAX = 0x7fffffff;
/** `STD_INPUT_HANDLE`, `STD_OUTPUT_HANDLE`, `STD_ERROR_HANDLE`, by fd. */
const STD_HANDLES = [-10, -11, -12];
const ERROR_INVALID_HANDLE = 6, ERROR_BROKEN_PIPE = 109, ERROR_NO_DATA = 232;
const EPIPE = 32, WSAEBADF = 10009;

/** The bound calls: the Linux-shaped C library, plus the error accessors. */
export interface Winsock {
  readonly libc: Libc;
  /** `WSAGetLastError()`: the error of the call that just failed. */
  readonly lastError: () => number;
  /** The system's text for an error number (`FormatMessageA`), or undefined. */
  describe(code: number): string | undefined;
}

/**
 * The socket handles of this binding: Winsock's calls with the state Windows
 * does not keep (which sockets are non-blocking) and its errors set the way
 * a Winsock call sets them.
 */
class Handles {
  readonly ws2: Ws2;
  readonly kernel: Kernel;
  /** Sockets this binding set non-blocking (Windows cannot be asked). */
  readonly nonBlocking = new Set<number>();
  readonly #one = new Uint32Array(1);
  readonly #flagsOut = new Uint32Array(1);
  readonly #typeOut = new Int32Array(1);
  readonly #typeLen = new Int32Array(1);
  readonly #protocolInfo = new ProtocolInfo().bytes;

  constructor(ws2: Ws2, kernel: Kernel) {
    this.ws2 = ws2;
    this.kernel = kernel;
  }

  /** Fails the current emulated call with `code`, as a Winsock call would. */
  fail(code: number): number {
    this.ws2.WSASetLastError(code);
    return -1;
  }

  /** Runs cleanup after a failed call without losing the call's error. */
  failAfter(cleanup: () => void): number {
    const code = this.ws2.WSAGetLastError();
    cleanup();
    return this.fail(code);
  }

  isSocket(s: number): boolean {
    this.#typeLen[0] = 4;
    return this.ws2.getsockopt(s, SOCKET.SOL_SOCKET, SOCKET.SO_TYPE, this.#typeOut, this.#typeLen) === 0;
  }

  setBlocking(s: number, on: boolean): number {
    this.#one[0] = on ? 0 : 1;
    if (this.ws2.ioctlsocket(s, FIONBIO, this.#one) !== 0) return -1;
    if (on) this.nonBlocking.delete(s);
    else this.nonBlocking.add(s);
    return 0;
  }

  noInherit(s: number): void {
    this.kernel.SetHandleInformation(s, HANDLE_FLAG_INHERIT, 0);
  }

  /**
   * A new handle (blocking, as Winsock makes them: a number reused from a
   * socket closed behind the binding's back is forgotten as non-blocking), or
   * -1 with WSAEMFILE when it would not fit the module's 32-bit tables.
   */
  adopt(s: number): number {
    if (s < 0) return -1;
    if (s > INT_MAX) {
      this.ws2.closesocket(s);
      return this.fail(WSAEMFILE);
    }
    this.nonBlocking.delete(s);
    return s;
  }

  newSocket(domain: number, type: number, proto: number): number {
    return this.adopt(
      this.ws2.WSASocketW(domain, type, proto, null, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT),
    );
  }

  close(s: number): number {
    this.nonBlocking.delete(s);
    return this.ws2.closesocket(s);
  }

  /**
   * A second handle for the same socket (CPython's `socket.dup()` on
   * Windows): WSADuplicateSocketW for this process, then a socket made from
   * that description; not inheritable.
   */
  dup(s: number): number {
    const info = this.#protocolInfo;
    if (this.ws2.WSADuplicateSocketW(s, this.kernel.GetCurrentProcessId(), info) !== 0) return -1;
    return this.adopt(
      this.ws2.WSASocketW(
        FROM_PROTOCOL_INFO,
        FROM_PROTOCOL_INFO,
        FROM_PROTOCOL_INFO,
        info,
        0,
        WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT,
      ),
    );
  }

  /** `fcntl()` on a socket: duplication, `O_NONBLOCK` (remembered) and `FD_CLOEXEC` (the inherit flag). */
  fcntl(fd: number, cmd: number, arg: number): number {
    const F = FCNTL;
    switch (cmd) {
      case F.F_DUPFD_CLOEXEC:
        return this.dup(fd);
      case F.F_GETFL:
        if (!this.isSocket(fd)) return -1;
        return F.O_RDWR | (this.nonBlocking.has(fd) ? F.O_NONBLOCK : 0);
      case F.F_SETFL:
        return this.setBlocking(fd, (arg & F.O_NONBLOCK) === 0);
      case F.F_GETFD:
        if (!this.isSocket(fd)) return -1;
        if (!this.kernel.GetHandleInformation(fd, this.#flagsOut)) return -1;
        return this.#flagsOut[0]! & HANDLE_FLAG_INHERIT ? 0 : F.FD_CLOEXEC;
      case F.F_SETFD:
        if (!this.isSocket(fd)) return -1;
        return this.kernel.SetHandleInformation(
            fd,
            HANDLE_FLAG_INHERIT,
            arg & F.FD_CLOEXEC ? 0 : HANDLE_FLAG_INHERIT,
          )
          ? 0
          : -1;
      default:
        return this.fail(WSAEOPNOTSUPP);
    }
  }

  /** `accept4()`: a new handle, non-inheritable and blocking. */
  accept(fd: number, addr: Uint8Array, len: Int32Array): number {
    const s = this.adopt(this.ws2.accept(fd, addr, len));
    if (s < 0) return -1;
    this.noInherit(s);
    // An accepted socket starts blocking, as accept4 without SOCK_NONBLOCK gives
    // it (Winsock would copy the listener's mode).
    this.setBlocking(s, true);
    return s;
  }
}

/** Scratch addresses of {@linkcode loopbackPair}, one call at a time. */
const pairName = new Uint8Array(128);
const pairNameLen = new Int32Array(1);
const pairPeer = new Uint8Array(128);
const pairPeerLen = new Int32Array(1);

/**
 * A connected pair of loopback TCP sockets (CPython's `socketpair()` on
 * Windows): a listener on an ephemeral port of 127.0.0.1 (or ::1), a
 * connect, an accept, and a check that the accepted peer is the connecting
 * socket (another local process could connect first).
 */
function loopbackPair(h: Handles, domain: number, fds: Int32Array): number {
  const ws2 = h.ws2;
  const inet6 = domain === SOCKET.AF_INET6;
  const family = inet6 ? SOCKET.AF_INET6 : SOCKET.AF_INET;
  pairName.fill(0);
  new DataView(pairName.buffer).setUint16(0, family, true);
  if (inet6) pairName[23] = 1; // ::1 (sin6_addr at 8..23)
  else pairName.set([127, 0, 0, 1], 4); // sin_addr at 4
  const length = inet6 ? 28 : 16;
  const listener = h.newSocket(family, SOCKET.SOCK_STREAM, 0);
  if (listener < 0) return -1;
  pairNameLen[0] = 128;
  if (
    ws2.bind(listener, pairName, length) !== 0 || ws2.listen(listener, 1) !== 0 ||
    ws2.getsockname(listener, pairName, pairNameLen) !== 0
  ) return h.failAfter(() => ws2.closesocket(listener));
  const client = h.newSocket(family, SOCKET.SOCK_STREAM, 0);
  if (client < 0) return h.failAfter(() => ws2.closesocket(listener));
  if (ws2.connect(client, pairName, pairNameLen[0]!) !== 0) {
    return h.failAfter(() => (ws2.closesocket(client), ws2.closesocket(listener)));
  }
  pairPeerLen[0] = 128;
  const server = h.adopt(ws2.accept(listener, pairPeer, pairPeerLen));
  if (server < 0) return h.failAfter(() => (ws2.closesocket(client), ws2.closesocket(listener)));
  ws2.closesocket(listener);
  h.noInherit(server);
  // The accepted peer must be our client: compare its address with the client's own name.
  pairNameLen[0] = 128;
  if (ws2.getsockname(client, pairName, pairNameLen) !== 0) {
    return h.failAfter(() => (ws2.closesocket(client), ws2.closesocket(server)));
  }
  const same = pairNameLen[0] === pairPeerLen[0] &&
    pairName.subarray(0, pairNameLen[0]).every((b, i) => b === pairPeer[i]);
  if (!same) {
    ws2.closesocket(client);
    ws2.closesocket(server);
    return h.fail(WSAECONNABORTED);
  }
  fds[0] = server;
  fds[1] = client;
  return 0;
}

const transferred = new Uint32Array(1);

/** ReadFile/WriteFile on a standard handle (fds 0-2), with Win32's errors as this module's numbers. */
function stdio(h: Handles, fd: number, buf: Uint8Array, n: number, writing: boolean): number {
  const kernel = h.kernel;
  const handle = kernel.GetStdHandle(STD_HANDLES[fd]!);
  const size = Math.min(n, buf.byteLength, INT_MAX);
  const valid = handle !== 0 && handle !== -1;
  const ok = valid &&
    (writing
      ? kernel.WriteFile(handle, buf, size, transferred, null)
      : kernel.ReadFile(handle, buf, size, transferred, null));
  if (ok) return transferred[0]!;
  const code = valid ? h.ws2.WSAGetLastError() : ERROR_INVALID_HANDLE;
  if (code === ERROR_BROKEN_PIPE && !writing) return 0; // the writer is gone: end of file
  if (code === ERROR_BROKEN_PIPE || code === ERROR_NO_DATA) return h.fail(EPIPE);
  return h.fail(code === ERROR_INVALID_HANDLE ? WSAEBADF : code);
}

function isStdio(fd: number): boolean {
  return fd >= 0 && fd <= 2;
}

/** Waits `ms` (-1: for ever) with nothing to watch: Winsock refuses an empty set. */
function sleep(kernel: Kernel, ms: number): number {
  kernel.Sleep(ms < 0 ? INFINITE : ms);
  return 0;
}

/** Whether an fd_set (its bytes: `fd_count` first, little-endian) holds no handle; no view made per call. */
function emptySet(set: BufferArg): boolean {
  if (set === null) return true;
  const b = set as Uint8Array;
  return (b[0]! | b[1]! | b[2]! | b[3]!) === 0;
}

/** A `size_t` length as the `int` Winsock takes (the module caps lengths at MAX_IO already). */
function intLength(n: number | bigint): number {
  return Math.min(Number(n), INT_MAX);
}

/** `clock_gettime(CLOCK_MONOTONIC)` from the performance counter. */
function monotonicClock(kernel: Kernel): (clock: number, ts: Int32Array) => number {
  const counter = new BigInt64Array(1);
  let frequency = 0;
  return (_clock, ts) => {
    if (frequency === 0) {
      kernel.QueryPerformanceFrequency(counter);
      frequency = Number(counter[0]);
    }
    kernel.QueryPerformanceCounter(counter);
    const ticks = Number(counter[0]);
    const seconds = Math.floor(ticks / frequency);
    ts[0] = seconds % 0x100000000;
    ts[1] = Math.floor(seconds / 0x100000000);
    ts[2] = Math.floor(((ticks % frequency) * 1e9) / frequency);
    ts[3] = 0;
    return 0;
  };
}

/** Winsock has inet_addr only; it answers INADDR_NONE for bad input and for "255.255.255.255" alike (CPython tells them apart the same way). */
function inetAton(ws2: Ws2, cp: Uint8Array, out: Uint8Array): number {
  const addr = ws2.inet_addr(cp);
  const end = cp.indexOf(0);
  const text = new TextDecoder().decode(end < 0 ? cp : cp.subarray(0, end));
  if (addr === INADDR_NONE && text !== "255.255.255.255") return 0;
  new DataView(out.buffer, out.byteOffset, 4).setUint32(0, addr, true); // already in network order
  return 1;
}

/** The system's text for an error number (`FormatMessageA`), or undefined. */
function errorDescriber(kernel: Kernel): (code: number) => string | undefined {
  const text = new Uint8Array(512);
  return (code) => {
    const n = kernel.FormatMessageA(
      FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      null,
      code,
      0,
      text,
      text.length,
      null,
    );
    if (n === 0) return undefined;
    return new TextDecoder().decode(text.subarray(0, n)).replace(/[\s.]+$/, "");
  };
}

/**
 * Starts Winsock (`WSAStartup(2.2)`, once) and binds the Linux-shaped calls.
 *
 * @param ws2 `ws2_32.dll`'s functions.
 * @param kernel `kernel32.dll`'s functions.
 * @param unavailable The error a call Windows lacks throws (ENOSYS).
 * @returns The binding.
 * @throws {Error} If Winsock does not start.
 */
export function bindWinsock(ws2: Ws2, kernel: Kernel, unavailable: (name: string) => Error): Winsock {
  const wsaData = new Uint8Array(512); // WSADATA is 408 bytes on x64
  const started = ws2.WSAStartup(0x0202, wsaData);
  if (started !== 0) throw new Error(`WSAStartup failed with Winsock error ${started}`);
  const h = new Handles(ws2, kernel);
  const recv = (fd: number, buf: Uint8Array, n: number | bigint, flags: number): number =>
    ws2.recv(fd, buf, intLength(n), flags);
  const send = (fd: number, buf: Uint8Array, n: number | bigint, flags: number): number =>
    ws2.send(fd, buf, intLength(n), flags);
  const lib: Record<string, unknown> = {
    close: (s: number) => h.close(s),
    read: (fd: number, buf: Uint8Array, n: number | bigint) =>
      isStdio(fd) ? stdio(h, fd, buf, Number(n), false) : recv(fd, buf, n, 0),
    write: (fd: number, buf: Uint8Array, n: number | bigint) =>
      isStdio(fd) ? stdio(h, fd, buf, Number(n), true) : send(fd, buf, n, 0),
    fcntl: (fd: number, cmd: number, arg: number) => h.fcntl(fd, cmd, arg),
    getpid: () => kernel.GetCurrentProcessId(),
    "clock_gettime": monotonicClock(kernel),
    socket: (domain: number, type: number, proto: number) => h.newSocket(domain, type, proto),
    socketpair: (domain: number, type: number, _proto: number, fds: Int32Array): number => {
      if (domain !== SOCKET.AF_INET && domain !== SOCKET.AF_INET6) return h.fail(WSAEAFNOSUPPORT);
      if (type !== SOCKET.SOCK_STREAM) return h.fail(WSAESOCKTNOSUPPORT);
      return loopbackPair(h, domain, fds);
    },
    pipe2: (fds: Int32Array, flags: number): number => {
      if (loopbackPair(h, SOCKET.AF_INET, fds) < 0) return -1;
      if (flags & FCNTL.O_NONBLOCK) {
        for (const s of fds) {
          if (h.setBlocking(s, false) < 0) return h.failAfter(() => (h.close(fds[0]!), h.close(fds[1]!)));
        }
      }
      return 0;
    },
    accept4: (fd: number, addr: Uint8Array, len: Int32Array, _flags: number) => h.accept(fd, addr, len),
    bind: ws2.bind,
    connect: ws2.connect,
    listen: ws2.listen,
    shutdown: ws2.shutdown,
    recv,
    send,
    recvfrom: (fd: number, buf: Uint8Array, n: number | bigint, flags: number, a: BufferArg, l: BufferArg) =>
      ws2.recvfrom(fd, buf, intLength(n), flags, a, l),
    sendto: (fd: number, buf: Uint8Array, n: number | bigint, flags: number, a: BufferArg, l: number) =>
      ws2.sendto(fd, buf, intLength(n), flags, a, l),
    setsockopt: ws2.setsockopt,
    getsockopt: ws2.getsockopt,
    getsockname: ws2.getsockname,
    getpeername: ws2.getpeername,
    select: (n: number, r: BufferArg, w: BufferArg, x: BufferArg, tv: BufferArg): number => {
      if (emptySet(r) && emptySet(w) && emptySet(x)) {
        if (tv === null) return sleep(kernel, -1);
        const words = new Int32Array(tv.buffer, tv.byteOffset, 2);
        return sleep(kernel, Math.ceil(words[0]! * 1000 + words[1]! / 1000));
      }
      return ws2.select(n, r, w, x, tv);
    },
    poll: (fds: Uint8Array, n: number | bigint, ms: number): number =>
      Number(n) === 0 ? sleep(kernel, ms) : ws2.WSAPoll(fds, Number(n), ms),
    getaddrinfo: ws2.getaddrinfo,
    gethostbyname: ws2.gethostbyname,
    gethostbyaddr: ws2.gethostbyaddr,
    getservbyname: ws2.getservbyname,
    getservbyport: ws2.getservbyport,
    getprotobyname: ws2.getprotobyname,
    freeaddrinfo: ws2.freeaddrinfo,
    getnameinfo: ws2.getnameinfo,
    gethostname: (buf: Uint8Array, n: number | bigint) => ws2.gethostname(buf, intLength(n)),
    "inet_aton": (cp: Uint8Array, out: Uint8Array): number => inetAton(ws2, cp, out),
  };
  for (const name of Object.keys(libcTable("linux", "x86_64")!)) {
    lib[name] ??= () => {
      throw unavailable(name);
    };
  }
  return { libc: lib as unknown as Libc, lastError: ws2.WSAGetLastError, describe: errorDescriber(kernel) };
}
