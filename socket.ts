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
import { checkFd, checkInt, checkSize, checkU32, show } from "./_validate.ts";
import { now } from "./_time.ts";
import { getFdFlag, retryEintr, setFdFlag, waitReady } from "./_fd.ts";
import { DEFAULT_BUFFER_SIZE, SocketFile } from "./_socket_file.ts";
import { adopt, forget, release } from "./_lease.ts";
import {
  type Address,
  checkPort,
  describeAddress,
  encodeAddress,
  familyName,
  formatIPv4,
  formatIPv6,
  getaddrinfo,
  parseIPv4,
  parseIPv6,
  toAddress,
} from "./_address.ts";
import { byteLength, byteRange, bytesOf, copyBytes, copyInto, writeInto } from "./ffi/bytes.ts";
import { cmsgLen, cmsgSpace, Message } from "./ffi/msghdr.ts";
import {
  type Ancillary,
  type AncillaryInput,
  ancillaryOf,
  buffersOf,
  type BytesLike,
  fdsIn,
  MAX_ANCILLARY,
  rightsOf,
  settleReceived,
} from "./_ancillary.ts";
import { OwnedFd } from "./os.ts";
import { type FileObj, fileobjToFd } from "./selector.ts";
import { ERRNO, FCNTL, POLL, SOCKET } from "./ffi/constants.ts";
import { OS } from "./ffi/_host.ts";
import { adapter, errno, errorFor, lastError, libc, MAX_IO } from "./ffi/mod.ts";
import { decodeSockaddr, SOCKADDR_STORAGE_SIZE, sockaddrFamily } from "./ffi/sockaddr.ts";
import { intPair, ProtocolInfo } from "./ffi/structs.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  SO_ERROR,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SO_TYPE,
  SOCK_STREAM,
  SOL_SOCKET,
  SOMAXCONN,
} from "./_socket_constants.ts";
import { OSError, TimeoutError } from "./errors.ts";

export * from "./_socket_constants.ts";
export { type Address, type AddrInfo, getaddrinfo, type IPv4Address, type IPv6Address } from "./_address.ts";
import type { IPv4Address, IPv6Address } from "./_address.ts";
export type { Ancillary, AncillaryInput, BytesLike } from "./_ancillary.ts";
export { OwnedFd } from "./os.ts";
export { IncompleteReadError, SocketFile } from "./_socket_file.ts";
export * from "./_netdb.ts";

/** Below this many bytes, a non-blocking stream `sendmsg` copies everything without asking the send buffer's size. */
const STREAM_COPY_MIN = 256 * 1024;
/** `sizeof(int)`: an int option's size. */
const INT_SIZE = 4;
/** The most bytes `getsockopt` reads for a raw option, as CPython caps `buflen` (1024). */
const MAX_OPTION_SIZE = 1024;
/** Python's default listen backlog: `min(SOMAXCONN, 128)`. */
const DEFAULT_BACKLOG = Math.min(SOMAXCONN, 128);

/** `SOCK_NONBLOCK | SOCK_CLOEXEC`: flags of `socket()`'s type, never part of the type itself. */
const TYPE_FLAGS = SOCKET.SOCK_NONBLOCK | SOCKET.SOCK_CLOEXEC;
/** The timeout of new sockets (`setDefaultTimeout`): `null` blocks, as in Python. */
let defaultTimeout: number | null = null;

const SEND_FLAGS = SOCKET.MSG_NOSIGNAL; // no SIGPIPE on a closed peer (Linux, FreeBSD)
const { EAGAIN, EINTR, EINPROGRESS, ETIMEDOUT } = ERRNO;

/**
 * A socket, like Python's `socket.socket`. Register it with a selector
 * directly: it has `fileno()`.
 *
 * @example A non-blocking client
 * ```ts ignore
 * using s = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM);
 * s.setBlocking(false);
 * const err = s.connectEx(["127.0.0.1", 8080]); // EINPROGRESS: wait for EVENT_WRITE
 * ```
 */
export class Socket<A extends Address = Address> implements Disposable {
  #fd: number;
  /** This socket's claim on its fd number (_lease.ts). */
  #claim: number;
  #timeout: number | null = null;
  /** The address family (`AF_INET`, `AF_INET6`, `AF_UNIX`). */
  readonly family: number;
  /** The socket type (`SOCK_STREAM`, `SOCK_DGRAM`). */
  readonly type: number;
  /** The protocol number (0: the family's default). */
  readonly proto: number;

  /**
   * Creates a socket, or wraps an open socket fd (which it then owns).
   *
   * @param family `AF_INET` (default), `AF_INET6` or `AF_UNIX`.
   * @param type `SOCK_STREAM` (default) or `SOCK_DGRAM`.
   * @param proto The protocol; 0 picks the default.
   * @param fileno An open socket fd to wrap instead of creating one.
   * @throws {OSError} EAFNOSUPPORT, EMFILE and the like.
   */
  constructor(family?: number, type?: number, proto?: number, fileno?: number) {
    if (fileno !== undefined && fileno !== null) {
      const fd = checkFd(fileno, "fileno");
      // Python: family, type and proto not given are learnt from the fd
      // itself (and a number that is no socket is ENOTSOCK here, not later).
      const known = family === undefined || type === undefined || proto === undefined
        ? describeSocket(fd)
        : null;
      this.family = family === undefined ? known!.family : checkInt(family, "family");
      this.type = (type === undefined ? known!.type : checkInt(type, "type")) & ~TYPE_FLAGS;
      this.proto = proto === undefined ? known!.proto : checkInt(proto, "proto");
      this.#fd = fd;
    } else {
      this.family = family === undefined ? AF_INET : checkInt(family, "family");
      const t = type === undefined ? SOCK_STREAM : checkInt(type, "type");
      this.type = t & ~TYPE_FLAGS;
      this.proto = proto === undefined ? 0 : checkInt(proto, "proto");
      const fd = libc().socket(this.family, this.type | SOCKET.SOCK_CLOEXEC, this.proto);
      if (fd < 0) throw lastError("socket");
      this.#fd = fd;
      if (SOCKET.SOCK_NONBLOCK !== 0 && (t & SOCKET.SOCK_NONBLOCK) !== 0) this.#timeout = 0;
    }
    this.#claim = adopt(this, this.#fd, leaseName(this.family, this.type));
    // Python: a new socket takes the default timeout (setDefaultTimeout); SOCK_NONBLOCK wins.
    const timeout = this.#timeout === 0 ? 0 : defaultTimeout;
    if (timeout !== null) this.setTimeout(timeout);
  }

  /**
   * The fd, or -1 once closed or detached.
   *
   * @returns The fd.
   */
  fileno(): number {
    return this.#fd;
  }

