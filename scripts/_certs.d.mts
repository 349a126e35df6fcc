/** See scripts/_certs.mjs: a self-signed CA in `dir` (`file.key`, `file.pem`); returns the certificate's path. */
export function makeCa(dir: string, commonName: string, file: string): string;
/** See scripts/_certs.mjs: a certificate signed by the CA `dir/ca.pem`; returns `[certificate, key]`. */
export function makeSigned(
  dir: string,
  file: string,
  commonName: string,
  altNames: string,
  ca?: string,
): [string, string];
