/**
 * Python's `socket` module beyond sockets themselves: constants, names and
 * services, byte order, address helpers, and the Socket methods a ported
 * script reaches for (`dup`, `recvfromInto`, `fromfd`, `sendfile`,
 * `makefile`, inheritance, the default timeout), each against Python's own
 * answer on the same input.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { CLOSED_FD, PYTHON_PEER, test, unixOnly, WINDOWS } from "./_test.ts";
import {
  BlockingIOError,
  ConnectionRefusedError,
  DefaultSelector,
  ERRNO,
  EVENT_READ,
  GaiError,
  HError,
  os,
  OSError,
  socket,
  TimeoutError,
} from "../mod.ts";
import { LIBC, OS, RUNTIME } from "../ffi/_host.ts";
import { SOCKET_TABLES } from "../ffi/constants.ts";
import { EMULATED } from "./_budget.ts";
import { encodeAddress, hostName } from "../_address.ts";
import {
  acceptPeer,
  bytes,
  draws,
  here,
  localResolverUnavailable,
  makeToken,
  python,
  run,
  runScript,
  runtimeCommand,
  scratchDir,
  text,
  withLocalResolver,
} from "./_helpers.ts";

const linux = OS === "linux" ? undefined : "compares with this Linux host's Python";

/** Why this kernel cannot make a VM socket (no AF_VSOCK), or undefined when it can. */
function vsockUnavailable(): string | undefined {
  try {
    new socket.Socket(socket.AF_VSOCK!, socket.SOCK_STREAM).close();
    return undefined;
  } catch (e) {
    return `this kernel makes no AF_VSOCK socket (${(e as Error).message})`;
  }
}

/**
 * Why a child cannot get a network namespace of its own with lo up (`unshare -rn`, then
 * `ip link set lo up`), or undefined when it can: where a packet socket sees no stranger's frames.
 */
function packetNamespaceUnavailable(): string | undefined {
  const r = spawnSync("unshare", ["-rn", "sh", "-c", "ip link set lo up"], { stdio: "pipe" });
  return r.error || r.status !== 0
    ? `no network namespace with lo up here (unshare -rn and ip link: ${
      r.error?.message ?? new TextDecoder().decode(r.stderr).trim()
    })`
    : undefined;
}

