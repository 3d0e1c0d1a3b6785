/**
 * The read side the dashboard stands on, over a real HTTP server: a view reads only what it shows (a counting
 * wrapper around the store proves one unit's answer never lists units or tokens), the overview is kept from
 * changes, an app page reads its units' sparklines in one query, uptime comes from the roll-ups.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { AlertState } from '../core/alert-state.js';
import type { SchedulerStatus } from '../schedule/scheduler.js';
import { LiveHub } from '../web/live/hub.js';
import { recordedChanges } from '../web/live/producers.js';
import { buildServer } from '../web/server.js';
import { authHeaders } from '../web/test-auth.js';
import { createStore, type KyselyStore } from './kysely-store.js';
import type { Store } from './run-store.js';
import { claimOne, DAY, HOUR, LATER, OK, run, T0, unit } from './store-contract-fixtures.js';

const NOW = T0 + 30 * DAY;
let dir: string;
let store: KyselyStore;
let server: FastifyInstance;
let base: string;
let headers: Record<string, string>;
const hub = new LiveHub();
const calls = new Map<string, number>();
/** Store methods made to fail, for the fault tests. */
const failing = new Set<string>();
const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);
let defs: ReturnType<typeof unit>[] = [];
const unitErrors: [string, { message: string; since: number }][] = [];

/** The store with every method call counted. */
function counted(inner: KyselyStore): KyselyStore {
  return new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        count(`store.${String(key)}`);
        if (failing.has(String(key))) return Promise.reject(new Error(`database is locked (${String(key)})`));
        return value.apply(target, args);
      };
    },
  });
}

const scheduler = {
  status(): SchedulerStatus {
    count('scheduler.status');
    throw new Error('a view must not walk the whole scheduler status');
  },
  unitStatus(id: string) {
    count('scheduler.unitStatus');
    return { running: id === 'shop/home', error: null };
  },
  unitErrorList: () => unitErrors,
};
const heartbeats = {
  tokens: async () => {
    count('heartbeats.tokens');
    return new Map<string, string>();
  },
  tokensOf: async (ids: string[]) => {
    count(`heartbeats.tokensOf:${ids.join(',')}`);
    return new Map(ids.map((id) => [id, `tok-${id.length}`]));
  },
  handlePing: async () => undefined,
};

