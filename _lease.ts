/**
 * Fd ownership for objects that own one (sockets, selectors): what CPython's
 * `socket.__del__` and `ResourceWarning` do. An object dropped without
 * `close()` has its fd closed when the garbage collector finalizes it, with
 * one warning line on stderr.
 *
 * Never a wrong fd: a lease is dropped by `close()`/`detach()`, and it goes
 * stale as soon as the library sees its fd number closed by `os.close()` or
 * handed out again by the kernel (a new socket, pipe, epoll or kqueue fd with
 * that number). A stale lease is never acted on, so the finalizer cannot
 * close an fd that meanwhile belongs to another object. (A number closed and
 * reused entirely outside this library, e.g. by `node:fs` on a raw fd, is
 * beyond its sight: do not close a socket's fd behind its back.)
 *
 * @module
 */
import { libc } from "./ffi/mod.ts";

/**
 * One object's claim on its fd numbers (a selector may own three: its kernel
 * object and a wake pipe). The first number is a field of its own and the
 * others an array made only when there are others: a socket's lease is one
 * small object, which 15 000 idle connections each carry.
 */
export interface Lease {
  readonly fd: number;
  more: number[] | null;
  /** What owns it, for the warning: `socket (AF_INET, type 1)`, `epoll selector`. */
  readonly what: string;
}

/** Every fd number of a lease, the first one first. */
function numbersOf(lease: Lease): number[] {
  return lease.more === null ? [lease.fd] : [lease.fd, ...lease.more];
}

/** The live lease of each fd number this library handed out to an object. */
const leases = new Map<number, Lease>();

const registry = new FinalizationRegistry<Lease>(finalize);

function finalize(lease: Lease): void {
  const closed: number[] = [];
  for (const fd of numbersOf(lease)) {
    if (leases.get(fd) !== lease) continue; // released, or the number was reused
    leases.delete(fd);
    libc().close(fd);
    closed.push(fd);
  }
  if (closed.length === 0) return;
  console.warn(
    `ffi-selectors: ResourceWarning: unclosed ${lease.what} (fd ${closed.join(", ")}) was closed by the ` +
      "garbage collector; call close() or use `using`",
  );
}

/**
 * Records that `owner` owns `fd`: if `owner` is collected while the lease is
 * live, the fd is closed and a warning printed.
 *
 * @param owner The object that owns the fd.
 * @param fd The fd, just returned by the kernel (so any older lease of that number is stale).
 * @param what A short description for the warning.
 * @returns The lease, to pass to {@linkcode release}.
 */
export function adopt(owner: object, fd: number, what: string): Lease {
  const lease: Lease = { fd, more: null, what };
  leases.set(fd, lease);
  registry.register(owner, lease, lease);
  return lease;
}

/**
 * Adds another fd, just returned by the kernel, to a live lease.
 *
 * @param lease The owner's lease.
 * @param fd The new fd.
 */
export function extend(lease: Lease, fd: number): void {
  (lease.more ??= []).push(fd);
  leases.set(fd, lease);
}

/**
 * Ends a lease: its owner is closing or detaching its fds. Idempotent.
 *
 * @param lease The lease from {@linkcode adopt}.
 * @returns The fds that were still the owner's: the only ones it may close.
 *   A number closed behind its back (`os.close`, `os.dup2` onto it) or handed
 *   to another object since is not among them, so it is never closed twice.
 */
export function release(lease: Lease): number[] {
  registry.unregister(lease);
  const owned: number[] = [];
  for (const fd of numbersOf(lease)) {
    if (leases.get(fd) !== lease) continue;
    leases.delete(fd);
    owned.push(fd);
  }
  return owned;
}

/**
 * Marks the number `fd` as no longer belonging to any earlier lease: it was
 * just closed by `os.close()` or handed out again as a raw fd (`os.pipe()`,
 * `os.open()`, `os.dup()`).
 *
 * @param fd The fd number.
 */
export function forget(fd: number): void {
  leases.delete(fd);
}
