/**
 * The system calls of one socket (CPython's `_socket.socket`): binding,
 * connecting, sending and receiving, options and names, the timeout mode,
 * ownership of the fd. {@linkcode Socket} (`_socket_object.ts`) adds what
 * Python's `socket.py` adds on top: `accept`, `dup`, `makefile`, `sendfile`,
 * inheritance, the printed form.
 *
 * @module
 */
import { checkFd, checkInt, checkSize, checkU32 } from "./_validate.ts";
import { setFdFlag, waitReady } from "./_fd.ts";
import { adopt, release } from "./_claim.ts";
import { type Address, describeAddress, encodeAddress, familyName, toAddress } from "./_address.ts";
import { byteLength, byteRange, bytesOf, writeInto } from "./ffi/bytes.ts";
import { type Ancillary, type AncillaryInput, buffersOf, type BytesLike } from "./_ancillary.ts";
import { ERRNO, POLL, SOCKET } from "./ffi/constants.ts";
import { errno, errorFor, lastError, libc, MAX_IO } from "./ffi/mod.ts";
import { connectErrno, describeSocket, intOption } from "./ffi/platform.ts";
import { decodeSockaddr, SOCKADDR_STORAGE_SIZE } from "./ffi/sockaddr.ts";
import { AF_INET, AF_INET6, SO_ERROR, SOCK_STREAM, SOL_SOCKET, SOMAXCONN } from "./_socket_constants.ts";
import { checkSocketTimeout, getDefaultTimeout, intoLength, SEND_FLAGS, SocketIO } from "./_socket_io.ts";
import { receiveMessage, sendMessage } from "./_socket_msg.ts";

/** `sizeof(int)`: an int option's size. */
const INT_SIZE = 4;
/** The most bytes `getsockopt` reads for a raw option, as CPython caps `buflen` (1024). */
const MAX_OPTION_SIZE = 1024;
/** Python's default listen backlog: `min(SOMAXCONN, 128)`. */
const DEFAULT_BACKLOG = Math.min(SOMAXCONN, 128);
/** `SOCK_NONBLOCK | SOCK_CLOEXEC`: flags of `socket()`'s type, never part of the type itself. */
export const TYPE_FLAGS: number = SOCKET.SOCK_NONBLOCK | SOCKET.SOCK_CLOEXEC;
const { EINTR, EINPROGRESS, ETIMEDOUT } = ERRNO;

let ioOf: (sock: SocketBase) => SocketIO;

/**
 * The I/O engine of a socket, for the modules that build on `SocketBase`
 * (`_socket_object.ts`); never reachable from outside the package's modules.
 */
export function socketIO(sock: SocketBase): SocketIO {
  return ioOf(sock);
}

/**
 * The system calls of a socket, like CPython's `_socket.socket`. Use
 * {@linkcode Socket}, which adds `accept`, `dup`, `makefile` and `sendfile`.
 *
 * @typeParam A The shape of this socket's addresses.
 * @example
 * ```ts ignore
 * using s = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
 * s.sendto(new Uint8Array([1]), ["127.0.0.1", 9999]);
 * ```
 */
export class SocketBase<A extends Address = Address> implements Disposable {
  /** The fd and the timeout mode, behind the retry rules (`_socket_io.ts`). */
  readonly #io: SocketIO;
  /** This socket's claim on its fd number (`_claim.ts`). */
  #claim: number;
  /** The address family (`AF_INET`, `AF_INET6`, `AF_UNIX`). */
  readonly family: number;
  /** The socket type (`SOCK_STREAM`, `SOCK_DGRAM`). */
  readonly type: number;
  /** The protocol number (0: the family's default). */
  readonly proto: number;

