#!/usr/bin/env node
// Runs the whole suite under a runtime build for another platform, on this
// Debian x86_64 machine:
//
//   aarch64: the arm64 Deno and Bun builds through qemu-user (binfmt_misc),
//            with aarch64 C libraries from Debian's arm64 architecture and
//            aarch64-linux-gnu-gcc as `gcc` for the header probe and the
//            kqueue stand-in;
//   musl:    Bun's x86_64 musl build (Deno has none) on Debian's musl, with
//            musl-gcc as `gcc`. Debian has no musl libstdc++, so Bun's one
//            C++ dependency is a STAND-IN: Debian's own libstdc++.so.6 and
//            libgcc_s.so.1, with the seven glibc-only symbols they use
//            supplied by a small shim (scripts/musl_glibc_shim.c), found
//            through an rpath set on a copy of the bun binary. It stands in
//            for Alpine's `apk add libstdc++`.
//   windows: the Windows x64 Deno and Bun builds (`deno.exe`, `bun.exe`)
//            under Wine 10. Debian 12's Wine 8 is too old for them (Deno's V8
//            needs MEM_RESERVE_PLACEHOLDER, both need bcryptprimitives.dll),
//            and Wine 10 needs glibc 2.38, so it runs in a Debian trixie
//            chroot made by debootstrap (WINE_ROOT, default
//            /var/cache/ffi-selectors/wine-trixie: ~1.4 GB, and ~2 GB more for
//            the Wine prefix), with /proc, /dev and this checkout bind-mounted
//            at the same path, in a private mount namespace per run (nothing
//            stays mounted on this machine when a run ends, however it ends). `.platforms/windows/bin/{deno,bun}` run the
//            .exe there. Wine is not Windows: TEST_PLATFORM=windows lets a
//            test skip where Wine answers differently from Windows.
//
// Setup is idempotent (packages, binfmt, runtime builds at the lockfile's
// versions, in .platforms/TARGET/); then scripts/test.mjs runs the suite
// under those runtimes (not the static checks, which do not depend on the
// platform) and ends with its "N passed, N failed" line.
//
//   usage: node scripts/platform.mjs aarch64|musl|windows [--setup-only]
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { chrootScript } from "./_chroot.mjs";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = process.argv[2];
if (target !== "aarch64" && target !== "musl" && target !== "windows") {
  console.error("usage: node scripts/platform.mjs aarch64|musl|windows [--setup-only]");
  process.exit(2);
}
const dir = join(root, ".platforms", target);
mkdirSync(dir, { recursive: true });

function sh(cmd, args, options = {}) {
  console.log(`$ ${cmd} ${args.join(" ")}`);
  execFileSync(cmd, args, { stdio: "inherit", ...options });
}

function ok(cmd, args) {
  return spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
}

/** The version of a devDependency, as the lockfile pins it. */
function locked(name) {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
  return lock.packages[`node_modules/${name}`].version;
}

/** Installs Debian packages that are missing (dpkg -s says which). */
function debian(packages) {
  const missing = packages.filter((p) => !ok("dpkg", ["-s", p]));
  if (missing.length === 0) return;
  // Ask dpkg which foreign architectures it has: /var/lib/dpkg/arch exists only
  // once one was added, so a fresh machine has none to read.
  const foreign = execFileSync("dpkg", ["--print-foreign-architectures"], { encoding: "utf8" }).split(/\s+/);
  if (missing.some((p) => p.endsWith(":arm64")) && !foreign.includes("arm64")) {
    sh("dpkg", ["--add-architecture", "arm64"]);
  }
  sh("apt-get", ["update", "-qq"]);
  sh("apt-get", ["install", "-y", "-qq", ...missing], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

/** Unpacks an npm package at `version` into `into` (once). */
function npmPackage(name, version, into) {
  const stamp = join(into, `.${name.replace("/", "+")}@${version}`);
  if (existsSync(stamp)) return;
  rmSync(into, { recursive: true, force: true });
  mkdirSync(into, { recursive: true });
  const tgz = execFileSync("npm", ["pack", "--silent", `${name}@${version}`], { cwd: into, encoding: "utf8" })
    .trim();
  sh("tar", ["xzf", join(into, tgz), "-C", into, "--strip-components=1"]);
  rmSync(join(into, tgz));
  writeFileSync(stamp, "");
}

/** A directory whose `gcc` is the target's compiler, to put first on PATH. */
function gccWrapper(compiler) {
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "gcc"), `#!/bin/sh\nexec ${compiler} "$@"\n`);
  chmodSync(join(bin, "gcc"), 0o755);
  return bin;
}

