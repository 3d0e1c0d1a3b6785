/**
 * The backup commands against a MongoDB-protocol server: FerretDB started by scripts/test.mjs (or MONGODB_TEST_URL,
 * a real MongoDB). The drill's scratch database is a temporary database on the source server (the default).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { runCli } from '../cli/test-cli.js';
import { freshMongoDatabase, mongoSkipReason, withMongoDb } from '../databases/test-mongodb.js';

const skip = mongoSkipReason();
if (skip) console.error(`\n!!! backup CLI tests on MongoDB SKIPPED: ${skip}\n`);

describe('upkeep backup / verify --drill / restore (MongoDB protocol)', { skip }, () => {
  let dir: string;
  let source: { url: string; drop(): Promise<void> };
  const targets: { url: string; drop(): Promise<void> }[] = [];
  let env: Record<string, string>;

  async function cli(args: string[]) {
    const { code, out, err } = await runCli([...args, '--data-dir', join(dir, '.upkeep')], { env, cwd: dir });
    assert.ok(!out.includes(env.AGE_IDENTITY as string) && !err.includes(env.AGE_IDENTITY as string));
    return { code, out, err };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upkeep-backup-mongo-cli-'));
    source = await freshMongoDatabase();
    await withMongoDb(source.url, async (db) => {
      await db.collection('products').insertMany(Array.from({ length: 250 }, (_, i) => ({ sku: `p${i}`, price: i })));
      await db
        .collection('messages')
        .insertMany(Array.from({ length: 40 }, (_, i) => ({ text: `m${i}`, at: new Date() })));
    });
    const identity = await generateX25519Identity();
    env = { SRC_URL: source.url, AGE_RECIPIENT: await identityToRecipient(identity), AGE_IDENTITY: identity };
    writeFileSync(
      join(dir, 'upkeep.yml'),
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
        '          encrypt: { recipients: ["${AGE_RECIPIENT}"], identity: "${AGE_IDENTITY}" }',
        '          scratch: source',
        '      noscratch:',
        '        mongodb: ${SRC_URL}',
        '        backup: { schedule: daily 03:00, to: file:./other }',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await Promise.all([source?.drop(), ...targets.map((t) => t.drop())]);
    rmSync(dir, { recursive: true, force: true });
  });

  let id = '';

  it('backup takes, checks and records per-collection counts', async () => {
    const r = await cli(['backup', 'chat/main']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^state {4}checked$/m);
    assert.match(r.out, /^ {2}products +250$/m);
    assert.match(r.out, /^ {2}messages +40$/m);
    assert.match(r.out, /\.tar\.gz\.age$/m);
    id = /^backup {3}(\S+)$/m.exec(r.out)?.[1] ?? '';
    assert.ok(id);
  });

  it('verify --drill (scratch: source) restores into a temporary database on the source server and drops it', async () => {
    const before = await withMongoDb(source.url, async (db) => (await db.admin().listDatabases()).databases.length);
    const r = await cli(['verify', id, '--drill']);
    assert.equal(r.code, 0, `${r.out}${r.err}`);
    assert.match(r.out, /^state {4}drilled$/m);
    const after = await withMongoDb(source.url, async (db) => (await db.admin().listDatabases()).databases.length);
    assert.equal(after, before, 'the scratch database is gone');
  });

  it('without backup.scratch a MongoDB drill does not run (exit 1) and says what to set; the backup stays good', async () => {
    const taken = await cli(['backup', 'noscratch', '--json']);
    assert.equal(taken.code, 0, taken.err);
    const { backup } = JSON.parse(taken.out) as { backup: { id: string } };
    const r = await cli(['verify', backup.id, '--drill']);
    assert.equal(r.code, 1);
    assert.match(r.out, /^drill {4}could not run: no server to drill on: set backup\.scratch/m);
    assert.match(r.out, /^state {4}checked$/m);
  });

  it('restore: dry-run lists the collections; a non-empty target is refused; an empty one gets every document', async () => {
    const target = await freshMongoDatabase();
    targets.push(target);
    const dry = await cli(['restore', id, '--to', target.url, '--dry-run']);
    assert.equal(dry.code, 0, dry.err);
    assert.match(dry.out, /^COLLECTION +IN ARCHIVE +AT BACKUP$/m);
    assert.match(dry.out, /^products +250 +250$/m);
    const refused = await cli(['restore', id, '--to', source.url]);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /it is not empty/);
    const done = await cli(['restore', id, '--to', target.url]);
    assert.equal(done.code, 0, done.err);
    assert.match(done.out, /^messages +40 +40$/m);
    const n = await withMongoDb(target.url, (db) => db.collection('products').countDocuments());
    assert.equal(n, 250);
  });

  it('restore --force into a target with clashing collections replaces them and leaves the others', async () => {
    const target = await freshMongoDatabase();
    targets.push(target);
    await withMongoDb(target.url, async (db) => {
      await db.collection('products').insertMany([{ stale: true }, { stale: true }]);
      await db.collection('keep').insertOne({ mine: true });
    });
    const refused = await cli(['restore', id, '--to', target.url]);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /--force to replace the collections the backup holds/);
    const r = await cli(['restore', id, '--to', target.url, '--force']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /replacing the collections the backup holds, leaving the others \(--force\)/);
    assert.match(r.out, /^products +250 +250$/m);
    const [products, stale, keep] = await withMongoDb(target.url, (db) =>
      Promise.all([
        db.collection('products').countDocuments(),
        db.collection('products').countDocuments({ stale: true }),
        db.collection('keep').countDocuments(),
      ]),
    );
    assert.deepEqual([products, stale, keep], [250, 0, 1]);
  });
});
