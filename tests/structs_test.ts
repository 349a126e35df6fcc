/**
 * Struct layouts and constants in ffi/ against this host's own system headers,
 * read by a small C probe (tests/fixtures/abi_probe.c) compiled with gcc.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { unixTests } from "./_test.ts";

const test = unixTests(
  "the layouts are checked against this host's C headers with gcc (Windows' are pinned in layouts_test)",
);
import { ARCH, OS } from "../ffi/_host.ts";
import { CLOCK_MONOTONIC, EPOLL, ERRNO, FCNTL, FD_SETSIZE, NET, POLL, SOCKET } from "../ffi/constants.ts";
import {
  ADDRINFO_SIZE,
  SOCKADDR_IN6_SIZE,
  SOCKADDR_IN_SIZE,
  SOCKADDR_STORAGE_SIZE,
  SUN_PATH_SIZE,
} from "../ffi/sockaddr.ts";
import { EpollEvents, epollEventSize, FdSet, PollFds, Rlimit, TimeStruct } from "../ffi/structs.ts";
import { cmsgLen, cmsgSpace, msgLayout } from "../ffi/msghdr.ts";
import { resource } from "../mod.ts";
import { here, scratchDir } from "./_helpers.ts";

function probe(): Record<string, number> | null {
  const dir = scratchDir("abi-probe-");
  const exe = join(dir, "abi_probe");
  const cc = spawnSync("gcc", ["-o", exe, here("fixtures/abi_probe.c")], { encoding: "utf8" });
  if (cc.error || cc.status !== 0) return null;
  return JSON.parse(spawnSync(exe, [], { encoding: "utf8" }).stdout);
}

const headers = OS === "linux" ? probe() : null;
const skip = headers ? undefined : "needs gcc and Linux headers";

test("ffi/structs sizes match the system headers", { skip }, () => {
  const h = headers!;
  assert.equal(EpollEvents.SIZE, h.sizeof_epoll_event);
  assert.equal(EpollEvents.SIZE === 12 ? 4 : 8, h.offsetof_epoll_event_data);
  assert.equal(PollFds.SIZE, h.sizeof_pollfd);
  assert.equal(h.offsetof_pollfd_revents, 6);
  assert.equal(FdSet.SIZE, h.sizeof_fd_set);
  assert.equal(FD_SETSIZE, h.FD_SETSIZE);
  assert.equal(TimeStruct.SIZE, h.sizeof_timeval);
  assert.equal(TimeStruct.SIZE, h.sizeof_timespec);
  assert.equal(Rlimit.SIZE, h.sizeof_rlimit);
  assert.equal(SOCKADDR_IN_SIZE, h.sizeof_sockaddr_in);
  assert.equal(SOCKADDR_IN6_SIZE, h.sizeof_sockaddr_in6);
  assert.equal(h.offsetof_sin6_scope_id, 24);
  assert.equal(SUN_PATH_SIZE, h.sizeof_sun_path);
  assert.equal(SOCKADDR_STORAGE_SIZE, h.sizeof_sockaddr_storage);
  assert.equal(ADDRINFO_SIZE, h.sizeof_addrinfo);
  assert.deepEqual([h.offsetof_ai_addr, h.offsetof_ai_canonname, h.offsetof_ai_next], [24, 32, 40]);
});

test("ffi/constants errno numbers match the system headers", { skip }, () => {
  for (const [name, value] of Object.entries(ERRNO)) assert.equal(value, headers![name], name);
});

test("ffi/constants file, epoll, poll and socket constants match the system headers", { skip }, () => {
  for (const table of [FCNTL, EPOLL, POLL]) {
    for (const [name, value] of Object.entries(table)) assert.equal(value, headers![name], name);
  }
  for (const [name, value] of Object.entries(SOCKET)) {
    if (name === "SO_NOSIGPIPE" || name === "SCM_CREDS") continue; // macOS / the BSDs only
    assert.equal(value, headers![name], name);
  }
  for (const [name, value] of Object.entries(NET)) {
    // SOL_UDP is Python's alias (glibc lacks it); the others are in linux/*.h, which
    // the probe does not include: socket_module_test checks them against Python's module.
    if (
      /^(SOL_UDP|ALG_|CAN_|NETLINK_|PACKET_|SOL_CAN_|UDPLITE_|VMADDR_|VM_SOCKETS_|SO_VM_SOCKETS_|IOCTL_VM_)/
        .test(name)
    ) continue;
    assert.equal(value, headers![name], name);
  }
  assert.equal(resource.RLIMIT_NOFILE, headers!.RLIMIT_NOFILE);
  assert.equal(CLOCK_MONOTONIC, headers!.CLOCK_MONOTONIC);
});

test("ffi/msghdr layouts and CMSG_LEN/CMSG_SPACE match the system headers", { skip }, () => {
  const h = headers!, l = msgLayout();
  assert.deepEqual(
    [l.msghdrSize, l.iovlenOffset, l.controlOffset, l.controllenOffset, l.flagsOffset],
    [
      h.sizeof_msghdr,
      h.offsetof_msg_iovlen,
      h.offsetof_msg_control,
      h.offsetof_msg_controllen,
      h.offsetof_msg_flags,
    ],
  );
  assert.equal(l.cmsgHeader, h.sizeof_cmsghdr);
  assert.deepEqual([h.offsetof_cmsg_level, h.offsetof_cmsg_type], [8, 12]);
  assert.deepEqual(
    [cmsgLen(0), cmsgLen(5), cmsgSpace(4), cmsgSpace(12), cmsgSpace(13)],
    [h.CMSG_LEN_0, h.CMSG_LEN_5, h.CMSG_SPACE_4, h.CMSG_SPACE_12, h.CMSG_SPACE_13],
  );
});

test("epollEventSize() is 12 bytes on x86_64 and 16 on aarch64", () => {
  assert.equal(epollEventSize("x86_64"), 12);
  assert.equal(epollEventSize("aarch64"), 16);
  assert.equal(EpollEvents.SIZE, epollEventSize(ARCH));
});

test("EpollEvents writes events at offset 0 and the fd in data's low half", () => {
  const ev = new EpollEvents(2);
  ev.set(1, 0x80000005, 1234);
  const view = new DataView(ev.bytes.buffer);
  const base = EpollEvents.SIZE;
  const dataOffset = EpollEvents.SIZE === 12 ? 4 : 8;
  assert.equal(view.getUint32(base, true), 0x80000005);
  assert.equal(view.getBigUint64(base + dataOffset, true), 1234n);
  assert.equal(ev.events(1), 0x80000005);
  assert.equal(ev.fd(1), 1234);
  ev.reserve(100);
  assert.ok(ev.capacity >= 100);
});

test("PollFds keeps fd, events and revents at offsets 0, 4 and 6", () => {
  const p = new PollFds(1);
  p.set(0, 77, POLL.POLLIN | POLL.POLLOUT);
  p.reserve(3);
  p.set(2, 99, POLL.POLLIN);
  const view = new DataView(p.bytes.buffer);
  assert.equal(view.getInt32(0, true), 77);
  assert.equal(view.getInt16(4, true), POLL.POLLIN | POLL.POLLOUT);
  assert.equal(view.getInt16(6, true), 0);
  assert.equal(view.getInt32(16, true), 99);
  p.move(2, 0);
  assert.equal(p.fd(0), 99);
  assert.equal(view.getInt16(4, true), POLL.POLLIN, "events moved with the fd");
});

test("FdSet sets bit fd&7 of byte fd>>3 and refuses fds outside FD_SETSIZE", () => {
  const s = new FdSet();
  s.add(0);
  s.add(9);
  s.add(1023);
  assert.equal(s.bytes[0], 1);
  assert.equal(s.bytes[1], 2);
  assert.equal(s.bytes[127], 0x80);
  assert.ok(s.has(9) && !s.has(8));
  s.delete(9);
  assert.equal(s.bytes[1], 0);
  assert.throws(() => s.add(1024), RangeError);
  assert.throws(() => s.add(-1), RangeError);
  assert.equal(s.bytes.length, 128);
});
