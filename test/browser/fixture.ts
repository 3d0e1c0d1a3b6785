/**
 * A real upkeep for the browser tests: a temp plan and data dir, a real HTTP target whose health the test switches,
 * a real webhook receiver that records every notification, and `bin/upkeep.js start` as a child process whose
 * output gives the URL and the one-time setup link.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.mjs';
import { spawnUpkeep, type UpkeepProcess } from '../../src/cli/test-process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Script-looking strings planted wherever a plan, a target, a person or a ping puts text; each sets window.__xss. */
export const INJECTED = {
  title: 'Sample <script>window.__xss="title"</script>',
  // No double quotes: the check's reason quotes the keyword as JSON, which would escape them.
  keyword: '<img src=x onerror=window.__xss=2>',
  note: '<script>window.__xss="note"</script>',
  reason: '<img src=x onerror="window.__xss=\'reason\'">',
  ping: '<script>window.__xss="ping"</script><img src=x onerror="window.__xss=\'ping-img\'">',
};

/** What the plan holds: `second` adds a check (a changed plan), `broken` writes a plan that does not load. */
export function planText(opts: { target: string; hook: string; second?: boolean; broken?: boolean }): string {
  const yaml = (s: string) => JSON.stringify(s);
  return [
    'version: 1',
    'notify:',
    `  hook: { type: webhook, url: ${yaml(`${opts.hook}/hook`)} }`,
    'routes: { critical: [hook], warning: [hook] }',
    'alerts: { flapping: false }',
    'apps:',
    '  sample:',
    `    status: { title: ${yaml(INJECTED.title)}, show: { api: "API" } }`,
    '    checks:',
    `      api: { http: ${yaml(`${opts.target}/health`)}, every: 1s, timeout: 800ms, alert: { failures: 1 } }`,
    `      words: { http: ${yaml(`${opts.target}/words`)}, every: 5s, timeout: 2s, expect: { keyword: ${yaml(INJECTED.keyword)} }, notify: [] }`,
    '      beat: { heartbeat: { every: 1h, grace: 5m }, notify: [] }',
    ...(opts.second ? [`      api2: { http: ${yaml(`${opts.target}/health`)}, every: 2s, timeout: 1s }`] : []),
    ...(opts.broken ? ['      bad: { http: "not a url", every: banana }'] : []),
    '',
  ].join('\n');
}

export const EMAIL = 'admin@example.com';
export const PASSWORD = 'correct horse battery staple';

/** Signs in on the login page. */
export async function logIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

/** One running upkeep with its target and webhook receiver. */
export interface Fixture {
  url: string;
  setupUrl: string;
  proc: UpkeepProcess;
  target: { failing: boolean };
  /** Every notification the webhook received, in order. */
  notifications: unknown[];
  /** Rewrites the plan file (for reloads). */
  writePlan(opts: { second?: boolean; broken?: boolean }): void;
  stop(): Promise<void>;
}

/** Rebuilds dist/web/ when it is missing or older than a file under web/ (the test must see today's dashboard). */
export async function ensureDashboardBuilt(): Promise<void> {
  const shell = join(ROOT, 'dist', 'web', 'index.html');
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
      ),
    );
  if (existsSync(shell) && statSync(shell).mtimeMs >= newest(join(ROOT, 'web'))) return;
  await buildWeb(ROOT, join(ROOT, 'dist', 'web'));
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

/** Starts the target, the webhook receiver and upkeep; resolves once upkeep printed its URL and setup link. */
export async function startFixture(opts: { basePath?: string } = {}): Promise<Fixture> {
  await ensureDashboardBuilt();
  const target = { failing: false };
  const targetServer = createServer((req, res) => {
    if (req.url === '/words') return res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
    if (target.failing) return res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"down"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  });
  const notifications: unknown[] = [];
  const hookServer = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      try {
        notifications.push(JSON.parse(body));
      } catch {
        notifications.push(body);
      }
      res.writeHead(204).end();
    });
  });
  const [targetUrl, hookUrl] = await Promise.all([listen(targetServer), listen(hookServer)]);
  const dir = mkdtempSync(join(tmpdir(), 'upkeep-browser-'));
  const planPath = join(dir, 'upkeep.yml');
  const writePlan = (o: { second?: boolean; broken?: boolean }) =>
    writeFileSync(planPath, planText({ target: targetUrl, hook: hookUrl, ...o }));
  writePlan({});
  const args = ['start', '--plan', planPath, '--data-dir', join(dir, 'data'), '--port', '0'];
  if (opts.basePath) args.push('--base-path', opts.basePath);
  const proc = spawnUpkeep(args, { UPKEEP_LOG_LEVEL: 'warn' });
  const stop = async () => {
    if (proc.child.exitCode === null) {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
    targetServer.closeAllConnections();
    hookServer.closeAllConnections();
    await Promise.all([new Promise((r) => targetServer.close(r)), new Promise((r) => hookServer.close(r))]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [, url] = await proc.waitFor(/API\s+(http:\/\/\S+?)\/api\/units/, 30_000);
    const [, setupUrl] = await proc.waitFor(/(http:\/\/\S+\/setup\?token=\S+)/, 10_000);
    return { url: url as string, setupUrl: setupUrl as string, proc, target, notifications, writePlan, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
