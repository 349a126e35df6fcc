/**
 * `ssl`: TLS through the system's OpenSSL 3 on this package's sockets,
 * against real peers only: `openssl s_server` and `s_client`, Python's `ssl`
 * in both directions, and ourselves over memory BIOs. The certificates are
 * made here by the `openssl` command (a CA, a server certificate for
 * localhost and 127.0.0.1); nothing leaves the machine.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { PYTHON_PEER, test, unixOnly } from "./_test.ts";
import { makeCa, makeSigned } from "../scripts/_certs.mjs";
import {
  BlockingIOError,
  DefaultSelector,
  EVENT_READ,
  EVENT_WRITE,
  FileNotFoundError,
  IsADirectoryError,
  os,
  OSError,
  socket,
  ssl,
} from "../mod.ts";
import {
  assertSameBytes,
  bytes,
  handshakeBoth,
  makeToken,
  pattern,
  python,
  run,
  runFixture,
  runScript,
  runtimeCommand,
  scratchDir,
  startExample,
  text,
} from "./_helpers.ts";

const OPENSSL = spawnSync("openssl", ["version"]).status === 0;
const LIBSSL = (() => {
  try {
    ssl.opensslVersion();
    return true;
  } catch {
    return false;
  }
})();
const skip = !LIBSSL
  ? "OpenSSL 3 (libssl.so.3) is not installed"
  : !OPENSSL
  ? "the openssl command (certificates, s_server, s_client) is not installed"
  : unixOnly("OpenSSL 3 is not installed on this Windows");

interface Certs {
  dir: string;
  ca: string;
  cert: string;
  key: string;
  otherCa: string;
  /** A certificate for b.example, and its key. */
  certB: string;
  keyB: string;
}

let certs: Certs | null = null;

/** A CA, a server certificate signed by it for localhost and 127.0.0.1, and an unrelated CA. */
function makeCerts(): Certs {
  if (certs) return certs;
  const dir = scratchDir("tls-");
  makeCa(dir, "ffi-selectors test CA", "ca");
  makeCa(dir, "another CA", "other");
  makeSigned(dir, "srv", "localhost", "DNS:localhost,IP:127.0.0.1");
  makeSigned(dir, "b", "b.example", "DNS:b.example"); // an sniCallback's other context
  certs = {
    dir,
    ca: join(dir, "ca.pem"),
    cert: join(dir, "srv.pem"),
    key: join(dir, "srv.key"),
    otherCa: join(dir, "other.pem"),
    certB: join(dir, "b.pem"),
    keyB: join(dir, "b.key"),
  };
  return certs;
}

