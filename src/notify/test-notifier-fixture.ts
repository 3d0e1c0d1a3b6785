/** Test fixture for notifier suites: a real HTTP receiver, a fresh store per test and notifiers built on it. */
import { after, before } from 'node:test';
import { ManualClock } from '../schedule/clock.js';
import type { StoreDialect } from '../store/database.js';
import { type Receiver, startReceiver } from './channels/test-support.js';
import { Notifier } from './notifier.js';
import { openTestStore, silent, TEST_CHANNEL_KEY, testPlan } from './test-notify.js';

export const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);

/** What the webhook receiver got, reduced to what the assertions compare. */
export function bodies(
  receiver: Receiver,
): { path: string; event: string; unitId: string; severity: string | null; reason: string }[] {
  return receiver.requests.map((r) => {
    const body = JSON.parse(r.body) as { event: string; unitId: string; severity: string | null; reason: string };
    return { path: r.url, event: body.event, unitId: body.unitId, severity: body.severity, reason: body.reason };
  });
}

/**
 * Registers a receiver for the enclosing suite and returns `setup()`, which opens a fresh store on `dialect`, a
 * manual clock at T0, and `make(worker)` to build notifiers on them. The caller disposes `ts` when done.
 */
export function notifierFixture(dialect: StoreDialect) {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver.close();
  });
  return async function setup(planExtra: Parameters<typeof testPlan>[1] = {}) {
    receiver.requests.length = 0;
    receiver.reply = { status: 200, body: 'ok' };
    const ts = await openTestStore(dialect);
    const clock = new ManualClock(T0);
    const plan = testPlan(receiver.base, planExtra);
    const make = (worker: string) =>
      new Notifier({
        database: ts.open(),
        plan,
        clock,
        logger: silent,
        worker,
        baseUrl: 'http://127.0.0.1:8080/',
        channelKey: TEST_CHANNEL_KEY,
        random: () => 0.5,
      });
    return { plan, make, ts, clock, receiver };
  };
}
