/** The notifier against real stores (SQLite and PostgreSQL) and a real HTTP receiver, through the webhook channel. */
import assert from 'node:assert/strict';
// PostgreSQL variants run on the throwaway cluster scripts/test.mjs starts (UPKEEP_TEST_DATABASE_URL).
import { after, before, it } from 'node:test';
import { ManualClock } from '../schedule/clock.js';
import type { StoreDialect } from '../store/database.js';
import { type Receiver, startReceiver } from './channels/test-support.js';
import { Notifier } from './notifier.js';
import { onEveryDialect, openTestStore, recordTransition, silent, type TestStore, testPlan } from './test-notify.js';

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);

function bodies(
  receiver: Receiver,
): { path: string; event: string; unitId: string; severity: string | null; reason: string }[] {
  return receiver.requests.map((r) => {
    const body = JSON.parse(r.body) as { event: string; unitId: string; severity: string | null; reason: string };
    return { path: r.url, event: body.event, unitId: body.unitId, severity: body.severity, reason: body.reason };
  });
}

onEveryDialect('Notifier', (dialect: StoreDialect) => {
  let receiver: Receiver;
  let ts: TestStore;
  let clock: ManualClock;

  before(async () => {
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver.close();
  });

  async function setup(planExtra: Parameters<typeof testPlan>[1] = {}) {
    receiver.requests.length = 0;
    receiver.reply = { status: 200, body: 'ok' };
    ts = await openTestStore(dialect);
    clock = new ManualClock(T0);
    const plan = testPlan(receiver.base, planExtra);
    const make = (worker: string) =>
      new Notifier({
        database: ts.open(),
        plan,
        clock,
        logger: silent,
        worker,
        baseUrl: 'http://127.0.0.1:8080/',
        random: () => 0.5,
      });
    return { plan, make };
  }

  it('sends a firing and its resolved once each, to the route of its severity, with two notifiers racing', async () => {
    const { make } = await setup();
    try {
      const a = make('a');
      const b = make('b');
      const db = ts.store.database;
      await recordTransition(db, { unitId: 'shop/api', at: T0, from: 'ok', to: 'pending', severity: 'critical' });
      await recordTransition(db, {
        unitId: 'shop/api',
        at: T0 + 60_000,
        from: 'pending',
        to: 'firing',
        severity: 'critical',
      });
      await recordTransition(db, { unitId: 'shop/db', at: T0 + 60_000, from: 'ok', to: 'firing', severity: 'warning' });
      clock.advance(61_000);
      await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
      await recordTransition(
        db,
        { unitId: 'shop/api', at: T0 + 120_000, from: 'firing', to: 'resolved' },
        'HTTP 200 in 5ms',
      );
      clock.advance(60_000);
      await Promise.all([a.tick(), b.tick()]);
      const got = bodies(receiver).sort((x, y) => (x.unitId + x.event).localeCompare(y.unitId + y.event));
      assert.deepEqual(
        got.map((g) => [g.path, g.event, g.unitId, g.severity]),
        [
          ['/critical', 'firing', 'shop/api', 'critical'],
          ['/critical', 'resolved', 'shop/api', 'critical'],
          ['/warning', 'firing', 'shop/db', 'warning'],
        ],
      );
      const sent = await a.store.listOutbox({ limit: 10 });
      assert.equal(sent.length, 3);
      assert.ok(sent.every((row) => row.status === 'sent' && row.attempts === 1));
      const deliveries = await a.store.listDeliveries({ limit: 10 });
      assert.equal(deliveries.length, 3, 'one delivery row per send');
      assert.ok(deliveries.every((d) => d.ok === true && d.statusCode === 200 && d.endedAt !== null));
      const first = JSON.parse(receiver.requests[0]?.body ?? '{}') as { url: string; dedupKey: string };
      assert.match(first.url, /^http:\/\/127\.0\.0\.1:8080\/api\/units\/shop\//);
    } finally {
      await ts.dispose();
    }
  });
});