/** A Python peer that prints its port first: the port, and its outcome when it ends. */
function pythonPeer(
  code: string,
  args: string[],
): { port: Promise<number>; done: Promise<number | null>; output: Promise<string> } {
  const child = spawn("python3", ["-c", code, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  child.stderr!.on("data", (d: Uint8Array) => err += text(d));
  const done = new Promise<number | null>((resolve) => child.on("close", resolve));
  const port = new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (d: Uint8Array) => {
      out += text(d);
      const m = /^(\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on("close", () => reject(new Error(`the Python peer ended: ${err}`)));
  });
  setTimeout(() => child.kill(), 30_000).unref?.();
  const output = done.then(() => out.slice(out.indexOf("\n") + 1)); // what it printed after the port
  return {
    port,
    done: done.then((c) => (c === 0 ? c : Promise.reject(new Error(`python: ${c} ${err}`)))),
    output,
  };
}

const TOKEN = makeToken().trim();

/** Starts `openssl s_server` on an ephemeral port of 127.0.0.1; resolves with it and the port. */
function sServer(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const c = makeCerts();
  const child = spawn("openssl", [
    "s_server",
    "-accept",
    "127.0.0.1:0",
    "-cert",
    c.cert,
    "-key",
    c.key,
    ...args,
  ], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Uint8Array) => {
      out += text(d);
      const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on("exit", () => reject(new Error(`s_server ended: ${out}`)));
  });
}

function clientContext(): ssl.SSLContext {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.loadVerifyLocations(makeCerts().ca);
  return ctx;
}

function serverContext(): ssl.SSLContext {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.loadCertChain(makeCerts().cert, makeCerts().key);
  return ctx;
}

test(
  "ssl: a client verifies openssl s_server's certificate and name, negotiates TLS 1.3, and round-trips bytes (-rev)",
  { skip },
  async () => {
    const { child, port } = await sServer(["-rev"]);
    try {
      using ctx = clientContext();
      using tls = ctx.wrapSocket(socket.createConnection(["127.0.0.1", port], 10), {
        serverHostname: "localhost",
      });
      assert.equal(tls.version(), "TLSv1.3");
      const [name, version, bits] = tls.cipher()!;
      assert.match(name, /^TLS_/);
      assert.equal(version, "TLSv1.3");
      assert.ok(bits >= 128);
      const der = tls.getpeercert(true)!;
      assert.equal(der[0], 0x30, "DER: a SEQUENCE");
      tls.sendall(bytes("hello\n"));
      assert.equal(text(tls.recv()), "olleh\n");
    } finally {
      child.kill();
    }
  },
);

test(
  "ssl: getpeercert() describes the server's certificate exactly as Python's does (subject, issuer, serial, dates, SAN)",
  {
    skip: skip || unixOnly(PYTHON_PEER),
  },
  async () => {
    const { child, port } = await sServer(["-rev"]);
    try {
      using ctx = clientContext();
      const tls = ctx.wrapSocket(socket.createConnection(["127.0.0.1", port], 10), {
        serverHostname: "localhost",
      });
      const ours = tls.getpeercert();
      tls.close(); // s_server serves one connection at a time
      const theirs = await pythonJson(
        `import socket, ssl, sys, json
ctx = ssl.create_default_context(cafile=sys.argv[2])
with ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost") as s:
    print(json.dumps(s.getpeercert()))`,
        [String(port), makeCerts().ca],
      );
      assert.deepEqual(ours, theirs);
      assert.deepEqual(ours?.subjectAltName, [["DNS", "localhost"], ["IP Address", "127.0.0.1"]]);
    } finally {
      child.kill();
    }
    // Not verified (CERT_NONE): no description (Python's empty dict), the bytes still there.
    const again = await sServer(["-rev"]);
    try {
      using loose = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      loose.checkHostname = false;
      loose.verifyMode = ssl.CERT_NONE;
      using tls = loose.wrapSocket(socket.createConnection(["127.0.0.1", again.port], 10));
      assert.equal(tls.getpeercert(), null);
      assert.ok(tls.getpeercert(true)!.length > 100);
    } finally {
      again.child.kill();
    }
  },
);

/** Runs Python code that prints one JSON value, and returns it. */
async function pythonJson(code: string, args: string[]): Promise<unknown> {
  const r = await python(code, args);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("ssl: TLS 1.2 only, by maximumVersion, against s_server -tls1_2", { skip }, async () => {
  const { child, port } = await sServer(["-rev", "-tls1_2"]);
  try {
    using ctx = clientContext();
    ctx.maximumVersion = ssl.TLSVersion.TLSv1_2;
    assert.equal(ctx.maximumVersion, ssl.TLSVersion.TLSv1_2);
    assert.equal(ctx.minimumVersion, ssl.TLSVersion.TLSv1_2, "TLS 1.2 at least by default, as Python");
    using tls = ctx.wrapSocket(socket.createConnection(["127.0.0.1", port], 10), {
      serverHostname: "127.0.0.1",
    });
    assert.equal(tls.version(), "TLSv1.2");
    tls.sendall(bytes("abc\n"));
    assert.equal(text(tls.recv()), "cba\n");
  } finally {
    child.kill();
  }
});

test(
  "ssl: refusals are Python's: an unknown CA and a wrong name are SSLCertVerificationError; a plain-TCP peer an SSLError",
  { skip },
  async () => {
    const { child, port } = await sServer(["-rev"]);
    try {
      using unknown = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      unknown.loadVerifyLocations(makeCerts().otherCa);
      assert.throws(
        () =>
          unknown.wrapSocket(socket.createConnection(["127.0.0.1", port], 10), {
            serverHostname: "localhost",
          }),
        (e) =>
          e instanceof ssl.SSLCertVerificationError && e.verifyCode === 20 &&
          /^\[SSL: CERTIFICATE_VERIFY_FAILED\] certificate verify failed: unable to get local issuer certificate/
            .test(
              e.message,
            ) &&
          e.library === "SSL" && e.reason === "CERTIFICATE_VERIFY_FAILED",
      );
      using ctx = clientContext();
      assert.throws(
        () =>
          ctx.wrapSocket(socket.createConnection(["127.0.0.1", port], 10), {
            serverHostname: "wrong.example",
          }),
        (e) => e instanceof ssl.SSLCertVerificationError && e.verifyCode === 62, // X509_V_ERR_HOSTNAME_MISMATCH
      );
      // The two name checks read as CPython words them (it does not use OpenSSL's text for these).
      const pythonSays = await pythonJson(
        `import json, socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2]); out = {}
for name in ("wrong.example", "127.0.0.2"):
    try:
        ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname=name)
    except ssl.SSLCertVerificationError as e:
        out[name] = [e.verify_code, e.verify_message, str(e).rsplit(" (_ssl.c", 1)[0]]
print(json.dumps(out))`,
        [String(port), makeCerts().ca],
      ) as Record<string, [number, string, string]>;
      for (const name of ["wrong.example", "127.0.0.2"]) {
        try {
          ctx.wrapSocket(socket.createConnection(["127.0.0.1", port], 10), { serverHostname: name });
          assert.fail(`${name} was accepted`);
        } catch (e) {
          if (!(e instanceof ssl.SSLCertVerificationError)) throw e;
          assert.deepEqual([e.verifyCode, e.verifyMessage, e.message], pythonSays[name], name);
        }
      }
      assert.throws(
        () => ctx.wrapSocket(socket.createConnection(["127.0.0.1", port], 10)),
        RangeError,
        "checkHostname needs a name",
      );
    } finally {
      child.kill();
    }
    // A peer that answers in plain text, not TLS.
    using plain = socket.createServer(["127.0.0.1", 0]);
    const client = socket.createConnection(plain.getsockname() as socket.IPv4Address, 10);
    const [conn] = plain.accept();
    conn.sendall(bytes("HTTP/1.0 400 Bad Request\r\n\r\n"));
    conn.close();
    using ctx2 = clientContext();
    assert.throws(() => ctx2.wrapSocket(client, { serverHostname: "localhost" }), ssl.SSLError);
    client.close();
  },
);

test(
  "ssl: our server answers openssl s_client, and Python's ssl client both verify it (wrapSocket serverSide)",
  {
    skip: skip || unixOnly(PYTHON_PEER),
  },
  async () => {
    using server = socket.createServer(["127.0.0.1", 0]);
    server.setTimeout(30);
    const [, port] = server.getsockname() as socket.IPv4Address;
    using ctx = serverContext();
    using sel = new DefaultSelector();
    sel.register(server, EVENT_READ);
    // The peer is a child: the event loop turns while it connects (Bun starts a child only then).
    const serveOne = async (token: string): Promise<string> => {
      for (;;) {
        assert.ok((await sel.selectAsync(30)).length > 0, "a client came");
        const [conn] = server.accept();
        conn.setTimeout(30);
        let tls: ssl.SSLSocket;
        try {
          tls = ctx.wrapSocket(conn, { serverSide: true });
        } catch {
          conn.close(); // a stranger, not TLS
          continue;
        }
        using _tls = tls;
        const line = text(tls.recv());
        if (!line.startsWith(token)) continue; // a stranger's connection
        tls.sendall(bytes(`echo ${line}`));
        return tls.version()!;
      }
    };
    const token = makeToken().trim();
    const sClient = spawn("openssl", [
      "s_client",
      "-connect",
      `127.0.0.1:${port}`,
      "-CAfile",
      makeCerts().ca,
      "-verify_return_error",
      "-servername",
      "localhost",
      "-quiet",
    ], { stdio: ["pipe", "pipe", "pipe"] });
    sClient.stdin!.write(`${token} from s_client\n`);
    let sOut = "";
    sClient.stdout!.on("data", (d: Uint8Array) => sOut += text(d));
    const sDone = new Promise((resolve) => sClient.on("close", resolve));
    assert.equal(await serveOne(token), "TLSv1.3");
    sClient.stdin!.end();
    await sDone;
    assert.match(sOut, new RegExp(`echo ${token} from s_client`));
    const py = python(
      `import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as raw:
    with ctx.wrap_socket(raw, server_hostname="localhost") as s:
        s.sendall((sys.argv[3] + " from python\\n").encode())
        print(s.recv(1000).decode().strip(), s.version())`,
      [String(port), makeCerts().ca, token],
    );
    assert.equal(await serveOne(token), "TLSv1.3");
    const r = await py;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `echo ${token} from python TLSv1.3`);
  },
);

test(
  "ssl: a non-blocking client on a selector: SSLWantReadError drives the handshake, and a record larger than one recv is all delivered through pending() with no new readiness",
  {
    skip: skip || unixOnly(PYTHON_PEER),
  },
  async () => {
    // Python's ssl server: begins TLS only once the client says (on a second connection) that its
    // first handshake step found nothing to read; waits for the client's line, then sends
    // 200 000 bytes in 16 KiB records.
    const c = makeCerts();
    const py = pythonPeer(
      `import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv = socket.create_server(("127.0.0.1", 0)); print(srv.getsockname()[1], flush=True)
while True:
    raw, _ = srv.accept()
    go, _ = srv.accept()
    with go: ours = go.recv(100).decode().strip() == sys.argv[3]
    if not ours: raw.close(); continue
    try:
        s = ctx.wrap_socket(raw, server_side=True)
        if s.recv(100).decode().strip() != sys.argv[3]: s.close(); continue
    except (ssl.SSLError, OSError): continue
    data = bytes((i * 131 + 7 + (i >> 8)) & 0xff for i in range(200000))
    s.sendall(data)
    try: s.unwrap()
    except ssl.SSLError: pass  # the client may close without its close_notify
    break`,
      [c.cert, c.key, TOKEN],
    );
    const port = await py.port;
    using ctx = clientContext();
    const raw = new socket.Socket();
    raw.setBlocking(false);
    raw.connectEx(["127.0.0.1", port]);
    using sel = new DefaultSelector();
    sel.register(raw, EVENT_WRITE);
    sel.select(10);
    const tls = ctx.wrapSocket(raw, { serverHostname: "localhost", doHandshakeOnConnect: false });
    assert.throws(
      () => tls.doHandshake(),
      ssl.SSLWantReadError,
      "the peer has not begun TLS: nothing to read",
    );
    const go = socket.createConnection(["127.0.0.1", port], 10);
    go.sendall(bytes(`${TOKEN}\n`));
    go.close();
    sel.modify(raw, EVENT_READ);
    assert.ok(sel.select(10).length > 0, "the selector saw the peer's answer the handshake waited for");
    let wants = 1;
    for (;;) {
      try {
        tls.doHandshake();
        break;
      } catch (e) {
        if (e instanceof ssl.SSLWantReadError) sel.modify(raw, EVENT_READ);
        else if (e instanceof ssl.SSLWantWriteError) sel.modify(raw, EVENT_WRITE);
        else throw e;
        wants++;
        assert.ok(sel.select(10).length > 0, "the selector saw the readiness the handshake waited for");
      }
    }
    assert.ok(wants > 0, "the non-blocking handshake waited at least once");
    tls.sendall(bytes(`${TOKEN}\n`));
    sel.modify(raw, EVENT_READ);
    const got: Uint8Array[] = [];
    let total = 0, fromPending = 0;
    for (;;) {
      let chunk: Uint8Array;
      try {
        chunk = tls.recv(1000); // smaller than a record: the rest waits inside OpenSSL
      } catch (e) {
        if (!(e instanceof ssl.SSLWantReadError)) throw e;
        assert.equal(tls.pending(), 0, "nothing decrypted is left when it asks for more");
        assert.ok(sel.select(10).length > 0);
        continue;
      }
      if (chunk.length === 0) break;
      got.push(chunk);
      total += chunk.length;
      // Read on while OpenSSL holds decrypted bytes: the fd may not be readable for them.
      while (tls.pending() > 0) {
        const more = tls.recv(1000);
        got.push(more);
        total += more.length;
        fromPending += more.length;
      }
    }
    assert.equal(total, 200000);
    assert.ok(fromPending > 0, "bytes came from pending() with no new readiness");
    const all = new Uint8Array(total);
    let at = 0;
    for (const g of got) all.set(g, (at += g.length) - g.length);
    const want = Uint8Array.from({ length: 200000 }, (_, i) => (i * 131 + 7 + (i >> 8)) & 0xff);
    assert.equal(
      createHash("sha256").update(all).digest("hex"),
      createHash("sha256").update(want).digest("hex"),
    );
    // close_notify back (the peer's came with the end of the stream).
    for (let i = 0; i < 100; i++) {
      try {
        tls.unwrap().close();
        break;
      } catch (e) {
        if (!(e instanceof ssl.SSLWantReadError || e instanceof ssl.SSLWantWriteError)) throw e;
        sel.select(1);
      }
    }
    await py.done;
  },
);

test("ssl: wrapBio: a client and a server SSLObject handshake and talk over memory BIOs, in one thread", {
  skip,
}, () => {
  using cctx = clientContext();
  using sctx = serverContext();
  const [ci, co, si, so] = [
    new ssl.MemoryBIO(),
    new ssl.MemoryBIO(),
    new ssl.MemoryBIO(),
    new ssl.MemoryBIO(),
  ];
  using client = cctx.wrapBio(ci, co, { serverHostname: "localhost" });
  using server = sctx.wrapBio(si, so, { serverSide: true });
  const pump = (): void => {
    if (co.pending) si.write(co.read());
    if (so.pending) ci.write(so.read());
  };
  assert.equal(handshakeBoth(client, server, pump, 10), 2, "both sides finished the handshake");
  assert.equal(client.version(), "TLSv1.3");
  const data = pattern(100_000, 4);
  assert.equal(client.write(data), data.length);
  pump();
  const got = new Uint8Array(data.length);
  let at = 0;
  while (at < data.length) at += server.readInto(got.subarray(at));
  assert.equal(
    createHash("sha256").update(got).digest("hex"),
    createHash("sha256").update(data).digest("hex"),
  );
  assert.throws(() => server.read(10), ssl.SSLWantReadError, "nothing more yet");
  // Its errno is Python's SSL_ERROR_WANT_READ (2), and its code names that, not the errno 2 of the system (ENOENT).
  assert.throws(
    () => server.read(10),
    (e: unknown) =>
      e instanceof ssl.SSLWantReadError && e.errno === 2 && e.code === "SSL_ERROR_WANT_READ" &&
      e.message === "The operation did not complete (read)",
  );
});

test(
  "ssl: a ragged EOF reads as the end of the stream by default and as SSLEOFError with suppressRaggedEofs false",
  {
    skip: skip || unixOnly(PYTHON_PEER),
  },
  async () => {
    for (const suppress of [true, false]) {
      const c = makeCerts();
      // Python's server: handshake, send a line, then close without close_notify (close(), not unwrap()).
      const py = pythonPeer(
        `import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv = socket.create_server(("127.0.0.1", 0)); print(srv.getsockname()[1], flush=True)
raw, _ = srv.accept(); s = ctx.wrap_socket(raw, server_side=True)
s.sendall(b"line\\n"); s.recv(1); s.close()`,
        [c.cert, c.key],
      );
      const port = await py.port;
      using ctx = clientContext();
      using tls = ctx.wrapSocket(socket.createConnection(["127.0.0.1", port], 10), {
        serverHostname: "localhost",
        suppressRaggedEofs: suppress,
      });
      assert.equal(text(tls.recv()), "line\n");
      tls.sendall(bytes("x"));
      if (suppress) assert.equal(tls.recv().length, 0, "the end of the stream");
      else assert.throws(() => tls.recv(), ssl.SSLEOFError);
      await py.done;
    }
  },
);

test(
  "ssl: loadCertChain refuses a key that does not match, reads an encrypted key with its password, and says which file is missing",
  { skip },
  () => {
    const c = makeCerts();
    using ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    assert.throws(() => ctx.loadCertChain(c.cert, join(c.dir, "other.key")), ssl.SSLError);
    const encrypted = join(c.dir, "srv-enc.key");
    const r = spawnSync("openssl", [
      "pkey",
      "-in",
      c.key,
      "-aes256",
      "-passout",
      "pass:s3cret",
      "-out",
      encrypted,
    ]);
    assert.equal(r.status, 0);
    assert.throws(() => ctx.loadCertChain(c.cert, encrypted, "wrong"), ssl.SSLError);
    ctx.loadCertChain(c.cert, encrypted, "s3cret");
    assert.throws(() => ctx.loadVerifyLocations(join(c.dir, "missing.pem")), ssl.SSLError);
    assert.throws(() => new ssl.SSLContext(6), RangeError); // 2 to 5 are Python's deprecated protocols
    assert.throws(() => (ctx.verifyMode = 7), RangeError);
  },
);

test(
  "ssl: without OpenSSL a context says what to install; importing the module alone needs none",
  { skip },
  async () => {
    const dir = scratchDir("no-openssl-");
    const script = join(dir, "s.ts");
    writeFileSync(
      script,
      `import { ssl, socket } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};
void socket;
try { new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); console.log("made"); } catch (e) { console.log(String((e as Error).message)); }`,
    );
    const [cmd, argv] = runtimeCommand(script);
    const r = await run(cmd, argv, {
      env: {
        ...process.env,
        FFI_SELECTORS_LIBSSL: "/nonexistent/libssl.so.3",
        FFI_SELECTORS_LIBCRYPTO: "/nonexistent/libcrypto.so.3",
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /needs OpenSSL 3: none of \/nonexistent\/libssl\.so\.3 loads\. Install /);
  },
);

test(
  "examples/cert_check.ts checks several servers at once on one selector: dates, version, issuer; exit 1 when one is close to expiry or refuses",
  {
    skip,
  },
  async () => {
    const { child, port } = await sServer(["-www"]);
    try {
      const refused = socket.createServer(["127.0.0.1", 0]);
      const closedPort = (refused.getsockname() as socket.IPv4Address)[1];
      refused.close(); // nobody listens there now
      const script = new URL("../examples/cert_check.ts", import.meta.url).pathname;
      const ok = await runScript(script, [
        "--days",
        "3",
        "--cafile",
        makeCerts().ca,
        `localhost:${port}`,
        `127.0.0.1:${port}`,
      ]);
      assert.equal(ok.code, 0, ok.stderr);
      const lines = ok.stdout.trim().split("\n").sort();
      assert.equal(lines.length, 2);
      for (const line of lines) {
        assert.match(
          line,
          /^(localhost|127\.0\.0\.1):\d+ {2}expires \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT \([67] days\) {2}TLSv1\.3 {2}issuer "ffi-selectors test CA"$/,
        );
      }
      const bad = await runScript(script, [
        "--cafile",
        makeCerts().ca,
        `localhost:${port}`,
        `127.0.0.1:${closedPort}`,
      ]);
      assert.equal(bad.code, 1, "a 7-day certificate is within the default 14 days, and one port refuses");
      assert.match(
        bad.stdout,
        new RegExp(`127\\.0\\.0\\.1:${closedPort}  failed: \\[Errno \\d+\\] Connection refused`),
      );
      assert.match(bad.stderr, /cert_check: 2 of 2 need attention/);
      const untrusted = await runScript(script, [`localhost:${port}`]); // the system's CAs do not know the test CA
      assert.equal(untrusted.code, 1);
      assert.match(untrusted.stdout, /failed: \[SSL: CERTIFICATE_VERIFY_FAILED\] certificate verify failed/);
    } finally {
      child.kill();
    }
  },
);

test(
  "examples/tls_client.ts: verifies openssl s_server, prints what s_client would (ALPN, fingerprint, names), relays an HTTP request and its answer; refuses an untrusted server",
  { skip },
  async () => {
    const { child, port } = await sServer(["-www", "-alpn", "http/1.1"]);
    try {
      const c = makeCerts();
      const script = new URL("../examples/tls_client.ts", import.meta.url).pathname;
      const request = "GET / HTTP/1.0\r\n\r\n";
      const keylog = join(scratchDir("tls-client-"), "keys.log");
      const ok = await runScript(script, [
        "--cafile",
        c.ca,
        "--alpn",
        "h2,http/1.1",
        "--keylog",
        keylog,
        "localhost",
        String(port),
      ], {
        input: request,
      });
      assert.equal(ok.code, 0, ok.stderr);
      const secrets = readFileSync(keylog, "utf8").split("\n").filter((l) =>
        /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]+$/.test(l)
      );
      assert.equal(secrets.length, 5, "TLS 1.3's five secrets, in the key log format");
      assert.match(ok.stdout, /^HTTP\/1\.0 200 ok\r\n/, "the server's answer, on stdout");
      const fingerprint = spawnSync("openssl", ["x509", "-in", c.cert, "-noout", "-fingerprint", "-sha256"], {
        encoding: "utf8",
      }).stdout.trim().split("=")[1]!.toLowerCase();
      assert.equal(
        ok.stderr,
        [
          `connected to localhost:${port}`,
          "  protocol: TLSv1.3  cipher: TLS_AES_256_GCM_SHA384  ALPN: http/1.1",
          `  sha256:   ${fingerprint}`,
          "  subject:  CN=localhost",
          "  issuer:   CN=ffi-selectors test CA",
          ok.stderr.split("\n")[5]!, // the dates
          "  names:    DNS:localhost, IP Address:127.0.0.1",
          "  verified: yes (localhost)",
          "",
        ].join("\n"),
      );
      assert.match(ok.stderr.split("\n")[5]!, /^ {2}valid: {4}\w{3} [ \d]\d [\d:]{8} \d{4} GMT \.\. \w{3} /);
      const untrusted = await runScript(script, ["127.0.0.1", String(port)], { input: request });
      assert.equal(untrusted.code, 1);
      assert.equal(
        untrusted.stderr.trim(),
        `tls_client: 127.0.0.1:${port}: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate`,
      );
      assert.equal(untrusted.stdout, "");
      const wrongName = await runScript(script, [
        "--cafile",
        c.ca,
        "--servername",
        "example.com",
        "127.0.0.1",
        String(port),
      ], {
        input: request,
      });
      assert.equal(wrongName.code, 1);
      assert.match(wrongName.stderr, /certificate verify failed: Hostname mismatch/);
      const insecure = await runScript(script, ["--insecure", "-q", "127.0.0.1", String(port)], {
        input: request,
      });
      assert.equal(insecure.code, 0, insecure.stderr);
      assert.match(insecure.stdout, /^HTTP\/1\.0 200 ok\r\n/);
    } finally {
      child.kill();
    }
  },
);

test(
  "examples/https_get.ts fetches at once from a Python HTTPS server that answers only when all requests are in; bodies byte for byte; an untrusted server and a refused port are one line each",
  { skip: skip || unixOnly(PYTHON_PEER) },
  async () => {
    const c = makeCerts();
    const sizes = [10, 100_000, 1_000_000];
    // No handler answers before every request has arrived: a client that fetched one URL after another would time out.
    const py = pythonPeer(
      `import http.server, ssl, sys, threading
barrier = threading.Barrier(int(sys.argv[3]), timeout=30)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        barrier.wait()
        n = int(self.path.strip("/"))
        body = bytes((i * 7 + n) & 255 for i in range(n))
        self.send_response(200); self.send_header("Content-Length", str(n)); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer.daemon_threads = False
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
for _ in range(int(sys.argv[3])): srv.handle_request()
srv.server_close()`,
      [c.cert, c.key, String(sizes.length)],
    );
    const port = await py.port;
    const save = scratchDir("https-get-");
    const script = new URL("../examples/https_get.ts", import.meta.url).pathname;
    const urls = sizes.map((n, i) => `https://${i % 2 ? "127.0.0.1" : "localhost"}:${port}/${n}`);
    const r = await runScript(script, ["--cafile", c.ca, "--timeout", "20", "--save", save, ...urls], {
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, sizes.length);
    for (const [i, n] of sizes.entries()) {
      assert.match(
        lines[i]!,
        new RegExp(
          `^${urls[i]!.replace(/\./g, "\\.")} {2}200 OK {2}${n} bytes {2}TLSv1\\.3 {2}\\d+\\.\\d{3} s$`,
        ),
      );
      const body = readFileSync(join(save, String(i + 1)));
      const want = Uint8Array.from({ length: n }, (_, k) => (k * 7 + n) & 255);
      assertSameBytes(new Uint8Array(body), want, `body ${i + 1}`);
    }
    assert.equal(await py.done, 0);

    const { child, port: untrustedPort } = await sServer(["-www"]);
    try {
      const refused = socket.createServer(["127.0.0.1", 0]);
      const closedPort = (refused.getsockname() as socket.IPv4Address)[1];
      refused.close();
      const bad = await runScript(script, [
        `https://localhost:${untrustedPort}/`,
        `https://127.0.0.1:${closedPort}/`,
      ]);
      assert.equal(bad.code, 1);
      assert.equal(
        bad.stdout,
        `https://localhost:${untrustedPort}/  failed: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate\n` +
          `https://127.0.0.1:${closedPort}/  failed: [Errno 111] Connection refused\n`,
      );
      assert.match(bad.stderr, /https_get: 2 of 2 failed/);
    } finally {
      child.kill();
    }
  },
);

/** The same client, run against our server and Python's: what each name gets (a certificate and ALPN, or Python's error). */
const SNI_CLIENT = `import json, socket, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca); ctx.set_alpn_protocols(["http/1.1", "h2"])
out = {}
for name in ["localhost", "b.example", "deny.example", "boom.example"]:
    try:
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname=name)
        out[name] = ["ok", dict(x[0] for x in s.getpeercert()["subject"])["commonName"], s.selected_alpn_protocol()]
        s.close()
    except ssl.SSLError as e:
        out[name] = ["error", str(e).rsplit(" (_ssl.c", 1)[0]]
print(json.dumps(out))`;

test(
  "ssl: sniCallback switches a server to another certificate by name, refuses with the alert it returns, and a throw is a handshake_failure whose SSLError has the exception as cause; the server's ALPN order wins: all as Python's own server answers",
  { skip: skip || unixOnly(PYTHON_PEER) },
  async () => {
    const c = makeCerts();
    // Python's server with the same callback: the reference answers, for its client and for itself.
    const reference = pythonPeer(
      `import json, socket, ssl, sys
a = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); a.load_cert_chain(sys.argv[1], sys.argv[2]); a.set_alpn_protocols(["h2", "http/1.1"])
b = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); b.load_cert_chain(sys.argv[3], sys.argv[4]); b.set_alpn_protocols(["h2", "http/1.1"])
def pick(sock, name, ctx):
    if name == "b.example": sock.context = b
    elif name == "deny.example": return ssl.ALERT_DESCRIPTION_ACCESS_DENIED
    elif name == "boom.example": raise ValueError("boom")
a.sni_callback = pick
sys.unraisablehook = lambda u: None
srv = socket.create_server(("127.0.0.1", 0)); print(srv.getsockname()[1], flush=True)
errors = []
for _ in range(4):
    raw, _ = srv.accept()
    try:
        a.wrap_socket(raw, server_side=True).close()
    except ssl.SSLError as e:
        errors.append(str(e).rsplit(" (_ssl.c", 1)[0]); raw.close()
print(json.dumps(errors), flush=True)`,
      [c.cert, c.key, c.certB, c.keyB],
    );
    const referencePort = await reference.port;
    const pythonView = await pythonJson(SNI_CLIENT, [String(referencePort), c.ca]);
    await reference.done;

    using a = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    a.loadCertChain(c.cert, c.key);
    a.setAlpnProtocols(["h2", "http/1.1"]);
    using b = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    b.loadCertChain(c.certB, c.keyB);
    b.setAlpnProtocols(["h2", "http/1.1"]);
    const calls: Array<[string | null, boolean, boolean]> = [];
    a.sniCallback = (sock: ssl.SSLSocket, name, ctx: ssl.SSLContext) => {
      calls.push([name, sock instanceof ssl.SSLSocket, ctx === a]);
      if (name === "b.example") sock.context = b;
      else if (name === "deny.example") return ssl.ALERT_DESCRIPTION_ACCESS_DENIED;
      else if (name === "boom.example") throw new RangeError("boom");
    };
    using listener = socket.createServer(["127.0.0.1", 0]);
    const port = (listener.getsockname() as socket.IPv4Address)[1];
    const client = python(SNI_CLIENT, [String(port), c.ca]);
    const errors: Array<[string, string | undefined]> = [];
    for (let i = 0; i < 4; i++) {
      const [raw] = listener.accept();
      raw.setTimeout(10);
      try {
        a.wrapSocket(raw, { serverSide: true }).close();
      } catch (e) {
        if (!(e instanceof ssl.SSLError)) throw e;
        errors.push([e.message, e.cause instanceof Error ? e.cause.message : undefined]);
        raw.close();
      }
    }
    const ours = await client;
    assert.equal(ours.code, 0, ours.stderr);
    assert.deepEqual(JSON.parse(ours.stdout), pythonView, "the client sees our server as it sees Python's");
    assert.deepEqual(pythonView, {
      "localhost": ["ok", "localhost", "h2"],
      "b.example": ["ok", "b.example", "h2"],
      "deny.example": ["error", "[SSL: TLSV1_ALERT_ACCESS_DENIED] tlsv1 alert access denied"],
      "boom.example": ["error", "[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure"],
    });
    const pythonErrors = JSON.parse(await reference.output);
    assert.deepEqual(errors.map(([m]) => m), pythonErrors, "the server's own errors read as Python's");
    assert.deepEqual(errors.map(([, cause]) => cause), [undefined, "boom"], "the exception is the cause");
    assert.deepEqual(calls, [
      ["localhost", true, true],
      ["b.example", true, true],
      ["deny.example", true, true],
      ["boom.example", true, true],
    ]);
    assert.throws(() => (new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).sniCallback = () => {}), RangeError);
    assert.throws(() => (a.sniCallback = 5 as never), TypeError);
    a.sniCallback = null;
  },
);

test(
  "ssl: a client's session resumes on the next connection to Python's server (TLS 1.3 and 1.2), and our server resumes Python's client's; wrong uses are refused as Python refuses them",
  { skip: skip || unixOnly(PYTHON_PEER) },
  async () => {
    const c = makeCerts();
    for (const version of [ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2]) {
      // Python's server: echoes one message per connection and says whether it resumed.
      const py = pythonPeer(
        `import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv = socket.create_server(("127.0.0.1", 0)); print(srv.getsockname()[1], flush=True)
for _ in range(2):
    raw, _ = srv.accept(); s = ctx.wrap_socket(raw, server_side=True)
    s.sendall(s.recv(100)); print(s.session_reused, flush=True); s.close()`,
        [c.cert, c.key],
      );
      const port = await py.port;
      using ctx = clientContext();
      ctx.maximumVersion = version;
      const first = ctx.wrapSocket(socket.createConnection(["127.0.0.1", port], 10), {
        serverHostname: "localhost",
      });
      first.sendall(bytes("one"));
      assert.equal(text(first.recv()), "one"); // a TLS 1.3 ticket comes with or before it
      assert.equal(first.sessionReused, false);
      const session = first.session!;
      assert.ok(session instanceof ssl.SSLSession);
      assert.ok(session.timeout > 0 && session.time > 1_700_000_000, `${session.time} ${session.timeout}`);
      first.close();
      const second = ctx.wrapSocket(socket.createConnection(["127.0.0.1", port], 10), {
        serverHostname: "localhost",
        session,
      });
      assert.equal(second.sessionReused, true, "resumed");
      second.sendall(bytes("two"));
      assert.equal(text(second.recv()), "two");
      assert.throws(() => (second.session = session), /Cannot set session after handshake/);
      second.close();
      assert.equal((await py.output).trim(), "False\nTrue", "Python's server says the same");
      // A session belongs to its context.
      using other = clientContext();
      assert.throws(
        () =>
          other.wrapBio(new ssl.MemoryBIO(), new ssl.MemoryBIO(), { serverHostname: "localhost", session }),
        /Session refers to a different SSLContext/,
      );
    }
    // Our server, Python's client resuming.
    using server = serverContext();
    using listener = socket.createServer(["127.0.0.1", 0]);
    const port = (listener.getsockname() as socket.IPv4Address)[1];
    const client = python(
      `import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2]); session = None
for _ in range(2):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost", session=session)
    s.sendall(b"x"); s.recv(1); print(s.session_reused, flush=True); session = s.session; s.close()`,
      [String(port), c.ca],
    );
    const reused: boolean[] = [];
    for (let i = 0; i < 2; i++) {
      const [raw] = listener.accept();
      raw.setTimeout(10);
      using tls = server.wrapSocket(raw, { serverSide: true });
      tls.sendall(tls.recv(1));
      reused.push(tls.sessionReused);
      assert.throws(() => (tls.session = tls.session!), /Cannot set session for server-side SSLSocket/);
    }
    const r = await client;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), "False\nTrue");
    assert.deepEqual(reused, [false, true]);
  },
);

