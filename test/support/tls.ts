// Throwaway TLS material and nkey users for hub tests against a real nats-server: a CA made with openssl, server and client certificates, nkey seeds.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';

const OPENSSL = '/usr/bin/openssl';
export const haveOpenssl = existsSync(OPENSSL);

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all throwaway, in `dir`. */
export function makeCertificates(dir: string) {
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync(OPENSSL, args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=Hookwatch test CA');
  const sign = (name: string, cn: string, ext: string) => {
    ssl('req', ...ec, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${cn}`);
    writeFileSync(f(`${name}.ext`), ext);
    ssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f(`${name}.pem`),
      '-days',
      '2',
      '-extfile',
      f(`${name}.ext`),
    );
  };
  sign('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  sign('client', 'dana', 'extendedKeyUsage=clientAuth\n');
  // A second CA nobody trusts, for the "wrong certificate" case.
  ssl('req', '-x509', ...ec, '-keyout', f('other-ca.key'), '-out', f('other-ca.pem'), '-days', '2', '-subj', '/CN=Someone else');
  return {
    ca: f('ca.pem'),
    otherCa: f('other-ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    clientCert: f('client.pem'),
    clientKey: f('client.key'),
  };
}

/** An nkey user: its seed in a file readable by its owner only, and its public key for the server. */
export function makeNkeyUser(dir: string, name: string) {
  const user = nkeys.createUser();
  const seed = new TextDecoder().decode(user.getSeed());
  const file = join(dir, `${name}.nk`);
  writeFileSync(file, `${seed}\n`, { mode: 0o600 });
  return { seed, publicKey: user.getPublicKey(), file };
}
