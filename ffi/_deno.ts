/**
 * The Deno adapter: translates the neutral symbol tables for `Deno.dlopen`.
 * This is the only file that touches `Deno.dlopen` and `Deno.UnsafePointer*`.
 *
 * @module
 */
import type { Adapter, NativeType, OpenLibrary, SymbolTable } from "./_types.ts";

function denoParam(t: NativeType): Deno.NativeType {
  if (t === "void") throw new TypeError("void is not a parameter type");
  return t; // the neutral names are Deno's own
}

function denoResult(t: NativeType): Deno.NativeResultType {
  return t;
}

function toPointer(address: bigint): Deno.PointerValue {
  return address === 0n ? null : Deno.UnsafePointer.create(address);
}

function fromPointer(p: Deno.PointerValue): bigint {
  return p === null ? 0n : BigInt(Deno.UnsafePointer.value(p));
}

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;

/**
 * Wraps a raw Deno symbol only where its JS types differ from the neutral ones
 * (pointers as bigint, 64-bit results as numbers); every other symbol is the
 * raw FFI function itself, so the hot path pays nothing.
 */
function adapt(raw: AnyFn, params: readonly NativeType[], result: NativeType): AnyFn {
  const pointerParams = params.flatMap((t, i) => t === "pointer" ? [i] : []);
  const convertArgs = pointerParams.length === 0 ? null : (args: unknown[]) => {
    for (const i of pointerParams) args[i] = toPointer(args[i] as bigint);
    return args;
  };
  const convertResult = result === "pointer"
    ? fromPointer
    : result === "i64" || result === "u64"
    ? Number
    : null;
  if (!convertArgs && !convertResult) return raw;
  return (...args: unknown[]) => {
    const r = raw(...(convertArgs ? convertArgs(args) : args));
    return convertResult ? convertResult(r) : r;
  };
}

export const adapter: Adapter = {
  open<S extends SymbolTable>(paths: readonly string[], table: S): OpenLibrary<S> {
    const defs: Record<string, Deno.ForeignFunction> = {};
    for (const [name, spec] of Object.entries(table)) {
      defs[name] = { parameters: spec.params.map(denoParam), result: denoResult(spec.result) };
    }
    const errors: unknown[] = [];
    for (const path of paths) {
      let lib: Deno.DynamicLibrary<Record<string, Deno.ForeignFunction>>;
      try {
        lib = Deno.dlopen(path, defs);
      } catch (e) {
        errors.push(e);
        continue;
      }
      const symbols: Record<string, AnyFn> = {};
      for (const [name, spec] of Object.entries(table)) {
        symbols[name] = adapt(lib.symbols[name] as AnyFn, spec.params, spec.result);
      }
      return {
        symbols: symbols as OpenLibrary<S>["symbols"],
        path,
        close: () => lib.close(),
      };
    }
    throw new AggregateError(errors, `Cannot open ${paths.join(" or ")} with Deno.dlopen`);
  },

  readMemory(address: bigint, length: number): Uint8Array {
    const out = new Uint8Array(length);
    if (length > 0) new Deno.UnsafePointerView(toPointer(address)!).copyInto(out);
    return out;
  },

  readCString(address: bigint): string {
    return Deno.UnsafePointerView.getCString(toPointer(address)!);
  },

  intReader(address: bigint): () => number {
    const view = new Deno.UnsafePointerView(toPointer(address)!);
    return () => view.getInt32(0);
  },
};
