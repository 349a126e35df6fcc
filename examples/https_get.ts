/**
 * https_get: fetches many HTTPS URLs at once on one selector, the way a
 * Python script does with `selectors` and `ssl`: non-blocking connects,
 * handshakes driven by `SSLWantReadError`/`SSLWantWriteError`, one
 * HTTP/1.0 GET each, responses read (`pending()` records included) until
 * the server closes. One line per URL, in the order given:
 *
 *   https://example.com/  200 OK  1256 bytes  TLSv1.3  0.084 s
 *
 * `--save DIR` writes each body to DIR/1, DIR/2, ... (the URL's position).
 * Exit status 0 when every URL answered 2xx; 1 otherwise (a failure is one
 * line: the URL and Python's error text).
 *
 *   usage: https_get.ts [--cafile FILE] [--timeout S] [--save DIR] URL...
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DefaultSelector, ERRNO, EVENT_READ, EVENT_WRITE, os, OSError, socket, ssl } from "../mod.ts";
import { Cli } from "./_cli.ts";

const USAGE = `usage: https_get.ts [--cafile FILE] [--timeout S] [--save DIR] URL...
Fetches the HTTPS URLs at once on one selector and prints status, size, protocol and time for each.
  --cafile FILE   trust these CAs instead of the system's
  --timeout S     give up on a URL after S seconds (default 30)
  --save DIR      write each body to DIR/N (N: the URL's position, from 1)`;

/** The most a response may hold: a script's GET, not a download manager. */
const MAX_RESPONSE = 64 << 20;

const cli: Cli = new Cli("https_get", USAGE);

/** One URL's fetch: where it is in its life, and what it has received. */
interface Fetch {
  url: string;
  host: string;
  port: number;
  sock: socket.Socket | null;
  tls: ssl.SSLSocket | null;
  /** The TLS version, read when the handshake is done (a server's close without close_notify ends the connection's state). */
  version: string | null;
  /** The request bytes not sent yet (after the handshake). */
  request: Uint8Array;
  /** The response as it arrives. */
  chunks: Uint8Array[];
  size: number;
  line: string | null;
  ok: boolean;
}

/** Host, port and path of an https:// URL (exits 2 for anything else). */
function parseUrl(text: string): { host: string; port: number; path: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return cli.usageError(`not a URL: ${text}`);
  }
  if (url.protocol !== "https:") cli.usageError(`not an https:// URL: ${text}`);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port === "" ? 443 : Number(url.port),
    path: `${url.pathname}${url.search}`,
  };
}

/** The status line and the body of an HTTP/1.x response. */
function splitResponse(bytes: Uint8Array): { status: string; body: Uint8Array } | null {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      const head = new TextDecoder().decode(bytes.subarray(0, i));
      const m = /^HTTP\/\d\.\d (\d{3})(?: ([^\r\n]*))?/.exec(head);
      return m ? { status: `${m[1]} ${m[2] ?? ""}`.trim(), body: bytes.subarray(i + 4) } : null;
    }
  }
  return null;
}

