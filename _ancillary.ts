/**
 * What `sendmsg`/`recvmsg` take and give, checked at the boundary: lists of
 * buffers, ancillary items `[level, type, data]`, and the fds of SCM_RIGHTS.
 * The struct work itself is `ffi/msghdr.ts`'s.
 *
 * @module
 */
import { checkInt, show } from "./_validate.ts";
import { type FileObj, fileobjToFd } from "./selector.ts";
import { forget } from "./_claim.ts";
import { setFdFlag } from "./_fd.ts";
import { byteLength, bytesOf, type CBytes, copyInto } from "./ffi/bytes.ts";
import { ERRNO, SOCKET } from "./ffi/constants.ts";
import { MAX_IO } from "./ffi/mod.ts";
import { cmsgSpace, type RawAncillary } from "./ffi/msghdr.ts";
import { OSError } from "./errors.ts";

/** Linux's `UIO_MAXIOV` (and IOV_MAX on macOS and FreeBSD): the most buffers one message takes. */
export const IOV_MAX = 1024;

/** `sizeof(int)`: one fd in an SCM_RIGHTS item. */
const FD_SIZE = 4;

/** Bytes the caller passed, as any of the shapes `send` takes. */
export type BytesLike = ArrayBufferView | ArrayBuffer;

/** One ancillary item: `[level, type, data]`, as Python's `sendmsg`/`recvmsg` have them. */
export type Ancillary = [level: number, type: number, data: Uint8Array<ArrayBuffer>];

/** Ancillary items as `sendmsg` takes them: any `[level, type, bytes]`. */
export type AncillaryInput = readonly [level: number, type: number, data: BytesLike];

/**
 * A caller's iterable as a real array, read once through the engine's own
 * iteration; at most `max` items, or the kernel's error for more.
 */
function listOf<T>(items: Iterable<T>, what: string, syscall: string, max: number): T[] {
  if (
    typeof items === "string" || items === null || typeof items !== "object" && typeof items !== "function"
  ) {
    throw new TypeError(`Invalid ${what}: expected an iterable, got ${show(items)}`);
  }
  const out: T[] = [];
  for (const item of items) {
    if (out.length === max) {
      throw new OSError(ERRNO.EMSGSIZE, syscall, {
        description: "Message too long",
        detail: `more than ${max} ${what}`,
      });
    }
    out.push(item);
  }
  return out;
}

/** The caller's buffers, each checked, and their true lengths. */
export function buffersOf(
  buffers: Iterable<BytesLike>,
  syscall: string,
): { views: CBytes[]; sizes: number[]; total: number } {
  const views: CBytes[] = [], sizes: number[] = [];
  let total = 0;
  for (const b of listOf(buffers, "buffers", syscall, IOV_MAX)) {
    const v = bytesOf(b, "buffer");
    const n = byteLength(v, "buffer");
    total += n;
    if (total > MAX_IO) throw new RangeError(`${syscall}: more than ${MAX_IO} bytes in one message`);
    views.push(v);
    sizes.push(n);
  }
  return { views, sizes, total };
}

/** The most bytes of ancillary data one message carries or makes room for (Linux's optmem_max is far below). */
export const MAX_ANCILLARY = 1 << 20;

/**
 * The caller's ancillary items, copied: `[level, type, bytes]` each. Every
 * item is read and measured first, and the total refused past
 * {@linkcode MAX_ANCILLARY} ("too much ancillary data", as CPython) before a
 * byte is copied; no caller code runs between measuring and copying.
 */
export function ancillaryOf(items: Iterable<AncillaryInput>): RawAncillary[] {
  const parts: unknown[][] = [];
  for (const item of listOf(items, "ancillary items", "sendmsg", IOV_MAX)) {
    if (typeof item !== "object" || item === null) {
      throw new TypeError(`Invalid ancillary item: expected [level, type, data], got ${show(item)}`);
    }
    const three = listOf(item as Iterable<unknown>, "ancillary item parts", "sendmsg", 4);
    if (three.length !== 3) {
      throw new TypeError(`Invalid ancillary item: expected [level, type, data], got ${three.length} parts`);
    }
    parts.push(three);
  }
  const measured: Array<[number, number, CBytes, number]> = [];
  let space = 0;
  for (const [level, type, data] of parts) {
    const view = bytesOf(data, "ancillary data");
    const length = byteLength(view, "ancillary data");
    space += cmsgSpace(length);
    if (space > MAX_ANCILLARY) {
      throw new RangeError(`sendmsg: too much ancillary data: more than ${MAX_ANCILLARY} bytes`);
    }
    measured.push([checkInt(level, "level"), checkInt(type, "type"), view, length]);
  }
  return measured.map(([level, type, view, length]) => {
    const copy = new Uint8Array(length);
    copyInto(copy, 0, view, length);
    return [level, type, copy];
  });
}

/** The fds of a list, as an SCM_RIGHTS item's bytes (`int`s, native order). */
export function rightsOf(fds: Iterable<FileObj>): Uint8Array {
  const list = listOf(fds, "fds", "sendmsg", 253); // SCM_MAX_FD
  const bytes = new Uint8Array(list.length * FD_SIZE);
  const view = new DataView(bytes.buffer);
  list.forEach((f, i) => view.setInt32(i * FD_SIZE, fileobjToFd(f), true));
  return bytes;
}

/** The whole fds of an SCM_RIGHTS item's bytes (a partial int at the end is dropped, as in CPython). */
export function fdsIn(data: Uint8Array): number[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: number[] = [];
  for (let at = 0; at + FD_SIZE <= data.length; at += FD_SIZE) out.push(view.getInt32(at, true));
  return out;
}

/**
 * After recvmsg: every fd the kernel installed is a new number (so any older
 * claim on it is stale), and close-on-exec where `MSG_CMSG_CLOEXEC` could
 * not say so (macOS).
 */
export function settleReceived(items: readonly RawAncillary[]): void {
  for (const [level, type, data] of items) {
    if (level !== SOCKET.SOL_SOCKET || type !== SOCKET.SCM_RIGHTS) continue;
    for (const fd of fdsIn(data)) {
      forget(fd);
      if (SOCKET.MSG_CMSG_CLOEXEC === 0) setFdFlag(fd, "cloexec", true);
    }
  }
}
