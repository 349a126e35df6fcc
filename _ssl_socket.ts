/**
 * TLS on a socket: {@linkcode SSLSocket}, Python's `ssl.SSLSocket`, an
 * {@linkcode SSLObject} whose bytes go through the socket by its own
 * blocking, timeout or non-blocking rules.
 *
 * @module
 */
import type { CipherTuple } from "./_ssl_cipher.ts";
import { checkInt, checkSize, show } from "./_validate.ts";
import { byteLength, bytesOf } from "./ffi/bytes.ts";
import { BlockingIOError, OSError } from "./errors.ts";
import { ERRNO } from "./ffi/constants.ts";
import { closedSocketError } from "./_socket_io.ts";
import {
  type BinaryMode,
  sendfileBySend,
  sendfileRange,
  type Socket,
  type TextMode,
} from "./_socket_object.ts";
import type { FileObj } from "./selector.ts";
import type { Address } from "./_address.ts";
import { DEFAULT_BUFFER_SIZE, type SocketFile } from "./_socket_file.ts";
import { makeFile, type SocketTextFile, type TextOptions } from "./_socket_text_file.ts";
import type { PeerCertificate } from "./_ssl_cert.ts";
import { checkFlag, MAX_CHUNK, type WrapOptions } from "./_ssl_constants.ts";
import {
  SSL_ERROR_SSL,
  SSLEOFError,
  SSLError,
  sslError,
  SSLWantReadError,
  SSLWantWriteError,
  wantRead,
  wantWrite,
} from "./_ssl_errors.ts";
import { MemoryBIO, readLength, type SSLContextLike, SSLObject, tryReadInto, WANT_READ } from "./_ssl_bio.ts";
import type { SSLSession } from "./_ssl_session.ts";

/** Bytes for the peer held here beyond which a non-blocking send waits for the socket (SSLWantWriteError). */
const MAX_HELD = 256 * 1024;

/** Whether `sock` has a peer (Python's test: `getpeername()` fails with ENOTCONN on one that has none). */
function isConnected(sock: Socket): boolean {
  try {
    sock.getpeername();
    return true;
  } catch (e) {
    if (e instanceof OSError && (e.errno === ERRNO.ENOTCONN || e.errno === ERRNO.EINVAL)) return false;
    throw e;
  }
}

/**
 * TLS on a socket, Python's `ssl.SSLSocket`: register it with a selector
 * (`fileno()`), and read and write plain bytes. The socket's mode rules: a
 * blocking socket waits, one with a timeout throws `TimeoutError` (Python's
 * `socket.timeout`), a non-blocking one throws {@linkcode SSLWantReadError}
 * or {@linkcode SSLWantWriteError}: wait for that readiness and call again.
 * Decrypted bytes can wait inside (`pending()`) with no readiness on the fd:
 * read until `pending()` is 0 before waiting again.
 */
export class SSLSocket implements Disposable {
  readonly #sock: Socket;
  readonly #tls: SSLObject;
  /** Bytes for the peer that the socket did not take yet. */
  #held: Uint8Array[] = [];
  #heldBytes = 0;
  /** What a send() that threw SSLWantWriteError took (-1: none): its call again returns it. */
  #taken = -1;
  /**
   * The one buffer between the socket and OpenSSL, both ways: a receive goes
   * through it into the incoming BIO, OpenSSL's records through it to the
   * socket; each use ends before the next begins (what the socket does not
   * take is copied out).
   */
  #buf = new Uint8Array(16384 + 512);
  /** `#buf`'s first `#viewLength` bytes, remade only when the length changes. */
  #view = this.#buf.subarray(0, 0);
  #viewLength = 0;
  #eof = false;
  /** Whether close() ran: I/O then raises EBADF, and the questions about the connection answer nothing, as Python's. */
  #closed = false;
  /** Whether the socket was connected when wrapped, or `connect()` ran since (Python's `_connected`). */
  #connected: boolean;
  /** The wrap's options, for `connect()` (the handshake) and `accept()` (the connections' own). */
  readonly #options: WrapOptions;

