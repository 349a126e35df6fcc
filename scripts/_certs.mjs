// Test certificates made with the openssl command: the tests' (tests/ssl_test.ts)
// and the TLS benchmark's (scripts/bench.mjs), made the same way by both.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** Runs `openssl args...` in `dir`; throws with its standard error when it fails. */
function openssl(dir, args) {
  const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.error ?? r.stderr}`);
}

/**
 * A self-signed CA valid for 7 days, RSA-2048: `dir/file.key` and `dir/file.pem`.
 * Returns the certificate's path.
 */
export function makeCa(dir, commonName, file) {
  openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    `${file}.key`,
    "-out",
    `${file}.pem`,
    "-days",
    "7",
    "-subj",
    `/CN=${commonName}`,
  ]);
  return join(dir, `${file}.pem`);
}

/**
 * A certificate for `commonName` with `altNames` (`"DNS:localhost,IP:127.0.0.1"`),
 * RSA-2048, valid for 7 days, signed by the CA `dir/ca.pem` (see `makeCa`):
 * `dir/file.key` and `dir/file.pem`. Returns `[certificate, key]` paths.
 */
export function makeSigned(dir, file, commonName, altNames, ca = "ca") {
  openssl(dir, [
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    `${file}.key`,
    "-out",
    `${file}.csr`,
    "-subj",
    `/CN=${commonName}`,
  ]);
  writeFileSync(join(dir, `${file}.ext.cnf`), `subjectAltName=${altNames}\n`);
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${file}.csr`,
    "-CA",
    `${ca}.pem`,
    "-CAkey",
    `${ca}.key`,
    "-CAcreateserial",
    "-out",
    `${file}.pem`,
    "-days",
    "7",
    "-extfile",
    `${file}.ext.cnf`,
  ]);
  return [join(dir, `${file}.pem`), join(dir, `${file}.key`)];
}
