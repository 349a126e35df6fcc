/**
 * `node:test`'s `test`, plus one thing both runners lack: a skipped test's
 * reason is printed (`SKIP <name>: <reason>`), and `scripts/test.mjs` lists
 * those lines in its summary. Every test file imports `test` from here.
 *
 * @module
 */
import { test as nodeTest } from "node:test";

type Body = () => void | Promise<void>;
type Options = { skip?: string | boolean };

/** Registers a test, printing the skip reason when it is skipped. */
export function test(name: string, optionsOrFn: Options | Body, maybeFn?: Body): void {
  const options = typeof optionsOrFn === "function" ? {} : optionsOrFn;
  const fn = typeof optionsOrFn === "function" ? optionsOrFn : maybeFn!;
  if (options.skip) {
    console.log(`SKIP ${name}: ${typeof options.skip === "string" ? options.skip : "skipped"}`);
    nodeTest(name, { skip: options.skip }, fn);
  } else {
    nodeTest(name, fn);
  }
}