  #open(): number {
    if (this.#fd < 0) {
      throw new OSError(ERRNO.EBADF, "socket", { description: "Bad file descriptor (socket is closed)" });
    }
    return this.#fd;
  }

  #deadline(): number | null {
    return this.#timeout !== null && this.#timeout > 0 ? now() + this.#timeout : null;
  }

  /**
   * Runs a call until it succeeds, retrying on EINTR and, in timeout mode,
   * waiting for readiness on EAGAIN. `call` must return the raw C result.
   */
  #io(call: (fd: number) => number, pollEvents: number, syscall: string, deadline?: number | null): number {
    const r = call(this.#open());
    return r >= 0 ? r : this.#retry(errno(), call, pollEvents, syscall, deadline);
  }

  /**
   * The slow path after a failed call whose errno is `e`: retries on EINTR,
   * waits on EAGAIN in timeout mode, throws the error otherwise. The hot
   * methods make their first call inline and come here only on failure, so
   * the common case allocates no closure.
   */
  #retry(
    e: number,
    call: (fd: number) => number,
    pollEvents: number,
    syscall: string,
    deadline: number | null = this.#deadline(),
  ): number {
    const fd = this.#open();
    for (;;) {
      if (e === EAGAIN && this.#timeout !== null && this.#timeout > 0) {
        if (!waitReady(fd, pollEvents, deadline)) throw timedOut(syscall);
      } else if (e !== EINTR) {
        throw errorFor(e, syscall, `fd ${fd}`);
      }
      const r = call(fd);
      if (r >= 0) return r;
      e = errno();
    }
  }

  // The retry closures live in these helpers, not in the hot methods: a closure
  // there would make V8 allocate a context for its variables on every call.
  #recvSlow(e: number, buf: ArrayBufferView, len: number, flags: number): number {
    return this.#retry(e, (fd) => libc().recv(fd, buf, len, flags), POLL.POLLIN, "recv");
  }

  #sendSlow(e: number, buf: ArrayBufferView, len: number, flags: number): number {
    return this.#retry(e, (fd) => libc().send(fd, buf, len, flags), POLL.POLLOUT, "send");
  }

  /**
   * Binds to a local address.
   *
   * @param address `[host, port]`, `[host, port, flowinfo, scopeId]` or a path.
   * @throws {OSError} EADDRINUSE and the like; TypeError/RangeError for a bad address.
   * @example
   * ```ts ignore
   * s.bind(["127.0.0.1", 0]);
   * ```
   */
  bind(address: Address): void {
    const sa = encodeAddress(this.family, address);
    if (libc().bind(this.#open(), sa, sa.length) < 0) throw lastError("bind", describeAddress(address));
  }

  /**
   * Starts accepting connections.
   *
   * @param backlog Pending connections to queue (default `min(SOMAXCONN, 128)`).
   * @example
   * ```ts ignore
   * s.listen();
   * ```
   */
  listen(backlog: number = DEFAULT_BACKLOG): void {
    const b = Math.max(checkInt(backlog, "backlog"), 0);
    if (libc().listen(this.#open(), b) < 0) throw lastError("listen");
  }

  /**
   * Accepts a connection. The new socket is blocking and close-on-exec.
   *
   * @returns `[connection, peerAddress]`.
   * @throws {BlockingIOError} If non-blocking and none is pending.
   * @example
   * ```ts ignore
   * const [conn, addr] = server.accept();
   * conn.setBlocking(false);
   * ```
   */
  accept(): [Socket<A>, A] {
    const fd = this.#io(accept4, POLL.POLLIN, "accept");
    const conn = new Socket<A>(this.family, this.type, this.proto, fd);
    const length = Math.min(ACCEPT_LENGTH[0]!, SOCKADDR_STORAGE_SIZE);
    return [conn, toAddress(decodeSockaddr(ACCEPT_ADDRESS, length)) as A];
  }

  /**
   * Connects to a remote address, waiting as the timeout mode says.
   *
   * @param address The peer's address.
   * @throws {ConnectionRefusedError} And other OSErrors; {@linkcode BlockingIOError}
   *   (EINPROGRESS) when non-blocking; {@linkcode TimeoutError} when the timeout passes.
   * @example
   * ```ts ignore
   * s.connect(["127.0.0.1", 8080]);
   * ```
   */
  connect(address: Address): void {
    const e = this.#connect(address);
    if (e !== 0) throw errorFor(e, "connect", describeAddress(address));
  }

  /** Connects; returns 0 or an errno (address errors still throw). */
  #connect(address: Address): number {
    const fd = this.#open();
    const sa = encodeAddress(this.family, address);
    const deadline = this.#deadline();
    const r = libc().connect(fd, sa, sa.length);
    if (r >= 0) return 0;
    // Winsock says WSAEWOULDBLOCK for a connect under way: EINPROGRESS here, on every OS.
    const e = OS === "windows" ? inProgress(errno()) : errno();
    // EINTR: the connection still proceeds in the background (POSIX); wait for it.
    const waiting = e === EINTR || (e === EINPROGRESS && this.#timeout !== 0);
    if (!waiting) return e;
    if (!waitReady(fd, POLL.POLLOUT, deadline)) return ETIMEDOUT; // a TimeoutError, as in Python
    return this.getsockopt(SOL_SOCKET, SO_ERROR) as number;
  }

  /**
   * Connects like {@linkcode Socket.connect}, but returns the errno instead of
   * throwing: 0 on success, EINPROGRESS for a non-blocking connect under way,
   * on every OS (Winsock's WSAEWOULDBLOCK for it is translated, so one check
   * serves everywhere; CPython's `connect_ex` returns 10035 there).
   *
   * @param address The peer's address.
   * @returns 0 or an errno.
   * @example
   * ```ts ignore
   * if (s.connectEx(["10.0.0.1", 80]) === ERRNO.EINPROGRESS) sel.register(s, EVENT_WRITE);
   * ```
   */
  connectEx(address: Address): number {
    return this.#connect(address);
  }

  /**
   * Receives at most `bufsize` bytes.
   *
   * @param bufsize The most bytes to receive.
   * @param flags `MSG_PEEK` and the like.
   * @returns The bytes; empty when the peer closed.
   * @throws {BlockingIOError} If non-blocking and nothing is there.
   * @example
   * ```ts ignore
   * const data = s.recv(4096);
   * if (data.length === 0) s.close();
   * ```
   */
  recv(bufsize: number, flags = 0): Uint8Array<ArrayBuffer> {
    const len = Math.min(checkSize(bufsize, "bufsize"), MAX_IO);
    const f = checkInt(flags, "flags");
    const buf = new Uint8Array(len);
    let n = libc().recv(this.#open(), buf, len, f);
    if (n < 0) n = this.#recvSlow(errno(), buf, len, f);
    return n === len ? buf : buf.slice(0, n);
  }

  /**
   * Receives into a buffer you own (no allocation).
   *
   * @param buffer Where the bytes go.
   * @param nbytes The most bytes (0: the buffer's length).
   * @param flags `MSG_PEEK` and the like.
   * @returns How many bytes arrived; 0 when the peer closed (and only then: see the throws).
   * @throws {RangeError} For an empty buffer, or `nbytes` beyond it.
   * @throws {TypeError} For a detached buffer, or a view a resizable buffer's shrink left out of bounds.
   * @example
   * ```ts ignore
   * const buf = new Uint8Array(65536);
   * const n = s.recvInto(buf);
   * ```
   */
  recvInto(buffer: ArrayBufferView | ArrayBuffer, nbytes = 0, flags = 0): number {
    const bytes = bytesOf(buffer, "buffer");
    const len = intoLength(bytes, nbytes, "recvInto");
    const f = checkInt(flags, "flags");
    const n = libc().recv(this.#open(), bytes, len, f);
    return n >= 0 ? n : this.#recvSlow(errno(), bytes, len, f);
  }

  /**
   * Receives a datagram (or stream bytes) and the sender's address.
   *
   * @param bufsize The most bytes.
   * @param flags `MSG_PEEK` and the like.
   * @returns `[bytes, address]`; the address is `null` when the kernel gives none.
   * @example
   * ```ts ignore
   * const [data, from] = udp.recvfrom(2048);
   * ```
   */
  recvfrom(bufsize: number, flags = 0): [Uint8Array<ArrayBuffer>, A | null] {
    const len = Math.min(checkSize(bufsize, "bufsize"), MAX_IO);
    const f = checkInt(flags, "flags");
    const buf = new Uint8Array(len);
    const [n, from] = this.#recvfrom(buf, len, f);
    return [n === len ? buf : buf.slice(0, n), from];
  }

  /** recvfrom(2) into `bytes` (`len` of them), retried and waited as the timeout mode says. */
  #recvfrom(bytes: ArrayBufferView, len: number, flags: number): [number, A | null] {
    const addr = new Uint8Array(SOCKADDR_STORAGE_SIZE);
    const alen = new Uint32Array(1);
    const n = this.#io(
      (fd) => {
        alen[0] = SOCKADDR_STORAGE_SIZE;
        return libc().recvfrom(fd, bytes, len, flags, addr, alen);
      },
      POLL.POLLIN,
      "recvfrom",
    );
    const addrLen = Math.min(alen[0]!, SOCKADDR_STORAGE_SIZE);
    return [n, addrLen === 0 ? null : toAddress(decodeSockaddr(addr, addrLen)) as A];
  }

  /**
   * Sends bytes; may send fewer than given (see {@linkcode Socket.sendall}).
   *
   * @param data The bytes.
   * @param flags `MSG_OOB` and the like.
   * @returns How many bytes were sent.
   * @throws {BrokenPipeError} If the peer is gone; {@linkcode BlockingIOError} if non-blocking and full.
   * @example
   * ```ts ignore
   * const n = s.send(bytes);
   * ```
   */
  send(data: ArrayBufferView | ArrayBuffer, flags = 0): number {
    const bytes = bytesOf(data);
    const len = Math.min(byteLength(bytes), MAX_IO);
    const f = checkInt(flags, "flags") | SEND_FLAGS;
    const n = libc().send(this.#open(), bytes, len, f);
    return n >= 0 ? n : this.#sendSlow(errno(), bytes, len, f);
  }

  /**
   * Sends all the bytes, waiting as the timeout mode allows (the timeout
   * covers the whole call).
   *
   * @param data The bytes.
   * @param flags `MSG_OOB` and the like.
   * @throws {BlockingIOError} If non-blocking and the buffer fills (some bytes may have gone).
   * @example
   * ```ts ignore
   * s.sendall(new TextEncoder().encode("hello\n"));
   * ```
   */
  sendall(data: ArrayBufferView | ArrayBuffer, flags = 0): void {
    const bytes = bytesOf(data);
    const size = byteLength(bytes);
    const f = checkInt(flags, "flags") | SEND_FLAGS;
    const deadline = this.#deadline();
    for (let off = 0; off < size;) {
      const len = Math.min(size - off, MAX_IO);
      const chunk = off === 0 && len === size ? bytes : byteRange(bytes, off, off + len);
      off += this.#io((fd) => libc().send(fd, chunk, len, f), POLL.POLLOUT, "send", deadline);
    }
  }

  /**
   * Sends a datagram to an address: `sendto(data, address)` or
   * `sendto(data, flags, address)`, as in Python.
   *
   * @param data The bytes.
   * @param flagsOrAddress Flags, or the address.
   * @param maybeAddress The address, when flags are given.
   * @returns How many bytes were sent.
   * @example
   * ```ts ignore
   * udp.sendto(bytes, ["127.0.0.1", 9999]);
   * ```
   */
  sendto(
    data: ArrayBufferView | ArrayBuffer,
    flagsOrAddress: number | Address,
    maybeAddress?: Address,
  ): number {
    const flags = typeof flagsOrAddress === "number" ? checkInt(flagsOrAddress, "flags") : 0;
    const address = typeof flagsOrAddress === "number" ? maybeAddress : flagsOrAddress;
    if (address === undefined) throw new TypeError("sendto() needs an address");
    const sa = encodeAddress(this.family, address); // may run a resolver: before the length is read
    const bytes = bytesOf(data);
    const len = Math.min(byteLength(bytes), MAX_IO);
    const f = flags | SEND_FLAGS;
    return this.#io((fd) => libc().sendto(fd, bytes, len, f, sa, sa.length), POLL.POLLOUT, "sendto");
  }

  /**
   * Sends a message gathered from several buffers, with ancillary data (fds
   * with `SCM_RIGHTS`, credentials, ...), like Python's `socket.sendmsg`.
   *
   * @param buffers The bytes, in order (at most 1024 buffers).
   * @param ancdata `[level, type, data]` items, such as `[SOL_SOCKET, SCM_RIGHTS, fdBytes]`.
   * @param flags `MSG_*` flags.
   * @param address Where to send, for an unconnected datagram socket.
   * @returns How many bytes of the buffers were sent.
   * @example
   * ```ts ignore
   * const fds = new Int32Array([pipeReadFd]);
   * s.sendmsg([bytes], [[socket.SOL_SOCKET, socket.SCM_RIGHTS, fds]]);
   * ```
   */
  sendmsg(
    buffers: Iterable<BytesLike>,
    ancdata: Iterable<AncillaryInput> = [],
    flags = 0,
    address?: Address | null,
  ): number {
    const f = checkInt(flags, "flags") | SEND_FLAGS;
    // The address (which may resolve a name) and the ancillary items (copied)
    // first: no caller code runs between measuring the buffers and copying them.
    const name = address === undefined || address === null ? null : encodeAddress(this.family, address);
    const control = ancillaryOf(ancdata); // at most MAX_ANCILLARY bytes, checked before any copy
    const { views, sizes, total } = buffersOf(buffers, "sendmsg");
    let space = 0;
    for (const [, , data] of control) space += cmsgSpace(data.length);
    // A stream socket that does not block takes at most its send buffer's
    // room in one call: only that much is copied (1 GiB of gathered views is
    // not copied for a 200 KB partial send). A blocking one takes it all.
    if (this.#timeout !== null && this.type === SOCKET.SOCK_STREAM && total > STREAM_COPY_MIN) {
      keepFirst(views, sizes, this.#sendRoom());
    }
    const msg = new Message(sizes, name === null ? 0 : name.length, space);
    if (name !== null) msg.setName(name);
    msg.setControl(control);
    const data = msg.data();
    for (let i = 0, at = 0; i < views.length; at += sizes[i]!, i++) copyInto(data, at, views[i]!, sizes[i]!);
    msg.link(adapter().addressOf(msg.bytes));
    return this.#io((fd) => libc().sendmsg(fd, msg.bytes, f), POLL.POLLOUT, "sendmsg");
  }

  /**
   * The most bytes one non-blocking send on this stream socket can take:
   * twice its send buffer (`SO_SNDBUF`) plus a segment, and at least
   * {@linkcode STREAM_COPY_MIN}.
   */
  #sendRoom(): number {
    const sndbuf = this.getsockopt(SOCKET.SOL_SOCKET, SOCKET.SO_SNDBUF) as number;
    return Math.max(2 * sndbuf + 65536, STREAM_COPY_MIN);
  }

  /**
   * Receives a message and its ancillary data, like Python's
   * `socket.recvmsg`. Fds that arrive with `SCM_RIGHTS` are the caller's to
   * close (as in Python; they are close-on-exec): read them with
   * {@linkcode fdsOf}, or use {@linkcode recvFds}, which hands them over as
   * owned objects.
   *
   * @param bufsize The most bytes of data.
   * @param ancbufsize Bytes of room for ancillary data (`CMSG_SPACE(...)`; 0: none).
   * @param flags `MSG_*` flags.
   * @returns `[data, ancdata, msgFlags, address]`; `msgFlags` has `MSG_CTRUNC` when
   *   ancillary data did not fit, `MSG_TRUNC` when a datagram did not.
   * @example
   * ```ts ignore
   * const [data, anc, flags] = s.recvmsg(1024, socket.CMSG_SPACE(4));
   * ```
   */
  recvmsg(
    bufsize: number,
    ancbufsize = 0,
    flags = 0,
  ): [Uint8Array<ArrayBuffer>, Ancillary[], number, A | null] {
    const len = Math.min(checkSize(bufsize, "bufsize"), MAX_IO);
    const msg = this.#receive([len], ancbufsize, flags, "recvmsg");
    return [msg.data().slice(0, msg.count), msg.ancillary, msg.flags, msg.address as A | null];
  }

  /**
   * Receives a message into buffers you own, scattered in order, like
   * Python's `socket.recvmsg_into`.
   *
   * @param buffers Where the bytes go (at most 1024 buffers).
   * @param ancbufsize Bytes of room for ancillary data (0: none).
   * @param flags `MSG_*` flags.
   * @returns `[nbytes, ancdata, msgFlags, address]`.
   * @example
   * ```ts ignore
   * const head = new Uint8Array(4), body = new Uint8Array(1024);
   * const [n] = s.recvmsgInto([head, body]);
   * ```
   */
  recvmsgInto(
    buffers: Iterable<BytesLike>,
    ancbufsize = 0,
    flags = 0,
  ): [number, Ancillary[], number, A | null] {
    const { views, sizes } = buffersOf(buffers, "recvmsg");
    const msg = this.#receive(sizes, ancbufsize, flags, "recvmsg");
    const data = msg.data();
    for (let i = 0, at = 0; i < views.length && at < msg.count; at += sizes[i]!, i++) {
      writeInto(views[i]!, 0, data.subarray(at, Math.min(at + sizes[i]!, msg.count)));
    }
    return [msg.count, msg.ancillary, msg.flags, msg.address as A | null];
  }

  #receive(sizes: number[], ancbufsize: number, flags: number, syscall: string): Received {
    const space = checkSize(ancbufsize, "ancbufsize");
    if (space > MAX_ANCILLARY) {
      throw new RangeError(`Invalid ancbufsize: ${space}: at most ${MAX_ANCILLARY} bytes`);
    }
    const asked = checkInt(flags, "flags");
    // Received fds close-on-exec, as every fd this library makes; the kernel
    // echoes the flag in msg_flags, where the caller did not ask for it.
    const added = space > 0 ? SOCKET.MSG_CMSG_CLOEXEC & ~asked : 0;
    const f = asked | added;
    const msg = new Message(sizes, SOCKADDR_STORAGE_SIZE, space);
    msg.link(adapter().addressOf(msg.bytes));
    const count = this.#io(
      (fd) => {
        msg.reset();
        return libc().recvmsg(fd, msg.bytes, f);
      },
      POLL.POLLIN,
      syscall,
    );
    const ancillary = msg.control() as Ancillary[];
    settleReceived(ancillary);
    const name = msg.name();
    return {
      count,
      data: () => msg.data(),
      ancillary,
      flags: msg.flags() & ~added,
      address: name.length === 0 ? null : toAddress(decodeSockaddr(name.slice(), name.length)),
    };
  }

  /**
   * Sets blocking mode: `setBlocking(true)` is `setTimeout(null)`,
   * `setBlocking(false)` is `setTimeout(0)`.
   *
   * @param flag Blocking or not.
   * @example
   * ```ts ignore
   * conn.setBlocking(false);
   * ```
   */
  setBlocking(flag: boolean): void {
    this.setTimeout(flag ? null : 0);
  }

  /**
   * Whether the socket is in blocking mode (timeout not 0).
   *
   * @returns `false` when non-blocking.
   */
  getBlocking(): boolean {
    this.#open();
    return this.#timeout !== 0;
  }

  /**
   * Sets the timeout mode: `null` blocks, `0` is non-blocking, a positive
   * number of seconds makes each call wait at most that long and then throw
   * {@linkcode TimeoutError}.
   *
   * @param timeout Seconds or `null`.
   * @throws {RangeError} For a negative, NaN or infinite timeout (any finite one works).
   * @example
   * ```ts ignore
   * s.setTimeout(2.5);
   * ```
   */
  setTimeout(timeout: number | null): void {
    checkTimeout(timeout);
    // The fd is non-blocking whenever a timeout is set: waits are done by poll.
    setFdFlag(this.#open(), "nonblock", timeout !== null);
    this.#timeout = timeout;
  }

  /**
   * The timeout mode.
   *
   * @returns Seconds, 0 (non-blocking) or `null` (blocking).
   */
  getTimeout(): number | null {
    return this.#timeout;
  }

  /**
   * Sets a socket option.
   *
   * @param level `SOL_SOCKET`, `IPPROTO_TCP`, ...
   * @param option `SO_REUSEADDR`, `TCP_NODELAY`, ...
   * @param value An int (booleans become 0/1) or raw bytes.
   * @example
   * ```ts ignore
   * s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
   * ```
   */
  setsockopt(level: number, option: number, value: number | boolean | ArrayBufferView): void {
    const l = checkInt(level, "level"), o = checkInt(option, "option");
    const bytes = typeof value === "boolean" || typeof value === "number"
      ? intOptionValue(checkInt(Number(value), "value"))
      : bytesOf(value, "value");
    if (libc().setsockopt(this.#open(), l, o, bytes, byteLength(bytes, "value")) < 0) {
      throw lastError("setsockopt");
    }
  }

  /**
   * Reads a socket option.
   *
   * @param level `SOL_SOCKET`, `IPPROTO_TCP`, ...
   * @param option `SO_ERROR`, `SO_TYPE`, ...
   * @param buflen Omit it (or pass 0, Python's default) for an int option; otherwise the most bytes
   *   to read, 1 to 1024.
   * @returns The int, or the bytes when `buflen` is 1 or more.
   * @throws {RangeError} For a `buflen` above 1024 (Python: "getsockopt buflen out of range").
   * @example
   * ```ts ignore
   * const err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) as number;
   * ```
   */
  /** Reads an int socket option (`buflen` omitted or 0). */
  getsockopt(level: number, option: number, buflen?: 0): number;
  /** Reads a socket option's raw bytes (`buflen` 1 to 1024). */
  getsockopt(level: number, option: number, buflen: number): Uint8Array<ArrayBuffer>;
  getsockopt(level: number, option: number, buflen?: number): number | Uint8Array<ArrayBuffer> {
    const want = buflen === undefined ? 0 : checkSize(buflen, "buflen");
    if (want > MAX_OPTION_SIZE) {
      throw new RangeError(`Invalid buflen: ${want}: getsockopt reads at most ${MAX_OPTION_SIZE} bytes`);
    }
    const fd = this.#open(), l = checkInt(level, "level"), o = checkInt(option, "option");
    if (want === 0) return intOption(fd, l, o); // Python's default buflen=0: the option as an int
    const buf = new Uint8Array(Math.max(want, INT_SIZE));
    const len = new Uint32Array([want]);
    if (libc().getsockopt(fd, l, o, buf, len) < 0) throw lastError("getsockopt");
    return buf.slice(0, Math.min(len[0]!, want));
  }

  /**
   * The local address.
   *
   * @returns The address in Python's shape.
   * @example
   * ```ts ignore
   * const [host, port] = server.getsockname() as [string, number];
   * ```
   */
  getsockname(): A {
    return this.#name("getsockname") as A;
  }

  /**
   * The peer's address.
   *
   * @returns The address in Python's shape.
   * @throws {OSError} ENOTCONN when not connected.
   */
  getpeername(): A {
    return this.#name("getpeername") as A;
  }

  #name(call: "getsockname" | "getpeername"): Address {
    const addr = new Uint8Array(SOCKADDR_STORAGE_SIZE);
    const len = new Uint32Array([SOCKADDR_STORAGE_SIZE]);
    if (libc()[call](this.#open(), addr, len) < 0) throw lastError(call);
    return toAddress(decodeSockaddr(addr, Math.min(len[0]!, SOCKADDR_STORAGE_SIZE)));
  }

  /**
   * Shuts down one or both directions (`SHUT_WR` sends FIN).
   *
   * @param how `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`.
   * @example
   * ```ts ignore
   * s.shutdown(socket.SHUT_WR);
   * ```
   */
  shutdown(how: number): void {
    if (libc().shutdown(this.#open(), checkInt(how, "how")) < 0) throw lastError("shutdown");
  }

  /**
   * Receives a datagram (or stream bytes) into a buffer you own, and the
   * sender's address, like Python's `socket.recvfrom_into`.
   *
   * @param buffer Where the bytes go.
   * @param nbytes The most bytes (0: the buffer's length).
   * @param flags `MSG_PEEK` and the like.
   * @returns `[nbytes, address]`; the address is `null` when the kernel gives none.
   * @throws {RangeError} For an empty buffer, or `nbytes` beyond it.
   * @example
   * ```ts ignore
   * const buf = new Uint8Array(2048);
   * const [n, from] = udp.recvfromInto(buf);
   * ```
   */
  recvfromInto(buffer: ArrayBufferView | ArrayBuffer, nbytes = 0, flags = 0): [number, A | null] {
    const bytes = bytesOf(buffer, "buffer");
    const len = intoLength(bytes, nbytes, "recvfromInto");
    return this.#recvfrom(bytes, len, checkInt(flags, "flags"));
  }

  /**
   * A new socket on a duplicate of this one's fd (close-on-exec), with the
   * same family, type, protocol and timeout, like Python's `socket.dup`.
   *
   * @returns The copy; close both.
   * @example
   * ```ts ignore
   * using copy = s.dup();
   * ```
   */
  dup(): Socket<A> {
    const s = new Socket<A>(this.family, this.type, this.proto, dup(this.#open()));
    s.setTimeout(this.#timeout);
    return s;
  }

  /**
   * Whether the fd survives exec (it does not by default).
   *
   * @returns The flag.
   */
  getInheritable(): boolean {
    return !getFdFlag(this.#open(), "cloexec");
  }

  /**
   * Sets whether the fd survives exec, like Python's `socket.set_inheritable`.
   *
   * @param inheritable The flag.
   * @example
   * ```ts ignore
   * s.setInheritable(true); // hand it to a child process
   * ```
   */
  setInheritable(inheritable: boolean): void {
    setFdFlag(this.#open(), "cloexec", !inheritable);
  }

  /** The timeout mode, as Python's `socket.timeout` attribute: seconds, 0 or `null`. */
  get timeout(): number | null {
    return this.#timeout;
  }

  /** The family's name: `"AF_INET"`, `"AF_INET6"`, `"AF_UNIX"` (or the number, as text). */
  get familyName(): string {
    return familyName(this.family).replace(/^family /, "");
  }

  /** The type's name: `"SOCK_STREAM"`, `"SOCK_DGRAM"`, ... (or the number, as text). */
  get typeName(): string {
    return TYPE_NAMES.get(this.type) ?? String(this.type);
  }

  /**
   * Sends a file's bytes, like Python's `socket.sendfile`: zero-copy with
   * sendfile(2) on Linux, a read/send loop elsewhere. The file's offset ends
   * `offset` + the bytes sent, as in Python. Not for non-blocking sockets.
   *
   * @param file An fd of a regular file, or an object with `fileno()`.
   * @param offset Where in the file to start.
   * @param count The most bytes (`null`: to the end of the file).
   * @returns How many bytes were sent.
   * @throws {RangeError} On a non-blocking socket or one that is not SOCK_STREAM (Python's ValueError).
   * @example
   * ```ts ignore
   * const fd = os.open("index.html", os.O_RDONLY);
   * conn.sendfile(fd);
   * ```
   */
  sendfile(file: FileObj, offset = 0, count: number | null = null): number {
    const inFd = fileobjToFd(file);
    const start = checkSize(offset, "offset");
    const limit = count === null ? Infinity : checkSize(count, "count");
    if (this.type !== SOCK_STREAM) throw new RangeError("sendfile: only SOCK_STREAM sockets are supported");
    if (this.#timeout === 0) throw new RangeError("sendfile: non-blocking sockets are not supported");
    const out = this.#open();
    const deadline = this.#deadline();
    let sent = 0;
    if (OS === "linux") {
      const pos = new BigInt64Array([BigInt(start)]);
      while (sent < limit) {
        const want = Math.min(limit - sent, MAX_IO);
        const n = libc().sendfile(out, inFd, pos, want);
        if (n > 0) {
          sent += n;
          continue;
        }
        if (n === 0) break;
        const e = errno();
        if (e === EINTR) continue;
        if (e === EAGAIN && this.#timeout !== 0) {
          if (!waitReady(out, POLL.POLLOUT, deadline)) throw timedOut("sendfile");
          continue;
        }
        throw errorFor(e, "sendfile", `fd ${inFd} -> ${out}`);
      }
    } else {
      const chunk = new Uint8Array(SENDFILE_CHUNK);
      if (libc().lseek(inFd, start, SEEK_SET) < 0) throw lastError("lseek", `fd ${inFd}`);
      while (sent < limit) {
        const want = Math.min(limit - sent, SENDFILE_CHUNK);
        const n = retryEintr(() => libc().read(inFd, chunk, want), "read", `fd ${inFd}`);
        if (n === 0) break;
        this.sendall(chunk.subarray(0, n));
        sent += n;
      }
    }
    if (libc().lseek(inFd, start + sent, SEEK_SET) < 0) throw lastError("lseek", `fd ${inFd}`);
    return sent;
  }

  /**
   * A buffered binary file over this socket, like Python's `socket.makefile`
   * in a binary mode: `readline()`, `read(n)`, `readExactly(n)`, lines by
   * iteration, buffered `write()` and `flush()`. Closing the file leaves the
   * socket open.
   *
   * @param mode `"rb"` (default), `"wb"` or `"rwb"` (`"r"`, `"w"`, `"rw"` mean the same: bytes).
   * @param bufferSize The buffer's size in bytes; a negative number, 0 or `null`: the default (8 KiB).
   * @returns The file.
   * @example
   * ```ts ignore
   * using f = conn.makefile("rwb");
   * f.write(new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n"));
   * f.flush();
   * const status = f.readline();
   * ```
   */
  makefile(mode = "rb", bufferSize: number | null = DEFAULT_BUFFER_SIZE): SocketFile {
    return new SocketFile(this, mode, bufferSize);
  }

  /** `Socket(fd=3, family=AF_INET, type=SOCK_STREAM, proto=6, laddr=["127.0.0.1", 8080], raddr=[...])`, like Python's repr. */
  toString(): string {
    const parts = [
      this.#fd < 0 ? "[closed] fd=-1" : `fd=${this.#fd}`,
      `family=${this.familyName}`,
      `type=${this.typeName}`,
      `proto=${this.proto}`,
    ];
    if (this.#fd >= 0) {
      for (const [key, call] of [["laddr", "getsockname"], ["raddr", "getpeername"]] as const) {
        try {
          const a = this.#name(call);
          if (a !== "" || this.family !== AF_UNIX) parts.push(`${key}=${JSON.stringify(a)}`);
        } catch { /* not bound or not connected: Python leaves it out */ }
      }
    }
    return `Socket(${parts.join(", ")})`;
  }

  /** What `console.log` shows under Deno. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  /** What `console.log` shows under Bun and Node. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /**
   * Gives up ownership of the fd without closing it.
   *
   * @returns The fd (the socket's `fileno()` is -1 after).
   */
  detach(): number {
    const fd = this.#fd;
    if (fd < 0) return fd;
    this.#fd = -1;
    release(this, fd, this.#claim);
    return fd;
  }

  /**
   * Closes the socket. Idempotent; `fileno()` is -1 after. Unregister it from
   * selectors first.
   *
   * @example
   * ```ts ignore
   * sel.unregister(conn);
   * conn.close();
   * ```
   */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    // A number closed behind this socket's back (os.close, os.dup2 onto it) is
    // no longer its own, and may be another file's by now: it is left alone.
    if (!release(this, fd, this.#claim)) return;
    closeSocketFd(fd);
  }

  /** Closes the socket at the end of a `using` scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * accept()'s peer address and its length, for one call at a time (the address
 * is decoded into new objects before accept() returns): a server accepting
 * 15 000 connections makes no buffers for them.
 */
const ACCEPT_ADDRESS = new Uint8Array(SOCKADDR_STORAGE_SIZE);
const ACCEPT_LENGTH = new Uint32Array(1);

function accept4(fd: number): number {
  ACCEPT_LENGTH[0] = SOCKADDR_STORAGE_SIZE;
  return libc().accept4(fd, ACCEPT_ADDRESS, ACCEPT_LENGTH, SOCKET.SOCK_CLOEXEC);
}

/** setsockopt()'s int value, for one call at a time. */
const INT_OPTION = new Int32Array(1);

function intOptionValue(value: number): Int32Array {
  INT_OPTION[0] = value;
  return INT_OPTION;
}

/** The ResourceWarning's name of each (family, type) seen: one string for all such sockets, not one each. */
const LEASE_NAMES = new Map<number, string>();

function leaseName(family: number, type: number): string {
  const key = family * 0x100000000 + (type >>> 0);
  let name = LEASE_NAMES.get(key);
  if (name === undefined) {
    name = `socket (${familyName(family)}, type ${type})`;
    if (LEASE_NAMES.size < 256) LEASE_NAMES.set(key, name);
  }
  return name;
}

/**
 * How many bytes a `recvInto`/`recvfromInto` may receive into `bytes`: `nbytes`
 * (0: the whole buffer), measured by the engine, capped at MAX_IO. A buffer
 * that cannot hold a byte is the caller's error, never a silent 0 (which
 * means end of file, and only that).
 */
function intoLength(bytes: ArrayBufferView, nbytes: unknown, call: string): number {
  const size = byteLength(bytes, "buffer");
  if (size === 0) {
    throw new RangeError(`Invalid buffer: it holds no bytes (${call} returns 0 only at end of file)`);
  }
  const len = checkSize(nbytes, "nbytes");
  if (len > size) throw new RangeError(`nbytes ${len} is larger than the buffer (${size})`);
  return Math.min(len === 0 ? size : len, MAX_IO);
}

/** Cuts a gather list to its first `limit` bytes, in place (the last buffer kept may be cut short). */
function keepFirst(views: unknown[], sizes: number[], limit: number): void {
  let left = limit;
  for (let i = 0; i < sizes.length; i++) {
    if (sizes[i]! >= left) {
      sizes[i] = left;
      sizes.length = views.length = i + 1;
      return;
    }
    left -= sizes[i]!;
  }
}

/** The longest socket timeout CPython takes: 2^63 - 1 ns, in whole seconds. */
const MAX_TIMEOUT = 9_223_372_036;

/** A socket timeout: `null`, or finite seconds >= 0 (at most {@linkcode MAX_TIMEOUT}). */
function checkTimeout(timeout: unknown): number | null {
  if (timeout === null) return null;
  if (typeof timeout !== "number") {
    throw new TypeError(`Invalid timeout: expected a number or null, got ${show(timeout)}`);
  }
  if (Number.isNaN(timeout) || timeout < 0) {
    throw new RangeError(`Invalid timeout: ${show(timeout)}: must be >= 0`);
  }
  // Python raises OverflowError for inf; `null` is how to say "block forever".
  if (timeout === Infinity) throw new RangeError("Invalid timeout: Infinity: use null to block");
  // And for one its clock cannot hold: past 2^63 ns (about 292 years).
  if (timeout > MAX_TIMEOUT) {
    throw new RangeError(
      `Invalid timeout: ${show(timeout)}: out of range (at most ${MAX_TIMEOUT} s; null blocks)`,
    );
  }
  return timeout;
}

/** Bytes per read of sendfile's fallback loop. */
const SENDFILE_CHUNK = 65536;
/** `SEEK_SET`: an absolute offset (0 on every supported OS). */
const SEEK_SET = 0;

const TYPE_NAMES = new Map<number, string>([
  [SOCK_STREAM, "SOCK_STREAM"],
  [SOCKET.SOCK_DGRAM, "SOCK_DGRAM"],
  [SOCKET.SOCK_RAW, "SOCK_RAW"],
  [SOCKET.SOCK_SEQPACKET, "SOCK_SEQPACKET"],
]);

/** An int socket option of a raw fd. @throws {OSError} ENOTSOCK, EBADF and the like. */
function intOption(fd: number, level: number, option: number): number {
  const value = new Int32Array(1);
  const len = new Uint32Array([INT_SIZE]);
  if (libc().getsockopt(fd, level, option, value, len) < 0) throw lastError("getsockopt", `fd ${fd}`);
  return value[0]!;
}

/**
 * What the kernel says a socket fd is: SO_TYPE; SO_DOMAIN and SO_PROTOCOL
 * where they exist (Linux, FreeBSD), else the family of its local address
 * and protocol 0, as CPython does; on Windows all three from its
 * WSAPROTOCOL_INFOW.
 */
function describeSocket(fd: number): { family: number; type: number; proto: number } {
  if (OS === "windows") {
    const info = new ProtocolInfo();
    const len = new Uint32Array([ProtocolInfo.SIZE]);
    if (libc().getsockopt(fd, SOL_SOCKET, ProtocolInfo.OPTION, info.bytes, len) < 0) {
      throw lastError("getsockopt", `fd ${fd}`);
    }
    return { family: info.family, type: info.type, proto: info.protocol };
  }
  const type = intOption(fd, SOL_SOCKET, SO_TYPE);
  let family: number;
  if (SOCKET.SO_DOMAIN !== 0) {
    family = intOption(fd, SOL_SOCKET, SOCKET.SO_DOMAIN);
  } else {
    const addr = new Uint8Array(SOCKADDR_STORAGE_SIZE);
    const len = new Uint32Array([SOCKADDR_STORAGE_SIZE]);
    if (libc().getsockname(fd, addr, len) < 0) throw lastError("getsockname", `fd ${fd}`);
    family = sockaddrFamily(addr);
  }
  const proto = SOCKET.SO_PROTOCOL !== 0 ? intOption(fd, SOL_SOCKET, SOCKET.SO_PROTOCOL) : 0;
  return { family, type, proto };
}

/** What one recvmsg gave. */
interface Received {
  count: number;
  data(): Uint8Array;
  ancillary: Ancillary[];
  flags: number;
  address: Address | null;
}

/** Winsock's answer for a non-blocking connect under way (WSAEWOULDBLOCK) as EINPROGRESS. */
function inProgress(e: number): number {
  return e === EAGAIN ? EINPROGRESS : e;
}

function timedOut(syscall: string): TimeoutError {
  return new TimeoutError(ETIMEDOUT, syscall, { description: "timed out" });
}

/**
 * Creates a connected pair of sockets.
 *
 * @param family `AF_UNIX` (default); on Windows `AF_INET` (default) or
 *   `AF_INET6`: a pair of loopback TCP sockets, as CPython makes there.
 * @param type `SOCK_STREAM` (default) or `SOCK_DGRAM` (not on Windows).
 * @param proto The protocol; 0 picks the default.
 * @returns Two sockets, blocking and close-on-exec.
 * @example
 * ```ts ignore
 * const [a, b] = socket.socketpair();
 * a.sendall(new Uint8Array([1]));
 * b.recv(1);
 * ```
 */
export function socketpair(): [Socket<string>, Socket<string>];
/** Creates a connected pair of sockets of `family` (see the first signature). */
export function socketpair(family: number, type?: number, proto?: number): [Socket, Socket];
export function socketpair(
  family: number = OS === "windows" ? AF_INET : AF_UNIX,
  type: number = SOCK_STREAM,
  proto = 0,
): [Socket, Socket] {
  const fds = intPair();
  const f = checkInt(family, "family"), t = checkInt(type, "type"), p = checkInt(proto, "proto");
  if (libc().socketpair(f, t | SOCKET.SOCK_CLOEXEC, p, fds) < 0) throw lastError("socketpair");
  return [new Socket(f, t, p, fds[0]!), new Socket(f, t, p, fds[1]!)];
}

/**
 * Connects to a TCP service, trying each address the host resolves to, like
 * Python's `socket.create_connection`.
 *
 * @param address `[host, port]`.
 * @param timeout Seconds for the connect (and the socket's timeout mode after); `null` blocks.
 * @param sourceAddress A local `[host, port]` to bind first.
 * @returns The connected socket.
 * @throws {OSError} The last address's error when none connects.
 * @example
 * ```ts ignore
 * using s = socket.createConnection(["localhost", 8080], 5);
 * ```
 */
export function createConnection(
  address: readonly [host: string, port: number],
  timeout: number | null = null,
  sourceAddress?: readonly [host: string, port: number],
): Socket<InetAddress> {
  if (!Array.isArray(address) || address.length !== 2) throw new TypeError("address must be [host, port]");
  const [host, port] = address;
  if (typeof host !== "string") throw new TypeError(`Invalid host: expected a string, got ${show(host)}`);
  checkPort(port);
  let last: unknown = new OSError(ERRNO.EADDRNOTAVAIL, "getaddrinfo", { description: "no addresses" });
  for (const [family, type, proto, , sa] of getaddrinfo(host, port, 0, SOCK_STREAM)) {
    const s = new Socket<InetAddress>(family, type, proto);
    try {
      if (timeout !== null) s.setTimeout(timeout);
      if (sourceAddress) s.bind(sourceAddress);
      s.connect(sa);
      return s;
    } catch (e) {
      s.close();
      last = e;
    }
  }
  throw last;
}

/** An IPv4 or IPv6 address: what TCP and UDP sockets report. */
export type InetAddress = IPv4Address | IPv6Address;

/** Options of {@linkcode createServer}. */
export interface CreateServerOptions {
  /**
   * `AF_INET` or `AF_INET6`. The default follows the host: `AF_INET6` for an
   * IPv6 literal (`"::1"`, `"::"`), else `AF_INET` (Python's default).
   */
  family?: number;
  /** The listen backlog (default: `min(SOMAXCONN, 128)`). */
  backlog?: number;
  /** Set `SO_REUSEPORT`. */
  reusePort?: boolean;
  /**
   * For AF_INET6: `true` also accepts IPv4 (clears `IPV6_V6ONLY`), `false`
   * only IPv6 (sets it); absent leaves the system default. A RangeError with
   * AF_INET, as Python raises ValueError.
   */
  dualstackIpv6?: boolean;
}

/**
 * Whether this host can listen on IPv6 and IPv4 with one socket (an AF_INET6
 * socket with `IPV6_V6ONLY` cleared), like Python's `socket.has_dualstack_ipv6()`.
 *
 * @returns `true` when such a socket can be made.
 * @example
 * ```ts ignore
 * const options = socket.hasDualstackIpv6() ? { dualstackIpv6: true } : {};
 * using server = socket.createServer(["::", 8080], options);
 * ```
 */
export function hasDualstackIpv6(): boolean {
  let s: Socket | undefined;
  try {
    s = new Socket(AF_INET6, SOCK_STREAM);
    s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0);
    return true;
  } catch {
    return false;
  } finally {
    s?.close();
  }
}

/**
 * Creates a listening TCP socket, like Python's `socket.create_server`
 * (`SO_REUSEADDR` set on POSIX, not on Windows; `reusePort` where the OS has
 * `SO_REUSEPORT`, else a RangeError, Python's ValueError). An IPv6 host (`"::1"`, `"::"`) makes an
 * AF_INET6 socket unless `family` says otherwise.
 *
 * @param address `[host, port]`; port 0 picks a free one.
 * @param options Family, backlog, `SO_REUSEPORT`, dual stack.
 * @returns The listening socket (blocking).
 * @example
 * ```ts ignore
 * using server = socket.createServer(["127.0.0.1", 0]);
 * console.log(server.getsockname());
 * ```
 */
export function createServer(address: string, options?: CreateServerOptions): Socket<string>;
/** Creates a listening TCP socket on `[host, port]` (see the first signature). */
export function createServer(address: InetAddress, options?: CreateServerOptions): Socket<InetAddress>;
/** Creates a listening socket on any address (see the first signature). */
export function createServer(address: Address, options?: CreateServerOptions): Socket;
export function createServer(address: Address, options: CreateServerOptions = {}): Socket {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Invalid options: expected an object, got ${show(options)}`);
  }
  // Each option read once: a getter that answers differently twice cannot
  // pass the check with one value and act with another.
  const { family: given, backlog, reusePort, dualstackIpv6 } = options;
  const host = Array.isArray(address) ? address[0] : undefined;
  const family = given ?? (typeof host === "string" && host.includes(":") ? AF_INET6 : AF_INET);
  if (dualstackIpv6 !== undefined && family !== AF_INET6) {
    throw new RangeError("dualstackIpv6 requires family AF_INET6");
  }
  encodeAddress(family, address); // validate before any fd exists
  if (reusePort && SO_REUSEPORT === 0) throw new RangeError("SO_REUSEPORT not supported on this platform");
  const s = new Socket(family, SOCK_STREAM);
  try {
    // Not on Windows, as CPython: there SO_REUSEADDR lets another socket take the port.
    if (OS !== "windows") s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    if (reusePort) s.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
    if (family === AF_INET6 && dualstackIpv6 !== undefined) {
      s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, dualstackIpv6 ? 0 : 1);
    }
    s.bind(address);
    s.listen(backlog);
    return s;
  } catch (e) {
    s.close();
    throw e;
  }
}

/**
 * Packs an IP address into its network-order bytes, like Python's
 * `socket.inet_pton`.
 *
 * @param family `AF_INET` (4 bytes) or `AF_INET6` (16 bytes).
 * @param text The address, such as `"127.0.0.1"` or `"::1"`.
 * @returns The bytes.
 * @throws {OSError} EINVAL for text that is not an address of that family.
 * @throws {RangeError} For another family.
 * @example
 * ```ts ignore
 * socket.inetPton(socket.AF_INET, "10.0.0.1"); // Uint8Array [10, 0, 0, 1]
 * ```
 */
export function inetPton(family: number, text: string): Uint8Array<ArrayBuffer> {
  const f = checkInt(family, "family");
  if (typeof text !== "string") {
    throw new TypeError(`Invalid address text: expected a string, got ${show(text)}`);
  }
  if (f !== AF_INET && f !== AF_INET6) throw new RangeError(`inetPton: unsupported family ${familyName(f)}`);
  const bytes = f === AF_INET ? parseIPv4(text) : parseIPv6(text);
  if (bytes === null) {
    throw new OSError(ERRNO.EINVAL, "inet_pton", {
      description: "illegal IP address string passed to inet_pton",
      detail: show(text),
    });
  }
  return bytes;
}

/**
 * Formats network-order address bytes as text, like Python's
 * `socket.inet_ntop` (IPv6 in RFC 5952's short form).
 *
 * @param family `AF_INET` or `AF_INET6`.
 * @param packed 4 or 16 bytes (a TypedArray, DataView or ArrayBuffer).
 * @returns The text, such as `"10.0.0.1"` or `"2001:db8::1"`.
 * @throws {RangeError} For a wrong length or another family.
 * @example
 * ```ts ignore
 * socket.inetNtop(socket.AF_INET6, new Uint8Array(16)); // "::"
 * ```
 */
export function inetNtop(family: number, packed: ArrayBufferView | ArrayBuffer): string {
  const f = checkInt(family, "family");
  const want = f === AF_INET ? 4 : f === AF_INET6 ? 16 : -1;
  if (want < 0) throw new RangeError(`inetNtop: unsupported family ${familyName(f)}`);
  const bytes = copyBytes(packed, "packed"); // read through the engine's own view of the bytes
  if (bytes.length !== want) {
    throw new RangeError(`inetNtop: ${familyName(f)} needs ${want} bytes, got ${bytes.length}`);
  }
  return f === AF_INET ? formatIPv4(bytes) : formatIPv6(bytes);
}

/** Python's `socket.SocketType`: the socket class. */
export const SocketType: typeof Socket = Socket;

/**
 * Whether IPv6 is supported here, like Python's `socket.has_ipv6` (true on
 * every OS this module runs on; whether this host has an IPv6 address is
 * another matter: see {@linkcode hasDualstackIpv6}).
 */
export const hasIpv6 = true;

/**
 * Closes a socket fd, like Python's `socket.close(fd)`; ECONNRESET is not
 * an error (the fd is closed all the same).
 *
 * @param fd The fd.
 * @throws {OSError} EBADF for a number that is not open.
 * @example
 * ```ts ignore
 * socket.close(sock.detach());
 * ```
 */
export function close(fd: number): void {
  const n = checkFd(fd);
  forget(n);
  closeSocketFd(n);
}

/** close(2) of a socket fd: ECONNRESET means the peer reset, and the fd is closed all the same (as in CPython). */
function closeSocketFd(fd: number): void {
  if (libc().close(fd) < 0) {
    const e = errno();
    if (e !== ERRNO.ECONNRESET && e !== EINTR) throw errorFor(e, "close", `fd ${fd}`);
  }
}

/**
 * Duplicates a socket fd (close-on-exec), like Python's `socket.dup(fd)`.
 *
 * @param fd The fd.
 * @returns The new fd, yours to close.
 * @example
 * ```ts ignore
 * const copy = socket.dup(sock.fileno());
 * ```
 */
export function dup(fd: number): number {
  const n = checkFd(fd);
  const copy = libc().fcntl(n, FCNTL.F_DUPFD_CLOEXEC, 0);
  if (copy < 0) throw lastError("fcntl", `F_DUPFD_CLOEXEC of fd ${n}`);
  forget(copy);
  return copy;
}

/**
 * A socket object for an open socket fd, like Python's `socket.fromfd`: the
 * fd is duplicated (the copy is close-on-exec and owned by the new socket;
 * the original stays yours). Family, type and protocol are read from the
 * kernel (`SO_DOMAIN`, `SO_TYPE`, `SO_PROTOCOL`); any given must agree.
 *
 * @param fd An open socket fd, or an object with `fileno()`.
 * @param family Expected family (checked).
 * @param type Expected type (checked).
 * @param proto Expected protocol (checked where the kernel tells it).
 * @returns The new socket.
 * @throws {OSError} ENOTSOCK for an fd that is no socket; RangeError when a given value disagrees.
 * @example
 * ```ts ignore
 * using s = socket.fromfd(3); // a socket inherited from the parent as fd 3
 * ```
 */
export function fromfd(fd: FileObj, family?: number, type?: number, proto?: number): Socket {
  const n = fileobjToFd(fd);
  const known = describeSocket(n);
  const given = { family, type, proto };
  for (const key of ["family", "type", "proto"] as const) {
    const value = given[key];
    if (value === undefined) continue;
    const v = checkInt(value, key);
    const actual = key === "type" ? known.type & ~TYPE_FLAGS : known[key];
    if (key === "proto" && SOCKET.SO_PROTOCOL === 0) continue; // macOS cannot tell
    if ((key === "type" ? v & ~TYPE_FLAGS : v) !== actual) {
      throw new RangeError(`fromfd: fd ${n} has ${key} ${actual}, not ${v}`);
    }
  }
  const copy = dup(n);
  return new Socket(known.family, known.type, SOCKET.SO_PROTOCOL === 0 ? (proto ?? 0) : known.proto, copy);
}

/**
 * The timeout new sockets get, like Python's `socket.getdefaulttimeout`.
 *
 * @returns Seconds, or `null` (blocking: the default).
 */
export function getDefaultTimeout(): number | null {
  return defaultTimeout;
}

/**
 * Sets the timeout of sockets made from now on (new, accepted, from fds),
 * like Python's `socket.setdefaulttimeout`.
 *
 * @param timeout Seconds, 0 (non-blocking) or `null` (blocking).
 * @throws {RangeError} For a negative, NaN or infinite timeout.
 * @example
 * ```ts ignore
 * socket.setDefaultTimeout(5);
 * ```
 */
export function setDefaultTimeout(timeout: number | null): void {
  defaultTimeout = checkTimeout(timeout);
}

/**
 * A `struct ip_mreq` for `IP_ADD_MEMBERSHIP`/`IP_DROP_MEMBERSHIP`: the
 * group and the local interface's address, 4 bytes each.
 *
 * @param group The multicast group, such as `"239.1.2.3"`.
 * @param iface The local interface's IPv4 address (`"0.0.0.0"`: the kernel chooses).
 * @returns 8 bytes.
 * @example
 * ```ts ignore
 * udp.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.ipMreq("239.1.2.3"));
 * ```
 */
export function ipMreq(group: string, iface = "0.0.0.0"): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(8);
  out.set(inetPton(AF_INET, group), 0);
  out.set(inetPton(AF_INET, iface), 4);
  return out;
}

/**
 * A `struct ipv6_mreq` for `IPV6_JOIN_GROUP`/`IPV6_LEAVE_GROUP`: the group
 * and an interface index.
 *
 * @param group The multicast group, such as `"ff02::1:3"`.
 * @param ifindex The interface's index (0: the kernel chooses; see `ifNametoindex`).
 * @returns 20 bytes.
 * @example
 * ```ts ignore
 * udp.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.ipv6Mreq("ff02::1:3", socket.ifNametoindex("lo")));
 * ```
 */
export function ipv6Mreq(group: string, ifindex = 0): Uint8Array<ArrayBuffer> {
  const index = checkU32(ifindex, "ifindex");
  const out = new Uint8Array(20);
  out.set(inetPton(AF_INET6, group), 0);
  new DataView(out.buffer).setUint32(16, index, true);
  return out;
}

/**
 * `CMSG_LEN(length)`: the `cmsg_len` of an ancillary item with `length`
 * bytes of data, as Python's `socket.CMSG_LEN`.
 *
 * @param length Bytes of data.
 * @returns The length with the header.
 * @example
 * ```ts ignore
 * socket.CMSG_LEN(4); // 20 on Linux
 * ```
 */
export function CMSG_LEN(length: number): number {
  return cmsgSize(length, (n) => cmsgLen(n), cmsgLen(0), "CMSG_LEN");
}

/**
 * `CMSG_SPACE(length)`: the room an ancillary item with `length` bytes of
 * data takes, padding included: add them up for `recvmsg`'s `ancbufsize`.
 *
 * @param length Bytes of data.
 * @returns The room in bytes.
 * @example
 * ```ts ignore
 * s.recvmsg(1024, socket.CMSG_SPACE(4 * maxfds));
 * ```
 */
export function CMSG_SPACE(length: number): number {
  return cmsgSize(length, (n) => cmsgSpace(n), cmsgSpace(1), "CMSG_SPACE");
}

/**
 * The value of `CMSG_LEN`/`CMSG_SPACE`, checked as CPython checks it: the
 * length at most `INT_MAX` (its `socklen_t` limit) less `CMSG_LEN(0)`, or
 * less `CMSG_SPACE(1)` for the space (the padding before and after).
 */
function cmsgSize(length: number, size: (n: number) => number, slack: number, name: string): number {
  const n = checkSize(length, "length");
  if (n > 0x7fffffff - slack) throw new RangeError(`${name}() argument out of range: ${n}`);
  return size(n);
}

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
  sock: Socket,
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
  sock: Socket,
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
  if (!(sock instanceof Socket)) throw new TypeError(`${what}: expected a socket.Socket, got ${show(sock)}`);
}
