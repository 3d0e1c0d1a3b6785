/** The one Store contract suite, run against every backend (sqlite-store.test.ts, postgres-store.test.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertState, Transition } from '../alerts/types.js';
import { StoreError, StoreSchemaTooNewError } from './errors.js';
import { KyselyStore } from './kysely-store.js';
import { currentVersion } from './migrate.js';
import { LATEST_MIGRATION } from './migrations/index.js';
import type { RunRecord, UnitDefinition } from './store.js';

/** A database for one test: every open() is a new connection (pool) to the same database. */
export interface StoreFixture {
  open(): Promise<KyselyStore>;
  /** A store on the same database whose connection refuses writes (SQLite query_only, PostgreSQL read-only). */
  openReadOnly(): Promise<KyselyStore>;
  dispose(): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** First run far away, so only the units a test makes due are claimed. */
const LATER = () => T0 + 30 * DAY;

function unit(id: string, specHash = 'h1', target = `GET https://${id}.example/health`): UnitDefinition {
  const [app = 'app', name = id] = id.split('/');
  return { id, app, name, type: 'check', kind: 'http', target, schedule: 'every 1m', specHash };
}

function run(
  unitId: string,
  startedAt: number,
  outcome: RunRecord['outcome'],
  worker = 'w1',
  durationMs = 100,
): RunRecord {
  return {
    unitId,
    startedAt,
    endedAt: startedAt + durationMs,
    outcome,
    summary: `${outcome} in ${durationMs}ms`,
    durationMs,
    details: { status: 200 },
    values: { responseTimeMs: durationMs },
    worker,
  };
}

const OK: AlertState = { state: 'ok', since: T0, consecutiveFailures: 0, consecutiveSuccesses: 1 };

/** Claims `unitId` for `worker` at `now` (it must be due) so a run can be recorded. */
async function claimOne(store: KyselyStore, unitId: string, now: number, worker = 'w1'): Promise<void> {
  await store.setNextRunAt(unitId, now);
  const claims = await store.claimDue({ now, limit: 100, worker, leaseMs: () => MIN, nextRunAt: (_, t) => t + MIN });
  assert.ok(
    claims.some((c) => c.unitId === unitId),
    `expected ${worker} to claim ${unitId}`,
  );
}

/** Runs the Store contract against the backend that `makeStore` provides. */
export function runStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  async function withStore(fn: (store: KyselyStore, fixture: StoreFixture) => Promise<void>): Promise<void> {
    const fixture = await makeStore();
    const store = await fixture.open();
    try {
      await store.migrate();
      await fn(store, fixture);
    } finally {
      await store.close().catch(() => undefined);
      await fixture.dispose();
    }
  }

