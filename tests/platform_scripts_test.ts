/**
 * The platform scripts (`scripts/platform.mjs`) leave nothing mounted on this
 * machine: the Wine chroot's wrapper mounts /proc, /dev and the checkout in a
 * private mount namespace of its own, gone with it however it ends. Checked
 * with the real wrapper on a scratch "chroot" directory and a stand-in
 * `chroot` command on PATH (the 1.4 GB Wine chroot is not needed to see the
 * mounts come and go).
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "./_test.ts";
import { firstLine, here, scratchDir } from "./_helpers.ts";
import { chrootScript } from "../scripts/_chroot.mjs";

const CAN_MOUNT = process.platform === "linux" &&
  spawnSync("unshare", ["-m", "--propagation", "private", "sh", "-c", "mount -t tmpfs none /mnt"]).status ===
    0;

function mounted(path: string): boolean {
  return spawnSync("mountpoint", ["-q", path]).status === 0;
}

/** A scratch chroot directory, a wrapper that runs `stand-in` there, and a PATH whose `chroot` is a stand-in. */
function setup(): { root: string; checkout: string; wrapper: string; env: NodeJS.ProcessEnv } {
  const dir = scratchDir("chroot-");
  const root = join(dir, "root");
  const checkout = here("..").replace(/\/$/, "");
  for (const point of ["proc", "dev", checkout.slice(1)]) mkdirSync(join(root, point), { recursive: true });
  const bin = join(dir, "bin");
  mkdirSync(bin);
  // The stand-in: says what it sees mounted inside, then waits as long as asked.
  writeFileSync(
    join(bin, "chroot"),
    `#!/bin/sh\nmountpoint -q "$1/proc" && mountpoint -q "$1/dev" && mountpoint -q "$1${checkout}" && echo mounted-inside\nexec sleep "\${HOLD:-0}"\n`,
  );
  chmodSync(join(bin, "chroot"), 0o755);
  const wrapper = join(dir, "wrapper");
  writeFileSync(wrapper, chrootScript(root, checkout, ["/usr/bin/env", "stand-in"]));
  chmodSync(wrapper, 0o755);
  return { root, checkout, wrapper, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } };
}

function assertNothingMounted(root: string, checkout: string): void {
  for (const point of ["proc", "dev", checkout.slice(1)]) {
    assert.equal(mounted(join(root, point)), false, `${point} is not mounted on this machine`);
  }
}

test(
  "the Wine chroot's wrapper mounts /proc, /dev and the checkout for its own process only, and leaves nothing mounted",
  {
    skip: CAN_MOUNT ? false : "needs root and unshare -m (a private mount namespace)",
  },
  () => {
    const { root, checkout, wrapper, env } = setup();
    const r = spawnSync(wrapper, [], { env, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), "mounted-inside");
    assertNothingMounted(root, checkout);
  },
);

for (const signal of ["SIGINT", "SIGTERM", "SIGKILL"] as const) {
  test(`the Wine chroot's wrapper, ended by ${signal} mid-run, leaves nothing mounted`, {
    skip: CAN_MOUNT ? false : "needs root and unshare -m (a private mount namespace)",
  }, async () => {
    const { root, checkout, wrapper, env } = setup();
    const child = spawn(wrapper, [], { env: { ...env, HOLD: "30" }, stdio: ["ignore", "pipe", "pipe"] });
    const closed = new Promise((resolve) => child.on("close", resolve));
    assert.equal(await firstLine(child), "mounted-inside");
    child.kill(signal);
    await closed;
    assertNothingMounted(root, checkout);
  });
}