test(
  "ssl: loadVerifyLocations(cadata) trusts PEM text and DER bytes as Python's does, and refuses what holds no certificate with Python's words",
  { skip: skip || unixOnly(PYTHON_PEER) },
  async () => {
    const c = makeCerts();
    const pemText = readFileSync(c.ca, "utf8");
    const der = new Uint8Array(spawnSync("openssl", ["x509", "-in", c.ca, "-outform", "der"]).stdout);
    using server = serverContext();
    const handshake = (client: ssl.SSLContext): void => {
      const pair = bioPair(client, server);
      using s = pair.server;
      using cl = pair.client;
      assert.equal(handshakeBoth(cl, s, pair.pump), 2);
    };
    for (const cadata of [pemText, `${readFileSync(c.otherCa, "utf8")}\n${pemText}`, der, der.buffer]) {
      using client = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      client.loadVerifyLocations(null, null, cadata);
      handshake(client); // verified by the CA given as data only
    }
    // createDefaultContext() takes it too (as Python's), an empty cafile counting as none.
    for (const cadata of [pemText, der]) {
      using client = ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: "", cadata });
      assert.equal(client.certStoreStats().x509Ca, 1, "the CA given, not the system's");
      handshake(client);
    }
    using untrusting = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    untrusting.loadVerifyLocations(undefined, undefined, readFileSync(c.otherCa, "utf8"));
    assert.throws(() => handshake(untrusting), ssl.SSLCertVerificationError);
    // What holds no certificate: the same words as Python's.
    const python = await pythonJson(
      `import json, ssl
out = []
for data in ["hello", b"\\x00\\x01"]:
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cadata=data)
    except ssl.SSLError as e:
        out.append(str(e).rsplit(" (_ssl.c", 1)[0])
print(json.dumps(out))`,
      [],
    );
    const ours: string[] = [];
    for (const data of ["hello", new Uint8Array([0, 1])]) {
      using ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      try {
        ctx.loadVerifyLocations(null, null, data);
      } catch (e) {
        if (!(e instanceof ssl.SSLError)) throw e;
        ours.push(e.message);
      }
    }
    assert.deepEqual(ours, python);
    using ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    assert.throws(() => ctx.loadVerifyLocations(null, null, "caf\u00e9"), TypeError);
    assert.throws(() => ctx.loadVerifyLocations(null, null, 5 as never), TypeError);
    assert.throws(() => ctx.loadVerifyLocations(), /cafile, capath and cadata cannot be all omitted/);
  },
);

