/**
 * The main job: starts `echo_server.ts` in a child process, drives it over
 * loopback with non-blocking clients on a selector of its own, checks every
 * echoed byte, and reports.
 *
 *   deno run --allow-ffi --allow-env --allow-run --allow-read examples/demo.ts [--seconds 3]
 *   bun examples/demo.ts [--seconds 3]
 *
 * @module
 */
import { spawn } from "node:child_process";
import process from "node:process";
import { DefaultSelector, ERRNO, EVENT_READ, EVENT_WRITE, OSError, RUNTIME, socket } from "../mod.ts";
import { Cli } from "./_cli.ts";

const USAGE = `usage: demo.ts [--seconds S] [--connections N] [--max-size BYTES]

Runs examples/echo_server.ts in a child process and drives it with N
non-blocking clients for S seconds. Each client sends messages of random size
(1..BYTES), waits for the whole echo and compares it byte for byte. Prints the
backend, connections, round trips per second and bytes verified; exits 1 on any
error or mismatch.`;

interface Client {
  id: number;
  sock: socket.Socket;
  message: Uint8Array;
  sent: number;
  received: number;
}

const cli: Cli = new Cli("demo", USAGE);
const parsed = cli.parse({
  seconds: { type: "string" },
  connections: { type: "string" },
  "max-size": { type: "string" },
});
if (parsed.positionals.length) cli.usageError(`unexpected argument ${JSON.stringify(parsed.positionals[0])}`);
const args = {
  seconds: cli.number(cli.text(parsed, "seconds"), "--seconds", 3, { min: 0 }),
  connections: cli.number(cli.text(parsed, "connections"), "--connections", 20, { min: 1, integer: true }),
  "max-size": cli.number(cli.text(parsed, "max-size"), "--max-size", 16384, { min: 1, integer: true }),
};
const runtimeVersion = RUNTIME === "deno"
  ? `Deno ${(globalThis as { Deno?: { version: { deno: string } } }).Deno?.version.deno}`
  : `Bun ${(globalThis as { Bun?: { version: string } }).Bun?.version}`;

// 1. The server, in its own process (the same runtime), with a watchdog.
const serverScript = new URL("./echo_server.ts", import.meta.url).pathname;
const runArgs = RUNTIME === "deno" ? ["run", "--allow-ffi", "--allow-env", serverScript] : [serverScript];
const server = spawn(process.execPath, [
  ...runArgs,
  "--port",
  "0",
  "--max-seconds",
  String(args.seconds + 10),
  // The blocking select() loop: this demo measures throughput, and a server
  // with nothing else to run need not pay selectAsync()'s thread hand-offs
  // (BENCHMARKS.md: at this mixed load Deno's async loop does about half).
  "--sync",
], {
  stdio: ["ignore", "pipe", "inherit"],
});
let serverOut = "";
const listening = new Promise<[string, number]>((resolve, reject) => {
  server.stdout!.on("data", (d: Uint8Array) => {
    serverOut += new TextDecoder().decode(d);
    const m = /listening on ([\d.]+):(\d+) \((\w+)\)/.exec(serverOut);
    if (m) resolve([m[1]!, Number(m[2])]);
  });
  server.on("exit", (code) => reject(new Error(`echo server exited early (code ${code})`)));
});
const address = await listening;
const backend = /\((\w+)\)/.exec(serverOut)![1];

// 2. The clients: one selector, non-blocking connects, ping-pong with verification.
const sel = new DefaultSelector<Client>();
const recvBuf = new Uint8Array(65536);
let roundTrips = 0, bytesVerified = 0, errors = 0;

function nextMessage(c: Client): void {
  const size = 1 + Math.floor(Math.random() * args["max-size"]);
  const msg = new Uint8Array(size);
  for (let i = 0; i < size; i++) msg[i] = (i * 31 + c.id * 7 + roundTrips) & 0xff;
  c.message = msg;
  c.sent = 0;
  c.received = 0;
}

for (let id = 0; id < args.connections; id++) {
  const sock = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM);
  sock.setBlocking(false);
  sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
  const err = sock.connectEx(address);
  if (err !== 0 && err !== ERRNO.EINPROGRESS) throw new Error(`connect failed: errno ${err}`);
  const c: Client = { id, sock, message: new Uint8Array(0), sent: 0, received: 0 };
  nextMessage(c);
  sel.register(sock, EVENT_READ | EVENT_WRITE, c);
}

const t0 = performance.now();
const end = t0 + args.seconds * 1e3;
while (performance.now() < end) {
  for (const [key, mask] of sel.select(0.5)) {
    const c = key.data;
    try {
      if (mask & EVENT_WRITE && c.sent < c.message.length) {
        c.sent += c.sock.send(c.message.subarray(c.sent));
      }
      if (mask & EVENT_READ) {
        const n = c.sock.recvInto(recvBuf, Math.min(recvBuf.length, c.message.length - c.received));
        if (n === 0) throw new Error(`client ${c.id}: server closed the connection`);
        for (let i = 0; i < n; i++) {
          if (recvBuf[i] !== c.message[c.received + i]) {
            errors++;
            break;
          }
        }
        c.received += n;
        if (c.received === c.message.length) {
          roundTrips++;
          bytesVerified += c.message.length;
          nextMessage(c);
        }
      }
      // Write interest only while part of the message is unsent.
      const want = c.sent < c.message.length ? EVENT_READ | EVENT_WRITE : EVENT_READ;
      if (want !== key.events) sel.modify(c.sock, want, c);
    } catch (e) {
      if (e instanceof OSError && e.code === "EAGAIN") continue;
      errors++;
      console.error(String(e));
      sel.unregister(c.sock);
      c.sock.close();
    }
  }
}
const elapsed = (performance.now() - t0) / 1e3;
for (const key of [...sel.getMap().values()]) {
  sel.unregister(key.fileobj);
  key.data.sock.close();
}
sel.close();
server.kill("SIGTERM");

console.log(`ffi-selectors echo demo on ${runtimeVersion}`);
console.log(`  backend:        ${backend} (server and clients)`);
console.log(`  server:         ${address[0]}:${address[1]}, pid ${server.pid}`);
console.log(`  connections:    ${args.connections}, messages of 1..${args["max-size"]} bytes`);
console.log(
  `  round trips:    ${roundTrips} in ${elapsed.toFixed(2)} s (${Math.round(roundTrips / elapsed)}/s)`,
);
console.log(`  bytes verified: ${bytesVerified} echoed byte for byte`);
console.log(`  errors:         ${errors}`);
process.exit(errors === 0 && roundTrips > 0 ? 0 : 1);
