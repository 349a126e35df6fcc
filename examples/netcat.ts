/**
 * A small netcat: connect to HOST PORT (or listen with -l and accept one
 * connection), then pump stdin to the socket and the socket to stdout, with
 * one selector over fd 0 and the socket. EOF on stdin half-closes the socket;
 * EOF from the peer ends the program once stdout has everything.
 *
 *   deno run --allow-ffi --allow-env examples/netcat.ts 127.0.0.1 7000
 *   bun examples/netcat.ts --listen 9000 < file
 *
 * @module
 */
import process from "node:process";
import { DefaultSelector, EVENT_READ, EVENT_WRITE, os, OSError, socket } from "../mod.ts";
import { onShutdown, parseArgs, usageError } from "./_cli.ts";

const USAGE = `usage: netcat.ts HOST PORT
       netcat.ts --listen PORT [--host H]

Connects to HOST:PORT, or listens on H:PORT (default 127.0.0.1; port 0 picks a
free one) and accepts one connection, printing "listening on HOST:PORT" to
stderr. Then copies stdin to the socket and the socket to stdout until the
peer closes. stdin may be a terminal, a pipe or a file.`;

const STDIN = 0, STDOUT = 1;

function writeAll(fd: number, data: Uint8Array): void {
  for (let off = 0; off < data.length;) {
    try {
      off += os.write(fd, data.subarray(off));
    } catch (e) {
      if (!(e instanceof OSError && e.code === "EAGAIN")) throw e;
      // stdout was left non-blocking by someone else: wait until it drains.
      using sel = new DefaultSelector();
      sel.register(fd, EVENT_WRITE);
      sel.select(1);
    }
  }
}

/** Set by SIGINT/SIGTERM: the pump stops and the socket is closed. */
const stopping = { now: false, sel: null as DefaultSelector<"stdin" | "socket"> | null };

/** Pumps stdin <-> `sock` until the peer closes (or a signal asks to stop). */
export async function pump(sock: socket.Socket): Promise<void> {
  sock.setBlocking(false);
  using sel = new DefaultSelector<"stdin" | "socket">();
  stopping.sel = sel;
  sel.register(sock, EVENT_READ, "socket");
  let stdinOpen = true;
  let stdinAlwaysReady = false;
  try {
    sel.register(STDIN, EVENT_READ, "stdin");
  } catch (e) {
    // epoll refuses regular files (EPERM); they are always readable anyway.
    if (!(e instanceof OSError && e.code === "EPERM")) throw e;
    stdinAlwaysReady = true;
  }
  const readStdin = (): void => {
    let data: Uint8Array;
    try {
      data = os.read(STDIN, 65536);
    } catch (e) {
      if (e instanceof OSError && e.code === "EAGAIN") return;
      throw e;
    }
    if (data.length === 0) {
      stdinOpen = false;
      if (!stdinAlwaysReady) sel.unregister(STDIN);
      sock.shutdown(socket.SHUT_WR);
      return;
    }
    sock.setBlocking(true); // let sendall wait for room: stdin is our only producer
    sock.sendall(data);
    sock.setBlocking(false);
  };
  while (!stopping.now) {
    const ready = await sel.selectAsync(stdinAlwaysReady && stdinOpen ? 0 : null);
    if (stdinAlwaysReady && stdinOpen) readStdin();
    for (const [key] of ready) {
      if (key.data === "stdin") {
        readStdin();
        continue;
      }
      let data: Uint8Array;
      try {
        data = sock.recv(65536);
      } catch (e) {
        if (e instanceof OSError && e.code === "EAGAIN") continue;
        throw e;
      }
      if (data.length === 0) return;
      writeAll(STDOUT, data);
    }
  }
}

if (import.meta.main) {
  const args = parseArgs(USAGE, { listen: -1, host: "127.0.0.1" });
  const removeListeners = onShutdown(() => {
    stopping.now = true;
    stopping.sel?.wakeup();
  });
  let sock: socket.Socket;
  if (args.listen >= 0) {
    using server = socket.createServer([args.host, args.listen]);
    const [h, p] = server.getsockname() as [string, number];
    console.error(`listening on ${h}:${p}`);
    // Wait for the client without blocking the event loop (a signal may come first).
    using waiting = new DefaultSelector<"stdin" | "socket">();
    stopping.sel = waiting;
    waiting.register(server, EVENT_READ, "socket");
    while (!stopping.now && (await waiting.selectAsync()).length === 0) { /* woken: check again */ }
    if (stopping.now) {
      removeListeners();
      process.exit(0);
    }
    [sock] = server.accept();
  } else {
    const [host, port] = args._;
    if (!host || !port || !/^\d+$/.test(port)) usageError(USAGE, "HOST and PORT are required");
    sock = socket.createConnection([host!, Number(port)]);
  }
  try {
    await pump(sock);
  } finally {
    sock.close();
    removeListeners();
  }
}
