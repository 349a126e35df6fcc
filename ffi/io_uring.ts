/**
 * io_uring through FFI, the little of it the reactor waiter (`_reactor.ts`)
 * needs: one ring, poll requests each linked to a one-byte write, a request
 * that cancels whatever is in flight, and reaping the polls' results.
 *
 * Layouts are Linux's uapi `io_uring.h`, the same on x86_64 and aarch64 (the
 * two architectures the runtimes ship for Linux), and so are the system call
 * numbers (asm-generic: io_uring_setup 425, io_uring_enter 426). Needs Linux
 * 5.19 (`IORING_ASYNC_CANCEL_ANY`), which {@linkcode Ring.open} checks.
 *
 * `struct io_uring_params` (120 bytes): sq_entries @0, cq_entries @4, flags
 * @8, features @20, `sq_off` @40 (head, tail, ring_mask, ring_entries, flags,
 * dropped, array: u32 offsets into the ring mapping), `cq_off` @80 (head,
 * tail, ring_mask, ring_entries, overflow, cqes). `struct io_uring_sqe` (64
 * bytes): opcode u8 @0, flags u8 @1, fd i32 @4, addr u64 @16, len u32 @24,
 * the op's flags u32 @28 (poll32_events, cancel_flags), user_data u64 @32.
 * `struct io_uring_cqe` (16 bytes): user_data u64 @0, res s32 @8, flags u32 @12.
 *
 * @module
 */
import { adapter, errno, errorFor, libc, uringLib } from "./mod.ts";
import { ERRNO } from "./constants.ts";

const SYS_IO_URING_SETUP = 425n, SYS_IO_URING_ENTER = 426n;
const PARAMS_SIZE = 120, SQE_SIZE = 64, CQE_SIZE = 16;
/** mmap offsets of the rings and of the SQE array. */
const IORING_OFF_SQ_RING = 0n, IORING_OFF_SQES = 0x10000000n;
/** `features`: one mapping holds both rings; completions are never dropped when the CQ ring is full. */
const IORING_FEAT_SINGLE_MMAP = 1 << 0, IORING_FEAT_NODROP = 1 << 1;
/** `flags`: `cq_entries` is ours, not twice `sq_entries`. */
const IORING_SETUP_CQSIZE = 1 << 3;
const IORING_OP_POLL_ADD = 6, IORING_OP_ASYNC_CANCEL = 14, IORING_OP_WRITE = 23;
/** The next request runs only when this one succeeds. */
const IOSQE_IO_LINK = 1 << 2;
/** Cancels every request in flight, whatever its user_data (Linux 5.19). */
const IORING_ASYNC_CANCEL_ANY = 1 << 2;
/** SQ ring flags: completions wait in the kernel for room in the CQ ring. */
const IORING_SQ_CQ_OVERFLOW = 1 << 1;
/** io_uring_enter: also flush completions the kernel holds back from a full CQ ring. */
const IORING_ENTER_GETEVENTS = 1 << 0;
const PROT_READ_WRITE = 3, MAP_SHARED = 1, MAP_POPULATE = 0x8000;
const MAP_FAILED = 0xffffffffffffffffn;
/** The tag of `open()`'s probe: a ring's users tag their polls from 1 upwards, and it is reaped before any. */
const PROBE_TAG = 1;

/**
 * One io_uring of this process: requests are queued with
 * {@linkcode Ring.pollThenWrite} and {@linkcode Ring.cancelAll}, handed to
 * the kernel by {@linkcode Ring.submit}. Its fd and mappings last as long as
 * the process (one fixed footprint: one fd, two mappings).
 *
 * @example
 * ```ts ignore
 * const ring = Ring.open(256, 1024);
 * ring.pollThenWrite(fd, POLL.POLLIN, wakeFd); // a byte into wakeFd when fd is readable
 * ring.submit();
 * ```
 */
export class Ring {
  /** The ring's fd. */
  readonly fd: number;
  /** SQEs that fit in one submission. */
  readonly entries: number;
  /** The ring mapping as 32-bit words (the heads, tails and the SQ index array). */
  readonly #words: Uint32Array;
  readonly #sqTail: number;
  /** The SQ ring's flags word (`IORING_SQ_CQ_OVERFLOW`: completions wait in the kernel for room in the CQ ring). */
  readonly #sqFlags: number;
  readonly #cqHead: number;
  readonly #cqTail: number;
  /** The CQE array's first word, and the CQ ring's mask. */
  readonly #cqes: number;
  readonly #cqMask: number;
  /** The ring mapping as 64-bit words (a CQE's user_data). */
  readonly #cqe64: BigUint64Array;
  readonly #mask: number;
  /** The SQE array, by byte, 32-bit word and 64-bit word. */
  readonly #sqe8: Uint8Array;
  readonly #sqe32: Int32Array;
  readonly #sqe64: BigUint64Array;
  /** What every WRITE sends: the ring mapping's first byte (any byte: only its arrival counts). */
  readonly #byte: bigint;
  #tail: number;
  #queued = 0;