/** Runs Python code that prints one JSON value, and returns it. */
async function pythonJson(code: string, args: string[] = [], prefix: string[] = []): Promise<unknown> {
  const r = prefix.length === 0
    ? await python(code, args)
    : await run(prefix[0]!, [...prefix.slice(1), "python3", "-c", code, ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("every constant Python's socket module has on this host has Python's value here", {
  skip: unixOnly(PYTHON_PEER),
}, async () => {
  const ours = Object.entries(socket).filter(([k, v]) =>
    /^[A-Z][A-Z0-9_]+$/.test(k) && typeof v === "number"
  );
  const theirs = await pythonJson(
    "import socket, json, sys; print(json.dumps({k: getattr(socket, k) for k in sys.argv[1:] " +
      "if isinstance(getattr(socket, k, None), int)}))",
    ours.map(([k]) => k),
  ) as Record<string, number>;
  // Python here is built on glibc; under musl, the few names whose musl header
  // differs (SOMAXCONN 128, not 4096) follow musl, as a Python built on musl does.
  const muslOwn = new Set(
    LIBC === "musl"
      ? Object.keys(SOCKET_TABLES.linux).filter((k) =>
        SOCKET_TABLES.linux[k as keyof typeof SOCKET_TABLES.linux] !==
          SOCKET_TABLES["linux-musl"][k as keyof typeof SOCKET_TABLES.linux]
      )
      : [],
  );
  let compared = 0;
  for (const [name, value] of ours) {
    if (!(name in theirs) || muslOwn.has(name)) continue;
    assert.equal(value, theirs[name], name);
    compared++;
  }
  assert.ok(compared > 150, `compared ${compared} constants`);
  // Names this OS lacks are undefined, as Python lacks them.
  const absent = OS === "linux"
    ? ["SO_USELOOPBACK", "IP_RECVDSTADDR", "TCP_NOPUSH", "SCM_CREDS"]
    : ["SO_BINDTODEVICE"];
  for (const name of absent) assert.equal((socket as Record<string, unknown>)[name], undefined, name);
});

test(
  "names and services answer as Python's do: hosts file, services, protocols, interfaces",
  { skip: linux },
  async () => {
    const ours = {
      hostname: socket.gethostname(),
      byName: ["", "<broadcast>", "localhost", "127.1", "0x7f.0.0.1"].map((h) => socket.gethostbyname(h)),
      byNameEx: socket.gethostbynameEx("localhost"),
      byAddr: socket.gethostbyaddr("127.0.0.1"),
      nameinfo: [
        socket.getnameinfo(["127.0.0.1", 80], 0),
        socket.getnameinfo(["127.0.0.1", 53], socket.NI_DGRAM),
        socket.getnameinfo(["127.0.0.1", 22], socket.NI_NUMERICHOST | socket.NI_NUMERICSERV),
        socket.getnameinfo(["::1", 443, 0, 0], socket.NI_NUMERICHOST),
      ],
      fqdn: socket.getfqdn("localhost"),
      servByName: [["http"], ["https", "tcp"], ["domain", "udp"], ["ssh"]].map(([n, p]) =>
        socket.getservbyname(n!, p)
      ),
      servByPort: [[80], [443, "tcp"], [53, "udp"], [22]].map(([n, p]) =>
        socket.getservbyport(n as number, p as string | undefined)
      ),
      proto: ["tcp", "udp", "icmp", "ipv6-icmp"].map((n) => socket.getprotobyname(n)),
      ifaces: socket.ifNameindex(),
      lo: [socket.ifNametoindex("lo"), socket.ifIndextoname(socket.ifNametoindex("lo"))],
    };
    const theirs = await pythonJson(`import socket, json
print(json.dumps({
  "hostname": socket.gethostname(),
  "byName": [socket.gethostbyname(h) for h in ["", "<broadcast>", "localhost", "127.1", "0x7f.0.0.1"]],
  "byNameEx": socket.gethostbyname_ex("localhost"),
  "byAddr": socket.gethostbyaddr("127.0.0.1"),
  "nameinfo": [socket.getnameinfo(("127.0.0.1", 80), 0), socket.getnameinfo(("127.0.0.1", 53), socket.NI_DGRAM),
    socket.getnameinfo(("127.0.0.1", 22), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV),
    socket.getnameinfo(("::1", 443, 0, 0), socket.NI_NUMERICHOST)],
  "fqdn": socket.getfqdn("localhost"),
  "servByName": [socket.getservbyname("http"), socket.getservbyname("https", "tcp"),
    socket.getservbyname("domain", "udp"), socket.getservbyname("ssh")],
  "servByPort": [socket.getservbyport(80), socket.getservbyport(443, "tcp"), socket.getservbyport(53, "udp"),
    socket.getservbyport(22)],
  "proto": [socket.getprotobyname(n) for n in ["tcp", "udp", "icmp", "ipv6-icmp"]],
  "ifaces": socket.if_nameindex(),
  "lo": [socket.if_nametoindex("lo"), socket.if_indextoname(socket.if_nametoindex("lo"))],
}))`);
    const got = JSON.parse(JSON.stringify(ours)), want = theirs as Record<string, unknown>;
    if (LIBC === "musl") {
      // musl's host database lists the name among its own aliases (["localhost"]);
      // glibc's, which Python here is built on, does not.
      for (const key of ["byNameEx", "byAddr"]) {
        delete got[key];
        delete want[key];
      }
    }
    assert.deepEqual(got, want);
  },
);

test(
  "lookups that fail throw what Python raises: OSError, GaiError, HError, RangeError for its OverflowError",
  { skip: unixOnly(PYTHON_PEER) },
  async () => {
    const theirs = await pythonJson(`import socket, json
out = []
for f in [lambda: socket.getservbyname("no-such-service"), lambda: socket.getservbyport(1, "no-such-proto"),
          lambda: socket.getprotobyname("no-such-proto"), lambda: socket.getnameinfo(("localhost", 80), 0),
          lambda: socket.if_nametoindex("nosuch0"), lambda: socket.inet_aton("1.2.3.4.5")]:
    try:
        f(); out.append(None)
    except socket.gaierror as e: out.append(["gaierror", e.errno])
    except OSError as e: out.append(["OSError", e.errno])
print(json.dumps(out))`) as ([string, number | null] | null)[];
    const calls = [
      () => socket.getservbyname("no-such-service"),
      () => socket.getservbyport(1, "no-such-proto"),
      () => socket.getprotobyname("no-such-proto"),
      () => socket.getnameinfo(["localhost", 80], 0),
      () => socket.ifNametoindex("nosuch0"),
      () => socket.inetAton("1.2.3.4.5"),
    ];
    calls.forEach((call, i) => {
      const [kind, errno] = theirs[i]!;
      assert.throws(call, (e) => {
        assert.ok(e instanceof OSError, String(e));
        assert.equal(e instanceof GaiError, kind === "gaierror", `${i}: ${e}`);
        if (kind === "gaierror") assert.equal(e.errno, errno);
        return true;
      });
    });
    for (
      const bad of [() => socket.htons(0x10000), () => socket.htonl(-1), () => socket.getservbyport(65536)]
    ) {
      assert.throws(bad, RangeError);
    }
  },
);

test(
  "gethostbyaddr() of an address no resolver knows is an HError (HOST_NOT_FOUND), asking only a local resolver",
  {
    skip: localResolverUnavailable() ??
      (LIBC === "musl"
        ? "musl's gethostbyaddr answers the address itself as the name (as CPython built on musl does)"
        : undefined),
  },
  async () => {
    await withLocalResolver(async (prefix) => {
      const code = `import socket, json
try: socket.gethostbyaddr("192.0.2.77"); print(json.dumps(None))
except socket.herror as e: print(json.dumps(["herror", e.errno]))
except OSError as e: print(json.dumps(["OSError", e.errno]))`;
      const theirs = await pythonJson(code, [], prefix) as [string, number];
      // Ours runs in the same namespace, as a child of the same prefix.
      const script = `import { socket, HError } from ${
        JSON.stringify(new URL("../mod.ts", import.meta.url).href)
      };
try { socket.gethostbyaddr("192.0.2.77"); console.log("null"); }
catch (e) { console.log(JSON.stringify([e instanceof HError ? "herror" : e.name, e.errno, e.code])); }`;
      const dir = scratchDir("herror-");
      const file = join(dir, "probe.ts");
      writeFileSync(file, script);
      const [cmd, argv] = runtimeCommand(file);
      const r = await run(prefix[0]!, [...prefix.slice(1), cmd, ...argv]);
      assert.equal(r.code, 0, r.stderr);
      const ours = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
      assert.deepEqual(ours.slice(0, 2), theirs);
      assert.equal(ours[2], "HOST_NOT_FOUND");
      assert.ok(HError.prototype instanceof OSError);
    });
  },
);

test("htons/ntohs/htonl/ntohl and inetAton/inetNtoa agree with Python on edge and lenient inputs", {
  skip: unixOnly(PYTHON_PEER),
}, async () => {
  const shorts = [0, 1, 0x1234, 0xff00, 0xffff];
  const longs = [0, 1, 0x12345678, 0xffffffff, 0x80000000];
  const texts = [
    "127.0.0.1",
    "127.1",
    "1",
    "0x7f.1",
    "010.0.0.1",
    "255.255.255.255",
    "256.1.1.1",
    "",
    "a.b.c.d",
    "1.2.3.4.5",
    "0xffffffff",
  ];
  // glibc's inet_aton stops at a space ("1.2.3.4 trailing" is 1.2.3.4), musl's
  // refuses it: Python here is built on glibc.
  if (LIBC !== "musl") texts.push("1.2.3.4 trailing");
  const theirs = await pythonJson(
    `import socket, json, sys
texts = json.loads(sys.argv[1])
def aton(t):
    try: return list(socket.inet_aton(t))
    except OSError: return None
print(json.dumps({
  "s": [[socket.htons(x), socket.ntohs(x)] for x in ${JSON.stringify(shorts)}],
  "l": [[socket.htonl(x), socket.ntohl(x)] for x in ${JSON.stringify(longs)}],
  "aton": [aton(t) for t in texts],
  "ntoa": [socket.inet_ntoa(bytes(b)) for b in [[0,0,0,0],[127,0,0,1],[255,255,255,255]]],
}))`,
    [JSON.stringify(texts)],
  );
  const aton = (t: string) => {
    try {
      return [...socket.inetAton(t)];
    } catch (e) {
      assert.ok(e instanceof OSError && e.code === "EINVAL", String(e));
      return null;
    }
  };
  assert.deepEqual({
    s: shorts.map((x) => [socket.htons(x), socket.ntohs(x)]),
    l: longs.map((x) => [socket.htonl(x), socket.ntohl(x)]),
    aton: texts.map(aton),
    ntoa: [[0, 0, 0, 0], [127, 0, 0, 1], [255, 255, 255, 255]].map((b) => socket.inetNtoa(new Uint8Array(b))),
  }, theirs);
  assert.throws(() => socket.inetNtoa(new Uint8Array(5)), RangeError);
  assert.throws(() => socket.inetAton("1.2.3.4\0"), TypeError);
});

/** `n` address-like strings from a fixed seed: valid forms, their near misses, and noise. */
function addressTexts(n: number): string[] {
  const { below: next, pick } = draws(0x2545f491); // the same inputs on every run
  const octet = () =>
    pick(["0", "1", "9", "10", "99", "255", "256", "00", "01", "010", "0x1", "", String(next(300))]);
  const word = () =>
    pick(["0", "1", "ffff", "FFFF", "abcd", "0000", "00000", "12345", "g", String(next(0x10000))]);
  const v4 = () => Array.from({ length: pick([3, 4, 4, 4, 5]) }, octet).join(".");
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const words = Array.from({ length: next(9) }, word);
    let text = pick([
      () => v4(),
      () => words.join(":"),
      () => words.slice(0, 6).join(":") + ":" + v4(),
      () => `::${words.slice(0, 5).join(":")}`,
      () => `${words.slice(0, 3).join(":")}::${words.slice(3, 6).join(":")}`,
      () => `::${pick(["", "ffff:", "0:"])}${v4()}`,
      () => `${words.slice(0, 2).join(":")}::${v4()}`,
    ])();
    for (let edits = next(4) === 0 ? 1 + next(2) : 0; edits > 0; edits--) { // a near miss
      const at = next(text.length + 1);
      text = text.slice(0, at) + pick([":", ".", "0", "a", " ", "%", ""]) + text.slice(at + next(2));
    }
    out.push(text);
  }
  return out;
}

test("inetPton/inetNtop agree with Python's inet_pton/inet_ntop: leading zeros, embedded IPv4, the :: run", {
  skip: unixOnly(PYTHON_PEER) ?? linux,
}, async () => {
  const texts = [
    ...["1.2.3.4", "0.0.0.0", "255.255.255.255", "01.2.3.4", "1.2.3.00", "1.2.3.256", "1.2.3", "1.2.3.4."],
    ...[
      "::",
      "::1",
      "::2",
      "1::",
      "::1:0",
      "::1.2.3.4",
      "::0.0.0.1",
      "::ffff:1.2.3.4",
      "::ffff:0:0",
      "::fffe:1.2.3.4",
    ],
    ...["1:0:0:2:0:0:0:3", "1:0:0:2:0:0:3:4", "0:0:1::", "1:2:3:4:5:6:7::", "1:2:3:4::5:6:7:8", "::01.2.3.4"],
    ...[
      "1::2:",
      ":1::2",
      "1:::2",
      "1:2:3:4:5:6:1.2.3.4",
      "1:2:3:4:5:6:7:1.2.3.4",
      "ABCD::EF",
      "00001::",
      "fe80::1%1",
    ],
    ...addressTexts(4000),
  ];
  const dir = scratchDir("inet-");
  writeFileSync(join(dir, "texts.json"), JSON.stringify(texts));
  const theirs = await pythonJson(
    `import socket, json, sys
def one(family, text):
    try:
        packed = socket.inet_pton(family, text)
    except OSError:
        return None
    return [packed.hex(), socket.inet_ntop(family, packed)]
texts = json.load(open(sys.argv[1]))
print(json.dumps([[one(socket.AF_INET, t), one(socket.AF_INET6, t)] for t in texts]))`,
    [join(dir, "texts.json")],
  ) as ([string, string] | null)[][];
  const one = (family: number, text: string): [string, string] | null => {
    let packed: Uint8Array;
    try {
      packed = socket.inetPton(family, text);
    } catch (e) {
      assert.ok(e instanceof OSError && e.code === "EINVAL", String(e));
      return null;
    }
    return [
      Array.from(packed, (b) => b.toString(16).padStart(2, "0")).join(""),
      socket.inetNtop(family, packed),
    ];
  };
  let differ = 0;
  let first = "";
  texts.forEach((text, i) => {
    const ours = [one(socket.AF_INET, text), one(socket.AF_INET6, text)];
    if (JSON.stringify(ours) !== JSON.stringify(theirs[i])) {
      if (differ++ === 0) {
        first = `${JSON.stringify(text)}: ours ${JSON.stringify(ours)}, Python ${JSON.stringify(theirs[i])}`;
      }
    }
  });
  assert.equal(differ, 0, `${differ} of ${texts.length} differ; the first: ${first}`);
  // Python formats every IPv6 address it hands out the same way: accept(), getsockname(), getaddrinfo().
  assert.deepEqual(socket.getaddrinfo("::1.2.3.4", 80, socket.AF_INET6, socket.SOCK_STREAM)[0]![4], [
    "::1.2.3.4",
    80,
    0,
    0,
  ]);
});

test(
  "recv(0) returns at once, as CPython's makes no call; setsockopt(level, option, null, optlen) passes C's NULL, as Python's None",
  {
    skip: OS === "linux" ? undefined : "SO_BINDTODEVICE is Linux's",
  },
  () => {
    const [a, b] = socket.socketpair();
    try {
      a.setTimeout(0.2); // a recv(fd, 0) would wait for data, and time out
      assert.deepEqual(a.recv(0), new Uint8Array(0));
      a.setBlocking(true);
      assert.deepEqual(a.recv(0), new Uint8Array(0));
      b.sendall(bytes("x"));
      assert.deepEqual(a.recv(1), bytes("x"), "recv(0) took nothing");
      // SO_BINDTODEVICE with no name unbinds (allowed unprivileged on an unbound socket).
      try {
        a.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE!, null, 0);
      } catch (e) {
        // qemu-user (the aarch64 runs here) copies the name in even at length 0: EFAULT there, never on a kernel.
        if (!(EMULATED && e instanceof OSError && e.code === "EFAULT")) throw e;
      }
      assert.throws(() => a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, null, 4), { code: "EFAULT" });
      assert.throws(() => (a.setsockopt as (...args: unknown[]) => void)(1, 2, null), /needs optlen/);
      assert.throws(() => (a.setsockopt as (...args: unknown[]) => void)(1, 2, 1, 4), /null value only/);
      assert.throws(() => a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, null, -1), RangeError);
    } finally {
      a.close();
      b.close();
    }
    assert.throws(() => a.recv(0), { code: "EBADF" });
  },
);

