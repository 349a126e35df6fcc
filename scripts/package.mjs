#!/usr/bin/env node
// What users install, checked as they get it:
//   1. the npm tarball holds exactly the import closure of the entry points
//      built to JavaScript with .d.ts files (dist/, by `npm pack`'s prepack),
//      and the JSR upload exactly the closure's TypeScript sources, each with
//      README.md, docs/*.md, LICENSE and the manifest (nothing missing, nothing extra:
//      no tests, lock files, profiler logs);
//   2. a scratch Bun project that installs the tarball type-checks with only
//      @types/bun and runs it;
//   3. a scratch Deno project that installs the tarball with npm (a project
//      shared by Bun and Deno: `nodeModulesDir: "manual"`) and imports it by
//      its package name type-checks and runs it;
//   4. a scratch Deno project that imports the TypeScript sources by path (as
//      from a URL or JSR) type-checks with Deno's types only and runs it;
//   5. npm's own platform check (npm-install-checks, as npm install runs it)
//      accepts the manifest on every OS and CPU the README names;
//   6. a scratch Deno project that imports the sources by http:// URL from
//      the README's server runs it.
// Exit status 0 when all hold; each failure is printed on one line.
//
//   usage: node scripts/package.mjs
import { spawn, spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const env = { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };
const failures = [];

function sh(cmd, args, cwd = root) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 64 << 20 });
  return { code: r.status ?? 1, out: `${r.stdout ?? ""}${r.stderr ?? ""}`, stdout: r.stdout ?? "" };
}

/** The README's command that serves a checkout for http:// imports (port: the argument; 0 picks one). */
const SERVE_TS =
  'import http.server as h, sys; H = h.SimpleHTTPRequestHandler; H.extensions_map[".ts"] = "application/typescript"; h.test(HandlerClass=H, port=int(sys.argv[1]), bind="127.0.0.1")';

/** Like `sh`, without blocking this process's event loop (a server of its own answers meanwhile). */
function shAsync(cmd, args, cwd = root) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => out += d);
    child.stderr.on("data", (d) => out += d);
    child.on("close", (code) => resolve({ code: code ?? 1, out }));
    child.on("error", (e) => resolve({ code: 1, out: String(e) }));
  });
}