  private constructor(fd: number, params: DataView, ring: bigint, ringSize: number, sqes: bigint) {
    const u32 = (at: number): number => params.getUint32(at, true);
    this.fd = fd;
    this.entries = u32(0);
    const mapped = adapter().mapMemory(ring, ringSize);
    this.#words = new Uint32Array(mapped);
    this.#sqTail = u32(44) / 4;
    this.#sqFlags = u32(56) / 4;
    this.#mask = this.#words[u32(48) / 4]!;
    this.#cqHead = u32(80) / 4;
    this.#cqTail = u32(84) / 4;
    this.#cqMask = this.#words[u32(88) / 4]!;
    this.#cqes = u32(100) / 4;
    this.#cqe64 = new BigUint64Array(mapped, 0, mapped.byteLength >> 3);
    const sqeBytes = adapter().mapMemory(sqes, this.entries * SQE_SIZE);
    this.#sqe8 = new Uint8Array(sqeBytes);
    this.#sqe32 = new Int32Array(sqeBytes);
    this.#sqe64 = new BigUint64Array(sqeBytes);
    this.#byte = ring;
    // Slot i of the SQ index array always names SQE i: SQEs are filled in ring order.
    const array = u32(64) / 4;
    for (let i = 0; i < this.entries; i++) this.#words[array + i] = i;
    this.#tail = this.#words[this.#sqTail]!;
  }

  /**
   * Sets up a ring of `entries` submission slots and `cqEntries` completion
   * slots (powers of two), and maps it.
   *
   * @throws {OSError} The kernel's refusal: ENOSYS (no io_uring), EPERM
   *   (`io_uring_disabled`, seccomp), ENOMEM, EMFILE; EOPNOTSUPP for a
   *   kernel older than what the waiter needs.
   */
  static open(entries: number, cqEntries: number): Ring {
    const lib = uringLib();
    const params = new Uint8Array(new ArrayBuffer(PARAMS_SIZE));
    const view = new DataView(params.buffer);
    view.setUint32(4, cqEntries, true);
    view.setUint32(8, IORING_SETUP_CQSIZE, true);
    const fd = Number(
      lib.syscall(SYS_IO_URING_SETUP, BigInt(entries), adapter().addressOf(params), 0, 0, 0, 0),
    );
    if (fd < 0) throw errorFor(errno(), "io_uring_setup");
    try {
      const features = view.getUint32(20, true);
      const need = IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP;
      if ((features & need) !== need) throw errorFor(ERRNO.EOPNOTSUPP, "io_uring_setup", "kernel too old");
      const sqEntries = view.getUint32(0, true), cqCount = view.getUint32(4, true);
      const ringSize = Math.max(
        view.getUint32(64, true) + sqEntries * 4,
        view.getUint32(100, true) + cqCount * CQE_SIZE,
      );
      const ring = map(fd, ringSize, IORING_OFF_SQ_RING);
      const sqes = map(fd, sqEntries * SQE_SIZE, IORING_OFF_SQES);
      const made = new Ring(fd, view, ring, ringSize, sqes);
      made.#probeCancelAny();
      return made;
    } catch (e) {
      libc().close(fd); // the mappings, if made, stay until exit: a few pages, once
      throw e;
    }
  }

  /** Free submission slots before {@linkcode Ring.submit} must run. */
  get space(): number {
    return this.entries - this.#queued;
  }

  /**
   * Queues a poll of `fd` for `events` (poll(2)'s bits; errors and hang-ups
   * always count) linked to a one-byte write into `wakeFd`, which the kernel
   * makes when the poll fires (a cancelled poll cancels its write). Takes two slots.
   */
  pollThenWrite(fd: number, events: number, wakeFd: number, tag: number): void {
    this.#queue(IORING_OP_POLL_ADD, IOSQE_IO_LINK, fd, 0n, 0, events, tag);
    this.#queue(IORING_OP_WRITE, 0, wakeFd, this.#byte, 1, 0, 0);
  }

  /** Queues the cancelling of every request in flight (its own completion tagged `tag`, 0: untagged). Takes one slot. */
  cancelAll(tag = 0): void {
    this.#queue(IORING_OP_ASYNC_CANCEL, 0, -1, 0n, 0, IORING_ASYNC_CANCEL_ANY, tag);
  }

