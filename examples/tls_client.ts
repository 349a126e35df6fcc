/**
 * tls_client: `openssl s_client` / `ncat --ssl` for scripts. Connects,
 * verifies the server's certificate and name as a browser would (the
 * system's CAs, or `--cafile`), prints a summary on stderr (subject, issuer,
 * validity, names, protocol, cipher, ALPN), then relays stdin to the server
 * and the server to stdout on one selector until the server closes:
 *
 *   printf 'GET / HTTP/1.0\r\nHost: example.com\r\n\r\n' | bun examples/tls_client.ts example.com 443
 *   deno run --allow-ffi --allow-env --allow-read examples/tls_client.ts --alpn h2,http/1.1 example.com 443
 *
 * EOF on stdin is not passed on (TLS has no half-close that every server
 * honours): the program ends when the server closes, or after `--timeout`
 * seconds with nothing moving. Exit status 0 when the server closed; 1 on a
 * failure (one line: Python's error text, as `cert_check.ts` prints it).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { DefaultSelector, EVENT_READ, EVENT_WRITE, os, OSError, socket, ssl } from "../mod.ts";
import { Cli, writeStdout } from "./_cli.ts";

const USAGE =
  `usage: tls_client.ts [--cafile FILE] [--insecure] [--alpn LIST] [--servername NAME] [--keylog FILE] [--timeout S] [-q] HOST PORT

Connects with TLS, verifies the server, prints what it negotiated on stderr,
then copies stdin to the server and the server to stdout until it closes.
  --cafile FILE      trust these CAs instead of the system's
  --insecure         do not verify the certificate or the name (says so)
  --alpn LIST        offer these protocols, comma-separated (h2,http/1.1)
  --servername NAME  the name to send (SNI) and check (default: HOST)
  --keylog FILE      append the session's secrets to FILE, for Wireshark (as SSLKEYLOGFILE does)
  --timeout S        give up a connect, a handshake or an idle connection after S seconds (default 30)
  -q                 no summary`;

const STDIN = 0;

const cli: Cli = new Cli("tls_client", USAGE);

/** `CN=localhost, O=Example`: a certificate name as one line. */
function nameLine(name: ssl.PeerCertificate["subject"]): string {
  const short: Record<string, string> = {
    commonName: "CN",
    organizationName: "O",
    organizationalUnitName: "OU",
    countryName: "C",
    localityName: "L",
    stateOrProvinceName: "ST",
  };
  return name.flat().map(([k, v]) => `${short[k] ?? k}=${v}`).join(", ");
}

/** The summary `openssl s_client` prints, in a few lines. */
function summary(tls: ssl.SSLSocket, host: string, port: number, verified: boolean): string {
  const [cipher] = tls.cipher() ?? ["?"];
  const lines = [
    `connected to ${host}:${port}`,
    `  protocol: ${tls.version()}  cipher: ${cipher}  ALPN: ${tls.selectedAlpnProtocol() ?? "none"}`,
  ];
  const der = tls.getpeercert(true);
  if (der) {
    lines.push(`  sha256:   ${createHash("sha256").update(der).digest("hex").replace(/(..)(?!$)/g, "$1:")}`);
  }
  const cert = verified ? tls.getpeercert() : null;
  if (cert) {
    lines.push(`  subject:  ${nameLine(cert.subject)}`);
    lines.push(`  issuer:   ${nameLine(cert.issuer)}`);
    lines.push(`  valid:    ${cert.notBefore} .. ${cert.notAfter}`);
    const names = (cert.subjectAltName ?? []).map(([k, v]) => `${k}:${v}`).join(", ");
    if (names) lines.push(`  names:    ${names}`);
    lines.push(`  verified: yes (${tls.serverHostname})`);
  } else {
    lines.push("  verified: NO (--insecure): anyone could be at the other end");
  }
  return lines.join("\n");
}

