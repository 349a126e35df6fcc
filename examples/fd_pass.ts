/**
 * Connection handoff between processes with `SCM_RIGHTS`: a front process
 * accepts TCP connections and passes each one's fd to a worker process over
 * an AF_UNIX socket (`socket.sendFds`), as prefork servers and zero-downtime
 * restarts do; the worker receives it (`socket.recvFds`), wraps it in a
 * `Socket` (family and type read from the kernel), and serves it as an echo.
 * The front closes its copy at once: the connection lives on in the worker.
 *
 *   bun examples/fd_pass.ts serve -p 8000 --unix /tmp/handoff.sock &
 *   bun examples/fd_pass.ts worker --unix /tmp/handoff.sock &
 *   nc 127.0.0.1 8000          # "served by worker 12345", then an echo
 *
 * (Deno: `deno run --allow-ffi --allow-env --allow-read --allow-write`.)
 *
 * @module
 */
import { existsSync, unlinkSync } from "node:fs";
import { DefaultSelector, EVENT_READ, OS, os, OSError, socket } from "../mod.ts";
import { Cli } from "./_cli.ts";

const USAGE = `usage: fd_pass.ts serve [-H HOST] [-p PORT] --unix PATH
       fd_pass.ts worker --unix PATH

serve: accepts TCP connections on HOST:PORT (default 127.0.0.1, a free port)
and hands each one to a worker connected on the AF_UNIX socket PATH, in turn
(SCM_RIGHTS); with no worker, it says "no worker" and closes the connection.
worker: connects to PATH, takes the connections it is handed, greets each
with "served by worker PID" and echoes what it sends.`;

type Role = "listener" | "workers" | "worker" | "conn";

/** The front: accepts TCP and hands each connection to a worker. */
export function serve(host: string, port: number, path: string, log: (line: string) => void): never {
  if (existsSync(path)) unlinkSync(path); // a socket file left by an earlier run
  const tcp = socket.createServer([host, port]);
  const unix = new socket.Socket(socket.AF_UNIX, socket.SOCK_STREAM);
  unix.bind(path);
  unix.listen();
  tcp.setBlocking(false);
  unix.setBlocking(false);
  const sel = new DefaultSelector<Role, socket.Socket>();
  sel.register(tcp, EVENT_READ, "listener");
  sel.register(unix, EVENT_READ, "workers");
  const workers: socket.Socket[] = [];
  let next = 0;
  const [h, p] = tcp.getsockname() as [string, number];
  log(`listening on ${h}:${p}, workers at ${path}`);
  // Runs until killed: SIGINT and SIGTERM end the process (a socket file left
  // behind is removed by the next start).
  for (;;) {
    for (const [key] of sel.select(0.5)) {
      const sock = key.fileobj;
      if (key.data === "workers") {
        const [w] = sock.accept();
        workers.push(w);
        sel.register(w, EVENT_READ, "worker");
        log(`worker ${workers.length} joined`);
      } else if (key.data === "worker") {
        // A worker only ever closes its end: EOF (or an error) means it is gone.
        sel.unregister(sock);
        workers.splice(workers.indexOf(sock), 1);
        sock.close();
        log(`a worker left; ${workers.length} remain`);
      } else {
        let conn: socket.Socket;
        try {
          [conn] = sock.accept();
        } catch (e) {
          if (e instanceof OSError && e.code === "EAGAIN") continue;
          throw e;
        }
        using _conn = conn; // our copy closes here: the worker has its own
        if (workers.length === 0) {
          conn.sendall(new TextEncoder().encode("no worker\n"));
          continue;
        }
        const w = workers[next++ % workers.length]!;
        socket.sendFds(w, [new Uint8Array([1])], [conn]);
      }
    }
  }
}

/** A worker: takes connections from the front and echoes them. */
export function work(path: string, log: (line: string) => void): void {
  const front = new socket.Socket(socket.AF_UNIX, socket.SOCK_STREAM);
  front.connect(path);
  const sel = new DefaultSelector<Role, socket.Socket>();
  sel.register(front, EVENT_READ, "listener");
  const greeting = new TextEncoder().encode(`served by worker ${os.getpid()}\n`);
  log(`worker ${os.getpid()} connected to ${path}`);
  for (;;) {
    for (const [key] of sel.select()) {
      const sock = key.fileobj;
      if (key.data === "listener") {
        const [data, fds] = socket.recvFds(sock, 16, 4);
        if (data.length === 0) { // the front is gone
          sel.close();
          front.close();
          return;
        }
        for (const fd of fds) {
          // The kernel tells what the fd is: the worker never assumes AF_INET.
          const conn = new socket.Socket(undefined, undefined, undefined, fd.detach());
          conn.setTimeout(5); // sendall waits at most 5 s for a slow reader
          conn.sendall(greeting);
          sel.register(conn, EVENT_READ, "conn");
        }
      } else {
        let data: Uint8Array;
        try {
          data = sock.recv(65536);
        } catch (e) {
          if (!(e instanceof OSError)) throw e;
          data = new Uint8Array(0);
        }
        try {
          if (data.length > 0) sock.sendall(data);
        } catch (e) {
          if (!(e instanceof OSError)) throw e;
          data = new Uint8Array(0);
        }
        if (data.length === 0) {
          sel.unregister(sock);
          sock.close();
        }
      }
    }
  }
}

if (import.meta.main) {
  const cli: Cli = new Cli("fd_pass", USAGE);
  await cli.main(() => {
    if (OS === "windows") cli.fail("not on Windows: passing fds (SCM_RIGHTS over AF_UNIX) is Unix's");
    const args = cli.parse({
      host: { type: "string", short: "H" },
      port: { type: "string", short: "p" },
      unix: { type: "string" },
    });
    const [role, extra] = args.positionals;
    if (role !== "serve" && role !== "worker") cli.usageError("say serve or worker");
    if (extra !== undefined) cli.usageError(`unexpected argument ${JSON.stringify(extra)}`);
    const path = cli.text(args, "unix");
    if (path === undefined) cli.usageError("--unix PATH is required");
    const log = (line: string) => console.log(line);
    if (role === "serve") {
      const port = cli.number(cli.text(args, "port"), "--port", 0, { min: 0, max: 65535, integer: true });
      serve(cli.text(args, "host") ?? "127.0.0.1", port, path, log);
    }
    work(path, log);
  });
}
