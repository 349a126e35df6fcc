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

/** One object's claim on one fd number. */
export interface Lease {
  readonly fd: number;
  /** What owns it, for the warning: `Socket family=2 type=1`, `epoll selector`. */
  readonly what: string;
}

/** The live lease of each fd number this library handed out to an object. */
const leases = new Map<number, Lease>();

const registry = new FinalizationRegistry<Lease>(finalize);

function finalize(lease: Lease): void {
  if (leases.get(lease.fd) !== lease) return; // released, or the number was reused
  leases.delete(lease.fd);
  libc().close(lease.fd);
  console.warn(
    `ffi-selectors: ResourceWarning: unclosed ${lease.what} (fd ${lease.fd}) was closed by the garbage collector; ` +
      "call close() or use `using`",
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
  const lease: Lease = { fd, what };
  leases.set(fd, lease);
  registry.register(owner, lease, lease);
  return lease;
}

/**
 * Ends a lease: its owner closed or detached the fd. Idempotent.
 *
 * @param lease The lease from {@linkcode adopt}.
 */
export function release(lease: Lease): void {
  registry.unregister(lease);
  if (leases.get(lease.fd) === lease) leases.delete(lease.fd);
}

/**
 * Marks the number `fd` as no longer belonging to any earlier lease: it was
 * just closed by `os.close()` or handed out again as a raw fd (`os.pipe()`,
 * `os.open()`, `os.dup()`).
 *
 * @param fd The fd number.
 */
export function forget(fd: number): void {
  const lease = leases.get(fd);
  if (lease) release(lease);
}
