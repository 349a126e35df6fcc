/**
 * DefaultSelector's choice of backend and its override.
 *
 * @module
 */
import assert from "node:assert/strict";
import { test } from "./_test.ts";
import { DefaultSelector } from "../mod.ts";
import { OS } from "../ffi/_host.ts";
import { here, run, runScript, RUNTIME } from "./_helpers.ts";
import process from "node:process";

const PROBE = here("fixtures/print_backend.ts");

test("DefaultSelector picks epoll on Linux", { skip: OS !== "linux" ? "not Linux" : undefined }, async () => {
  const r = await runScript(PROBE, [], { env: { SELECTORS_BACKEND: "" } });
  assert.equal(r.stderr, "");
  assert.equal(r.stdout.split("\n")[0], "epoll");
});

test("DefaultSelector honours SELECTORS_BACKEND", async () => {
  for (const name of ["poll", "select", "epoll"]) {
    if (name === "epoll" && OS !== "linux") continue;
    const r = await runScript(PROBE, [], { env: { SELECTORS_BACKEND: name } });
    assert.equal(r.stdout.split("\n")[0], name, r.stderr);
  }
});

test("DefaultSelector rejects an unknown SELECTORS_BACKEND with a clear error", async () => {
  const r = await runScript(PROBE, [], { env: { SELECTORS_BACKEND: "kqueue2" } });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Invalid SELECTORS_BACKEND "kqueue2"/);
});

test("DefaultSelector has fileno() exactly when its backend has a kernel object (Python's hasattr rule)", async () => {
  using sel = new DefaultSelector();
  assert.equal("fileno" in sel, sel.backend === "epoll" || sel.backend === "kqueue");
  if (sel.fileno) assert.ok(sel.fileno() >= 0);
  for (const name of ["poll", "select", "epoll"]) {
    if (name === "epoll" && OS !== "linux") continue;
    const r = await runScript(PROBE, [], { env: { SELECTORS_BACKEND: name } });
    assert.deepEqual(
      r.stdout.trim().split("\n"),
      [name, name === "epoll" ? "fileno >= 0" : "no fileno"],
      r.stderr,
    );
  }
});

test("Deno without --allow-ffi gets one line that names the fix, and Deno's error as the cause", {
  skip: RUNTIME !== "deno" ? "a Deno permission" : undefined,
}, async () => {
  const r = await run(process.execPath, ["run", "--allow-env", PROBE], { env: { NO_COLOR: "1" } });
  assert.notEqual(r.code, 0);
  const lines = r.stderr.split("\n");
  assert.match(lines[0]!, /ffi-selectors needs FFI access: run Deno with --allow-ffi$/);
  assert.match(lines[1]!, /^Caused by: NotCapable: .*--allow-ffi/);
  assert.doesNotMatch(r.stderr, /AggregateError/);
  assert.equal(r.stderr.match(/NotCapable/g)!.length, 1, "one cause, not one per library path");
});
