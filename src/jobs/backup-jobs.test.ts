/**
 * The backup units through the real scheduler: plan → units → job kinds → runs, alert states and transitions, on a
 * real PostgreSQL source (the test cluster) and upkeep's SQLite store. The clock is manual, so "40 hours later" is real
 * to every rule without waiting.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import type { DatabaseAdapter } from '../databases/adapter.js';
import { postgresAdapter } from '../databases/postgres.js';
import type { CheckUnit } from '../plan/units.js';
import type { KyselyStore } from '../runs/kysely-store.js';
import { ManualClock } from '../schedule/clock.js';
import { postgresSkipReason } from '../store/test-database.js';
import { createBackupDeps } from './backup-services.js';
import { ordersDatabase, type RunNow, startBackupScheduler } from './test-scheduler.js';

const skip = postgresSkipReason();
if (skip) console.error(`\n!!! backup job tests SKIPPED: ${skip}\n`);

const logger = pino({ level: 'silent' });
const H = 3_600_000;

describe('backup units in the scheduler (PostgreSQL source, SQLite store)', { skip }, () => {
  let dir: string;
  let source: { url: string; drop(): Promise<void> };
  let store: KyselyStore;
  let units: CheckUnit[];
  let runNow: RunNow;
  const clock = new ManualClock(Date.parse('2026-11-22T02:00:00Z'));
  // Drills restore through this adapter; the mismatch test makes its counts lie about one table.
  let lieAboutOrders = false;
  const adapter: DatabaseAdapter = {
    ...postgresAdapter,
    async counts(url, ctx) {
      const counts = await postgresAdapter.counts(url, ctx);
      if (lieAboutOrders && counts['public.orders'] !== undefined) counts['public.orders'] -= 1;
      return counts;
    },
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upkeep-backup-jobs-'));
    source = await ordersDatabase(500);
    ({ store, units, runNow } = await startBackupScheduler({
      dir,
      clock,
      sourceUrl: source.url,
      concurrency: 4,
      adapters: { postgres: adapter },
      plan: [
        'version: 1',
        'apps:',
        '  shop:',
        '    databases:',
        '      main:',
        '        postgres: ${SRC}',
        '        backup:',
        '          schedule: daily 02:00',
        '          to: file:./backups',
        '          encrypt: { recipients: ["${RECIPIENT}"], identity: "${IDENTITY}" }',
        '          verify: daily 04:00',
        '          alertAfter: 36h',
        '          scratch: ${SCRATCH}',
        '      gone:',
        '        postgres: postgres://app:pw-not-shown@127.0.0.1:1/gone',
        '        backup: { schedule: daily 03:00, to: file:./backups, verify: false }',
        '',
      ],
    }));
  });
  after(async () => {
    await store?.close();
    await source?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the plan gives main three units and gone (verify: false) only its backup unit', () => {
    assert.deepEqual(
      units.map((u) => `${u.id} ${u.kind}`),
      [
        'shop/main.backup backup',
        'shop/main.drill drill',
        'shop/main.freshness backup-freshness',
        'shop/gone.backup backup',
      ],
    );
  });

  it('a scheduled backup runs, is checked, and the unit is ok', async () => {
    const [unit] = await runNow('shop/main.backup');
    assert.equal(unit?.lastOutcome, 'ok');
    assert.match(unit?.alert.lastSummary ?? '', /^backup taken and checked \(\d/);
    const [run] = await store.listRuns({ unitId: 'shop/main.backup', limit: 1 });
    assert.equal(run?.values.collections, 1);
    assert.ok((run?.values.sizeBytes ?? 0) > 0);
  });

  it('the drill restores the newest backup and the unit is ok; the catalog says drilled', async () => {
    const [unit] = await runNow('shop/main.drill');
    assert.equal(unit?.lastOutcome, 'ok', unit?.alert.lastSummary);
    assert.match(unit?.alert.lastSummary ?? '', /drilled: counts match/);
    const deps = createBackupDeps({ database: store.database, clock, logger, timezone: 'UTC' });
    const [record] = await deps.catalog.list({ app: 'shop', database: 'main' });
    assert.equal(record?.state, 'drilled');
  });

  it('40 hours on with no newer drilled backup, the hourly freshness check fires critical', async () => {
    clock.advance(40 * H);
    const [unit] = await runNow('shop/main.freshness');
    assert.equal(unit?.alert.state, 'firing');
    assert.equal(unit?.alert.severity, 'critical');
    assert.equal(unit?.alert.lastSummary, 'no drilled backup newer than 1d12h (newest drilled 1d16h ago)');
    const [t] = await store.listTransitions({ unitId: 'shop/main.freshness', limit: 1 });
    assert.equal(t?.to, 'firing');
  });

  it('a drill whose restored counts differ from the backup fires critical, saying which table', async () => {
    // A new backup, so the drill below takes it. Proof is stale, but that is the freshness unit's alert alone.
    const [backup] = await runNow('shop/main.backup');
    assert.equal(backup?.lastOutcome, 'ok', backup?.alert.lastSummary);
    lieAboutOrders = true;
    try {
      const [unit] = await runNow('shop/main.drill');
      assert.equal(unit?.alert.state, 'firing');
      assert.equal(unit?.alert.severity, 'critical');
      assert.match(unit?.alert.lastSummary ?? '', /drill mismatch: public\.orders: backup 500, restored 499/);
    } finally {
      lieAboutOrders = false;
    }
  });

  it('a good drill resolves the drill unit, and the next freshness run resolves freshness', async () => {
    await runNow('shop/main.backup');
    const [drill] = await runNow('shop/main.drill');
    assert.equal(drill?.alert.state, 'resolved', drill?.alert.lastSummary);
    const [fresh] = await runNow('shop/main.freshness');
    assert.equal(fresh?.alert.state, 'resolved');
  });

  it('an unreachable database fires the backup unit critical, never as upkeep’s error, and shows no password', async () => {
    const [unit] = await runNow('shop/gone.backup');
    assert.equal(unit?.lastOutcome, 'critical');
    assert.equal(unit?.alert.state, 'firing');
    assert.match(unit?.alert.lastSummary ?? '', /^backup failed: .*unreachable/);
    const [run] = await store.listRuns({ unitId: 'shop/gone.backup', limit: 1 });
    assert.ok(!JSON.stringify(run).includes('pw-not-shown'));
  });
});
