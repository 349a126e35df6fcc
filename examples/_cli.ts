/**
 * A small command-line parser for the examples: `--name value`,
 * `--name=value`, boolean `--flag`, positionals, and `--help`.
 *
 * @module
 */
import process from "node:process";

type Value = string | number | boolean;
/** Parsed options, typed from their defaults, plus positionals in `_`. */
export type Parsed<T extends Record<string, Value>> = { [K in keyof T]: T[K] } & { _: string[] };

/**
 * Parses `process.argv` against defaults; prints `usage` and exits 0 on
 * `--help`, exits 2 on an unknown option or a bad number.
 */
export function parseArgs<T extends Record<string, Value>>(
  usage: string,
  defaults: T,
  argv: string[] = process.argv.slice(2),
): Parsed<T> {
  const out: Record<string, Value | string[]> = { ...defaults, _: [] };
  const fail = (msg: string): never => usageError(usage, msg);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      console.log(usage);
      process.exit(0);
    }
    if (!arg.startsWith("--")) {
      (out._ as string[]).push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!(name in defaults)) fail(`unknown option --${name}`);
    const def = defaults[name];
    if (typeof def === "boolean") {
      out[name] = eq < 0 ? true : arg.slice(eq + 1) !== "false";
      continue;
    }
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined) fail(`--${name} needs a value`);
    if (typeof def === "number") {
      const n = Number(raw);
      if (raw === "" || Number.isNaN(n)) fail(`--${name} needs a number, got ${JSON.stringify(raw)}`);
      out[name] = n;
    } else {
      out[name] = raw!;
    }
  }
  return out as Parsed<T>;
}

/** Prints a message and the usage to stderr, then exits with status 2. */
export function usageError(usage: string, message: string): never {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
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
