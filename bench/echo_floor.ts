/**
 * The floor of an echo server in this runtime: the same three system calls per
 * round trip as shared/bench/echo_epoll.c (`epoll_wait`, `recv`, `send`), bound
 * straight through the runtime's own FFI (`_raw_libc.ts`), with no selector,
 * no socket objects and no checks on the hot path. What the real echo server
 * (examples/echo_server.ts --sync) costs above this is ours; what this costs
 * above C is the runtime's (its FFI call path, its JIT code, its wake-ups).
 * A benchmark, not an example: it trusts the kernel and its peers. Linux only.
 *
 *   deno run --allow-ffi --allow-env bench/echo_floor.ts [PORT [MAX_SECONDS]]
 *   bun bench/echo_floor.ts [PORT [MAX_SECONDS]]
 *
 * Prints "listening on 127.0.0.1:PORT" like the other echo servers, so
 * shared/bench/run-peers.sh runs it (`npm run bench`: ts_deno_floor, ts_bun_floor).
 *
 * @module
 */
import process from "node:process";
import { socket } from "../mod.ts";
import {
  EPOLL_CLOEXEC,
  EPOLL_CTL_DEL,
  EPOLL_EVENT_SIZE,
  eventFd,
  rawLibc,
  watchReadable,
} from "./_raw_libc.ts";

const port = Number(process.argv[2] ?? 0);
const maxSeconds = Number(process.argv[3] ?? 60);
const c = rawLibc();

// Setting up (listen, accept) goes through the library: it is not the hot path.
const listener = socket.createServer(["127.0.0.1", port], { backlog: 1024 });
const lfd = listener.fileno();
const epfd = c.epoll_create1(EPOLL_CLOEXEC);
const MAX_EVENTS = 64;
const events = new Uint8Array(MAX_EVENTS * EPOLL_EVENT_SIZE);
const eventWords = new Int32Array(events.buffer);
const buf = new Uint8Array(65536);
const conns = new Map<number, socket.Socket>(); // keeps accepted sockets open

watchReadable(epfd, lfd);
console.log(`listening on 127.0.0.1:${listener.getsockname()[1]}`);

// The watchdog reads the clock only when idle or every 1024 waits: the C server reads none.
const deadline = performance.now() + maxSeconds * 1e3;
for (let waits = 1;; waits++) {
  const n = c.epoll_wait(epfd, events, MAX_EVENTS, 1000);
  if ((n === 0 || (waits & 1023) === 0) && performance.now() > deadline) break;
  for (let i = 0; i < n; i++) {
    const fd = eventFd(eventWords, i);
    if (fd === lfd) {
      const [conn] = listener.accept(); // a blocking socket: recv only after readiness
      conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
      conns.set(conn.fileno(), conn);
      watchReadable(epfd, conn.fileno());
      continue;
    }
    const got = c.recv(fd, buf, buf.length, 0);
    if (got <= 0) { // EOF or an error (a reset peer): drop the connection
      c.epoll_ctl(epfd, EPOLL_CTL_DEL, fd, events); // the event is ignored (non-null for kernels before 2.6.9)
      conns.get(fd)?.close();
      conns.delete(fd);
      continue;
    }
    for (let off = 0; off < got;) { // blocking send: all of it
      const sent = c.send(fd, off === 0 ? buf : buf.subarray(off), got - off, 0);
      if (sent <= 0) break;
      off += sent;
    }
  }
}
process.exit(0);
