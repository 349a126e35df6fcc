/**
 * `select(0.1)` with N bound UDP sockets and one of them readable, through
 * `SelectSelector` and `PollSelector`: sockets only, so it runs on Windows
 * too (Winsock's select against WSAPoll, the choice `DefaultSelector` makes
 * there). Prints one line per N with µs per call, the two interleaved.
 *
 *   deno run --allow-ffi bench/sockets_select.ts [N ...]
 *   bun bench/sockets_select.ts [N ...]
 *
 * @module
 */
import process from "node:process";
import { type BaseSelector, EVENT_READ, PollSelector, SelectSelector, socket } from "../mod.ts";

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);

function perCall(sel: BaseSelector<unknown>, calls: number): number {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) {
    if (sel.select(0.1).length !== 1) throw new Error("the ready socket was missed");
  }
  return (performance.now() - t0) * 1000 / calls;
}

for (const n of sizes.length ? sizes : [10, 100, 1000]) {
  const socks = Array.from({ length: n }, () => new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM));
  for (const s of socks) s.bind(["127.0.0.1", 0]);
  const sender = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
  sender.sendto(new Uint8Array(1), socks[n - 1]!.getsockname());
  const sels = [new SelectSelector(), new PollSelector()];
  for (const sel of sels) for (const s of socks) sel.register(s, EVENT_READ);
  const calls = Math.max(50, Math.floor(20_000 / n));
  const times = [[], []] as number[][];
  for (let round = 0; round < 5; round++) {
    for (const [i, sel] of sels.entries()) times[i]!.push(perCall(sel, calls));
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1]!;
  console.log(
    `n=${n}: select ${median(times[0]!).toFixed(1)} µs, poll ${median(times[1]!).toFixed(1)} µs per call`,
  );
  for (const sel of sels) sel.close();
  for (const s of [...socks, sender]) s.close();
}
