/** The one Store contract suite, run against every backend (sqlite-store.test.ts, postgres-store.test.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertState } from '../core/alert-state.js';
import { StoreError, StoreSchemaTooNewError } from '../store/errors.js';
import { currentVersion } from '../store/migrate.js';
import { LATEST_MIGRATION, MIGRATIONS } from '../store/migrations/index.js';
import {
  claimOne,
  DAY,
  HOUR,
  LATER,
  MIN,
  OK,
  run,
  type StoreFixture,
  T0,
  unit,
  type WithStore,
} from './store-contract-fixtures.js';
import { historyContract } from './store-history.contract.js';
import { readContract } from './store-read.contract.js';

export type { StoreFixture } from './store-contract-fixtures.js';

/** Runs the Store contract against the backend that `makeStore` provides. */
export function runStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  const withStore: WithStore = async (fn) => {
    const fixture = await makeStore();
    const store = await fixture.open();
    try {
      await store.migrate();
      await fn(store, fixture);
    } finally {
      await store.close().catch(() => undefined);
      await fixture.dispose();
    }
  };

  describe(`Store contract: ${name}`, () => {
    it('migrates once; a second migrate is a no-op', () =>
      withStore(async (store) => {
        assert.equal(await currentVersion(store.database.db), LATEST_MIGRATION);
        await store.syncUnits([unit('a/x')], () => T0);
        await store.migrate();
        const rows = await store.database.db.selectFrom('upkeep_migrations').selectAll().execute();
        assert.equal(rows.length, MIGRATIONS.length);
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
          MIGRATIONS.map((m) => m.version),
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

    it("releaseClaim frees only its own worker's claim, records no run and keeps the claimed next run", () =>
      withStore(async (store) => {
        await store.syncUnits([unit('a/x')], () => T0);
        const lease = { limit: 10, leaseMs: () => 60_000, nextRunAt: (_: string, t: number) => t + 100 };
        assert.equal((await store.claimDue({ ...lease, now: T0, worker: 'w1' })).length, 1);
        await store.releaseClaim('a/x', 'w2');
        assert.equal((await store.getUnit('a/x'))?.runningBy, 'w1', "another worker's release changes nothing");
        await store.releaseClaim('a/x', 'w1');
        const after = await store.getUnit('a/x');
        assert.equal(after?.runningBy, null);
        assert.equal(after?.nextRunAt, T0 + 100);
        assert.deepEqual(await store.listRuns({ unitId: 'a/x', limit: 10 }), []);
        assert.equal((await store.claimDue({ ...lease, now: T0 + 100, worker: 'w2' })).length, 1, 'claimable again');
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

    historyContract(withStore);
    readContract(withStore);
  });
}
