/**
 * The errors this module throws, named as in Python.
 *
 * System call failures are {@linkcode OSError}s in Node's SystemError shape
 * (`errno`, `code`, `syscall`), with Python's subclasses for the common errnos.
 *
 * @module
 */
import { ERRNO, type ErrnoName, errnoName } from "./ffi/constants.ts";

/**
 * Thrown for an unknown registration (lookup, unregister, modify) or a
 * duplicate one (register), like Python's `KeyError`.
 *
 * @example Catching an unknown fd
 * ```ts ignore
 * try { sel.getKey(42); } catch (e) { if (e instanceof KeyError) console.log(e.message); }
 * ```
 */
export class KeyError extends Error {
  /** Creates a key error with the given message. */
  constructor(message: string) {
    super(message);
    this.name = "KeyError";
  }
}

/**
 * Thrown by any use of a selector after `close()`, like Python's
 * `RuntimeError("Selector is closed")`.
 *
 * @example
 * ```ts ignore
 * sel.close();
 * sel.select(0); // throws SelectorClosedError
 * ```
 */
export class SelectorClosedError extends Error {
  /** Creates the error; the message is fixed. */
  constructor() {
    super("Selector is closed");
    this.name = "SelectorClosedError";
  }
}

/** Options of {@linkcode OSError}. */
export interface OSErrorOptions {
  /** The text of `strerror(errno)`; the errno name when absent. */
  description?: string;
  /** What the call was about (an fd, an address), appended to the message. */
  detail?: string;
  /** The underlying error, if any. */
  cause?: unknown;
  /** The error's name when it is not an errno name (`getaddrinfo`'s `"EAI_NONAME"`). */
  code?: string;
}

/**
 * A failed system call, in Node's SystemError shape.
 *
 * @example Telling errors apart by code
 * ```ts ignore
 * try { os.close(9999); } catch (e) {
 *   if (e instanceof OSError && e.code === "EBADF") console.log(e.errno, e.syscall);
 * }
 * ```
 */
export class OSError extends Error {
  /** The errno number, in this OS's numbering. */
  readonly errno: number;
  /** The errno name, such as `"EBADF"`. */
  readonly code: string;
  /** The C function that failed, such as `"epoll_ctl"`. */
  readonly syscall: string;
  /** The text of `strerror(errno)`, such as `"Connection refused"` (Python's `strerror`). */
  readonly strerror: string;

  /**
   * Creates the error for `errno` from `syscall`.
   *
   * @param errno The errno number.
   * @param syscall The C function that failed.
   * @param options The description, detail and cause.
   */
  constructor(errno: number, syscall: string, options: OSErrorOptions = {}) {
    const code = options.code ?? errnoName(errno);
    const description = options.description ?? code;
    const detail = options.detail ? ` ${options.detail}` : "";
    super(`${code}: ${description}, ${syscall}${detail}`, { cause: options.cause });
    this.name = new.target.name;
    // Not for BlockingIOError: the would-block case is control flow in every
    // non-blocking loop (caught, never shown), and trimming costs ~3 µs.
    if (new.target !== BlockingIOError) startAtCaller(this);
    this.errno = errno;
    this.code = code;
    this.syscall = syscall;
    this.strerror = description;
  }

  /**
   * Creates the OSError subclass Python would raise for `errno` (for example
   * {@linkcode ConnectionRefusedError} for ECONNREFUSED).
   *
   * @param errno The errno number.
   * @param syscall The C function that failed.
   * @param options The description, detail and cause.
   * @returns The error, of the most specific class.
   * @example
   * ```ts ignore
   * const e = OSError.fromErrno(ERRNO.EAGAIN, "recv"); // a BlockingIOError
   * ```
   */
  static fromErrno(errno: number, syscall: string, options?: OSErrorOptions): OSError {
    const cls = SUBCLASSES.get(errno) ?? OSError;
    return new cls(errno, syscall, options);
  }
}

/**
 * This package's own modules, as stack frames name them: a URL (any scheme,
 * for URL imports) or a path, with either separator (Bun on Windows prints
 * `Z:\dir\errors.ts`, where the URL's path is `/Z:/dir/errors.ts`).
 */
const HERE = new URL(".", import.meta.url);
const HERE_PATH = HERE.protocol === "file:"
  ? escape(decodeURIComponent(HERE.pathname).replace(/^\/(?=[A-Za-z]:)/, "")).replaceAll("/", "[\\\\/]")
  : "(?!)";
