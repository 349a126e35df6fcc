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

/** Options of {@linkcode OSError}, the library's own form. */
export interface OSErrorOptions {
  /** The text of `strerror(errno)`; the errno name when absent. */
  description?: string;
  /** What the call was about (an fd, an address): the error's `detail`, not in its message (as in Python). */
  detail?: string;
  /** The path a path call was about: Python's `filename`, quoted after the message. */
  filename?: string;
  /** The underlying error, if any. */
  cause?: unknown;
  /** The error's name when it is not an errno name (`getaddrinfo`'s `"EAI_NONAME"`). */
  code?: string;
  /**
   * The message is the description alone, as Python's errors made with one
   * argument print (`"timed out"`, `"illegal IP address string passed to inet_pton"`).
   */
  plain?: boolean;
  /**
   * Keeps the stack as the engine made it, the library's frames included: for
   * errors that are control flow in a non-blocking loop (would-block, TLS's
   * want-read), always caught, where starting the stack at the caller costs
   * microseconds each (BlockingIOError is never trimmed).
   */
  untrimmed?: boolean;
}

/**
 * A failed system call: Python's `OSError`, with Node's SystemError fields.
 * Its message reads as Python's (`[Errno 111] Connection refused`, and what
 * the call was about after a colon); `errno`, `code` (`"ECONNREFUSED"`),
 * `syscall` and `strerror` are there for code that tells errors apart.
 *
 * Made as in Python, `new OSError(errno, strerror)` gives Python's subclass
 * for that errno (a {@linkcode ConnectionRefusedError} for ECONNREFUSED), and
 * `new OSError("text")` an error with that message and errno 0.
 *
 * @example Telling errors apart by code
 * ```ts ignore
 * try { os.close(9999); } catch (e) {
 *   if (e instanceof OSError && e.code === "EBADF") console.log(e.errno, e.syscall);
 * }
 * ```
 * @example Raising one, as Python does
 * ```ts ignore
 * throw new OSError(ERRNO.ECONNREFUSED, "Connection refused"); // a ConnectionRefusedError
 * ```
 */
export class OSError extends Error {
  /** The errno number, in this OS's numbering (0 when made from a message alone). */
  readonly errno: number;
  /** The errno name, such as `"EBADF"` (empty when made from a message alone). */
  readonly code: string;
  /** The C function that failed, such as `"epoll_ctl"` (empty when made as in Python). */
  readonly syscall: string;
  /** The text of `strerror(errno)`, such as `"Connection refused"` (Python's `strerror`). */
  readonly strerror: string;
  /** The path a path call was about (`os.open`), or undefined: Python's `filename`. */
  readonly filename: string | undefined;
  /** What the call was about (an fd, an address), or undefined. */
  readonly detail: string | undefined;

  /**
   * Creates the error as Python does: `errno` and its text (and a file name);
   * {@linkcode OSError} itself gives the subclass Python would.
   *
   * @param errno The errno number.
   * @param strerror Its text, such as `"Connection refused"`.
   * @param filename What it was about.
   */
  constructor(errno: number, strerror?: string, filename?: string);
  /**
   * Creates an error with a message alone, as Python's `OSError("text")`.
   *
   * @param message The message.
   */
  constructor(message: string);
  /**
   * Creates the error for `errno` from `syscall`: the library's own form.
   *
   * @param errno The errno number.
   * @param syscall The C function that failed.
   * @param options The description, detail and cause.
   */
  constructor(errno: number, syscall: string, options: OSErrorOptions);
  constructor(first: number | string, second?: string, third?: string | OSErrorOptions) {
    let errno: number, syscall: string, options: OSErrorOptions;
    if (typeof first === "string") {
      errno = 0;
      syscall = "";
      options = { description: first, code: "", plain: true };
    } else if (typeof third === "object" && third !== null) {
      errno = first;
      syscall = second ?? "";
      options = third;
    } else {
      errno = first;
      syscall = "";
      options = { description: second, filename: third };
    }
    const code = options.code ?? errnoName(errno);
    const description = options.description ?? code;
    const filename = options.filename === undefined ? "" : `: ${pyRepr(options.filename)}`;
    super(options.plain ? description + filename : `[Errno ${errno}] ${description}${filename}`, {
      cause: options.cause,
    });
    this.errno = errno;
    this.code = code;
    this.syscall = syscall;
    this.strerror = description;
    this.filename = options.filename;
    this.detail = options.detail;
    // Python's OSError(errno, strerror) is already the subclass for errno.
    const cls = new.target === OSError && typeof first === "number" && typeof third !== "object"
      ? SUBCLASSES.get(errno)
      : undefined;
    if (cls) return new cls(errno, second, third as string | undefined);
    this.name = new.target === GaiError ? "gaierror" : new.target === HError ? "herror" : new.target.name;
    // Not for BlockingIOError: the would-block case is control flow in every
    // non-blocking loop (caught, never shown), and trimming costs ~3 µs.
    if (new.target !== BlockingIOError && options.untrimmed !== true) startAtCaller(this);
  }

  /**
   * Creates the OSError subclass Python would raise for `errno` (for example
   * {@linkcode ConnectionRefusedError} for ECONNREFUSED), in the library's form.
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
  static fromErrno(errno: number, syscall: string, options: OSErrorOptions = {}): OSError {
    const cls = SUBCLASSES.get(errno) ?? OSError;
    return new cls(errno, syscall, options);
  }
}

/** A file name as Python's `repr` quotes it, in single quotes; a long one bounded (its head and length). */
function pyRepr(text: string): string {
  const name = String(text);
  const head = name.length > 200 ? name.slice(0, 200) : name;
  const quoted = `'${head.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  return name.length > 200 ? `${quoted}… (${name.length} characters)` : quoted;
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
 * A `getaddrinfo` failure, like Python's `socket.gaierror` (its `name`, as
 * printed): `errno` is the `EAI_*` number and `code` its name, such as
 * `"EAI_NONAME"`.
 */
export class GaiError extends OSError {}
/**
 * A host database failure (`gethostbyname`, `gethostbyaddr`), like Python's
 * `socket.herror` (its `name`, as printed): `errno` is the `h_errno` number
 * and `code` its name, such as `"HOST_NOT_FOUND"`.
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

/** An OSError class, as SUBCLASSES calls it (the library's form, or Python's). */
type OSErrorClass = {
  new (errno: number, syscall: string, options: OSErrorOptions): OSError;
  new (errno: number, strerror?: string, filename?: string): OSError;
};

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