/** binfmt_misc mounted and qemu-aarch64 enabled, so aarch64 binaries run as they are. */
function binfmt() {
  const entry = "/proc/sys/fs/binfmt_misc/qemu-aarch64";
  if (!existsSync("/proc/sys/fs/binfmt_misc/register")) {
    sh("mount", ["-t", "binfmt_misc", "binfmt_misc", "/proc/sys/fs/binfmt_misc"]);
  }
  if (!existsSync(entry)) sh("update-binfmts", ["--enable", "qemu-aarch64"]);
  if (!readFileSync(entry, "utf8").startsWith("enabled")) writeFileSync(entry, "1");
}

/**
 * The Wine chroot (see the top of this file), the Windows runtime builds, and
 * a wrapper per runtime that runs its .exe there from the current directory.
 */
function windows() {
  debian(["debootstrap"]);
  const wineRoot = process.env.WINE_ROOT || "/var/cache/ffi-selectors/wine-trixie";
  // A stamp says the chroot is whole. A half-made one is never removed from
  // here: /dev and this checkout may be bind-mounted inside it.
  const ready = join(wineRoot, ".ffi-selectors-ready");
  if (!existsSync(ready)) {
    if (existsSync(wineRoot)) {
      console.error(
        `${wineRoot} exists but is not a finished chroot: unmount what is mounted in it, remove it, and run again`,
      );
      process.exit(1);
    }
    mkdirSync(dirname(wineRoot), { recursive: true });
    sh("debootstrap", [
      "--variant=minbase",
      "--include=wine,wine64,libwine",
      "trixie",
      wineRoot,
      "http://deb.debian.org/debian",
    ]);
    writeFileSync(ready, "");
  }
  // The chroot's own name service: localhost from its hosts file, and a
  // resolver on loopback, so no lookup made under Wine leaves this machine.
  writeFileSync(
    join(wineRoot, "etc/hosts"),
    "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
  );
  writeFileSync(join(wineRoot, "etc/resolv.conf"), "nameserver 127.0.0.1\n");
  const checkout = realpathSync(root);
  for (const point of ["proc", "dev", checkout.slice(1)]) {
    mkdirSync(join(wineRoot, point), { recursive: true });
  }
  const wineEnv = ["WINEDEBUG=-all", "WINEPREFIX=/root/.wine", "HOME=/root", "XDG_RUNTIME_DIR=/tmp"];
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  if (!existsSync(join(wineRoot, "root/.wine/system.reg"))) {
    const boot = join(bin, "wineboot");
    writeFileSync(boot, chrootScript(wineRoot, checkout, ["/usr/bin/env", ...wineEnv, "wineboot", "--init"]));
    chmodSync(boot, 0o755);
    sh(boot, []);
  }
  npmPackage("@deno/win32-x64", locked("deno"), join(dir, "deno"));
  npmPackage("@oven/bun-windows-x64", locked("bun"), join(dir, "bun"));
  const exes = { deno: join(dir, "deno", "deno.exe"), bun: join(dir, "bun", "bin", "bun.exe") };
  for (const [name, exe] of Object.entries(exes)) {
    // The environment the suite passes (NO_COLOR, TEST_*, ...) goes through
    // chroot unchanged; Wine hands it to the Windows process.
    writeFileSync(
      join(bin, name),
      chrootScript(wineRoot, checkout, ["/usr/bin/env", ...wineEnv, "wine", exe]),
    );
    chmodSync(join(bin, name), 0o755);
  }
  return { TEST_DENO: join(bin, "deno"), TEST_BUN: join(bin, "bun") };
}

