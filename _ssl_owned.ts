/**
 * OpenSSL objects owned by JavaScript ones (`SSL_CTX`, `SSL`, `BIO`): freed
 * once, by `close()` or, for an owner dropped without it, when the garbage
 * collector finalizes the owner (as `_claim.ts` does for fds).
 *
 * @module
 */

interface Owned {
  ptr: bigint;
  free: (ptr: bigint) => void;
}

// The held value names only the pointer and how to free it, never the owner.
const registry = new FinalizationRegistry<Owned>(({ ptr, free }) => free(ptr));

/**
 * Records that `owner` owns `ptr`: freed with `free` if `owner` is collected first.
 *
 * @param owner The JavaScript object.
 * @param ptr The OpenSSL object.
 * @param free How to free it (`SSL_free`, ...).
 */
export function own(owner: object, ptr: bigint, free: (ptr: bigint) => void): void {
  registry.register(owner, { ptr, free }, owner);
}

/**
 * Ends the ownership (the owner frees it now, or hands it to another OpenSSL object).
 *
 * @param owner The JavaScript object.
 * @returns Whether it still owned something.
 */
export function disown(owner: object): boolean {
  return registry.unregister(owner);
}
