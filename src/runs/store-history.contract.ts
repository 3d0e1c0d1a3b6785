/** The history half of the Store contract: rollups, prune, listings, JSON round-trips, health and write failures. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AlertState, Transition } from '../core/alert-state.js';
import type { RunRecord } from '../core/run.js';
import { StoreError } from '../store/errors.js';
import { KyselyStore } from './kysely-store.js';
import { claimOne, DAY, HOUR, LATER, MIN, OK, run, T0, unit, type WithStore } from './store-contract-fixtures.js';

/** Registers the history tests inside the caller's describe block. */
export function historyContract(withStore: WithStore): void {
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
}
