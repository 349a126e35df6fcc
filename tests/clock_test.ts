/**
 * The clock every timeout is measured on: `clock_gettime(CLOCK_MONOTONIC)`
 * through the FFI binding, checked against Python's `time.monotonic()` (the
 * same kernel clock, read by another process) and against a real wait.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "./_test.ts";
import { budget } from "./_budget.ts";
import { now, python } from "./_helpers.ts";
import { monotonic } from "../ffi/mod.ts";
import { DefaultSelector, EVENT_READ, socket } from "../mod.ts";

const HAVE_PYTHON = spawnSync("python3", ["-c", "pass"]).status === 0;

test(
  "monotonic() reads CLOCK_MONOTONIC: Python's time.monotonic() in a child falls between two readings",
  { skip: HAVE_PYTHON ? undefined : "needs python3" },
  async () => {
    const before = monotonic();
    const r = await python("import time; print(repr(time.monotonic()))");
    const after = monotonic();
    assert.equal(r.code, 0, r.stderr);
    const theirs = Number(r.stdout.trim());
    assert.ok(before <= theirs && theirs <= after, `${before} <= ${theirs} <= ${after}`);
  },
);

test("monotonic() never goes backwards and keeps pace with performance.now()", () => {
  const t0 = monotonic(), p0 = now();
  let last = t0;
  for (let i = 0; i < 100_000; i++) {
    const t = monotonic();
    assert.ok(t >= last, `went back from ${last} to ${t}`);
    last = t;
  }
  const ours = monotonic() - t0, theirs = now() - p0;
  assert.ok(Math.abs(ours - theirs) < 0.005 * budget(1), `monotonic ${ours} s, performance.now ${theirs} s`);
});

test("a timed select() waits at least its timeout by an independent clock", () => {
  using sel = new DefaultSelector();
  const [a, b] = socket.socketpair();
  try {
    sel.register(a, EVENT_READ);
    const t0 = now();
    assert.deepEqual(sel.select(0.05), []);
    const waited = now() - t0;
    assert.ok(waited >= 0.05 - 0.001, `waited ${waited} s`); // performance.now() is coarsened to ~1 ms at most
    assert.ok(waited < 0.05 + budget(2), `waited ${waited} s`);
  } finally {
    a.close();
    b.close();
  }
});
