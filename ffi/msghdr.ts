/**
 * `struct msghdr`, `struct iovec` and `struct cmsghdr` for sendmsg(2) and
 * recvmsg(2): the only structs of this module that hold pointers to other
 * memory.
 *
 * Every pointer in a message points into one arena, a buffer this module
 * allocates itself with `new ArrayBuffer()` (whose bytes neither V8 nor
 * JavaScriptCore ever move, unlike a small typed array's). The caller's bytes
 * are copied in and out of it: C never sees an address of the caller's
 * memory, and no length of the caller's object is trusted. The arena's base
 * address is taken once, right before the one FFI call that passes the arena
 * itself as its buffer argument (which keeps it alive through the call).
 *
 * Layouts (all LP64, little-endian):
 * - Linux (glibc and musl): `msghdr` is 56 bytes: name 0, namelen 8, iov 16,
 *   iovlen 24, control 32, controllen 40, flags 48 (musl declares iovlen and
 *   controllen as 32-bit with padding after them, so the 64-bit values written
 *   here read the same); `cmsghdr` is 16 bytes, data aligned to 8.
 * - macOS: `msghdr` 48 bytes (iovlen 24 and controllen 40 are 32-bit, flags
 *   44); `cmsghdr` 12 bytes, data aligned to 4.
 * - FreeBSD: `msghdr` as macOS; `cmsghdr` 12 bytes, data aligned to 8 (16).
 *
 * @module
 */
import { OS } from "./_host.ts";

/** The OS families whose layouts differ. */
export type MsgFlavour = "linux" | "darwin" | "freebsd";

/** The message layout of one OS family. */
export interface MsgLayout {
  readonly msghdrSize: number;
  readonly iovlenOffset: number;
  readonly controlOffset: number;
  readonly controllenOffset: number;
  readonly flagsOffset: number;
  /** `sizeof(struct cmsghdr)` before alignment. */
  readonly cmsgHeader: number;
  /** `CMSG_ALIGN`'s unit. */
  readonly cmsgAlign: number;
}

/** macOS (and, but for the alignment, FreeBSD): 32-bit iovlen and controllen, a 12-byte cmsghdr. */
const BSD_LAYOUT: MsgLayout = Object.freeze({
  msghdrSize: 48,
  iovlenOffset: 24,
  controlOffset: 32,
  controllenOffset: 40,
  flagsOffset: 44,
  cmsgHeader: 12,
  cmsgAlign: 4,
});

const LAYOUTS: Readonly<Record<MsgFlavour, MsgLayout>> = Object.freeze({
  linux: Object.freeze({
    msghdrSize: 56,
    iovlenOffset: 24,
    controlOffset: 32,
    controllenOffset: 40,
    flagsOffset: 48,
    cmsgHeader: 16,
    cmsgAlign: 8,
  }),
  darwin: BSD_LAYOUT,
  // FreeBSD's msghdr and cmsghdr are macOS's; its CMSG macros align to 8 (_ALIGN), macOS's to 4.
  freebsd: Object.freeze({ ...BSD_LAYOUT, cmsgAlign: 8 }),
});

/** The layout of an OS family (this host's by default). */
export function msgLayout(flavour: MsgFlavour = hostFlavour()): MsgLayout {
  return LAYOUTS[flavour];
}

function hostFlavour(): MsgFlavour {
  return OS === "darwin" ? "darwin" : OS === "freebsd" ? "freebsd" : "linux";
}

const IOVEC_SIZE = 16;
const SOCKADDR_SPACE = 128; // sizeof(struct sockaddr_storage)

function align(n: number, unit: number): number {
  return Math.ceil(n / unit) * unit;
}

/** Where `cmsg_level` is (`cmsg_type` follows): after `cmsg_len`, 8 bytes on Linux (size_t), 4 on the BSDs. */
function cmsgLevelOffset(layout: MsgLayout): number {
  return layout.cmsgHeader - 8;
}

/** `CMSG_LEN(length)`: a control message's `cmsg_len` for `length` bytes of data. */
export function cmsgLen(length: number, layout: MsgLayout = msgLayout()): number {
  return align(layout.cmsgHeader, layout.cmsgAlign) + length;
}

/** `CMSG_SPACE(length)`: the bytes a control message of `length` bytes of data takes, padding included. */
export function cmsgSpace(length: number, layout: MsgLayout = msgLayout()): number {
  return align(layout.cmsgHeader, layout.cmsgAlign) + align(length, layout.cmsgAlign);
}

/** One ancillary item: `[level, type, data]`, as Python's `sendmsg`/`recvmsg` have them. */
export type RawAncillary = [level: number, type: number, data: Uint8Array];

/**
 * One message laid out in its arena: the msghdr at offset 0, then the
 * iovecs, the address, the control buffer and the data.
 */
export class Message {
  /** The arena: pass it to sendmsg/recvmsg as the `struct msghdr *`. */
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  readonly #layout: MsgLayout;
  readonly #nameAt: number;
  readonly #controlAt: number;
  readonly #controlSpace: number;
  readonly #dataAt: number;
  readonly #sizes: readonly number[];

