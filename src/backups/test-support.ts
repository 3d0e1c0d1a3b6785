/**
 * Test support for the backup pipeline: a tiny DatabaseAdapter test double that streams generated documents (so
 * these tests need no MongoDB or PostgreSQL), a migrated SQLite catalog, a catalog on either dialect, a record to put
 * in it, keys, and a silent logger.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { after, before } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { pino } from 'pino';
import { type Counts, type DatabaseAdapter, DatabaseError, type DumpSummary } from '../databases/adapter.js';
import { openTestStore, type TestStore } from '../notify/test-notify.js';
import { KyselyStore } from '../runs/kysely-store.js';
import { openDatabase, type StoreDialect } from '../store/database.js';
import { type BackupRecord, type BackupStart, runningBackup } from './backup-record.js';
import { BackupStore } from './backup-store.js';

/** A silent logger. */
export const silentLogger = pino({ level: 'silent' });

/** Options of the fake adapter. */
export interface FakeAdapterOptions {
  /** Documents per collection the "database" holds. */
  collections: Counts;
  /** Filler bytes per document (default 64). */
  docBytes?: number;
  /** The dump fails with a DatabaseError (`mid-dump`) after this many plaintext bytes. */
  failAfterBytes?: number;
  /** Pause per emitted chunk (for the kill -9 test). */
  chunkDelayMs?: number;
  compressed?: boolean;
  /** Random filler (gzip cannot shrink it), for archives of many age chunks. */
  incompressible?: boolean;
  /** What the dump summary claims, when it should differ from what was streamed (drill mismatch). */
  summaryCounts?: Counts;
}

/**
 * A DatabaseAdapter test double: the plaintext is `collection\tindex\tfiller\n` lines; restore counts the lines per
 * collection into `servers` under the scratch URL, and counts() reads them back.
 */
export function fakeAdapter(opts: FakeAdapterOptions): DatabaseAdapter & { servers: Map<string, Counts> } {
  const servers = new Map<string, Counts>();
  let scratchNo = 0;
  const filler = 'x'.repeat(opts.docBytes ?? 64);
  return {
    engine: 'mongodb',
    format: 'tar',
    compressed: opts.compressed ?? false,
    servers,
    async preflight() {
      return { server: 'fake 1.0' };
    },
    dump(_url, ctx) {
      let resolveSummary!: (s: DumpSummary) => void;
      let rejectSummary!: (e: unknown) => void;
      const summary = new Promise<DumpSummary>((res, rej) => {
        resolveSummary = res;
        rejectSummary = rej;
      });
      async function* generate() {
        let bytes = 0;
        for (const [name, count] of Object.entries(opts.collections)) {
          let chunk = '';
          for (let i = 0; i < count; i++) {
            chunk += `${name}\t${i}\t${opts.incompressible ? randomBytes(filler.length / 2).toString('hex') : filler}\n`;
            if (chunk.length >= 16_384 || i === count - 1) {
              if (ctx.signal.aborted) throw new DatabaseError('dump cancelled', 'other');
              bytes += chunk.length;
              if (opts.failAfterBytes !== undefined && bytes > opts.failAfterBytes) {
                throw new DatabaseError('connection to 127.0.0.1:27017 lost mid-dump', 'mid-dump');
              }
              if (opts.chunkDelayMs) await delay(opts.chunkDelayMs);
              yield Buffer.from(chunk);
              ctx.progress?.({ bytes, current: name, done: 0 });
              chunk = '';
            }
          }
        }
      }
      const stream = Readable.from(generate(), { objectMode: false });
      stream.once('end', () => resolveSummary({ counts: opts.summaryCounts ?? opts.collections, server: 'fake 1.0' }));
      stream.once('error', rejectSummary);
      return { stream, summary };
    },
    async inspect(plaintext) {
      return countLines(plaintext);
    },
    async restore(plaintext, url) {
      const counts = await countLines(plaintext);
      servers.set(url, counts);
      return counts;
    },
    async counts(url) {
      return servers.get(url) ?? {};
    },
    async isEmpty(url) {
      return Object.keys(servers.get(url) ?? {}).length === 0;
    },
    async scratch(serverUrl) {
      const url = `${serverUrl}/scratch_${++scratchNo}`;
      servers.set(url, {});
      return { url, drop: async () => void servers.delete(url) };
    },
  };
}

async function countLines(plaintext: Readable): Promise<Counts> {
  const counts: Counts = {};
  let rest = '';
  for await (const chunk of plaintext) {
    const lines = (rest + (chunk as Buffer).toString('latin1')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const name = line.slice(0, line.indexOf('\t'));
      counts[name] = (counts[name] ?? 0) + 1;
    }
  }
  return counts;
}

/** A fresh age X25519 key pair. */
export async function newKey(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

/** A temporary directory removed by dispose(). */
export function tempDir(prefix = 'upkeep-backups-'): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A migrated SQLite store in `dataDir` with its backup catalog. */
export async function openSqliteCatalog(dataDir: string): Promise<{ catalog: BackupStore; close(): Promise<void> }> {
  const database = openDatabase({ dataDir });
  await new KyselyStore(database).migrate();
  return { catalog: new BackupStore(database), close: () => database.db.destroy() };
}

/** Runs `fn` on the backup catalog of a fresh, migrated test store of `dialect`, and disposes of the store after. */
export async function withCatalog(
  dialect: StoreDialect,
  fn: (catalog: BackupStore, ts: TestStore) => Promise<void>,
): Promise<void> {
  const ts = await openTestStore(dialect);
  try {
    await fn(new BackupStore(ts.store.database), ts);
  } finally {
    await ts.dispose();
  }
}

/** A running record of a shop/main PostgreSQL backup (file `shop.main.<id>.pgdump.age`, one local target). */
export function shopBackup(id: string, startedAt: number, over: Partial<BackupStart> = {}): BackupRecord {
  return runningBackup({
    id,
    app: 'shop',
    database: 'main',
    engine: 'postgres',
    format: 'pgdump',
    file: `shop.main.${id}.pgdump.age`,
    targets: ['file:/srv/backups'],
    startedAt,
    gzip: false,
    recipients: [],
    ...over,
  });
}

/** The catalog and age key a suite's backups use (see catalogForSuite). */
export interface SuiteCatalog {
  catalog: BackupStore;
  key: { identity: string; recipient: string };
}

/**
 * Before the suite: a migrated SQLite catalog in `tmp.dir`/`storeDir` and a fresh age key, handed to `use`; after it:
 * the catalog closed and `tmp` removed. Call it inside the suite's describe().
 */
export function catalogForSuite(
  tmp: { dir: string; dispose(): void },
  use: (suite: SuiteCatalog) => void,
  storeDir = 'store',
): void {
  let close: (() => Promise<void>) | undefined;
  before(async () => {
    const opened = await openSqliteCatalog(join(tmp.dir, storeDir));
    close = opened.close;
    use({ catalog: opened.catalog, key: await newKey() });
  });
  after(async () => {
    await close?.();
    tmp.dispose();
  });
}

/** A write-through that fails like a full disk past `limit` bytes. */
export function fullPast(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > limit) cb(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
      else cb(null, chunk);
    },
  });
}
