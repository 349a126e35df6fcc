/**
 * Budgets that know where they run. A test whose bound is about time or
 * memory asks here instead of loosening its assert for everyone: under an
 * emulator (qemu-user, `npm run test:aarch64`) a forced V8 GC costs ~70x more
 * and the emulator's translated-code cache counts in RSS.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
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