async function get(path: string) {
  const res = await fetch(`${base}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & unknown[] };
}

async function record(id: string, at: number, outcome: 'ok' | 'critical', alert: AlertState = OK) {
  await claimOne(store, id, at);
  const transition =
    alert.state === OK.state
      ? null
      : {
          unitId: id,
          at,
          from: 'ok' as const,
          to: alert.state,
          reason: `${alert.state}: HTTP 503`,
          inMaintenance: false,
        };
  await store.recordRun(run(id, at, outcome), alert, transition);
  return transition;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'upkeep-dash-'));
  store = createStore({ dataDir: dir });
  await store.migrate();
  defs = [
    unit('shop/api'),
    unit('shop/home'),
    { ...unit('shop/nightly'), kind: 'heartbeat' },
    { ...unit('shop/main.backup'), kind: 'backup' },
    unit('blog/web'),
    ...Array.from({ length: 50 }, (_, i) => unit(`big/u${String(i).padStart(2, '0')}`)),
  ];
  await store.syncUnits(defs, LATER);
  for (let h = 1; h <= 3; h++) await record('shop/api', NOW - h * HOUR, 'ok');
  await record('shop/api', NOW - 2 * HOUR + 60_000, 'critical');
  // uptime: 24h 1 of 1, 7d 1 of 2, 30d 2 of 3, 1y 3 of 4 (upkeep's own error runs never count)
  for (const [ago, outcome] of [
    [HOUR, 'ok'],
    [2 * DAY, 'critical'],
    [20 * DAY, 'ok'],
    [200 * DAY, 'ok'],
  ] as const)
    await record('blog/web', NOW - ago, outcome);
  server = buildServer({
    store: counted(store),
    scheduler,
    heartbeats: heartbeats as never,
    logger: pino({ level: 'silent' }),
    now: () => NOW,
    version: 'test',
    changes: hub,
    maintenance: () => [
      { apps: ['shop'], from: NOW - HOUR, to: NOW + HOUR },
      { from: NOW + DAY, to: NOW + DAY + HOUR },
    ],
    activeOverrides: async () => 2,
  });
  base = await server.listen({ host: '127.0.0.1', port: 0 });
  // Operators see heartbeat tokens; the viewer's case has its own test.
  headers = await authHeaders(store.database, 'operator');
});

beforeEach(() => calls.clear());

after(async () => {
  await server.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dashboard read side', () => {
  it("one unit's view reads that unit only: no unit list, no token map, no scheduler status walk", async () => {
    const { status, body } = await get('/api/units/shop/nightly');
    assert.equal(status, 200);
    assert.equal(body.id, 'shop/nightly');
    assert.deepEqual(body.heartbeat, { token: 'tok-12', pingUrl: `${base}/ping/tok-12` });
    assert.deepEqual(Object.fromEntries(calls), {
      'store.getUnit': 1,
      'store.listTransitions': 1,
      'scheduler.unitStatus': 1,
      'heartbeats.tokensOf:shop/nightly': 1,
    });
    calls.clear();
    assert.equal((await get('/api/units/shop/home')).body.running, true, 'live facts by id');
    assert.equal(calls.get('heartbeats.tokensOf:shop/home'), undefined, 'a check has no token to look up');
    assert.equal(calls.get('store.listUnits'), undefined);
  });

  it('shows heartbeat tokens to operators only', async () => {
    const as = async (role: 'viewer' | 'operator', path: string) =>
      (await (await fetch(`${base}${path}`, { headers: await authHeaders(store.database, role) })).json()) as {
        heartbeat?: unknown;
        heartbeats?: { heartbeat?: unknown }[];
      };
    assert.equal((await as('viewer', '/api/units/shop/nightly')).heartbeat, undefined);
    assert.equal((await as('viewer', '/api/apps/shop')).heartbeats?.[0]?.heartbeat, undefined);
    assert.equal(calls.get('heartbeats.tokensOf:shop/nightly'), undefined, 'not even read for a viewer');
    assert.ok((await as('operator', '/api/units/shop/nightly')).heartbeat);
    assert.ok((await as('operator', '/api/apps/shop')).heartbeats?.[0]?.heartbeat);
  });

  it('an app page groups its units, with 24 h sparklines read in one query for the whole page', async () => {
    const { status, body } = await get('/api/apps/shop');
    assert.equal(status, 200);
    const ids = (k: string) => (body[k as keyof typeof body] as { id: string }[]).map((u) => u.id);
    assert.deepEqual(ids('checks'), ['shop/api', 'shop/home']);
    assert.deepEqual(ids('heartbeats'), ['shop/nightly']);
    assert.deepEqual(ids('backups'), ['shop/main.backup']);
    assert.equal(body.next, null);
    const api = (body.checks as unknown as { spark: { t: number; up: number; ms: number }[]; state: string }[])[0];
    assert.deepEqual(
      api?.spark.map((p) => [p.t, p.up]),
      [
        [NOW - 3 * HOUR, 1],
        [NOW - 2 * HOUR, 0.5],
        [NOW - HOUR, 1],
      ],
    );
    assert.equal(api?.spark[0]?.ms, 100);
    assert.equal(calls.get('store.listRollupsOfUnits'), 1, 'one roll-up query for every unit of the page');
    assert.equal(calls.get('store.listUnitsOfApp'), 1);
    assert.equal(calls.get('store.listUnits'), undefined);
    assert.equal(calls.get('store.listRollups'), undefined);
    assert.equal(calls.get('heartbeats.tokensOf:shop/nightly'), 1);
    assert.equal((await get('/api/apps/nope')).status, 404);
  });

  it('pages a long app with limit and cursor: every unit once, in order', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    for (let pages = 0; cursor !== null; pages++) {
      assert.ok(pages < 5, 'pages end');
      const { body } = await get(`/api/apps/big?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      const checks = body.checks as unknown as { id: string }[];
      assert.ok(checks.length <= 20);
      seen.push(...checks.map((u) => u.id));
      cursor = body.next as string | null;
    }
    assert.equal(seen.length, 50);
    assert.equal(new Set(seen).size, 50);
    assert.deepEqual(seen, [...seen].sort());
  });

  it('the overview is kept from changes: worst app first, counts, firing alerts with reasons, maintenance', async () => {
    const first = (await get('/api/overview')).body as unknown as Record<string, never>;
    assert.equal(calls.get('store.listUnits'), undefined, 'read once, while the server started');
    assert.deepEqual(first.counts, { ok: 55 });
    const alert: AlertState = { ...OK, state: 'firing', severity: 'critical', since: NOW };
    const t = await record('shop/home', NOW, 'critical', alert);
    assert.ok(t);
    const change = {
      from: t.from,
      to: t.to,
      severity: 'critical' as const,
      reason: t.reason,
      inMaintenance: false,
      at: NOW,
    };
    for (const c of recordedChanges(
      { id: 'shop/home', app: 'shop', kind: 'http' },
      run('shop/home', NOW, 'critical'),
      change,
    ))
      hub.publish(c);
    unitErrors.push(['blog/web', { message: 'could not store the result', since: NOW }]);
    calls.clear();
    const { body } = await get('/api/overview');
    assert.equal(calls.get('store.listUnits'), undefined, 'no unit is read again');
    const o = body as unknown as {
      apps: { name: string; worst: string; counts: Record<string, number>; units: number }[];
      counts: Record<string, number>;
      firing: { unitId: string; severity: string; since: number; reason: string }[];
      maintenance: {
        active: { apps: string[] | null; from: number }[];
        next: { apps: string[] | null; from: number }[];
      };
      overrides: number;
    };
    assert.deepEqual(
      o.apps.map((a) => [a.name, a.worst, a.units]),
      [
        ['shop', 'firing', 4],
        ['blog', 'error', 1],
        ['big', 'ok', 50],
      ],
    );
    assert.deepEqual(o.counts, { ok: 53, firing: 1, error: 1 });
    assert.deepEqual(o.firing, [
      {
        unitId: 'shop/home',
        app: 'shop',
        name: 'home',
        kind: 'http',
        severity: 'critical',
        since: NOW,
        reason: 'firing: HTTP 503',
      },
    ]);
    assert.deepEqual(o.maintenance.active, [{ apps: ['shop'], from: NOW - HOUR, to: NOW + HOUR }]);
    assert.deepEqual(o.maintenance.next, [{ apps: null, from: NOW + DAY, to: NOW + DAY + HOUR }]);
    assert.equal(o.overrides, 2);
    const apps = (await get('/api/apps')).body as unknown as { name: string; states: Record<string, number> }[];
    assert.deepEqual(apps[0], { name: 'shop', units: 4, states: { ok: 3, firing: 1 }, worst: 'firing' });
    unitErrors.length = 0;
  });

  it('uptime over 24 h, 7 d, 30 d and a year comes from the roll-ups; no runs is null, not 100 %', async () => {
    assert.deepEqual((await get('/api/units/blog/web/uptime')).body, { '24h': 1, '7d': 0.5, '30d': 2 / 3, '1y': 0.75 });
    assert.equal(calls.get('store.rollupTotals'), 4);
    assert.deepEqual((await get('/api/units/big/u01/uptime')).body, {
      '24h': null,
      '7d': null,
      '30d': null,
      '1y': null,
    });
    assert.equal((await get('/api/units/blog/nope/uptime')).status, 404);
  });

  it('pages runs and transitions with before; refuses a history range too long for its grain', async () => {
    const runs = (await get('/api/units/shop/api/runs?limit=2')).body as unknown as { startedAt: number }[];
    assert.equal(runs.length, 2);
    const older = (await get(`/api/units/shop/api/runs?limit=10&before=${runs[1]?.startedAt}`)).body as unknown[];
    assert.equal(older.length, 2);
    assert.equal((await get('/api/units/shop/api/runs?before=soon')).status, 400);
    const all = (await get('/api/transitions?limit=10')).body as unknown as { at: number }[];
    const page = (await get(`/api/transitions?before=${all[0]?.at}`)).body as unknown as { at: number }[];
    assert.ok(page.every((t) => t.at < (all[0]?.at ?? 0)));
    const year = await get(`/api/units/shop/api/history?grain=minute&from=${NOW - 365 * DAY}&to=${NOW}`);
    assert.equal(year.status, 400);
    assert.match(String(year.body.error), /at most 5000 minute buckets/);
    const month = await get(`/api/units/shop/api/history?grain=hour&from=${NOW - 30 * DAY}&to=${NOW}`);
    assert.equal((month.body as unknown[]).length, 3);
  });

  it('a plan change makes the overview read the units again: added and removed units show', async () => {
    await store.syncUnits([...defs.filter((d) => d.app !== 'big'), unit('new/x')], LATER);
    hub.publish({ kind: 'plan', at: NOW });
    let apps: string[] = [];
    for (let i = 0; i < 100; i++) {
      apps = ((await get('/api/overview')).body as unknown as { apps: { name: string }[] }).apps.map((a) => a.name);
      if (apps.includes('new')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(apps.sort(), ['blog', 'new', 'shop']);
    assert.equal(calls.get('store.listUnits'), 1, 'read once for the plan change');
  });

  it("a store failure while re-reading is upkeep's own 500, and the overview recovers once the store does", async () => {
    failing.add('listUnits');
    hub.publish({ kind: 'plan', at: NOW }); // the re-read fails in the background: no crash, no half numbers
    await new Promise((r) => setTimeout(r, 20));
    const broken = await get('/api/overview');
    assert.equal(broken.status, 500);
    assert.match(String(broken.body.error), /^upkeep internal error: .*database is locked/);
    failing.clear();
    const fixed = await get('/api/overview');
    assert.equal(fixed.status, 200);
    assert.deepEqual((fixed.body as unknown as { counts: Record<string, number> }).counts, { ok: 5, firing: 1 });
  });
});
