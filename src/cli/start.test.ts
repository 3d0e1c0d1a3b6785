import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { authHeadersFor } from '../web/test-auth.js';
import { eventually, spawnUpkeep } from './test-process.js';

let target: Server;
let base: string;
const held = new Set<ServerResponse>();
let dir: string;

before(async () => {
  target = createServer((req, res) => {
    if (req.url === '/hang') held.add(res);
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'upkeep-start-'));
  writeFileSync(
    join(dir, 'upkeep.yml'),
    [
      'version: 1',
      'apps:',
      '  shop:',
      '    checks:',
      '      up: { http: "${TARGET}/ok", every: 2s, timeout: 1s }',
      '      hang: { http: "${TARGET}/hang", every: 5s, timeout: 4s }',
      '',
    ].join('\n'),
  );
});
after(() => {
  for (const res of held) res.destroy();
  target.closeAllConnections();
  target.close();
  rmSync(dir, { recursive: true, force: true });
});

const args = () => ['start', '--plan', join(dir, 'upkeep.yml'), '--data-dir', join(dir, 'data'), '--port', '0'];

/** The running upkeep's API token (set once its store exists). */
let auth: Record<string, string> = {};
async function signIn(dataDir: string) {
  auth = await authHeadersFor({ dataDir }, 'operator');
}

async function json(url: string) {
  const res = await fetch(url, { headers: auth });
  return { status: res.status, body: await res.json() };
}

describe('upkeep start (a real process)', () => {
  it('serves /healthz and the API; after kill -9 the next start records the cut-short run abandoned and goes on', async () => {
    const first = spawnUpkeep(args(), { TARGET: base });
    try {
      const [, url] = await first.waitFor(/API\s+(http:\/\/\S+)\/api\/units/);
      await signIn(join(dir, 'data'));
      const health = await json(`${url}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(health.body.status, 'ok');
      // Wait until the hanging run is in flight, then kill without warning.
      await eventually(async () =>
        (await json(`${url}/api/units`)).body.find(
          (u: { id: string; running: boolean }) => u.id === 'shop/hang' && u.running,
        ),
      );
      const units = (await json(`${url}/api/units`)).body as { id: string; lastOutcome: string | null }[];
      assert.deepEqual(units.map((u) => u.id).sort(), ['shop/hang', 'shop/up']);
    } finally {
      first.child.kill('SIGKILL');
      await first.exited;
    }

    const second = spawnUpkeep(args(), { TARGET: base });
    try {
      const [, url] = await second.waitFor(/API\s+(http:\/\/\S+)\/api\/units/);
      await signIn(join(dir, 'data'));
      const runs = await json(`${url}/api/units/shop/hang/runs`);
      assert.equal(runs.body[0]?.outcome, 'abandoned', 'the run cut short by kill -9 is recorded');
      // Scheduling continues: `up` keeps getting runs after the restart.
      const before = (await json(`${url}/api/units/shop/up/runs?limit=1000`)).body.length;
      await eventually(
        async () => (await json(`${url}/api/units/shop/up/runs?limit=1000`)).body.length > before,
        8_000,
      );
      const up = (await json(`${url}/api/units/shop/up`)).body;
      assert.equal(up.state, 'ok');
    } finally {
      second.child.kill('SIGTERM');
      const { code } = await second.exited;
      assert.equal(code, 0);
    }
  });

  it('SIGTERM records an in-flight run that outlives the drain period as abandoned', async () => {
    const proc = spawnUpkeep([...args(), '--drain', '300ms'], { TARGET: base });
    try {
      const [, url] = await proc.waitFor(/API\s+(http:\/\/\S+)\/api\/units/);
      await signIn(join(dir, 'data'));
      await eventually(
        async () =>
          (await json(`${url}/api/units`)).body.some(
            (u: { id: string; running: boolean }) => u.id === 'shop/hang' && u.running,
          ),
        15_000,
      );
      proc.child.kill('SIGTERM');
      const { code } = await proc.exited;
      assert.equal(code, 0);
      assert.match(proc.stdout(), /recorded as abandoned \(shop\/hang\)/);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
  });
  it('prints the alert transitions heartbeat pings cause, like those of scheduled checks', async () => {
    const hbDir = mkdtempSync(join(tmpdir(), 'upkeep-start-hb-'));
    const plan = join(hbDir, 'upkeep.yml');
    writeFileSync(
      plan,
      [
        'version: 1',
        'apps:',
        '  shop:',
        '    checks:',
        '      nightly: { heartbeat: { every: 1h, grace: 5m } }',
        '',
      ].join('\n'),
    );
    const proc = spawnUpkeep(['start', '--plan', plan, '--data-dir', join(hbDir, 'data'), '--port', '0']);
    try {
      const [, url] = await proc.waitFor(/API\s+(http:\/\/\S+)\/api\/units/);
      await signIn(join(hbDir, 'data'));
      const unit = (await json(`${url}/api/units/shop/nightly`)).body as {
        heartbeat: { token: string; pingUrl: string };
      };
      // With --port 0 the shown ping URL names the port upkeep actually listens on.
      const pingUrl = unit.heartbeat.pingUrl;
      assert.equal(pingUrl, `${url}/ping/${unit.heartbeat.token}`);
      const fail = await fetch(`${pingUrl}/fail`, { method: 'POST', body: 'disk full' });
      assert.equal(fail.status, 200);
      const [line] = await proc.waitFor(/shop\/nightly\s+ok → \S+.*failure ping: disk full/);
      assert.doesNotMatch(line, /→ ok/);
      const ok = await fetch(pingUrl);
      assert.equal(ok.status, 200);
      await proc.waitFor(/shop\/nightly\s+(pending|firing) → (ok|resolved).*success ping/);
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
      rmSync(hbDir, { recursive: true, force: true });
    }
  });
});
