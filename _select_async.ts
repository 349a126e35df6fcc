/**
 * `selectAsync()`: the async layer above the selector core, the way asyncio
 * sits above `selectors`. It uses the selector's public API (`select(0)`,
 * `closed`) plus the narrow internal contract of `SelectorInternals` (its
 * wait set, one listener, whether a wakeup ended the last select), and waits
 * off the JS thread through the process's one waiter (`_waiter.ts`). The core
 * imports neither this module nor the waiter: this module installs itself
 * (`installAsyncLayer`) when `mod.ts` imports it.
 *
 * @module
 */
import { show } from "./_validate.ts";
import { now } from "./_time.ts";
import { SelectorClosedError } from "./errors.ts";
import {
  type BaseSelector,
  type FileObj,
  installAsyncLayer,
  selectorInternals,
  type SelectorKey,
  selectTimeout,
} from "./selector.ts";
import { type WaitEnd, waitOffThread, type WaitSource } from "./_waiter.ts";

type Ready = Array<[SelectorKey<unknown, FileObj>, number]>;

/** The fast path lets the event loop have a turn at least this often (s, as `now()`). */
const YIELD_SECONDS = 0.005;

/** The longest back-off (ms) between off-thread waits that the kernel ended with nothing to report. */
const FRUITLESS_MAX_MS = 50;

const setImmediateOrTimeout: (fn: () => void) => void =
  (globalThis as { setImmediate?: (fn: () => void) => void }).setImmediate ?? ((fn) => setTimeout(fn, 0));

/** Resolves after one event-loop turn (timers and I/O callbacks run): setImmediate, ~5-10 µs. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediateOrTimeout(resolve));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One selector's async state. */
interface AsyncState {
  /** A selectAsync() is waiting. */
  waiting: boolean;
  /** When the event loop last had a turn during selectAsync() (s, `now()`). */
  lastTurn: number;
  /** The selector's pollfd entries for the waiter: its epoll/kqueue fd, or its registered fds. */
  source: WaitSource;
}

const states = new WeakMap<BaseSelector, AsyncState>();

function stateOf(selector: BaseSelector): AsyncState {
  let state = states.get(selector);
  if (!state) {
    state = {
      waiting: false,
      lastTurn: 0,
      source: { fill: (into) => selectorInternals.pollSet(selector, into) },
    };
    states.set(selector, state);
  }
  return state;
}

/** `BaseSelector.selectAsync()` (its JSDoc is the contract). */
async function selectAsync(
  selector: BaseSelector,
  timeout: number | null | undefined,
  options: unknown,
): Promise<Ready> {
  if (selector.closed) throw new SelectorClosedError();
  const seconds = selectTimeout(timeout);
  const signal = checkSignal(options);
  signal?.throwIfAborted();
  const state = stateOf(selector);
  if (state.waiting) throw new Error("selectAsync() is already waiting on this selector");
  state.waiting = true;
  try {
    return await run(selector, state, seconds, signal);
  } finally {
    state.waiting = false;
  }
}

async function run(
  selector: BaseSelector,
  state: AsyncState,
  seconds: number,
  signal: AbortSignal | undefined,
): Promise<Ready> {
  // A loop that always finds something ready never leaves the microtask
  // queue: timers, I/O callbacks and other tasks would starve. So at most
  // every YIELD_SECONDS it lets one full event-loop turn run first.
  if (now() - state.lastTurn > YIELD_SECONDS) {
    await nextTurn();
    state.lastTurn = now();
    if (selector.closed) return []; // closed meanwhile: the wait ends cleanly
    signal?.throwIfAborted();
  }
  const first = selector.select(0) as Ready;
  if (first.length > 0 || seconds === 0 || selectorInternals.wasWoken(selector)) return first;
  const deadline = seconds > 0 ? now() + seconds : Infinity;
  let fruitless = 0;
  for (;;) {
    const end = await waitOnce(selector, state, deadline, signal);
    const t = now();
    state.lastTurn = t; // the event loop ran while the other thread waited
    if (selector.closed) return []; // closed while waiting
    const ready = selector.select(0) as Ready;
    if (ready.length > 0 || selectorInternals.wasWoken(selector) || end === "timeout" || t >= deadline) {
      return ready;
    }
    // The kernel said ready and select(0) found nothing to report: a stale
    // kernel state the backend could not clear. Never a busy loop: back off.
    if (end === "ready" && ++fruitless > 1) await sleep(Math.min(2 ** fruitless, FRUITLESS_MAX_MS));
    if (selector.closed) return [];
    signal?.throwIfAborted();
  }
}

/**
 * One wait off the JS thread through the process's waiter, ended early by
 * the selector (its set changed: the wait goes on with the new one; wakeup
 * or close: it ends) or by the abort signal (rejecting with its reason).
 * Whatever the signal's wiring throws, the wait is ended and nothing stays
 * pending.
 */
function waitOnce(
  selector: BaseSelector,
  state: AsyncState,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<WaitEnd> {
  const pending = waitOffThread(state.source, deadline);
  selectorInternals.listen(selector, (event) => event === "changed" ? pending.changed() : pending.end());
  const done = pending.promise.finally(() => selectorInternals.listen(selector, null));
  if (!signal) return done;
  return new Promise<WaitEnd>((resolve, reject) => {
    const onAbort = (): void => {
      pending.end();
      reject(signal.reason);
    };
    try {
      signal.addEventListener("abort", onAbort, { once: true });
    } catch (e) {
      pending.end(); // the hook threw: give up this wait, leave nothing pending
      reject(e);
      return;
    }
    if (signal.aborted) onAbort();
    done.then(resolve, reject).finally(() => {
      try {
        signal.removeEventListener("abort", onAbort);
      } catch { /* a throwing hook: the listener is `once` and the wait is over */ }
    });
  });
}

/** The AbortSignal of `selectAsync()`'s options, checked: a bad one is a TypeError that says so. */
function checkSignal(options: unknown): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Invalid options: expected an object such as { signal }, got ${show(options)}`);
  }
  const signal = (options as { signal?: unknown }).signal;
  if (signal === undefined) return undefined;
  if (
    typeof signal !== "object" || signal === null ||
    typeof (signal as AbortSignal).throwIfAborted !== "function" ||
    typeof (signal as AbortSignal).addEventListener !== "function" ||
    typeof (signal as AbortSignal).removeEventListener !== "function"
  ) {
    throw new TypeError(`Invalid options.signal: expected an AbortSignal, got ${show(signal)}`);
  }
  return signal as AbortSignal;
}

installAsyncLayer(selectAsync);
