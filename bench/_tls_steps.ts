/**
 * The TLS benchmarks' shared steps (bench/tls.ts, bench/tls_floor.ts), the
 * ones bench/tls.py takes with Python's `ssl`: a client and a server over
 * memory BIOs with the pump between them, and a handshake driven turn by turn.
 *
 * Not library code: it trusts its callers (the benchmarks).
 *
 * @module
 */
import { ssl } from "../mod.ts";

/** A client and a server over memory BIOs, and what moves their bytes across. */
export interface BioPair {
  client: ssl.SSLObject;
  server: ssl.SSLObject;
  /** Moves what each end wrote to the other. */
  pump: () => void;
}

/** A client of `cctx` (for "localhost") and a server of `sctx`, over four memory BIOs. */
export function bioPair(cctx: ssl.SSLContext, sctx: ssl.SSLContext): BioPair {
  const [ci, co, si, so] = [
    new ssl.MemoryBIO(),
    new ssl.MemoryBIO(),
    new ssl.MemoryBIO(),
    new ssl.MemoryBIO(),
  ];
  const client = cctx.wrapBio(ci, co, { serverHostname: "localhost" });
  const server = sctx.wrapBio(si, so, { serverSide: true });
  const pump = (): void => {
    if (co.pending) si.write(co.read());
    if (so.pending) ci.write(so.read());
  };
  return { client, server, pump };
}

/**
 * Runs both ends' handshakes turn by turn, each end once a turn (an end that
 * is done returns at once), `between` after each turn, until both are done.
 *
 * @throws {Error} After 20 turns.
 */
export function handshake(
  client: { doHandshake(): void },
  server: { doHandshake(): void },
  between: () => void = () => {},
): void {
  for (let i = 0, done = 0; done < 2; i++) {
    if (i > 20) throw new Error("handshake did not finish");
    done = 0;
    for (const side of [client, server]) {
      try {
        side.doHandshake();
        done++;
      } catch (e) {
        if (!(e instanceof ssl.SSLWantReadError)) throw e;
      }
    }
    between();
  }
}
