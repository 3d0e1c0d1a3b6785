import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { BackupStore } from '../backups/backup-store.js';
import { shopBackup } from '../backups/test-support.js';
import { parsePlan } from '../plan/load-plan.js';
import { quietScheduler, type StatusHarness, startStatusHarness } from '../status/test-status.js';
import { freshPostgresDatabase, postgresSkipReason } from '../store/test-database.js';
import { authHeaders } from '../web/test-auth.js';
import { metricsAccess, registerMetricsRoutes } from './metrics-routes.js';
import { RunTally } from './run-tally.js';

// Referenced so the test launcher starts PostgreSQL for this file.
void freshPostgresDatabase;

const NOW = Date.parse('2026-11-22T12:00:00Z');
const PLAN = `version: 1
apps:
  shop:
    checks:
      api: { http: "https://shop.example/health" }
      nightly: { heartbeat: { every: 1d, grace: 1h } }
    databases:
      main: { postgres: "postgres://u@db.example/shop", backup: { schedule: daily 02:00, to: file:./b } }
`;

type Families = ReturnType<typeof parsePrometheusTextFormat>;
const value = (families: Families, name: string, labels: Record<string, string> = {}) => {
  const family = families.find((f) => f.name === name);
  assert.ok(family, `metric ${name} is exported`);
  const sample = family.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  assert.ok(sample, `${name}${JSON.stringify(labels)} has a sample`);
  return Number(sample.value);
};

