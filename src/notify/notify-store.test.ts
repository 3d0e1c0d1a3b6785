/** The notification store on SQLite and PostgreSQL: migration backfill and the compare-and-set claims under races. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { KyselyStore } from '../runs/kysely-store.js';
import { transitionToRow } from '../runs/rows.js';
import { runsTables } from '../runs/runs-schema.js';
import type { StoreDialect } from '../store/database.js';
import { migrateDatabase } from '../store/migrate.js';
import { MIGRATIONS } from '../store/migrations/index.js';
import { EMPTY_NOTIFY_STATE } from './notify-schema.js';
import { NotifyStore } from './notify-store.js';
import { onEveryDialect, openTestStore, recordTransition } from './test-notify.js';

// PostgreSQL variants: UPKEEP_TEST_DATABASE_URL, from ./test-database.ts.

const T0 = Date.UTC(2026, 3, 1);

onEveryDialect('NotifyStore', (dialect: StoreDialect) => {
  it('migration 2 marks history recorded before it as processed, so an upgrade sends nothing old', async () => {
    const ts = await openTestStore(dialect, { bare: true });
    try {
      const old = ts.store.database;
      await migrateDatabase(
        old,
        () => T0,
        MIGRATIONS.filter((m) => m.version === 1),
      );
      await runsTables(old)
        .insertInto('transitions')
        .values(
          transitionToRow({
            unitId: 'shop/api',
            at: T0,
            from: 'pending',
            to: 'firing',
            severity: 'critical',
            reason: 'x',
            inMaintenance: false,
          }),
        )
        .execute();
      await new KyselyStore(old).migrate();
      const notify = new NotifyStore(old);
      const result = await notify.processTransitions({
        now: T0 + 1,
        limit: 10,
        lookbackMs: () => 0,
        plan: () => assert.fail('nothing should be planned'),
      });
      assert.deepEqual(result, { processed: 0, queued: 0 });
    } finally {
      await ts.dispose();
    }
  });

  it('two stores planning at once process every transition exactly once, in order per unit', async () => {
    const ts = await openTestStore(dialect);
    try {
      for (let i = 0; i < 30; i++) {
        await recordTransition(ts.store.database, {
          unitId: i % 2 === 0 ? 'shop/api' : 'shop/db',
          at: T0 + i,
          from: 'pending',
          to: 'firing',
          severity: 'critical',
        });
      }
      const seen: { id: number; worker: string; previous: number | null }[] = [];
      const planner = (store: NotifyStore, worker: string) =>
        store.processTransitions({
          now: T0 + 100,
          limit: 100,
          lookbackMs: () => 0,
          plan: (input) => {
            seen.push({ id: input.id, worker, previous: input.state.lastNotifiedAt });
            // lastNotifiedAt carries the previous transition's id: each unit's chain must be unbroken and ordered.
            return {
              rows: [{ channel: 'c', event: 'firing', message: { id: input.id }, status: 'pending' }],
              state: { ...EMPTY_NOTIFY_STATE, lastNotifiedAt: input.id },
            };
          },
        });
      const a = new NotifyStore(ts.open());
      const b = new NotifyStore(ts.open());
      let total = 0;
      for (let round = 0; round < 5; round++) {
        const results = await Promise.all([planner(a, 'a'), planner(b, 'b')]);
        total += results.reduce((sum, r) => sum + r.processed, 0);
      }
      assert.equal(total, 30);
      assert.deepEqual(
        seen.map((s) => s.id).sort((x, y) => x - y),
        Array.from({ length: 30 }, (_, i) => i + 1),
      );
      const previousOf = new Map(seen.map((s) => [s.id, s.previous]));
      for (let id = 3; id <= 30; id++)
        assert.equal(previousOf.get(id), id - 2, `transition ${id} saw ${id - 2} before it`);
      assert.equal((await a.listOutbox({ limit: 100 })).length, 30);
    } finally {
      await ts.dispose();
    }
  });

  it('two senders claim disjoint rows; a lost claim cannot finish the row', async () => {
    const ts = await openTestStore(dialect);
    try {
      const a = new NotifyStore(ts.open());
      const b = new NotifyStore(ts.open());
      const rows = Array.from({ length: 40 }, (_, i) => ({
        unitId: 'shop/api',
        channel: `c${i % 3}`,
        event: 'firing' as const,
        message: { i },
        status: 'pending' as const,
      }));
      await a.enqueue(rows, T0);
      const claims = await Promise.all([
        a.claimOutbox({ now: T0, limit: 25, worker: 'a', claimMs: 1_000 }),
        b.claimOutbox({ now: T0, limit: 25, worker: 'b', claimMs: 1_000 }),
        a.claimOutbox({ now: T0, limit: 25, worker: 'a', claimMs: 1_000 }),
      ]);
      // Whatever the race left is claimable by one more pass.
      claims.push(await b.claimOutbox({ now: T0, limit: 100, worker: 'b', claimMs: 1_000 }));
      const ids = claims.flat().map((c) => c.row.id);
      assert.equal(new Set(ids).size, ids.length, 'no row claimed twice');
      assert.equal(ids.length, 40);
      // Which claimer wins how many depends on timing; exclusivity and completeness above are what matter.
      const deliveries = await a.listDeliveries({ limit: 100 });
      assert.equal(deliveries.length, 40, 'each claim wrote its delivery row before any send');
      assert.ok(deliveries.every((d) => d.ok === null && d.endedAt === null));

      // b takes over one of a's rows after the claim expired; a's late finish is refused.
      const mine = [...(claims[0] ?? []), ...(claims[2] ?? [])][0]; // one of a's claims (a makes two calls)
      assert.ok(mine);
      const taken = await b.claimOutbox({
        now: T0 + 1_001,
        limit: 100,
        worker: 'b',
        claimMs: 1_000,
        ids: [mine.row.id],
      });
      assert.equal(taken.length, 1);
      assert.equal(taken[0]?.attempt, 2);
      const late = await a.finishDelivery({
        claim: mine,
        worker: 'a',
        now: T0 + 1_002,
        outcome: { ok: true },
        retryAt: null,
      });
      assert.equal(late, false);
      const won = taken[0];
      assert.ok(won);
      assert.equal(
        await b.finishDelivery({
          claim: won,
          worker: 'b',
          now: T0 + 1_003,
          outcome: { ok: true, status: 204 },
          retryAt: null,
        }),
        true,
      );
      const [row] = (await b.listOutbox({ limit: 100 })).filter((r) => r.id === mine.row.id);
      assert.deepEqual([row?.status, row?.attempts, row?.sentAt], ['sent', 2, T0 + 1_003]);
    } finally {
      await ts.dispose();
    }
  });
});
