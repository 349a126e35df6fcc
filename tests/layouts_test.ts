/**
 * The per-OS/arch tables of ffi/ for systems this machine is not: struct
 * layouts encoded and decoded at the offsets their headers give (xnu and
 * FreeBSD `sys/event.h`, Linux uapi `eventpoll.h`, `poll.h`, `select.h`), the
 * symbol tables, and the macOS libc shims. The host's own values are checked
 * against its real headers in structs_test.ts.
 *
 * @module
 */
import assert from "node:assert/strict";
import { test } from "./_test.ts";
import {
  CLOCK_MONOTONIC_TABLES,
  ERRNO_TABLES,
  KEVENT,
  NET_TABLES,
  POLL_TABLES,
  SOCKET_TABLES,
  WINSOCK_FD_SETSIZE,
} from "../ffi/constants.ts";
import { OS } from "../ffi/_host.ts";
import { bindLibc, libcPaths, libcTable, stackVarargs } from "../ffi/libc.ts";
import {
  EpollEvents,
  epollEventSize,
  FdSet,
  Kevents,
  keventSize,
  PollFds,
  WinsockFdSet,
  WinsockTimeval,
} from "../ffi/structs.ts";

test("Kevents lays out struct kevent as macOS (32 bytes) and FreeBSD (64 bytes) do", () => {
  for (const [flavour, size] of [["darwin", 32], ["freebsd", 64]] as const) {
    assert.equal(keventSize(flavour), size);
    const k = new Kevents(flavour, 2);
    assert.equal(k.bytes.length, 2 * size);
    k.set(1, 1234, KEVENT.EVFILT_WRITE, KEVENT.EV_ADD | KEVENT.EV_EOF);
    const view = new DataView(k.bytes.buffer);
    const base = size; // event 1
    assert.equal(view.getBigUint64(base + 0, true), 1234n, "ident: uintptr_t at 0");
    assert.equal(view.getInt16(base + 8, true), KEVENT.EVFILT_WRITE, "filter: int16_t at 8");
    assert.equal(view.getUint16(base + 10, true), KEVENT.EV_ADD | KEVENT.EV_EOF, "flags: uint16_t at 10");
    assert.equal(view.getBigInt64(base + 16, true), 0n, "data: intptr_t/int64_t at 16, zeroed");
    assert.equal(k.ident(1), 1234);
    assert.equal(k.filter(1), KEVENT.EVFILT_WRITE);
    k.reserve(10);
    assert.ok(k.capacity >= 10);
    assert.equal(k.bytes.length % size, 0);
  }
});

test("epoll_event is 12 bytes with data at 4 on x86_64, 16 with data at 8 elsewhere", () => {
  assert.equal(epollEventSize("x86_64"), 12);
  assert.equal(epollEventSize("aarch64"), 16);
  const e = new EpollEvents(1);
  e.set(0, 1, 7);
  const v = new DataView(e.bytes.buffer);
  assert.equal(v.getBigUint64(EpollEvents.SIZE === 12 ? 4 : 8, true), 7n);
});

test("pollfd and fd_set have one layout on every supported Unix; Windows has WSAPOLLFD", () => {
  assert.equal(FdSet.SIZE, 128);
  if (OS !== "windows") {
    assert.equal(PollFds.SIZE, 8);
    return;
  }
  // WSAPOLLFD: { SOCKET fd (8 bytes); SHORT events; SHORT revents; } padded to 16.
  assert.equal(PollFds.SIZE, 16);
  const p = new PollFds(2);
  p.set(1, 0x1234, POLL_TABLES.windows.POLLIN);
  const v = new DataView(p.bytes.buffer);
  assert.equal(v.getBigInt64(16, true), 0x1234n);
  assert.equal(v.getInt16(24, true), 0x300);
  p.set(0, -1, 0);
  assert.equal(v.getBigInt64(0, true), -1n, "a negative fd is INVALID_SOCKET, which WSAPoll skips");
});