test(
  "ssl: a context's refusals are Python's: class, errno, library, reason and text (the newest queued error)",
  { skip: skip || unixOnly(PYTHON_PEER) },
  async () => {
    const dir = scratchDir("tls-refusals-");
    const garbage = join(dir, "garbage.pem");
    writeFileSync(garbage, "not a certificate\n");
    // [class, errno, library, reason, text] of each refusal; Python's ValueError is our RangeError.
    const python = await pythonJson(
      `import json, ssl, sys
garbage = sys.argv[1]
def attempt(f):
    try:
        f()
        return None
    except (ssl.SSLError, ValueError) as e:
        cls = type(e).__name__
        return ["RangeError" if cls == "ValueError" else cls, e.errno if isinstance(e, OSError) and e.errno else 0,
                getattr(e, "library", None) or "", getattr(e, "reason", None) or "",
                str(e).rsplit(" (_ssl.c", 1)[0] if cls != "SSLError" or e.errno else e.args[0]]
client = lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
server = lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
print(json.dumps([
    attempt(lambda: client().set_ciphers("NOPE")),
    attempt(lambda: client().set_alpn_protocols([""])),
    attempt(lambda: setattr(client(), "minimum_version", 12345)),
    attempt(lambda: client().load_cert_chain(garbage)),
    attempt(lambda: client().load_verify_locations(garbage)),
    attempt(lambda: server().load_dh_params(garbage)),
]))`,
      [garbage],
    );
    const attempt = (f: (client: ssl.SSLContext, server: ssl.SSLContext) => void): unknown => {
      using client = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      using server = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
      try {
        f(client, server);
        return null;
      } catch (e) {
        if (e instanceof ssl.SSLError) return [e.constructor.name, e.errno, e.library, e.reason, e.message];
        if (e instanceof RangeError) return ["RangeError", 0, "", "", e.message];
        throw e;
      }
    };
    const ours = [
      attempt((c) => c.setCiphers("NOPE")),
      attempt((c) => c.setAlpnProtocols([""])),
      attempt((c) => c.minimumVersion = 12345),
      attempt((c) => c.loadCertChain(garbage)),
      attempt((c) => c.loadVerifyLocations(garbage)),
      attempt((_, s) => s.loadDhParams(garbage)),
    ];
    assert.deepEqual(ours, python);
    // Nothing stays queued behind a refusal to be reported by the next call.
    using ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    assert.throws(() => ctx.loadCertChain(garbage), ssl.SSLError);
    ctx.setCiphers("ECDHE+AESGCM");
    assert.throws(() => ctx.minimumVersion = "TLSv1_2" as never, TypeError);
  },
);

test(
  "ssl: before its handshake a connection answers as Python's, and its server name is checked and IDNA-encoded as Python's",
  { skip: skip || unixOnly(PYTHON_PEER) },
  async () => {
    // [class, text] of each attempt (or its value); Python's ValueError and UnicodeError are our RangeError.
    const python = await pythonJson(
      `import json, socket, ssl
def attempt(f):
    try:
        return ["value", f()]
    except (ssl.SSLError, ValueError) as e:
        cls = type(e).__name__
        return ["RangeError" if cls in ("ValueError", "UnicodeError") else cls, str(e).rsplit(" (_ssl.c", 1)[0]]
client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
unchecked = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
unchecked.check_hostname = False
server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
bio = lambda ctx, **kw: ctx.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), **kw)
a, b = socket.socketpair()
print(json.dumps([
    attempt(lambda: bio(client, server_hostname="localhost").getpeercert()),
    attempt(lambda: bio(client, server_hostname="localhost").version()),
    attempt(lambda: bio(client, server_hostname="localhost").cipher()),
    attempt(lambda: bio(client, server_side=True)),
    attempt(lambda: bio(server)),
    attempt(lambda: bio(unchecked, server_hostname="")),
    attempt(lambda: bio(unchecked, server_hostname=".example")),
    attempt(lambda: bio(unchecked, server_hostname="a." + "x" * 64)),
    attempt(lambda: bio(client, server_hostname="b\u00fccher.example.").server_hostname),
    attempt(lambda: bio(client, server_hostname="LOCALHOST").server_hostname),
    attempt(lambda: server.wrap_socket(a, server_side=True, server_hostname="x")),
    attempt(lambda: client.wrap_socket(b)),
]))`,
      [],
    );
    const attempt = (f: () => unknown): unknown => {
      try {
        const v = f();
        return ["value", v instanceof ssl.SSLObject ? "made" : v];
      } catch (e) {
        if (e instanceof ssl.SSLError) return [e.constructor.name, e.message];
        if (e instanceof RangeError) return ["RangeError", e.message];
        throw e;
      }
    };
    using client = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    using unchecked = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    unchecked.checkHostname = false;
    using server = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    const made: { close(): void }[] = [];
    const bio = (ctx: ssl.SSLContext, options: Record<string, unknown>): ssl.SSLObject => {
      const o = ctx.wrapBio(new ssl.MemoryBIO(), new ssl.MemoryBIO(), options);
      made.push(o);
      return o;
    };
    const [a, b] = socket.socketpair();
    try {
      const ours = [
        attempt(() => bio(client, { serverHostname: "localhost" }).getpeercert()),
        attempt(() => bio(client, { serverHostname: "localhost" }).version()),
        attempt(() => bio(client, { serverHostname: "localhost" }).cipher()),
        attempt(() => bio(client, { serverSide: true })),
        attempt(() => bio(server, {})),
        attempt(() => bio(unchecked, { serverHostname: "" })),
        attempt(() => bio(unchecked, { serverHostname: ".example" })),
        attempt(() => bio(unchecked, { serverHostname: "a." + "x".repeat(64) })),
        attempt(() => bio(client, { serverHostname: "b\u00fccher.example." }).serverHostname),
        attempt(() => bio(client, { serverHostname: "LOCALHOST" }).serverHostname),
        attempt(() => server.wrapSocket(a, { serverSide: true, serverHostname: "x" })),
        attempt(() => client.wrapSocket(b)),
      ];
      // Python's words, in this package's names; an IDNA refusal says more than Python's (the same class).
      const expected = (python as [string, unknown][]).map(([cls, text], i) =>
        [6, 7].includes(i) ? [cls, (ours[i] as [string, unknown])[1]] : [
          cls,
          typeof text === "string"
            ? text.replace("server_hostname", "serverHostname").replace("check_hostname", "checkHostname")
            : text,
        ]
      );
      assert.deepEqual(ours, expected);
    } finally {
      for (const o of made) o.close();
      a.close();
      b.close();
    }
  },
);

test(
  "ssl: an SSLSocket refuses flags, reads into a buffer by Python's rule, and once closed answers as Python's",
  { skip: skip || unixOnly(PYTHON_PEER) },
  async () => {
    const { ca, cert, key } = makeCerts();
    // [class, errno or value] of each step; Python's ValueError is our RangeError.
    const python = await pythonJson(
      `import json, socket, ssl, sys
ca, cert, key = sys.argv[1:4]
cc = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); cc.load_verify_locations(ca)
sc = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sc.load_cert_chain(cert, key)
a, b = socket.socketpair(); a.setblocking(False); b.setblocking(False)
c = cc.wrap_socket(a, server_hostname="localhost", do_handshake_on_connect=False)
s = sc.wrap_socket(b, server_side=True, do_handshake_on_connect=False)
for _ in range(10):
    for x in (c, s):
        try: x.do_handshake()
        except ssl.SSLWantReadError: pass
def attempt(f):
    try:
        v = f()
        return ["value", v.hex() if isinstance(v, bytearray) else v]
    except (OSError, ValueError) as e:
        cls = type(e).__name__
        return ["RangeError" if cls == "ValueError" else cls, e.errno if isinstance(e, OSError) else str(e)]
buf = bytearray(4)
out = [
    attempt(lambda: c.recv(10, 1)),
    attempt(lambda: c.send(b"x", 1)),
    attempt(lambda: c.recv_into(buf, -1)),
    attempt(lambda: s.sendall(b"abcdef")),
    attempt(lambda: c.recv_into(buf, 10)),
    attempt(lambda: buf),
    attempt(lambda: c.recv_into(buf, -1)),
    attempt(lambda: buf),
]
c.close()
out += [attempt(c.fileno), attempt(lambda: c.recv(1)), attempt(lambda: c.send(b"x")), attempt(c.pending),
        attempt(c.version), attempt(c.cipher), attempt(c.selected_alpn_protocol), attempt(c.do_handshake)]
s.close()
print(json.dumps(out))`,
      [ca, cert, key],
    );
    using cc = clientContext();
    using sc = serverContext();
    const [a, b] = socket.socketpair();
    a.setBlocking(false);
    b.setBlocking(false);
    const c = cc.wrapSocket(a, { serverHostname: "localhost", doHandshakeOnConnect: false });
    using s = sc.wrapSocket(b, { serverSide: true, doHandshakeOnConnect: false });
    assert.equal(handshakeBoth(c, s), 2);
    const attempt = (f: () => unknown): unknown => {
      try {
        const v = f();
        return ["value", v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v];
      } catch (e) {
        if (e instanceof ssl.SSLError) return [e.constructor.name, e.errno];
        if (e instanceof OSError) return ["OSError", e.errno];
        if (e instanceof RangeError) {
          return ["RangeError", e.message.replace(" on SSLSocket", " on <class 'ssl.SSLSocket'>")];
        }
        throw e;
      }
    };
    const buf = new Uint8Array(4);
    const ours = [
      attempt(() => c.recv(10, 1)),
      attempt(() => c.send(bytes("x"), 1)),
      attempt(() => c.recvInto(buf, -1)),
      attempt(() => s.sendall(bytes("abcdef")) ?? null),
      attempt(() => c.recvInto(buf, 10)),
      attempt(() => buf),
      attempt(() => c.recvInto(buf, -1)),
      attempt(() => buf),
    ];
    c.close();
    ours.push(
      attempt(() => c.fileno()),
      attempt(() => c.recv(1)),
      attempt(() => c.send(bytes("x"))),
      attempt(() => c.pending()),
      attempt(() => c.version()),
      attempt(() => c.cipher()),
      attempt(() => c.selectedAlpnProtocol()),
      attempt(() => c.doHandshake()),
    );
    assert.deepEqual(ours, python);
  },
);

