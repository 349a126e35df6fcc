/**
 * TEST-ONLY switches of the FFI layer. Nothing in the module imports this
 * file; only tests do. The library paths it accepts are loaded with the
 * same rights as libc: never point it at anything but the stand-ins that
 * `tests/fixtures/build.sh` builds.
 *
 * @module
 */
import { type KeventFlavour, setKqueueOverride } from "../ffi/mod.ts";

/**
 * Makes `KqueueSelector` use the epoll-backed kqueue stand-in at `path`
 * (a kernel stand-in for machines without kqueue), with the given
 * `struct kevent` layout; `null` restores the system's kqueue.
 */
export function useKqueueStandIn(path: string | null, flavour: KeventFlavour = "darwin"): void {
  setKqueueOverride(path === null ? null : { path, flavour });
}
