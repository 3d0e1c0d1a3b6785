/**
 * The route walk: upkeep built by its composition root (every capability wired), every route it registered
 * collected, and each one proven to declare its access, to refuse an anonymous caller (401) and an under-privileged
 * one (403), while public routes answer without any credentials. New routes of any capability are covered as soon
 * as they are registered.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { type App, createApp } from '../app.js';
import { type Access, ROLES, type Role } from '../web/access.js';
import { authHeaders } from '../web/test-auth.js';
import { registeredRoutes } from './auth-hook.js';

/** A concrete URL for a route pattern: every parameter and wildcard filled in. */
function concrete(url: string): string {
  return url.replace(/:[A-Za-z0-9_]+/g, 'shop').replace(/\*/g, 'x');
}

/** The role just below `access`, or undefined for viewer (below it is anonymous, checked as 401). */
function below(access: Access): Role | undefined {
  const i = ROLES.indexOf(access as Role);
  return i > 0 ? ROLES[i - 1] : undefined;
}

/** Public by design: these answer 200 to anyone. */
const OPEN = ['GET /healthz', 'GET /api/auth/setup'];
/** The hook's own refusal of an anonymous caller (a public route may still answer 401 itself, as /api/auth/me does). */
const HOOK_REFUSAL = /sign in first, or send Authorization/;

describe('every registered route declares its access and the auth hook enforces it', () => {
  let dir: string;
  let app: App;
  let base: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upkeep-walk-'));
    writeFileSync(
      join(dir, 'upkeep.yml'),
      [
        'version: 1',
        'notify:',
        '  hook: { type: webhook, url: "http://127.0.0.1:1/hook" }',
        'routes: { critical: [hook] }',
        'apps:',
        '  shop:',
        '    checks:',
        '      api: { http: "http://127.0.0.1:1/health", every: 1h }',
        '      nightly: { heartbeat: { every: 1d, grace: 1h } }',
        '',
      ].join('\n'),
    );
    app = await createApp({
      planPath: join(dir, 'upkeep.yml'),
      env: {},
      dataDir: join(dir, 'data'),
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
    });
    base = await app.server.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await app?.stop(0);
    rmSync(dir, { recursive: true, force: true });
  });

  /** One real HTTP call; a stream (server-sent events) is cut off once its headers arrived. */
  const call = async (method: string, url: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${concrete(url)}`, { method, headers, redirect: 'manual' });
    const streaming = res.headers.get('content-type')?.includes('text/event-stream');
    if (streaming) await res.body?.cancel();
    const body = streaming ? '' : await res.text();
    // A route that answers another format (/metrics: Prometheus text) has no JSON code to read.
    const json = res.headers.get('content-type')?.includes('json') ?? false;
    return { statusCode: res.status, body, json: () => (json ? JSON.parse(body) : {}) };
  };

  it('collects the routes of every wired capability', () => {
    const urls = new Set(registeredRoutes(app.server).map((r) => r.url));
    for (const url of ['/healthz', '/api/units', '/api/units/:app/:name/pings', '/api/channels', '/api/users'])
      assert.ok(urls.has(url), `${url} is registered and seen by the walk`);
  });

  it('every route declares public, viewer, operator or admin', () => {
    const undeclared = registeredRoutes(app.server).filter(
      (r) => !(['public', ...ROLES] as (string | undefined)[]).includes(r.access),
    );
    assert.deepEqual(undeclared, [], 'routes without a declared access');
  });

  it('an anonymous caller gets 401 on every non-public route; public routes answer without credentials', async () => {
    for (const route of registeredRoutes(app.server)) {
      const res = await call(route.method, route.url);
      const name = `${route.method} ${route.url}`;
      if (route.access === 'public') {
        assert.ok(res.statusCode < 500 && !HOOK_REFUSAL.test(res.body), `${name}: ${res.statusCode} ${res.body}`);
        if (OPEN.includes(name)) assert.equal(res.statusCode, 200, name);
      } else {
        assert.equal(res.statusCode, 401, `${name} anonymous: ${res.body}`);
        if (route.method !== 'HEAD') assert.equal(typeof res.json().error, 'string', `${name}: the error shape`);
      }
    }
  });

  it('an under-privileged caller gets 403 on every operator and admin route', async () => {
    let checked = 0;
    for (const route of registeredRoutes(app.server)) {
      const role = route.access === undefined || route.access === 'public' ? undefined : below(route.access as Access);
      if (!role) continue;
      const res = await call(route.method, route.url, await authHeaders(app.store.database, role));
      assert.equal(res.statusCode, 403, `${route.method} ${route.url} as ${role}: ${res.body}`);
      if (route.method !== 'HEAD') assert.equal(res.json().code, 'forbidden');
      checked++;
    }
    assert.ok(checked > 0, 'some routes need more than viewer');
  });

  it('a caller with the declared role gets past the hook on every route', async () => {
    for (const route of registeredRoutes(app.server)) {
      if (route.access === undefined || route.access === 'public') continue;
      const res = await call(route.method, route.url, await authHeaders(app.store.database, route.access as Role));
      // The route itself may still refuse (404 for the made-up unit, session_required for a token): not the hook.
      const code = route.method === 'HEAD' || res.body === '' ? undefined : res.json().code;
      assert.ok(
        !['unauthenticated', 'forbidden'].includes(code) &&
          !(route.method === 'HEAD' && [401, 403].includes(res.statusCode)),
        `${route.method} ${route.url} as ${route.access}: ${res.body}`,
      );
    }
  });
});
