/**
 * `getaddrinfo(3)`: the only place that walks C-owned memory (the result list),
 * copying each entry out before `freeaddrinfo`.
 *
 * @module
 */
import { GaiError } from "../errors.ts";
import { eaiName, SOCKET } from "./constants.ts";
import { adapter, lastError, libc } from "./mod.ts";
import {
  ADDRINFO_SIZE,
  decodeAddrinfo,
  decodeSockaddr,
  encodeHints,
  type RawAddress,
  SOCKADDR_STORAGE_SIZE,
} from "./sockaddr.ts";

/** One `getaddrinfo` result, copied into JS memory. */
export interface ResolvedAddress {
  family: number;
  socktype: number;
  protocol: number;
  canonname: string;
  address: RawAddress;
  /** The encoded sockaddr, ready for `connect`/`bind`. */
  sockaddr: Uint8Array;
}

/** The most entries copied out of one result list (a guard against a corrupt list). */
const MAX_RESULTS = 1024;

/**
 * Calls `getaddrinfo(node, service, hints)`.
 *
 * @param node A NUL-terminated host, or null.
 * @param service A NUL-terminated port or service name, or null.
 * @throws {GaiError} For resolver errors; an OSError for EAI_SYSTEM.
 */
export function getaddrinfoRaw(
  node: Uint8Array | null,
  service: Uint8Array | null,
  flags: number,
  family: number,
  socktype: number,
  protocol: number,
): ResolvedAddress[] {
  const hints = encodeHints(flags, family, socktype, protocol);
  const res = new BigUint64Array(1);
  const rc = libc().getaddrinfo(node, service, hints, res);
  if (rc !== 0) {
    if (rc === SOCKET.EAI_SYSTEM) throw lastError("getaddrinfo");
    const text = libc().gai_strerror(rc);
    const description = text === 0n ? undefined : adapter().readCString(text);
    throw new GaiError(rc, "getaddrinfo", { code: eaiName(rc), description });
  }
  const a = adapter();
  const out: ResolvedAddress[] = [];
  try {
    for (let p = res[0]!; p !== 0n && out.length < MAX_RESULTS;) {
      const ai = decodeAddrinfo(a.readMemory(p, ADDRINFO_SIZE));
      // ai_addrlen comes from libc, but is still bounded before it sizes a read.
      const len = Math.min(ai.addrlen, SOCKADDR_STORAGE_SIZE);
      const sockaddr = ai.addr === 0n ? new Uint8Array(0) : a.readMemory(ai.addr, len);
      out.push({
        family: ai.family,
        socktype: ai.socktype,
        protocol: ai.protocol,
        canonname: ai.canonname === 0n ? "" : a.readCString(ai.canonname),
        address: decodeSockaddr(sockaddr, len),
        sockaddr,
      });
      p = ai.next;
    }
  } finally {
    libc().freeaddrinfo(res[0]!);
  }
  return out;
}