test(
  "ssl: Python's deprecated protocols: PROTOCOL_TLS (the default) for either side, PROTOCOL_TLSv1_2 pinned, as Python's",
  { skip: skip || unixOnly(PYTHON_PEER) },
  async () => {
    const python = await pythonJson(
      `import json, ssl, warnings
warnings.simplefilter("ignore")
out = []
for p in [None, ssl.PROTOCOL_TLS, ssl.PROTOCOL_SSLv23, ssl.PROTOCOL_TLSv1, ssl.PROTOCOL_TLSv1_1, ssl.PROTOCOL_TLSv1_2]:
    c = ssl.SSLContext() if p is None else ssl.SSLContext(p)
    out.append([int(c.protocol), int(c.minimum_version), int(c.maximum_version), c.check_hostname,
                int(c.verify_mode), c.options])
for p in [1, 6]:
    try:
        ssl.SSLContext(p)
    except ValueError as e:
        out.append(str(e))
try:
    ssl.SSLContext(ssl.PROTOCOL_TLSv1_2).minimum_version = ssl.TLSVersion.TLSv1_3
except ValueError as e:
    out.append(str(e))
print(json.dumps(out))`,
      [],
    );
    const ours: unknown[] = [];
    for (
      const p of [
        undefined,
        ssl.PROTOCOL_TLS,
        ssl.PROTOCOL_SSLv23,
        ssl.PROTOCOL_TLSv1,
        ssl.PROTOCOL_TLSv1_1,
        ssl.PROTOCOL_TLSv1_2,
      ]
    ) {
      using c = new ssl.SSLContext(p);
      ours.push([c.protocol, c.minimumVersion, c.maximumVersion, c.checkHostname, c.verifyMode, c.options]);
    }
    for (const p of [1, 6]) {
      assert.throws(
        () => new ssl.SSLContext(p),
        (e: unknown) => e instanceof RangeError && (ours.push(e.message), true),
      );
    }
    using pinned = new ssl.SSLContext(ssl.PROTOCOL_TLSv1_2);
    assert.throws(
      () => pinned.minimumVersion = ssl.TLSVersion.TLSv1_3,
      (e: unknown) => e instanceof RangeError && (ours.push(e.message), true),
    );
    assert.deepEqual(ours, python);
    // A generic context serves; a pinned client gets TLS 1.2 from it, a generic one TLS 1.3; neither verifies.
    using server = new ssl.SSLContext(ssl.PROTOCOL_TLS);
    server.loadCertChain(makeCerts().cert, makeCerts().key);
    server.setAlpnProtocols(["b", "a"]);
    for (const [client, version] of [[pinned, "TLSv1.2"], [new ssl.SSLContext(), "TLSv1.3"]] as const) {
      client.setAlpnProtocols(["a", "b"]);
      const pair = bioPair(client, server);
      using c = pair.client;
      using s = pair.server;
      assert.equal(handshakeBoth(c, s, pair.pump), 2);
      assert.deepEqual([c.version(), s.version(), c.selectedAlpnProtocol()], [version, version, "b"]);
      assert.equal(c.getpeercert(), null, "not verified: CERT_NONE");
      if (client !== pinned) client.close();
    }
  },
);

test(
  "ssl: an SSLSocket wrapped before connect() connects and shakes hands, as Python's client example (s_server -rev)",
  { skip },
  async () => {
    const { child, port } = await sServer(["-rev"]);
    try {
      using ctx = clientContext();
      using tls = ctx.wrapSocket(new socket.Socket(), { serverHostname: "localhost" });
      assert.equal(tls.version(), null, "nothing yet: not connected");
      tls.setTimeout(10);
      tls.connect(["127.0.0.1", port]);
      assert.equal(tls.version(), "TLSv1.3");
      tls.sendall(bytes("hello\n"));
      assert.equal(text(tls.recv()), "olleh\n");
      assert.throws(
        () => tls.connect(["127.0.0.1", port]),
        /attempt to connect already-connected SSLSocket!/,
      );
    } finally {
      child.kill();
    }
    using sctx = serverContext();
    using serverSide = sctx.wrapSocket(new socket.Socket(), { serverSide: true });
    assert.throws(() => serverSide.connect(["127.0.0.1", port]), /can't connect in server-side mode/);
  },
);

test(
  "ssl: a wrapped listening socket's accept() gives TLS connections, as Python's server example (a Python client)",
  { skip: skip || unixOnly(PYTHON_PEER) },
  async () => {
    using sctx = serverContext();
    using server = sctx.wrapSocket(socket.createServer(["127.0.0.1", 0]), {
      serverSide: true,
      doHandshakeOnConnect: false, // each connection's handshake under its own timeout, below
    });
    server.setTimeout(20);
    const [, port] = server.getsockname() as [string, number];
    const peer = pythonPeer(
      `import socket, ssl, sys
print(0, flush=True)
ctx = ssl.create_default_context(cafile=sys.argv[2])
with ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost") as s:
    s.sendall(sys.argv[3].encode() + b" ping")
    print(s.recv(100).decode(), s.version())`,
      [String(port), makeCerts().ca, TOKEN],
    );
    await peer.port;
    let answered = false;
    for (let i = 0; i < 5 && !answered; i++) { // a stranger on the shared host is closed and skipped
      const [conn, address] = server.accept();
      try {
        assert.ok(conn instanceof ssl.SSLSocket && conn.serverSide);
        conn.setTimeout(10);
        conn.doHandshake();
        const got = text(conn.recv(100));
        if (got !== `${TOKEN} ping`) continue;
        assert.equal((address as [string, number])[0], "127.0.0.1");
        conn.sendall(bytes("pong"));
        answered = true;
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
      } finally {
        conn.close();
      }
    }
    assert.ok(answered);
    await peer.done;
    assert.equal((await peer.output).trim(), "pong TLSv1.3");
  },
);

test(
  "ssl: sendfile() sends a file's range through TLS to a Python server, byte for byte, and leaves the offset after it",
  { skip: skip || unixOnly(PYTHON_PEER) },
  async () => {
    const dir = scratchDir("tls-sendfile-");
    const path = join(dir, "data.bin");
    const data = pattern(300_000);
    writeFileSync(path, data);
    const peer = pythonPeer(
      `import hashlib, socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
ls = socket.create_server(("127.0.0.1", 0)); print(ls.getsockname()[1], flush=True)
while True:
    c, _ = ls.accept()
    try:
        s = ctx.wrap_socket(c, server_side=True)
        if s.recv(len(sys.argv[3])) != sys.argv[3].encode(): continue  # a stranger
        got = b""
        while chunk := s.recv(65536): got += chunk
        s.unwrap()  # answers the client's close_notify
        print(len(got), hashlib.sha256(got).hexdigest()); break
    except (OSError, ValueError): continue`,
      [makeCerts().cert, makeCerts().key, TOKEN],
    );
    using ctx = clientContext();
    using tls = ctx.wrapSocket(socket.createConnection(["127.0.0.1", await peer.port], 10), {
      serverHostname: "localhost",
    });
    tls.sendall(bytes(TOKEN));
    const fd = os.open(path, os.O_RDONLY);
    try {
      assert.equal(tls.sendfile(fd, 1000, 250_000), 250_000);
      assert.equal(os.lseek(fd, 0, os.SEEK_CUR), 251_000, "the offset after the bytes sent, as Python's");
      assert.equal(tls.sendfile(fd, 290_000), 10_000, "to the end of the file");
    } finally {
      os.close(fd);
    }
    tls.setBlocking(false);
    assert.throws(() => tls.sendfile(0), /non-blocking/);
    tls.setBlocking(true);
    tls.unwrap().close();
    await peer.done;
    const expected = Buffer.concat([data.subarray(1000, 251_000), data.subarray(290_000)]);
    assert.equal((await peer.output).trim(), `260000 ${createHash("sha256").update(expected).digest("hex")}`);
  },
);

/** Python TLS clients of an echo server: each verifies it, echoes SIZES in 256 KiB pieces, closes with close_notify. */
const ECHO_CLIENT = `import socket, ssl, sys, hashlib
port, ca, size = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30), server_hostname="localhost")
data = hashlib.sha256(str(size).encode()).digest() * (size // 32)
got = bytearray()
for at in range(0, len(data), 262144):
    piece = data[at:at + 262144]; s.sendall(piece)
    while len(got) < at + len(piece):
        d = s.recv(65536)
        if not d: sys.exit("early end of stream")
        got += d
print(s.version(), len(got), got == data, flush=True)
s.unwrap(); s.close()`;

for (const mode of ["", " --sync"]) {
  test(
    `examples/echo_server.ts --tls${mode}: Python's ssl clients verify it and get every byte back; a plain-TCP client is dropped and the server goes on`,
    { skip: skip || unixOnly(PYTHON_PEER) },
    async () => {
      const c = makeCerts();
      const script = new URL("../examples/echo_server.ts", import.meta.url).pathname;
      const server = await startExample(script, [
        "--port",
        "0",
        "--tls",
        c.cert,
        c.key,
        ...mode.split(" ").filter(Boolean),
      ]);
      try {
        assert.match(server.output(), /listening on 127\.0\.0\.1:\d+ \(\w+, TLS\)/);
        // A client that does not speak TLS: the handshake fails, the server drops it and serves the rest.
        const plain = socket.createConnection(["127.0.0.1", server.port], 10);
        plain.sendall(bytes("GET / HTTP/1.0\r\n\r\n"));
        const answer = plain.recv(100); // an alert, or nothing: the server closed it
        assert.ok(answer.length === 0 || answer[0] === 21, "a TLS alert record or the end of the stream");
        plain.close();
        const sizes = [64, 1 << 20, 3 << 20];
        const results = await Promise.all(
          sizes.map((size) =>
            python(ECHO_CLIENT, [String(server.port), c.ca, String(size)], { timeoutMs: 60_000 })
          ),
        );
        for (const [i, r] of results.entries()) {
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.stdout.trim(), `TLSv1.3 ${sizes[i]! - (sizes[i]! % 32)} True`);
        }
      } finally {
        await server.stop();
      }
    },
  );
}

test(
  "ssl: 200 TLS connections handshake and echo at once on one selector, every socket non-blocking (both ends ours)",
  { skip },
  () => {
    using cctx = clientContext();
    using sctx = serverContext();
    using server = socket.createServer(["127.0.0.1", 0], { backlog: 256 });
    server.setBlocking(false);
    const address = server.getsockname() as socket.IPv4Address;
    type Side = {
      tls: ssl.SSLSocket | null;
      raw: socket.Socket;
      server: boolean;
      done: boolean;
      got: string;
    };
    using sel = new DefaultSelector<Side, socket.Socket>();
    const N = 200;
    const sides: Side[] = [];
    for (let i = 0; i < N; i++) {
      const raw = new socket.Socket();
      raw.setBlocking(false);
      raw.connectEx(address);
      const side: Side = { tls: null, raw, server: false, done: false, got: "" };
      sides.push(side);
      sel.register(raw, EVENT_WRITE, side);
    }
    sel.register(server, EVENT_READ, { tls: null, raw: server, server: true, done: true, got: "" });
    const drive = (side: Side): void => {
      const tls = side.tls!;
      try {
        tls.doHandshake();
        if (!side.server && side.got === "") {
          tls.send(bytes("ping\n"));
          side.got = "sent";
        }
        for (;;) {
          const data = tls.recv(100);
          if (data.length === 0) break;
          if (side.server) tls.send(data); // echo
          else {
            side.got = text(data);
            side.done = true;
            sel.unregister(side.raw);
            return;
          }
        }
      } catch (e) {
        if (e instanceof ssl.SSLWantReadError) return void sel.modify(side.raw, EVENT_READ, side);
        if (e instanceof ssl.SSLWantWriteError) return void sel.modify(side.raw, EVENT_WRITE, side);
        throw e;
      }
    };
    const deadline = performance.now() + 60_000;
    while (sides.some((s) => !s.server && !s.done)) {
      assert.ok(performance.now() < deadline, "all done within a minute");
      for (const [key] of sel.select(1)) {
        const side = key.data;
        if (side.raw === server) {
          for (;;) {
            let conn: socket.Socket;
            try {
              [conn] = server.accept();
            } catch (e) {
              if (e instanceof BlockingIOError) break;
              throw e;
            }
            conn.setBlocking(false);
            const s: Side = { tls: null, raw: conn, server: true, done: false, got: "" };
            s.tls = sctx.wrapSocket(conn, { serverSide: true, doHandshakeOnConnect: false });
            sides.push(s);
            sel.register(conn, EVENT_READ, s);
            drive(s);
          }
          continue;
        }
        side.tls ??= cctx.wrapSocket(side.raw, { serverHostname: "localhost", doHandshakeOnConnect: false });
        drive(side);
      }
    }
    const clients = sides.filter((s) => !s.server);
    assert.equal(clients.filter((s) => s.got === "ping\n").length, N, "every client got its echo");
    for (const s of sides) s.tls?.close();
  },
);