  /**
   * Whether completions wait in the kernel because the CQ ring was full
   * (never lost: `IORING_FEAT_NODROP`); {@linkcode Ring.flush} moves them in.
   */
  get overflowing(): boolean {
    return (Atomics.load(this.#words, this.#sqFlags) & IORING_SQ_CQ_OVERFLOW) !== 0;
  }

  /** Moves the completions the kernel holds back into the CQ ring (an `io_uring_enter` with nothing to submit). */
  flush(): void {
    this.#enter(0);
  }

  /**
   * Hands the queued requests to the kernel (retrying EINTR), which reads
   * every queued slot before it returns.
   *
   * @throws {OSError} When the kernel takes fewer than queued (EBUSY, EAGAIN, ENOMEM).
   */
  submit(): void {
    const queued = this.#queued;
    if (queued === 0) return;
    Atomics.store(this.#words, this.#sqTail, this.#tail);
    this.#queued = 0; // what the kernel did not take is given up with the ring: the caller falls back
    if (this.#enter(queued) < queued) {
      throw errorFor(ERRNO.EAGAIN, "io_uring_enter", "took fewer requests than queued");
    }
  }

  /**
   * `io_uring_enter` handing over `count` queued requests (and flushing held-back
   * completions), retrying EINTR; how many the kernel took.
   *
   * @throws {OSError} For any other failure.
   */
  #enter(count: number): number {
    for (;;) {
      const r = Number(
        uringLib().syscall(SYS_IO_URING_ENTER, this.fd, count, 0, IORING_ENTER_GETEVENTS, 0, 0),
      );
      if (r >= 0) return r;
      const e = errno();
      if (e !== ERRNO.EINTR) throw errorFor(e, "io_uring_enter");
    }
  }

  /**
   * Takes every completion waiting in the CQ ring, calling `each` with the
   * tag of each tagged request (given to {@linkcode Ring.pollThenWrite} or
   * {@linkcode Ring.cancelAll}) and its result (a poll's revents; a negative
   * errno such as -EBADF or -ECANCELED); untagged ones (the writes) are
   * dropped. Returns how many it took.
   */
  reap(each?: (tag: number, result: number) => void): number {
    const words = this.#words;
    const head = words[this.#cqHead]!, tail = Atomics.load(words, this.#cqTail);
    if (head === tail) return 0;
    if (each) {
      const cqes = this.#cqes, mask = this.#cqMask, cqe64 = this.#cqe64;
      for (let h = head; h !== tail; h = (h + 1) >>> 0) {
        const at = cqes + (h & mask) * (CQE_SIZE / 4); // user_data (u64) @0, res (s32) @8
        const tag = Number(cqe64[at >> 1]!);
        if (tag !== 0) each(tag, words[at + 2]! | 0);
      }
    }
    Atomics.store(words, this.#cqHead, tail);
    return (tail - head) >>> 0;
  }

  #queue(
    op: number,
    flags: number,
    fd: number,
    addr: bigint,
    len: number,
    opFlags: number,
    tag: number,
  ): void {
    if (this.#queued >= this.entries) throw new RangeError("io_uring submission queue full: submit() first");
    const slot = this.#tail & this.#mask;
    const w64 = slot * (SQE_SIZE / 8), w32 = slot * (SQE_SIZE / 4);
    this.#sqe64.fill(0n, w64, w64 + SQE_SIZE / 8);
    this.#sqe8[slot * SQE_SIZE] = op;
    this.#sqe8[slot * SQE_SIZE + 1] = flags;
    this.#sqe32[w32 + 1] = fd;
    this.#sqe64[w64 + 2] = addr;
    this.#sqe32[w32 + 6] = len;
    this.#sqe32[w32 + 7] = opFlags;
    if (tag !== 0) this.#sqe64[w64 + 4] = BigInt(tag);
    this.#tail = (this.#tail + 1) >>> 0;
    this.#queued++;
  }

  /** A cancel-any with nothing in flight: ENOENT where the kernel knows the flag, EINVAL where it is too old. */
  #probeCancelAny(): void {
    this.cancelAll(PROBE_TAG);
    this.submit();
    let refused = false; // not answered yet: nothing says it was refused
    this.reap((tag, result) => refused ||= tag === PROBE_TAG && result === -ERRNO.EINVAL);
    if (refused) throw errorFor(ERRNO.EOPNOTSUPP, "io_uring_enter", "kernel too old");
  }
}

function map(fd: number, length: number, offset: bigint): bigint {
  const p = uringLib().mmap(0n, length, PROT_READ_WRITE, MAP_SHARED | MAP_POPULATE, fd, offset);
  if (p === MAP_FAILED || p === 0n) throw errorFor(errno(), "mmap", "io_uring ring");
  return p;
}