test(
  "AF_NETLINK takes Python's [pid, groups] addresses: a route dump lists the interfaces ifNameindex() does",
  {
    skip: OS === "linux" ? undefined : "netlink is Linux's",
  },
  () => {
    using nl = new socket.Socket(socket.AF_NETLINK!, socket.SOCK_RAW, socket.NETLINK_ROUTE!);
    nl.bind([0, 0]); // the kernel picks the port id
    const [pid, groups] = nl.getsockname() as socket.NetlinkAddress;
    assert.ok(pid > 0 && groups === 0, `getsockname(): ${pid}, ${groups}`);
    // RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP: a 16-byte nlmsghdr and an empty 16-byte ifinfomsg.
    const request = new Uint8Array(32);
    const req = new DataView(request.buffer);
    req.setUint32(0, 32, true);
    req.setUint16(4, 18, true);
    req.setUint16(6, 0x301, true);
    req.setUint32(8, 1, true);
    const before = new Set(socket.ifNameindex().map(([i]) => i));
    assert.equal(nl.sendto(request, [0, 0]), 32);
    nl.setTimeout(5);
    const indices: number[] = [];
    for (let done = false; !done;) {
      const [data, from] = nl.recvfrom(65536);
      assert.deepEqual(from, [0, 0], "the kernel's address");
      const view = new DataView(data.buffer);
      for (let at = 0; at + 16 <= data.length;) {
        const length = view.getUint32(at, true), type = view.getUint16(at + 4, true);
        if (type === 3 || type === 2) done = true; // NLMSG_DONE, NLMSG_ERROR
        if (type === 16) indices.push(view.getInt32(at + 20, true)); // RTM_NEWLINK: ifinfomsg's index
        at += Math.max((length + 3) & ~3, 16);
      }
    }
    // Interfaces may come and go on a shared machine meanwhile: every one there before and after is
    // in the dump, and nothing that was in neither list.
    const after = new Set(socket.ifNameindex().map(([i]) => i));
    const both = [...after].filter((i) => before.has(i));
    assert.deepEqual(both.filter((i) => !indices.includes(i)), [], `dumped ${indices}`);
    assert.deepEqual(indices.filter((i) => !before.has(i) && !after.has(i)), [], `listed ${[...after]}`);
    assert.ok(indices.includes(socket.ifNametoindex("lo")));
    assert.throws(() => nl.bind([1] as never), /AF_NETLINK address must be \[pid, groups\]/);
    assert.throws(() => nl.connect([0, -1]), RangeError);
  },
);

test("AF_VSOCK addresses are Python's [cid, port]", {
  skip: OS === "linux" ? vsockUnavailable() : "VM sockets here are Linux's",
}, async () => {
  using vs = new socket.Socket(socket.AF_VSOCK!, socket.SOCK_STREAM);
  const theirs = await pythonJson(
    "import socket, json; print(json.dumps(socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM).getsockname()))",
  );
  assert.deepEqual(vs.getsockname(), theirs);
  assert.throws(() => vs.bind(["x", 1] as never), TypeError);
  assert.throws(() => vs.bind([1, 2, 3] as never), /AF_VSOCK address must be \[cid, port\]/);
});

test(
  "AF_PACKET takes and gives Python's [ifname, proto, pkttype, hatype, addr]: a frame sent on lo comes back",
  {
    skip: OS !== "linux" ? "packet sockets are Linux's" : packetNamespaceUnavailable(),
  },
  async () => {
    const token = makeToken();
    const [cmd, argv] = runtimeCommand(here("fixtures/packet_lo.ts"), [token]);
    const r = await run("unshare", ["-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", cmd, ...argv]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      sent: number;
      name: unknown;
      seen: { same: boolean; address: unknown }[];
    };
    const lo = ["lo", 0x88b5, socket.PACKET_HOST, 772, [0, 0, 0, 0, 0, 0]]; // ARPHRD_LOOPBACK, lo's zero address
    assert.equal(out.sent, 14 + token.length);
    assert.deepEqual(out.name, lo);
    assert.deepEqual(out.seen.at(-1), { same: true, address: lo });
    // Bad addresses are refused before any system call.
    assert.throws(() => encodeAddress(socket.AF_PACKET!, ["lo", 70000]), /proto: 70000/);
    assert.throws(() => encodeAddress(socket.AF_PACKET!, ["lo", 1, 0, 0, new Uint8Array(9)]), /at most 8/);
    assert.throws(() => encodeAddress(socket.AF_PACKET!, ["no-such-if0", 1]), { code: "ENODEV" });
    assert.throws(() => encodeAddress(socket.AF_PACKET!, ["lo"]), /AF_PACKET address must be/);
  },
);

/** One call on one end of a socket pair, both implementations run it. */
type PairStep = [call: string, side: 0 | 1, size?: number, how?: number];

