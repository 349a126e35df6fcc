/**
 * socket.Socket against a peer made of the runtime's own sockets
 * (`fixtures/net_peer.ts`: `node:net`, `node:dgram`) in a child process: the
 * same exchanges socket_test.ts has with Python peers, on every OS, Windows
 * (where those Python peers cannot run here) included.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "./_test.ts";
import { socket } from "../mod.ts";
import { acceptStarted, assertSameBytes, bytes, netPeer, pattern, text } from "./_helpers.ts";

/** What net_peer.ts's "source" mode sends (it builds its bytes itself: it is no user of these helpers). */
function sourcePattern(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7) & 0xff;
  return out;
}

test("socket.Socket.sendall() sends 4 MiB that a runtime peer receives whole (sha256)", async () => {
  const peer = acceptStarted((port, token) => netPeer("sink", [port, token]));
  using conn = peer.conn;
  const data = pattern(4 << 20);
  conn.sendall(data);
  conn.shutdown(socket.SHUT_WR);
  const r = await peer.child;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), `${data.length} ${createHash("sha256").update(data).digest("hex")}`);
});

test("socket.Socket.accept() and recv() take 1 MiB from a runtime peer byte for byte, then EOF", async () => {
  const n = 1 << 20;
  const { child, conn } = acceptStarted((port, token) => netPeer("source", [port, token, String(n)]));
  const got = new Uint8Array(n + 1);
  let at = 0;
  try {
    for (;;) {
      const k = conn.recvInto(got.subarray(at));
      if (k === 0) break;
      at += k;
    }
  } finally {
    conn.close(); // the peer waits for it to exit
  }
  assertSameBytes(got.subarray(0, at), sourcePattern(n), "everything, then EOF");
  assert.equal((await child).code, 0);
});

test("socket.Socket in timeout mode returns data a runtime peer sends while recv() waits", async () => {
  const { child, conn } = acceptStarted((port, token) => netPeer("late", [port, token]));
  try {
    conn.setTimeout(10);
    conn.sendall(bytes("go"));
    assert.equal(text(conn.recv(64)), "late data");
  } finally {
    conn.close();
  }
  assert.equal((await child).code, 0);
});

test("socket.Socket UDP recvfrom() names a runtime peer, and sendto() answers it", async () => {
  using u = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
  u.bind(["127.0.0.1", 0]);
  const [, port] = u.getsockname();
  const child = netPeer("udp", [String(port)]);
  u.setTimeout(10);
  // A stranger's datagram is not the peer's: wait for the peer's own text.
  for (;;) {
    const [data, from] = u.recvfrom(100);
    if (text(data) !== "from the peer" || from === null) continue;
    assert.equal(from[0], "127.0.0.1");
    u.sendto(bytes("answer to the peer"), from);
    break;
  }
  const r = await child;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), "answer to the peer");
});