  /**
   * Lays out a message.
   *
   * @param sizes The byte count of each iovec's buffer.
   * @param nameSize The address's bytes to send (0: none), or, to receive, any non-zero value.
   * @param controlSpace Bytes of control buffer.
   */
  constructor(
    sizes: readonly number[],
    nameSize: number,
    controlSpace: number,
    layout: MsgLayout = msgLayout(),
  ) {
    this.#layout = layout;
    this.#sizes = sizes;
    const iovAt = layout.msghdrSize;
    this.#nameAt = iovAt + IOVEC_SIZE * sizes.length;
    this.#controlAt = align(this.#nameAt + (nameSize > 0 ? SOCKADDR_SPACE : 0), 8);
    this.#controlSpace = controlSpace;
    this.#dataAt = this.#controlAt + controlSpace;
    let total = this.#dataAt;
    for (const n of sizes) total += n;
    // A buffer of its own: never a small typed array whose bytes the engine may move.
    this.bytes = new Uint8Array(new ArrayBuffer(Math.max(total, 1)));
    this.#view = new DataView(this.bytes.buffer);
    if (nameSize > 0) this.#view.setUint32(8, Math.min(nameSize, SOCKADDR_SPACE), true);
    this.#view.setUint32(layout.iovlenOffset, sizes.length, true);
    this.#view.setUint32(layout.controllenOffset, controlSpace, true);
  }

  /**
   * Writes the pointers, from the arena's address (taken right before the call).
   *
   * @param base The address of `bytes[0]`.
   */
  link(base: bigint): void {
    const v = this.#view, l = this.#layout;
    v.setBigUint64(0, this.#sizeOfName() > 0 ? base + BigInt(this.#nameAt) : 0n, true);
    v.setBigUint64(16, this.#sizes.length > 0 ? base + BigInt(l.msghdrSize) : 0n, true);
    v.setBigUint64(l.controlOffset, this.#controlSpace > 0 ? base + BigInt(this.#controlAt) : 0n, true);
    let at = this.#dataAt;
    for (let i = 0; i < this.#sizes.length; i++) {
      const iov = l.msghdrSize + IOVEC_SIZE * i;
      v.setBigUint64(iov, base + BigInt(at), true);
      v.setBigUint64(iov + 8, BigInt(this.#sizes[i]!), true);
      at += this.#sizes[i]!;
    }
  }

  /** Before each recvmsg attempt: the room for an address and control data, no flags. */
  reset(): void {
    if (this.#controlAt > this.#nameAt) this.#view.setUint32(8, SOCKADDR_SPACE, true);
    this.#view.setUint32(this.#layout.controllenOffset, this.#controlSpace, true);
    this.#view.setInt32(this.#layout.flagsOffset, 0, true);
  }

  #sizeOfName(): number {
    return this.#view.getUint32(8, true);
  }

  /** The data area: every iovec's bytes, one after another. */
  data(): Uint8Array {
    return this.bytes.subarray(this.#dataAt);
  }

  /** The address area (`msg_name`), as long as the kernel says it is after recvmsg. */
  name(): Uint8Array {
    return this.bytes.subarray(this.#nameAt, this.#nameAt + Math.min(this.#sizeOfName(), SOCKADDR_SPACE));
  }

  /** Writes the address to send to. */
  setName(sockaddr: Uint8Array): void {
    this.bytes.set(sockaddr, this.#nameAt);
  }

  /** `msg_flags` after recvmsg. */
  flags(): number {
    return this.#view.getInt32(this.#layout.flagsOffset, true);
  }

  /** Writes control messages into the control area (its space must be their total). */
  setControl(items: readonly RawAncillary[]): void {
    const l = this.#layout;
    let at = this.#controlAt;
    for (const [level, type, data] of items) {
      this.#view.setUint32(at, cmsgLen(data.length, l), true);
      this.#view.setInt32(at + cmsgLevelOffset(l), level, true);
      this.#view.setInt32(at + cmsgLevelOffset(l) + 4, type, true);
      this.bytes.set(data, at + align(l.cmsgHeader, l.cmsgAlign));
      at += cmsgSpace(data.length, l);
    }
  }

  /**
   * Reads the control messages the kernel wrote (its `msg_controllen`), as
   * CPython does: an item whose length runs past the buffer keeps the bytes
   * that are there.
   */
  control(): RawAncillary[] {
    const l = this.#layout;
    const length = Math.min(this.#view.getUint32(l.controllenOffset, true), this.#controlSpace);
    const end = this.#controlAt + length;
    const dataOffset = align(l.cmsgHeader, l.cmsgAlign);
    const out: RawAncillary[] = [];
    let at = this.#controlAt;
    while (at + l.cmsgHeader <= end) {
      const len = this.#view.getUint32(at, true);
      if (len < dataOffset) break;
      const level = this.#view.getInt32(at + cmsgLevelOffset(l), true);
      const type = this.#view.getInt32(at + cmsgLevelOffset(l) + 4, true);
      const dataEnd = Math.min(at + len, end);
      out.push([level, type, this.bytes.slice(at + dataOffset, Math.max(dataEnd, at + dataOffset))]);
      at += align(len, l.cmsgAlign);
    }
    return out;
  }
}