/** `count` calls on the two ends of a pair, from a seed. */
function pairSteps(seed: number, count: number): PairStep[] {
  const { below: next, pick } = draws(seed);
  const steps: PairStep[] = [];
  for (let i = 0; i < count; i++) {
    const side = next(2) as 0 | 1, r = next(100);
    if (r < 30) steps.push(["send", side, pick([0, 1, 100, 5000, 300000])]);
    else if (r < 55) steps.push(["recv", side, pick([1, 50, 70000])]);
    else if (r < 65) steps.push(["recvInto", side, pick([1, 64, 4096])]);
    else if (r < 72) steps.push(["shutdown", side, 0, pick([0, 1, 2])]);
    else if (r < 75) steps.push(["close", side]);
    else if (r < 82) steps.push(["soError", side]);
    else if (r < 87) steps.push(["peek", side, 10]);
    else if (r < 92) steps.push(["sendall", side, pick([1, 10, 300000])]);
    else steps.push(["open", side]);
  }
  return steps;
}

/** CPython's side of {@linkcode pairSteps}: each call's outcome, `["ok", ...]` or `["err", errno name]`. */
const PYTHON_PAIR_STEPS = String.raw`
import errno, json, socket, sys
steps = json.loads(sys.stdin.read())
result = {}
for kind in sys.argv[1:]:
    ends = list(socket.socketpair(socket.AF_UNIX, getattr(socket, kind)))
    for end in ends: end.setblocking(False)
    out = []
    for call, side, size, how in [s + [0] * (4 - len(s)) for s in steps]:
        x = ends[side]
        try:
            if call == "send": out.append(["ok", x.send(b"z" * size) > 0])
            elif call == "sendall": x.sendall(b"q" * size); out.append(["ok"])
            elif call == "recv": out.append(["ok", len(x.recv(size)) > 0])
            elif call == "recvInto": out.append(["ok", x.recv_into(bytearray(size)) > 0])
            elif call == "peek": out.append(["ok", len(x.recv(size, socket.MSG_PEEK)) > 0])
            elif call == "shutdown": x.shutdown(how); out.append(["ok"])
            elif call == "close": x.close(); out.append(["ok"])
            elif call == "soError": out.append(["ok", x.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)])
            elif call == "open": out.append(["ok", x.fileno() >= 0])
        except OSError as e: out.append(["err", errno.errorcode.get(e.errno, str(e.errno))])
    for end in ends: end.close()
    result[kind] = out
print(json.dumps(result))
`;

test(
  "random calls on non-blocking socket pairs give CPython's outcomes: sends, partial sendall, peeks, shutdowns, closes",
  {
    skip: OS === "linux" ? undefined : "compares with this Linux host's Python",
  },
  async () => {
    // AF_UNIX only: its buffers fill and drain the same way in both processes (TCP's autotuning need not).
    const kinds = ["SOCK_STREAM", "SOCK_DGRAM", "SOCK_SEQPACKET"] as const;
    for (let round = 0; round < 6; round++) {
      const seed = Math.floor(Math.random() * 2 ** 31);
      const steps = pairSteps(seed, 150);
      const r = await run("python3", ["-c", PYTHON_PAIR_STEPS, ...kinds], { input: JSON.stringify(steps) });
      assert.equal(r.code, 0, r.stderr);
      const theirs = JSON.parse(r.stdout) as Record<string, unknown[]>;
      for (const kind of kinds) {
        const ends = socket.socketpair(socket.AF_UNIX, socket[kind]);
        const ours: unknown[] = [];
        try {
          for (const end of ends) end.setBlocking(false);
          for (const [call, side, size = 0, how = 0] of steps) {
            const x = ends[side];
            try {
              if (call === "send") ours.push(["ok", x.send(new Uint8Array(size).fill(122)) > 0]);
              else if (call === "sendall") ours.push((x.sendall(new Uint8Array(size)), ["ok"]));
              else if (call === "recv") ours.push(["ok", x.recv(size).length > 0]);
              else if (call === "recvInto") ours.push(["ok", x.recvInto(new Uint8Array(size)) > 0]);
              else if (call === "peek") ours.push(["ok", x.recv(size, socket.MSG_PEEK).length > 0]);
              else if (call === "shutdown") ours.push((x.shutdown(how), ["ok"]));
              else if (call === "close") ours.push((x.close(), ["ok"]));
              else if (call === "soError") {
                ours.push(["ok", x.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)]);
              } else if (call === "open") ours.push(["ok", x.fileno() >= 0]);
            } catch (e) {
              if (!(e instanceof OSError)) throw e;
              ours.push(["err", e.code]);
            }
          }
        } finally {
          for (const end of ends) end.close();
        }
        const at = ours.findIndex((o, i) => JSON.stringify(o) !== JSON.stringify(theirs[kind]![i]));
        assert.equal(
          at,
          -1,
          `${kind}, seed ${seed}: step ${at} ${JSON.stringify(steps[at])}: ours ${
            JSON.stringify(ours[at])
          }, CPython's ${JSON.stringify(theirs[kind]![at])}`,
        );
      }
    }
  },
);

test("ipMreq() and ipv6Mreq() join multicast groups on loopback, and a datagram to the group arrives", {
  skip: EMULATED ? "qemu-user does not translate IP_MULTICAST_IF (ENOPROTOOPT)" : undefined,
}, () => {
  using rx = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
  rx.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  rx.bind(["0.0.0.0", 0]);
  const port = (rx.getsockname() as [string, number])[1];
  rx.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.ipMreq("239.255.42.99", "127.0.0.1"));
  using tx = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
  tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inetAton("127.0.0.1"));
  tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1);
  tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 0);
  tx.sendto(bytes("to the group"), ["239.255.42.99", port]);
  rx.setTimeout(10);
  assert.equal(text(rx.recv(64)), "to the group");
  rx.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, socket.ipMreq("239.255.42.99", "127.0.0.1"));
  assert.equal(socket.ipv6Mreq("ff02::1:3", 1).length, 20);
  assert.deepEqual([...socket.ipv6Mreq("ff02::1", 0x01020304).subarray(16)], [4, 3, 2, 1]);
  assert.throws(() => socket.ipMreq("239.1.2"), OSError);
});

test("new Socket(undefined, undefined, undefined, fd) and fromfd() learn family, type and proto from the kernel", () => {
  using server = socket.createServer(["127.0.0.1", 0]);
  using udp6 = new socket.Socket(socket.AF_INET6, socket.SOCK_DGRAM);
  for (const s of [server, udp6]) {
    using adopted = new socket.Socket(undefined, undefined, undefined, os.dup(s.fileno()));
    assert.deepEqual([adopted.family, adopted.type], [s.family, s.type]);
    using copy = socket.fromfd(s);
    assert.deepEqual([copy.family, copy.type], [s.family, s.type]);
    assert.notEqual(copy.fileno(), s.fileno());
    assert.equal(copy.getInheritable(), false);
  }
  assert.throws(
    () => socket.fromfd(server, socket.AF_INET6),
    RangeError,
    "a family that disagrees with the kernel",
  );
  assert.throws(() => socket.fromfd(server, socket.AF_INET, socket.SOCK_DGRAM), RangeError);
  if (WINDOWS) return; // os.pipe() gives sockets there
  const [r, w] = os.pipe();
  try {
    assert.throws(() => socket.fromfd(r), (e) => e instanceof OSError && e.code === "ENOTSOCK");
  } finally {
    os.close(r);
    os.close(w);
  }
});

test("dup(), setInheritable(), timeout, familyName/typeName and toString() as Python's dup, set_inheritable, timeout and repr", () => {
  using s = socket.createServer(["127.0.0.1", 0]);
  s.setTimeout(1.5);
  using d = s.dup();
  assert.deepEqual([d.family, d.type, d.proto, d.timeout], [s.family, s.type, s.proto, 1.5]);
  assert.equal(d.getInheritable(), false);
  d.setInheritable(true);
  assert.equal(os.getInheritable(d.fileno()), true);
  assert.equal(s.getInheritable(), false, "the original's flag is its own");
  assert.equal(s.familyName, "AF_INET");
  assert.equal(s.typeName, "SOCK_STREAM");
  const [host, port] = s.getsockname() as [string, number];
  assert.equal(
    String(s),
    `Socket(fd=${s.fileno()}, family=AF_INET, type=SOCK_STREAM, proto=0, laddr=["${host}",${port}])`,
  );
  s.close();
  assert.equal(String(s), "Socket([closed] fd=-1, family=AF_INET, type=SOCK_STREAM, proto=0)");
});