const LIBRARY_FRAME = new RegExp(
  `(?:${escape(HERE.href)}|${HERE_PATH})` + "(?:ffi[\\\\/]|backends[\\\\/])?[^/\\\\\\s()]+\\.(?:ts|js):\\d",
);

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A stack without this package's frames, when the caller's remain (else as it was). */
function trimStack(stack: string): string {
  const lines = stack.split("\n");
  const first = lines.findIndex((l) => /^\s+at /.test(l));
  if (first < 0) return stack;
  const frames = lines.slice(first).filter((l) => !LIBRARY_FRAME.test(l));
  return frames.length === 0 ? stack : [...lines.slice(0, first), ...frames].join("\n");
}

/**
 * Makes an error's stack start at the caller's own frame, not inside this
 * package (errors.ts, ffi/mod.ts): Bun prints an uncaught error's source line
 * from its `stack`, and `e.stack` reads the same under Deno. V8 formats the
 * stack lazily, so Deno's is trimmed when first read; Bun's is a string
 * already.
 */
function startAtCaller(error: Error): void {
  const d = Reflect.getOwnPropertyDescriptor(error, "stack");
  if (!d) return;
  if (typeof d.value === "string") {
    error.stack = trimStack(d.value);
    return;
  }
  const get = d.get;
  if (!get) return;
  let trimmed: string | undefined;
  Reflect.defineProperty(error, "stack", {
    configurable: true,
    enumerable: d.enumerable ?? false,
    get: () => trimmed ??= trimStack(String(Reflect.apply(get, error, []))),
    set: (value: string) => {
      trimmed = value;
    },
  });
}

/** EAGAIN, EALREADY, EINPROGRESS: the operation would block. */
export class BlockingIOError extends OSError {
  /**
   * How many of the bytes given were taken before it would have blocked (a
   * buffered file's `write`); 0 elsewhere. Python's `characters_written`.
   */
  charactersWritten = 0;
}
/** EINTR: a signal interrupted the call. */
export class InterruptedError extends OSError {}
/** EACCES, EPERM. */
export class PermissionError extends OSError {}
/** ENOENT. */
export class FileNotFoundError extends OSError {}
/** EEXIST. */
export class FileExistsError extends OSError {}
/** EISDIR. */
export class IsADirectoryError extends OSError {}
/** ENOTDIR. */
export class NotADirectoryError extends OSError {}
/** ECHILD. */
export class ChildProcessError extends OSError {}
/** ESRCH. */
export class ProcessLookupError extends OSError {}
/** ETIMEDOUT, and socket timeouts. */
export class TimeoutError extends OSError {}
/**
 * A `getaddrinfo` failure, like Python's `socket.gaierror`: `errno` is the
 * `EAI_*` number and `code` its name, such as `"EAI_NONAME"`.
 */
export class GaiError extends OSError {}
/**
 * A host database failure (`gethostbyname`, `gethostbyaddr`), like Python's
 * `socket.herror`: `errno` is the `h_errno` number and `code` its name, such
 * as `"HOST_NOT_FOUND"`.
 */
export class HError extends OSError {}
/** The base of the connection errors. */
export class ConnectionError extends OSError {}
/** EPIPE, ESHUTDOWN: writing to a closed peer. */
export class BrokenPipeError extends ConnectionError {}
/** ECONNABORTED. */
export class ConnectionAbortedError extends ConnectionError {}
/** ECONNREFUSED. */
export class ConnectionRefusedError extends ConnectionError {}
/** ECONNRESET. */
export class ConnectionResetError extends ConnectionError {}

type OSErrorClass = new (errno: number, syscall: string, options?: OSErrorOptions) => OSError;

const BY_NAME: Array<[ErrnoName, OSErrorClass]> = [
  ["EAGAIN", BlockingIOError],
  ["EALREADY", BlockingIOError],
  ["EINPROGRESS", BlockingIOError],
  ["EINTR", InterruptedError],
  ["EACCES", PermissionError],
  ["EPERM", PermissionError],
  ["ENOENT", FileNotFoundError],
  ["EEXIST", FileExistsError],
  ["EISDIR", IsADirectoryError],
  ["ENOTDIR", NotADirectoryError],
  ["ECHILD", ChildProcessError],
  ["ESRCH", ProcessLookupError],
  ["ETIMEDOUT", TimeoutError],
  ["EPIPE", BrokenPipeError],
  ["ESHUTDOWN", BrokenPipeError],
  ["ECONNABORTED", ConnectionAbortedError],
  ["ECONNREFUSED", ConnectionRefusedError],
  ["ECONNRESET", ConnectionResetError],
];

const SUBCLASSES = new Map<number, OSErrorClass>(BY_NAME.map(([name, cls]) => [ERRNO[name], cls]));