await cli.main(() => {
  const args = cli.parse({
    cafile: { type: "string" },
    timeout: { type: "string" },
    save: { type: "string" },
  });
  if (args.positionals.length === 0) cli.usageError("no URL given");
  const timeout = cli.number(cli.text(args, "timeout"), "timeout", 30, { min: 0.001 });
  const save = cli.text(args, "save");
  const ctx = ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: cli.text(args, "cafile") });
  ctx.setAlpnProtocols(["http/1.1"]);
  using sel = new DefaultSelector<Fetch, socket.Socket>();
  const fetches: Fetch[] = [];
  const start = performance.now();
  const deadline = start + timeout * 1e3;

  const finish = (f: Fetch, line: string, ok: boolean): void => {
    if (f.sock && sel.getMap().has(f.sock)) sel.unregister(f.sock);
    if (f.tls) f.tls.close();
    else f.sock?.close();
    f.line = line;
    f.ok = ok;
  };
  const fail = (f: Fetch, e: unknown): void => {
    if (!(e instanceof OSError)) throw e; // SSLError is one: Python's text says why
    finish(f, `failed: ${e.message}`, false);
  };
  const done = (f: Fetch): void => {
    const bytes = new Uint8Array(f.size);
    let at = 0;
    for (const c of f.chunks) bytes.set(c, (at += c.length) - c.length);
    const response = splitResponse(bytes);
    if (response === null) return finish(f, "failed: not an HTTP response", false);
    const seconds = ((performance.now() - start) / 1e3).toFixed(3); // every fetch starts at once
    if (save !== undefined) writeFileSync(join(save, String(fetches.indexOf(f) + 1)), response.body);
    finish(
      f,
      `${response.status}  ${response.body.length} bytes  ${f.version}  ${seconds} s`,
      response.status.startsWith("2"),
    );
  };
  /** Whatever the connection can do now: handshake, send the request, read the response. */
  const step = (f: Fetch): void => {
    const tls = f.tls ??= ctx.wrapSocket(f.sock!, { serverHostname: f.host, doHandshakeOnConnect: false });
    try {
      tls.doHandshake(); // done at once once it is done
      f.version ??= tls.version();
      if (f.request.length > 0) {
        tls.send(f.request); // the same bytes again after SSLWantWriteError
        f.request = new Uint8Array(0);
      }
      for (;;) {
        const data = tls.recv(65536);
        if (data.length === 0) return done(f); // the server closed: HTTP/1.0's end of the body
        f.chunks.push(data);
        f.size += data.length;
        if (f.size > MAX_RESPONSE) return finish(f, `failed: more than ${MAX_RESPONSE} bytes`, false);
      }
    } catch (e) {
      if (e instanceof ssl.SSLWantReadError) return void sel.modify(f.sock!, EVENT_READ, f);
      if (e instanceof ssl.SSLWantWriteError) return void sel.modify(f.sock!, EVENT_WRITE, f);
      fail(f, e);
    }
  };

  for (const url of args.positionals) {
    const { host, port, path } = parseUrl(url);
    const request = new TextEncoder().encode(
      `GET ${path} HTTP/1.0\r\nHost: ${host}${port === 443 ? "" : `:${port}`}\r\n` +
        `User-Agent: ffi-selectors-https_get\r\nAccept: */*\r\n\r\n`,
    );
    const f: Fetch = {
      url,
      host,
      port,
      sock: null,
      tls: null,
      version: null,
      request,
      chunks: [],
      size: 0,
      line: null,
      ok: false,
    };
    fetches.push(f);
    try {
      // Resolving blocks (getaddrinfo); connecting does not.
      const [family, type, proto, , address] = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]!;
      f.sock = new socket.Socket(family, type, proto);
      f.sock.setBlocking(false);
      const err = f.sock.connectEx(address);
      if (err !== 0 && err !== ERRNO.EINPROGRESS) {
        finish(f, `failed: [Errno ${err}] ${os.strerror(err)}`, false);
        continue;
      }
      sel.register(f.sock, EVENT_WRITE, f); // connected once writable
    } catch (e) {
      fail(f, e);
    }
  }
  while (sel.getMap().size > 0) {
    for (const [key] of sel.select(0.25)) {
      const f = key.data;
      if (f.tls === null) {
        const err = f.sock!.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR);
        if (err !== 0) {
          finish(f, `failed: [Errno ${err}] ${os.strerror(err)}`, false);
          continue;
        }
      }
      step(f);
    }
    if (performance.now() >= deadline) {
      for (const key of [...sel.getMap().values()]) finish(key.data, "failed: timed out", false);
    }
  }
  ctx.close();
  for (const f of fetches) console.log(`${f.url}  ${f.line}`);
  const bad = fetches.filter((f) => !f.ok).length;
  if (bad > 0) cli.fail(`${bad} of ${fetches.length} failed`);
});
