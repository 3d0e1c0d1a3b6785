/**
 * Test support: a whole upkeep (createApp) on a ManualClock, serving on 127.0.0.1, with a target whose answer the
 * test sets, a real webhook receiver, and an in-memory audit log. The scheduler and notifier loops run; time moves
 * only when the test advances it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { type App, createApp } from '../app.js';
import { eventually } from '../cli/test-process.js';
import type { Change } from '../core/change.js';
import { type Receiver, startReceiver } from '../notify/channels/test-support.js';
import { ManualClock } from '../schedule/clock.js';
import type { Role } from '../web/access.js';
import { authHeaders } from '../web/test-auth.js';
import { MemoryAuditLog } from './audit-port.js';

/** A running test upkeep. */
export interface ControlHarness {
  app: App;
  url: string;
  clock: ManualClock;
  dir: string;
  planPath: string;
  receiver: Receiver;
  audit: MemoryAuditLog;
  /** Every change published on the live feed. */
  changes: Change[];
  /** The HTTP status each target path answers (default 200). */
  status: Map<string, number>;
  targetUrl: string;
  /** A JSON API call with the headers of `role` (operator by default); the body is the parsed JSON answer. */
  // biome-ignore lint/suspicious/noExplicitAny: answers of many routes; each test reads the fields it checks.
  api(method: string, path: string, body?: unknown, role?: Role): Promise<{ status: number; body: any }>;
  /** The unit as `GET /api/units/:app/:name` shows it. */
  unit(id: string): Promise<{ state: string; lastRunAt: number | null; nextRunAt: number | null; severity?: string }>;
  close(): Promise<void>;
}

/** 2026-12-01 00:00 UTC. */
export const T0 = Date.UTC(2026, 11, 1);

/** The plan text of the harness: two failing-or-not checks, a heartbeat, a database and a webhook. */
export function harnessPlan(extra = ''): string {
  return [
    'version: 1',
    'notify:',
    '  hook: { type: webhook, url: "${HOOK_URL}/hook" }',
    'routes: { critical: [hook], warning: [hook] }',
    'apps:',
    '  shop:',
    '    checks:',
    '      api: { http: "${TARGET_URL}/api", every: 1m, timeout: 2s, alert: { failures: 1 } }',
    '      web: { http: "${TARGET_URL}/web", every: 1m, timeout: 2s, alert: { failures: 1 } }',
    '      nightly: { heartbeat: { every: 1h, grace: 5m } }',
    '      hourly: { heartbeat: { every: 1h, grace: 5m } }',
    extra,
    '    databases:',
    '      main:',
    '        postgres: postgres://app:pw-not-shown@127.0.0.1:1/main',
    '        backup: { schedule: daily 03:00, to: file:./backups, verify: false }',
    '  blog:',
    '    status: { title: "Blog", show: { home: "Home page" } }',
    '    checks:',
    '      home: { http: "${TARGET_URL}/home", every: 1m, timeout: 2s, alert: { failures: 1 } }',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/** Starts the harness with `plan` (default harnessPlan()). */
export async function startControlHarness(plan = harnessPlan()): Promise<ControlHarness> {
  const receiver = await startReceiver();
  const status = new Map<string, number>();
  const target: Server = createServer((req, res) => res.writeHead(status.get(req.url ?? '') ?? 200).end('answer'));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'upkeep-control-'));
  const planPath = join(dir, 'upkeep.yml');
  writeFileSync(planPath, plan);
  const clock = new ManualClock(T0);
  const audit = new MemoryAuditLog();
  const changes: Change[] = [];
  const app = await createApp({
    planPath,
    env: { HOOK_URL: receiver.base, TARGET_URL: targetUrl },
    dataDir: join(dir, 'data'),
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    clock,
    audit,
    changes: { publish: (change) => changes.push(change) },
  });
  const { url } = await app.start();
  const api: ControlHarness['api'] = async (method, path, body, role = 'operator') => {
    const headers: Record<string, string> = await authHeaders(app.store.database, role);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    app,
    url,
    clock,
    dir,
    planPath,
    receiver,
    audit,
    changes,
    status,
    targetUrl,
    api,
    async unit(id) {
      const [app_, name] = id.split('/') as [string, string];
      const res = await api('GET', `/api/units/${app_}/${name}`, undefined, 'viewer');
      return res.body;
    },
    async close() {
      await app.stop(1_000);
      await receiver.close();
      target.closeAllConnections();
      target.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Advances the clock by `ms` in steps (one second by default), letting the loops run between steps. */
export async function advance(h: ControlHarness, ms: number, stepMs = 1_000): Promise<void> {
  for (let done = 0; done < ms; done += stepMs) {
    h.clock.advance(Math.min(stepMs, ms - done));
    await new Promise((r) => setTimeout(r, 2));
  }
  await h.app.scheduler.idle();
}

/** Waits until `check` holds, advancing the clock a second at a time (at most `maxMs` of manual time). */
export async function advanceUntil<T>(
  h: ControlHarness,
  check: () => Promise<T | undefined | null | false>,
  maxMs = 180_000,
): Promise<T> {
  for (let done = 0; done <= maxMs; done += 1_000) {
    const value = await check();
    if (value) return value;
    h.clock.advance(1_000);
    await new Promise((r) => setTimeout(r, 5));
    await h.app.scheduler.idle();
  }
  return eventually(check, 2_000);
}
