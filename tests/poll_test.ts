/**
 * poll-only behaviour: POLLNVAL for a closed fd wakes both directions, and the
 * pollfd array stays dense through register/unregister churn.
 *
 * @module
 */
import assert from "node:assert/strict";
import { notUnderWine, test } from "./_test.ts";
import { EVENT_READ, EVENT_WRITE, os, PollSelector } from "../mod.ts";
import { bytes, Fds } from "./_helpers.ts";

test("PollSelector.select() reports a closed fd (POLLNVAL) as readable and writable", {
  skip: notUnderWine(
    "its WSAPoll fails with WSAENOTSOCK for a closed socket, where Windows reports POLLNVAL",
  ),
}, () => {
  using fds = new Fds();
  using sel = new PollSelector();
  const [r] = fds.pipe();
  const key = sel.register(r, EVENT_READ | EVENT_WRITE);
  os.close(r);
  const seen = sel.select(0).reduce((acc, [k, e]) => (assert.equal(k, key), acc | e), 0);
  assert.equal(seen, EVENT_READ | EVENT_WRITE);
  sel.unregister(r);
});

test("PollSelector.select() stays exact through register and unregister churn", () => {
  using fds = new Fds();
  using sel = new PollSelector();
  const pairs = Array.from({ length: 40 }, () => fds.pair());
  for (const [a] of pairs) sel.register(a, EVENT_READ);
  for (let i = 0; i < pairs.length; i += 3) sel.unregister(pairs[i]![0]);
  for (const [, b] of pairs) b.sendall(bytes("x"));
  const expected = pairs.filter((_, i) => i % 3 !== 0).map(([a]) => a.fileno()).sort((x, y) => x - y);
  const got = sel.select(0).map(([k]) => k.fd).sort((x, y) => x - y);
  assert.deepEqual(got, expected);
});