await cli.main(() => {
  const args = cli.parse({
    cafile: { type: "string" },
    insecure: { type: "boolean" },
    alpn: { type: "string" },
    servername: { type: "string" },
    keylog: { type: "string" },
    timeout: { type: "string" },
    quiet: { type: "boolean", short: "q" },
  });
  const [host, portText, extra] = args.positionals;
  if (host === undefined || portText === undefined) cli.usageError("HOST and PORT are needed");
  if (extra !== undefined) cli.usageError(`unexpected argument ${JSON.stringify(extra)}`);
  const port = cli.number(portText, "port", 0, { min: 1, max: 65535, integer: true });
  const timeout = cli.number(cli.text(args, "timeout"), "timeout", 30, { min: 0.001 });
  const insecure = args.values.insecure === true;

  const ctx = ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: cli.text(args, "cafile") });
  if (insecure) {
    ctx.checkHostname = false;
    ctx.verifyMode = ssl.CERT_NONE;
  }
  const keylog = cli.text(args, "keylog");
  if (keylog !== undefined) {
    try {
      ctx.keylogFilename = keylog;
    } catch (e) {
      if (e instanceof OSError) cli.fail(`--keylog: ${e.message}`);
      throw e;
    }
  }
  const alpn = cli.text(args, "alpn");
  if (alpn !== undefined) ctx.setAlpnProtocols(alpn.split(",").filter(Boolean));

  // Connect and handshake with a timeout (the socket's timeout mode), then relay without blocking.
  let tls: ssl.SSLSocket;
  try {
    const sock = socket.createConnection([host, port], timeout);
    tls = ctx.wrapSocket(sock, { serverHostname: cli.text(args, "servername") ?? host });
  } catch (e) {
    if (e instanceof OSError) cli.fail(`${host}:${port}: ${e.message}`);
    throw e;
  }
  if (args.values.quiet !== true) console.error(summary(tls, host, port, !insecure));
  tls.setBlocking(false);

  using sel = new DefaultSelector<"stdin" | "server">();
  sel.register(tls, EVENT_READ, "server");
  let stdinOpen = true;
  let stdinAlwaysReady = false; // a regular file: epoll refuses it, and it is always ready
  try {
    sel.register(STDIN, EVENT_READ, "stdin");
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    if (e.code === "EPERM") stdinAlwaysReady = true;
    else stdinOpen = false; // no stdin, or one this selector cannot watch
  }
  let waiting: Uint8Array | null = null; // stdin bytes a send() is still taking (the same bytes again)
  const watch = (): void => {
    sel.modify(tls, EVENT_READ | (waiting ? EVENT_WRITE : 0), "server");
    const stdinWatched = sel.getMap().has(STDIN);
    if (stdinOpen && !waiting && !stdinWatched && !stdinAlwaysReady) sel.register(STDIN, EVENT_READ, "stdin");
    if ((!stdinOpen || waiting) && stdinWatched) sel.unregister(STDIN);
  };
  const send = (data: Uint8Array): void => {
    try {
      tls.send(data);
      waiting = null;
    } catch (e) {
      if (!(e instanceof ssl.SSLWantWriteError)) throw e;
      waiting = data;
    }
  };
  /** Everything the server has sent that can be read now, pending() records included; false at its end. */
  const readServer = (): boolean => {
    for (;;) {
      let data: Uint8Array;
      try {
        data = tls.recv(65536);
      } catch (e) {
        if (e instanceof ssl.SSLWantReadError || e instanceof ssl.SSLWantWriteError) return true;
        throw e;
      }
      if (data.length === 0) return false;
      writeStdout(data);
    }
  };

  let lastActivity = performance.now();
  for (;;) {
    const idle = (performance.now() - lastActivity) / 1e3;
    if (idle >= timeout) cli.fail(`${host}:${port}: nothing for ${timeout} s`);
    const ready = stdinAlwaysReady && stdinOpen && !waiting ? sel.select(0) : sel.select(timeout - idle);
    let serverReady = false;
    for (const [key] of ready) if (key.data === "server") serverReady = true;
    if (serverReady) {
      lastActivity = performance.now();
      if (waiting) send(waiting);
      if (!readServer()) break; // the server closed
    }
    const stdinReady = stdinOpen && !waiting &&
      (stdinAlwaysReady || ready.some(([key]) => key.data === "stdin"));
    if (stdinReady) {
      lastActivity = performance.now();
      const data = os.read(STDIN, 16384);
      if (data.length === 0) stdinOpen = false;
      else send(data);
    }
    watch();
  }
  tls.close();
  ctx.close();
});