/** Relative paths of every module reachable from the entry points by static or literal dynamic import. */
function closure(entries) {
  const seen = new Set();
  const todo = [...entries];
  while (todo.length) {
    const file = todo.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(join(root, file), "utf8");
    // Static, side-effect and literal dynamic imports, and workers' `new URL("./x.ts", import.meta.url)`.
    for (const m of text.matchAll(/(?:from|import|import\(|new URL\()\s*"(\.{1,2}\/[^"]+\.ts)"/g)) {
      todo.push(normalize(join(dirname(file), m[1])));
    }
  }
  return seen;
}

function compare(what, got, want) {
  const missing = [...want].filter((f) => !got.has(f));
  const extra = [...got].filter((f) => !want.has(f));
  if (missing.length) failures.push(`${what} lacks ${missing.join(", ")}`);
  if (extra.length) failures.push(`${what} ships what it should not: ${extra.join(", ")}`);
  console.log(
    `${what}: ${got.size} files${missing.length || extra.length ? "" : ", exactly the allow-list"}`,
  );
}

const sources = closure(["mod.ts", "socket.ts", "ssl.ts"]);
// The README and the documents it links to, so its links work where the package is shown.
const docs = [
  "README.md",
  "LICENSE",
  ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`),
];

// 1. The file lists.
const packed = sh("npm", ["pack", "--dry-run", "--json"]);
let npmFiles = new Set();
try {
  npmFiles = new Set(JSON.parse(packed.stdout)[0].files.map((f) => f.path));
} catch {
  failures.push(`npm pack --dry-run failed: ${packed.out.slice(-500)}`);
}
const built = [...sources].flatMap((
  f,
) => [`dist/${f.replace(/\.ts$/, ".js")}`, `dist/${f.replace(/\.ts$/, ".d.ts")}`]);
compare("npm tarball", npmFiles, new Set([...built, ...docs, "package.json"]));

const published = sh(bin("deno"), ["publish", "--dry-run", "--allow-dirty"]);
const jsrFiles = new Set(
  [...published.out.matchAll(/file:\/\/(\S+) \(/g)].map((m) => relative(root, m[1])),
);
if (published.code !== 0) failures.push(`deno publish --dry-run failed: ${published.out.slice(-500)}`);
compare("JSR upload", jsrFiles, new Set([...sources, ...docs, "deno.json"]));

// 5. npm's platform check, as npm install runs it on each platform the README names.
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const npmCli = process.env.npm_execpath ?? realpathSync(sh("sh", ["-c", "command -v npm"]).stdout.trim());
const { checkPlatform } = createRequire(npmCli)("npm-install-checks");
const PLATFORMS = [
  { os: "linux", cpu: "x64", libc: "glibc" },
  { os: "linux", cpu: "arm64", libc: "glibc" },
  { os: "linux", cpu: "x64", libc: "musl" },
  { os: "darwin", cpu: "arm64" },
  { os: "darwin", cpu: "x64" },
  { os: "freebsd", cpu: "x64" },
  { os: "win32", cpu: "x64" },
];
const refused = [];
for (const env of PLATFORMS) {
  try {
    checkPlatform(manifest, false, env);
  } catch (e) {
    refused.push(`${env.os}/${env.cpu}${env.libc ? `/${env.libc}` : ""} (${e.code})`);
  }
}
if (refused.length) failures.push(`npm's platform check refuses the package on ${refused.join(", ")}`);
console.log(
  `npm's platform check: ${PLATFORMS.length - refused.length} of ${PLATFORMS.length} platforms accepted`,
);

// 2 and 3. Consumers, from the real tarball.
const scratch = mkdtempSync(join(tmpdir(), "ffi-selectors-consumers-"));
const USE = `import process from "node:process";
import { DefaultSelector, EVENT_READ, os } from "ffi-selectors";
import { socketpair } from "ffi-selectors/socket";

using sel = new DefaultSelector<string>();
const [a, b] = socketpair();
sel.register(b, EVENT_READ, "b");
a.sendall(new TextEncoder().encode("hi"));
const ready = sel.select(5);
const got: string = ready.map(([key]) => key.data).join();
const sync = got === "b" && new TextDecoder().decode(b.recv(8)) === "hi";
// selectAsync goes off the JS thread (Bun: a Worker file the package must ship and find).
setTimeout(() => a.sendall(new TextEncoder().encode("!")), 20);
const later = await sel.selectAsync(5);
const async = later.length === 1 && later[0]![0].data === "b";
console.log(sync && async ? "consumer ok" : "consumer wrong");
a.close();
b.close();
void os;
void process.pid; // a node: import, which a script next to this library usually has
`;
try {
  const pack = sh("npm", ["pack", "--pack-destination", scratch]);
  const tarball = join(scratch, pack.stdout.trim().split("\n").pop());
  if (pack.code !== 0) throw new Error(`npm pack failed: ${pack.out.slice(-500)}`);

  // A Bun project: `bun add` the tarball; types from @types/bun only.
  const bunDir = join(scratch, "bun-app");
  mkdirSync(join(bunDir, "node_modules", "@types"), { recursive: true });
  writeFileSync(
    join(bunDir, "package.json"),
    JSON.stringify({ name: "bun-app", type: "module", private: true }),
  );
  const added = sh(bin("bun"), ["add", "--no-save", tarball], bunDir);
  if (added.code !== 0) throw new Error(`bun add of the tarball failed: ${added.out.slice(-500)}`);
  for (const dep of ["@types/bun", "bun-types", "@types/node", "undici-types"]) {
    try {
      symlinkSync(join(root, "node_modules", dep), join(bunDir, "node_modules", dep));
    } catch { /* not installed here: bun-types needs only what exists */ }
  }
  writeFileSync(
    join(bunDir, "tsconfig.json"),
    JSON.stringify({
      // What `bun init` writes, less what does not matter here.
      compilerOptions: {
        lib: ["ESNext"],
        target: "ESNext",
        module: "Preserve",
        moduleDetection: "force",
        allowJs: true,
        moduleResolution: "bundler",
        allowImportingTsExtensions: true,
        verbatimModuleSyntax: true,
        noEmit: true,
        strict: true,
        skipLibCheck: true,
        types: ["bun"],
      },
    }),
  );
  writeFileSync(join(bunDir, "index.ts"), USE);
  const tscBun = sh(bin("tsc"), ["-p", "tsconfig.json"], bunDir);
  if (tscBun.code !== 0) failures.push(`Bun consumer: tsc fails:\n${tscBun.out.slice(0, 3000)}`);
  const runBun = sh(bin("bun"), ["index.ts"], bunDir);
  if (!runBun.out.includes("consumer ok")) {
    failures.push(`Bun consumer: run fails: ${runBun.out.slice(-800)}`);
  }
  console.log(
    `Bun consumer (bun add of the tarball, tsc with @types/bun only): ${
      tscBun.code === 0 && runBun.out.includes("consumer ok") ? "type-checks and runs" : "FAILED"
    }`,
  );

  // A Deno project that shares node_modules with Bun: npm installs the tarball.
  const npmDir = join(scratch, "deno-npm-app");
  mkdirSync(npmDir);
  writeFileSync(
    join(npmDir, "package.json"),
    JSON.stringify({
      name: "deno-npm-app",
      type: "module",
      private: true,
      // @types/node beside it, as the README's Deno npm route says: `deno check` of
      // a file that imports a node: module needs it there (here from this checkout's).
      dependencies: {
        "ffi-selectors": `file:${tarball}`,
        "@types/node": `file:${join(root, "node_modules", "@types", "node")}`,
      },
    }),
  );
  const installed = sh("npm", ["install", "--offline", "--no-audit", "--no-fund"], npmDir);
  if (installed.code !== 0) {
    throw new Error(`npm install of the tarball failed: ${installed.out.slice(-500)}`);
  }
  writeFileSync(join(npmDir, "deno.json"), JSON.stringify({ nodeModulesDir: "manual" }));
  writeFileSync(join(npmDir, "main.ts"), USE);
  const checkNpm = sh(bin("deno"), ["check", "main.ts"], npmDir);
  if (checkNpm.code !== 0) {
    failures.push(`Deno npm consumer: deno check fails:\n${checkNpm.out.slice(0, 3000)}`);
  }
  const runNpm = sh(bin("deno"), ["run", "--allow-ffi", "main.ts"], npmDir);
  if (!runNpm.out.includes("consumer ok")) {
    failures.push(`Deno npm consumer: run fails: ${runNpm.out.slice(-800)}`);
  }
  console.log(
    `Deno consumer (npm install of the tarball, import "ffi-selectors"): ${
      checkNpm.code === 0 && runNpm.out.includes("consumer ok") ? "type-checks and runs" : "FAILED"
    }`,
  );

  // A Deno project that imports the TypeScript sources by path, as from a URL or JSR.
  const denoDir = join(scratch, "deno-app");
  mkdirSync(denoDir);
  const src = (f) => JSON.stringify(new URL(f, `file://${root}/`).href);
  writeFileSync(
    join(denoDir, "main.ts"),
    USE.replace('"ffi-selectors"', src("mod.ts")).replace('"ffi-selectors/socket"', src("socket.ts")),
  );
  writeFileSync(join(denoDir, "deno.json"), "{}");
  const checkDeno = sh(bin("deno"), ["check", "main.ts"], denoDir);
  if (checkDeno.code !== 0) {
    failures.push(`Deno consumer: deno check fails:\n${checkDeno.out.slice(0, 3000)}`);
  }
  const runDeno = sh(bin("deno"), ["run", "--allow-ffi", "main.ts"], denoDir);
  if (!runDeno.out.includes("consumer ok")) {
    failures.push(`Deno consumer: run fails: ${runDeno.out.slice(-800)}`);
  }
  console.log(
    `Deno consumer (the TypeScript sources by path, Deno's types only): ${
      checkDeno.code === 0 && runDeno.out.includes("consumer ok") ? "type-checks and runs" : "FAILED"
    }`,
  );

  // The http(s) route: the checkout served as the README says (Python's
  // http.server with .ts as application/typescript: its default type for .ts
  // comes from /etc/mime.types, text/vnd.trolltech.linguist on Debian, which
  // Deno refuses), imported by URL with --allow-import=HOST:PORT.
  const server = spawn("python3", ["-u", "-c", SERVE_TS, "0"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    const port = await new Promise((resolve, reject) => {
      let out = "";
      server.stdout.on("data", (d) => {
        out += d;
        const m = /port (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      server.once("error", reject);
      server.once("exit", () => reject(new Error(`the http server ended: ${out}`)));
    });
    const urlDir = join(scratch, "deno-url-app");
    mkdirSync(urlDir);
    const base = `http://127.0.0.1:${port}/`;
    writeFileSync(
      join(urlDir, "main.ts"),
      USE.replace('"ffi-selectors"', JSON.stringify(`${base}mod.ts`)).replace(
        '"ffi-selectors/socket"',
        JSON.stringify(`${base}socket.ts`),
      ),
    );
    writeFileSync(join(urlDir, "deno.json"), "{}");
    const runUrl = await shAsync(
      bin("deno"),
      ["run", "--allow-ffi", `--allow-import=127.0.0.1:${port}`, "main.ts"],
      urlDir,
    );
    if (!runUrl.out.includes("consumer ok")) {
      failures.push(`Deno URL consumer: run fails: ${runUrl.out.slice(-800)}`);
    }
    console.log(
      `Deno consumer (http:// imports from the README's server, --allow-import=HOST:PORT): ${
        runUrl.out.includes("consumer ok") ? "runs" : "FAILED"
      }`,
    );
  } finally {
    server.kill();
  }
} catch (e) {
  failures.push(String(e instanceof Error ? e.message : e));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

for (const f of failures) console.log(`FAILED: ${f}`);
process.exit(failures.length ? 1 : 0);