test(
  "ssl: 16 MiB each way through a peer that reads only once a send has waited: SSLWantWriteError holds the bytes, nothing lost (sha256 both ways)",
  {
    skip: skip || unixOnly(PYTHON_PEER),
  },
  async () => {
    const c = makeCerts();
    const size = 16 << 20;
    // Python's TLS echo: reads nothing until the client connects again to say a send has found the
    // buffers full, then echoes everything and reports.
    const py = pythonPeer(
      `import socket, ssl, sys, hashlib
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv = socket.create_server(("127.0.0.1", 0)); print(srv.getsockname()[1], flush=True)
raw, _ = srv.accept(); s = ctx.wrap_socket(raw, server_side=True)
go, _ = srv.accept(); go.close()
h = hashlib.sha256(); total = 0; n = int(sys.argv[3])
while total < n:
    d = s.recv(65536)
    if not d: break
    h.update(d); total += len(d); s.sendall(d)
print(total, h.hexdigest(), flush=True)
s.unwrap()`,
      [c.cert, c.key, String(size)],
    );
    const port = await py.port;
    using ctx = clientContext();
    const raw = socket.createConnection(["127.0.0.1", port], 10);
    const tls = ctx.wrapSocket(raw, { serverHostname: "localhost" });
    raw.setBlocking(false);
    using sel = new DefaultSelector();
    sel.register(raw, EVENT_READ | EVENT_WRITE);
    const data = pattern(size, 11);
    let sent = 0, received = 0, wantWrite = 0;
    const echoed = createHash("sha256");
    const deadline = performance.now() + 120_000;
    while (received < size) {
      assert.ok(performance.now() < deadline, `done within two minutes (${sent} sent, ${received} back)`);
      sel.select(1);
      while (sent < size) {
        try {
          sent += tls.send(data.subarray(sent, Math.min(sent + 65536, size)));
        } catch (e) {
          if (!(e instanceof ssl.SSLWantWriteError)) throw e;
          if (wantWrite++ === 0) socket.createConnection(["127.0.0.1", port], 10).close(); // the peer may read now
          break;
        }
      }
      for (;;) {
        let chunk: Uint8Array;
        try {
          chunk = tls.recv(65536);
        } catch (e) {
          if (e instanceof ssl.SSLWantReadError || e instanceof ssl.SSLWantWriteError) break;
          throw e;
        }
        if (chunk.length === 0) break;
        echoed.update(chunk);
        received += chunk.length;
      }
      if (sent === size) sel.modify(raw, EVENT_READ);
    }
    assert.ok(wantWrite > 0, "the peer that did not read made a send wait");
    const want = createHash("sha256").update(data).digest("hex");
    assert.equal(echoed.digest("hex"), want, "every byte came back, in order");
    raw.setBlocking(true);
    raw.setTimeout(30);
    const line = text(tls.recv(200)).trim();
    assert.equal(line, "", "the peer's close_notify: the end of the stream");
    tls.close();
    await py.done.catch(() => {});
  },
);

test(
  "ssl: pending() counts a second record that one receive took off the fd with the first: the loop reads it with no readiness",
  { skip: skip || unixOnly(PYTHON_PEER) },
  async () => {
    const c = makeCerts();
    // Python's server writes two records and sends them in one segment (its SSLObject over memory BIOs).
    const py = pythonPeer(
      `import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv = socket.create_server(("127.0.0.1", 0)); print(srv.getsockname()[1], flush=True)
raw, _ = srv.accept()
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = ctx.wrap_bio(inc, out, server_side=True)
while True:
    try:
        tls.do_handshake(); break
    except ssl.SSLWantReadError:
        raw.sendall(out.read()); d = raw.recv(65536)
        if not d: sys.exit(1)
        inc.write(d)
raw.sendall(out.read())
tls.write(b"first"); tls.write(b"second")
raw.sendall(out.read())
raw.recv(1)`,
      [c.cert, c.key],
    );
    const port = await py.port;
    using ctx = clientContext();
    using tls = ctx.wrapSocket(socket.createConnection(["127.0.0.1", port], 10), {
      serverHostname: "localhost",
    });
    assert.equal(text(tls.recv()), "first");
    using sel = new DefaultSelector();
    sel.register(tls, EVENT_READ);
    assert.equal(sel.select(0).length, 0, "the fd has nothing more: a loop that waits for it would stall");
    assert.equal(tls.pending(), 6, "the second record, decrypted and waiting");
    assert.equal(text(tls.recv()), "second");
    assert.equal(tls.pending(), 0);
    tls.sendall(bytes("x"));
    assert.equal(await py.done, 0);
  },
);

test(
  "ssl: a non-blocking send() returns only once the socket has all its bytes; on a full socket it throws SSLWantWriteError and the call again with the same bytes finishes it",
  { skip },
  () => {
    const [a, b] = socket.socketpair();
    a.setBlocking(false);
    b.setBlocking(false);
    using cctx = clientContext();
    using sctx = serverContext();
    using client = cctx.wrapSocket(a, { serverHostname: "localhost", doHandshakeOnConnect: false });
    using server = sctx.wrapSocket(b, { serverSide: true, doHandshakeOnConnect: false });
    assert.equal(handshakeBoth(client, server), 2);
    const chunk = 1 << 20; // far more than a socket pair's buffers hold
    const data = pattern(4 * chunk, 5);
    let sent = 0, received = 0, waits = 0;
    const into = new Uint8Array(65536);
    /** Reads all the server can have now, checking each byte against its offset. */
    const drain = (): void => {
      for (;;) {
        let n: number;
        try {
          n = server.recvInto(into);
        } catch (e) {
          if (e instanceof ssl.SSLWantReadError) return;
          throw e;
        }
        assert.ok(n > 0, "no end of stream");
        for (let i = 0; i < n; i++) {
          if (into[i] !== data[received + i]) assert.fail(`byte ${received + i} differs`);
        }
        received += n;
      }
    };
    while (sent < data.length) {
      const piece = data.subarray(sent, sent + chunk);
      let n: number;
      for (;;) {
        try {
          n = client.send(piece);
          break;
        } catch (e) {
          if (!(e instanceof ssl.SSLWantWriteError)) throw e;
          if (waits++ === 0) {
            // The call again must pass at least the bytes the first call took, as OpenSSL's rule says.
            assert.throws(
              () => client.send(piece.subarray(0, 10)),
              (e: ssl.SSLError) => e.reason === "BAD_LENGTH",
            );
          }
          drain(); // the reader makes room
        }
      }
      assert.equal(n, piece.length);
      sent += n;
      drain();
      assert.equal(
        received,
        sent,
        "once send() returned, the peer can read every byte with no other call here",
      );
    }
    assert.ok(waits >= 4, `each 1 MiB send waited (${waits} waits)`);
  },
);

test(
  "ssl: derCertToPemCert and pemCertToDerCert give Python's text and bytes, and its errors",
  { skip },
  async () => {
    const c = makeCerts();
    const der = ssl.pemCertToDerCert(readFileSync(c.cert, "utf8"));
    const py = await pythonJson(
      `import base64, json, ssl, sys
der = ssl.PEM_cert_to_DER_cert(open(sys.argv[1]).read())
errors = []
for bad in ("junk", ssl.PEM_HEADER + "\\nAAAA\\n", ssl.PEM_HEADER + "\\nAAA\\n" + ssl.PEM_FOOTER):
    try:
        ssl.PEM_cert_to_DER_cert(bad)
        errors.append(None)
    except ValueError as e:
        errors.append(str(e))
print(json.dumps({"der": base64.b64encode(der).decode(), "pem": ssl.DER_cert_to_PEM_cert(der), "errors": errors}))`,
      [c.cert],
    ) as { der: string; pem: string; errors: string[] };
    assert.equal(Buffer.from(der).toString("base64"), py.der);
    assert.equal(ssl.derCertToPemCert(der), py.pem);
    assert.deepEqual(ssl.pemCertToDerCert(ssl.derCertToPemCert(der)).length, der.length);
    const ours = ["junk", ssl.PEM_HEADER + "\nAAAA\n", ssl.PEM_HEADER + "\nAAA\n" + ssl.PEM_FOOTER].map(
      (bad) => {
        try {
          ssl.pemCertToDerCert(bad);
          return null;
        } catch (e) {
          assert.ok(e instanceof RangeError, "Python's ValueError");
          return e.message;
        }
      },
    );
    assert.deepEqual(ours, py.errors);
  },
);

test("ssl: certTimeToSeconds reads a certificate's time as Python's cert_time_to_seconds does, errors too", {
  skip: unixOnly(PYTHON_PEER),
}, async () => {
  const times = [
    "May  9 00:00:00 2007 GMT",
    "jan 5 09:34:43 2018 gmt",
    "Jan 05 9:3:4 2018 GMT",
    "Feb 31 00:00:00 2020 GMT",
    "Dec 31 23:59:60 2016 GMT",
    "Foo 5 09:34:43 2018 GMT",
    "Jan 5 09:34:43 2018 UTC",
    "Jan 5 09:34:43 2018 GMT x",
    "Jan5 09:34:43 2018 GMT",
    "Jan  5 09:34:43 18 GMT",
    "Jan 32 00:00:00 2018 GMT",
    "Jan  5 09:34:43 0001 GMT", // not 1901: years below 100 are years
    "Jan  5 09:34:43 0099 GMT",
    "Jan  5 09:34:43 0000 GMT",
    "Dec 31 23:59:59 9999 GMT",
    "",
  ];
  const py = await pythonJson(
    `import json, ssl, sys
out = []
for t in json.loads(sys.argv[1]):
    try:
        out.append(ssl.cert_time_to_seconds(t))
    except ValueError as e:
        out.append(str(e))
print(json.dumps(out))`,
    [JSON.stringify(times)],
  );
  const ours = times.map((t) => {
    try {
      return ssl.certTimeToSeconds(t);
    } catch (e) {
      assert.ok(e instanceof RangeError, "Python's ValueError");
      return e.message;
    }
  });
  assert.deepEqual(ours, py);
});

test(
  "ssl: getServerCertificate gives the certificate s_server presents, unverified; with caCerts it verifies the chain",
  { skip },
  async () => {
    const c = makeCerts();
    const { child, port } = await sServer(["-rev"]);
    // s_server reports each connection on stderr, which nothing else drains; each call here blocks this
    // thread, so before the next one, wait until it has reported the last (under Bun its pipe fills after
    // two reports and s_server stops answering).
    let log = "";
    let heard: () => void = () => {};
    child.stderr!.on("data", (d: Uint8Array) => {
      log += text(d);
      heard();
    });
    const reported = async (n: number): Promise<void> => {
      const timer = setTimeout(() => heard(), 10_000);
      try {
        while ((log.match(/CONNECTION (ESTABLISHED|FAILURE)/g) ?? []).length < n) {
          const before = log.length;
          await new Promise<void>((resolve) => heard = resolve);
          if (log.length === before) {
            throw new Error(`s_server did not report connection ${n}: ${log.slice(-300)}`);
          }
        }
      } finally {
        clearTimeout(timer);
      }
    };
    try {
      const pem = ssl.getServerCertificate(["127.0.0.1", port], { timeout: 10 });
      assert.ok(pem.startsWith(ssl.PEM_HEADER) && pem.endsWith(ssl.PEM_FOOTER + "\n"));
      const got = ssl.pemCertToDerCert(pem), want = ssl.pemCertToDerCert(readFileSync(c.cert, "utf8"));
      assert.equal(got.length, want.length);
      assert.equal(Buffer.compare(got, want), 0, "the same certificate");
      await reported(1);
      assert.equal(ssl.getServerCertificate(["127.0.0.1", port], { caCerts: c.ca, timeout: 10 }), pem);
      await reported(2);
      assert.throws(
        () => ssl.getServerCertificate(["127.0.0.1", port], { caCerts: c.otherCa, timeout: 10 }),
        ssl.SSLCertVerificationError,
      );
    } finally {
      child.kill();
    }
  },
);

test(
  "ssl: connections closed inside one synchronous loop are not kept until it ends (no WeakRef per connection)",
  { skip },
  async () => {
    // 20 000 connections (server ones with sniCallback and ALPN set, client
    // ones through a first handshake step), made and closed with no await, as
    // a select() loop serves them. A WeakRef per connection kept ~420 bytes of
    // each under Deno for as long as the loop ran (8.5 MiB here).
    const out = await runFixture("ssl_sync_loop.ts", ["10000"]) as { before: number; after: number };
    const growth = out.after - out.before;
    assert.ok(
      growth < 2 << 20,
      `heap grew ${(growth / 1048576).toFixed(1)} MiB over 20 000 closed connections`,
    );
  },
);

test(
  "ssl: contexts, connections and their sockets dropped without close() are freed by the collector: fds back, memory flat",
  {
    skip: skip || (process.platform !== "linux" ? "reads /proc/self/status" : false),
  },
  async () => {
    const c = makeCerts();
    const out = await runFixture("ssl_gc.ts", [c.cert, c.key, c.ca, "6", "100"], {
      timeoutMs: 180_000,
    }) as unknown as {
      fds: number;
      rss: number;
      tracked: number;
    }[];
    const last = out[out.length - 1]!;
    assert.ok(last.fds <= 2, `fds left after 600 dropped connections: ${last.fds}`);
    // The callbacks find a connection only during its own OpenSSL calls: none is held after them.
    assert.equal(last.tracked, 0, `connections still findable by OpenSSL's callbacks: ${last.tracked}`);
    const growth = last.rss - out[1]!.rss;
    assert.ok(
      growth < 24 << 20,
      `resident set grew ${
        growth >> 20
      } MiB over 400 more dropped connections (leaking would be ~100 KiB each)`,
    );
  },
);

