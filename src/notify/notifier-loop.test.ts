/** The notifier's loop, test sends and pruning, on SQLite and PostgreSQL with a real HTTP receiver. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../schedule/clock.js';
import type { StoreDialect } from '../store/database.js';
import { Notifier } from './notifier.js';
import { bodies, notifierFixture, T0 } from './test-notifier-fixture.js';
import { onEveryDialect, recordFiring, silent, TEST_CHANNEL_KEY } from './test-notify.js';

onEveryDialect('Notifier loop', (dialect: StoreDialect) => {
  const setup = notifierFixture(dialect);

  it('the loop sends on wake(), and stop() ends it', async () => {
    const { plan, ts, receiver } = await setup();
    const n = new Notifier({
      database: ts.open(),
      plan,
      clock: systemClock,
      logger: silent,
      worker: 'loop',
      baseUrl: 'http://127.0.0.1:8080',
      channelKey: TEST_CHANNEL_KEY,
      pollMs: 60_000,
    });
    try {
      n.start();
      await recordFiring(ts.store.database, 'shop/db', Date.now(), 'warning');
      n.wake();
      const deadline = Date.now() + 5_000;
      while (receiver.requests.length === 0 && Date.now() < deadline) await sleep(10);
      assert.deepEqual(
        bodies(receiver).map((b) => [b.path, b.event]),
        [['/warning', 'firing']],
      );
      assert.equal(n.status().running, true);
      await n.stop(1_000);
      assert.equal(n.status().running, false);
      assert.equal(n.status().error, null);
    } finally {
      await n.stop(0);
      await ts.dispose();
    }
  });

  it('sendTest reports what happened, records it, and does not disable a failing channel', async () => {
    const { make, ts, receiver } = await setup();
    try {
      const n = make('cli');
      const ok = await n.sendTest('warn-hook');
      assert.equal(ok.ok, true);
      assert.equal(ok.status, 200);
      const [body] = bodies(receiver);
      assert.deepEqual([body?.path, body?.event], ['/warning', 'test']);
      receiver.reply = { status: 404, body: 'no such hook' };
      const bad = await n.sendTest('warn-hook');
      assert.equal(bad.ok, false);
      assert.equal(bad.status, 404);
      assert.match(bad.error ?? '', /404/);
      const rows = await n.store.listOutbox({ limit: 5 });
      assert.deepEqual(
        rows.map((r) => [r.event, r.status]),
        [
          ['test', 'failed'],
          ['test', 'sent'],
        ],
      );
      const state = (await n.store.listChannelStates()).find((c) => c.channel === 'warn-hook');
      assert.equal(state?.disabledAt, null);
      assert.match(state?.lastError ?? '', /404/);
      await assert.rejects(
        n.sendTest('nope'),
        /no channel "nope" under "notify" in the plan; channels: crit-hook, warn-hook/,
      );
    } finally {
      await ts.dispose();
    }
  });

  it('prunes finished notifications past the retention, keeping unsent ones', async () => {
    const { make, ts, clock, receiver } = await setup();
    try {
      const n = make('a');
      await recordFiring(ts.store.database, 'shop/api', T0, 'critical');
      await n.tick();
      receiver.reply = { status: 503, body: 'down' };
      await recordFiring(ts.store.database, 'shop/db', T0, 'warning');
      clock.advance(1_000);
      await n.tick();
      assert.equal(await n.store.prune(T0 + 2_000), 1, 'only the sent row');
      const left = await n.store.listOutbox({ limit: 5 });
      assert.deepEqual(
        left.map((r) => [r.channel, r.status]),
        [['warn-hook', 'pending']],
      );
      assert.equal((await n.store.listDeliveries({ limit: 5 })).length, 1);
    } finally {
      await ts.dispose();
    }
  });
});
