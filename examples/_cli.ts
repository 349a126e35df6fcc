/**
 * What the examples share as command-line tools: flags parsed by
 * `parseArgs` from `node:util` (short flags, bundles such as `-lk`, repeats),
 * checked numbers, one-line errors with a meaningful exit status (2: usage,
 * 1: failure), quiet exit on a closed stdout, and graceful shutdown on
 * SIGINT/SIGTERM.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { DefaultSelector, EVENT_WRITE, os, OSError, socket } from "../mod.ts";

/** One flag, as `node:util`'s `parseArgs` takes it. */
export interface Flag {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
}

/** Parsed flags: strings and booleans (arrays when `multiple`), plus positionals. */
export interface Parsed {
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  positionals: string[];
}

/** A program's name, usage text and error exits. */
export class Cli {
  constructor(readonly prog: string, readonly usage: string) {}

  /**
   * Parses `argv` (default: the process's arguments). `-h`/`--help` prints the
   * usage and exits 0; an unknown flag or a missing value exits 2 with one line.
   */
  parse(flags: Record<string, Flag>, argv: string[] = process.argv.slice(2)): Parsed {
    try {
      const { values, positionals } = parseArgs({
        args: negativeValues(flags, argv),
        options: { ...flags, help: { type: "boolean", short: "h" } },
        allowPositionals: true,
        strict: true,
      });
      if (values.help) {
        console.log(this.usage);
        process.exit(0);
      }
      return { values: values as Parsed["values"], positionals };
    } catch (e) {
      return this.usageError(e instanceof Error ? e.message.split(/\. |\n/)[0]! : String(e));
    }
  }

  /** A flag's string value (the last one when repeated), or `undefined`. */
  text(parsed: Parsed, name: string): string | undefined {
    const v = parsed.values[name];
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    return typeof last === "string" ? last : undefined;
  }

  /**
   * The one positional argument (`HOST`, a role): exits 2 when it is missing
   * (`missing HOST`) or followed by another.
   */
  positional(parsed: Parsed, what: string): string {
    const [value, extra] = parsed.positionals;
    if (value === undefined) this.usageError(`missing ${what}`);
    if (extra !== undefined) this.usageError(`unexpected argument ${JSON.stringify(extra)}`);
    return value;
  }

  /** The IP version `-4`/`-6` ask for (0: either); exits 2 when both are given. */
  ipVersion(parsed: Parsed): 0 | 4 | 6 {
    const v4 = parsed.values["4"] === true, v6 = parsed.values["6"] === true;
    if (v4 && v6) this.usageError("-4 and -6 exclude each other");
    return v4 ? 4 : v6 ? 6 : 0;
  }

  /**
   * A number from the command line, checked: finite, within `[min, max]`, an
   * integer when `integer` is set. Exits 2 naming the flag otherwise.
   */
  number(
    raw: string | undefined,
    what: string,
    fallback: number,
    { min = -Infinity, max = Infinity, integer = false } = {},
  ): number {
    if (raw === undefined) return fallback;
    const n = raw.trim() === "" ? NaN : Number(raw);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      const range = integer ? "an integer" : "a number";
      const bounds = max === Infinity ? (min === -Infinity ? "" : ` >= ${min}`) : ` in ${min}..${max}`;
      return this.usageError(`${what} must be ${range}${bounds}, got ${JSON.stringify(raw)}`);
    }
    return n;
  }

  /** Prints `prog: message` and the usage's first line (the synopsis) to stderr; exits 2. */
  usageError(message: string): never {
    console.error(`${this.prog}: ${message}\n${this.usage.split("\n")[0]}`);
    return process.exit(2);
  }

  /** Prints `prog: message` to stderr; exits with `status` (default 1). */
  fail(message: string, status = 1): never {
    console.error(`${this.prog}: ${message}`);
    return process.exit(status);
  }

  /** Prints `prog: message` to stderr and goes on. */
  warn(message: string): void {
    console.error(`${this.prog}: ${message}`);
  }

  /**
   * Runs the program's body. An OSError that escapes it (a port in use, a
   * host that does not resolve) is one line and exit 1; a closed stdout
   * (`| head`) exits 141 quietly, as a program killed by SIGPIPE would.
   * Anything else is a bug and keeps its stack trace.
   */
  async main(body: () => void | Promise<void>): Promise<void> {
    try {
      await body();
    } catch (e) {
      if (isBrokenPipe(e)) process.exit(141);
      if (e instanceof OSError) this.fail(describe(e));
      throw e;
    }
  }
}

