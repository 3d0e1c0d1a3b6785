/**
 * A backup written to several targets (`to:` a list), through the real scheduler: a PostgreSQL source (the test
 * cluster), a local folder and the S3 EMULATOR (see backups/test-s3.ts), upkeep's SQLite store. Both copies written
 * and checked; a target that fails alerts on its own while the other copy is kept; drills read the first healthy copy.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveTarget } from '../backups/target.js';
import { freshS3Location, s3SkipReason } from '../backups/test-s3.js';
import type { KyselyStore } from '../runs/kysely-store.js';
import { ManualClock } from '../schedule/clock.js';
import { postgresSkipReason } from '../store/test-database.js';
import { ordersDatabase, type RunNow, type SchedulerBackupDeps, startBackupScheduler } from './test-scheduler.js';

const skip = postgresSkipReason() ?? s3SkipReason();
const H = 3_600_000;

describe('backups to several targets (PostgreSQL source, local folder + S3 emulator)', { skip }, () => {
  let dir: string;
  let source: { url: string; drop(): Promise<void> };
  let store: KyselyStore;
  let deps: SchedulerBackupDeps;
  let runNow: RunNow;
  const clock = new ManualClock(Date.parse('2026-11-22T02:00:00Z'));
  const s3 = freshS3Location();
  const bucketUrl = `s3://${s3.bucket}/${s3.prefix.replace(/\/$/, '')}`;
  // The emulator's settings, as the environment would give them to upkeep.
  const s3Env = {
    AWS_ENDPOINT_URL: s3.endpoint,
    AWS_REGION: s3.region,
    AWS_ACCESS_KEY_ID: s3.credentials?.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials?.secretAccessKey,
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upkeep-backup-targets-'));
    // A plain file where a directory should be: no one (not even root) can create a backup folder under it.
    writeFileSync(join(dir, 'not-a-folder'), 'x');
    source = await ordersDatabase(300);
    const backup = (to: string) =>
      `        backup: { schedule: daily 02:00, keep: { last: 1 }, to: ${to}, encrypt: { recipients: ["\${RECIPIENT}"], identity: "\${IDENTITY}" }, verify: daily 04:00, scratch: "\${SCRATCH}" }`;
    ({ store, deps, runNow } = await startBackupScheduler({
      dir,
      clock,
      sourceUrl: source.url,
      concurrency: 1,
      plan: [
        'version: 1',
        'apps:',
        '  shop:',
        '    databases:',
        '      main:',
        '        postgres: ${SRC}',
        backup(`[file:./backups, "${bucketUrl}"]`),
        '      nobucket:',
        '        postgres: ${SRC}',
        backup(`[file:./kept, "s3://no-such-bucket-upkeep/x"]`),
        '      nofolder:',
        '        postgres: ${SRC}',
        backup(`[file:./not-a-folder/backups, "${bucketUrl}/nofolder"]`),
        '',
      ],
      withDeps: (made) => ({
        ...made,
        targetFor: (to, plan) => resolveTarget(to, { baseDir: plan.baseDir, env: s3Env }),
      }),
    }));
  });
  after(async () => {
    await store?.close();
    await source?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const s3Objects = async (prefix = '') =>
    (await resolveTarget(`${bucketUrl}${prefix}`, { baseDir: dir, env: s3Env }).list()).map((e) => e.name);

  it('one dump, two copies: both written and checked, recorded per target, the unit ok', async () => {
    const [unit] = await runNow('shop/main.backup');
    assert.equal(unit?.lastOutcome, 'ok', unit?.alert.lastSummary);
    assert.match(unit?.alert.lastSummary ?? '', /^backup taken and checked/);
    const [record] = await deps.catalog.list({ app: 'shop', database: 'main' });
    assert.equal(record?.state, 'checked');
    assert.deepEqual(
      record?.copies.map((c) => [c.target, c.state, c.sizeBytes]),
      [
        [`file:${join(dir, 'backups')}`, 'checked', record?.sizeBytes],
        [bucketUrl, 'checked', record?.sizeBytes],
      ],
    );
    assert.deepEqual(readdirSync(join(dir, 'backups')), [record?.file]);
    assert.deepEqual(await s3Objects(), [record?.file]);
  });

  it('a drill reads the first healthy copy: with the local file gone, it restores from the bucket', async () => {
    const [record] = await deps.catalog.list({ app: 'shop', database: 'main' });
    rmSync(join(dir, 'backups', record?.file as string));
    const [unit] = await runNow('shop/main.drill');
    assert.equal(unit?.lastOutcome, 'ok', unit?.alert.lastSummary);
    assert.equal((await deps.catalog.get(record?.id as string))?.state, 'drilled');
  });

  it('retention applies per target: the next backup prunes the older copy on each target', async () => {
    clock.advance(24 * H);
    const [older] = await deps.catalog.list({ app: 'shop', database: 'main' });
    const [unit] = await runNow('shop/main.backup');
    assert.equal(unit?.lastOutcome, 'ok', unit?.alert.lastSummary);
    const records = await deps.catalog.list({ app: 'shop', database: 'main' });
    assert.deepEqual(
      records.map((r) => r.id),
      [records[0]?.id],
      'keep: { last: 1 } leaves the newest on each target',
    );
    assert.notEqual(records[0]?.id, older?.id);
    assert.deepEqual(readdirSync(join(dir, 'backups')), [records[0]?.file]);
    assert.deepEqual(await s3Objects(), [records[0]?.file]);
  });

  it('a bucket that does not exist: its own critical condition naming it; the local copy is kept and recorded', async () => {
    const [unit] = await runNow('shop/nobucket.backup');
    assert.equal(unit?.lastOutcome, 'critical');
    assert.equal(unit?.alert.state, 'firing');
    assert.match(
      unit?.alert.lastSummary ?? '',
      new RegExp(
        `^copy on s3://no-such-bucket-upkeep/x failed: .*the bucket "no-such-bucket-upkeep" does not exist.* \\(the backup is kept on file:${join(dir, 'kept')}\\)$`,
      ),
    );
    const [record] = await deps.catalog.list({ app: 'shop', database: 'nobucket' });
    assert.equal(record?.state, 'checked', 'the backup itself is good: one copy was written and checked');
    assert.deepEqual(
      record?.copies.map((c) => [c.target, c.state]),
      [
        [`file:${join(dir, 'kept')}`, 'checked'],
        ['s3://no-such-bucket-upkeep/x', 'failed'],
      ],
    );
    assert.match(record?.copies[1]?.reason ?? '', /does not exist/);
    assert.deepEqual(readdirSync(join(dir, 'kept')), [record?.file]);
    const [run] = await store.listRuns({ unitId: 'shop/nobucket.backup', limit: 1 });
    const conditions =
      (run?.details as { conditions: { condition: string; passed: boolean }[] } | undefined)?.conditions ?? [];
    assert.deepEqual(
      conditions.filter((c) => c.condition.startsWith('copy on')).map((c) => [c.condition, c.passed]),
      [
        [`copy on file:${join(dir, 'kept')}`, true],
        ['copy on s3://no-such-bucket-upkeep/x', false],
      ],
    );
    assert.ok(!JSON.stringify(run).includes(s3.credentials?.secretAccessKey as string), 'no credential in the run');
  });

  it('a folder that cannot be created: its own condition; the bucket copy is kept, and the drill uses it', async () => {
    const [unit] = await runNow('shop/nofolder.backup');
    assert.equal(unit?.lastOutcome, 'critical');
    assert.match(
      unit?.alert.lastSummary ?? '',
      new RegExp(`^copy on file:${join(dir, 'not-a-folder', 'backups')} failed: cannot create the backup directory`),
    );
    assert.match(unit?.alert.lastSummary ?? '', new RegExp(`\\(the backup is kept on ${bucketUrl}/nofolder\\)$`));
    assert.equal(existsSync(join(dir, 'not-a-folder', 'backups')), false);
    const [record] = await deps.catalog.list({ app: 'shop', database: 'nofolder' });
    assert.deepEqual(
      record?.copies.map((c) => c.state),
      ['failed', 'checked'],
    );
    assert.deepEqual(await s3Objects('/nofolder'), [record?.file]);
    const [drill] = await runNow('shop/nofolder.drill');
    assert.equal(drill?.lastOutcome, 'ok', drill?.alert.lastSummary);
  });

  it('no copy left to read: the drill could not run, and says what it found on each target', async () => {
    const [record] = await deps.catalog.list({ app: 'shop', database: 'main' });
    const file = record?.file as string;
    rmSync(join(dir, 'backups', file));
    await resolveTarget(bucketUrl, { baseDir: dir, env: s3Env }).remove(file);
    const [unit] = await runNow('shop/main.drill');
    assert.equal(unit?.lastOutcome, 'warning');
    assert.equal(
      unit?.alert.lastSummary,
      `drill could not run: no copy of backup ${record?.id} can be read: file:${join(dir, 'backups')}: ${file} is not there; ${bucketUrl}: ${file} is not there`,
    );
  });
});