let env;
if (target === "windows") {
  env = windows();
} else if (target === "aarch64") {
  debian([
    "qemu-user-static",
    "binfmt-support",
    "gcc-aarch64-linux-gnu",
    "libc6:arm64",
    "libgcc-s1:arm64",
    "libstdc++6:arm64",
  ]);
  binfmt();
  npmPackage("@deno/linux-arm64-glibc", locked("deno"), join(dir, "deno"));
  npmPackage("@oven/bun-linux-aarch64", locked("bun"), join(dir, "bun"));
  const bin = gccWrapper("aarch64-linux-gnu-gcc");
  env = {
    TEST_DENO: join(dir, "deno", "deno"),
    TEST_BUN: join(dir, "bun", "bin", "bun"),
    PATH: `${bin}:${process.env.PATH}`,
  };
  for (const exe of [env.TEST_DENO, env.TEST_BUN]) chmodSync(exe, 0o755);
} else {
  debian(["musl", "musl-tools", "patchelf"]);
  npmPackage("@oven/bun-linux-x64-musl", locked("bun"), join(dir, "bun"));
  // The libstdc++ stand-in (see the top of this file).
  const lib = join(dir, "standin-lib");
  if (!existsSync(join(lib, "libglibc_shim.so"))) {
    mkdirSync(lib, { recursive: true });
    for (const so of ["/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libgcc_s.so.1"]) {
      sh("cp", ["-L", so, lib]);
    }
    sh("musl-gcc", [
      "-shared",
      "-fPIC",
      "-O2",
      "-o",
      join(lib, "libglibc_shim.so"),
      join(root, "scripts", "musl_glibc_shim.c"),
    ]);
    symlinkSync("/lib/ld-musl-x86_64.so.1", join(lib, "ld-linux-x86-64.so.2")); // glibc's loader name, served by musl's
    sh("patchelf", ["--add-needed", "libglibc_shim.so", join(lib, "libstdc++.so.6")]);
    for (const so of ["libstdc++.so.6", "libgcc_s.so.1", "libglibc_shim.so"]) {
      sh("patchelf", ["--set-rpath", lib, join(lib, so)]);
    }
  }
  const bun = join(dir, "bun", "bin", "bun-standin");
  if (!existsSync(bun)) {
    sh("cp", [join(dir, "bun", "bin", "bun"), bun]);
    sh("patchelf", ["--set-rpath", lib, bun]);
  }
  chmodSync(bun, 0o755);
  const bin = gccWrapper("musl-gcc");
  env = { TEST_BUN: bun, PATH: `${bin}:${process.env.PATH}` };
}

const runtimes = Object.entries(env).filter(([k]) => k.startsWith("TEST_")).map(([, v]) => v);
for (const exe of runtimes) sh(exe, ["--version"]);
// The kqueue stand-in, built for the target (tests/fixtures/build/TARGET/); Windows has no kqueue to stand in for.
if (target !== "windows") {
  sh(
    "bash",
    [join(root, "tests/fixtures/build.sh"), target === "aarch64" ? "aarch64-glibc" : "x86_64-musl"],
    {
      env: { ...process.env, ...env },
    },
  );
}
if (process.argv.includes("--setup-only")) process.exit(0);

const only = target === "musl" ? "bun" : "runtimes";
const r = spawnSync(process.execPath, [join(root, "scripts", "test.mjs"), "--only", only], {
  stdio: "inherit",
  env: { ...process.env, ...env, TEST_PLATFORM: target },
});
process.exit(r.status ?? 1);
