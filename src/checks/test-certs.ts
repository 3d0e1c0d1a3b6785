/** Test helper: a throwaway PKI made with the `openssl` CLI (a CA, CA-signed leaves with exact dates, self-signed). */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate and its private key, PEM. */
export interface KeyPair {
  cert: string;
  key: string;
}

/** A leaf to issue: names and validity. */
export interface LeafOptions {
  cn: string;
  /** subjectAltName entries such as `DNS:localhost`, `IP:127.0.0.1`. */
  san: string[];
  notBefore: Date;
  notAfter: Date;
}

/** A temporary CA that issues leaves; call cleanup() when done. */
export interface TestPki {
  ca: KeyPair;
  issue(options: LeafOptions): Promise<KeyPair>;
  selfSigned(options: { cn: string; san: string[]; days: number }): Promise<KeyPair>;
  cleanup(): Promise<void>;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

// `openssl ca` takes dates as YYYYMMDDHHMMSSZ; `x509 -req` in OpenSSL 3.0 cannot set a start date at all.
function asn1Time(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** Creates a CA valid for `caDays` days (short values test "the soonest expiry in the chain"). */
export async function createTestPki(options: { caDays?: number } = {}): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'upkeep-pki-'));
  const path = (name: string) => join(dir, name);
  await run('openssl', [
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.crt'),
    '-days',
    String(options.caDays ?? 365),
    '-subj',
    '/CN=upkeep test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await writeFile(path('index.txt'), '');
  await writeFile(path('serial'), '1000\n');
  await writeFile(
    path('ca.cnf'),
    [
      '[ ca ]',
      'default_ca = test_ca',
      '[ test_ca ]',
      `database = ${path('index.txt')}`,
      `new_certs_dir = ${dir}`,
      `serial = ${path('serial')}`,
      'default_md = sha256',
      'policy = any_name',
      'unique_subject = no',
      '[ any_name ]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  const ca = { cert: await readFile(path('ca.crt'), 'utf8'), key: await readFile(path('ca.key'), 'utf8') };
  let serial = 0;
  return {
    ca,
    async issue(leaf) {
      const name = `leaf${++serial}`;
      await run('openssl', [
        'req',
        '-new',
        ...EC_KEY,
        '-keyout',
        path(`${name}.key`),
        '-out',
        path(`${name}.csr`),
        '-subj',
        `/CN=${leaf.cn}`,
      ]);
      await writeFile(
        path(`${name}.ext`),
        `[ leaf ]\nsubjectAltName = ${leaf.san.join(',')}\nbasicConstraints = CA:FALSE\n`,
      );
      await run('openssl', [
        'ca',
        '-batch',
        '-notext',
        '-config',
        path('ca.cnf'),
        '-cert',
        path('ca.crt'),
        '-keyfile',
        path('ca.key'),
        '-in',
        path(`${name}.csr`),
        '-out',
        path(`${name}.crt`),
        '-startdate',
        asn1Time(leaf.notBefore),
        '-enddate',
        asn1Time(leaf.notAfter),
        '-extfile',
        path(`${name}.ext`),
        '-extensions',
        'leaf',
      ]);
      return { cert: await readFile(path(`${name}.crt`), 'utf8'), key: await readFile(path(`${name}.key`), 'utf8') };
    },
    async selfSigned(leaf) {
      const name = `self${++serial}`;
      await run('openssl', [
        'req',
        '-x509',
        ...EC_KEY,
        '-keyout',
        path(`${name}.key`),
        '-out',
        path(`${name}.crt`),
        '-days',
        String(leaf.days),
        '-subj',
        `/CN=${leaf.cn}`,
        '-addext',
        `subjectAltName=${leaf.san.join(',')}`,
      ]);
      return { cert: await readFile(path(`${name}.crt`), 'utf8'), key: await readFile(path(`${name}.key`), 'utf8') };
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