const pgSkip = postgresSkipReason();
for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`/metrics on ${backend}`, { skip: backend === 'postgres' ? pgSkip : undefined }, () => {
    let h: StatusHarness;
    const tally = new RunTally();
    before(async () => {
      h = await startStatusHarness(PLAN, backend, NOW, {
        runTally: tally,
        scheduler: quietScheduler(NOW, { lagP50Ms: 12, lagP99Ms: 340, inFlight: ['shop/nightly'] }),
        notifier: {
          status: () => ({ running: true, inFlight: 2, lastPassAt: NOW, error: null }),
        } as never,
      });
      // What app.ts's onRecorded does with every recorded run.
      const record = async (unit: string, kind: string, ...args: Parameters<StatusHarness['record']>) => {
        await h.record(...args);
        tally.observe({ app: 'shop', name: unit, kind }, args[2].outcome ?? 'ok');
      };
      await record('api', 'http', 'shop/api', NOW - 120_000, { durationMs: 180, values: { responseTimeMs: 170 } });
      await record(
        'api',
        'http',
        'shop/api',
        NOW - 60_000,
        { outcome: 'critical', durationMs: 250, values: { responseTimeMs: 234 } },
        { state: 'firing', severity: 'critical', consecutiveFailures: 2, consecutiveSuccesses: 0 },
      );
      await record('nightly', 'heartbeat', 'shop/nightly', NOW - 3_600_000, { durationMs: 5 });
      const db = h.store.database.db as never as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
      await db
        .insertInto('heartbeats')
        .values({
          unit_id: 'shop/nightly',
          token: 't0k',
          created_at: NOW - 86_400_000,
          late_at: NOW + 3_600_000,
          last_ping_at: NOW - 90_000,
        })
        .execute();
      const catalog = new BackupStore(h.store.database);
      await catalog.insert(shopBackup('b1', NOW - 7_200_000));
      await catalog.update('b1', {
        state: 'drilled',
        takenAt: NOW - 7_000_000,
        drilledAt: NOW - 6_000_000,
        sizeBytes: 4096,
      });
      await catalog.insert(shopBackup('b2', NOW - 3_000_000));
      await catalog.update('b2', { state: 'taken', takenAt: NOW - 2_900_000, sizeBytes: 5120 });
      await catalog.insert(shopBackup('b3', NOW - 1_000_000));
      await catalog.update('b3', { state: 'failed', failedIn: 'drill', failedAt: NOW - 500_000, reason: 'mismatch' });
      const outbox = (status: string) => ({
        transition_id: null,
        unit_id: 'shop/api',
        channel: 'hook',
        event: 'firing',
        message_json: '{}',
        created_at: NOW,
        next_attempt_at: NOW,
        attempts: 1,
        status,
      });
      await db
        .insertInto('outbox')
        .values([outbox('pending'), outbox('sending'), outbox('sent')])
        .execute();
      const attempt = (ok: number) => ({
        outbox_id: 1,
        channel: 'hook',
        attempt: 1,
        started_at: NOW,
        ended_at: NOW,
        ok,
      });
      await db
        .insertInto('deliveries')
        .values([attempt(0), attempt(0), attempt(1)])
        .execute();
    });
    after(() => h?.close());

    it('exports real values in the Prometheus text format, parsed by a real parser', async () => {
      const res = await h.get('/metrics', await authHeaders(h.store.database, 'viewer'));
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const families = parsePrometheusTextFormat(await res.text());
      const api = { app: 'shop', unit: 'api', kind: 'http' };
      assert.equal(value(families, 'upkeep_unit_state', { ...api, state: 'firing' }), 1);
      assert.equal(value(families, 'upkeep_unit_severity', api), 3);
      assert.equal(value(families, 'upkeep_unit_severity', { unit: 'nightly' }), 0);
      assert.equal(value(families, 'upkeep_unit_last_run_duration_seconds', api), 0.25);
      assert.equal(value(families, 'upkeep_unit_response_time_seconds', api), 0.234);
      assert.equal(value(families, 'upkeep_runs_total', { ...api, outcome: 'critical' }), 1);
      assert.equal(value(families, 'upkeep_runs_total', { ...api, outcome: 'ok' }), 1);
      assert.equal(value(families, 'upkeep_heartbeat_age_seconds', { app: 'shop', unit: 'nightly' }), 90);
      const main = { app: 'shop', database: 'main' };
      assert.equal(value(families, 'upkeep_backup_age_seconds', main), 2_900);
      assert.equal(value(families, 'upkeep_backup_size_bytes', main), 5120);
      assert.equal(value(families, 'upkeep_backup_last_drill_success', main), 0);
      assert.equal(value(families, 'upkeep_backup_last_drill_timestamp_seconds', main), (NOW - 500_000) / 1000);
      assert.equal(value(families, 'upkeep_notify_queue_depth'), 2);
      assert.equal(value(families, 'upkeep_notify_deliveries_failed_total', { channel: 'hook' }), 2);
      assert.equal(value(families, 'upkeep_notify_in_flight'), 2);
      assert.equal(value(families, 'upkeep_scheduler_lag_seconds', { quantile: '0.99' }), 0.34);
      assert.equal(value(families, 'upkeep_scheduler_in_flight'), 1);
      const types = Object.fromEntries(families.map((f) => [f.name, f.type]));
      assert.equal(types.upkeep_runs_total, 'COUNTER');
      assert.equal(types.upkeep_unit_state, 'GAUGE');
      for (const family of families) {
        assert.match(family.name, /^upkeep_[a-z0-9_]+$/);
        if (family.type === 'COUNTER') assert.match(family.name, /_total$/);
        assert.ok(family.help.length > 0, `${family.name} has help`);
      }
      // Only upkeep's own registry: none of prom-client's default process metrics.
      assert.ok(!families.some((f) => f.name.startsWith('process_') || f.name.startsWith('nodejs_')));
      assert.equal(res.headers.get('cache-control'), 'no-store');
    });

    it('follows a newer run at the next scrape', async () => {
      await h.record('shop/api', NOW - 1_000, { durationMs: 90, values: { responseTimeMs: 80 } });
      const text = await (await h.get('/metrics', await authHeaders(h.store.database, 'viewer'))).text();
      const families = parsePrometheusTextFormat(text);
      assert.equal(value(families, 'upkeep_unit_state', { unit: 'api', state: 'ok' }), 1);
      assert.ok(!text.includes('state="firing"'));
      assert.equal(value(families, 'upkeep_unit_response_time_seconds', { unit: 'api' }), 0.08);
    });
  });
}

describe('/metrics access', () => {
  const accessOf = async (planText: string) => {
    const app = Fastify();
    let access: unknown;
    app.addHook('onRoute', (route) => {
      if (route.url === '/metrics') access = route.config?.access;
    });
    const { plan } = parsePlan(planText, { file: 'upkeep.yml', env: {} });
    registerMetricsRoutes(app, { plan: () => ({ plan }), now: () => NOW }, {} as never);
    await app.ready();
    await app.close();
    return access;
  };

  it('is registered for viewers by default and public when the plan says metrics.public', async () => {
    assert.equal(await accessOf(PLAN), 'viewer');
    assert.equal(await accessOf(`${PLAN}metrics: { public: false }\n`), 'viewer');
    assert.equal(await accessOf(`${PLAN}metrics: { public: true }\n`), 'public');
    assert.equal(metricsAccess(undefined), 'viewer');
  });
});
