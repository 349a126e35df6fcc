/**
 * One process, one thread, three jobs: a selector-driven TCP echo server, an
 * HTTP status page served by the runtime's own server (`Deno.serve` or
 * `Bun.serve`), and a `setInterval` ticker. The selector waits with
 * `selectAsync()`, so the runtime's event loop keeps the page answering and
 * the ticker on time however busy or idle the echo side is.
 *
 *   deno run --allow-ffi --allow-env --allow-net examples/status_server.ts --port 7000 --http-port 8080
 *   bun examples/status_server.ts --port 7000 --http-port 8080    # then: curl 127.0.0.1:8080
 *
 * @module
 */
import { OSError, RUNTIME } from "../mod.ts";
import { EchoServer } from "./echo_server.ts";
import { Cli, describe, formatAddress, onShutdown } from "./_cli.ts";

const USAGE = `usage: status_server.ts [--host H] [--port N] [--http-port N] [--tick-ms MS] [--max-seconds S]

Echoes TCP on H:N (selector, selectAsync) and serves a JSON status page on
http://H:HTTP_PORT/ (the runtime's HTTP server) while a ticker counts every
--tick-ms (default 100). Port 0 picks a free port; both addresses are printed.
SIGINT/SIGTERM stop everything and print the totals.`;

/** What the status page reports. */
export interface Status {
  runtime: string;
  backend: string;
  uptimeMs: number;
  ticks: number;
  /** Ticks expected by now at --tick-ms: a ticker starved by a blocked loop falls behind. */
  expectedTicks: number;
  tcp: { accepted: number; closed: number; resets: number; bytes: number };
}

interface HttpServer {
  port: number;
  stop(): Promise<void>;
}

/** Starts the runtime's own HTTP server on `host:port`. */
function serveHttp(host: string, port: number, handler: () => Response): HttpServer {
  const g = globalThis as unknown as {
    Deno?: {
      serve(
        options: { hostname: string; port: number; onListen?: () => void },
        handler: () => Response,
      ): { addr: { port: number }; shutdown(): Promise<void> };
    };
    Bun?: {
      serve(options: { hostname: string; port: number; fetch: () => Response }): {
        port: number;
        stop(force?: boolean): void;
      };
    };
  };
  if (RUNTIME === "deno") {
    const s = g.Deno!.serve({ hostname: host, port, onListen: () => {} }, handler);
    return { port: s.addr.port, stop: () => s.shutdown() };
  }
  const s = g.Bun!.serve({ hostname: host, port, fetch: handler });
  return { port: s.port, stop: () => Promise.resolve(s.stop(true)) };
}

if (import.meta.main) {
  const cli: Cli = new Cli("status_server", USAGE);
  const parsed = cli.parse({
    host: { type: "string", short: "H" },
    port: { type: "string", short: "p" },
    "http-port": { type: "string" },
    "tick-ms": { type: "string" },
    "max-seconds": { type: "string" },
  });
  if (parsed.positionals.length) {
    cli.usageError(`unexpected argument ${JSON.stringify(parsed.positionals[0])}`);
  }
  const port = { min: 0, max: 65535, integer: true };
  const args = {
    host: cli.text(parsed, "host") ?? "127.0.0.1",
    port: cli.number(cli.text(parsed, "port"), "--port", 0, port),
    "http-port": cli.number(cli.text(parsed, "http-port"), "--http-port", 0, port),
    "tick-ms": cli.number(cli.text(parsed, "tick-ms"), "--tick-ms", 100, { min: 1 }),
    "max-seconds": cli.number(cli.text(parsed, "max-seconds"), "--max-seconds", Infinity, { min: 0 }),
  };
  const started = performance.now();
  let ticks = 0;
  const ticker = setInterval(() => ticks++, args["tick-ms"]);
  let echo: EchoServer;
  try {
    echo = new EchoServer(args.host, args.port, (m) => cli.warn(m));
  } catch (e) {
    if (e instanceof OSError) cli.fail(describe(e));
    throw e;
  }
  const status = (): Status => {
    const uptimeMs = performance.now() - started;
    return {
      runtime: RUNTIME,
      backend: echo.sel.backend,
      uptimeMs: Math.round(uptimeMs),
      ticks,
      expectedTicks: Math.floor(uptimeMs / args["tick-ms"]),
      tcp: { ...echo.stats },
    };
  };
  const http = serveHttp(args.host, args["http-port"], () => Response.json(status()));
  // Signals are handled before the address is printed: a caller may signal as soon as it reads it.
  const removeListeners = onShutdown((signal) => {
    console.log(`${signal}: shutting down`);
    echo.stop();
  });
  console.log(`listening on ${formatAddress(echo.address)} (${echo.sel.backend})`);
  console.log(`status on http://${args.host}:${http.port}/`);
  await echo.serveAsync(args["max-seconds"]);
  removeListeners();
  clearInterval(ticker);
  await http.stop();
  echo.close();
  const s = status();
  console.log(
    `served ${s.tcp.accepted} connections, ${s.tcp.bytes} bytes echoed; ${s.ticks} ticks in ${s.uptimeMs} ms`,
  );
}
