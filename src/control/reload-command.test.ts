import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { runCli } from '../cli/test-cli.js';
import { eventually, spawnUpkeep, type UpkeepProcess } from '../cli/test-process.js';
import { createStore } from '../runs/kysely-store.js';
import { authHeaders } from '../web/test-auth.js';

// A real `upkeep start` process: SIGHUP reloads its plan; `upkeep reload` finds it and prints the result; the
// override commands write what the running server then obeys.
describe('upkeep start reloads on SIGHUP; upkeep reload and the override commands', () => {
  let dir: string;
  let plan: string;
  let target: Server;
  let targetUrl: string;
  let proc: UpkeepProcess;
  let url: string;
  const hits = new Map<string, number>();
  const planText = (checks: string[]) =>
    ['version: 1', 'apps:', '  shop:', '    checks:', ...checks.map((c) => `      ${c}`), ''].join('\n');
  const cli = (args: string[]) => runCli([...args, '--data-dir', join(dir, 'data')], { env: {} });
  let viewer: Record<string, string> = {};
  const unitIds = async () =>
    ((await (await fetch(`${url}/api/units`, { headers: viewer })).json()) as { id: string }[]).map((u) => u.id).sort();

  before(async () => {
    target = createServer((req, res) => {
      hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'upkeep-reload-'));
    plan = join(dir, 'upkeep.yml');
    writeFileSync(plan, planText([`a: { http: "${targetUrl}/a", every: 1s, timeout: 500ms }`]));
    proc = spawnUpkeep(['start', plan, '--port', '0', '--data-dir', join(dir, 'data')]);
    [, url] = (await proc.waitFor(/API\s+(http:\/\/\S+)\/api\/units/, 90_000)) as unknown as [string, string];
    // The server's own store, opened beside it, to authenticate as a viewer (src/web/test-auth.ts).
    const store = await createStore({ dataDir: join(dir, 'data'), logger: pino({ level: 'silent' }) });
    viewer = await authHeaders(store.database, 'viewer');
    await store.close();
  });
  after(async () => {
    proc?.child.kill('SIGTERM');
    await proc?.exited;
    target.closeAllConnections();
    target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGHUP reloads the plan: an added unit runs, and start prints what changed', async () => {
    writeFileSync(
      plan,
      planText([
        `a: { http: "${targetUrl}/a", every: 1s, timeout: 500ms }`,
        `b: { http: "${targetUrl}/b", every: 1s, timeout: 500ms }`,
      ]),
    );
    proc.child.kill('SIGHUP');
    await proc.waitFor(/plan reloaded: 1 added \(shop\/b\), 0 removed, 0 changed/, 30_000);
    assert.deepEqual(await unitIds(), ['shop/a', 'shop/b']);
    await eventually(async () => (hits.get('/b') ?? 0) > 0, 15_000);
  });

  it('upkeep reload signals the running server and prints the result; a broken plan exits 2 with its issues', async () => {
    writeFileSync(plan, planText([`b: { http: "${targetUrl}/b", every: 1s, timeout: 500ms }`]));
    const ok = await cli(['reload']);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /plan reloaded: 0 added, 1 removed, 0 changed\n {2}- shop\/a/);
    assert.deepEqual(await unitIds(), ['shop/b']);

    writeFileSync(plan, planText([`b: { http: "${targetUrl}/b", every: 1s, timeout: never }`]));
    const bad = await cli(['reload']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /not reloaded/);
    assert.match(bad.err, new RegExp(`${plan.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:5:\\d+: `));
    assert.deepEqual(await unitIds(), ['shop/b'], 'the running plan stays');
  });

  it('pause from the CLI stops runs within seconds; status and override list show it; clear resumes', async () => {
    const paused = await cli(['pause', 'shop/b', '--reason', "it's <b>down</b> for work"]);
    assert.equal(paused.code, 0, paused.err);
    const id = Number(/override (\d+)/.exec(paused.out)?.[1]);
    await new Promise((r) => setTimeout(r, 6_500)); // the server's cache refreshes every 5 s
    const before = hits.get('/b') ?? 0;
    await new Promise((r) => setTimeout(r, 2_500));
    assert.equal(hits.get('/b') ?? 0, before, 'no run while paused');

    const list = await cli(['override', 'list', '--json']);
    const active = JSON.parse(list.out) as { id: number; kind: string; reason: string; author: string }[];
    assert.equal(active[0]?.id, id);
    assert.equal(active[0]?.reason, "it's <b>down</b> for work");
    assert.match(active[0]?.author ?? '', /^cli:/);
    const status = await cli(['status']);
    assert.match(status.out, /Active overrides[\s\S]*pause\s+shop\/b/);

    const cleared = await cli(['override', 'clear', String(id)]);
    assert.equal(cleared.code, 0, cleared.err);
    assert.equal((await cli(['override', 'clear', String(id)])).code, 1, 'already cleared');
    await eventually(async () => (hits.get('/b') ?? 0) > before, 15_000);
  });
});
