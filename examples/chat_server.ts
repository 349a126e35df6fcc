/**
 * A line-based chat server: every line a client sends is broadcast, prefixed
 * with its name, to every other client. Joins and leaves are announced. A
 * client that stops reading is disconnected once its backlog passes the limit,
 * and one that sends a line longer than the line limit is told and
 * disconnected, so one client cannot stall or bloat the room. Incomplete lines
 * are kept as the chunks they arrived in (no re-copying per read), and at the
 * fd limit the server stops accepting until a client leaves.
 *
 *   deno run --allow-ffi --allow-env examples/chat_server.ts --port 7000
 *   bun examples/chat_server.ts --port 7000     # then: nc 127.0.0.1 7000
 *
 * @module
 */
import { DefaultSelector, EVENT_READ, EVENT_WRITE, monotonic, OSError, socket } from "../mod.ts";
import { Acceptor } from "./_accept.ts";
import { Cli, formatAddress, onShutdown, serverOptions } from "./_cli.ts";

const USAGE =
  `usage: chat_server.ts [-H HOST] [-p PORT] [--backlog-limit BYTES] [--max-line BYTES] [--max-seconds S]

Line-based chat on HOST:PORT (default 127.0.0.1; "::" for IPv6 and IPv4; port
0 = any free port; the address is printed as "listening on HOST:PORT"). Each
line a client sends goes to all other clients as "[name] line". A client's
name is its address until it sends "/nick NAME". Clients whose unsent backlog
passes --backlog-limit (default 1048576) or who send a line longer than
--max-line bytes (default 65536) are disconnected.`;

interface Client {
  sock: socket.Socket;
  name: string;
  inbox: Uint8Array[]; // the chunks of an incomplete line, as they arrived
  inboxLength: number;
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
  #acceptor: Acceptor<Client | null>;
  /** Counters for the final report. */
  readonly stats = { clients: 0, lines: 0 };

  constructor(
    host = "127.0.0.1",
    port = 0,
    readonly backlogLimit = 1 << 20,
    readonly maxLine = 65536,
    warn: (message: string) => void = console.error,
  ) {
    this.listener = socket.createServer([host, port], serverOptions(host));
    this.#acceptor = new Acceptor<Client | null>(this.sel, this.listener, null, warn);
  }

  #accept(): void {
    const pair = this.#acceptor.accept();
    if (pair === null) return;
    const [sock, addr] = pair;
    sock.setBlocking(false);
    const name = formatAddress(addr);
    const client: Client = { sock, name, inbox: [], inboxLength: 0, outbox: [], queued: 0 };
    if (!this.#acceptor.watch(sock, EVENT_READ, client)) return;
    this.#clients.add(client);
    this.stats.clients++;
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
    const data = this.#buf.subarray(0, n);
    let start = 0;
    for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
      const piece = data.subarray(start, nl);
      start = nl + 1;
      if (c.inboxLength + piece.length > this.maxLine) return this.#tooLong(c);
      const bytes = c.inbox.length ? this.#takeInbox(c, piece) : piece;
      this.#line(c, decoder.decode(bytes).replace(/\r$/, ""));
      if (!this.#clients.has(c)) return;
    }
    if (start < n) {
      if (c.inboxLength + (n - start) > this.maxLine) return this.#tooLong(c);
      c.inbox.push(data.slice(start)); // the read buffer is reused: keep a copy
      c.inboxLength += n - start;
    }
  }

  /** The incomplete line's chunks plus `tail`, as one array; empties the inbox. */
  #takeInbox(c: Client, tail: Uint8Array): Uint8Array {
    const out = new Uint8Array(c.inboxLength + tail.length);
    let off = 0;
    for (const chunk of c.inbox) {
      out.set(chunk, off);
      off += chunk.length;
    }
    out.set(tail, off);
    c.inbox = [];
    c.inboxLength = 0;
    return out;
  }

  #line(c: Client, line: string): void {
    const nick = /^\/nick\s+(\S+)$/.exec(line);
    if (nick) {
      this.#broadcast(c, `* ${c.name} is now ${nick[1]}\n`);
      c.name = nick[1]!;
    } else {
      this.#broadcast(c, `[${c.name}] ${line}\n`);
      this.stats.lines++;
    }
  }

  /** Tells `c` its line is over the limit (if it fits in its buffer now) and drops it. */
  #tooLong(c: Client): void {
    try {
      c.sock.send(encoder.encode(`* line too long (max ${this.maxLine} bytes): disconnected\n`));
    } catch { /* a full or gone client: it learns from the close */ }
    this.#drop(c, "line too long");
  }

  #drop(c: Client, why: string): void {
    if (!this.#clients.delete(c)) return;
    this.sel.unregister(c.sock);
    c.sock.close();
    c.inbox = [];
    this.#acceptor.resume(); // an fd is free again
    this.#broadcast(null, `* ${c.name} left (${why})\n`);
  }

  /** Runs on `selectAsync()` until `stop()` or until `maxSeconds` pass. */
  async serve(maxSeconds = Infinity): Promise<void> {
    const deadline = monotonic() + maxSeconds;
    while (this.#running) {
      const left = deadline - monotonic();
      if (left <= 0) break;
      const timeout = this.#acceptor.timeout(left === Infinity ? null : left);
      for (const [key, mask] of await this.sel.selectAsync(timeout)) {
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
    this.#acceptor.close();
    this.sel.close();
  }
}

if (import.meta.main) {
  const cli: Cli = new Cli("chat_server", USAGE);
  await cli.main(async () => {
    const args = cli.parse({
      host: { type: "string", short: "H" },
      port: { type: "string", short: "p" },
      "backlog-limit": { type: "string" },
      "max-line": { type: "string" },
      "max-seconds": { type: "string" },
    });
    if (args.positionals.length) cli.usageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
    const port = cli.number(cli.text(args, "port"), "--port", 0, { min: 0, max: 65535, integer: true });
    const backlog = cli.number(cli.text(args, "backlog-limit"), "--backlog-limit", 1 << 20, {
      min: 1,
      integer: true,
    });
    const maxLine = cli.number(cli.text(args, "max-line"), "--max-line", 65536, { min: 1, integer: true });
    if (maxLine > backlog) {
      cli.usageError("--max-line must not exceed --backlog-limit (such a line could never be sent)");
    }
    const maxSeconds = cli.number(cli.text(args, "max-seconds"), "--max-seconds", Infinity, { min: 0 });
    const chat = new ChatServer(
      cli.text(args, "host") ?? "127.0.0.1",
      port,
      backlog,
      maxLine,
      (m) => cli.warn(m),
    );
    // Signals are handled before the address is printed: a caller may signal as soon as it reads it.
    const removeListeners = onShutdown((signal) => {
      console.log(`${signal}: shutting down`);
      chat.stop();
    });
    console.log(`listening on ${formatAddress(chat.listener.getsockname())}`);
    await chat.serve(maxSeconds);
    removeListeners();
    chat.sayGoodbye();
    chat.close();
    console.log(`served ${chat.stats.clients} clients, ${chat.stats.lines} lines`);
  });
}