  static {
    ioOf = (sock) => sock.#io;
  }

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
    let fd: number;
    let nonblocking = false;
    if (fileno !== undefined && fileno !== null) {
      fd = checkFd(fileno, "fileno");
      // Python: family, type and proto not given are learnt from the fd
      // itself (and a number that is no socket is ENOTSOCK here, not later).
      const known = family === undefined || type === undefined || proto === undefined
        ? describeSocket(fd)
        : null;
      this.family = family === undefined ? known!.family : checkInt(family, "family");
      this.type = (type === undefined ? known!.type : checkInt(type, "type")) & ~TYPE_FLAGS;
      this.proto = proto === undefined ? known!.proto : checkInt(proto, "proto");
    } else {
      this.family = family === undefined ? AF_INET : checkInt(family, "family");
      const t = type === undefined ? SOCK_STREAM : checkInt(type, "type");
      this.type = t & ~TYPE_FLAGS;
      this.proto = proto === undefined ? 0 : checkInt(proto, "proto");
      fd = libc().socket(this.family, this.type | SOCKET.SOCK_CLOEXEC, this.proto);
      if (fd < 0) throw lastError("socket");
      nonblocking = SOCKET.SOCK_NONBLOCK !== 0 && (t & SOCKET.SOCK_NONBLOCK) !== 0;
    }
    this.#io = new SocketIO(fd);
    this.#claim = adopt(this, fd, claimName(this.family, this.type));
    // Python: a new socket takes the default timeout (setDefaultTimeout); SOCK_NONBLOCK wins.
    const timeout = nonblocking ? 0 : getDefaultTimeout();
    if (timeout !== null) this.setTimeout(timeout);
  }

  /**
   * The fd, or -1 once closed or detached.
   *
   * @returns The fd.
   */
  fileno(): number {
    return this.#io.fd;
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
    if (libc().bind(this.#io.open(), sa, sa.length) < 0) throw lastError("bind", describeAddress(address));
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
    if (libc().listen(this.#io.open(), b) < 0) throw lastError("listen");
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
    const fd = this.#io.open();
    const sa = encodeAddress(this.family, address);
    const deadline = this.#io.deadline();
    const r = libc().connect(fd, sa, sa.length);
    if (r >= 0) return 0;
    // Winsock says WSAEWOULDBLOCK for a connect under way: EINPROGRESS here, on every OS.
    const e = connectErrno(errno());
    // EINTR: the connection still proceeds in the background (POSIX); wait for it.
    const waiting = e === EINTR || (e === EINPROGRESS && this.#io.timeout !== 0);
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
    // Nothing asked, nothing to wait for: CPython makes no call either (a blocking recv(fd, 0) waits for data).
    if (len === 0) {
      this.#io.open(); // a closed socket is still EBADF
      return new Uint8Array(0);
    }
    const buf = new Uint8Array(len);
    let n = libc().recv(this.#io.open(), buf, len, f);
    if (n < 0) n = this.#io.recvSlow(errno(), buf, len, f);
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
    const n = libc().recv(this.#io.open(), bytes, len, f);
    return n >= 0 ? n : this.#io.recvSlow(errno(), bytes, len, f);
  }

  /**
   * Receives a datagram (or stream bytes) and the sender's address.
   *
   * @param bufsize The most bytes.
   * @param flags `MSG_PEEK` and the like.
   * @returns `[bytes, address]`: the sender; on a stream socket (where Python gives None) the connected peer.
   * @example
   * ```ts ignore
   * const [data, from] = udp.recvfrom(2048);
   * ```
   */
  recvfrom(bufsize: number, flags = 0): [Uint8Array<ArrayBuffer>, A] {
    const len = Math.min(checkSize(bufsize, "bufsize"), MAX_IO);
    const f = checkInt(flags, "flags");
    const buf = new Uint8Array(len);
    const [n, from] = this.#recvfrom(buf, len, f);
    return [n === len ? buf : buf.slice(0, n), from];
  }

  /** recvfrom(2) into `bytes` (`len` of them), retried and waited as the timeout mode says. */
  #recvfrom(bytes: ArrayBufferView, len: number, flags: number): [number, A] {
    const addr = new Uint8Array(SOCKADDR_STORAGE_SIZE);
    const alen = new Uint32Array(1);
    const n = this.#io.run(
      (fd) => {
        alen[0] = SOCKADDR_STORAGE_SIZE;
        return libc().recvfrom(fd, bytes, len, flags, addr, alen);
      },
      POLL.POLLIN,
      "recvfrom",
    );
    const addrLen = Math.min(alen[0]!, SOCKADDR_STORAGE_SIZE);
    // No address (Linux, a stream socket), or none of a known family (Winsock's answer there).
    const raw = addrLen === 0 ? null : decodeSockaddr(addr, addrLen);
    return [n, (raw === null || raw.family === "other" ? this.#sender() : toAddress(raw)) as A];
  }

  /**
   * The sender when the kernel names none (a stream socket: Python says
   * None): the connected peer, or the family's empty address.
   */
  #sender(): Address {
    try {
      return this.getpeername();
    } catch {
      return this.family === AF_INET ? ["0.0.0.0", 0] : this.family === AF_INET6 ? ["::", 0, 0, 0] : "";
    }
  }

  /**
   * Receives a datagram (or stream bytes) into a buffer you own, and the
   * sender's address, like Python's `socket.recvfrom_into`.
   *
   * @param buffer Where the bytes go.
   * @param nbytes The most bytes (0: the buffer's length).
   * @param flags `MSG_PEEK` and the like.
   * @returns `[nbytes, address]`: the sender; on a stream socket (where Python gives None) the connected peer.
   * @throws {RangeError} For an empty buffer, or `nbytes` beyond it.
   * @example
   * ```ts ignore
   * const buf = new Uint8Array(2048);
   * const [n, from] = udp.recvfromInto(buf);
   * ```
   */
  recvfromInto(buffer: ArrayBufferView | ArrayBuffer, nbytes = 0, flags = 0): [number, A] {
    const bytes = bytesOf(buffer, "buffer");
    const len = intoLength(bytes, nbytes, "recvfromInto");
    return this.#recvfrom(bytes, len, checkInt(flags, "flags"));
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
    const n = libc().send(this.#io.open(), bytes, len, f);
    return n >= 0 ? n : this.#io.sendSlow(errno(), bytes, len, f);
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
    const deadline = this.#io.deadline();
    for (let off = 0; off < size;) {
      const len = Math.min(size - off, MAX_IO);
      const chunk = off === 0 && len === size ? bytes : byteRange(bytes, off, off + len);
      off += this.#io.run((fd) => libc().send(fd, chunk, len, f), POLL.POLLOUT, "send", deadline);
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
    return this.#io.run((fd) => libc().sendto(fd, bytes, len, f, sa, sa.length), POLL.POLLOUT, "sendto");
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
    return sendMessage(this.#io, this.family, this.type, buffers, ancdata, flags, address);
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
    const msg = receiveMessage(this.#io, [len], ancbufsize, flags, "recvmsg");
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
    const msg = receiveMessage(this.#io, sizes, ancbufsize, flags, "recvmsg");
    const data = msg.data();
    for (let i = 0, at = 0; i < views.length && at < msg.count; at += sizes[i]!, i++) {
      writeInto(views[i]!, 0, data.subarray(at, Math.min(at + sizes[i]!, msg.count)));
    }
    return [msg.count, msg.ancillary, msg.flags, msg.address as A | null];
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
    this.#io.open();
    return this.#io.timeout !== 0;
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
    checkSocketTimeout(timeout);
    // The fd is non-blocking whenever a timeout is set: waits are done by poll.
    setFdFlag(this.#io.open(), "nonblock", timeout !== null);
    this.#io.timeout = timeout;
  }

  /**
   * The timeout mode.
   *
   * @returns Seconds, 0 (non-blocking) or `null` (blocking).
   */
  getTimeout(): number | null {
    return this.#io.timeout;
  }

  /** The timeout mode, as Python's `socket.timeout` attribute: seconds, 0 or `null`. */
  get timeout(): number | null {
    return this.#io.timeout;
  }

  /**
   * Sets a socket option.
   *
   * @param level `SOL_SOCKET`, `IPPROTO_TCP`, ...
   * @param option `SO_REUSEADDR`, `TCP_NODELAY`, ...
   * @param value An int (booleans become 0/1) or raw bytes; or `null` with `optlen`, Python's
   *   `setsockopt(level, optname, None, optlen)`: C's NULL and that length (AF_ALG's
   *   `ALG_SET_AEAD_AUTHSIZE` takes the tag size so; `SO_BINDTODEVICE` with 0 unbinds).
   * @param optlen Only with a `null` value: the length passed with it.
   * @throws {TypeError} For a `null` value without `optlen`, or `optlen` with any other value.
   * @example
   * ```ts ignore
   * s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
   * ```
   */
  setsockopt(level: number, option: number, value: number | boolean | ArrayBufferView): void;
  /** Passes C's NULL and `optlen` as the value, as Python's `setsockopt(level, optname, None, optlen)`. */
  setsockopt(level: number, option: number, value: null, optlen: number): void;
  setsockopt(
    level: number,
    option: number,
    value: number | boolean | ArrayBufferView | null,
    optlen?: number,
  ): void {
    const l = checkInt(level, "level"), o = checkInt(option, "option");
    if (value === null) {
      if (optlen === undefined) throw nullOptionError("a null value needs optlen");
      const len = checkU32(optlen, "optlen");
      if (libc().setsockopt(this.#io.open(), l, o, null, len) < 0) throw lastError("setsockopt");
      return;
    }
    if (optlen !== undefined) throw nullOptionError("optlen goes with a null value only");
    const bytes = typeof value === "boolean" || typeof value === "number"
      ? intOptionValue(checkInt(Number(value), "value"))
      : bytesOf(value, "value");
    if (libc().setsockopt(this.#io.open(), l, o, bytes, byteLength(bytes, "value")) < 0) {
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
    const fd = this.#io.open(), l = checkInt(level, "level"), o = checkInt(option, "option");
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
    if (libc()[call](this.#io.open(), addr, len) < 0) throw lastError(call);
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
    if (libc().shutdown(this.#io.open(), checkInt(how, "how")) < 0) throw lastError("shutdown");
  }

  /**
   * Gives up ownership of the fd without closing it.
   *
   * @returns The fd (the socket's `fileno()` is -1 after).
   */
  detach(): number {
    const fd = this.#io.fd;
    if (fd < 0) return fd;
    this.#io.fd = -1;
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
    const fd = this.#io.fd;
    if (fd < 0) return;
    this.#io.fd = -1;
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

/** setsockopt()'s error for `optlen` without a null value, or a null value without it. */
function nullOptionError(what: string): TypeError {
  return new TypeError(`setsockopt: ${what} (Python's setsockopt(level, optname, None, optlen))`);
}

/** setsockopt()'s int value, for one call at a time. */
const INT_OPTION = new Int32Array(1);

function intOptionValue(value: number): Int32Array {
  INT_OPTION[0] = value;
  return INT_OPTION;
}

/** The ResourceWarning's name of each (family, type) seen: one string for all such sockets, not one each. */
const CLAIM_NAMES = new Map<number, string>();

function claimName(family: number, type: number): string {
  const key = family * 0x100000000 + (type >>> 0);
  let name = CLAIM_NAMES.get(key);
  if (name === undefined) {
    name = `socket (${familyName(family)}, type ${type})`;
    if (CLAIM_NAMES.size < 256) CLAIM_NAMES.set(key, name);
  }
  return name;
}

/** close(2) of a socket fd: ECONNRESET means the peer reset, and the fd is closed all the same (as in CPython). */
export function closeSocketFd(fd: number): void {
  if (libc().close(fd) < 0) {
    const e = errno();
    if (e !== ERRNO.ECONNRESET && e !== EINTR) throw errorFor(e, "close", `fd ${fd}`);
  }
}
