/**
 * The `os` helpers and the errno gate, on real fds.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test, unixOnly, WINDOWS } from "./_test.ts";
import {
  BlockingIOError,
  BrokenPipeError,
  FileNotFoundError,
  os,
  OSError,
  resource,
  socket,
} from "../mod.ts";
import { ERRNO, type ErrnoName } from "../ffi/constants.ts";
import { bytes, Fds, isOSError, python, scratchDir, text } from "./_helpers.ts";

test("os.pipe() returns two close-on-exec fds that carry bytes", () => {
  using fds = new Fds();
  const [r, w] = fds.pipe();
  assert.equal(os.getInheritable(r), false);
  assert.equal(os.getInheritable(w), false);
  assert.equal(os.write(w, bytes("hello")), 5);
  assert.equal(text(os.read(r, 64)), "hello");
});

test("os.read() returns an empty array at end of file", () => {
  using fds = new Fds();
  const [r, w] = fds.pipe();
  os.close(w);
  assert.equal(os.read(r, 10).length, 0);
});

test("os.write() accepts any typed array, DataView or ArrayBuffer", () => {
  using fds = new Fds();
  const [r, w] = fds.pipe();
  const u16 = new Uint16Array([0x4241, 0x4443]); // "ABCD" little-endian
  assert.equal(os.write(w, u16), 4);
  assert.equal(os.write(w, new DataView(new Uint8Array([69, 70, 71]).buffer, 1, 2)), 2);
  assert.equal(os.write(w, new Uint8Array([72]).buffer), 1);
  assert.equal(text(os.read(r, 64)), "ABCDFGH");
});

test("os.write() rejects strings and other non-bytes with TypeError", () => {
  using fds = new Fds();
  const [, w] = fds.pipe();
  for (const bad of ["text", 42, null, [1, 2]]) {
    assert.throws(() => os.write(w, bad as unknown as Uint8Array), TypeError);
  }
});

test("os.read() and os.write() validate fds and sizes before any syscall", () => {
  for (const bad of [-1, 1.5, NaN, 2 ** 31]) assert.throws(() => os.read(bad, 1), RangeError);
  assert.throws(() => os.read("0" as unknown as number, 1), TypeError);
  assert.throws(() => os.read(0, -1), RangeError);
  assert.throws(() => os.read(0, 1.5), RangeError);
  assert.throws(() => os.read(0, Infinity), RangeError);
});

test("os.close() of a closed fd throws OSError EBADF with errno and syscall", () => {
  using fds = new Fds();
  const [r] = fds.pipe();
  os.close(r);
  // Windows: the fd is a socket handle and closesocket() says WSAENOTSOCK, as
  // CPython's socket.close() reports there.
  const [code, text]: [ErrnoName, RegExp] = WINDOWS ? ["ENOTSOCK", /./] : ["EBADF", /Bad file descriptor/];
  assert.throws(
    () => os.close(r),
    (e: unknown) =>
      e instanceof OSError && e.code === code && e.errno === ERRNO[code] && e.syscall === "close" &&
      text.test(e.message),
  );
});

test("os.read() on an empty non-blocking pipe throws BlockingIOError EAGAIN", () => {
  using fds = new Fds();
  const [r] = fds.pipe();
  assert.equal(os.getBlocking(r), true);
  os.setBlocking(r, false);
  assert.equal(os.getBlocking(r), false);
  assert.throws(() => os.read(r, 10), (e: unknown) => e instanceof BlockingIOError && e.code === "EAGAIN");
  os.setBlocking(r, true);
  assert.equal(os.getBlocking(r), true);
});

test("os.write() to a pipe with no reader throws BrokenPipeError, not SIGPIPE", {
  skip: unixOnly(
    "os.pipe() is a loopback TCP pair there: a write after the reader closed resets the connection",
  ),
}, () => {
  using fds = new Fds();
  const [r, w] = fds.pipe();
  os.close(r);
  assert.throws(
    () => os.write(w, bytes("x")),
    (e: unknown) => e instanceof BrokenPipeError && e.code === "EPIPE",
  );
});

test("os.dup() makes a close-on-exec copy; os.dup2() an inheritable one by default", () => {
  using fds = new Fds();
  const [r, w] = fds.pipe();
  const copy = fds.fd(os.dup(w));
  assert.notEqual(copy, w);
  assert.equal(os.getInheritable(copy), false);
  os.write(copy, bytes("via copy"));
  assert.equal(text(os.read(r, 64)), "via copy");
  if (WINDOWS) return; // no dup2() there: a handle cannot be put at a chosen value
  const target = fds.fd(os.dup(r)) + 10;
  fds.fd(target);
  assert.equal(os.dup2(w, target), target);
  assert.equal(os.getInheritable(target), true);
  os.dup2(w, target, false);
  assert.equal(os.getInheritable(target), false);
});

test("os.dup2(fd, fd) changes nothing, as in CPython: the owner keeps its fd and closes it", {
  skip: unixOnly("no dup2() on Windows"),
}, async () => {
  using fds = new Fds();
  const [r, w] = fds.pipe();
  const owned = new os.OwnedFd(os.dup(r), "pipe");
  const n = owned.fileno();
  assert.equal(os.dup2(n, n), n);
  assert.equal(os.getInheritable(n), false, "inheritable stays as it was (CPython too)");
  owned.close();
  assert.throws(() => os.getInheritable(n), isOSError("EBADF"), "close() after dup2(fd, fd) closed the fd");
  assert.throws(() => os.dup2(n, n), isOSError("EBADF"), "a closed fd: EBADF, as CPython");
  assert.throws(
    () => os.dup2(w, w, false),
    isOSError("EINVAL"),
    "non-inheritable onto itself: dup3's EINVAL, as CPython",
  );
  const py = await python(
    "import os\nr, w = os.pipe()\nprint(os.dup2(r, r) == r, os.get_inheritable(r))\n" +
      "try:\n    os.dup2(w, w, inheritable=False)\nexcept OSError as e:\n    print(e.errno == 22)",
  );
  assert.equal(py.stdout.trim(), "True False\nTrue");
});

test("os functions take what a selector takes: an fd or an object with fileno() (a socket, an OwnedFd)", () => {
  const [a, b] = socket.socketpair();
  using _a = a;
  using _b = b;
  assert.equal(os.write(a, bytes("via socket")), 10);
  assert.equal(text(os.read(b, 64)), "via socket");
  using owned = new os.OwnedFd(os.dup(b), "copy");
  os.write(a, bytes("via OwnedFd"));
  assert.equal(text(os.read(owned, 64)), "via OwnedFd");
  assert.equal(os.getInheritable(owned), false);
  os.setInheritable(owned, true);
  assert.equal(os.getInheritable(owned.fileno()), true);
  assert.equal(os.getBlocking(owned), true);
  assert.throws(() => os.read({ fileno: () => -1 } as never, 1), RangeError);
  assert.throws(() => os.read({} as never, 1), TypeError);
});

test(
  "os.unlink() removes an AF_UNIX socket's path so it can be bound again; a missing path is Python's FileNotFoundError",
  {
    skip: unixOnly("AF_UNIX paths and unlink are Unix's here"),
  },
  async () => {
    const path = join(scratchDir("os-unlink-"), "s.sock");
    {
      using s = new socket.Socket(socket.AF_UNIX, socket.SOCK_STREAM);
      s.bind(path);
    }
    using again = new socket.Socket(socket.AF_UNIX, socket.SOCK_STREAM);
    assert.throws(() => again.bind(path), isOSError("EADDRINUSE"), "the path is still there");
    os.unlink(path);
    again.bind(path);
    os.unlink(path);
    let ours = "";
    try {
      os.unlink(path);
    } catch (e) {
      assert.ok(e instanceof FileNotFoundError);
      ours = `${e.name}: ${e.message}`;
    }
    const py = await python(
      `import os, sys\ntry: os.unlink(sys.argv[1])\nexcept OSError as e: print(f"{type(e).__name__}: {e}")`,
      [path],
    );
    assert.equal(ours, py.stdout.trim());
  },
);

test("os.lseek() moves a file's position as Python's does (SEEK_SET, SEEK_CUR, SEEK_END); a pipe is ESPIPE", {
  skip: unixOnly("os.open() gives C runtime fds, which this module does not bind on Windows"),
}, async () => {
  const path = join(scratchDir("os-lseek-"), "f");
  const fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600);
  try {
    os.write(fd, bytes("0123456789"));
    const ours = [
      os.lseek(fd, 0, os.SEEK_END),
      os.lseek(fd, 2, os.SEEK_SET),
      os.lseek(fd, 3, os.SEEK_CUR),
      text(os.read(fd, 2)),
      os.lseek(fd, -1, os.SEEK_END),
    ];
    const py = await python(
      `import os, sys, json\nfd = os.open(sys.argv[1], os.O_RDWR)\nprint(json.dumps([os.lseek(fd, 0, os.SEEK_END), os.lseek(fd, 2, os.SEEK_SET), os.lseek(fd, 3, os.SEEK_CUR), os.read(fd, 2).decode(), os.lseek(fd, -1, os.SEEK_END)]))`,
      [path],
    );
    assert.deepEqual(ours, JSON.parse(py.stdout));
  } finally {
    os.close(fd);
  }
  using fds = new Fds();
  const [r] = fds.pipe();
  assert.throws(() => os.lseek(r, 0, os.SEEK_SET), isOSError("ESPIPE"));
});

test("os.open() opens, creates and reports FileNotFoundError", {
  skip: unixOnly("os.open() gives C runtime fds, which this module does not bind on Windows"),
}, () => {
  const path = join(scratchDir("os-open-"), "file");
  const fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600);
  try {
    assert.equal(os.getInheritable(fd), false);
    assert.equal(os.write(fd, bytes("file")), 4);
  } finally {
    os.close(fd);
  }
  const rfd = os.open(path, os.O_RDONLY);
  assert.equal(text(os.read(rfd, 10)), "file");
  os.close(rfd);
  assert.throws(() => os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL), isOSError("EEXIST", "open"));
  assert.throws(
    () => os.open(`${path}.missing`, os.O_RDONLY),
    (e: unknown) => e instanceof FileNotFoundError,
  );
  assert.throws(() => os.open("bad\0path", os.O_RDONLY), TypeError);
  assert.throws(() => os.open(path, os.O_RDONLY, -1), RangeError);
  const unlink = os.open(path, os.O_WRONLY | os.O_TRUNC);
  os.close(unlink);
});

test("os.setInheritable() toggles close-on-exec", () => {
  using fds = new Fds();
  const [r] = fds.pipe();
  os.setInheritable(r, true);
  assert.equal(os.getInheritable(r), true);
  os.setInheritable(r, false);
  assert.equal(os.getInheritable(r), false);
});

test("resource.getrlimit() reads RLIMIT_NOFILE and setrlimit() round-trips it", {
  skip: unixOnly("the resource module is Unix's, as in CPython"),
}, () => {
  const [soft, hard] = resource.getrlimit(resource.RLIMIT_NOFILE);
  assert.ok(soft > 0 && (hard === resource.RLIM_INFINITY || hard >= soft));
  resource.setrlimit(resource.RLIMIT_NOFILE, [soft, hard]);
  assert.deepEqual(resource.getrlimit(resource.RLIMIT_NOFILE), [soft, hard]);
  assert.throws(() => resource.setrlimit(resource.RLIMIT_NOFILE, [-5, hard]), RangeError);
});