test("Winsock's fd_set is a count and an array of 64-bit handles; its timeval two 32-bit longs", () => {
  const set = new WinsockFdSet();
  assert.equal(WinsockFdSet.SIZE, 8 + 8 * WINSOCK_FD_SETSIZE);
  set.push(0x104);
  set.push(0x7ffffffc);
  const v = new DataView(set.bytes.buffer);
  assert.equal(v.getUint32(0, true), 2, "u_int fd_count");
  assert.equal(v.getBigUint64(8, true), 0x104n);
  assert.equal(v.getBigUint64(16, true), 0x7ffffffcn);
  assert.deepEqual([set.count, set.at(0), set.at(1)], [2, 0x104, 0x7ffffffc]);
  set.clear();
  assert.equal(set.count, 0);
  for (let i = 0; i < WINSOCK_FD_SETSIZE; i++) set.push(4 * i + 4);
  assert.throws(() => set.push(8), RangeError, "never written past the array");
  const tv = new WinsockTimeval();
  tv.setMicros(2_500_000);
  assert.deepEqual([...new Int32Array(tv.bytes.buffer)], [2, 500_000]);
});

test("Windows' tables use Winsock's numbers (winsock2.h, ws2def.h, ws2ipdef.h, ws2tcpip.h)", () => {
  const e = ERRNO_TABLES.windows;
  assert.deepEqual(
    [e.EAGAIN, e.EINTR, e.EBADF, e.EINVAL, e.EMFILE, e.ENOTSOCK, e.EINPROGRESS, e.EALREADY],
    [10035, 10004, 10009, 10022, 10024, 10038, 10036, 10037],
  );
  assert.deepEqual(
    [e.EADDRINUSE, e.ECONNABORTED, e.ECONNRESET, e.ENOTCONN, e.ETIMEDOUT, e.ECONNREFUSED, e.EHOSTUNREACH],
    [10048, 10053, 10054, 10057, 10060, 10061, 10065],
  );
  assert.deepEqual(
    [e.ENOENT, e.EPIPE, e.ENOMEM],
    [2, 32, 12],
    "the C runtime's errno.h where Winsock has none",
  );
  const w = SOCKET_TABLES.windows;
  assert.deepEqual([w.AF_INET, w.AF_INET6, w.AF_UNIX, w.SOL_SOCKET], [2, 23, 1, 0xffff]);
  assert.deepEqual([w.SO_REUSEADDR, w.SO_KEEPALIVE, w.SO_BROADCAST, w.SO_LINGER], [4, 8, 0x20, 0x80]);
  assert.deepEqual([w.SO_SNDBUF, w.SO_RCVBUF, w.SO_ERROR, w.SO_TYPE], [0x1001, 0x1002, 0x1007, 0x1008]);
  assert.deepEqual([w.IPV6_V6ONLY, w.MSG_WAITALL, w.AI_NUMERICSERV, w.AI_ADDRCONFIG], [27, 8, 8, 0x400]);
  assert.deepEqual([w.SOCK_NONBLOCK, w.SOCK_CLOEXEC, w.MSG_NOSIGNAL, w.MSG_DONTWAIT], [0, 0, 0, 0]);
  assert.deepEqual(POLL_TABLES.windows, {
    POLLIN: 0x300,
    POLLPRI: 0x400,
    POLLOUT: 0x10,
    POLLERR: 1,
    POLLHUP: 2,
    POLLNVAL: 4,
  });
  const n = NET_TABLES.windows;
  assert.deepEqual([n.IP_TTL, n.IP_MULTICAST_IF, n.IP_ADD_MEMBERSHIP, n.IPV6_JOIN_GROUP], [4, 9, 12, 12]);
  assert.deepEqual([n.TCP_KEEPIDLE, n.TCP_KEEPCNT, n.TCP_KEEPINTVL, n.NI_NUMERICHOST], [3, 16, 17, 2]);
  assert.equal(n.IPPROTO_IPIP, undefined, "a name Winsock lacks is absent");
});

test("libcTable() declares nfds_t as unsigned long on Linux and unsigned int on macOS and FreeBSD", () => {
  assert.equal(libcTable("linux", "x86_64")!.poll!.params[1], "u64");
  assert.equal(libcTable("darwin", "aarch64")!.poll!.params[1], "u32");
  assert.equal(libcTable("freebsd", "x86_64")!.poll!.params[1], "u32");
});

test("libcTable() pads fcntl and open so Apple arm64 finds the variadic argument on the stack", () => {
  assert.ok(stackVarargs("darwin", "aarch64"));
  const mac = libcTable("darwin", "aarch64")!;
  assert.deepEqual(mac.fcntl!.params, ["i32", "i32", "i64", "i64", "i64", "i64", "i64", "i64", "i64"]);
  assert.deepEqual(mac.open!.params, ["buffer", "i32", "i64", "i64", "i64", "i64", "i64", "i64", "i64"]);
  for (const [os, arch] of [["darwin", "x86_64"], ["freebsd", "aarch64"], ["linux", "aarch64"]] as const) {
    assert.ok(!stackVarargs(os, arch));
    assert.deepEqual(libcTable(os, arch)!.fcntl!.params, ["i32", "i32", "i32"]);
  }
});

