/**
 * The Bun adapter: translates the neutral symbol tables for `bun:ffi`.
 * This is the only file that imports `bun:ffi`.
 *
 * @module
 */
import { CString, dlopen, type FFIFunction, type Pointer, read, toArrayBuffer } from "bun:ffi";
import type { Adapter, NativeType, OpenLibrary, SymbolTable } from "./_types.ts";

type BunType = "i32" | "u32" | "i64" | "i64_fast" | "u64" | "u64_fast" | "ptr" | "void";

function bunParam(t: NativeType): BunType {
  // "ptr" takes a typed array (its address is taken for the duration of the
  // call, which avoids stale `ptr()` values: oven-sh/bun#32055), null or a bigint.
  return t === "buffer" || t === "pointer" ? "ptr" : t;
}

function bunResult(t: NativeType): BunType {
  if (t === "i64") return "i64_fast";
  if (t === "u64") return "u64_fast";
  return t === "buffer" || t === "pointer" ? "ptr" : t;
}

function asPointer(address: bigint): Pointer {
  return Number(address) as Pointer;
}

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;

/** Wraps a raw Bun symbol only where its JS result differs from the neutral one. */
function adapt(raw: AnyFn, result: NativeType): AnyFn {
  if (result === "pointer") return (...args: unknown[]) => BigInt(raw(...args) ?? 0);
  if (result === "i64" || result === "u64") return (...args: unknown[]) => Number(raw(...args));
  return raw;
}

export const adapter: Adapter = {
  open<S extends SymbolTable>(paths: readonly string[], table: S): OpenLibrary<S> {
    const defs: Record<string, FFIFunction> = {};
    for (const [name, spec] of Object.entries(table)) {
      defs[name] = { args: spec.params.map(bunParam), returns: bunResult(spec.result) } as FFIFunction;
    }
    const errors: unknown[] = [];
    for (const path of paths) {
      let lib: ReturnType<typeof dlopen<Record<string, FFIFunction>>>;
      try {
        lib = dlopen(path, defs);
      } catch (e) {
        errors.push(e);
        continue;
      }
      const symbols: Record<string, AnyFn> = {};
      for (const [name, spec] of Object.entries(table)) {
        symbols[name] = adapt(lib.symbols[name] as unknown as AnyFn, spec.result);
      }
      return {
        symbols: symbols as OpenLibrary<S>["symbols"],
        path,
        close: () => lib.close(),
      };
    }
    throw new AggregateError(errors, `Cannot open ${paths.join(" or ")} with bun:ffi`);
  },

  readMemory(address: bigint, length: number): Uint8Array {
    if (length === 0) return new Uint8Array(0);
    return new Uint8Array(toArrayBuffer(asPointer(address), 0, length).slice(0));
  },

  readCString(address: bigint): string {
    return new CString(asPointer(address)).toString();
  },

  intReader(address: bigint): () => number {
    const p = asPointer(address);
    return () => read.i32(p, 0);
  },
};
