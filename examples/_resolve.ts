/**
 * Name resolution that does not stop the selector loop: the runtime's own
 * resolver (`node:dns`, which runs `getaddrinfo` on a worker thread) while
 * the loop waits in `selectAsync()`. Deno without `--allow-net` may not use
 * it; then the blocking `socket.getaddrinfo` answers instead.
 *
 * @module
 */
import { lookup } from "node:dns/promises";
import { ERRNO, OSError, socket } from "../mod.ts";

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
 * Resolves `host` to every address it has, in the resolver's order (a
 * connect tries each in turn, as `createConnection` does: `localhost` may
 * give `::1` first where the target listens on 127.0.0.1 only); `family` 4 or
 * 6 restricts them.
 */
export async function resolve(host: string, family: 0 | 4 | 6 = 0): Promise<Resolved[]> {
  try {
    const found = await lookup(host, { family, all: true });
    if (found.length === 0) throw new ResolveError(`${host}: no addresses`);
    return found.map((r) => ({ family: r.family === 6 ? socket.AF_INET6 : socket.AF_INET, ip: r.address }));
  } catch (e) {
    if (e instanceof ResolveError) throw e;
    const code = (e as { code?: unknown }).code;
    if (code !== "EPERM") {
      throw new ResolveError(`${host}: ${code === "ENOTFOUND" ? "not found" : String(code)}`);
    }
  }
  return resolveBlocking(host, family);
}

/** Resolves `host` to every address with the blocking `socket.getaddrinfo`. */
export function resolveBlocking(host: string, family: 0 | 4 | 6 = 0): Resolved[] {
  const af = family === 4 ? socket.AF_INET : family === 6 ? socket.AF_INET6 : socket.AF_UNSPEC;
  try {
    const found = socket.getaddrinfo(host, null, af, socket.SOCK_STREAM);
    if (found.length === 0) throw new ResolveError(`${host}: no addresses`);
    return found.map((info) => ({ family: info[0], ip: (info[4] as [string, number])[0] }));
  } catch (e) {
    if (e instanceof OSError) throw new ResolveError(`${host}: ${e.strerror}`);
    throw e;
  }
}

/**
 * Starts a non-blocking connect to the first of `addresses` that does not
 * refuse at once, from index `from` on: the socket, whether it is still
 * connecting, and the index after it; null (with the last errno) when none is left.
 */
export function connectFrom(
  addresses: readonly Resolved[],
  port: number,
  from: number,
): { sock: socket.Socket; connecting: boolean; next: number } | { error: number } {
  let error: number = ERRNO.EADDRNOTAVAIL;
  for (let i = from; i < addresses.length; i++) {
    const to = addresses[i]!;
    const sock = new socket.Socket(to.family, socket.SOCK_STREAM); // out of fds: the caller's to see
    sock.setBlocking(false);
    const err = sock.connectEx(sockaddr(to, port));
    if (err === 0 || err === ERRNO.EINPROGRESS) return { sock, connecting: err !== 0, next: i + 1 };
    sock.close();
    error = err;
  }
  return { error };
}

/** The socket address for `ip` and `port` in `family`. */
export function sockaddr(r: Resolved, port: number): socket.Address {
  return r.family === socket.AF_INET6 ? [r.ip, port, 0, 0] : [r.ip, port];
}