test("libcTable() names each OS's errno accessor and leaves out what the OS lacks", () => {
  assert.ok(libcTable("linux")!.__errno_location);
  assert.ok(libcTable("linux")!.epoll_wait && libcTable("linux")!.pipe2 && libcTable("linux")!.accept4);
  for (const os of ["darwin", "freebsd"] as const) {
    const t = libcTable(os)!;
    assert.ok(t.__error && !t.__errno_location, os);
    assert.ok(!t.epoll_wait && t.pipe && t.accept, os);
  }
  assert.equal(libcTable("windows"), null);
  assert.equal(libcTable("other"), null);
});

test("libcPaths() names glibc, musl, macOS and FreeBSD libraries", () => {
  assert.deepEqual(libcPaths("linux", "x86_64"), [
    "libc.so.6",
    "libc.musl-x86_64.so.1",
    "/lib/ld-musl-x86_64.so.1",
  ]);
  assert.deepEqual(libcPaths("linux", "aarch64")[1], "libc.musl-aarch64.so.1");
  assert.deepEqual(libcPaths("darwin", "aarch64"), ["/usr/lib/libSystem.B.dylib"]);
  assert.deepEqual(libcPaths("freebsd", "x86_64"), ["libc.so.7"]);
  assert.deepEqual(libcPaths("windows", "x86_64"), []);
});

test("bindLibc() on macOS arm64 inserts the padding and emulates pipe2 (recording stand-in for macOS libc)", () => {
  // Stand-in for a C library this machine does not have: records calls.
  const calls: Array<[string, unknown[]]> = [];
  const rec = (name: string, result = 0) => (...args: unknown[]) => {
    calls.push([name, args]);
    return result;
  };
  const raw = {
    __error: rec("__error"),
    fcntl: rec("fcntl"),
    open: rec("open", 5),
    pipe: (fds: Int32Array) => {
      fds[0] = 10;
      fds[1] = 11;
      calls.push(["pipe", []]);
      return 0;
    },
    accept: rec("accept", -1),
  };
  const libc = bindLibc(raw, "darwin", "aarch64");
  libc.fcntl(3, 4, 7);
  assert.deepEqual(calls.pop(), ["fcntl", [3, 4, 0, 0, 0, 0, 0, 0, 7]]);
  const path = new Uint8Array(1);
  assert.equal(libc.open(path, 0x200, 0o644), 5);
  assert.deepEqual(calls.pop(), ["open", [path, 0x200, 0, 0, 0, 0, 0, 0, 0o644]]);
  calls.length = 0;
  assert.equal(libc.pipe2(new Int32Array(2), 0x1000000), 0);
  assert.deepEqual(
    calls.map(([n]) => n),
    ["pipe", "fcntl", "fcntl", "fcntl", "fcntl"],
    "FD_CLOEXEC on both ends",
  );
  calls.length = 0;
  assert.equal(libc.accept4(3, new Uint8Array(128), new Uint32Array(1), 0), -1);
  assert.deepEqual(calls.map(([n]) => n), ["accept"], "a failed call returns at once: errno stays intact");
  assert.throws(() => libc.epoll_create1(0), /only available on Linux/);
  assert.equal(
    bindLibc(raw, "linux", "x86_64") as unknown,
    raw,
    "Linux gets the raw symbols: nothing on the hot path",
  );
});