test("setDefaultTimeout() applies to sockets made after it (new and accepted), as Python's setdefaulttimeout", () => {
  assert.equal(socket.getDefaultTimeout(), null);
  socket.setDefaultTimeout(2.5);
  try {
    using a = new socket.Socket();
    assert.equal(a.timeout, 2.5);
    using server = socket.createServer(["127.0.0.1", 0]);
    using _client = socket.createConnection(server.getsockname() as [string, number]);
    const [conn] = server.accept();
    using _c = conn;
    assert.equal(conn.timeout, 2.5);
    if (socket.SOCK_NONBLOCK !== undefined) { // not on Windows, as in CPython
      using nb = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK);
      assert.equal(nb.timeout, 0, "SOCK_NONBLOCK wins over the default");
    }
    assert.throws(() => socket.setDefaultTimeout(-1), RangeError);
    assert.throws(() => socket.setDefaultTimeout("1" as never), TypeError);
    // CPython's clock holds 2^63 ns: 9.2e9 s is a timeout, 9.3e9 and 1e300 an OverflowError (a RangeError here).
    socket.setDefaultTimeout(9.2e9);
    assert.equal(socket.getDefaultTimeout(), 9.2e9);
    for (const t of [9.3e9, 1e300, Number.MAX_VALUE]) {
      assert.throws(() => socket.setDefaultTimeout(t), /out of range/, String(t));
      assert.throws(() => a.setTimeout(t), /out of range/, String(t));
    }
  } finally {
    socket.setDefaultTimeout(null);
  }
  using b = new socket.Socket();
  assert.equal(b.timeout, null);
});

test("recvfromInto() fills the caller's buffer and names the sender, a Python UDP peer", {
  skip: unixOnly(PYTHON_PEER),
}, async () => {
  using rx = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
  rx.bind(["127.0.0.1", 0]);
  rx.setTimeout(30);
  const [, port] = rx.getsockname() as [string, number];
  const peer = python(
    `import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
s.sendto(b"hello from python", ("127.0.0.1", int(sys.argv[1])))`,
    [String(port)],
  );
  const buf = new Uint8Array(64);
  const [n, from] = rx.recvfromInto(buf, 10);
  const out = await peer;
  assert.equal(out.code, 0, out.stderr);
  assert.equal(n, 10);
  assert.equal(text(buf.subarray(0, n)), "hello from");
  assert.deepEqual(from, ["127.0.0.1", Number(out.stdout.trim())]);
  assert.throws(() => rx.recvfromInto(new Uint8Array(0)), RangeError);
  assert.throws(() => rx.recvfromInto(buf, 65), RangeError);
});

test("sendfile() sends a file's range zero-copy and leaves the offset after it, as Python's sendfile", {
  skip: unixOnly(PYTHON_PEER),
}, async () => {
  const dir = scratchDir("sendfile-");
  const path = join(dir, "data.bin");
  const data = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 7 + (i >> 9)) & 0xff);
  writeFileSync(path, data);
  using server = socket.createServer(["127.0.0.1", 0]);
  server.setTimeout(30);
  const token = makeToken();
  const peer = python(
    `import hashlib, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.sendall(sys.argv[2].encode())
h = hashlib.sha256(); n = 0
while True:
    b = s.recv(65536)
    if not b: break
    h.update(b); n += len(b)
print(n, h.hexdigest())`,
    [String((server.getsockname() as [string, number])[1]), token],
  );
  const conn = acceptPeer(server, token);
  const fd = os.open(path, os.O_RDONLY);
  try {
    conn.setTimeout(30);
    assert.equal(conn.sendfile(fd, 100, 2 * 1024 * 1024), 2 * 1024 * 1024);
    assert.equal(conn.sendfile(fd, 2 * 1024 * 1024 + 100), data.length - (2 * 1024 * 1024 + 100));
    // The file's offset is after what was sent: a read there is at the end.
    assert.equal(os.read(fd, 10).length, 0);
    conn.close();
  } finally {
    os.close(fd);
  }
  const r = await peer;
  assert.equal(r.code, 0, r.stderr);
  const expected = createHash("sha256").update(data.subarray(100)).digest("hex");
  assert.equal(r.stdout.trim(), `${data.length - 100} ${expected}`);
  using udp = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
  assert.throws(() => udp.sendfile(0), RangeError);
  using nb = new socket.Socket();
  nb.setBlocking(false);
  assert.throws(() => nb.sendfile(0), RangeError, "non-blocking sockets are refused, as in Python");
});

test("makefile() reads lines, exact counts and the rest from a Python peer, and writes buffered", {
  skip: unixOnly(PYTHON_PEER),
}, async () => {
  using server = socket.createServer(["127.0.0.1", 0]);
  server.setTimeout(30);
  const token = makeToken();
  const peer = python(
    `import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.sendall(sys.argv[2].encode())
f = s.makefile("rwb")
f.write(b"first line\\r\\nsecond\\n" + b"x" * 20000 + b"\\nHEAD" + bytes(range(256)) + b"tail without newline")
f.flush(); s.shutdown(socket.SHUT_WR)
print(f.readline().decode().strip(), f.read(5).decode())`,
    [String((server.getsockname() as [string, number])[1]), token],
  );
  const conn = acceptPeer(server, token);
  using _c = conn;
  using f = conn.makefile("rwb", 1024);
  assert.equal(text(f.readline()), "first line\r\n");
  assert.equal(text(f.readline(3)), "sec", "a limit cuts the line");
  assert.equal(text(f.readline()), "ond\n");
  const long = f.readline();
  assert.equal(long.length, 20001, "a line longer than the buffer grows it");
  assert.equal(text(f.readExactly(4)), "HEAD");
  assert.deepEqual([...f.readExactly(256)], Array.from({ length: 256 }, (_, i) => i));
  f.write(bytes("reply line\n"));
  f.write(bytes("abcdefgh"));
  f.flush();
  assert.equal(text(f.read()!), "tail without newline");
  assert.equal(f.read()!.length, 0, "the end of the stream");
  assert.equal(f.readline().length, 0);
  assert.throws(
    () => f.readExactly(1),
    (e) => e instanceof socket.IncompleteReadError && e.partial.length === 0,
  );
  const r = await peer;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), "reply line abcde");
  f.close();
  assert.equal(conn.fileno() >= 0, true, "closing the file leaves the socket open");
  assert.throws(() => f.readline(), RangeError);
  assert.throws(() => conn.makefile("r+"), RangeError);
});

