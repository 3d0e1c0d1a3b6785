import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { initialAlertState } from '../alerts/transition.js';
import { createStore, type KyselyStore } from '../runs/kysely-store.js';
import type { SchedulerStatus } from '../schedule/scheduler.js';
import { buildServer } from './server.js';
import { authHeaders } from './test-auth.js';

const NOW = Date.parse('2026-11-22T10:00:00Z');
let dir: string;
let store: KyselyStore;
let live: SchedulerStatus;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'upkeep-web-'));
  store = createStore({ dataDir: dir });
  await store.migrate();
  const def = (name: string) => ({
    id: `shop/${name}`,
    app: 'shop',
    name,
    type: 'check',
    kind: 'http',
    target: `GET https://shop.example/${name}`,
    schedule: 'every 1m',
    specHash: name,
  });
  await store.syncUnits([def('api'), def('home')], () => NOW - 1000);
  const claims = await store.claimDue({
    now: NOW,
    limit: 10,
    worker: 'w',
    leaseMs: () => 60_000,
    nextRunAt: () => NOW + 60_000,
  });
  assert.equal(claims.length, 2);
  const run = (unitId: string, outcome: 'ok' | 'critical') => ({
    unitId,
    startedAt: NOW,
    endedAt: NOW + 120,
    outcome,
    summary: outcome === 'ok' ? 'ok in 120ms' : 'HTTP 503 (expected 2xx)',
    durationMs: 120,
    details: {},
    values: { responseTimeMs: 120 },
    worker: 'w',
  });
  await store.recordRun(run('shop/api', 'ok'), { ...initialAlertState(NOW), lastSummary: 'ok in 120ms' }, null);
  await store.recordRun(
    run('shop/home', 'critical'),
    {
      state: 'firing',
      severity: 'critical',
      since: NOW,
      consecutiveFailures: 2,
      consecutiveSuccesses: 0,
      lastSummary: 'HTTP 503',
    },
    {
      unitId: 'shop/home',
      at: NOW,
      from: 'pending',
      to: 'firing',
      severity: 'critical',
      reason: '2 consecutive failures: HTTP 503',
      inMaintenance: false,
    },
  );
  live = {
    running: true,
    inFlight: [],
    lastTickAt: NOW,
    storeError: null,
    unitErrors: {},
    runs: 2,
    lagP50Ms: 0,
    lagP99Ms: 0,
  };
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A GET as a viewer (every /api read needs one). */
async function get(app: ReturnType<typeof server>, url: string) {
  return app.inject({ url, headers: await authHeaders(store.database, 'viewer') });
}

function server() {
  return buildServer({
    store,
    scheduler: { status: () => live },
    logger: pino({ level: 'silent' }),
    now: () => NOW,
    version: '0.0.0-test',
  });
}

describe('HTTP API', () => {
  it('/healthz is ok while store and loop are fine', async () => {
    const res = await server().inject('/healthz');
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().status, 'ok');
    assert.equal(res.json().store, 'sqlite');
  });

  it("/healthz reports upkeep's own store trouble as 503 with the reason", async () => {
    live = { ...live, storeError: { message: 'disk I/O error', since: NOW } };
    try {
      const res = await server().inject('/healthz');
      assert.equal(res.statusCode, 503);
      assert.match(res.json().problems[0], /disk I\/O error/);
    } finally {
      live = { ...live, storeError: null };
    }
  });

  it('lists apps with state counts and units with their state', async () => {
    const app = server();
    assert.deepEqual((await get(app, '/api/apps')).json(), [
      { name: 'shop', units: 2, states: { ok: 1, firing: 1 }, worst: 'firing' },
    ]);
    const units = (await get(app, '/api/units')).json() as { id: string; state: string; severity: string | null }[];
    assert.deepEqual(
      units.map((u) => [u.id, u.state, u.severity]),
      [
        ['shop/api', 'ok', null],
        ['shop/home', 'firing', 'critical'],
      ],
    );
  });

  it('shows one unit with its transitions, its runs and its history', async () => {
    const app = server();
    const unit = (await get(app, '/api/units/shop/home')).json();
    assert.equal(unit.transitions[0].reason, '2 consecutive failures: HTTP 503');
    const runs = (await get(app, '/api/units/shop/home/runs')).json();
    assert.equal(runs.length, 1);
    assert.equal(runs[0].outcome, 'critical');
    const history = (
      await get(app, `/api/units/shop/home/history?grain=minute&from=${NOW - 60_000}&to=${NOW + 60_000}`)
    ).json();
    assert.equal(history.length, 1);
    assert.equal(history[0].failedRuns, 1);
  });

  it("a unit whose result upkeep could not store shows upkeep's error, not down", async () => {
    live = { ...live, unitErrors: { 'shop/api': { message: 'could not store the result: SQLITE_FULL', since: NOW } } };
    try {
      const unit = (await get(server(), '/api/units/shop/api')).json();
      assert.equal(unit.state, 'error');
      assert.match(unit.summary, /SQLITE_FULL/);
    } finally {
      live = { ...live, unitErrors: {} };
    }
  });

  it('answers clear 404s and 400s', async () => {
    const app = server();
    const missing = await get(app, '/api/units/shop/nope');
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().error, /no unit "shop\/nope"/);
    assert.equal((await get(app, '/api/units/shop/api/history?grain=week')).statusCode, 400);
    assert.equal((await get(app, '/nowhere')).statusCode, 404);
  });
});
