/** The notifier against real stores (SQLite and PostgreSQL) and a real HTTP receiver, through the webhook channel. */
// PostgreSQL variants run on the throwaway cluster scripts/test.mjs starts (UPKEEP_TEST_DATABASE_URL).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runsTables } from '../runs/runs-schema.js';
import type { StoreDialect } from '../store/database.js';
import { Notifier } from './notifier.js';
import { bodies, notifierFixture, T0 } from './test-notifier-fixture.js';
import { onEveryDialect, recordFiring, recordTransition, silent, TEST_CHANNEL_KEY } from './test-notify.js';

onEveryDialect('Notifier', (dialect: StoreDialect) => {
  const setup = notifierFixture(dialect);

  it('sends a firing and its resolved once each, to the route of its severity, with two notifiers racing', async () => {
    const { make, ts, clock, receiver } = await setup();
    try {
      const a = make('a');
      const b = make('b');
      const db = ts.store.database;
      await recordTransition(db, { unitId: 'shop/api', at: T0, from: 'ok', to: 'pending', severity: 'critical' });
      await recordFiring(db, 'shop/api', T0 + 60_000, 'critical');
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

  it('retries a transient error with backoff, recording every attempt, then sends', async () => {
    const { make, ts, clock, receiver } = await setup();
    try {
      const n = make('a');
      receiver.reply = { status: 503, body: 'busy' };
      await recordFiring(ts.store.database, 'shop/api', T0, 'critical');
      await n.tick();
      let [row] = await n.store.listOutbox({ limit: 1 });
      assert.equal(row?.status, 'pending');
      assert.equal(row?.attempts, 1);
      // random() = 0.5: no jitter, so the first retry waits exactly 30 s.
      assert.equal(row?.nextAttemptAt, T0 + 30_000);
      assert.match(row?.lastError ?? '', /503/);
      clock.advance(29_000);
      await n.tick();
      assert.equal(receiver.requests.length, 1, 'not before the backoff');
      clock.advance(1_000);
      await n.tick();
      [row] = await n.store.listOutbox({ limit: 1 });
      assert.equal(row?.nextAttemptAt, T0 + 30_000 + 60_000, 'the second wait doubles');
      receiver.reply = { status: 200, body: 'ok' };
      clock.advance(60_000);
      await n.tick();
      [row] = await n.store.listOutbox({ limit: 1 });
      assert.equal(row?.status, 'sent');
      assert.equal(receiver.requests.length, 3);
      const attempts = (await n.store.listDeliveries({ limit: 10 })).reverse();
      assert.deepEqual(
        attempts.map((d) => [d.attempt, d.ok, d.statusCode, d.permanent]),
        [
          [1, false, 503, false],
          [2, false, 503, false],
          [3, true, 200, null],
        ],
      );
      const [state] = await n.store.listChannelStates();
      assert.equal(state?.disabledAt, null);
      assert.equal(state?.lastSuccessAt, clock.now());
    } finally {
      await ts.dispose();
    }
  });

  it("waits out a 429's Retry-After when it is longer than the backoff, capped at an hour", async () => {
    const { make, ts, clock, receiver } = await setup();
    try {
      const n = make('a');
      receiver.reply = { status: 429, body: 'rate limited', headers: { 'retry-after': '600' } };
      await recordFiring(ts.store.database, 'shop/api', T0, 'critical');
      await n.tick();
      let [row] = await n.store.listOutbox({ limit: 1 });
      assert.equal(row?.nextAttemptAt, T0 + 600_000, 'Retry-After (10 min) beats the 30 s backoff');
      assert.match(row?.lastError ?? '', /429.*asked to wait 600s/);
      clock.advance(300_000);
      await n.tick();
      assert.equal(receiver.requests.length, 1, 'not retried before the service asked');
      // A day-long Retry-After is capped at an hour so the alert is not buried.
      receiver.reply = { status: 429, body: 'rate limited', headers: { 'retry-after': '86400' } };
      clock.advance(300_000);
      await n.tick();
      assert.equal(receiver.requests.length, 2);
      [row] = await n.store.listOutbox({ limit: 1 });
      assert.equal(row?.nextAttemptAt, clock.now() + 3_600_000);
      receiver.reply = { status: 200, body: 'ok' };
      clock.advance(3_600_000);
      await n.tick();
      [row] = await n.store.listOutbox({ limit: 1 });
      assert.equal(row?.status, 'sent');
      assert.equal(receiver.requests.length, 3);
    } finally {
      await ts.dispose();
    }
  });

  it('a permanent error disables the channel with its last error; a changed plan entry re-enables it', async () => {
    const { make, plan, ts, clock, receiver } = await setup();
    try {
      const n = make('a');
      receiver.reply = { status: 401, body: 'bad token' };
      const db = ts.store.database;
      await recordTransition(db, { unitId: 'shop/api', at: T0, from: 'pending', to: 'firing', severity: 'critical' });
      await n.tick();
      assert.equal(receiver.requests.length, 1, 'a permanent error is not retried');
      const states = await n.store.listChannelStates();
      const crit = states.find((s) => s.channel === 'crit-hook');
      assert.equal(crit?.disabledAt, T0);
      assert.match(crit?.disabledReason ?? '', /401/);
      assert.match(crit?.lastError ?? '', /401/);
      assert.equal(states.find((s) => s.channel === 'warn-hook')?.disabledAt, null);
      // While disabled, new messages for it fail at once with the reason, and nothing reaches the receiver.
      await recordTransition(db, { unitId: 'shop/api', at: T0 + 1, from: 'firing', to: 'resolved' });
      clock.advance(3_600_000);
      await n.tick();
      assert.equal(receiver.requests.length, 1);
      const rows = await n.store.listOutbox({ limit: 5 });
      assert.deepEqual(
        rows.map((r) => [r.event, r.status]),
        [
          ['resolved', 'failed'],
          ['firing', 'failed'],
        ],
      );
      assert.match(rows[0]?.lastError ?? '', /^channel disabled: .*401/);
      // Same plan again: still disabled. An edited entry: enabled again.
      assert.deepEqual(await n.store.syncChannels({ 'crit-hook': 'x' }), ['crit-hook']);
      receiver.reply = { status: 200, body: 'ok' };
      const edited = new Notifier({
        database: ts.open(),
        plan: {
          ...plan,
          notify: { ...plan.notify, 'crit-hook': { type: 'webhook', url: `${receiver.base}/critical?v=2` } },
        },
        clock,
        logger: silent,
        worker: 'b',
        baseUrl: 'http://127.0.0.1:8080',
        channelKey: TEST_CHANNEL_KEY,
      });
      await n.store.disableChannel('crit-hook', 'by test', clock.now());
      await edited.tick();
      assert.equal((await edited.store.listChannelStates()).find((s) => s.channel === 'crit-hook')?.disabledAt, null);
      assert.equal(await edited.store.enableChannel('crit-hook'), false, 'already enabled');
    } finally {
      await ts.dispose();
    }
  });

  it('a maintenance window records transitions but sends nothing', async () => {
    const { make, ts, receiver } = await setup();
    try {
      const n = make('a');
      const db = ts.store.database;
      await recordTransition(db, { unitId: 'shop/api', at: T0, from: 'ok', to: 'maintenance', inMaintenance: true });
      await recordTransition(db, {
        unitId: 'shop/db',
        at: T0,
        from: 'pending',
        to: 'firing',
        severity: 'critical',
        inMaintenance: true,
      });
      await n.tick();
      assert.equal(receiver.requests.length, 0);
      assert.deepEqual(await n.store.listOutbox({ limit: 5 }), []);
      const processed = await runsTables(ts.store.database)
        .selectFrom('transitions')
        .select('id')
        .where(({ eb, ref }) => eb(ref('processed_at' as 'id'), 'is not', null))
        .execute();
      assert.equal(processed.length, 2, 'both transitions were planned (and recorded) all the same');
    } finally {
      await ts.dispose();
    }
  });

  it('damps a flapping check: one flapping message, changes held, then its state once it is stable', async () => {
    const { make, ts, clock, receiver } = await setup();
    try {
      const n = make('a');
      const db = ts.store.database;
      // Flip every 5 minutes: firing, resolved, firing, ... 8 changes within 40 minutes.
      for (let i = 0; i < 8; i++) {
        const to = i % 2 === 0 ? 'firing' : 'resolved';
        const from = i % 2 === 0 ? 'resolved' : 'firing';
        await recordTransition(db, {
          unitId: 'shop/api',
          at: T0 + i * 300_000,
          from,
          to,
          ...(to === 'firing' ? { severity: 'critical' as const } : {}),
        });
        clock.advance(300_000);
        await n.tick();
      }
      const events = bodies(receiver).map((b) => `${b.event}${b.reason.startsWith('flapping') ? ' (flapping)' : ''}`);
      assert.deepEqual(events, ['firing', 'resolved', 'firing', 'resolved', 'firing (flapping)']);
      const held = await n.store.listOutbox({ limit: 20, status: 'suppressed' });
      assert.equal(held.length, 3, 'the three later changes are recorded as held');
      // Last change (resolved) at T0+35m; quiet for an hour after that: the current state is told once.
      clock.advance(3_600_000);
      await n.tick();
      await n.tick();
      const last = bodies(receiver).slice(5);
      assert.deepEqual(
        last.map((b) => [b.event, b.reason]),
        [['resolved', 'stable again (no state change for 1h): resolved']],
      );
      assert.equal((await n.store.getUnitState('shop/api')).flappingSince, null);
    } finally {
      await ts.dispose();
    }
  });

  it('reminds every renotify while firing, once across two notifiers', async () => {
    const { make, ts, clock, receiver } = await setup({ api: '        renotify: 2h' });
    try {
      const a = make('a');
      const b = make('b');
      await recordFiring(ts.store.database, 'shop/api', T0, 'critical');
      await a.tick();
      const count = () => bodies(receiver).filter((x) => x.event === 'reminder').length;
      clock.advance(3_600_000);
      await Promise.all([a.tick(), b.tick()]);
      assert.equal(count(), 0);
      clock.advance(3_600_000);
      await Promise.all([a.tick(), b.tick()]);
      assert.equal(count(), 1);
      clock.advance(60_000);
      await Promise.all([a.tick(), b.tick()]);
      assert.equal(count(), 1, 'reminder passes run every 30 s but remind only every 2 h');
      clock.advance(2 * 3_600_000);
      await Promise.all([a.tick(), b.tick()]);
      assert.equal(count(), 2);
      await recordTransition(ts.store.database, {
        unitId: 'shop/api',
        at: clock.now(),
        from: 'firing',
        to: 'resolved',
      });
      clock.advance(3 * 3_600_000);
      await Promise.all([a.tick(), b.tick()]);
      assert.deepEqual(
        bodies(receiver).map((x) => x.event),
        ['firing', 'reminder', 'reminder', 'resolved'],
      );
    } finally {
      await ts.dispose();
    }
  });
});
