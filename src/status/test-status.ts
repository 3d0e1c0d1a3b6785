/**
 * Test helper: a real upkeep web server on 127.0.0.1 (port 0) over a real store (SQLite in a temp dir, or a fresh
 * PostgreSQL database), with a plan parsed from text and runs recorded through the store's own claim and record path.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { AlertState, Transition } from '../core/alert-state.js';
import type { RunRecord } from '../core/run.js';
import { type LoadedPlan, parsePlan } from '../plan/load-plan.js';
import { createStore, type KyselyStore } from '../runs/kysely-store.js';
import type { SchedulerStatus } from '../schedule/scheduler.js';
import { unitDefinition } from '../schedule/unit-definition.js';
import { freshPostgresDatabase } from '../store/test-database.js';
import { buildServer, type ServerDeps } from '../web/server.js';

/** What a status test drives. */
export interface StatusHarness {
  base: string;
  store: KyselyStore;
  plan: LoadedPlan;
  server: FastifyInstance;
  /** The clock the server reads; tests move it. */
  clock: { now: number };
  /** Records one finished run of `unitId` at `at` with the alert state it leaves. */
  record(unitId: string, at: number, run: Partial<RunRecord>, alert?: Partial<AlertState>): Promise<void>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** Starts the harness on `backend` with `planText`; `extra` adds server deps (scheduler, notifier...). */
export async function startStatusHarness(
  planText: string,
  backend: 'sqlite' | 'postgres',
  now: number,
  extra: Partial<ServerDeps> = {},
): Promise<StatusHarness> {
  let store: KyselyStore;
  let dispose: () => Promise<void>;
  if (backend === 'postgres') {
    const database = await freshPostgresDatabase();
    store = createStore({ databaseUrl: database.url, poolSize: 4 });
    dispose = () => database.drop();
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'upkeep-status-'));
    store = createStore({ dataDir: dir });
    dispose = async () => rmSync(dir, { recursive: true, force: true });
  }
  await store.migrate();
  const plan = parsePlan(planText, { file: 'upkeep.yml', env: {} });
  await store.syncUnits(plan.units.map(unitDefinition), () => now + 10 * 365 * 86_400_000);
  const clock = { now };
  const server = buildServer({
    store,
    plan: () => plan,
    logger: pino({ level: 'silent' }),
    now: () => clock.now,
    version: '0.0.0-test',
    statusCacheTtlMs: 0,
    ...extra,
  });
  const base = await server.listen({ host: '127.0.0.1', port: 0 });
  const record: StatusHarness['record'] = async (unitId, at, partial, alert = {}) => {
    await store.setNextRunAt(unitId, at);
    const claims = await store.claimDue({
      now: at,
      limit: 100,
      worker: 'test',
      leaseMs: () => 60_000,
      // Far ahead, so no unit falls due (and is claimed along) by the next record's claim.
      nextRunAt: () => at + 10 * 365 * 86_400_000,
    });
    assert.ok(
      claims.some((c) => c.unitId === unitId),
      `expected to claim ${unitId}`,
    );
    const outcome = partial.outcome ?? 'ok';
    const full: RunRecord = {
      unitId,
      startedAt: at,
      endedAt: at + (partial.durationMs ?? 100),
      outcome,
      summary: `${outcome} in 100ms`,
      durationMs: 100,
      details: {},
      values: {},
      worker: 'test',
      ...partial,
    };
    const state: AlertState = {
      state: 'ok',
      since: at,
      consecutiveFailures: 0,
      consecutiveSuccesses: 1,
      lastSummary: full.summary,
      ...alert,
    };
    const transition: Transition | null =
      alert.state && alert.state !== 'ok'
        ? { unitId, at, from: 'ok', to: alert.state, reason: full.summary, inMaintenance: false, ...sev(alert) }
        : null;
    assert.ok(await store.recordRun(full, state, transition), `run of ${unitId} recorded`);
  };
  return {
    base,
    store,
    plan,
    server,
    clock,
    record,
    get: (path, headers = {}) => fetch(`${base}${path}`, { headers }),
    close: async () => {
      await server.close();
      await store.close();
      await dispose();
    },
  };
}

function sev(alert: Partial<AlertState>): { severity?: AlertState['severity'] } {
  return alert.severity ? { severity: alert.severity } : {};
}

/** A scheduler status with nothing unusual, for tests that pass one. */
export function quietScheduler(now: number, over: Partial<SchedulerStatus> = {}): { status(): SchedulerStatus } {
  return {
    status: () => ({
      running: true,
      inFlight: [],
      lastTickAt: now,
      storeError: null,
      unitErrors: {},
      runs: 0,
      lagP50Ms: 0,
      lagP99Ms: 0,
      ...over,
    }),
  };
}
