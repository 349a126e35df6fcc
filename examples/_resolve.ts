/**
 * Name resolution that does not stop the selector loop: the runtime's own
 * resolver (`node:dns`, which runs `getaddrinfo` on a worker thread) while
 * the loop waits in `selectAsync()`. Deno without `--allow-net` may not use
 * it; then the blocking `socket.getaddrinfo` answers instead.
 *
 * @module
 */
import { lookup } from "node:dns/promises";
import { OSError, socket } from "../mod.ts";

/** A resolved address: the family and the IP text. */
export interface Resolved {
  family: number;
  ip: string;
}

/** A name that did not resolve; `message` is one line (`"no.such: not found"`). */
export class ResolveError extends Error {
  override name = "ResolveError";
}

/**
 * Resolves `host` to one address (IPv4 first when both exist, as
 * `getaddrinfo` orders them); `family` 4 or 6 restricts it.
 */
export async function resolve(host: string, family: 0 | 4 | 6 = 0): Promise<Resolved> {
  try {
    const r = await lookup(host, { family });
    return { family: r.family === 6 ? socket.AF_INET6 : socket.AF_INET, ip: r.address };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code !== "EPERM") {
      throw new ResolveError(`${host}: ${code === "ENOTFOUND" ? "not found" : String(code)}`);
    }
  }
  return resolveBlocking(host, family);
}

/** Resolves `host` with the blocking `socket.getaddrinfo`. */
export function resolveBlocking(host: string, family: 0 | 4 | 6 = 0): Resolved {
  const af = family === 4 ? socket.AF_INET : family === 6 ? socket.AF_INET6 : socket.AF_UNSPEC;
  try {
    const [info] = socket.getaddrinfo(host, null, af, socket.SOCK_STREAM);
    if (!info) throw new ResolveError(`${host}: no addresses`);
    return { family: info[0], ip: (info[4] as [string, number])[0] };
  } catch (e) {
    if (e instanceof OSError) throw new ResolveError(`${host}: ${e.strerror}`);
    throw e;
  }
}

/** The socket address for `ip` and `port` in `family`. */
export function sockaddr(r: Resolved, port: number): socket.Address {
  return r.family === socket.AF_INET6 ? [r.ip, port, 0, 0] : [r.ip, port];
}
