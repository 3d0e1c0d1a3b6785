/** Restart safety: a notifier killed with SIGKILL mid-send loses nothing, and each row reaches the receiver once. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
// PostgreSQL variants run on the throwaway cluster scripts/test.mjs starts (UPKEEP_TEST_DATABASE_URL).
import { ManualClock } from '../schedule/clock.js';
import type { StoreDialect } from '../store/database.js';
import { startReceiver } from './channels/test-support.js';
import { Notifier } from './notifier.js';
import { NotifyStore } from './notify-store.js';
import { onEveryDialect, openTestStore, recordTransition, silent, TEST_CHANNEL_KEY, testPlan } from './test-notify.js';

const child = fileURLToPath(new URL('./test-notifier-child.ts', import.meta.url));

/** Starts the child and resolves once it has claimed `claims` rows (it hangs sending them). */
function startChild(where: object, base: string, claims: number) {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, JSON.stringify(where), base], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const claimed = new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.split('\n').filter((l) => l.startsWith('claimed')).length >= claims) resolve();
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    proc.on('exit', (code) => reject(new Error(`child exited (${code}) before claiming: ${err}`)));
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
  return { proc, claimed, exited };
}

onEveryDialect('Notifier restart', (dialect: StoreDialect) => {
  it('rows claimed by a process killed with -9 are sent after its claim expires, exactly once each', async () => {
    const receiver = await startReceiver();
    const ts = await openTestStore(dialect);
    try {
      const db = ts.store.database;
      const now = Date.now();
      await recordTransition(db, { unitId: 'shop/api', at: now, from: 'pending', to: 'firing', severity: 'critical' });
      await recordTransition(db, { unitId: 'shop/db', at: now, from: 'pending', to: 'firing', severity: 'warning' });
      await recordTransition(db, {
        unitId: 'shop/db',
        at: now + 1,
        from: 'firing',
        to: 'firing',
        severity: 'critical',
      });

      const run = startChild(ts.where, receiver.base, 2);
      await run.claimed;
      run.proc.kill('SIGKILL');
      assert.equal(await run.exited, 'SIGKILL');
      assert.equal(receiver.requests.length, 0, 'the child never reached the receiver');

      const plan = testPlan(receiver.base);
      // Time as the dead child left it: just before its claims expire (a slow machine must not change the story).
      const held = await new NotifyStore(ts.store.database).listOutbox({ limit: 10 });
      const untils = held.flatMap((r) => (r.claimedUntil === null ? [] : [r.claimedUntil]));
      assert.equal(untils.length, 2);
      const clock = new ManualClock(Math.min(...untils) - 1);
      const make = (worker: string) =>
        new Notifier({
          database: ts.open(),
          plan,
          clock,
          logger: silent,
          worker,
          baseUrl: 'http://127.0.0.1:8080',
          channelKey: TEST_CHANNEL_KEY,
        });
      const [a, b] = [make('a'), make('b')];
      // Within the dead child's claims only the unclaimed row may go.
      await Promise.all([a.tick(), b.tick()]);
      assert.equal(receiver.requests.length, 1);
      const rows = await a.store.listOutbox({ limit: 10 });
      assert.equal(rows.filter((r) => r.status === 'sending').length, 2, 'two rows still held by the dead claim');
      clock.advance(Math.max(...untils) - clock.now() + 1);
      await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
      const got = receiver.requests.map((r) => {
        const body = JSON.parse(r.body) as { unitId: string; severity: string };
        return `${r.url} ${body.unitId} ${body.severity}`;
      });
      assert.deepEqual(got.sort(), [
        '/critical shop/api critical',
        '/critical shop/db critical',
        '/warning shop/db warning',
      ]);
      const after = await a.store.listOutbox({ limit: 10 });
      assert.ok(after.every((r) => r.status === 'sent'));
      const deliveries = await a.store.listDeliveries({ limit: 10 });
      const interrupted = deliveries.filter((d) => d.ok === false);
      assert.equal(interrupted.length, 2, 'the cut-short attempts are recorded as such');
      assert.ok(interrupted.every((d) => /^interrupted/.test(d.error ?? '') && d.attempt === 1));
      assert.equal(deliveries.filter((d) => d.ok === true).length, 3);
    } finally {
      await ts.dispose();
      await receiver.close();
    }
  });
});