  /**
   * Use {@linkcode SSLContext.wrapSocket}.
   *
   * @param context The context.
   * @param sock The socket (owned from now on).
   * @param options See {@linkcode WrapOptions}.
   */
  constructor(context: SSLContextLike, sock: Socket, options: WrapOptions = {}) {
    if (typeof sock !== "object" || sock === null || typeof sock.recvInto !== "function") {
      throw new TypeError(`Invalid sock: expected a socket.Socket, got ${show(sock)}`);
    }
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`Invalid options: ${show(options)}`);
    }
    const { doHandshakeOnConnect = true, serverSide = false, serverHostname = null } = options;
    checkFlag(doHandshakeOnConnect, "doHandshakeOnConnect");
    // Python's SSLSocket checks these first (its SSLObject, over memory, does not).
    if (serverSide === true && serverHostname) {
      throw new RangeError("serverHostname can only be specified in client mode");
    }
    if (serverSide !== true && context.checkHostname && !serverHostname) {
      throw new RangeError("checkHostname requires serverHostname");
    }
    this.#tls = new SSLObject(context, new MemoryBIO(), new MemoryBIO(), options);
    this.#tls.owner = this; // what an sniCallback receives
    this.#sock = sock;
    this.#options = options;
    this.#connected = isConnected(sock);
    if (this.#connected && doHandshakeOnConnect) {
      try {
        this.doHandshake();
      } catch (e) {
        if (!(e instanceof SSLWantReadError || e instanceof SSLWantWriteError)) {
          this.#tls.close();
          throw e;
        }
        // A non-blocking socket: the caller drives the rest, as in Python.
      }
    }
  }

  /**
   * Connects a socket wrapped before it was connected, then runs the
   * handshake (unless `doHandshakeOnConnect: false`), as Python's
   * `ctx.wrap_socket(socket.socket(), server_hostname=...).connect(address)`.
   *
   * @param address The server's address.
   * @throws {RangeError} On a server side, or when already connected (Python's ValueError).
   * @example
   * ```ts ignore
   * using tls = ctx.wrapSocket(new socket.Socket(), { serverHostname: "example.com" });
   * tls.connect(["example.com", 443]);
   * ```
   */
  connect(address: Address): void {
    this.#connecting();
    this.#sock.connect(address);
    this.#connected = true;
    if (this.#options.doHandshakeOnConnect !== false) this.doHandshake();
  }

  /**
   * {@linkcode SSLSocket.connect} returning the errno instead of raising it
   * (0 when connected, then the handshake as `connect`; `EINPROGRESS` on a
   * non-blocking socket: wait until writable, then drive `doHandshake()`).
   *
   * @param address The server's address.
   * @returns 0 or an errno.
   */
  connectEx(address: Address): number {
    this.#connecting();
    const rc = this.#sock.connectEx(address);
    this.#connected = true; // its TLS is under way: a second connect is refused, as Python's
    if (rc === 0 && this.#options.doHandshakeOnConnect !== false) this.doHandshake();
    return rc;
  }

  #connecting(): void {
    this.#openForIo();
    if (this.serverSide) throw new RangeError("can't connect in server-side mode");
    if (this.#connected) throw new RangeError("attempt to connect already-connected SSLSocket!");
  }

  /**
   * Binds the socket (before `listen()` or `connect()`), as the socket's own `bind`.
   *
   * @param address The local address.
   */
  bind(address: Address): void {
    this.#sock.bind(address);
  }

  /**
   * Listens on the socket, whose `accept()` then gives TLS sockets.
   *
   * @param backlog Pending connections to queue.
   */
  listen(backlog?: number): void {
    this.#sock.listen(backlog);
  }

  /**
   * Accepts a connection on a wrapped listening socket and wraps it as a
   * server side with this socket's context and options (its handshake runs
   * now unless `doHandshakeOnConnect: false`), as Python's `SSLSocket.accept`.
   *
   * @returns The TLS connection and the peer's address.
   * @example
   * ```ts ignore
   * using server = ctx.wrapSocket(socket.createServer(["127.0.0.1", 8443]), { serverSide: true });
   * const [conn, address] = server.accept();
   * ```
   */
  accept(): [SSLSocket, Address] {
    this.#openForIo();
    const [conn, address] = this.#sock.accept();
    const { doHandshakeOnConnect, suppressRaggedEofs } = this.#options;
    try {
      return [
        new SSLSocket(this.context, conn, { serverSide: true, doHandshakeOnConnect, suppressRaggedEofs }),
        address,
      ];
    } catch (e) {
      conn.close();
      throw e;
    }
  }

  /** The socket's fd, for selectors. */
  fileno(): number {
    return this.#sock.fileno();
  }

  /** The context: the one it was made from, or the one an `sniCallback` switched it to. */
  get context(): SSLContextLike {
    return this.#tls.context;
  }

  /** Switches to another context (its certificate and key), as an `sniCallback` does. */
  set context(context: SSLContextLike) {
    this.#tls.context = context;
  }

  /** The TLS session to resume later (see {@linkcode SSLObject.session}), or null. */
  get session(): SSLSession | null {
    return this.#tls.session;
  }

  /** Resumes `session` (a client, before the handshake). */
  set session(session: SSLSession) {
    this.#tls.session = session;
  }

  /** Whether the handshake resumed a session. */
  get sessionReused(): boolean {
    return this.#tls.sessionReused;
  }

  /** Whether this is the server side. */
  get serverSide(): boolean {
    return this.#tls.serverSide;
  }

  /** The name checked against the server's certificate, if any. */
  get serverHostname(): string | null {
    return this.#tls.serverHostname;
  }

  /**
   * Sends what is held and what OpenSSL wrote, as far as the socket takes it
   * now (all of it, on a blocking socket). Returns whether nothing is left held.
   */
  #flushSome(): boolean {
    while (this.#held.length > 0) {
      const head = this.#held[0]!;
      let sent: number;
      try {
        sent = this.#sock.send(head);
      } catch (e) {
        if (e instanceof BlockingIOError) {
          this.#holdOutgoing(); // behind what is held already
          return false;
        }
        throw e;
      }
      this.#heldBytes -= sent;
      if (sent === head.length) this.#held.shift();
      else this.#held[0] = head.subarray(sent);
    }
    // Nothing held: OpenSSL's records go straight out through one reused buffer.
    const out = this.#tls.outgoing, buf = this.#buf;
    for (let n = out.readIntoOwn(buf); n > 0; n = out.readIntoOwn(buf)) {
      for (let at = 0; at < n;) {
        let sent: number;
        try {
          sent = this.#sock.send(at === 0 ? this.#head(n) : buf.subarray(at, n));
        } catch (e) {
          // Full, or failed (a timeout may be retried): keep the rest, in order.
          this.#hold(buf.slice(at, n));
          this.#holdOutgoing();
          if (e instanceof BlockingIOError) return false;
          throw e;
        }
        at += sent;
      }
    }
    return true;
  }

  /** `#buf`'s first `n` bytes (a record is often the size of the one before). */
  #head(n: number): Uint8Array {
    if (n !== this.#viewLength) {
      this.#view = this.#buf.subarray(0, n);
      this.#viewLength = n;
    }
    return this.#view;
  }

  /** Keeps bytes for the peer that the socket did not take. */
  #hold(bytes: Uint8Array): void {
    this.#held.push(bytes);
    this.#heldBytes += bytes.length;
  }

  /** Moves what OpenSSL wrote into the held bytes, behind them (a copy: the socket is full). */
  #holdOutgoing(): void {
    const out = this.#tls.outgoing;
    if (out.pending > 0) this.#hold(out.read());
  }

  /** {@linkcode SSLSocket.#flushSome}, or SSLWantWriteError when a non-blocking socket cannot take it all. */
  #flush(): void {
    if (!this.#flushSome()) {
      throw wantWrite();
    }
  }

  /** One receive into OpenSSL's incoming BIO; throws SSLWantReadError when a non-blocking socket has nothing. */
  #fill(): void {
    if (this.#eof) throw sslError(SSLEOFError, 8, "EOF occurred in violation of protocol");
    let n: number;
    try {
      n = this.#sock.recvInto(this.#buf);
    } catch (e) {
      if (e instanceof BlockingIOError) {
        throw wantRead();
      }
      throw e;
    }
    if (n === 0) {
      this.#eof = true;
      this.#tls.incoming.writeEof();
      return;
    }
    this.#tls.incoming.writeOwn(this.#buf, n);
  }

  /**
   * Runs a TLS step until it completes, moving bytes through the socket as
   * its mode allows. Bytes for the peer go out as far as the socket takes
   * them, and never stop a read: while the peer's bytes are wanted, they are
   * received even if ours wait (two peers each waiting to be read would
   * otherwise wait for ever). A non-blocking socket's wait is the caller's:
   * SSLWantWriteError when bytes of ours are held, else SSLWantReadError.
   * With `mustSend` (handshake, shutdown), the step is done only once the
   * peer can have everything it needs.
   */
  #drive<R>(step: () => R, mustSend = false): R {
    for (;;) {
      let result: R;
      try {
        result = step();
      } catch (e) {
        if (e instanceof SSLWantReadError) {
          this.#wantRead();
          continue;
        }
        this.#flushQuietly();
        throw e;
      }
      if (mustSend) this.#flush();
      else this.#flushSome();
      return result;
    }
  }

  /** Sends what it can of an alert OpenSSL wrote before failing (the peer learns why). */
  #flushQuietly(): void {
    try {
      this.#flushSome();
    } catch { /* the connection is failing anyway */ }
  }

  /**
   * Runs the handshake.
   *
   * @throws {SSLWantReadError|SSLWantWriteError} On a non-blocking socket: wait, then call again.
   * @throws {SSLCertVerificationError} When the peer's certificate does not verify.
   */
  doHandshake(): void {
    this.#openForIo();
    this.#drive(() => this.#tls.doHandshake(), true);
  }

  /** @throws {OSError} EBADF once closed, as the socket's own calls. */
  #openForIo(): void {
    if (this.#closed) throw closedSocketError();
  }

  /** Python's SSLSocket takes no flags but 0 (`MSG_PEEK` and the rest have no meaning over TLS). */
  #noFlags(flags: number, call: string): void {
    if (checkInt(flags, "flags") !== 0) {
      throw new RangeError(`non-zero flags not allowed in calls to ${call}() on SSLSocket`);
    }
  }

  /**
   * Receives at most `n` decrypted bytes.
   *
   * @param n The most bytes.
   * @param flags 0 (Python's SSLSocket refuses any other).
   * @returns The bytes; empty at the end of the stream.
   */
  recv(n = 16384, flags = 0): Uint8Array<ArrayBuffer> {
    this.#noFlags(flags, "recv");
    this.#openForIo();
    const len = Math.min(checkSize(n, "n"), MAX_CHUNK);
    if (len === 0) {
      this.#flushSome(); // as any read: what is held goes out
      return new Uint8Array(0);
    }
    const buf = new Uint8Array(len);
    const got = this.#receive(buf, len);
    return got === len ? buf : buf.slice(0, got);
  }

  /** Python's name for {@linkcode SSLSocket.recv} on an SSLSocket. @param n The most bytes. @returns The bytes. */
  read(n = 16384): Uint8Array<ArrayBuffer> {
    return this.recv(n);
  }

  /**
   * Receives into a buffer you own.
   *
   * @param buffer Where the bytes go.
   * @param nbytes The most (0, a negative number or more than it holds: the buffer's length, as Python's).
   * @param flags 0 (Python's SSLSocket refuses any other).
   * @returns How many; 0 at the end of the stream.
   */
  recvInto(buffer: ArrayBufferView | ArrayBuffer, nbytes = 0, flags = 0): number {
    this.#noFlags(flags, "recv_into");
    this.#openForIo();
    const view = bytesOf(buffer, "buffer");
    const len = readLength(view, nbytes);
    if (len === 0) {
      this.#flushSome(); // as any read: what is held goes out
      return 0;
    }
    return this.#receive(view, len);
  }

  /**
   * `#drive` for a read, with no exception while the record is still on its
   * way: OpenSSL's WANT_READ comes back as a value (see `tryReadInto`), the
   * socket is read, and SSL_read runs again. What the caller waits for
   * (SSLWantReadError, SSLWantWriteError) is thrown as `#drive` throws it.
   */
  #receive(view: ArrayBufferView, len: number): number {
    for (;;) {
      let r: number;
      try {
        r = tryReadInto(this.#tls, view, len);
      } catch (e) {
        this.#flushQuietly();
        throw e;
      }
      if (r !== WANT_READ) {
        this.#flushSome();
        return r;
      }
      this.#wantRead();
    }
  }

  /**
   * OpenSSL wants the peer's bytes: sends what is held (it never stops a
   * read), then receives once into the incoming BIO. Throws what a
   * non-blocking socket's caller must wait for: SSLWantReadError, or
   * SSLWantWriteError while bytes of ours are still held.
   */
  #wantRead(): void {
    const flushed = this.#flushSome();
    try {
      this.#fill();
    } catch (wait) {
      if (wait instanceof SSLWantReadError && !flushed) this.#flush(); // throws SSLWantWriteError
      throw wait;
    }
  }

  /**
   * Sends bytes (encrypted). It returns only once the socket has every byte
   * of their records, as Python's does: on a non-blocking socket that is
   * full, it throws {@linkcode SSLWantWriteError}; wait until writable and
   * call again with the same bytes (OpenSSL's rule): that call sends what is
   * left and returns how many of them the first call took. So a loop that
   * goes back to waiting for input after `send()` returns never leaves a
   * reply stuck here.
   *
   * @param data The bytes.
   * @param flags 0 (Python's SSLSocket refuses any other).
   * @returns How many were sent.
   * @throws {SSLWantWriteError} When a non-blocking socket is full: call again with the same bytes once writable.
   * @throws {SSLError} `BAD_LENGTH` when that call passes fewer bytes than the first one took.
   */
  send(data: ArrayBufferView | ArrayBuffer, flags = 0): number {
    this.#noFlags(flags, "send");
    this.#openForIo();
    if (this.#taken >= 0) return this.#sendRetry(data);
    if (this.#heldBytes > MAX_HELD) this.#flush(); // throws SSLWantWriteError while full (nothing taken)
    const n = this.#tls.write(data);
    if (this.#flushSome()) return n;
    this.#taken = n;
    throw wantWrite();
  }

  /** The call again after a send() that threw SSLWantWriteError: finishes sending what that one took. */
  #sendRetry(data: ArrayBufferView | ArrayBuffer): number {
    const taken = this.#taken;
    if (byteLength(bytesOf(data), "data") < taken) {
      const entry = { code: 0, library: "SSL", reason: "BAD_LENGTH", reasonCode: 0, text: "bad length" };
      throw sslError(SSLError, SSL_ERROR_SSL, "bad length", entry);
    }
    this.#flush(); // throws SSLWantWriteError while the socket is still full
    this.#taken = -1;
    return taken;
  }

  /** Python's name for {@linkcode SSLSocket.send}. @param data The bytes. @returns How many were taken. */
  write(data: ArrayBufferView | ArrayBuffer): number {
    return this.send(data);
  }

  /**
   * Sends all the bytes (a blocking socket waits; a timeout covers each send).
   *
   * @param data The bytes.
   * @param flags 0 (Python's SSLSocket refuses any other).
   */
  sendall(data: ArrayBufferView | ArrayBuffer, flags = 0): void {
    this.#noFlags(flags, "sendall");
    this.#openForIo();
    this.#tls.write(data);
    this.#flush();
    this.#taken = -1; // a send() that waited is out too (its bytes went first)
  }

  /**
   * Decrypted bytes ready to read with no readiness on the fd: read them
   * before waiting again. Counts the records already taken off the fd too
   * (one receive can bring several; OpenSSL reads one at a time), which
   * Python's SSLSocket leaves in the kernel instead.
   */
  pending(): number {
    if (this.#closed) return 0;
    const n = this.#tls.pendingAfterPeek();
    this.#flushQuietly(); // a record can want an answer (a TLS 1.3 key update)
    return n;
  }

  /** The negotiated version (`"TLSv1.3"`), or null before the handshake. */
  version(): string | null {
    return this.#closed ? null : this.#tls.version();
  }

  /** `[name, version, secret bits]` of the cipher in use. */
  cipher(): CipherTuple | null {
    return this.#closed ? null : this.#tls.cipher();
  }

  /**
   * The cipher suites both ends can use, in the server's order: on a server
   * after the client's hello, null on a client (see {@linkcode SSLObject.sharedCiphers}).
   *
   * @returns The shared suites, or null.
   * @example
   * ```ts ignore
   * console.log(tls.sharedCiphers()?.length);
   * ```
   */
  sharedCiphers(): CipherTuple[] | null {
    return this.#closed ? null : this.#tls.sharedCiphers();
  }

  /**
   * Asks the client for its certificate now, after a TLS 1.3 handshake (see
   * {@linkcode SSLObject.verifyClientPostHandshake}).
   *
   * @example
   * ```ts ignore
   * tls.verifyClientPostHandshake();
   * ```
   */
  verifyClientPostHandshake(): void {
    this.#tls.verifyClientPostHandshake();
  }

  /**
   * The channel binding (`"tls-unique"`), or null before the handshake (see
   * {@linkcode SSLObject.getChannelBinding}).
   *
   * @param cbType `"tls-unique"`.
   * @returns The binding's bytes, or null.
   * @example
   * ```ts ignore
   * const binding = tls.getChannelBinding();
   * ```
   */
  getChannelBinding(cbType: string = "tls-unique"): Uint8Array<ArrayBuffer> | null {
    return this.#tls.getChannelBinding(cbType);
  }

  /** The ALPN protocol the server chose, or null. */
  selectedAlpnProtocol(): string | null {
    return this.#closed ? null : this.#tls.selectedAlpnProtocol();
  }

  /**
   * The peer's certificate as Python describes it, or with `true` its DER
   * bytes (see {@linkcode SSLObject.getpeercert}).
   *
   * @param binaryForm `true` for the DER bytes.
   * @returns The description or the bytes, or null.
   */
  getpeercert(binaryForm?: false): PeerCertificate | null;
  /** The peer's certificate in DER bytes, or null. */
  getpeercert(binaryForm: true): Uint8Array<ArrayBuffer> | null;
  getpeercert(binaryForm = false): PeerCertificate | Uint8Array<ArrayBuffer> | null {
    return binaryForm === true ? this.#tls.getpeercert(true) : this.#tls.getpeercert(binaryForm as false);
  }

  /**
   * Ends TLS (close_notify both ways) and returns the plain socket, which
   * stays open.
   *
   * @returns The socket.
   */
  unwrap(): Socket {
    this.#drive(() => this.#tls.unwrap(), true);
    this.#tls.close();
    return this.#sock;
  }

  /** The underlying socket's timeout mode, as `Socket.setTimeout`. @param timeout Seconds or null. */
  setTimeout(timeout: number | null): void {
    this.#sock.setTimeout(timeout);
  }

  /** As `Socket.setBlocking`. @param flag Blocking or not. */
  setBlocking(flag: boolean): void {
    this.#sock.setBlocking(flag);
  }

  /** As `Socket.getTimeout`: the timeout in seconds, 0 when non-blocking, null when blocking for ever. */
  getTimeout(): number | null {
    return this.#sock.getTimeout();
  }

  /** As `Socket.getBlocking`. */
  getBlocking(): boolean {
    return this.#sock.getBlocking();
  }

  /** As `Socket.getpeername`: the peer's address. */
  getpeername(): Address {
    return this.#sock.getpeername();
  }

  /** As `Socket.getsockname`: this end's address. */
  getsockname(): Address {
    return this.#sock.getsockname();
  }

  /** The socket's address family (`AF_INET`, ...). */
  get family(): number {
    return this.#sock.family;
  }

  /** The socket's type (`SOCK_STREAM`). */
  get type(): number {
    return this.#sock.type;
  }

  /** The socket's protocol number. */
  get proto(): number {
    return this.#sock.proto;
  }

  /**
   * Ends TLS without its closing exchange and shuts the socket down, as
   * Python's `SSLSocket.shutdown(how)` does (`unwrap()` is the orderly way).
   *
   * @param how `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`.
   */
  shutdown(how: number): void {
    this.#tls.close();
    this.#sock.shutdown(how);
  }

  /**
   * Sends a file's bytes through TLS, as Python's `SSLSocket.sendfile` does
   * (read and sent in chunks: the kernel's sendfile cannot encrypt); the
   * file's offset ends after the bytes sent. Not for non-blocking sockets.
   *
   * @param file An fd of a regular file, or an object with `fileno()`.
   * @param offset Where in the file to start.
   * @param count The most bytes (`null`: to the end of the file).
   * @returns How many bytes were sent.
   * @throws {RangeError} On a non-blocking socket (Python's ValueError).
   * @example
   * ```ts ignore
   * const fd = os.open("index.html", os.O_RDONLY);
   * tls.sendfile(fd);
   * ```
   */
  sendfile(file: FileObj, offset = 0, count: number | null = null): number {
    this.#openForIo();
    const { fd, start, limit } = sendfileRange(file, offset, count);
    if (this.#sock.getTimeout() === 0) {
      throw new RangeError("sendfile: non-blocking sockets are not supported");
    }
    return sendfileBySend(fd, start, limit, (bytes) => this.sendall(bytes));
  }

  /** The compression in use: null, as with every OpenSSL 3 context here (`OP_NO_COMPRESSION`), as Python says. */
  compression(): string | null {
    return null;
  }

  /**
   * A file over the TLS stream, as `Socket.makefile` gives over a socket
   * (Python's `SSLSocket.makefile`): `"rb"`/`"wb"`/`"rwb"` binary, text
   * otherwise; reads and writes go through TLS.
   *
   * @param mode The mode.
   * @param bufferSize The buffer's size in bytes; a negative number, 0 or `null`: the default (8 KiB).
   * @param options Text options (encoding, errors, newline).
   * @returns The file.
   * @example
   * ```ts ignore
   * using f = tls.makefile("rb");
   * const statusLine = f.readline();
   * ```
   */
  makefile(mode: BinaryMode, bufferSize?: number | null): SocketFile;
  /** A text file over the TLS stream (see the first signature). */
  makefile(mode?: TextMode, bufferSize?: number | null, options?: TextOptions): SocketTextFile;
  /** A binary or text file, as the mode says (see the first signature). */
  makefile(mode: string, bufferSize?: number | null, options?: TextOptions): SocketFile | SocketTextFile;
  makefile(
    mode = "r",
    bufferSize: number | null = DEFAULT_BUFFER_SIZE,
    options?: TextOptions,
  ): SocketFile | SocketTextFile {
    return makeFile(this, mode, bufferSize, options);
  }

  /** Frees the TLS connection and closes the socket. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#tls.close();
    this.#sock.close();
  }

  /** Closes it at the end of a `using` scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}
