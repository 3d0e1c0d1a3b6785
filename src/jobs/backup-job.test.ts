/**
 * The backup and drill probes on their own, with the backup pipeline's DatabaseAdapter test double (a generated
 * "database", no server needed) and a real SQLite catalog and local target: deadlines, a full disk, a failure
 * mid-dump, a missing identity, pruning.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { BackupStore } from '../backups/backup-store.js';
import { localTarget } from '../backups/target.js';
import { catalogForSuite, fakeAdapter, fullPast, silentLogger, tempDir } from '../backups/test-support.js';
import type { ProbeContext } from '../checks/kind.js';
import type { DatabaseAdapter } from '../databases/adapter.js';
import type { DatabaseBackupPlan } from '../plan/compile-databases.js';
import { systemClock } from '../schedule/clock.js';
import { probeBackup } from './backup-job.js';
import { evaluateBackupJob, evaluateDrillJob } from './backup-rules.js';
import type { BackupDeps } from './backup-work.js';
import { probeDrill } from './drill-job.js';

function plan(name: string, dir: string, extra: Partial<DatabaseBackupPlan> = {}): DatabaseBackupPlan {
  return {
    id: `shop/${name}`,
    app: 'shop',
    database: name,
    engine: 'mongodb',
    url: 'mongodb://app:s3cret-pw@127.0.0.1:27017/shop',
    urlRedacted: 'mongodb://app:***@127.0.0.1:27017/shop',
    schedule: { kind: 'every', everyMs: 86_400_000, text: 'every 1d' },
    timeoutMs: 60_000,
    keep: { last: 1 },
    to: [`file:${join(dir, name)}`],
    baseDir: dir,
    verify: { kind: 'every', everyMs: 7 * 86_400_000, text: 'every 7d' },
    scratch: 'mongodb://127.0.0.1:27017',
    alertAfterMs: 15 * 86_400_000,
    ...extra,
  };
}

function probeContext(timeoutMs = 60_000): ProbeContext {
  return {
    signal: AbortSignal.timeout(timeoutMs),
    timeoutMs,
    now: () => Date.now(),
    logger: silentLogger,
  };
}

describe('backup and drill probes (adapter test double, SQLite catalog, local target)', () => {
  const tmp = tempDir('upkeep-backup-job-');
  let catalog: BackupStore;
  let key: { identity: string; recipient: string };

  const deps = (adapter: DatabaseAdapter, extra: Partial<BackupDeps> = {}): BackupDeps => ({
    catalog,
    adapterFor: () => adapter,
    clock: systemClock,
    logger: silentLogger,
    timezone: 'UTC',
    tmpDir: tmp.dir,
    ...extra,
  });

  catalogForSuite(tmp, (suite) => ({ catalog, key } = suite), '.upkeep');

  it('takes, checks and prunes by keep (last: 1): the second run removes the first archive', async () => {
    const p = plan('prune', tmp.dir, { encrypt: { recipients: [key.recipient], identity: key.identity } });
    const adapter = fakeAdapter({ collections: { users: 50, orders: 120 } });
    const first = await probeBackup(p, probeContext(), deps(adapter));
    assert.equal(evaluateBackupJob(first).outcome, 'ok');
    const second = await probeBackup(p, probeContext(), deps(adapter));
    const verdict = evaluateBackupJob(second);
    assert.equal(verdict.outcome, 'ok', verdict.summary);
    assert.equal(verdict.values.pruned, 1);
    assert.equal(verdict.values.collections, 2);
    assert.equal(readdirSync(join(tmp.dir, 'prune')).length, 1);
  });

  it('encrypted without an identity: taken, not checked, one warning saying what to set; the drill waits quietly', async () => {
    const p = plan('nokey', tmp.dir, { encrypt: { recipients: [key.recipient] } });
    const adapter = fakeAdapter({ collections: { users: 10 } });
    const obs = await probeBackup(p, probeContext(), deps(adapter));
    const verdict = evaluateBackupJob(obs);
    assert.equal(verdict.outcome, 'warning');
    assert.match(verdict.summary, /not checked: set backup\.encrypt\.identity/);
    const drill = evaluateDrillJob(await probeDrill(p, probeContext(), deps(adapter)));
    assert.equal(drill.outcome, 'ok', 'one missing setting, one alert: the backup unit has it');
    assert.equal(drill.summary, 'drills wait for backup.encrypt.identity (the backup unit says what to set)');
    const [record] = await catalog.list({ app: 'shop', database: 'nokey' });
    assert.equal(record?.state, 'taken', 'an unchecked backup is not failed');
  });

  it('a full disk: critical, says so, leaves no partial file, and the older backup stays', async () => {
    const p = plan('full', tmp.dir);
    const adapter = fakeAdapter({ collections: { users: 2_000 } });
    assert.equal(evaluateBackupJob(await probeBackup(p, probeContext(), deps(adapter))).outcome, 'ok');
    const full = deps(adapter, {
      targetFor: () => localTarget(join(tmp.dir, 'full'), { writeThrough: () => fullPast(4_000) }),
    });
    const obs = await probeBackup(p, probeContext(), full);
    const verdict = evaluateBackupJob(obs);
    assert.equal(verdict.outcome, 'critical');
    assert.match(verdict.summary, /^backup failed: .*(full|space)/i);
    assert.deepEqual(
      readdirSync(join(tmp.dir, 'full')).filter((f) => f.includes('.partial')),
      [],
    );
    assert.equal(readdirSync(join(tmp.dir, 'full')).length, 1, 'the earlier archive is intact');
  });

  it('the database failing mid-dump: critical with the reason and no password; older backups intact', async () => {
    const p = plan('middump', tmp.dir);
    assert.equal(
      evaluateBackupJob(await probeBackup(p, probeContext(), deps(fakeAdapter({ collections: { a: 500 } })))).outcome,
      'ok',
    );
    const obs = await probeBackup(
      p,
      probeContext(),
      deps(fakeAdapter({ collections: { a: 5_000 }, failAfterBytes: 50_000 })),
    );
    const verdict = evaluateBackupJob(obs);
    assert.equal(verdict.outcome, 'critical');
    assert.match(verdict.summary, /lost mid-dump/);
    assert.ok(!JSON.stringify(obs).includes('s3cret-pw'));
    const records = await catalog.list({ app: 'shop', database: 'middump' });
    assert.deepEqual(
      records.map((r) => r.state),
      ['failed', 'checked'],
    );
    assert.equal(readdirSync(join(tmp.dir, 'middump')).length, 1);
  });

  it('only failed backups: the backup unit is critical, the drill unit is ok (one problem, one alert)', async () => {
    const p = plan('onlyfailed', tmp.dir);
    const adapter = fakeAdapter({ collections: { a: 5_000 }, failAfterBytes: 50_000 });
    assert.equal(evaluateBackupJob(await probeBackup(p, probeContext(), deps(adapter))).outcome, 'critical');
    const drill = evaluateDrillJob(await probeDrill(p, probeContext(), deps(adapter)));
    assert.equal(drill.outcome, 'ok', drill.summary);
    assert.match(drill.summary, /^no backup to drill yet \(the newest backup \([0-9a-f]{8}\) is failed\)$/);
  });

  it('the only backup failed its drill: the drill unit stays critical until a newer backup can be drilled', async () => {
    const p = plan('drillfailed', tmp.dir);
    const adapter = fakeAdapter({ collections: { a: 10 } });
    assert.equal(evaluateBackupJob(await probeBackup(p, probeContext(), deps(adapter))).outcome, 'ok');
    const [taken] = await catalog.list({ app: 'shop', database: 'drillfailed' });
    await catalog.update(taken?.id as string, {
      state: 'failed',
      failedIn: 'drill',
      failedAt: Date.now(),
      reason: 'drill mismatch: a: backup 10, restored 9',
    });
    const drill = evaluateDrillJob(await probeDrill(p, probeContext(), deps(adapter)));
    assert.equal(drill.outcome, 'critical');
    assert.match(drill.summary, /^no backup left to drill: backup [0-9a-f]{8} failed its drill \(drill mismatch: a:/);
  });

  it('a backup past its deadline fails as a timeout (critical), before the scheduler gives up on the probe', async () => {
    const p = plan('slow', tmp.dir);
    const adapter = fakeAdapter({ collections: { big: 100_000 }, chunkDelayMs: 20 });
    const started = Date.now();
    const obs = await probeBackup(p, probeContext(4_000), deps(adapter));
    assert.ok(Date.now() - started < 5_000, 'returned within the deadline plus the scheduler grace');
    assert.equal(obs.failure?.reason, 'timeout');
    assert.equal(obs.failure?.message, 'the backup did not finish within its 4s timeout (raise backup.timeout)');
    assert.equal(evaluateBackupJob(obs).outcome, 'critical');
    const [record] = await catalog.list({ app: 'shop', database: 'slow' });
    assert.equal(record?.state, 'failed');
    assert.deepEqual(readdirSync(join(tmp.dir, 'slow')), []);
  });
});
