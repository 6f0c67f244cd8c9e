import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface Certificates {
  readonly caFile: string;
  readonly caPem: string;
  readonly certFile: string;
  readonly keyFile: string;
}

// Clients connect to 127.0.0.1 and verify the host name, so the server certificate must carry the IP as a SAN.
const SERVER_EXTENSIONS = `basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
`;

/** Creates a throwaway CA and a loopback server certificate signed by it, all inside `dir`. */
export async function createCertificates(dir: string): Promise<Certificates> {
  const file = (name: string) => join(dir, name);
  await writeFile(file('server.ext'), SERVER_EXTENSIONS);

  // Key generation dominates the run time and the CA does not depend on the server request.
  await Promise.all([
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '1',
      '-subj',
      '/CN=redis-harness-ca',
      // Explicit, so the result does not depend on the distribution's openssl.cnf defaults.
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.crt'),
    ]),
    openssl([
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-subj',
      '/CN=localhost',
      '-keyout',
      file('server.key'),
      '-out',
      file('server.csr'),
    ]),
  ]);
  await openssl([
    'x509',
    '-req',
    '-sha256',
    '-days',
    '1',
    '-set_serial',
    '1',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-extfile',
    file('server.ext'),
    '-out',
    file('server.crt'),
  ]);

  return {
    caFile: file('ca.crt'),
    caPem: await readFile(file('ca.crt'), 'utf8'),
    certFile: file('server.crt'),
    keyFile: file('server.key'),
  };
}

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await exec('openssl', args);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('openssl not found on PATH; install it with: apt-get install -y openssl');
    }
    throw error;
  }
}
