/**
 * Budgets that know where they run. A test whose bound is about time or
 * memory asks here instead of loosening its assert for everyone: under an
 * emulator (qemu-user, `npm run test:aarch64`) a forced V8 GC costs ~70x more
 * and the emulator's translated-code cache counts in RSS.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import process from "node:process";
import { ARCH, OS } from "../ffi/_host.ts";

/** The machine's own CPU, from a native `uname -m` (an emulated runtime reports the guest's). */
function machineArch(): string {
  const r = spawnSync("uname", ["-m"], { encoding: "utf8" });
  return (r.stdout ?? "").trim();
}

/** Whether this runtime runs under an emulator: its CPU is not the machine's. */
export const EMULATED: boolean = OS === "linux" && ARCH !== "other" && machineArch() !== ARCH;

/**
 * A timeout for work measured first: `perUnitMs` (a calibration run's time
 * per unit of work) times `units`, with `margin`, never below `floorMs`.
 */
export function scaledTimeout(perUnitMs: number, units: number, floorMs: number, margin = 4): number {
  return Math.max(floorMs, Math.ceil(perUnitMs * units * margin));
}

/** A fixed piece of JavaScript work (numbers, strings, objects); its time in ms. */
const WORKLOAD = `const t0 = performance.now(); let acc = 0;
for (let i = 0; i < 3e5; i++) { acc += Math.sqrt(i) * (i & 7); if (i % 1000 === 0) acc += JSON.stringify({ i, s: "x".repeat(i % 50) }).length; }
console.log(JSON.stringify({ ms: performance.now() - t0, acc }));`;

function timeWorkload(cmd: string, args: string[]): number | null {
  const r = spawnSync(cmd, [...args], { encoding: "utf8", timeout: 120_000 });
  try {
    return JSON.parse((r.stdout ?? "").trim().split("\n").pop() ?? "").ms;
  } catch {
    return null;
  }
}

let measured: number | null = null;

/**
 * How many times slower this runtime runs than the machine runs natively:
 * 1 unless emulated; under an emulator, the same workload timed here (in a
 * child of this runtime) and in the machine's native `node`, at least 1.
 * Measured once, on first use.
 */
export function slowdown(): number {
  if (measured !== null) return measured;
  if (!EMULATED) return measured = 1;
  const runtimeArgs = "Deno" in globalThis ? ["eval", WORKLOAD] : ["-e", WORKLOAD];
  const here = timeWorkload(process.execPath, runtimeArgs);
  const native = timeWorkload("node", ["-e", WORKLOAD]);
  // Could not measure: assume a slow emulator.
  measured = here === null || native === null || native <= 0
    ? 10
    : Math.max(1, Math.round((here / native) * 10) / 10);
  return measured;
}

/**
 * A wall-clock allowance for something that takes at most `seconds` natively:
 * times {@linkcode slowdown} (so exactly `seconds` on a native runtime). For
 * upper bounds and "long enough" timeouts, never for lower bounds. Under an
 * emulator the JavaScript thread can be busy for seconds at a time (seen with
 * Deno on qemu-user: 6-14 s with the JS thread running, a V8 worker running
 * and the off-thread poll asleep in ppoll: nothing lost, nothing waiting on
 * us), so a fixed bound there measures the emulator.
 */
export function budget(seconds: number): number {
  return seconds * slowdown();
}