/**
 * Joins a string flag and a negative number (`-q -1` becomes `-q-1`,
 * `--timeout -1` becomes `--timeout=-1`): `parseArgs` takes a value that
 * starts with "-" for a flag otherwise.
 */
function negativeValues(flags: Record<string, Flag>, argv: string[]): string[] {
  const takesValue = new Set<string>();
  for (const [name, flag] of Object.entries(flags)) {
    if (flag.type !== "string") continue;
    takesValue.add(`--${name}`);
    if (flag.short) takesValue.add(`-${flag.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!, next = argv[i + 1];
    if (takesValue.has(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(arg.startsWith("--") ? `${arg}=${next}` : `${arg}${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** A write to a closed pipe, from our `os.write` or the runtime's console. */
export function isBrokenPipe(e: unknown): boolean {
  if (e instanceof OSError) return e.code === "EPIPE";
  const err = e as { code?: unknown; name?: unknown } | null;
  return err?.code === "EPIPE" || err?.name === "BrokenPipe";
}

/** `syscall: strerror` (`bind: Address already in use`), as C tools print errors. */
export function describe(e: OSError): string {
  return `${e.syscall}: ${e.strerror}`;
}

/** `HOST:PORT`, with IPv6 hosts in brackets (`[::1]:80`). */
export function formatAddress(address: socket.Address): string {
  if (!Array.isArray(address)) return String(address);
  const [host, port] = address as [string, number];
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Splits `HOST:PORT` or `[V6HOST]:PORT`; `null` when it is neither.
 */
export function splitHostPort(text: string): [string, number] | null {
  const m = /^(?:\[([^\]]+)\]|([^:\[\]]+)):(\d{1,5})$/.exec(text);
  if (!m) return null;
  const port = Number(m[3]);
  return port <= 65535 ? [m[1] ?? m[2]!, port] : null;
}

/**
 * The `createServer` options for listening on `host`: IPv6 for an IPv6
 * literal, and dual stack (IPv4 too) for `::`.
 */
export function serverOptions(host: string, backlog?: number): socket.CreateServerOptions {
  if (!host.includes(":")) return { family: socket.AF_INET, backlog };
  return { family: socket.AF_INET6, dualstackIpv6: host === "::", backlog };
}

/**
 * Calls `stop(signalName)` on SIGINT or SIGTERM (once each), for a graceful
 * shutdown: the handler runs on the event loop, so the program's loop must
 * wait with `selectAsync()` and the handler must `wakeup()` its selector.
 *
 * @returns A function that removes the listeners (so the process can exit).
 */
export function onShutdown(stop: (signal: string) => void): () => void {
  const handlers = (["SIGINT", "SIGTERM"] as const).map((sig) => {
    const handler = (): void => stop(sig);
    process.on(sig, handler);
    return [sig, handler] as const;
  });
  return () => {
    for (const [sig, handler] of handlers) process.off(sig, handler);
  };
}

const STDOUT = 1;

/**
 * Writes all of `data` to fd 1; waits (blocking) while stdout is full (a
 * pipe another process left non-blocking).
 */
export function writeStdout(data: Uint8Array): void {
  for (let off = 0; off < data.length;) {
    try {
      off += os.write(STDOUT, data.subarray(off));
    } catch (e) {
      if (!(e instanceof OSError && e.code === "EAGAIN")) throw e;
      using sel = new DefaultSelector(); // stdout left non-blocking by someone else
      sel.register(STDOUT, EVENT_WRITE);
      sel.select(1);
    }
  }
}
