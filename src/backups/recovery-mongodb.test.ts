/**
 * Recovery from the files alone on a MongoDB-protocol server (FerretDB from scripts/test.mjs, or MONGODB_TEST_URL):
 * the store and plan are gone; the backup folder and UPKEEP_BACKUP_IDENTITY are all there is.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { freshMongoDatabase, mongoSkipReason, withMongoDb } from '../databases/test-mongodb.js';
import { assertPlainError, backupThenLoseStore, flipMiddle, runOnNewMachine, truncated } from './test-recovery.js';

const skip = mongoSkipReason();
if (skip) console.error(`\n!!! MongoDB recovery tests SKIPPED: ${skip}\n`);

async function documentCounts(url: string): Promise<Record<string, number>> {
  return withMongoDb(url, async (db) => {
    const out: Record<string, number> = {};
    for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) {
      out[c.name] = await db.collection(c.name).countDocuments({});
    }
    return out;
  });
}

const SOURCE_COUNTS = { messages: 40, products: 250 };

describe('recovery from the backup files alone (MongoDB protocol)', { skip }, () => {
  let home: string;
  let fresh: string;
  let archive: string;
  let unencrypted: string;
  let identity: string;
  const dbs: { url: string; drop(): Promise<void> }[] = [];

  const onNewMachine = (args: string[], env: Record<string, string> = {}) =>
    runOnNewMachine({ fresh, identity }, args, env);
  async function emptyDb() {
    const db = await freshMongoDatabase();
    dbs.push(db);
    return db.url;
  }

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'upkeep-recovery-mongo-old-'));
    fresh = mkdtempSync(join(tmpdir(), 'upkeep-recovery-mongo-new-'));
    const source = await freshMongoDatabase();
    dbs.push(source);
    await withMongoDb(source.url, async (db) => {
      await db.collection('products').insertMany(Array.from({ length: 250 }, (_, i) => ({ sku: `p${i}`, price: i })));
      await db.collection('products').createIndex({ sku: 1 }, { unique: true });
      await db.collection('messages').insertMany(Array.from({ length: 40 }, (_, i) => ({ text: `m${i}` })));
    });
    identity = await generateX25519Identity();
    const env = {
      SRC_URL: source.url,
      AGE_RECIPIENT: await identityToRecipient(identity),
      UPKEEP_BACKUP_IDENTITY: identity,
    };
    // The old machine's backups, then the disaster: only the backup folders are kept.
    [archive, unencrypted] = (await backupThenLoseStore(
      home,
      [
        'version: 1',
        'apps:',
        '  chat:',
        '    databases:',
        '      main:',
        '        mongodb: ${SRC_URL}',
        '        backup:',
        '          schedule: daily 02:00',
        '          to: file:./backups',
        '          encrypt: { recipients: ["${AGE_RECIPIENT}"] }',
        '      open:',
        '        mongodb: ${SRC_URL}',
        '        backup: { schedule: daily 03:00, to: file:./open-backups }',
        '',
      ],
      env,
      ['main', 'open'],
    )) as [string, string];
  });
  after(async () => {
    await Promise.all(dbs.map((d) => d.drop()));
    rmSync(home, { recursive: true, force: true });
    rmSync(fresh, { recursive: true, force: true });
  });

  it('verify <path> reads the file alone; restore <path> into a fresh database gives the same counts', async () => {
    const v = await onNewMachine(['verify', archive]);
    assert.equal(v.code, 0, v.err);
    assert.match(v.out, /^database chat\/main \(mongodb/m);
    assert.match(v.out, /^ {2}products +250$/m);
    const target = await emptyDb();
    const r = await onNewMachine(['restore', archive, '--to', target]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await documentCounts(target), SOURCE_COUNTS);
    const indexes = await withMongoDb(target, (db) => db.collection('products').indexes());
    assert.ok(
      indexes.some((i) => i.name === 'sku_1' && i.unique === true),
      'indexes come back too',
    );
  });

  it('renamed and moved: still verifies and restores by path', async () => {
    mkdirSync(join(fresh, 'moved'), { recursive: true });
    const moved = join(fresh, 'moved', 'chat-latest');
    copyFileSync(archive, moved);
    const v = await onNewMachine(['verify', moved, '--json']);
    assert.equal(v.code, 0, v.err);
    const { backup } = JSON.parse(v.out) as { backup: { counts: object; app: string; database: string } };
    assert.deepEqual(backup.counts, SOURCE_COUNTS);
    // The database from the dump's own <db>/ folder; the app is unknown without upkeep's name.
    assert.deepEqual([backup.app, backup.database], ['recovered', new URL(dbs[0]?.url as string).pathname.slice(1)]);
    const target = await emptyDb();
    const r = await onNewMachine(['restore', moved, '--to', target]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await documentCounts(target), SOURCE_COUNTS);
  });

  it('a damaged file (flipped bytes, cut short; encrypted or only gzipped) is refused before anything is written', async () => {
    for (const [label, damage, file] of [
      ['flipped', flipMiddle, archive],
      ['truncated', truncated, archive],
      ['flipped-gzip', flipMiddle, unencrypted],
      ['truncated-gzip', truncated, unencrypted],
    ] as const) {
      const bad = join(fresh, `${label}-${basename(file)}`);
      damage(file, bad);
      const target = await emptyDb();
      const r = await onNewMachine(['restore', bad, '--to', target]);
      assert.equal(r.code, 1, `${label}: ${r.err}`);
      assertPlainError(r.err, /^upkeep restore: archive damaged: /m);
      assert.deepEqual(await documentCounts(target), {}, `${label}: nothing written`);
    }
  });

  it('--dry-run --only shows just those collections; --only restores just those; an unknown name lists what is there', async () => {
    const target = await emptyDb();
    const dry = await onNewMachine(['restore', archive, '--to', target, '--only', 'products', '--dry-run']);
    assert.equal(dry.code, 0, dry.err);
    assert.match(dry.out, /^products +250 +250$/m);
    assert.doesNotMatch(dry.out, /messages/);
    assert.deepEqual(await documentCounts(target), {});
    const r = await onNewMachine(['restore', archive, '--to', target, '--only', 'messages']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await documentCounts(target), { messages: 40 });
    const missing = await onNewMachine(['restore', archive, '--to', target, '--only', 'orders,products']);
    assert.equal(missing.code, 2);
    assertPlainError(missing.err, /--only orders: the backup holds no such collection; it holds messages, products/);
  });

  it('backups --scan <folder> rebuilds the catalog; restore by the id in the name then works', async () => {
    const folder = join(fresh, 'scan');
    mkdirSync(folder);
    copyFileSync(archive, join(folder, basename(archive)));
    const scan = await onNewMachine(['backups', '--scan', folder]);
    assert.equal(scan.code, 0, scan.err);
    assert.match(scan.out, /: 1 found, 1 added, 0 already in the catalog, 0 unreadable$/m);
    const id = /\.([0-9a-f]{8})\.tar/.exec(archive)?.[1] as string;
    const target = await emptyDb();
    const r = await onNewMachine(['restore', id, '--to', target]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await documentCounts(target), SOURCE_COUNTS);
    // Damaged after it was catalogued: restore by id reads it through first, so nothing is written.
    const copy = join(folder, basename(archive));
    flipMiddle(copy, copy);
    const other = await emptyDb();
    const bad = await onNewMachine(['restore', id, '--to', other]);
    assert.equal(bad.code, 1, bad.err);
    assertPlainError(bad.err, /^upkeep restore: archive damaged: /m);
    assert.deepEqual(await documentCounts(other), {});
  });
});