/** A client (resuming `session`, if given) and a server SSLObject of the two contexts over memory BIOs, and the pump between them. */
function bioPair(
  cctx: ssl.SSLContext,
  sctx: ssl.SSLContext,
  serverHostname = "localhost",
  session: ssl.SSLSession | null = null,
): { client: ssl.SSLObject; server: ssl.SSLObject; pump: () => void } {
  const [ci, co, si, so] = [
    new ssl.MemoryBIO(),
    new ssl.MemoryBIO(),
    new ssl.MemoryBIO(),
    new ssl.MemoryBIO(),
  ];
  const client = cctx.wrapBio(ci, co, { serverHostname, session });
  const server = sctx.wrapBio(si, so, { serverSide: true });
  const pump = (): void => {
    if (co.pending) si.write(co.read());
    if (so.pending) ci.write(so.read());
  };
  return { client, server, pump };
}

/**
 * A handshake between a client of `cctx` and a server of `sctx` over memory
 * BIOs, both ends closed after: the client's cipher when both finished, or the
 * SSLError it ended with.
 */
function handshakeResult(
  cctx: ssl.SSLContext,
  sctx: ssl.SSLContext,
  serverHostname = "localhost",
): ssl.CipherTuple | ssl.SSLError {
  const { client, server, pump } = bioPair(cctx, sctx, serverHostname);
  try {
    assert.equal(handshakeBoth(client, server, pump, 10), 2, "both ends finished");
    return client.cipher()!;
  } catch (e) {
    if (e instanceof ssl.SSLError) return e;
    throw e;
  } finally {
    client.close();
    server.close();
  }
}

test(
  "ssl: a new context has Python's defaults: options, the cipher suites getCiphers() describes (every field), verifyFlags, securityLevel, numTickets",
  { skip: skip ?? unixOnly(PYTHON_PEER) },
  async () => {
    const theirs = await pythonJson(
      `import ssl, json
out = {}
for name, p in (("client", ssl.PROTOCOL_TLS_CLIENT), ("server", ssl.PROTOCOL_TLS_SERVER)):
    c = ssl.SSLContext(p)
    out[name] = {"options": int(c.options), "ciphers": c.get_ciphers(), "verifyFlags": int(c.verify_flags),
                 "securityLevel": c.security_level, "numTickets": c.num_tickets}
print(json.dumps(out))`,
      [],
    ) as Record<string, { ciphers: Record<string, unknown>[] }>;
    for (
      const [name, protocol] of [["client", ssl.PROTOCOL_TLS_CLIENT], [
        "server",
        ssl.PROTOCOL_TLS_SERVER,
      ]] as const
    ) {
      using ctx = new ssl.SSLContext(protocol);
      const python = theirs[name]!;
      // Python's dictionary keys, in camelCase here.
      const ciphers = python.ciphers.map(({ strength_bits, alg_bits, ...rest }) => ({
        ...rest,
        strengthBits: strength_bits,
        algBits: alg_bits,
      }));
      assert.deepEqual(
        {
          options: ctx.options,
          ciphers: ctx.getCiphers(),
          verifyFlags: ctx.verifyFlags,
          securityLevel: ctx.securityLevel,
          numTickets: ctx.numTickets,
        },
        { ...python, ciphers },
        name,
      );
    }
    using ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    assert.ok(ctx.getCiphers().every((c) => c.digest !== "sha1"), "no SHA-1 MAC, as Python's list");
  },
);

test(
  "ssl: options |= and &= ~ work with OP_ALL's bit 31 set (a negative number in JavaScript); a bad value is refused",
  {
    skip,
  },
  () => {
    using ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    assert.equal(ctx.options & ssl.OP_ALL, ssl.OP_ALL & ctx.options, "OP_ALL is set");
    assert.ok(ctx.options > 0x80000000, "read back unsigned");
    const before = ctx.options;
    ctx.options |= ssl.OP_NO_TICKET; // negative: bit 31 is set
    assert.equal(ctx.options, before + ssl.OP_NO_TICKET);
    ctx.options &= ~ssl.OP_NO_TICKET;
    assert.equal(ctx.options, before);
    assert.throws(() => (ctx.options = "1" as unknown as number), TypeError);
    assert.throws(() => (ctx.options = 1.5), RangeError);
    assert.throws(() => (ctx.options = 2 ** 40), RangeError);
    assert.equal(ctx.options, before, "unchanged by the refusals");
  },
);

test(
  "ssl: certStoreStats() and getCaCerts() count and describe the CAs of cafile and cadata as Python's do (DER too)",
  { skip: skip ?? unixOnly(PYTHON_PEER) },
  async () => {
    const { ca, otherCa } = makeCerts();
    using ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    assert.deepEqual(ctx.certStoreStats(), { x509: 0, crl: 0, x509Ca: 0 });
    assert.deepEqual(ctx.getCaCerts(), []);
    ctx.loadVerifyLocations(ca, null, readFileSync(otherCa, "utf8"));
    const theirs = await pythonJson(
      `import ssl, json, sys
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
c.load_verify_locations(sys.argv[1], None, open(sys.argv[2]).read())
s = c.cert_store_stats()
print(json.dumps({"stats": {"x509": s["x509"], "crl": s["crl"], "x509Ca": s["x509_ca"]},
                  "certs": c.get_ca_certs(), "der": [d.hex() for d in c.get_ca_certs(True)]}))`,
      [ca, otherCa],
    );
    assert.deepEqual({
      stats: ctx.certStoreStats(),
      certs: ctx.getCaCerts(),
      der: ctx.getCaCerts(true).map((d) => Buffer.from(d).toString("hex")),
    }, theirs);
    assert.equal(ctx.certStoreStats().x509Ca, 2);
    assert.throws(() => ctx.getCaCerts(1 as unknown as true), TypeError);
  },
);

test(
  "ssl: verifyFlags: VERIFY_CRL_CHECK_LEAF with no CRL loaded refuses the server's certificate; cleared, the handshake goes through",
  {
    skip,
  },
  () => {
    using sctx = serverContext();
    using cctx = clientContext();
    assert.equal(cctx.verifyFlags, ssl.VERIFY_X509_TRUSTED_FIRST, "a new context's, as Python's");
    cctx.verifyFlags |= ssl.VERIFY_CRL_CHECK_LEAF;
    assert.equal(cctx.verifyFlags, ssl.VERIFY_X509_TRUSTED_FIRST | ssl.VERIFY_CRL_CHECK_LEAF);
    const refused = handshakeResult(cctx, sctx);
    assert.ok(
      refused instanceof ssl.SSLCertVerificationError && refused.verifyCode === 3 &&
        refused.verifyMessage === "unable to get certificate CRL",
      String(refused),
    );
    cctx.verifyFlags &= ~ssl.VERIFY_CRL_CHECK_LEAF;
    assert.equal(cctx.verifyFlags, ssl.VERIFY_X509_TRUSTED_FIRST);
    const through = handshakeResult(cctx, sctx);
    assert.ok(!(through instanceof ssl.SSLError), String(through));
    assert.throws(() => (cctx.verifyFlags = -1), RangeError);
    assert.throws(() => (cctx.verifyFlags = null as unknown as number), TypeError);
  },
);

test(
  "ssl: numTickets: a server of 0 sends no TLS 1.3 session ticket (the client's session has none), of 2 it does; clients cannot set it",
  {
    skip,
  },
  () => {
    using cctx = clientContext();
    for (const tickets of [0, 2]) {
      using sctx = serverContext();
      sctx.numTickets = tickets;
      assert.equal(sctx.numTickets, tickets);
      const { client, server, pump } = bioPair(cctx, sctx);
      assert.equal(handshakeBoth(client, server, pump, 10), 2);
      server.write(bytes("x")); // after the tickets, if any
      pump();
      assert.equal(text(client.read(10)), "x");
      assert.equal(client.session?.hasTicket ?? false, tickets > 0, `numTickets ${tickets}`);
      client.close();
      server.close();
    }
    assert.throws(() => (cctx.numTickets = 1), {
      name: "RangeError",
      message: "SSLContext is not a server context.",
    });
    using sctx = serverContext();
    assert.throws(() => (sctx.numTickets = -1), RangeError);
  },
);

test(
  "ssl: sharedCiphers(): the server lists the suites both ends offer, in its own order; null on the client and before the hello",
  {
    skip,
  },
  () => {
    using sctx = serverContext();
    using cctx = clientContext();
    cctx.maximumVersion = ssl.TLSVersion.TLSv1_2; // no TLS 1.3 suites offered
    cctx.setCiphers("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-SHA256");
    const { client, server, pump } = bioPair(cctx, sctx);
    assert.equal(server.sharedCiphers(), null, "before the client's hello");
    assert.equal(handshakeBoth(client, server, pump, 10), 2);
    assert.deepEqual(server.sharedCiphers(), [
      ["ECDHE-RSA-AES256-GCM-SHA384", "TLSv1.2", 256],
      ["ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2", 128],
      ["DHE-RSA-AES128-SHA256", "TLSv1.2", 128],
    ]);
    assert.deepEqual(server.cipher(), ["ECDHE-RSA-AES256-GCM-SHA384", "TLSv1.2", 256], "the server's choice");
    assert.equal(client.sharedCiphers(), null, "a client has none");
    client.close();
    server.close();
  },
);

test(
  "ssl: a partial wildcard (f*.part.example) in the server's certificate matches no name, as in Python; a full one (*.wild.example) does",
  {
    skip,
  },
  () => {
    const { dir } = makeCerts();
    makeSigned(dir, "partial", "partial.example", "DNS:f*.part.example,DNS:*.wild.example");
    using sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    sctx.loadCertChain(join(dir, "partial.pem"), join(dir, "partial.key"));
    using cctx = clientContext();
    const partial = handshakeResult(cctx, sctx, "foo.part.example");
    assert.ok(partial instanceof ssl.SSLCertVerificationError && partial.verifyCode === 62, String(partial));
    const full = handshakeResult(cctx, sctx, "a.wild.example");
    assert.ok(!(full instanceof ssl.SSLError), String(full));
  },
);

test(
  "ssl: sessionStats() counts a client's and a server's handshakes and a resumption as Python's session_stats() does",
  {
    skip: skip ?? unixOnly(PYTHON_PEER),
  },
  async () => {
    const { cert, key, ca } = makeCerts();
    const theirs = await pythonJson(
      `import ssl, json, sys
s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); s.load_cert_chain(sys.argv[1], sys.argv[2])
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.load_verify_locations(sys.argv[3])
def connect(session=None):
    ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    cl = c.wrap_bio(ci, co, server_hostname="localhost", session=session); sv = s.wrap_bio(si, so, server_side=True)
    for _ in range(10):
        for x in (cl, sv):
            try: x.do_handshake()
            except ssl.SSLWantReadError: pass
        if co.pending: si.write(co.read())
        if so.pending: ci.write(so.read())
    sv.write(b"x")
    ci.write(so.read())
    cl.read(10)
    return cl.session
connect(connect())
camel = lambda d: {k.split("_")[0] + "".join(w.title() for w in k.split("_")[1:]): v for k, v in d.items()}
print(json.dumps({"server": camel(s.session_stats()), "client": camel(c.session_stats())}))`,
      [cert, key, ca],
    );
    using sctx = serverContext();
    using cctx = clientContext();
    const connect = (session?: ssl.SSLSession): ssl.SSLSession | null => {
      const pair = bioPair(cctx, sctx, "localhost", session);
      using client = pair.client;
      using server = pair.server;
      const pump = pair.pump;
      assert.equal(handshakeBoth(client, server, pump, 10), 2);
      server.write(bytes("x"));
      pump();
      assert.equal(text(client.read(10)), "x");
      return client.session;
    };
    assert.deepEqual(
      sctx.sessionStats(),
      Object.fromEntries(Object.keys(sctx.sessionStats()).map((k) => [k, 0])),
    );
    connect(connect()!);
    assert.deepEqual({ server: sctx.sessionStats(), client: cctx.sessionStats() }, theirs);
    assert.equal(sctx.sessionStats().hits, 1, "the second handshake resumed");
  },
);