test("errno, socket and clock tables use each OS's own numbering", () => {
  const { linux, bsd } = ERRNO_TABLES;
  assert.deepEqual([linux.EAGAIN, linux.EINPROGRESS, linux.ECONNREFUSED, linux.ENOSYS], [11, 115, 111, 38]);
  assert.deepEqual([bsd.EAGAIN, bsd.EINPROGRESS, bsd.ECONNREFUSED, bsd.ENOSYS], [35, 36, 61, 78]);
  assert.equal(new Set(Object.values(bsd)).size, Object.keys(bsd).length, "no two BSD names share a number");
  assert.equal(
    new Set(Object.values(linux)).size,
    Object.keys(linux).length,
    "no two Linux names share a number",
  );
  assert.deepEqual([
    SOCKET_TABLES.darwin.AF_INET6,
    SOCKET_TABLES.freebsd.AF_INET6,
    SOCKET_TABLES.linux.AF_INET6,
  ], [30, 28, 10]);
  assert.equal(SOCKET_TABLES.darwin.SOL_SOCKET, 0xffff);
  assert.equal(SOCKET_TABLES.darwin.SO_ERROR, 0x1007);
  assert.equal(SOCKET_TABLES.darwin.MSG_NOSIGNAL, 0, "macOS uses SO_NOSIGPIPE instead");
  assert.equal(SOCKET_TABLES.freebsd.MSG_NOSIGNAL, 0x20000);
  // CLOCK_MONOTONIC: macOS's time.h enum (_CLOCK_MONOTONIC = 6), FreeBSD's sys/_clock_id.h, Linux's 1.
  assert.deepEqual(CLOCK_MONOTONIC_TABLES, { linux: 1, darwin: 6, freebsd: 4 });
});

test("the BSD socket constants match lines read from xnu's and FreeBSD's headers (netinet/in.h, netinet6/in6.h, netinet/tcp.h, sys/socket.h)", () => {
  const { darwin, freebsd } = NET_TABLES;
  // xnu bsd/netinet/in.h and netinet/tcp.h
  assert.deepEqual(
    [darwin.IP_RECVTTL, darwin.IP_BOUND_IF, darwin.IP_PKTINFO, darwin.IP_RECVTOS, darwin.IP_MAX_MEMBERSHIPS],
    [24, 25, 26, 27, 4095],
  );
  assert.deepEqual(
    [
      darwin.TCP_KEEPALIVE,
      darwin.TCP_KEEPINTVL,
      darwin.TCP_KEEPCNT,
      darwin.TCP_FASTOPEN,
      darwin.TCP_NOTSENT_LOWAT,
    ],
    [0x10, 0x101, 0x102, 0x105, 0x201],
  );
  assert.equal(darwin.TCP_KEEPIDLE, undefined, "macOS names it TCP_KEEPALIVE");
  // FreeBSD sys/netinet/in.h, netinet6/in6.h, netinet/tcp.h, sys/socket.h
  assert.deepEqual(
    [freebsd.IP_RECVRETOPTS, freebsd.IP_RECVDSTADDR, freebsd.IP_BINDANY, freebsd.IP_RECVORIGDSTADDR],
    [6, 7, 24, 27],
  );
  assert.deepEqual([freebsd.IP_RECVTTL, freebsd.IP_RECVTOS, freebsd.IP_MAX_MEMBERSHIPS], [65, 68, 4095]);
  assert.deepEqual(
    [
      freebsd.IPV6_RTHDRDSTOPTS,
      freebsd.IPV6_RECVPKTINFO,
      freebsd.IPV6_PKTINFO,
      freebsd.IPV6_TCLASS,
      freebsd.IPV6_DONTFRAG,
    ],
    [35, 36, 46, 61, 62],
  );
  assert.deepEqual(
    [
      freebsd.TCP_INFO,
      freebsd.TCP_CONGESTION,
      freebsd.TCP_KEEPIDLE,
      freebsd.TCP_KEEPCNT,
      freebsd.TCP_FASTOPEN,
    ],
    [32, 64, 256, 1024, 1025],
  );
  assert.deepEqual([freebsd.SO_USELOOPBACK, freebsd.SO_REUSEPORT_LB, freebsd.AF_BLUETOOTH], [
    0x40,
    0x10000,
    36,
  ]);
  assert.deepEqual([SOCKET_TABLES.freebsd.SO_DOMAIN, SOCKET_TABLES.freebsd.SO_PROTOCOL], [0x1019, 0x1016]);
  assert.deepEqual([SOCKET_TABLES.freebsd.MSG_CMSG_CLOEXEC, SOCKET_TABLES.freebsd.SCM_CREDS], [0x40000, 3]);
  assert.deepEqual([SOCKET_TABLES.freebsd.MSG_TRUNC, SOCKET_TABLES.freebsd.MSG_CTRUNC], [0x10, 0x20]);
  // Names an OS lacks are absent, never another OS's number.
  for (const name of ["SO_BINDTODEVICE", "TCP_CORK", "IP_RECVERR", "AF_NETLINK"]) {
    assert.equal(darwin[name], undefined, name);
    assert.equal(freebsd[name], undefined, name);
  }
});