  describe(`Store contract: ${name}`, () => {
    it('migrates once; a second migrate is a no-op', () =>
      withStore(async (store) => {
        assert.equal(await currentVersion(store.database.db), LATEST_MIGRATION);
        await store.syncUnits([unit('a/x')], () => T0);
        await store.migrate();
        const rows = await store.database.db.selectFrom('upkeep_migrations').selectAll().execute();
        assert.equal(rows.length, LATEST_MIGRATION);
        assert.equal((await store.listUnits()).length, 1, 'data survives a second migrate');
      }));

    it('two stores migrating an empty database at once both succeed, and migrate only once', async () => {
      const fixture = await makeStore();
      const [a, b] = [await fixture.open(), await fixture.open()];
      try {
        await Promise.all([a.migrate(), b.migrate()]);
        const rows = await a.database.db.selectFrom('upkeep_migrations').selectAll().execute();
        assert.deepEqual(
          rows.map((r) => Number(r.version)),
          Array.from({ length: LATEST_MIGRATION }, (_, i) => i + 1),
        );
      } finally {
        await a.close();
        await b.close();
        await fixture.dispose();
      }
    });

    it('refuses a schema newer than this code knows', () =>
      withStore(async (store, fixture) => {
        const newer = LATEST_MIGRATION + 1;
        await store.database.db
          .insertInto('upkeep_migrations')
          .values({ version: newer, name: 'from-the-future', applied_at: T0 })
          .execute();
        const other = await fixture.open();
        try {
          await assert.rejects(other.migrate(), (err: unknown) => {
            assert.ok(err instanceof StoreSchemaTooNewError);
            assert.ok(err instanceof StoreError, 'a too-new schema is still a store error');
            assert.equal(
              err.message,
              `store schema is at migration ${newer}, this upkeep knows up to ${LATEST_MIGRATION}; upgrade upkeep or point it at another data dir`,
            );
            return true;
          });
        } finally {
          await other.close();
        }
      }));

    it('syncUnits inserts, updates, reschedules changed specs and deletes removed units with their history', () =>
      withStore(async (store) => {
        await store.syncUnits([unit('a/x'), unit('a/y')], (id) => (id === 'a/x' ? T0 : T0 + MIN));
        let units = await store.listUnits();
        assert.deepEqual(
          units.map((u) => [u.id, u.nextRunAt, u.alert.state, u.runningSince, u.lastRunAt]),
          [
            ['a/x', T0, 'ok', null, null],
            ['a/y', T0 + MIN, 'ok', null, null],
          ],
        );
        await claimOne(store, 'a/x', T0);
        assert.equal(await store.recordRun(run('a/x', T0, 'ok'), OK, null), true);

        // a/y: new spec → rescheduled; a/x: only the display target changed → keeps its schedule.
        await store.syncUnits(
          [unit('a/x', 'h1', 'GET https://new/health'), unit('a/y', 'h2'), unit('b/z')],
          () => T0 + HOUR,
        );
        units = await store.listUnits();
        assert.deepEqual(
          units.map((u) => [u.id, u.nextRunAt, u.specHash, u.target]),
          [
            ['a/x', T0 + MIN, 'h1', 'GET https://new/health'],
            ['a/y', T0 + HOUR, 'h2', 'GET https://a/y.example/health'],
            ['b/z', T0 + HOUR, 'h1', 'GET https://b/z.example/health'],
          ],
        );

        await store.syncUnits([unit('b/z')], () => T0);
        assert.deepEqual(
          (await store.listUnits()).map((u) => u.id),
          ['b/z'],
        );
        assert.equal(await store.getUnit('a/x'), undefined);
        assert.deepEqual(await store.listRuns({ unitId: 'a/x', limit: 10 }), [], 'history of a removed unit goes too');
        assert.deepEqual(await store.listRollups({ unitId: 'a/x', grain: 'day', from: 0, to: T0 + DAY }), []);
      }));

    it('claimDue claims due units oldest first, sets the claim fields, and never claims a running unit again', () =>
      withStore(async (store) => {
        await store.syncUnits([unit('a/1'), unit('a/2'), unit('a/3')], (id) =>
          id === 'a/1' ? T0 + 2000 : id === 'a/2' ? T0 + 1000 : T0 + 9000,
        );
        assert.equal(await store.nextDueAt(), T0 + 1000);
        const claims = await store.claimDue({
          now: T0 + 2500,
          limit: 10,
          worker: 'w1',
          leaseMs: () => 5 * MIN,
          nextRunAt: (_, now) => now + MIN,
        });
        assert.deepEqual(claims, [
          { unitId: 'a/2', dueAt: T0 + 1000 },
          { unitId: 'a/1', dueAt: T0 + 2000 },
        ]);
        const claimed = await store.getUnit('a/2');
        assert.equal(claimed?.runningBy, 'w1');
        assert.equal(claimed?.runningSince, T0 + 2500);
        assert.equal(claimed?.leaseUntil, T0 + 2500 + 5 * MIN);
        assert.equal(claimed?.nextRunAt, T0 + 2500 + MIN);
        assert.equal(await store.nextDueAt(), T0 + 9000, 'running units do not count for the next wake-up');
        const again = await store.claimDue({
          now: T0 + 2500 + MIN,
          limit: 10,
          worker: 'w2',
          leaseMs: () => 30_000,
          nextRunAt: (_, now) => now + MIN,
        });
        assert.deepEqual(
          again.map((c) => c.unitId),
          ['a/3'],
          'units still running under a live lease are not claimed',
        );
      }));

    it('two stores on the same database racing: exactly one claims each due run', () =>
      withStore(async (store, fixture) => {
        const ids = Array.from({ length: 30 }, (_, i) => `race/u${String(i).padStart(2, '0')}`);
        await store.syncUnits(
          ids.map((id) => unit(id)),
          () => T0,
        );
        const other = await fixture.open();
        try {
          const seen = new Map<string, number>();
          for (let round = 0; round < 3; round++) {
            const now = T0 + round * MIN;
            const opts = { now, limit: 50, leaseMs: () => 10 * MIN, nextRunAt: (_: string, t: number) => t + MIN };
            const [a, b] = await Promise.all([
              store.claimDue({ ...opts, worker: 'w1' }),
              other.claimDue({ ...opts, worker: 'w2' }),
            ]);
            const claimed = [...a, ...b].map((c) => c.unitId).sort();
            assert.deepEqual(claimed, ids, `round ${round}: each due run claimed exactly once`);
            for (const id of claimed) seen.set(id, (seen.get(id) ?? 0) + 1);
            // Finish every run so the units become free and due again next round.
            for (const c of a) assert.equal(await store.recordRun(run(c.unitId, now, 'ok', 'w1'), OK, null), true);
            for (const c of b) assert.equal(await other.recordRun(run(c.unitId, now, 'ok', 'w2'), OK, null), true);
          }
          assert.deepEqual([...new Set(seen.values())], [3], 'every unit ran once per round');
        } finally {
          await other.close();
        }
      }));

    it('an expired lease lets another worker claim; the old worker then loses its claim', () =>
      withStore(async (store) => {
        await store.syncUnits([unit('a/x')], () => T0);
        const lease = { limit: 10, leaseMs: () => 1000, nextRunAt: (_: string, t: number) => t + 100 };
        assert.equal((await store.claimDue({ ...lease, now: T0, worker: 'w1' })).length, 1);
        assert.equal((await store.claimDue({ ...lease, now: T0 + 999, worker: 'w2' })).length, 0, 'lease still held');
        const taken = await store.claimDue({ ...lease, now: T0 + 1001, worker: 'w2' });
        assert.deepEqual(taken, [{ unitId: 'a/x', dueAt: T0 + 100 }]);
        assert.equal(await store.recordRun(run('a/x', T0, 'ok', 'w1'), OK, null), false, 'w1 lost its claim');
        assert.deepEqual(await store.listRuns({ unitId: 'a/x', limit: 10 }), [], 'a lost claim records nothing');
        assert.equal(await store.recordRun(run('a/x', T0 + 1001, 'ok', 'w2'), OK, null), true);
        assert.equal(await store.recordRun(run('a/x', T0 + 1001, 'ok', 'w2'), OK, null), false, 'a claim is used once');
        const after = await store.getUnit('a/x');
        assert.equal(after?.runningBy, null);
        assert.equal(after?.lastOutcome, 'ok');
        assert.equal(after?.lastRunAt, T0 + 1001);
      }));

    it('abandonRuns: by worker on shutdown, by expired lease or dead worker, and all on a crash restart', () =>
      withStore(async (store) => {
        const firing: AlertState = {
          state: 'firing',
          severity: 'critical',
          since: T0,
          consecutiveFailures: 3,
          consecutiveSuccesses: 0,
        };
        await store.syncUnits([unit('a/1'), unit('a/2'), unit('a/3'), unit('a/4')], LATER);
        await claimOne(store, 'a/1', T0);
        assert.equal(await store.recordRun(run('a/1', T0, 'critical'), firing, null), true);
        const claim = (id: string, worker: string, leaseMs: number) =>
          store.setNextRunAt(id, T0 + MIN).then(() =>
            store.claimDue({
              now: T0 + MIN,
              limit: 1,
              worker,
              leaseMs: () => leaseMs,
              nextRunAt: (_, t) => t + HOUR,
            }),
          );
        await claim('a/1', 'w1', HOUR);
        await claim('a/2', 'w2', 1000);
        await claim('a/3', 'w3', HOUR);
        await claim('a/4', 'w4', HOUR);

        assert.deepEqual(await store.abandonRuns({ now: T0 + MIN + 10, worker: 'w1', expiredOnly: true }), []);
        assert.deepEqual(await store.abandonRuns({ now: T0 + MIN + 10, worker: 'w1' }), ['a/1']);
        assert.deepEqual(await store.abandonRuns({ now: T0 + MIN + 5000, deadWorkers: ['w3'] }), ['a/2', 'a/3']);
        assert.deepEqual(await store.abandonRuns({ now: T0 + MIN + 5000 }), [], 'a/4 holds a live lease');
        assert.deepEqual(await store.abandonRuns({ now: T0 + MIN + 5000, expiredOnly: false }), ['a/4']);

        const a1 = await store.getUnit('a/1');
        assert.equal(a1?.runningSince, null);
        assert.equal(a1?.lastOutcome, 'abandoned');
        assert.deepEqual(a1?.alert, firing, 'abandoning never changes the alert state');
        const [last] = await store.listRuns({ unitId: 'a/1', limit: 1 });
        assert.equal(last?.outcome, 'abandoned');
        assert.equal(last?.worker, 'w1');
        assert.equal(last?.durationMs, 10);
        const [bucket] = await store.listRollups({ unitId: 'a/1', grain: 'day', from: 0, to: T0 + DAY });
        assert.deepEqual([bucket?.runs, bucket?.failedRuns, bucket?.errorRuns], [2, 1, 1]);
      }));

    it('rollups add up across minute, hour and day buckets; outcomes count as ok, failed or error', () =>
      withStore(async (store) => {
        await store.syncUnits([unit('a/x')], LATER);
        const plan: [number, RunRecord['outcome'], number][] = [
          [T0 + 1_000, 'ok', 100],
          [T0 + 30_000, 'warning', 300],
          [T0 + MIN + 5_000, 'critical', 50],
          [T0 + 2 * HOUR, 'error', 20],
          [T0 + 2 * HOUR + 10, 'info', 70],
          [T0 + DAY, 'ok', 10],
        ];
        for (const [at, outcome, duration] of plan) {
          await claimOne(store, 'a/x', at);
          assert.equal(await store.recordRun(run('a/x', at, outcome, 'w1', duration), OK, null), true);
        }
        const range = { unitId: 'a/x', from: T0 - DAY, to: T0 + 2 * DAY };
        const minutes = await store.listRollups({ ...range, grain: 'minute' });
        assert.deepEqual(
          minutes.map((r) => [
            r.bucketStart - T0,
            r.runs,
            r.okRuns,
            r.failedRuns,
            r.errorRuns,
            r.durationSumMs,
            r.durationMaxMs,
          ]),
          [
            [0, 2, 1, 1, 0, 400, 300],
            [MIN, 1, 0, 1, 0, 50, 50],
            [2 * HOUR, 2, 0, 1, 1, 90, 70],
            [DAY, 1, 1, 0, 0, 10, 10],
          ],
        );
        const hours = await store.listRollups({ ...range, grain: 'hour' });
        assert.deepEqual(
          hours.map((r) => [r.bucketStart - T0, r.runs, r.durationSumMs, r.durationMaxMs]),
          [
            [0, 3, 450, 300],
            [2 * HOUR, 2, 90, 70],
            [DAY, 1, 10, 10],
          ],
        );
        const days = await store.listRollups({ ...range, grain: 'day' });
        const dayStart = T0 - (T0 % DAY);
        assert.deepEqual(
          days.map((r) => [r.bucketStart, r.runs, r.okRuns, r.failedRuns, r.errorRuns, r.durationSumMs]),
          [
            [dayStart, 5, 1, 3, 1, 540],
            [dayStart + DAY, 1, 1, 0, 0, 10],
          ],
        );
        for (const rows of [minutes, hours, days]) {
          assert.equal(
            rows.reduce((sum, r) => sum + r.runs, 0),
            plan.length,
            'every grain counts every run',
          );
        }
        assert.deepEqual(
          await store.listRollups({ ...range, grain: 'day', from: dayStart + 1 }),
          [days[1]],
          '[from, to)',
        );
      }));

    it('prune deletes raw runs and rollups past their retention, in bounded batches', () =>
      withStore(async (store) => {
        await store.syncUnits([unit('a/x')], LATER);
        for (let i = 0; i < 7; i++) {
          await claimOne(store, 'a/x', T0 + i * HOUR);
          await store.recordRun(run('a/x', T0 + i * HOUR, 'ok'), OK, null);
        }
        const now = T0 + 6 * HOUR;
        const retention = { raw: 3 * HOUR, minute: 2 * HOUR, hour: 5 * HOUR, day: 365 * DAY };
        // Batches of 2 rows: every kind of row needs several batches.
        const pruner = new KyselyStore(store.database, { pruneBatchSize: 2 });
        const deleted = await pruner.prune(now, retention);
        // raw: runs before 3h (0,1,2h) → 3; the run at exactly 3h is kept. minute buckets before 4h → 4 (0..3h);
        // hour buckets before 1h → 1.
        assert.equal(deleted, 3 + 4 + 1);
        const runs = await store.listRuns({ unitId: 'a/x', limit: 100 });
        assert.deepEqual(
          runs.map((r) => (r.startedAt - T0) / HOUR),
          [6, 5, 4, 3],
        );
        const range = { unitId: 'a/x', from: 0, to: now + DAY };
        assert.equal((await store.listRollups({ ...range, grain: 'minute' })).length, 3);
        assert.equal((await store.listRollups({ ...range, grain: 'hour' })).length, 6);
        assert.equal((await store.listRollups({ ...range, grain: 'day' }))[0]?.runs, 7, 'day rollups kept');
        assert.equal(await pruner.prune(now, retention), 0);
        assert.equal(await store.prune(now + 2 * 365 * DAY, retention), 4 + 3 + 6 + 1, 'everything ages out');
      }));

    it('listRuns and listTransitions are newest first, filtered and limited; recentValues oldest first', () =>
      withStore(async (store) => {
        await store.syncUnits([unit('a/x'), unit('a/y')], LATER);
        for (const [id, at, outcome] of [
          ['a/x', T0, 'ok'],
          ['a/y', T0 + 10, 'ok'],
          ['a/x', T0 + 20, 'error'],
          ['a/x', T0 + 30, 'warning'],
        ] as const) {
          await claimOne(store, id, at);
          const t: Transition = {
            unitId: id,
            at,
            from: 'ok',
            to: 'pending',
            reason: `r${at - T0}`,
            inMaintenance: false,
          };
          await store.recordRun({ ...run(id, at, outcome), values: { n: at - T0 } }, OK, t);
        }
        const all = await store.listRuns({ limit: 10 });
        assert.deepEqual(
          all.map((r) => [r.unitId, r.startedAt - T0]),
          [
            ['a/x', 30],
            ['a/x', 20],
            ['a/y', 10],
            ['a/x', 0],
          ],
        );
        const page = await store.listRuns({ unitId: 'a/x', limit: 1, before: T0 + 30 });
        assert.deepEqual(
          page.map((r) => r.startedAt - T0),
          [20],
        );
        const transitions = await store.listTransitions({ unitId: 'a/x', limit: 2 });
        assert.deepEqual(
          transitions.map((t) => t.reason),
          ['r30', 'r20'],
        );
        assert.equal((await store.listTransitions({ limit: 10 })).length, 4);
        assert.deepEqual(await store.recentValues('a/x', 5), [
          { at: T0, values: { n: 0 } },
          { at: T0 + 30, values: { n: 30 } },
        ]);
      }));

    it('alert state, run details and transitions round-trip through JSON and columns', () =>
      withStore(async (store) => {
        await store.syncUnits([unit('a/x')], LATER);
        await claimOne(store, 'a/x', T0);
        const alert: AlertState = {
          state: 'firing',
          severity: 'warning',
          since: T0,
          consecutiveFailures: 4,
          consecutiveSuccesses: 0,
          resumeState: 'pending',
          lastSummary: 'HTTP 503 (expected 200) — “über” 🚨',
        };
        const details = { status: 503, body: { nested: [1, 'two', null, true] }, headers: { 'x-a': 'b' }, note: 'ü' };
        const transition: Transition = {
          unitId: 'a/x',
          at: T0 + 5,
          from: 'pending',
          to: 'firing',
          severity: 'warning',
          reason: 'HTTP 503',
          inMaintenance: true,
        };
        const r = { ...run('a/x', T0, 'warning'), details, values: { responseTimeMs: 12.5, status: 503 } };
        assert.equal(await store.recordRun(r, alert, transition), true);
        assert.deepEqual((await store.getUnit('a/x'))?.alert, alert);
        const [stored] = await store.listRuns({ unitId: 'a/x', limit: 1 });
        assert.ok(stored?.id !== undefined && stored.id > 0);
        assert.deepEqual({ ...stored, id: undefined }, { ...r, id: undefined });
        assert.deepEqual(await store.listTransitions({ unitId: 'a/x', limit: 1 }), [transition]);
        const { severity: _none, ...withoutSeverity } = transition;
        const plain: Transition = { ...withoutSeverity, at: T0 + 6, inMaintenance: false };
        await claimOne(store, 'a/x', T0 + 6);
        await store.recordRun({ ...run('a/x', T0 + 6, 'ok'), details: undefined }, OK, plain);
        assert.deepEqual((await store.listTransitions({ unitId: 'a/x', limit: 1 }))[0], plain);
        assert.equal((await store.listRuns({ unitId: 'a/x', limit: 1 }))[0]?.details, null);
      }));

    it('ping reads and writes; sizeBytes is positive; setNextRunAt of an unknown unit says so', () =>
      withStore(async (store) => {
        await store.ping();
        await store.ping(true);
        assert.ok((await store.sizeBytes()) > 0);
        await assert.rejects(store.setNextRunAt('nope/x', T0), /unit nope\/x is not in the store/);
      }));

    it('a store that cannot write rejects recordRun with a StoreError carrying the cause', () =>
      withStore(async (store, fixture) => {
        await store.syncUnits([unit('a/x')], () => T0);
        await claimOne(store, 'a/x', T0);
        const readOnly = await fixture.openReadOnly();
        try {
          assert.equal((await readOnly.getUnit('a/x'))?.runningBy, 'w1', 'reads still work');
          await assert.rejects(readOnly.recordRun(run('a/x', T0, 'ok'), OK, null), (err: unknown) => {
            assert.ok(err instanceof StoreError, `expected StoreError, got ${String(err)}`);
            assert.equal(err.operation, 'recordRun');
            assert.ok(err.cause instanceof Error);
            assert.match(err.message, /not a monitored target/);
            return true;
          });
          await assert.rejects(readOnly.ping(true), StoreError);
        } finally {
          await readOnly.close();
        }
        assert.equal((await store.getUnit('a/x'))?.runningBy, 'w1', 'the failed write changed nothing');
        await store.close();
        await assert.rejects(store.listUnits(), StoreError, 'a closed store rejects with a StoreError too');
      }));
  });
}
