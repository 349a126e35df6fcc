/**
 * Fd ownership for objects that own one (sockets, selectors): what CPython's
 * `socket.__del__` and `ResourceWarning` do. An object dropped without
 * `close()` has its fd closed when the garbage collector finalizes it, with
 * one warning line on stderr.
 *
 * Never a wrong fd: a claim ends with `close()`/`detach()`, and it goes stale
 * as soon as the library sees its fd number closed by `os.close()` or handed
 * out again by the kernel (a new socket, pipe, epoll or kqueue fd with that
 * number). A stale claim is never acted on, so no finalizer closes an fd that
 * meanwhile belongs to another object. (A number closed and reused entirely
 * outside this library, e.g. by `node:fs` on a raw fd, is beyond its sight:
 * do not close a socket's fd behind its back.)
 *
 * What it costs, since 15 000 idle connections each carry it: one
 * FinalizationRegistry cell per fd (held value: the fd number; unregister
 * token: the owner), a claim number in the owner, and a few bytes per fd
 * *number* in the tables below, no object or map entry per socket. A cell
 * says only which number it was for, so each number counts the cells of its
 * stale claims (`stale`): a cell that fires while that count is above zero is
 * taken for a stale one. If it was in fact the live owner's (collected first),
 * its fd stays open until the last stale claim on that number ends (closed or
 * collected), which then closes it: later than it could be, never wrongly.
 *
 * @module
 */
import { libc } from "./ffi/mod.ts";

/**
 * Per fd number: the live claim (0: none), the count of stale claims' cells,
 * and what the live claim's owner is. Numbers below `denseLimit` sit in typed
 * arrays indexed by fd (grown by doubling as numbers appear); numbers above
 * it, which only `dup2` onto a high number (or a Windows handle) makes, in a
 * map. No object and no map entry per fd below the limit.
 *
 * @example
 * ```ts ignore
 * const table = new ClaimTable(65536);
 * table.setClaim(7, 1, "socket");
 * table.claimOf(7); // 1
 * ```
 */
export class ClaimTable {
  readonly #denseLimit: number;
  /** Claim numbers are never reused (exact to 2^53). */
  #claims = new Float64Array(256);
  #stale = new Uint32Array(256);
  /** One shared string per kind of owner. */
  #names: string[] = new Array<string>(256).fill("fd");
  #sparse = new Map<number, { claim: number; stale: number; what: string }>();

  constructor(denseLimit: number) {
    this.#denseLimit = denseLimit;
  }

