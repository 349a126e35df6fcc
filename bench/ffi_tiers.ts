/**
 * What one FFI call costs in each of V8's tiers (a benchmark, not a test;
 * Deno only). Deno's FFI calls are V8 "fast API" calls only from TurboFan
 * code; from Sparkplug or Maglev code every call goes through the
 * function's slow callback (the arguments converted one by one, then
 * libffi). A library function that V8 leaves in a lower tier pays that on
 * every call, which is what issue #33 found in the echo server (recvInto,
 * EpollPoller.wait). This runs a tiny C function with the shape of the hot
 * calls (a buffer, a 64-bit length) in a child capped at each tier with
 * `--max-opt`, and prints ns per call once warm.
 *
 *   deno run -A bench/ffi_tiers.ts [CALLS]
 *
 * @module
 */
import process from "node:process";
import { RUNTIME } from "../mod.ts";

const CALLS = Number(process.argv[2] ?? 2_000_000);

/** The child: `memcmp(a, b, 8)` from a small function, timed once the tier is reached. */
function child(): void {
  // deno-lint-ignore no-explicit-any
  const { symbols } = (globalThis as any).Deno.dlopen("libc.so.6", {
    memcmp: { parameters: ["buffer", "buffer", "usize"], result: "i32" },
  });
  const a = new Uint8Array(64), b = new Uint8Array(64);
  const LEN = 8n;
  const call = (x: Uint8Array): number => symbols.memcmp(x, b, LEN);
  let sink = 0;
  for (let i = 0; i < CALLS; i++) sink += call(a); // reach the tier
  const t0 = performance.now();
  for (let i = 0; i < CALLS; i++) sink += call(a);
  const ns = (performance.now() - t0) * 1e6 / CALLS;
  console.log(JSON.stringify({ ns: Number(ns.toFixed(1)), sink }));
}

if (process.argv[3] === "child") {
  child();
} else if (RUNTIME !== "deno") {
  console.log("ffi_tiers: the tiers measured are V8's, so Deno's: run it under Deno");
} else {
  const tiers: Array<[string, number]> = [["Sparkplug", 1], ["Maglev", 2], ["TurboFan", 3]];
  const rows: string[] = [];
  for (const [name, maxOpt] of tiers) {
    // deno-lint-ignore no-explicit-any
    const out = new (globalThis as any).Deno.Command(process.execPath, {
      args: ["run", "-A", `--v8-flags=--max-opt=${maxOpt}`, import.meta.filename!, String(CALLS), "child"],
    }).outputSync();
    const { ns } = JSON.parse(new TextDecoder().decode(out.stdout));
    rows.push(`| ${name} | ${ns} |`);
  }
  console.log(
    `| highest tier allowed | ns per FFI call (memcmp, 8 bytes) |\n| --- | ---: |\n${rows.join("\n")}`,
  );
}
