/**
 * The dashboard as upkeep serves it, over real HTTP: page paths answer the shell without caching, assets with a
 * year of caching, nothing climbs out of assets/, a missing build says how to build it, and a base path moves
 * every route (API and health too) under its prefix.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createStore, type KyselyStore } from '../../runs/kysely-store.js';
import { buildServer } from '../server.js';
import { authHeaders } from '../test-auth.js';

const SHELL = `<!doctype html><html><head><meta name="upkeep-base" content="">
<script type="module" crossorigin src="./assets/index-AbC123.js"></script>
<link rel="stylesheet" crossorigin href="./assets/index-DeF456.css"></head><body><div id="app"></div></body></html>`;

let dir: string;
let store: KyselyStore;
const servers: FastifyInstance[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'upkeep-dashboard-'));
  store = createStore({ dataDir: join(dir, 'data') });
  await store.migrate();
  mkdirSync(join(dir, 'web', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'web', 'index.html'), SHELL);
  writeFileSync(join(dir, 'web', 'assets', 'index-AbC123.js'), 'console.log("upkeep")');
  writeFileSync(join(dir, 'web', 'assets', 'index-DeF456.css'), 'body{}');
  writeFileSync(join(dir, 'secret.txt'), 'not an asset');
});

after(async () => {
  for (const s of servers) await s.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A listening server (the base path is applied by the HTTP server itself, so inject() would not see it). */
async function serve(opts: { basePath?: string; dashboardDir?: string } = {}): Promise<string> {
  const app = buildServer({
    store,
    logger: pino({ level: 'silent' }),
    now: () => Date.now(),
    version: 'test',
    dashboardDir: opts.dashboardDir ?? join(dir, 'web'),
    basePath: opts.basePath,
  });
  servers.push(app);
  return app.listen({ host: '127.0.0.1', port: 0 });
}

describe('dashboard serving', () => {
  it('answers the shell on / and every page path, never cached, with its assets linked from the root', async () => {
    const url = await serve();
    for (const path of [
      '/',
      '/apps/shop',
      '/units/shop/api',
      '/notifications',
      '/settings',
      '/audit',
      '/login',
      '/setup?token=x',
    ]) {
      const res = await fetch(`${url}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('cache-control'), 'no-cache', path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      const html = await res.text();
      assert.match(html, /src="\/assets\/index-AbC123\.js"/, path);
      assert.match(html, /<meta name="upkeep-base" content="">/);
    }
  });

  it('serves hashed assets for a year, immutable, with their types; refuses names outside assets/', async () => {
    const url = await serve();
    const js = await fetch(`${url}/assets/index-AbC123.js`);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(await js.text(), 'console.log("upkeep")');
    const css = await fetch(`${url}/assets/index-DeF456.css`);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    for (const bad of [
      '/assets/..%2Fsecret.txt',
      '/assets/%2E%2E%2F%2E%2E%2Fsecret.txt',
      '/assets/.hidden',
      '/assets/nope.js',
    ]) {
      const res = await fetch(`${url}${bad}`);
      assert.equal(res.status, 404, bad);
      assert.doesNotMatch(await res.text(), /not an asset/);
    }
  });

  it('without a build, says so and how to build it instead of a blank page or a stack trace', async () => {
    const url = await serve({ dashboardDir: join(dir, 'missing') });
    const res = await fetch(`${url}/units/shop/api`);
    assert.equal(res.status, 503);
    assert.match(await res.text(), /dashboard not built: run npm run build/);
    // The API keeps answering without the dashboard.
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
  });
});

describe('base path', () => {
  it('serves the dashboard, its assets, the API and /healthz under the prefix, and links assets under it', async () => {
    const url = await serve({ basePath: '/upkeep' });
    const page = await fetch(`${url}/upkeep/units/shop/api`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /src="\/upkeep\/assets\/index-AbC123\.js"/);
    assert.match(html, /href="\/upkeep\/assets\/index-DeF456\.css"/);
    assert.match(html, /<meta name="upkeep-base" content="\/upkeep">/);
    assert.equal((await fetch(`${url}/upkeep/assets/index-AbC123.js`)).status, 200);
    assert.equal((await fetch(`${url}/upkeep/healthz`)).status, 200);
    const units = await fetch(`${url}/upkeep/api/units`, { headers: await authHeaders(store.database, 'viewer') });
    assert.equal(units.status, 200);
    assert.ok(Array.isArray(await units.json()));
    assert.equal((await fetch(`${url}/upkeep?x=1`)).status, 200);
  });

  it('redirects the bare prefix to prefix/ and answers outside it with where upkeep lives', async () => {
    const url = await serve({ basePath: '/upkeep' });
    const bare = await fetch(`${url}/upkeep`, { redirect: 'manual' });
    assert.equal(bare.status, 308);
    assert.equal(bare.headers.get('location'), '/upkeep/');
    for (const outside of ['/', '/api/units', '/healthz', '/upkeepx/api/units']) {
      const res = await fetch(`${url}${outside}`);
      assert.equal(res.status, 404, outside);
      assert.match(((await res.json()) as { error: string }).error, /served under \/upkeep\//);
    }
  });
});