test(
  "ssl: keylogFilename: a client's key log holds the very secrets openssl s_server logs for the connection (TLS 1.3 and 1.2), in a new 0600 file with a comment line",
  { skip },
  async () => {
    const dir = scratchDir("keylog-");
    for (const version of ["-tls1_3", "-tls1_2"]) {
      const theirs = join(dir, `s_server${version}.log`), ours = join(dir, `ours${version}.log`);
      const { child, port } = await sServer(["-rev", version, "-keylogfile", theirs]);
      try {
        using ctx = clientContext();
        ctx.keylogFilename = ours;
        assert.equal(ctx.keylogFilename, ours);
        using tls = ctx.wrapSocket(socket.createConnection(["127.0.0.1", port], 10), {
          serverHostname: "localhost",
        });
        tls.sendall(bytes("hello\n"));
        assert.equal(text(tls.recv()), "olleh\n");
      } finally {
        child.kill();
      }
      const secrets = (path: string): string[] =>
        readFileSync(path, "utf8").split("\n").filter((l) => l !== "" && !l.startsWith("#")).sort();
      const logged = secrets(ours);
      assert.ok(logged.length >= (version === "-tls1_3" ? 5 : 1), `${version}: ${logged.length} lines`);
      assert.deepEqual(logged, secrets(theirs), version);
      assert.match(readFileSync(ours, "utf8"), /^# TLS secrets log file/);
      assert.equal(statSync(ours).mode & 0o777, 0o600, "the secrets are the owner's alone");
    }
  },
);

test(
  "ssl: keylogFilename: null stops the log; a path that cannot be opened raises Python's OSError naming it; createDefaultContext() takes SSLKEYLOGFILE",
  {
    skip,
  },
  () => {
    const dir = scratchDir("keylog-");
    using sctx = serverContext();
    using cctx = clientContext();
    const path = join(dir, "keys.log");
    cctx.keylogFilename = path;
    cctx.keylogFilename = null;
    assert.equal(cctx.keylogFilename, null);
    const { client, server, pump } = bioPair(cctx, sctx);
    assert.equal(handshakeBoth(client, server, pump, 10), 2);
    client.close();
    server.close();
    assert.equal(readFileSync(path, "utf8").split("\n").filter((l) => l && !l.startsWith("#")).length, 0);
    assert.throws(
      () => (cctx.keylogFilename = dir),
      (e: unknown) => e instanceof IsADirectoryError && e.errno === 21 && e.message.endsWith(`: '${dir}'`),
    );
    assert.equal(cctx.keylogFilename, null, "unchanged");
    assert.throws(() => (cctx.keylogFilename = 1 as unknown as string), TypeError);
    const before = process.env.SSLKEYLOGFILE;
    process.env.SSLKEYLOGFILE = join(dir, "env.log");
    try {
      using ctx = ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: makeCerts().ca });
      assert.equal(ctx.keylogFilename, join(dir, "env.log"));
    } finally {
      if (before === undefined) delete process.env.SSLKEYLOGFILE;
      else process.env.SSLKEYLOGFILE = before;
    }
  },
);

test(
  "ssl: getChannelBinding('tls-unique') is the same bytes at our client and at Python's server (TLS 1.2 and 1.3); null before the handshake",
  {
    skip: skip || unixOnly(PYTHON_PEER),
  },
  async () => {
    const c = makeCerts();
    for (const version of ["TLSv1_2", "TLSv1_3"]) {
      // Python's server: for a client that sends the token, answers with its own view of the binding.
      const py = pythonPeer(
        `import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
ctx.maximum_version = getattr(ssl.TLSVersion, sys.argv[4])
srv = socket.create_server(("127.0.0.1", 0)); print(srv.getsockname()[1], flush=True)
while True:
    raw, _ = srv.accept()
    try:
        s = ctx.wrap_socket(raw, server_side=True)
        if s.recv(100).decode().strip() != sys.argv[3]: s.close(); continue
    except (ssl.SSLError, OSError): continue
    s.sendall((s.get_channel_binding("tls-unique").hex() + "\\n").encode())
    s.close()
    break`,
        [c.cert, c.key, TOKEN, version],
      );
      using ctx = clientContext();
      const raw = socket.createConnection(["127.0.0.1", await py.port], 10);
      using tls = ctx.wrapSocket(raw, { serverHostname: "localhost", doHandshakeOnConnect: false });
      assert.equal(tls.getChannelBinding(), null, "before the handshake");
      tls.doHandshake();
      tls.sendall(bytes(`${TOKEN}\n`));
      let answer = "";
      while (!answer.endsWith("\n")) answer += text(tls.recv(200));
      const ours = tls.getChannelBinding("tls-unique")!;
      assert.equal(Buffer.from(ours).toString("hex"), answer.trim(), version);
      assert.ok(
        version === "TLSv1_2" ? ours.length === 12 : [32, 48].includes(ours.length),
        "a Finished message's length",
      );
      assert.equal(await py.done, 0);
      assert.throws(() => tls.getChannelBinding("tls-server-end-point"), RangeError);
    }
    assert.deepEqual(ssl.CHANNEL_BINDING_TYPES, ["tls-unique"]);
  },
);

test(
  "ssl: setEcdhCurve(): ends that share the curve connect, ends limited to different curves cannot; an unknown name is Python's error",
  {
    skip,
  },
  () => {
    const attempt = (serverCurve: string, clientCurve: string): boolean => {
      using sctx = serverContext();
      using cctx = clientContext();
      sctx.setEcdhCurve(serverCurve);
      cctx.setEcdhCurve(clientCurve);
      return !(handshakeResult(cctx, sctx) instanceof ssl.SSLError);
    };
    assert.equal(attempt("prime256v1", "prime256v1"), true);
    assert.equal(attempt("X25519", "X25519"), true);
    assert.equal(attempt("prime256v1", "X25519"), false, "no group in common");
    using ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    assert.throws(() => ctx.setEcdhCurve("foo"), {
      name: "RangeError",
      message: "unknown elliptic curve name 'foo'",
    });
    assert.throws(() => ctx.setEcdhCurve(1 as unknown as string), TypeError);
  },
);

test(
  "ssl: hostnameChecksCommonName: a certificate with no DNS name matches by its common name by default, as in Python, and not once it is false",
  {
    skip,
  },
  () => {
    const { dir } = makeCerts();
    makeSigned(dir, "cnonly", "localhost", "email:ops@localhost"); // a subjectAltName with no DNS name
    using sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    sctx.loadCertChain(join(dir, "cnonly.pem"), join(dir, "cnonly.key"));
    using cctx = clientContext();
    assert.equal(cctx.hostnameChecksCommonName, true);
    const connects = (): boolean => {
      const result = handshakeResult(cctx, sctx);
      if (result instanceof ssl.SSLCertVerificationError && result.verifyCode === 62) return false;
      if (result instanceof ssl.SSLError) throw result;
      return true;
    };
    assert.equal(connects(), true, "by the common name");
    cctx.hostnameChecksCommonName = false;
    assert.equal(cctx.hostnameChecksCommonName, false);
    assert.equal(connects(), false, "the subjectAltName alone");
    cctx.hostnameChecksCommonName = true;
    assert.equal(connects(), true);
    assert.throws(() => (cctx.hostnameChecksCommonName = 0 as unknown as boolean), TypeError);
  },
);

test(
  "ssl: getDefaultVerifyPaths() names the CA file and directory Python's get_default_verify_paths() does",
  {
    skip: skip ?? unixOnly(PYTHON_PEER),
  },
  async () => {
    const theirs = await pythonJson(
      `import ssl, json
p = ssl.get_default_verify_paths()
print(json.dumps({"cafile": p.cafile, "capath": p.capath, "opensslCafileEnv": p.openssl_cafile_env,
  "opensslCafile": p.openssl_cafile, "opensslCapathEnv": p.openssl_capath_env, "opensslCapath": p.openssl_capath}))`,
      [],
    );
    assert.deepEqual(ssl.getDefaultVerifyPaths(), theirs);
  },
);

test(
  "ssl: an SSLSocket has the socket's side as Python's does: makefile() reads and writes lines through TLS, getpeername, family, timeout, shutdown",
  {
    skip,
  },
  async () => {
    const { child, port } = await sServer(["-rev"]);
    try {
      using ctx = clientContext();
      using tls = ctx.wrapSocket(socket.createConnection(["127.0.0.1", port], 10), {
        serverHostname: "localhost",
      });
      assert.deepEqual(tls.getpeername(), ["127.0.0.1", port]);
      assert.equal((tls.getsockname() as [string, number])[0], "127.0.0.1");
      assert.equal(tls.family, socket.AF_INET);
      assert.equal(tls.type, socket.SOCK_STREAM);
      assert.equal(tls.getTimeout(), 10);
      assert.equal(tls.getBlocking(), true);
      assert.equal(tls.compression(), null);
      {
        using w = tls.makefile("wb");
        using r = tls.makefile("rb");
        w.write(bytes("hello\n"));
        w.flush();
        assert.equal(text(r.readline()), "olleh\n");
      }
      using f = tls.makefile("rw", null, { encoding: "utf-8", newline: "" });
      f.write("a line, and more\n");
      f.flush();
      assert.equal(f.readline(), "erom dna ,enil a\n");
      tls.shutdown(socket.SHUT_RDWR);
      // TLS is gone after shutdown(): a read raises (Python's falls through to the bare, shut socket).
      assert.throws(() => tls.recv(10), RangeError);
    } finally {
      child.kill();
    }
  },
);

test(
  "ssl: RAND_bytes, RAND_status and RAND_add, as Python's: fresh bytes of the length asked, Python's errors",
  {
    skip,
  },
  () => {
    assert.equal(ssl.RAND_status(), true);
    const [a, b] = [ssl.RAND_bytes(32), ssl.RAND_bytes(32)];
    assert.equal(a.length, 32);
    assert.notDeepEqual(a, b, "two draws differ");
    assert.equal(ssl.RAND_bytes(0).length, 0);
    assert.throws(() => ssl.RAND_bytes(-1), { name: "RangeError", message: "num must be positive" });
    assert.throws(() => ssl.RAND_bytes(1.5), RangeError);
    assert.throws(() => ssl.RAND_bytes("8" as unknown as number), TypeError);
    ssl.RAND_add(new Uint8Array([1, 2, 3]), 1.0);
    ssl.RAND_add("text, as UTF-8", 0.5);
    assert.throws(() => ssl.RAND_add(new Uint8Array(1), "x" as unknown as number), TypeError);
  },
);

test(
  "ssl: loadDhParams() gives a server its DHE suites (without, a client offering only DHE cannot connect); a missing or wrong file raises Python's errors",
  {
    skip,
  },
  () => {
    const { dir, cert } = makeCerts();
    const dh = join(dir, "dh.pem");
    const made = spawnSync("openssl", [
      "genpkey",
      "-genparam",
      "-algorithm",
      "DH",
      "-pkeyopt",
      "group:ffdhe2048",
      "-out",
      dh,
    ]);
    assert.equal(made.status, 0, String(made.stderr));
    const attempt = (withParams: boolean): ssl.CipherTuple | null => {
      using sctx = serverContext();
      if (withParams) sctx.loadDhParams(dh);
      using cctx = clientContext();
      cctx.maximumVersion = ssl.TLSVersion.TLSv1_2;
      cctx.setCiphers("DHE-RSA-AES128-GCM-SHA256");
      const result = handshakeResult(cctx, sctx);
      return result instanceof ssl.SSLError ? null : result;
    };
    assert.deepEqual(attempt(true), ["DHE-RSA-AES128-GCM-SHA256", "TLSv1.2", 128]);
    assert.equal(attempt(false), null, "no DHE without parameters");
    using ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    assert.throws(
      () => ctx.loadDhParams(join(dir, "missing.pem")),
      (e: unknown) =>
        e instanceof FileNotFoundError &&
        e.message === `[Errno 2] No such file or directory: '${join(dir, "missing.pem")}'`,
    );
    assert.throws(
      () => ctx.loadDhParams(cert), // a certificate, not parameters
      (e: unknown) => e instanceof ssl.SSLError && e.library === "PEM" && e.reason === "NO_START_LINE",
    );
  },
);

test(
  "ssl: postHandshakeAuth: a server asks a TLS 1.3 client for its certificate after the handshake and verifies it; a client that did not offer it is refused as Python's is",
  {
    skip,
  },
  () => {
    using sctx = serverContext();
    sctx.verifyMode = ssl.CERT_REQUIRED;
    sctx.loadVerifyLocations(makeCerts().ca);
    sctx.postHandshakeAuth = true;
    using cctx = clientContext();
    cctx.loadCertChain(makeCerts().cert, makeCerts().key); // the client's certificate (CN=localhost)
    assert.equal(cctx.postHandshakeAuth, false, "off by default, as in Python");
    for (const offered of [true, false]) {
      cctx.postHandshakeAuth = offered;
      const { client, server, pump } = bioPair(cctx, sctx);
      assert.equal(handshakeBoth(client, server, pump, 10), 2);
      assert.equal(server.getpeercert(), null, "no certificate asked for in the handshake");
      if (!offered) {
        assert.throws(
          () => server.verifyClientPostHandshake(),
          (e: unknown) =>
            e instanceof ssl.SSLError && e.library === "SSL" && e.reason === "EXTENSION_NOT_RECEIVED",
        );
      } else {
        server.verifyClientPostHandshake();
        server.write(bytes("x")); // carries the request
        pump();
        assert.equal(text(client.read(10)), "x"); // answers it
        pump();
        assert.throws(() => server.read(10), ssl.SSLWantReadError); // reads the answer
        assert.deepEqual(server.getpeercert()?.subject, [[["commonName", "localhost"]]]);
      }
      client.close();
      server.close();
    }
  },
);
