/**
 * The whole path on a real plan: the scheduler probes a local target, records transitions, and the notifier turns
 * them into webhook calls — firing when the target breaks, resolved when it mends, nothing for a recovery in time.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { findCheckKind } from '../checks/registry.js';
import { parsePlan } from '../plan/load-plan.js';
import { createStore } from '../runs/kysely-store.js';
import { ManualClock } from '../schedule/clock.js';
import { Scheduler } from '../schedule/scheduler.js';
import { unitDefinition } from '../schedule/unit-definition.js';
import { startReceiver } from './channels/test-support.js';
import { Notifier } from './notifier.js';
import { silent, TEST_CHANNEL_KEY } from './test-notify.js';

it('scheduler → transitions → outbox → webhook: firing once, resolved once', async () => {
  let healthy = true;
  const target = createServer((_req, res) => res.writeHead(healthy ? 200 : 503).end(healthy ? 'ok' : 'down'));
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/health`;
  const receiver = await startReceiver();
  const dataDir = mkdtempSync(join(tmpdir(), 'upkeep-flow-'));
  const store = createStore({ dataDir });
  try {
    const { plan, units } = parsePlan(
      `version: 1
notify:
  hook: { type: webhook, url: ${receiver.base}/hook, secret: s3cret-value }
routes: { critical: [hook] }
apps:
  shop:
    checks:
      api: { http: ${targetUrl}, every: 1m, alert: { failures: 2 } }
`,
      { file: 'upkeep.yml', env: {} },
    );
    const clock = new ManualClock(Date.UTC(2026, 6, 1));
    await store.migrate();
    await store.syncUnits(units.map(unitDefinition), () => clock.now());
    const scheduler = new Scheduler({
      store,
      units,
      findKind: findCheckKind,
      clock,
      logger: silent,
      worker: 'w',
      concurrency: 4,
      nextRunAt: (_unit, after) => after + 60_000,
      inMaintenance: () => false,
    });
    const notifier = new Notifier({
      database: store.database,
      plan,
      clock,
      logger: silent,
      worker: 'w',
      baseUrl: 'http://upkeep.local',
      channelKey: TEST_CHANNEL_KEY,
    });
    const step = async (up: boolean) => {
      healthy = up;
      await scheduler.tick();
      await scheduler.idle();
      await notifier.tick();
      clock.advance(60_000);
    };
    // A single failure is pending (failures: 2) and mends before alerting: nobody is paged.
    await step(false);
    await step(true);
    assert.equal(receiver.requests.length, 0);
    await step(false);
    await step(false);
    await step(false);
    await step(true);
    await step(true);
    const events = receiver.requests.map(
      (r) => JSON.parse(r.body) as { event: string; severity: string; reason: string },
    );
    assert.deepEqual(
      events.map((e) => [e.event, e.severity]),
      [
        ['firing', 'critical'],
        ['resolved', 'critical'],
      ],
    );
    assert.match(events[0]?.reason ?? '', /^2 consecutive failures: /);
    assert.match(receiver.requests[0]?.headers['x-upkeep-signature'] as string, /^sha256=[0-9a-f]{64}$/);
    const states = (await store.listTransitions({ limit: 10 })).reverse().map((t) => `${t.from}→${t.to}`);
    assert.deepEqual(states, ['ok→pending', 'pending→ok', 'ok→pending', 'pending→firing', 'firing→resolved']);
  } finally {
    await store.close();
    await receiver.close();
    target.closeAllConnections();
    target.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
