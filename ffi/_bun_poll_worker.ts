/**
 * Bun's off-thread wait: a Worker that calls poll(2) on the pollfd array the
 * JS thread shares with it (a SharedArrayBuffer). Bun's FFI has no
 * non-blocking call mode, so this thread is where every `selectAsync()` of
 * the process sleeps: one for the process, made by `ffi/_bun.ts` for the
 * waiter (`_waiter.ts`).
 *
 * Requests and results go through a shared control block (`ctl`, Int32
 * slots, the same as `ffi/_bun.ts`'s `CTL`): the JS thread writes `N`, `MS`,
 * `GEN` and then `REQ` and notifies; this thread, asleep in `Atomics.wait`
 * on `REQ`, polls, writes `RESULT` and `ERRNO` (this thread's errno), then
 * `DONE` and notifies. Messages in: `{ paths, symbol, nfds, errnoSymbol, errnoIsValue, ctl }`
 * once, then `{ fds, gen }` whenever the pollfd buffer is a new one (the
 * request that needs it carries that `gen`). Out: `{ error }` if poll(2)
 * cannot be bound.
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;

interface Init {
  paths: string[];
  symbol: string;
  nfds: "u64" | "u32";
  errnoSymbol: string;
  errnoIsValue: boolean;
  ctl: SharedArrayBuffer;
}

interface Buffer {
  fds: SharedArrayBuffer;
  gen: number;
}

const CTL = { REQ: 0, DONE: 1, N: 2, MS: 3, RESULT: 4, ERRNO: 5, GEN: 6, FAILED: 7 } as const;

const BUN_FFI = ["bun", "ffi"].join(":");
const ffi = await import(BUN_FFI) as {
  dlopen(path: string, symbols: Record<string, { args: string[]; returns: string }>): {
    symbols: Record<string, AnyFn>;
  };
  read: { i32(pointer: number, offset: number): number };
};

let poll: AnyFn | null = null;
let readErrno: () => number = () => 0;
let ctl: Int32Array | null = null;
let fds: Uint8Array | null = null;
let gen = 0;
/** The last request served. */
let seen = 0;

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<Init | Buffer>) => void) | null;
  postMessage(message: unknown): void;
};

/**
 * Serves requests until one needs a buffer this thread has not received yet:
 * then it returns, so that the message carrying it can be delivered (the
 * loop goes on from there).
 */
function serve(c: Int32Array): void {
  for (;;) {
    Atomics.wait(c, CTL.REQ, seen);
    const req = Atomics.load(c, CTL.REQ);
    if (req === seen) continue; // a spurious wake-up
    if (Atomics.load(c, CTL.GEN) !== gen) return;
    let result = -1, errno = 0;
    if (poll && fds) {
      result = poll(fds, c[CTL.N]!, c[CTL.MS]!);
      if (result < 0) errno = readErrno();
    } else {
      c[CTL.FAILED] = 1;
    }
    c[CTL.RESULT] = result;
    c[CTL.ERRNO] = errno;
    seen = req;
    Atomics.store(c, CTL.DONE, req);
    Atomics.notify(c, CTL.DONE);
  }
}

scope.onmessage = (e) => {
  const data = e.data;
  if ("paths" in data) {
    ctl = new Int32Array(data.ctl);
    let failure: unknown = null;
    for (const path of data.paths) {
      try {
        const lib = ffi.dlopen(path, {
          [data.symbol]: { args: ["ptr", data.nfds, "i32"], returns: "i32" },
          [data.errnoSymbol]: { args: [], returns: data.errnoIsValue ? "i32" : "ptr" },
        });
        poll = lib.symbols[data.symbol]!;
        const accessor = lib.symbols[data.errnoSymbol]!;
        if (data.errnoIsValue) readErrno = accessor;
        else {
          const at = Number(accessor());
          readErrno = () => ffi.read.i32(at, 0);
        }
        break;
      } catch (err) {
        failure = err;
      }
    }
    if (!poll) scope.postMessage({ error: String(failure) });
    return;
  }
  fds = new Uint8Array(data.fds);
  gen = data.gen;
  serve(ctl!);
};
export {};
