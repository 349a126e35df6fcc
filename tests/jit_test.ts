/**
 * The hot path stays compiled: no FFI parameter makes the JIT throw away
 * optimized code over and over.
 *
 * @module
 */
import assert from "node:assert/strict";
import process from "node:process";
import { test, WINE } from "./_test.ts";
import { budget } from "./_budget.ts";
import { here, run } from "./_helpers.ts";
import { RUNTIME } from "../mod.ts";

const skip = RUNTIME === "deno"
  ? undefined
  : "V8's --trace-deopt is Deno's; Bun's JIT takes numbers for 64-bit parameters";

test(
  "Deno: a hot send/recv/read/write/poll loop is not deoptimized over and over (size_t passed as bigint)",
  {
    skip,
  },
  async () => {
    // Deno's fast calls take 64-bit integers as bigint only; a number there
    // fails a check in optimized code, which V8 then discards and rebuilds: at
    // 200 000 rounds that was hundreds of "not a BigInt" bailouts, ~150 ns per
    // call and a compiler thread kept busy.
    // Under Wine every system call is a round trip to its server: fewer rounds
    // (still far past where a deopt loop shows) keep it inside its minute.
    const rounds = WINE ? 60_000 : 200_000;
    const r = await run(process.execPath, [
      "run",
      "--allow-ffi",
      "--allow-env",
      "--v8-flags=--trace-deopt",
      here("fixtures/hot_loop.ts"),
      String(rounds),
    ], { timeoutMs: budget(60) * 1000 }); // ~1 s natively, 30 s and more under an emulator
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    assert.match(r.stdout, /done \d+/);
    const bailouts = r.stdout.split("\n").filter((l) => l.startsWith("[bailout"));
    const bigint = bailouts.filter((l) => l.includes("not a BigInt"));
    assert.equal(bigint.length, 0, `"not a BigInt" bailouts:\n${bigint.slice(0, 5).join("\n")}`);
    // A handful of bailouts while types settle is normal; a loop is not.
    assert.ok(bailouts.length < 20, `${bailouts.length} bailouts:\n${bailouts.slice(0, 10).join("\n")}`);
  },
);