test(
  "makefile() text modes read and write as Python's TextIOWrapper: every newline mode, UTF-8 split across receives, Latin-1",
  {
    skip: unixOnly(PYTHON_PEER),
  },
  async () => {
    // \r at the end of one receive and \n at the start of the next: the file reads one byte per receive.
    const sample = "one\r\ntwo\rthree\nfour\r\r\nfünf ☃ \u{1F600}\rlast";
    const data = new TextEncoder().encode(sample);
    const modes: Array<null | "" | "\n" | "\r" | "\r\n"> = [null, "", "\n", "\r", "\r\n"];
    const ours: unknown[] = [];
    for (const newline of modes) {
      const [a, b] = socket.socketpair();
      using _a = a;
      using _b = b;
      a.sendall(data);
      a.shutdown(socket.SHUT_WR);
      const f = b.makefile("r", 1, { newline });
      ours.push([f.readline(2), ...f.readlines()]);
    }
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    a.sendall(new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a, 0x80, 0x0a]));
    a.shutdown(socket.SHUT_WR);
    const latin = b.makefile("r", null, { encoding: "latin-1" });
    ours.push(latin.readlines());
    const written: string[] = [];
    for (const newline of modes) {
      const [c, d] = socket.socketpair();
      using _c = c;
      using _d = d;
      const w = c.makefile("w", null, { newline });
      assert.equal(w.write("a\nb\r\nc"), 6, "write() counts characters");
      w.flush();
      c.shutdown(socket.SHUT_WR);
      written.push(JSON.stringify(text(d.makefile("rb").read()!)));
    }
    ours.push(written);
    const theirs = await pythonJson(
      `import io, json, sys
data = sys.argv[1].encode()
out = []
for nl in [None, "", "\\n", "\\r", "\\r\\n"]:
    f = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=nl)
    out.append([f.readline(2)] + f.readlines())
f = io.TextIOWrapper(io.BytesIO(bytes([0x63, 0x61, 0x66, 0xe9, 0x0a, 0x80, 0x0a])), encoding="latin-1")
out.append(f.readlines())
written = []
for nl in [None, "", "\\n", "\\r", "\\r\\n"]:
    b = io.BytesIO(); w = io.TextIOWrapper(b, encoding="utf-8", newline=nl); w.write("a\\nb\\r\\nc"); w.flush()
    written.append(json.dumps(b.getvalue().decode()))
out.append(written)
print(json.dumps(out))`,
      [sample],
    );
    assert.deepEqual(ours, theirs);
    // Bad bytes: strict throws (Python: UnicodeDecodeError), replace gives U+FFFD.
    const [e, g] = socket.socketpair();
    using _e = e;
    using _g = g;
    e.sendall(new Uint8Array([0x61, 0xff, 0x0a]));
    assert.throws(() => g.makefile("r").readline(), TypeError);
    const [h, k] = socket.socketpair();
    using _h = h;
    using _k = k;
    h.sendall(new Uint8Array([0x61, 0xff, 0x0a]));
    assert.equal(k.makefile("r", null, { errors: "replace" }).readline(), "a\ufffd\n");
    assert.ok(k.makefile() instanceof socket.SocketTextFile, 'makefile() is text, as Python\'s default "r"');
    assert.throws(
      () => k.makefile("w", null, { encoding: "utf-16" }),
      RangeError,
      "writing: UTF-8, Latin-1, ASCII",
    );
    assert.throws(() => k.makefile("r", null, { newline: "x" as never }), RangeError);
  },
);

test("makefile() on a non-blocking socket returns what is there; on a timeout it throws, then refuses to read", () => {
  const [a, b] = socket.socketpair();
  using _a = a;
  using _b = b;
  b.setBlocking(false);
  const f = b.makefile("rb");
  assert.equal(f.read(), null, "nothing yet: null, as Python's BufferedReader.read() returns None");
  assert.equal(f.readline().length, 0);
  a.sendall(bytes("partial"));
  assert.equal(text(f.readline()), "partial", "what has arrived of the line");
  a.sendall(bytes("abc"));
  assert.throws(() => f.readExactly(5), BlockingIOError);
  a.sendall(bytes("de\n"));
  assert.equal(text(f.readExactly(5)), "abcde", "the bytes stayed buffered");
  assert.equal(text(f.read1()!), "\n");
  b.setTimeout(0.05);
  const g = b.makefile("rb");
  assert.throws(() => g.read(1), TimeoutError);
  a.sendall(bytes("late"));
  assert.throws(() => g.read(1), (e) => e instanceof OSError && /timed out object/.test(e.message));
});

/**
 * The scenario of makefile("wb") on a socket with a timeout whose peer is not
 * reading, in one thread: write `chunk`-byte pieces until a write times out,
 * then drain the peer and flush until the flush succeeds. Python's version
 * of the same steps prints its own numbers for comparison.
 */
const WRITER_TIMEOUT_PY = `import socket, sys
chunk = int(sys.argv[1])
a, b = socket.socketpair(); a.settimeout(0.05); b.setblocking(False)
f = a.makefile("wb"); accepted = 0
try:
    while True: accepted += f.write(b"x" * chunk)
except TimeoutError: pass
got = 0
def drain():
    global got
    while True:
        try: d = b.recv(1 << 20)
        except BlockingIOError: return
        got += len(d)
while True:
    drain()
    try: f.flush(); break
    except TimeoutError: pass
a.shutdown(socket.SHUT_WR); b.setblocking(True)
while (d := b.recv(1 << 20)): got += len(d)
print(accepted == got)`;

for (const chunk of [1000, 7000, 100_000]) {
  test(
    `makefile("wb") with a timeout: the peer gets exactly what write() accepted, ${chunk}-byte writes, as Python's`,
    {
      skip: unixOnly(PYTHON_PEER),
    },
    async () => {
      const [a, b] = socket.socketpair();
      using _a = a;
      using _b = b;
      a.setTimeout(0.05);
      b.setBlocking(false);
      const f = a.makefile("wb");
      const piece = new Uint8Array(chunk).fill(120);
      let accepted = 0;
      let threw: unknown = null;
      for (let i = 0; i < 1_000_000 && threw === null; i++) {
        try {
          accepted += f.write(piece);
        } catch (e) {
          threw = e;
        }
      }
      assert.ok(threw instanceof TimeoutError, `a write timed out: ${threw}`);
      let got = 0;
      const drain = (): void => {
        for (;;) {
          try {
            got += b.recv(1 << 20).length;
          } catch (e) {
            if (e instanceof BlockingIOError) return;
            throw e;
          }
        }
      };
      for (let rounds = 0;; rounds++) {
        assert.ok(rounds < 10_000, "the flush ends");
        drain();
        try {
          f.flush();
          break;
        } catch (e) {
          if (!(e instanceof TimeoutError)) throw e; // the rest stays buffered: flush again
        }
      }
      a.shutdown(socket.SHUT_WR);
      b.setBlocking(true);
      for (let d = b.recv(1 << 20); d.length > 0; d = b.recv(1 << 20)) got += d.length;
      assert.equal(got, accepted, "received = accepted (no byte lost, none extra)");
      const r = await python(WRITER_TIMEOUT_PY, [String(chunk)]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), "True", "Python's BufferedWriter: the same");
    },
  );
}

test('makefile("wb") on a full non-blocking socket buffers what fits and says how much (charactersWritten), as Python', () => {
  const [a, b] = socket.socketpair();
  using _a = a;
  using _b = b;
  a.setBlocking(false);
  b.setBlocking(false);
  const f = a.makefile("wb", 4096);
  const piece = new Uint8Array(3000).fill(7);
  let accepted = 0;
  let blocked: BlockingIOError | null = null;
  for (let i = 0; i < 100_000 && blocked === null; i++) {
    try {
      accepted += f.write(piece);
    } catch (e) {
      if (!(e instanceof BlockingIOError)) throw e;
      blocked = e;
    }
  }
  assert.ok(blocked, "a write would have blocked");
  assert.ok(
    blocked.charactersWritten >= 0 && blocked.charactersWritten < piece.length,
    `${blocked.charactersWritten}`,
  );
  accepted += blocked.charactersWritten;
  let got = 0;
  for (let rounds = 0;; rounds++) {
    assert.ok(rounds < 100_000, "the flush ends");
    try {
      for (;;) got += b.recv(1 << 20).length;
    } catch (e) {
      if (!(e instanceof BlockingIOError)) throw e;
    }
    try {
      f.flush();
      break;
    } catch (e) {
      if (!(e instanceof BlockingIOError)) throw e;
    }
  }
  try {
    for (;;) got += b.recv(1 << 20).length;
  } catch (e) {
    if (!(e instanceof BlockingIOError)) throw e;
  }
  assert.equal(got, accepted, "received = written + charactersWritten");
});

test("makefile(mode, -1) and makefile(mode, null) take the default buffer; readline(2 ** 31) and read(2 ** 40) are limits, not errors", () => {
  const [a, b] = socket.socketpair();
  using _a = a;
  using _b = b;
  const f = b.makefile("rb", -1);
  b.makefile("rb", null).close();
  a.sendall(bytes("one\ntwo"));
  a.shutdown(socket.SHUT_WR);
  assert.equal(text(f.readline(2 ** 31)), "one\n");
  assert.equal(text(f.read(2 ** 40)!), "two");
  assert.throws(
    () => b.makefile("rb", 2 ** 40),
    RangeError,
    "a buffer past 1 GiB is refused before it is made",
  );
  assert.throws(() => f.readline(2 ** 60), RangeError, "not a safe integer");
});

