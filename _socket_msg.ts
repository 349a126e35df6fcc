/**
 * Messages (CPython's `sock_sendmsg`/`sock_recvmsg`): gather and scatter
 * lists and ancillary data laid out in one arena (`ffi/msghdr.ts`), and
 * `CMSG_LEN`/`CMSG_SPACE`. What the caller passes is checked in
 * `_ancillary.ts`; the socket methods that call these are `SocketBase`'s.
 *
 * @module
 */
import { checkInt, checkSize } from "./_validate.ts";
import { type Address, encodeAddress, toAddress } from "./_address.ts";
import { copyInto } from "./ffi/bytes.ts";
import { cmsgLen, cmsgSpace, Message } from "./ffi/msghdr.ts";
import {
  type Ancillary,
  type AncillaryInput,
  ancillaryOf,
  buffersOf,
  type BytesLike,
  MAX_ANCILLARY,
  settleReceived,
} from "./_ancillary.ts";
import { POLL, SOCKET } from "./ffi/constants.ts";
import { adapter, libc } from "./ffi/mod.ts";
import { intOption } from "./ffi/platform.ts";
import { decodeSockaddr, SOCKADDR_STORAGE_SIZE } from "./ffi/sockaddr.ts";
import { SEND_FLAGS, type SocketIO } from "./_socket_io.ts";

/** Below this many bytes, a non-blocking stream `sendmsg` copies everything without asking the send buffer's size. */
const STREAM_COPY_MIN = 256 * 1024;

/** What one recvmsg gave. */
export interface Received {
  count: number;
  data(): Uint8Array;
  ancillary: Ancillary[];
  flags: number;
  address: Address | null;
}

/**
 * sendmsg(2) on a socket's engine: the address and the ancillary items
 * first (the one may resolve a name, the other is copied), then the
 * buffers measured and copied, with no caller code in between.
 */
export function sendMessage(
  io: SocketIO,
  family: number,
  type: number,
  buffers: Iterable<BytesLike>,
  ancdata: Iterable<AncillaryInput>,
  flags: number,
  address: Address | null | undefined,
): number {
  const f = checkInt(flags, "flags") | SEND_FLAGS;
  // The address (which may resolve a name) and the ancillary items (copied)
  // first: no caller code runs between measuring the buffers and copying them.
  const name = address === undefined || address === null ? null : encodeAddress(family, address);
  const control = ancillaryOf(ancdata); // at most MAX_ANCILLARY bytes, checked before any copy
  const { views, sizes, total } = buffersOf(buffers, "sendmsg");
  let space = 0;
  for (const [, , data] of control) space += cmsgSpace(data.length);
  // A stream socket that does not block takes at most its send buffer's
  // room in one call: only that much is copied (1 GiB of gathered views is
  // not copied for a 200 KB partial send). A blocking one takes it all.
  if (io.timeout !== null && type === SOCKET.SOCK_STREAM && total > STREAM_COPY_MIN) {
    keepFirst(views, sizes, sendRoom(io.open()));
  }
  const msg = new Message(sizes, name === null ? 0 : name.length, space);
  if (name !== null) msg.setName(name);
  msg.setControl(control);
  const data = msg.data();
  for (let i = 0, at = 0; i < views.length; at += sizes[i]!, i++) copyInto(data, at, views[i]!, sizes[i]!);
  msg.link(adapter().addressOf(msg.bytes));
  return io.run((fd) => libc().sendmsg(fd, msg.bytes, f), POLL.POLLOUT, "sendmsg");
}

/**
 * The most bytes one non-blocking send on a stream socket can take: twice
 * its send buffer (`SO_SNDBUF`) plus a segment, and at least
 * {@linkcode STREAM_COPY_MIN}.
 */
function sendRoom(fd: number): number {
  return Math.max(2 * intOption(fd, SOCKET.SOL_SOCKET, SOCKET.SO_SNDBUF) + 65536, STREAM_COPY_MIN);
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

/** recvmsg(2) on a socket's engine into `sizes` buffers of its own, with `ancbufsize` bytes for ancillary data. */
export function receiveMessage(
  io: SocketIO,
  sizes: number[],
  ancbufsize: number,
  flags: number,
  syscall: string,
): Received {
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
  const count = io.run(
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
