/**
 * A realistic upkeep to look at, for the screenshots and the render benchmark: a few apps with checks that pass,
 * one slow and one failing, a heartbeat, a status page, and a day of history seeded into the store before upkeep
 * starts (so charts and sparklines have something to draw). The first admin is created through the setup link.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { initialAlertState } from '../../src/alerts/transition.js';
import { spawnUpkeep } from '../../src/cli/test-process.js';
import { loadPlan } from '../../src/plan/load-plan.js';
import { createStore } from '../../src/runs/kysely-store.js';
import { unitDefinition } from '../../src/schedule/unit-definition.js';
import { ensureDashboardBuilt } from './fixture.js';

/** A running demo: its URL and a signed-in admin's session cookie. */
export interface Demo {
  url: string;
  cookie: { name: string; value: string };
  stop(): Promise<void>;
}

const STEP_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

function demoPlan(target: string, extraChecks: number): string {
  const http = (path: string, every = '2s') => `{ http: "${target}${path}", every: ${every}, timeout: 1500ms }`;
  const extra = Array.from({ length: extraChecks }, (_, i) => `      page-${i + 1}: ${http(`/ok?p=${i}`, '30s')}`);
  return [
    'version: 1',
    'apps:',
    '  kirana-market:',
    '    status: { title: "Kirana Market", show: { api-health: "API", storefront: "Storefront", checkout: "Checkout" } }',
    '    checks:',
    `      api-health: ${http('/health')}`,
    `      storefront: ${http('/ok')}`,
    `      checkout: { http: "${target}/fail", every: 2s, timeout: 1500ms, alert: { failures: 1 } }`,
    `      search: { http: "${target}/slow", every: 3s, timeout: 2s, expect: { responseTime: { warning: 150ms, critical: 1s } } }`,
    '      nightly-orders-export: { heartbeat: { schedule: "0 2 * * *", grace: 1h } }',
    '  blog:',
    '    checks:',
    `      home: ${http('/ok')}`,
    `      feed: ${http('/ok')}`,
    ...extra,
    '  admin-panel:',
    '    checks:',
    `      login: ${http('/ok')}`,
    '',
  ].join('\n');
}

/** A response time that looks like a day of traffic: slower in the afternoon, with a little noise. */
function shapeMs(t: number, base: number): number {
  const hour = new Date(t).getUTCHours();
  return Math.round(base * (1 + 0.6 * Math.sin(((hour - 6) / 24) * 2 * Math.PI) ** 2) + Math.random() * base * 0.3);
}

/**
 * Seeds 30 days of runs for the plan's http units (every 2 h, then every 5 min over the last day), with an outage of
 * the checkout an hour ago and a rough night a week ago.
 */
async function seedHistory(planPath: string, dataDir: string, now: number): Promise<void> {
  const plan = await loadPlan(planPath, { env: {} });
  const store = createStore({ dataDir, logger: pino({ level: 'silent' }) });
  await store.migrate();
  const units = plan.units.filter((u) => u.kind === 'http');
  // Only the http units: the others (the heartbeat) are added by `upkeep start` and start without history.
  await store.syncUnits(units.map(unitDefinition), () => now - 30 * DAY_MS);
  for (let t = now - 30 * DAY_MS; t < now - STEP_MS; t += now - t > DAY_MS ? 2 * 3_600_000 : STEP_MS) {
    const claims = await store.claimDue({
      now: t,
      limit: 1000,
      worker: 'seed',
      leaseMs: () => 60_000,
      nextRunAt: () => t + 1, // due again at the next step of this loop
    });
    for (const claim of claims) {
      const ago = now - t;
      const down =
        claim.unitId === 'kirana-market/checkout' &&
        ((ago < 3_600_000 && ago > 2_400_000) || (ago > 7 * DAY_MS && ago < 7 * DAY_MS + 6 * 3_600_000));
      const ms = shapeMs(t, claim.unitId.endsWith('search') ? 140 : 35);
      const outcome = down ? 'critical' : 'ok';
      await store.recordRun(
        {
          unitId: claim.unitId,
          startedAt: t,
          endedAt: t + ms,
          outcome,
          summary: down ? 'HTTP 503 (expected 2xx)' : `HTTP 200 in ${ms}ms`,
          durationMs: ms,
          details: {},
          values: { responseTimeMs: ms },
          worker: 'seed',
        },
        { ...initialAlertState(t), lastSummary: `HTTP 200 in ${ms}ms` },
        null,
      );
    }
  }
  await store.close();
}

/** Starts the demo; `extraChecks` adds that many passing checks to the blog (for a longer overview). */
export async function startDemo(opts: { extraChecks?: number; seed?: boolean } = {}): Promise<Demo> {
  await ensureDashboardBuilt();
  const target = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/fail') return res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"down"}');
    const send = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    if (path === '/slow') return void setTimeout(send, 180 + Math.random() * 60);
    setTimeout(send, 5 + Math.random() * 25);
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'upkeep-demo-'));
  const planPath = join(dir, 'upkeep.yml');
  writeFileSync(planPath, demoPlan(targetUrl, opts.extraChecks ?? 0));
  if (opts.seed !== false) await seedHistory(planPath, join(dir, 'data'), Date.now());
  const proc = spawnUpkeep(['start', '--plan', planPath, '--data-dir', join(dir, 'data'), '--port', '0', '--quiet']);
  const stop = async () => {
    if (proc.child.exitCode === null) {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
    target.closeAllConnections();
    await new Promise((r) => target.close(r));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [, url] = await proc.waitFor(/API\s+(http:\/\/\S+?)\/api\/units/, 30_000);
    const [, setupUrl] = await proc.waitFor(/(http:\/\/\S+\/setup\?token=\S+)/, 10_000);
    const token = new URL(setupUrl as string).searchParams.get('token');
    const res = await fetch(`${url}/api/auth/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url as string },
      body: JSON.stringify({ token, email: 'ops@kirana.example', password: 'demo password, not for production' }),
    });
    if (!res.ok) throw new Error(`setup failed: ${res.status} ${await res.text()}`);
    const [name, value] = (res.headers.get('set-cookie') ?? '').split(';')[0]?.split('=') ?? [];
    if (!name || !value) throw new Error('setup set no session cookie');
    return { url: url as string, cookie: { name, value }, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
