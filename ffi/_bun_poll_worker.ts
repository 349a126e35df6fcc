/**
 * Bun's off-thread wait: a Worker that calls poll(2) on the pollfd array the
 * JS thread shares with it (a SharedArrayBuffer) and posts back the result and
 * this thread's errno. Bun's FFI has no non-blocking call mode, so this thread
 * is where every `selectAsync()` of the process sleeps: one for the process,
 * made by `ffi/_bun.ts` for the waiter (`_waiter.ts`).
 *
 * Messages in: `{ paths, nfds, errnoSymbol }` once, then `{ fds, n, ms }`
 * (fds: a SharedArrayBuffer). Out: `{ result, errno }` per wait.
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;

interface Init {
  paths: string[];
  nfds: "u64" | "u32";
  errnoSymbol: string;
}

interface Wait {
  fds: SharedArrayBuffer;
  n: number;
  ms: number;
}

const BUN_FFI = ["bun", "ffi"].join(":");
const ffi = await import(BUN_FFI) as {
  dlopen(path: string, symbols: Record<string, { args: string[]; returns: string }>): {
    symbols: Record<string, AnyFn>;
  };
  read: { i32(pointer: number, offset: number): number };
};

let poll: AnyFn | null = null;
let errnoAt = 0;
const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<Init | Wait>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (e) => {
  const data = e.data;
  if ("paths" in data) {
    let failure: unknown = null;
    for (const path of data.paths) {
      try {
        const lib = ffi.dlopen(path, {
          poll: { args: ["ptr", data.nfds, "i32"], returns: "i32" },
          [data.errnoSymbol]: { args: [], returns: "ptr" },
        });
        poll = lib.symbols.poll!;
        errnoAt = Number(lib.symbols[data.errnoSymbol]!());
        break;
      } catch (err) {
        failure = err;
      }
    }
    if (!poll) scope.postMessage({ result: -1, errno: 0, error: String(failure) });
    return;
  }
  const result: number = poll!(new Uint8Array(data.fds), data.n, data.ms);
  scope.postMessage({ result, errno: result < 0 ? ffi.read.i32(errnoAt, 0) : 0 });
};
export {};
