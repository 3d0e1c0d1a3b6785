import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import pino from 'pino';
import { type App, createApp } from './app.js';
import { eventually } from './cli/test-process.js';
import { type Receiver, startReceiver } from './notify/channels/test-support.js';
import { freshPostgresDatabase, postgresSkipReason } from './store/test-database.js';
import { authHeaders } from './web/test-auth.js';

const run = promisify(execFile);

// The composition root wired whole: a failing check reaches a webhook through the outbox; a heartbeat is pinged
// with curl as a crontab line would; /healthz and the notification API see it all.
describe('createApp (everything wired)', () => {
  let receiver: Receiver;
  let dir: string;
  let app: App;
  let url: string;
  let target: Server;

  before(async () => {
    receiver = await startReceiver();
    dir = mkdtempSync(join(tmpdir(), 'upkeep-app-'));
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
        '      down: { http: "${TARGET_URL}/down", every: 2s, timeout: 1s, alert: { failures: 1 } }',
        '      nightly: { heartbeat: { every: 1d, grace: 1h } }',
        '',
      ].join('\n'),
    );
    target = createServer((_req, res) => res.writeHead(503).end('down'));
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    app = await createApp({
      planPath: join(dir, 'upkeep.yml'),
      env: { HOOK_URL: receiver.base, TARGET_URL: targetUrl },
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

  it('sends a firing check to its routed channel, once, and lists the delivery', async () => {
    const hook = await eventually(async () => receiver.requests.find((r) => r.url === '/hook'), 15_000);
    const body = JSON.parse(hook.body);
    assert.equal(body.event, 'firing');
    assert.equal(body.unitId, 'shop/down');
    const sent = await eventually(async () => {
      const rows = (await (
        await fetch(`${url}/api/notifications?status=sent`, {
          headers: await authHeaders(app.store.database, 'operator'),
        })
      ).json()) as { unitId: string }[];
      return rows.find((r) => r.unitId === 'shop/down');
    });
    assert.ok(sent);
    assert.equal(receiver.requests.filter((r) => r.url === '/hook').length, 1, 'sent once');
  });

  it('takes a heartbeat ping from curl and shows upkeep healthy', async () => {
    const units = (await (
      await fetch(`${url}/api/units`, { headers: await authHeaders(app.store.database, 'operator') })
    ).json()) as { id: string; heartbeat?: { pingUrl: string } }[];
    const nightly = units.find((u) => u.id === 'shop/nightly');
    assert.ok(nightly?.heartbeat?.pingUrl, 'the heartbeat shows its ping URL');
    const pingUrl = nightly.heartbeat.pingUrl.replace(/^http:\/\/[^/]+/, url);
    const { stdout } = await run('curl', ['-fsS', '-m', '10', '--retry', '3', pingUrl]);
    assert.equal(stdout, 'OK');
    const runs = (await (
      await fetch(`${url}/api/units/shop/nightly/runs`, { headers: await authHeaders(app.store.database, 'operator') })
    ).json()) as { outcome: string }[];
    assert.equal(runs[0]?.outcome, 'ok');
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
  });
});

// The job kinds are bound in the composition root: a backup unit of the plan runs and records a real backup.
describe('createApp with a database backup', { skip: postgresSkipReason() }, () => {
  it('runs the backup job of a PostgreSQL database through the scheduler', async () => {
    const db = await freshPostgresDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'upkeep-app-backup-'));
    let app: App | undefined;
    try {
      writeFileSync(
        join(dir, 'upkeep.yml'),
        [
          'version: 1',
          'apps:',
          '  shop:',
          '    databases:',
          '      main:',
          '        postgres: ${DB_URL}',
          '        backup: { schedule: daily 02:00, to: file:./backups, verify: false }',
          '',
        ].join('\n'),
      );
      app = await createApp({
        planPath: join(dir, 'upkeep.yml'),
        env: { DB_URL: db.url },
        dataDir: join(dir, 'data'),
        host: '127.0.0.1',
        port: 0,
        logger: pino({ level: 'silent' }),
      });
      const unit = await app.store.getUnit('shop/main.backup');
      assert.ok(unit?.nextRunAt && unit.nextRunAt > Date.now() + 60_000, 'a backup waits for its schedule');
      await app.store.setNextRunAt('shop/main.backup', Date.now());
      await app.start();
      const runs = await eventually(async () => {
        const list = await app?.store.listRuns({ unitId: 'shop/main.backup', limit: 5 });
        return list && list.length > 0 ? list : undefined;
      }, 30_000);
      assert.equal(runs[0]?.outcome, 'ok', runs[0]?.summary);
    } finally {
      await app?.stop(1_000);
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