test("recvfrom() gives an address with no null check: the sender on UDP, the connected peer on TCP (Python: None)", () => {
  using rx = new socket.Socket<socket.IPv4Address>(socket.AF_INET, socket.SOCK_DGRAM);
  rx.bind(["127.0.0.1", 0]);
  using tx = new socket.Socket<socket.IPv4Address>(socket.AF_INET, socket.SOCK_DGRAM);
  tx.bind(["127.0.0.1", 0]);
  tx.sendto(bytes("udp"), rx.getsockname());
  const [data, from] = rx.recvfrom(64);
  const [host, port]: readonly [string, number] = from; // typed: no `!`, no cast
  assert.equal(text(data), "udp");
  assert.deepEqual([host, port], tx.getsockname());
  using server = socket.createServer(["127.0.0.1", 0]);
  using client = socket.createConnection(server.getsockname() as socket.IPv4Address);
  const [conn] = server.accept();
  using _conn = conn;
  client.sendall(bytes("tcp"));
  const buf = new Uint8Array(8);
  const [n, peer] = conn.recvfromInto(buf);
  assert.equal(text(buf.subarray(0, n)), "tcp");
  assert.deepEqual(peer, client.getsockname(), "the connected peer");
});

test("recv(), recvfrom(), os.read() give Uint8Array<ArrayBuffer>, and addresses their family's type: no casts", async () => {
  const [a, b] = socket.socketpair();
  using _a = a;
  using _b = b;
  a.sendall(bytes("abc"));
  const data: Uint8Array<ArrayBuffer> = b.recv(16);
  const digest = await crypto.subtle.digest("SHA-256", data);
  assert.equal(digest.byteLength, 32);
  assert.equal(await new Blob([data]).text(), "abc");
  // Addresses are typed by how the socket was made: no `as [string, number]`.
  using server = socket.createServer(["127.0.0.1", 0]);
  const [host, port] = server.getsockname();
  const h: string = host, p: number = port;
  assert.equal(h, "127.0.0.1");
  assert.ok(p > 0);
  if (!WINDOWS) { // there a socketpair is loopback TCP
    const path: string = a.getsockname(); // a socketpair's AF_UNIX name: a string ("" when unnamed)
    assert.equal(path, "");
  }
  const opt: number = a.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE);
  const raw: Uint8Array<ArrayBuffer> = a.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 4);
  assert.equal(opt, socket.SOCK_STREAM);
  assert.equal(raw.length, 4);
});

test("socket.close(fd), socket.dup(fd), SocketType, hasIpv6 and sethostname() as Python's module has them", {
  skip: unixOnly(PYTHON_PEER),
}, async () => {
  const [a, b] = socket.socketpair();
  using _b = b;
  const copy = socket.dup(a.fileno());
  assert.notEqual(copy, a.fileno());
  assert.equal(os.getInheritable(copy), false);
  socket.close(copy);
  assert.throws(() => socket.close(copy), (e) => e instanceof OSError && e.code === "EBADF");
  using wrapped = new socket.SocketType(undefined, undefined, undefined, a.detach());
  assert.equal(wrapped.family, socket.AF_UNIX);
  assert.equal(socket.hasIpv6, true);
  // Unprivileged (or in this namespace's UTS): what Python says, ours says.
  const theirs = await python(`import socket
try: socket.sethostname(socket.gethostname()); print("ok")
except OSError as e: print(e.errno)`);
  let ours: string;
  try {
    socket.sethostname(socket.gethostname());
    ours = "ok";
  } catch (e) {
    ours = String((e as OSError).errno);
  }
  assert.equal(ours, theirs.stdout.trim());
});

test("an OSError's stack starts at the caller's frame, not inside the library", () => {
  let stack = "";
  try {
    os.close(0x7ffffff0);
  } catch (e) {
    stack = (e as Error).stack ?? "";
  }
  const frames = stack.split("\n").filter((l) => /^\s+at /.test(l));
  assert.ok(frames.length > 0, stack);
  assert.match(frames[0]!, /socket_module_test\.ts/, stack);
  assert.doesNotMatch(stack, /errors\.ts|ffi\/mod\.ts/, stack);
});

