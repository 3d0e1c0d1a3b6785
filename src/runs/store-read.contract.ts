/** The read-side half of the Store contract: one app's units by page, a page's roll-ups in one call, totals. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { claimOne, DAY, HOUR, LATER, OK, run, T0, unit, type WithStore } from './store-contract-fixtures.js';

/** Registers the read-side tests inside the caller's describe block. */
export function readContract(withStore: WithStore): void {
  it("listUnitsOfApp pages one app's units in id order and reads no other app's", () =>
    withStore(async (store) => {
      const ids = ['shop/c', 'shop/a', 'shop/b', 'shopping/x', 'blog/a'];
      await store.syncUnits(
        ids.map((id) => unit(id)),
        LATER,
      );
      const page1 = await store.listUnitsOfApp('shop', { limit: 2 });
      assert.deepEqual(
        page1.map((u) => u.id),
        ['shop/a', 'shop/b'],
      );
      const page2 = await store.listUnitsOfApp('shop', { limit: 2, after: page1.at(-1)?.id });
      assert.deepEqual(
        page2.map((u) => u.id),
        ['shop/c'],
      );
      assert.deepEqual(await store.listUnitsOfApp('nope', { limit: 10 }), []);
      assert.equal(page1[0]?.alert.state, 'ok', 'whole records');
    }));

  it('listRollupsOfUnits reads the roll-ups of several units in one call; rollupTotals sums a range', () =>
    withStore(async (store) => {
      await store.syncUnits([unit('a/x'), unit('a/y'), unit('a/z')], LATER);
      const at = (h: number) => T0 + h * HOUR + 60_000;
      for (const [id, h, outcome] of [
        ['a/x', 0, 'ok'],
        ['a/x', 1, 'critical'],
        ['a/y', 1, 'ok'],
        ['a/z', 1, 'error'],
        ['a/x', 30, 'ok'],
      ] as const) {
        await claimOne(store, id, at(h));
        await store.recordRun(run(id, at(h), outcome, 'w1', 40 + h), OK, null);
      }
      const rows = await store.listRollupsOfUnits({ unitIds: ['a/x', 'a/y'], grain: 'hour', from: T0, to: T0 + DAY });
      assert.deepEqual(
        rows.map((r) => [r.unitId, r.bucketStart, r.okRuns, r.failedRuns]),
        [
          ['a/x', T0, 1, 0],
          ['a/x', T0 + HOUR, 0, 1],
          ['a/y', T0 + HOUR, 1, 0],
        ],
      );
      const many = Array.from({ length: 1_200 }, (_, i) => `a/none${i}`);
      assert.equal(
        (await store.listRollupsOfUnits({ unitIds: [...many, 'a/y'], grain: 'day', from: 0, to: T0 + 9 * DAY })).length,
        1,
        'long id lists are chunked',
      );
      assert.deepEqual(await store.rollupTotals({ unitId: 'a/x', grain: 'hour', from: T0, to: T0 + 2 * DAY }), {
        runs: 3,
        okRuns: 2,
        failedRuns: 1,
        errorRuns: 0,
        durationSumMs: 40 + 41 + 70,
      });
      assert.equal((await store.rollupTotals({ unitId: 'a/z', grain: 'day', from: 0, to: T0 + DAY })).errorRuns, 1);
      assert.deepEqual(await store.rollupTotals({ unitId: 'a/none', grain: 'day', from: 0, to: T0 }), {
        runs: 0,
        okRuns: 0,
        failedRuns: 0,
        errorRuns: 0,
        durationSumMs: 0,
      });
    }));

  it('listTransitions pages back with before', () =>
    withStore(async (store) => {
      await store.syncUnits([unit('a/x')], LATER);
      for (let i = 0; i < 3; i++) {
        const at = T0 + i * HOUR;
        await claimOne(store, 'a/x', at);
        const to = i % 2 === 0 ? 'pending' : 'ok';
        const transition = {
          unitId: 'a/x',
          at,
          from: 'ok' as const,
          to: to as 'pending',
          reason: `t${i}`,
          inMaintenance: false,
        };
        await store.recordRun(run('a/x', at, 'ok'), OK, transition);
      }
      const first = await store.listTransitions({ unitId: 'a/x', limit: 2 });
      assert.deepEqual(
        first.map((t) => t.reason),
        ['t2', 't1'],
      );
      const rest = await store.listTransitions({ unitId: 'a/x', limit: 2, before: first.at(-1)?.at });
      assert.deepEqual(
        rest.map((t) => t.reason),
        ['t0'],
      );
    }));
}
