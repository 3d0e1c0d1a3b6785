/**
 * The live hub wired whole (src/app.ts): a check that starts failing reaches an open overview stream as a state
 * change, its unit stream sees each run, the notify stream sees the delivery, and stopping upkeep ends open streams.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { type App, createApp } from '../../app.js';
import type { Change } from '../../core/change.js';
import { type Receiver, startReceiver } from '../../notify/channels/test-support.js';
import { authHeaders } from '../test-auth.js';
import { openSse } from './test-sse-client.js';

describe('live updates wired in createApp', () => {
  let receiver: Receiver;
  let dir: string;
  let app: App;
  let url: string;
  let target: Server;
  let failing = false;

  before(async () => {
    receiver = await startReceiver();
    dir = mkdtempSync(join(tmpdir(), 'upkeep-live-app-'));
    writeFileSync(
      join(dir, 'upkeep.yml'),
      [
        'version: 1',
        'notify:',
        '  hook: { type: webhook, url: "${HOOK_URL}/hook" }',
        'routes: { critical: [hook] }',
        'apps:',
        '  shop:',
        '    checks:',
        '      flip: { http: "${TARGET_URL}/flip", every: 1s, timeout: 500ms, alert: { failures: 1 } }',
        '',
      ].join('\n'),
    );
    target = createServer((_req, res) => res.writeHead(failing ? 503 : 200).end(failing ? 'down' : 'ok'));
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    app = await createApp({
      planPath: join(dir, 'upkeep.yml'),
      env: { HOOK_URL: receiver.base, TARGET_URL: `http://127.0.0.1:${(target.address() as AddressInfo).port}` },
      dataDir: join(dir, 'data'),
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
    });
    ({ url } = await app.start());
  });
  after(async () => {
    await app?.stop(1_000);
    await receiver?.close();
    target?.closeAllConnections();
    target?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells the overview, the unit and the notify streams what happened, then ends them on stop', async () => {
    const headers = await authHeaders(app.store.database, 'viewer');
    const events = (topics: string) => openSse(`${url}/api/events?topics=${topics}`, headers);
    const overview = await events('overview');
    const unit = await events('unit:shop/flip');
    const notify = await events('notify');
    await unit.until((c) => c.events.some((e) => e.event === 'run'), 10_000);
    failing = true;
    const firing = (c: typeof overview) =>
      c.events.some((e) => e.event === 'state' && (JSON.parse(e.data) as Change).data?.to === 'firing');
    await overview.until(firing, 15_000);
    await unit.until(firing, 1_000);
    await notify.until((c) => c.events.some((e) => e.event === 'delivery'), 15_000);
    const delivery = JSON.parse(notify.events.find((e) => e.event === 'delivery')?.data ?? '{}') as Change;
    assert.deepEqual(
      { unitId: delivery.unitId, channel: delivery.data?.channel, ok: delivery.data?.ok },
      { unitId: 'shop/flip', channel: 'hook', ok: true },
    );
    assert.ok(
      overview.events.every((e) => e.event !== 'run'),
      'the overview stream never carries runs',
    );
    const o = (await (await fetch(`${url}/api/overview`, { headers })).json()) as {
      counts: Record<string, number>;
      firing: { unitId: string; reason: string }[];
    };
    assert.deepEqual(o.counts, { firing: 1 });
    assert.equal(o.firing[0]?.unitId, 'shop/flip');
    assert.match(o.firing[0]?.reason ?? '', /503/);

    const stopped = app.stop(1_000);
    await stopped;
    await unit.until((c) => c.events.length > 0 && c.closed, 2_000);
    app = undefined as unknown as App;
  });
});