test("an uncaught OSError under Bun shows the caller's line as its source, not errors.ts", {
  skip: RUNTIME !== "bun"
    ? "Bun prints an uncaught error's source line from its stack; Deno from V8's own frames"
    : undefined,
}, async () => {
  const r = await runScript(here("./fixtures/uncaught_oserror.ts"));
  assert.notEqual(r.code, 0);
  assert.match(
    r.stderr,
    /os\.close\(0x7ffffff0\); \/\/ the line an uncaught OSError's report points at/,
    r.stderr,
  );
  assert.match(r.stderr, new RegExp(CLOSED_FD));
  assert.doesNotMatch(r.stderr, /errors\.ts|ffi[\\/]mod\.ts|new cls\(/, r.stderr);
});

test("a selector typed by its file objects gives keys whose fileobj needs no cast", () => {
  using sel = new DefaultSelector<string, socket.Socket>();
  const [a, b] = socket.socketpair();
  using _a = a;
  using _b = b;
  const key = sel.register(b, EVENT_READ, "b");
  const sock: socket.Socket = key.fileobj; // typed: no `as socket.Socket`
  a.sendall(bytes("x"));
  for (const [k] of sel.select(5)) assert.equal(text(k.fileobj.recv(1)), "x");
  assert.equal(sock, b);
  // @ts-expect-error: a selector of sockets takes sockets only
  assert.throws(() => sel.register("not a socket", EVENT_READ), TypeError);
  // unregister and getKey still look up by fd number, as in Python.
  assert.equal(sel.getKey(b.fileno()).fileobj, b);
});

test("host names are IDNA-checked as Python's socket module does, before any resolver sees them", {
  skip: unixOnly(PYTHON_PEER),
}, async () => {
  const bad = ["a".repeat(64), "a..b", ".", "..", "x." + "b".repeat(100) + ".y", "9".repeat(1 << 20)];
  const theirs = await pythonJson(
    `import socket, json, sys
out = []
for h in json.loads(sys.stdin.read()):
    try: socket.getaddrinfo(h, 80, 0, 0, 0, socket.AI_NUMERICHOST); out.append("resolved")
    except UnicodeError: out.append("UnicodeError")
    except OSError: out.append("gaierror")
print(json.dumps(out))`.replace("sys.stdin.read()", "sys.argv[1]"),
    [JSON.stringify(bad.slice(0, 5))],
  ) as string[];
  assert.deepEqual(theirs, bad.slice(0, 5).map(() => "UnicodeError"));
  for (const h of bad) {
    assert.throws(() => socket.getaddrinfo(h, 80), RangeError, h.slice(0, 20));
    assert.throws(() => socket.gethostbyname(h), RangeError);
    assert.throws(() => socket.createConnection([h, 80]), RangeError);
  }
  // A trailing dot is a fully qualified name; a non-ASCII name goes out in its xn-- form.
  const encoded = await pythonJson(
    `import json; print(json.dumps("bücher.example.".encode("idna").decode()))`,
  );
  assert.equal(new TextDecoder().decode(hostName("bücher.example.").subarray(0, -1)), encoded);
});

test("getaddrinfoAsync() lets the event loop run while a slow resolver answers; getaddrinfo() blocks it", {
  skip: localResolverUnavailable(),
}, async () => {
  await withLocalResolver(async (prefix) => {
    const result = async (mode: string) => {
      const [cmd, argv] = runtimeCommand(here("fixtures/async_lookup.ts"), [mode]);
      const r = await run(prefix[0]!, [...prefix.slice(1), cmd, ...argv]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { ticks: number; ms: number; code: string };
    };
    const async = await result("async");
    assert.equal(async.code, "EAI_NONAME");
    assert.ok(async.ms >= 500, `the answer took ${async.ms} ms`);
    assert.ok(async.ticks >= 10, `timers ran while it waited: ${async.ticks} ticks in ${async.ms} ms`);
    const blocking = await result("blocking");
    assert.equal(blocking.code, "EAI_NONAME");
    assert.ok(
      blocking.ticks <= 1,
      `the blocking lookup held the loop: ${blocking.ticks} ticks in ${blocking.ms} ms`,
    );
  }, 600);
});

/** What a call gave: its results as sorted JSON, or its error's class, code and message. */
async function outcome(call: () => unknown): Promise<string> {
  try {
    const r = await call();
    return Array.isArray(r) ? JSON.stringify(r.map((x) => JSON.stringify(x)).sort()) : JSON.stringify(r);
  } catch (e) {
    const err = e as Error & { code?: string };
    return `${err.constructor.name} ${err.code ?? ""} ${err.message.slice(0, 200)}`;
  }
}

test(
  "getaddrinfoAsync() checks and answers as getaddrinfo() does: empty and bad hosts, types, protocols, ports, scopes",
  {
    skip: unixOnly("the scope names are Unix interface names"),
  },
  async () => {
    const cases: Array<[string, unknown[]]> = [
      ["empty host", ["", 80]],
      ["socktype -1", ["localhost", 80, 0, -1]],
      ["socktype -1, numeric", ["127.0.0.1", 80, 0, -1]],
      ["proto NaN", ["localhost", 80, 0, 0, NaN]],
      ["proto as a string", ["localhost", 80, 0, 0, "6"]],
      ["proto 99", ["localhost", 80, 0, 0, 99]],
      ["proto 99, stream", ["localhost", 80, 0, socket.SOCK_STREAM, 99]],
      ["a scoped IPv6 address", ["fe80::1%lo", 80]],
      ["a string port", ["localhost", "80"]],
      ["a service name", ["localhost", "http", 0, socket.SOCK_STREAM]],
      ["an unknown service", ["localhost", "no-such-service"]],
      ["a NUL in the host", ["local\0host", 80]],
      ["a 64-character label", ["a".repeat(64) + ".example", 80]],
      ["an empty label", ["a..b", 80]],
      ["a 1 000 000-character host", ["x".repeat(1_000_000), 80]],
      ["a family the runtime has no word for", ["localhost", 80, socket.AF_UNIX]],
      ["port as an object", ["localhost", {}]],
      ["localhost, IPv4", ["localhost", 80, socket.AF_INET, socket.SOCK_STREAM]],
    ];
    for (const [what, args] of cases) {
      const sync = await outcome(() => (socket.getaddrinfo as (...a: unknown[]) => unknown)(...args));
      const async = await outcome(() => (socket.getaddrinfoAsync as (...a: unknown[]) => unknown)(...args));
      assert.equal(async, sync, what);
    }
    const found = await socket.getaddrinfoAsync("fe80::1%lo", 80);
    assert.deepEqual(
      found[0]?.[4],
      ["fe80::1", 80, 0, socket.ifNametoindex("lo")],
      "the scope id, not %lo in the host",
    );
  },
);

test(
  "getnameinfo() takes flowinfo and scope from the tuple (fe80::1%lo gives fe80::1), getfqdn('::') is this host, as CPython",
  {
    skip: unixOnly(PYTHON_PEER),
  },
  async () => {
    const flags = socket.NI_NUMERICHOST | socket.NI_NUMERICSERV;
    const ours = [
      socket.getnameinfo(["fe80::1%lo", 0], flags),
      socket.getnameinfo(["fe80::1", 0, 0, socket.ifNametoindex("lo")], flags),
    ];
    const theirs = await pythonJson(
      `import socket, json; f = socket.NI_NUMERICHOST | socket.NI_NUMERICSERV
print(json.dumps([socket.getnameinfo(("fe80::1%lo", 0), f), socket.getnameinfo(("fe80::1", 0, 0, socket.if_nametoindex("lo")), f)]))`,
    );
    assert.deepEqual(ours, theirs);
    assert.equal(socket.getfqdn("::"), socket.getfqdn(""), "'::' is this host, as '' and '0.0.0.0'");
  },
);

test(
  "errors print as Python's (class, [Errno N] text, a path quoted) and are where Python has them: socket.error, timeout, gaierror, herror",
  {
    skip: unixOnly(PYTHON_PEER),
  },
  async () => {
    assert.equal(socket.error, OSError);
    assert.equal(socket.timeout, TimeoutError);
    assert.equal(socket.TimeoutError, TimeoutError);
    assert.equal(socket.gaierror, GaiError);
    assert.equal(socket.herror, HError);
    const ours: string[] = [];
    const say = (e: unknown): void => {
      ours.push(`${(e as Error).name}: ${(e as Error).message}`);
    };
    const made = new OSError(ERRNO.ECONNREFUSED, "Connection refused");
    assert.ok(made instanceof ConnectionRefusedError, "OSError(errno, text) is Python's subclass");
    assert.equal(made.errno, ERRNO.ECONNREFUSED);
    assert.equal(made.strerror, "Connection refused");
    say(made);
    say(new OSError(ERRNO.ENOENT, "No such file or directory", "file.txt"));
    say(new OSError("just text"));
    say(new OSError(ERRNO.EPERM, "Operation not permitted"));
    // Real failures: a refused connect, a name that is not numeric, a receive that times out, a missing file.
    using server = socket.createServer(["127.0.0.1", 0]);
    const [, port] = server.getsockname();
    server.close();
    try {
      socket.createConnection(["127.0.0.1", port]).close();
    } catch (e) {
      say(e);
    }
    try {
      socket.getaddrinfo("not-a-number", 80, 0, 0, 0, socket.AI_NUMERICHOST);
    } catch (e) {
      say(e);
    }
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    a.setTimeout(0.01);
    try {
      a.recv(1);
    } catch (e) {
      say(e);
    }
    try {
      os.open("/no/such/file", os.O_RDONLY);
    } catch (e) {
      say(e);
    }
    const theirs = await pythonJson(
      `import socket, os, json, sys
out = []
def say(e): out.append(f"{type(e).__name__}: {e}")
say(OSError(111, "Connection refused")); say(OSError(2, "No such file or directory", "file.txt"))
say(OSError("just text")); say(OSError(1, "Operation not permitted"))
try: socket.create_connection(("127.0.0.1", int(sys.argv[1]))).close()
except OSError as e: say(e)
try: socket.getaddrinfo("not-a-number", 80, 0, 0, 0, socket.AI_NUMERICHOST)
except OSError as e: say(e)
a, b = socket.socketpair(); a.settimeout(0.01)
try: a.recv(1)
except OSError as e: say(e)
try: os.open("/no/such/file", os.O_RDONLY)
except OSError as e: say(e)
print(json.dumps(out))`,
      [String(port)],
    ) as string[];
    // A gaierror's text is the C library's own (gai_strerror): Python here links glibc, so under the musl
    // stand-in only the class and the [Errno N] are Python's to compare.
    const gai = (lines: string[]): string[] =>
      LIBC === "musl" ? lines.map((l) => l.replace(/^(gaierror: \[Errno -?\d+\]) .*$/, "$1 ...")) : lines;
    assert.deepEqual(gai(ours), gai(theirs));
  },
);

test("Windows: services, protocols and hosts come from Winsock's databases, in its struct layouts", {
  skip: !WINDOWS && "on Unix, the comparison with Python's answers above covers these",
}, () => {
  assert.equal(socket.getservbyname("http", "tcp"), 80);
  assert.equal(socket.getservbyport(80, "tcp"), "http");
  assert.equal(socket.getprotobyname("tcp"), socket.IPPROTO_TCP);
  assert.equal(socket.getprotobyname("udp"), socket.IPPROTO_UDP);
  const [, , addresses] = socket.gethostbynameEx("localhost");
  assert.ok(addresses.includes("127.0.0.1"), String(addresses));
  const [name] = socket.gethostbyaddr("127.0.0.1");
  assert.ok(name.length > 0);
});
