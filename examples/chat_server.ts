/**
 * A line-based chat server: every line a client sends is broadcast, prefixed
 * with its name, to every other client. Joins and leaves are announced. A
 * client that stops reading is disconnected once its backlog passes the limit,
 * so one slow client cannot stall or bloat the room.
 *
 *   deno run --allow-ffi --allow-env examples/chat_server.ts --port 7000
 *   bun examples/chat_server.ts --port 7000     # then: nc 127.0.0.1 7000
 *
 * @module
 */
import { DefaultSelector, EVENT_READ, EVENT_WRITE, OSError, socket } from "../mod.ts";
import { onShutdown, parseArgs } from "./_cli.ts";

const USAGE = `usage: chat_server.ts [--host H] [--port N] [--backlog-limit BYTES] [--max-seconds S]

Line-based chat on H:N (default 127.0.0.1, port 0 = any free port; the address
is printed as "listening on HOST:PORT"). Each line a client sends goes to all
other clients as "[name] line". A client's name is its address until it sends
"/nick NAME". Clients whose unsent backlog passes BYTES (default 1048576) are
disconnected.`;

interface Client {
  sock: socket.Socket;
  name: string;
  inbox: Uint8Array; // bytes of an incomplete line
  outbox: Uint8Array[];
  queued: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A chat room on one selector. */
export class ChatServer {
  readonly sel: DefaultSelector<Client | null> = new DefaultSelector<Client | null>();
  readonly listener: socket.Socket;
  #clients = new Set<Client>();
  #buf = new Uint8Array(65536);
  #running = true;
  /** Counters for the final report. */
  readonly stats = { clients: 0, lines: 0 };

  constructor(host = "127.0.0.1", port = 0, readonly backlogLimit = 1 << 20) {
    this.listener = socket.createServer([host, port]);
    this.listener.setBlocking(false);
    this.sel.register(this.listener, EVENT_READ, null);
  }

  #accept(): void {
    let sock: socket.Socket, addr: socket.Address;
    try {
      [sock, addr] = this.listener.accept();
    } catch (e) {
      if (e instanceof OSError) return;
      throw e;
    }
    sock.setBlocking(false);
    const name = Array.isArray(addr) ? `${addr[0]}:${addr[1]}` : "unix";
    const client: Client = { sock, name, inbox: new Uint8Array(0), outbox: [], queued: 0 };
    this.#clients.add(client);
    this.stats.clients++;
    this.sel.register(sock, EVENT_READ, client);
    this.#broadcast(null, `* ${name} joined\n`);
  }

  /** Queues `text` for every client but `from`, and sends what it can now. */
  #broadcast(from: Client | null, text: string): void {
    const bytes = encoder.encode(text);
    for (const c of [...this.#clients]) {
      if (c === from) continue;
      c.outbox.push(bytes);
      c.queued += bytes.length;
      if (c.queued > this.backlogLimit) {
        this.#drop(c, "too slow");
        continue;
      }
      this.#flush(c);
    }
  }

  #flush(c: Client): void {
    try {
      while (c.outbox.length) {
        const chunk = c.outbox[0]!;
        const n = c.sock.send(chunk);
        c.queued -= n;
        if (n < chunk.length) {
          c.outbox[0] = chunk.subarray(n);
          break;
        }
        c.outbox.shift();
      }
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      if (e.code !== "EAGAIN") return this.#drop(c, e.code);
    }
    const events = c.outbox.length ? EVENT_READ | EVENT_WRITE : EVENT_READ;
    if (this.sel.getKey(c.sock).events !== events) this.sel.modify(c.sock, events, c);
  }

  #read(c: Client): void {
    let n: number;
    try {
      n = c.sock.recvInto(this.#buf);
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      if (e.code === "EAGAIN") return;
      return this.#drop(c, e.code);
    }
    if (n === 0) return this.#drop(c, "quit");
    const data = new Uint8Array(c.inbox.length + n);
    data.set(c.inbox);
    data.set(this.#buf.subarray(0, n), c.inbox.length);
    let start = 0;
    for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
      const line = decoder.decode(data.subarray(start, nl)).replace(/\r$/, "");
      start = nl + 1;
      const nick = /^\/nick\s+(\S+)$/.exec(line);
      if (nick) {
        this.#broadcast(c, `* ${c.name} is now ${nick[1]}\n`);
        c.name = nick[1]!;
      } else {
        this.#broadcast(c, `[${c.name}] ${line}\n`);
        this.stats.lines++;
      }
      if (!this.#clients.has(c)) return;
    }
    c.inbox = data.slice(start);
  }

  #drop(c: Client, why: string): void {
    if (!this.#clients.delete(c)) return;
    this.sel.unregister(c.sock);
    c.sock.close();
    this.#broadcast(null, `* ${c.name} left (${why})\n`);
  }

  /** Runs on `selectAsync()` until `stop()` or until `maxSeconds` pass. */
  async serve(maxSeconds = Infinity): Promise<void> {
    const deadline = performance.now() + maxSeconds * 1e3;
    while (this.#running) {
      const left = (deadline - performance.now()) / 1e3;
      if (left <= 0) break;
      for (const [key, mask] of await this.sel.selectAsync(left === Infinity ? null : left)) {
        const c = key.data;
        if (c === null) this.#accept();
        else if (this.#clients.has(c)) {
          if (mask & EVENT_WRITE) this.#flush(c);
          if (mask & EVENT_READ && this.#clients.has(c)) this.#read(c);
        }
      }
    }
  }

  /** Makes `serve()` return (wakes its wait). */
  stop(): void {
    this.#running = false;
    this.sel.wakeup();
  }

  /** Tells every client the server is going away (best effort: what fits in their buffers now). */
  sayGoodbye(): void {
    const bye = encoder.encode("* server shutting down\n");
    for (const c of this.#clients) {
      try {
        for (const chunk of c.outbox) c.sock.send(chunk);
        c.sock.send(bye);
      } catch { /* a full or gone client: it learns from the close */ }
    }
  }

  /** Disconnects everyone and closes the listener and the selector. */
  close(): void {
    for (const c of this.#clients) {
      this.sel.unregister(c.sock);
      c.sock.close();
    }
    this.#clients.clear();
    this.sel.close();
    this.listener.close();
  }
}

if (import.meta.main) {
  const args = parseArgs(USAGE, {
    host: "127.0.0.1",
    port: 0,
    "backlog-limit": 1 << 20,
    "max-seconds": Infinity,
  });
  const chat = new ChatServer(args.host, args.port, args["backlog-limit"]);
  const [h, p] = chat.listener.getsockname() as [string, number];
  console.log(`listening on ${h}:${p}`);
  const removeListeners = onShutdown((signal) => {
    console.log(`${signal}: shutting down`);
    chat.stop();
  });
  await chat.serve(args["max-seconds"]);
  removeListeners();
  chat.sayGoodbye();
  chat.close();
  console.log(`served ${chat.stats.clients} clients, ${chat.stats.lines} lines`);
}
