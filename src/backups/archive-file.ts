/**
 * Reading an archive that the catalog does not know (the machine that took it is gone): what the file itself says.
 * age's header, gzip's and pg_dump's magic bytes and a tar's ustar header name the layers and the engine; upkeep's
 * file name (when it still has it) adds the app, database and time. A full read-through then proves the file: age
 * authenticates every chunk and the end of the file, gzip checks its CRC, and the engine's own reader parses every
 * table or collection, counting rows or documents. Only then is it described as a record.
 */
import { type Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { identityToRecipient } from 'age-encryption';
import { type AdapterContext, type DatabaseAdapter, DatabaseError } from '../databases/adapter.js';
import { readPgArchiveHeader } from '../databases/postgres-archive-header.js';
import { decryptStream, recipientFingerprint } from './age-crypto.js';
import { parseArchiveName } from './archive-name.js';
import type { BackupRecord } from './backup-record.js';
import { BackupError } from './errors.js';
import { HashThrough } from './hash-through.js';
import { readFailure } from './read-archive.js';
import type { BackupTarget } from './target.js';

const AGE_MAGIC = 'age-encryption.org/v1\n';
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const PG_MAGIC = 'PGDMP';

/** The layers and engine of an archive, read from its first bytes. */
export interface ArchiveLayers {
  /** The identity that opens it (undefined when it is not encrypted). A secret: used, never shown. */
  identity?: string;
  /** Fingerprint of that identity's public key (the one recipient of the file known for sure). */
  recipients: string[];
  gzip: boolean;
  engine: 'postgres' | 'mongodb';
  format: 'pgdump' | 'tar';
  /** The database the dump is of, as its header says (pg_dump's header, the tar's first `<db>/` folder). */
  database?: string;
  /** Versions the header records, for people. */
  server?: string;
}

/** What reading a file needs. */
export interface ReadFileOptions {
  target: BackupTarget;
  name: string;
  /** AGE-SECRET-KEY-1... strings; empty for an unencrypted file. */
  identities: readonly string[];
  adapterFor(engine: 'postgres' | 'mongodb'): DatabaseAdapter;
  ctx: AdapterContext;
  now: number;
}

/**
 * Reads a whole archive through and describes it as a `checked` record (counts from the file, checksums of this
 * read). Throws a BackupError: `not-a-backup`, `wrong-key`, `integrity` (damaged), `config` (no identity).
 */
export async function readArchiveFile(opts: ReadFileOptions): Promise<BackupRecord> {
  const layers = await sniffArchive(opts.target, opts.name, opts.identities);
  const adapter = opts.adapterFor(layers.engine);
  const cipher = new HashThrough();
  const plainHash = new HashThrough();
  let counts: Record<string, number>;
  try {
    const raw = opened(opts.target, opts.name, [cipher]);
    const decrypted = layers.identity ? await decryptStream(raw, [layers.identity]) : raw;
    const plain = chainAll([decrypted, ...(layers.gzip ? [createGunzip()] : []), plainHash]);
    let ended = false;
    plain.once('end', () => {
      ended = true;
    });
    counts = await adapter.inspect(plain, opts.ctx);
    // The reader may stop before the end (pg_restore needs no trailing bytes); age authenticates the end of the file,
    // so the rest is read too before the file is called whole.
    if (!ended) await pipeline(plain, discard(), { signal: opts.ctx.signal });
  } catch (err) {
    throw fileFailure(err, opts.name);
  }
  const facts = parseArchiveName(opts.name);
  const stat = facts ? undefined : await opts.target.stat(opts.name).catch(() => undefined);
  const startedAt = facts?.startedAt ?? stat?.modifiedAt ?? opts.now;
  const ciphertextSha256 = cipher.hex();
  return {
    id: recoveredId(facts?.shortId, ciphertextSha256),
    app: facts?.app ?? 'recovered',
    database: facts?.database ?? layers.database ?? (opts.name.split('.')[0] || 'unknown'),
    engine: layers.engine,
    format: layers.format,
    file: opts.name,
    target: opts.target.description,
    state: 'checked',
    startedAt,
    takenAt: startedAt,
    checkedAt: opts.now,
    drilledAt: null,
    failedAt: null,
    failedIn: null,
    reason: null,
    sizeBytes: cipher.bytes,
    plaintextBytes: plainHash.bytes,
    durationMs: null,
    counts,
    server: layers.server ? `${layers.server}; read from the archive file` : 'read from the archive file',
    gzip: layers.gzip,
    plaintextSha256: plainHash.hex(),
    ciphertextSha256,
    recipients: layers.recipients,
    copies: [
      {
        target: opts.target.description,
        state: 'checked',
        sizeBytes: cipher.bytes,
        writtenAt: startedAt,
        checkedAt: opts.now,
        failedAt: null,
        reason: null,
      },
    ],
  };
}

/**
 * A stable id for a file read back: the 8 hex digits its name carries (so `upkeep verify <id8>` finds it, as before
 * the disaster), then digits of the ciphertext's SHA-256, so scanning the same file twice gives the same id. Pure.
 */
export function recoveredId(shortId: string | undefined, ciphertextSha256: string): string {
  const h = ciphertextSha256;
  return `${shortId ?? h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Reads the first bytes of an archive (and of its plaintext) to tell how it is layered and which engine wrote it. */
export async function sniffArchive(
  target: BackupTarget,
  name: string,
  identities: readonly string[],
): Promise<ArchiveLayers> {
  const head = await readHead(opened(target, name), 4096).catch((err: unknown) => {
    throw fileFailure(err, name);
  });
  let identity: string | undefined;
  const recipients: string[] = [];
  if (head.subarray(0, AGE_MAGIC.length).toString('latin1') === AGE_MAGIC) {
    identity = await matchIdentity(target, name, identities, head);
    recipients.push(recipientFingerprint(await identityToRecipient(identity)));
  }
  const open = (gunzip: boolean) => {
    const raw = opened(target, name);
    const decrypted = identity ? decryptStream(raw, [identity]) : Promise.resolve(raw);
    return decrypted.then((s) => (gunzip ? chainAll([s, createGunzip()]) : s));
  };
  try {
    let plain = await readHead(await open(false), 1024);
    const gzip = plain.subarray(0, 2).equals(GZIP_MAGIC);
    if (gzip) plain = await readHead(await open(true), 1024);
    const engine = engineOf(plain);
    if (engine) return { ...(identity ? { identity } : {}), recipients, gzip, ...engine, ...headerFacts(plain) };
  } catch (err) {
    throw fileFailure(err, name);
  }
  throw new BackupError(
    identity
      ? `${name} is not an upkeep backup: it decrypts with the given identity, but holds neither a pg_dump archive ` +
          'nor a MongoDB dump (a tar of <db>/<collection>.bson files)'
      : `${name} is not an upkeep backup: it is neither age-encrypted nor a pg_dump archive nor a MongoDB dump ` +
          '(upkeep writes <app>.<db>.<time>.<id>.pgdump.age or .tar.gz.age files)',
    'not-a-backup',
  );
}

/** The engine a plaintext's first bytes belong to: pg_dump's custom format, or a tar (empty, or ustar). Pure. */
export function engineOf(plain: Buffer): Pick<ArchiveLayers, 'engine' | 'format'> | undefined {
  if (plain.subarray(0, PG_MAGIC.length).toString('latin1') === PG_MAGIC)
    return { engine: 'postgres', format: 'pgdump' };
  const ustar = plain.length >= 262 && plain.subarray(257, 262).toString('latin1') === 'ustar';
  // A dump of an empty database is a tar with no entries: only its end-of-archive zero blocks.
  const emptyTar = plain.length >= 1024 && plain.subarray(0, 1024).every((b) => b === 0);
  return ustar || emptyTar ? { engine: 'mongodb', format: 'tar' } : undefined;
}

/** The database (and versions) a plaintext's first bytes name. Pure. */
export function headerFacts(plain: Buffer): Pick<ArchiveLayers, 'database' | 'server'> {
  const pg = readPgArchiveHeader(plain);
  if (pg) {
    const server = [pg.server, pg.dumpedWith].filter(Boolean).join('; ');
    return { database: pg.database, ...(server ? { server } : {}) };
  }
  // A tar entry's name is the first 100 bytes of its header: `<db>/<collection>.bson` in mongodump's layout.
  const first = plain.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
  const database = /(?:^|\/)([^/]+)\/[^/]+\.(?:bson|metadata\.json)$/.exec(first)?.[1];
  return database ? { database } : {};
}

/** The identity that opens the file's age header; a wrong key is said with the recipients on both sides. */
async function matchIdentity(
  target: BackupTarget,
  name: string,
  identities: readonly string[],
  head: Buffer,
): Promise<string> {
  const stanzas = ageStanzas(head);
  if (identities.length === 0) {
    throw new BackupError(
      `${name} is encrypted (age, ${describeStanzas(stanzas)}): set UPKEEP_BACKUP_IDENTITY to the age identity ` +
        '(AGE-SECRET-KEY-1..., or the path of an age key file)',
      'config',
    );
  }
  for (const identity of identities) {
    try {
      const plain = await decryptStream(opened(target, name), [identity]);
      plain.destroy();
      return identity;
    } catch (err) {
      if (!(err instanceof BackupError) || err.reason !== 'wrong-key') throw fileFailure(err, name);
    }
  }
  const given: string[] = [];
  for (const identity of identities) {
    const recipient = await identityToRecipient(identity).catch(() => undefined);
    given.push(recipient ? `${recipient} (${recipientFingerprint(recipient)})` : '(not an age identity)');
  }
  throw new BackupError(
    `wrong key: ${name} is encrypted to ${describeStanzas(stanzas)}, and none of them is the public key of the given ` +
      `identity: ${given.join(', ')}. Use the identity whose public key (age-keygen -y) was in encrypt.recipients ` +
      'when this backup was taken',
    'wrong-key',
  );
}

/** The recipient stanzas of an age header, by type (`X25519` ×2). Pure. */
export function ageStanzas(head: Buffer): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of head.toString('latin1').split('\n')) {
    if (line.startsWith('---')) break;
    const type = /^-> (\S+)/.exec(line)?.[1];
    if (type) out.set(type, (out.get(type) ?? 0) + 1);
  }
  return out;
}

function describeStanzas(stanzas: Map<string, number>): string {
  const total = [...stanzas.values()].reduce((a, b) => a + b, 0);
  const kinds = [...stanzas.entries()].map(([type, n]) => `${n} ${type}`).join(', ');
  return `${total} recipient${total === 1 ? '' : 's'}${kinds ? ` (${kinds})` : ''}`;
}

/** A read failure of a file, as a BackupError that names the file. */
function fileFailure(err: unknown, name: string): BackupError {
  if (err instanceof BackupError) return err;
  if (err instanceof DatabaseError) {
    if (err.reason === 'other') return new BackupError(`archive damaged: ${name}: ${err.message}`, 'integrity');
    return new BackupError(err.message, 'source', { cause: err });
  }
  const failure = readFailure(err);
  return failure.reason === 'integrity'
    ? new BackupError(failure.message.replace('archive damaged: ', `archive damaged: ${name}: `), 'integrity')
    : failure;
}

/** The file's bytes through `through` (hashers), errors reaching the last stream. */
function opened(target: BackupTarget, name: string, through: HashThrough[] = []): Readable {
  return chainAll([target.get(name), ...through]);
}

/** Up to `n` bytes from the start of a stream, which is then closed (a short file gives what it has). */
export function readHead(stream: Readable, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const finish = (err?: unknown) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', finish);
      stream.on('error', () => undefined);
      stream.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(parts).subarray(0, n));
    };
    const onData = (chunk: Buffer) => {
      parts.push(chunk);
      size += chunk.length;
      if (size >= n) finish();
    };
    const onEnd = () => finish();
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', finish);
  });
}

function chainAll(streams: Readable[]): Readable {
  if (streams.length === 1) return streams[0] as Readable;
  let last = streams[0] as Readable;
  for (const next of streams.slice(1)) {
    const from = last;
    from.on('error', (err) => next.destroy(err));
    next.once('close', () => from.destroy());
    last = from.pipe(next as unknown as Writable) as unknown as Readable;
  }
  return last;
}

function discard(): Writable {
  return new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });
}
