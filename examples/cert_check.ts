/**
 * cert_check: when do these hosts' TLS certificates expire? Connects to all
 * of them at once on one selector (non-blocking connects and handshakes,
 * driven by `SSLWantReadError`/`SSLWantWriteError`), verifies each
 * certificate and name as a browser would, and prints one line per host:
 *
 *   example.com:443  expires Jan 15 23:59:59 2027 GMT (40 days)  TLSv1.3  issuer "DigiCert ..."
 *
 * Exit status 0 when every certificate verified and has more than `--days`
 * days left; 1 otherwise (a failure is one line: the host and Python's
 * error text).
 *
 *   usage: cert_check.ts [--days N] [--cafile FILE] [--timeout S] HOST[:PORT]...
 *
 * @module
 */
import { DefaultSelector, ERRNO, EVENT_READ, EVENT_WRITE, os, OSError, socket, ssl } from "../mod.ts";
import { Cli } from "./_cli.ts";

const cli = new Cli(
  "cert_check",
  `usage: cert_check.ts [--days N] [--cafile FILE] [--timeout S] HOST[:PORT]...
Checks the TLS certificates of the hosts at once: verified, and more than N (default 14) days left.
  --days N        warn (exit 1) when a certificate has N days or fewer left
  --cafile FILE   trust these CAs instead of the system's
  --timeout S     give up on a host after S seconds (default 10)`,
);

interface Probe {
  host: string;
  port: number;
  sock: socket.Socket;
  tls: ssl.SSLSocket | null;
  deadline: number;
}

/** Days from now until a certificate's date (`"Jan 15 23:59:59 2027 GMT"`), read as Python's `ssl` reads it. */
function daysLeft(notAfter: string): number {
  return Math.floor((ssl.certTimeToSeconds(notAfter) * 1000 - Date.now()) / 86_400_000);
}

function target(arg: string): [string, number] {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(arg);
  if (!m) return cli.usageError(`bad host: ${arg}`);
  const port = m[2] === undefined ? 443 : Number(m[2]);
  if (!(port > 0 && port < 65536)) return cli.usageError(`bad port: ${arg}`);
  return [m[1]!.replace(/^\[|\]$/g, ""), port];
}

await cli.main(() => {
  const args = cli.parse({
    days: { type: "string" },
    cafile: { type: "string" },
    timeout: { type: "string" },
  });
  if (args.positionals.length === 0) cli.usageError("no host given");
  const days = Number(cli.text(args, "days") ?? 14);
  const timeout = Number(cli.text(args, "timeout") ?? 10);
  if (!Number.isFinite(days) || !(timeout > 0)) cli.usageError("--days and --timeout take numbers");
  const cafile = cli.text(args, "cafile");
  const ctx = ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile });
  using sel = new DefaultSelector<Probe, socket.Socket>();
  let bad = 0;
  const report = (p: Probe, line: string, ok: boolean): void => {
    if (sel.getMap().has(p.sock)) sel.unregister(p.sock);
    if (p.tls) p.tls.close();
    else p.sock.close();
    if (!ok) bad++;
    console.log(`${p.host}:${p.port}  ${line}`);
  };
  const step = (p: Probe): void => {
    try {
      p.tls ??= ctx.wrapSocket(p.sock, { serverHostname: p.host, doHandshakeOnConnect: false });
      p.tls.doHandshake();
    } catch (e) {
      if (e instanceof ssl.SSLWantReadError) return void sel.modify(p.sock, EVENT_READ, p);
      if (e instanceof ssl.SSLWantWriteError) return void sel.modify(p.sock, EVENT_WRITE, p);
      return report(p, `failed: ${e instanceof Error ? e.message : String(e)}`, false);
    }
    const cert = p.tls.getpeercert()!;
    const left = daysLeft(cert.notAfter);
    const issuer = cert.issuer.flat().find(([k]) => k === "organizationName" || k === "commonName")?.[1] ??
      "?";
    report(
      p,
      `expires ${cert.notAfter} (${left} days)  ${p.tls.version()}  issuer ${JSON.stringify(issuer)}`,
      left > days,
    );
  };
  const start = performance.now();
  for (const arg of args.positionals) {
    const [host, port] = target(arg);
    let found: socket.AddrInfo[];
    try {
      found = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM);
    } catch (e) {
      bad++;
      console.log(`${host}:${port}  failed: ${e instanceof OSError ? e.message : String(e)}`);
      continue;
    }
    const [family, type, proto, , address] = found[0]!;
    const sock = new socket.Socket(family, type, proto);
    sock.setBlocking(false);
    const p: Probe = { host, port, sock, tls: null, deadline: start + timeout * 1000 };
    const err = sock.connectEx(address);
    if (err !== 0 && err !== ERRNO.EINPROGRESS) {
      report(p, `failed: [Errno ${err}] ${os.strerror(err)}`, false);
      continue;
    }
    sel.register(sock, EVENT_WRITE, p); // connected once writable
  }
  while (sel.getMap().size > 0) {
    for (const [key] of sel.select(0.25)) {
      const p = key.data;
      if (p.tls === null) {
        const err = p.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR);
        if (err !== 0) {
          report(p, `failed: [Errno ${err}] ${os.strerror(err)}`, false);
          continue;
        }
      }
      step(p);
    }
    const now = performance.now();
    for (const key of [...sel.getMap().values()]) {
      if (key.data.deadline <= now) report(key.data, "failed: timed out", false);
    }
  }
  ctx.close();
  if (bad > 0) cli.fail(`${bad} of ${args.positionals.length} need attention`);
});
