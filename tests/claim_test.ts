/**
 * The claims behind "an object dropped without close() has its fd closed at
 * GC, never a wrong fd" (_claim.ts), step by step on real pipes: the table in
 * typed arrays below its dense limit and in a map above it (a limit of 0 puts
 * every number in the map). `collected(fd)` is the FinalizationRegistry's
 * callback, called here as the collector would; the fd_finalize fixture
 * (boundary_test) runs the same paths through the real collector.
 *
 * @module
 */
import assert from "node:assert/strict";
import { test } from "./_test.ts";
import { os } from "../mod.ts";
import { Fds } from "./_helpers.ts";
import { Claims } from "../_claim.ts";

function isOpen(fd: number): boolean {
  try {
    os.getInheritable(fd);
    return true;
  } catch {
    return false;
  }
}

/** Runs `body` with console.warn captured; returns the warnings. */
function warnings(body: () => void): string[] {
  const seen: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void seen.push(args.join(" "));
  try {
    body();
  } finally {
    console.warn = warn;
  }
  return seen;
}

for (const [where, limit] of [["typed arrays", 65536], ["the map", 0]] as const) {
  test(`claims in ${where}: a live claim's owner may close its fd; the table forgets it`, () => {
    const claims = new Claims(limit);
    using fds = new Fds();
    const [r] = fds.pipe();
    const owner = {};
    const claim = claims.adopt(owner, r, "pipe");
    assert.equal(claims.release(owner, r, claim), true);
    assert.equal(claims.table.claimOf(r), 0);
    assert.equal(claims.table.sparseSize, 0);
    assert.ok(isOpen(r), "release() itself closes nothing");
  });

  test(`claims in ${where}: a number closed behind its owner's back is not the owner's to close`, () => {
    const claims = new Claims(limit);
    using fds = new Fds();
    const [r] = fds.pipe();
    const owner = {};
    const claim = claims.adopt(owner, r, "pipe");
    claims.forget(r); // os.close(r) and the kernel handing r out again
    const next = {};
    const nextClaim = claims.adopt(next, r, "pipe");
    assert.equal(claims.release(owner, r, claim), false, "the stale owner may not close it");
    assert.ok(isOpen(r));
    assert.equal(claims.release(next, r, nextClaim), true, "the new owner may");
    assert.equal(claims.table.staleOf(r), 0);
    assert.equal(claims.table.sparseSize, 0);
  });

  test(`claims in ${where}: a collected live owner's fd is closed, with one warning`, () => {
    const claims = new Claims(limit);
    using fds = new Fds();
    const [r] = fds.pipe();
    claims.adopt({}, r, "socket (AF_UNIX, type 1)");
    const seen = warnings(() => claims.collected(r));
    assert.equal(isOpen(r), false);
    assert.equal(seen.length, 1);
    assert.match(seen[0]!, new RegExp(`unclosed socket \\(AF_UNIX, type 1\\) \\(fd ${r}\\)`));
  });

  test(`claims in ${where}: a collected stale owner closes nothing`, () => {
    const claims = new Claims(limit);
    using fds = new Fds();
    const [r] = fds.pipe();
    claims.adopt({}, r, "pipe");
    claims.forget(r);
    const next = {};
    const nextClaim = claims.adopt(next, r, "pipe");
    const seen = warnings(() => claims.collected(r)); // the stale owner's cell
    assert.ok(isOpen(r));
    assert.equal(seen.length, 0);
    assert.equal(claims.release(next, r, nextClaim), true);
  });

  test(
    `claims in ${where}: a live owner collected while a stale claim lives is closed when that claim ends`,
    () => {
      const claims = new Claims(limit);
      using fds = new Fds();
      const [r] = fds.pipe();
      const stale = {};
      const staleClaim = claims.adopt(stale, r, "pipe");
      claims.forget(r);
      claims.adopt({}, r, "pipe"); // its owner is then collected:
      const first = warnings(() => claims.collected(r)); // counted as the stale claim's cell
      assert.ok(isOpen(r), "not closed yet: the number still counts a stale claim");
      assert.equal(first.length, 0);
      const second = warnings(() => assert.equal(claims.release(stale, r, staleClaim), false));
      assert.equal(isOpen(r), false, "closed when the stale claim ended");
      assert.equal(second.length, 1);
      assert.equal(claims.table.sparseSize, 0);
    },
  );

  test(`claims in ${where}: an owner with several fds ends them all, each exactly once`, () => {
    const claims = new Claims(limit);
    using fds = new Fds();
    const [r, w] = fds.pipe();
    const owner = {};
    const rc = claims.adopt(owner, r, "selector");
    const wc = claims.adopt(owner, w, "selector");
    claims.forget(w); // one of them closed behind its back
    assert.equal(claims.release(owner, r, rc), true);
    assert.equal(claims.release(owner, w, wc), false);
    assert.equal(claims.table.staleOf(w), 0);
    assert.equal(claims.table.sparseSize, 0);
  });
}

test("detach() twice, then close(), on a socket and an OwnedFd: nothing closed, nothing warned", () => {
  using fds = new Fds();
  const [a] = fds.pair();
  const [r] = fds.pipe();
  const owned = new os.OwnedFd(r, "pipe");
  const fd = fds.fd(a.fileno()); // detached below: closed here
  const seen = warnings(() => {
    assert.equal(a.detach(), fd);
    assert.equal(a.detach(), -1);
    a.close();
    assert.equal(owned.detach(), r);
    assert.equal(owned.detach(), -1);
    owned.close();
  });
  assert.deepEqual(seen, []);
  assert.ok(isOpen(fd) && isOpen(r), "both still open: they were handed over");
});
