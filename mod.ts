/**
 * Python's `selectors` module for Deno and Bun: a synchronous selector over the
 * kernel's readiness APIs (epoll, poll, select), called directly through FFI.
 *
 * Register fds or objects with `fileno()` for `EVENT_READ`/`EVENT_WRITE` and a
 * piece of `data`; `select()` returns the ready ones as `[key, events]`.
 * `os` gives raw-fd helpers in Python's shape, `socket` Python's socket
 * module. Needs `--allow-ffi` under Deno.
 *
 * For backend authors only: `Poller`, `PollList` and `INTERRUPTED` (what a
 * `BaseSelector` subclass passes to its constructor and returns from a wait);
 * a program that uses selectors and sockets needs none of them.
 *
 * @example Wait for a pipe to become readable
 * ```ts
 * import { DefaultSelector, EVENT_READ, os } from "./mod.ts";
 *
 * using sel = new DefaultSelector<string>();
 * const [r, w] = os.pipe();
 * sel.register(r, EVENT_READ, "pipe");
 * os.write(w, new TextEncoder().encode("hi"));
 * for (const [key, events] of sel.select(1.0)) {
 *   console.log(key.data, events, os.read(key.fd, 64));
 * }
 * sel.unregister(r);
 * os.close(r);
 * os.close(w);
 * ```
 *
 * @module
 */
import { EpollPoller } from "./backends/epoll.ts";
import { KqueuePoller } from "./backends/kqueue.ts";
import { PollPoller } from "./backends/poll.ts";
import { newSelectPoller } from "./backends/select.ts";
import { OSError } from "./errors.ts";
import { getEnv, OS, supported } from "./ffi/mod.ts";
import { PLATFORM } from "./ffi/platform.ts";
import { BaseSelector, type FileObj, type Poller } from "./selector.ts";
import "./_select_async.ts"; // installs selectAsync(): the async layer above the core
import { show } from "./_validate.ts";

export {
  BaseSelector,
  EVENT_READ,
  EVENT_WRITE,
  type FileLike,
  type FileObj,
  fileobjToFd,
  INTERRUPTED,
  type Poller,
  type PollList,
  type ReadyPair,
  type SelectorKey,
  SelectorMapping,
} from "./selector.ts";
export { ERRNO, type ErrnoName, errnoName } from "./ffi/constants.ts";
export { monotonic } from "./ffi/mod.ts";
export {
  ARCH,
  type HostArch,
  type HostLibc,
  type HostOs,
  LIBC,
  OS,
  RUNTIME,
  type Runtime,
} from "./ffi/_host.ts";
export { EpollSelector } from "./backends/epoll.ts";
export { KqueueSelector } from "./backends/kqueue.ts";
export { PollSelector } from "./backends/poll.ts";
export { SelectSelector } from "./backends/select.ts";
export * from "./errors.ts";
export * as os from "./os.ts";
export * as resource from "./resource.ts";
export * as socket from "./socket.ts";
export * as ssl from "./ssl.ts";

/**
 * The backends `SELECTORS_BACKEND` may name, with their pollers. A Map, not an
 * object literal: a name such as "constructor" or "__proto__" must find nothing.
 */
const BACKENDS: ReadonlyMap<string, () => Poller> = new Map<string, () => Poller>([
  ["kqueue", () => new KqueuePoller()],
  ["epoll", () => new EpollPoller()],
  ["poll", () => new PollPoller()],
  ["select", newSelectPoller],
]);

let chosen: string | undefined;
const RESOURCE_ERRORS = new Set(["EMFILE", "ENFILE", "ENOMEM"]);

/**
 * The backend `DefaultSelector` uses here: `SELECTORS_BACKEND` if set (so CI
 * can run the fallbacks), otherwise the first that can be created; a kernel may
 * lack epoll (ENOSYS), so each is probed rather than assumed.
 */
function defaultPoller(): Poller {
  if (!supported()) {
    throw new Error(
      `ffi-selectors does not support ${OS}: it runs on Linux, macOS, FreeBSD and Windows`,
    );
  }
  const forced = getEnv("SELECTORS_BACKEND");
  if (forced) {
    const cls = BACKENDS.get(forced);
    if (!cls) {
      throw new RangeError(
        `Invalid SELECTORS_BACKEND ${show(forced)}: use ${[...BACKENDS.keys()].join(", ")}`,
      );
    }
    return cls();
  }
  if (chosen) return BACKENDS.get(chosen)!();
  let last: unknown;
  for (const name of PLATFORM.backends) {
    try {
      const poller = BACKENDS.get(name)!();
      chosen = name;
      return poller;
    } catch (e) {
      // Fall back only when the kernel lacks the mechanism (ENOSYS, EINVAL,
      // no kqueue); running out of fds or memory is the caller's to see.
      if (e instanceof OSError && RESOURCE_ERRORS.has(e.code)) throw e;
      if (!(e instanceof OSError) && name !== "kqueue") throw e;
      last = e;
    }
  }
  throw new Error(`No selector backend works on ${OS}`, { cause: last });
}

/**
 * The best selector for this host: kqueue on macOS and FreeBSD, epoll on
 * Linux, Winsock's select on Windows (as CPython), else poll, else select. `SELECTORS_BACKEND=kqueue|epoll|poll|select`
 * forces one (under Deno it is read only when `--allow-env` grants it).
 *
 * | OS             | backend |
 * | -------------- | ------- |
 * | Linux          | epoll   |
 * | macOS, FreeBSD | kqueue  |
 * | Windows        | select (Winsock; sockets only) |
 *
 * @typeParam T The type of `data` attached to each key.
 * @example
 * ```ts ignore
 * using sel = new DefaultSelector<string>();
 * console.log(sel.backend); // "epoll" on Linux
 * ```
 */
export class DefaultSelector<T = unknown, F extends FileObj = FileObj> extends BaseSelector<T, F> {
  /**
   * The epoll or kqueue fd, present only when the backend has one: Python's
   * `DefaultSelector` is `EpollSelector` or `KqueueSelector` there, with
   * `fileno()`, and `PollSelector`/`SelectSelector` elsewhere, without. Ask
   * whether it is there, as Python code does with `hasattr`.
   *
   * @example
   * ```ts ignore
   * const fd = sel.fileno?.(); // undefined on poll and select
   * ```
   */
  declare readonly fileno?: () => number;

  /** Creates a selector on the best backend. */
  constructor() {
    const poller = defaultPoller();
    super(poller);
    if (poller.fileno() >= 0) {
      Object.defineProperty(this, "fileno", {
        value: function fileno(): number {
          return poller.fileno();
        },
        writable: true,
        configurable: true,
      });
    }
  }
}