  claimOf(fd: number): number {
    if (fd < this.#denseLimit) return fd < this.#claims.length ? this.#claims[fd]! : 0;
    return this.#sparse.get(fd)?.claim ?? 0;
  }

  staleOf(fd: number): number {
    if (fd < this.#denseLimit) return fd < this.#stale.length ? this.#stale[fd]! : 0;
    return this.#sparse.get(fd)?.stale ?? 0;
  }

  nameOf(fd: number): string {
    return (fd < this.#denseLimit ? this.#names[fd] : this.#sparse.get(fd)?.what) ?? "fd";
  }

  /** Sets the live claim of `fd` (0: none) and, unless null, its owner's kind. */
  setClaim(fd: number, claim: number, what: string | null): void {
    if (fd < this.#denseLimit) {
      this.#reach(fd);
      this.#claims[fd] = claim;
      if (what !== null) this.#names[fd] = what;
      return;
    }
    const slot = this.#sparse.get(fd);
    if (slot) {
      slot.claim = claim;
      if (what !== null) slot.what = what;
      if (claim === 0 && slot.stale === 0) this.#sparse.delete(fd);
    } else if (claim !== 0) {
      this.#sparse.set(fd, { claim, stale: 0, what: what ?? "fd" });
    }
  }

  setStale(fd: number, count: number): void {
    if (fd < this.#denseLimit) {
      this.#reach(fd);
      this.#stale[fd] = count;
      return;
    }
    const slot = this.#sparse.get(fd);
    if (slot) {
      slot.stale = count;
      if (count === 0 && slot.claim === 0) this.#sparse.delete(fd);
    } else if (count !== 0) {
      this.#sparse.set(fd, { claim: 0, stale: count, what: "fd" });
    }
  }

  /** Numbers held in the map (for tests: none once every claim above the limit ended). */
  get sparseSize(): number {
    return this.#sparse.size;
  }

  #reach(fd: number): void {
    if (fd < this.#claims.length) return;
    let size = this.#claims.length;
    while (size <= fd) size *= 2;
    const claims = new Float64Array(size);
    claims.set(this.#claims);
    this.#claims = claims;
    const stale = new Uint32Array(size);
    stale.set(this.#stale);
    this.#stale = stale;
    while (this.#names.length < size) this.#names.push("fd");
  }
}

/**
 * The claims of one process (the module's functions below use one instance).
 * Exported, with the table's dense limit a parameter, so a test can walk the
 * map above the limit with low fd numbers.
 *
 * @example
 * ```ts ignore
 * const claims = new Claims(65536);
 * const claim = claims.adopt(sock, fd, "socket");
 * if (claims.release(sock, fd, claim)) close(fd);
 * ```
 */
export class Claims {
  readonly table: ClaimTable;
  #last = 0;
  readonly #registry = new FinalizationRegistry<number>((fd) => this.collected(fd));

  constructor(denseLimit: number) {
    this.table = new ClaimTable(denseLimit);
  }

  /** See {@linkcode adopt}. */
  adopt(owner: object, fd: number, what: string): number {
    this.forget(fd);
    const claim = ++this.#last;
    this.table.setClaim(fd, claim, what);
    this.#registry.register(owner, fd, owner);
    return claim;
  }

  /** See {@linkcode release}. */
  release(owner: object, fd: number, claim: number): boolean {
    this.#registry.unregister(owner);
    if (fd < 0) return false; // detached or closed already
    const table = this.table;
    if (table.claimOf(fd) === claim) {
      table.setClaim(fd, 0, null);
      return true;
    }
    // A stale claim ends: its cell is gone, as if it had fired.
    this.collected(fd);
    return false;
  }

  /** See {@linkcode forget}: the live claim on `fd`, if any, goes stale. */
  forget(fd: number): void {
    const table = this.table;
    if (table.claimOf(fd) === 0) return;
    table.setStale(fd, table.staleOf(fd) + 1);
    table.setClaim(fd, 0, null);
  }

  /**
   * The registry's callback: an owner with a claim on `fd` was collected
   * without ending it. Taken for a stale claim's cell while the number counts
   * any; otherwise the live claim's owner is gone (or its cell was counted
   * as a stale one's earlier: the module comment), so its fd is closed.
   * `release()` of a stale claim ends the same way.
   */
  collected(fd: number): void {
    const k = this.table.staleOf(fd);
    if (k > 0) {
      this.table.setStale(fd, k - 1);
      return;
    }
    if (this.table.claimOf(fd) !== 0) this.#closeForCollected(fd);
  }

  /** Closes `fd` for a live claim whose owner was collected without closing it, and says so. */
  #closeForCollected(fd: number): void {
    const what = this.table.nameOf(fd);
    this.table.setClaim(fd, 0, null);
    libc().close(fd);
    console.warn(
      `ffi-selectors: ResourceWarning: unclosed ${what} (fd ${fd}) was closed by the garbage collector; ` +
        "call close() or use `using`",
    );
  }
}

const claims = new Claims(65536);

/**
 * Records that `owner` owns `fd`: if `owner` is collected while the claim is
 * live, the fd is closed and a warning printed. An owner may claim several
 * fds (a selector: its kernel object and a wake pipe); it ends them all
 * together with {@linkcode release}.
 *
 * @param owner The object that owns the fd.
 * @param fd The fd, just returned by the kernel (so any older claim on that number is stale).
 * @param what A short description for the warning (a string shared by all owners of a kind).
 * @returns The claim, to pass to {@linkcode release}.
 */
export function adopt(owner: object, fd: number, what: string): number {
  return claims.adopt(owner, fd, what);
}

/**
 * Ends a claim: its owner is closing or detaching its fd. Call it once per
 * claim; an owner with several ends each of them in the same turn.
 *
 * @param owner The owner given to {@linkcode adopt}.
 * @param fd The claimed fd.
 * @param claim What {@linkcode adopt} returned.
 * @returns Whether the fd was still the owner's, the only case in which it may
 *   close it. A number closed behind its back (`os.close`, `os.dup2` onto it)
 *   or handed to another object since is not, so it is never closed twice.
 */
export function release(owner: object, fd: number, claim: number): boolean {
  return claims.release(owner, fd, claim);
}

/**
 * Whether `claim` is still the live claim on `fd`: false once the number was
 * closed by `os.close()`, replaced by `os.dup2()`, or handed out again.
 *
 * @param fd The claimed fd.
 * @param claim What {@linkcode adopt} returned.
 * @returns Whether the fd is still the claim's.
 */
export function holds(fd: number, claim: number): boolean {
  return claims.table.claimOf(fd) === claim;
}

/**
 * Marks the number `fd` as no longer belonging to any earlier claim: it was
 * just closed by `os.close()` or handed out again as a raw fd (`os.pipe()`,
 * `os.open()`, `os.dup()`).
 *
 * @param fd The fd number.
 */
export function forget(fd: number): void {
  claims.forget(fd);
}
