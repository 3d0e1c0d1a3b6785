/**
 * Test helper: a real upkeep web server with the heartbeat service on a real store (SQLite in a temp dir, or a
 * fresh PostgreSQL database), on 127.0.0.1 with port 0, plus a scheduler sharing the same clock.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { findCheckKind } from '../checks/registry.js';
import { parsePlan } from '../plan/load-plan.js';
import type { CheckUnit } from '../plan/units.js';
import { createStore, type KyselyStore } from '../runs/kysely-store.js';
import type { Clock } from '../schedule/clock.js';
import { nextRunAt } from '../schedule/schedule-spec.js';
import { Scheduler } from '../schedule/scheduler.js';
import { unitDefinition } from '../schedule/unit-definition.js';
import { freshPostgresDatabase } from '../store/test-database.js';
import { buildServer } from '../web/server.js';
import { HeartbeatService } from './heartbeat-service.js';
import { HeartbeatStore } from './heartbeat-store.js';

const execFileAsync = promisify(execFile);

/** Everything a heartbeat test drives. */
export interface PingHarness {
  base: string;
  store: KyselyStore;
  heartbeats: HeartbeatStore;
  service: HeartbeatService;
  scheduler: Scheduler;
  units: CheckUnit[];
  server: FastifyInstance;
  /** The SQLite data dir (SQLite only). */
  dataDir?: string;
  /** The ping URL of a unit (`app/name`). */
  url(unitId: string): Promise<string>;
  close(): Promise<void>;
}

/** Builds the harness from plan text, on SQLite or PostgreSQL. */
export async function startPingHarness(
  planText: string,
  clock: Clock,
  backend: 'sqlite' | 'postgres' = 'sqlite',
): Promise<PingHarness> {
  const logger = pino({ level: 'silent' });
  let store: KyselyStore;
  let dispose: () => Promise<void>;
  let dataDir: string | undefined;
  if (backend === 'postgres') {
    const database = await freshPostgresDatabase();
    store = createStore({ databaseUrl: database.url, poolSize: 4 });
    dispose = () => database.drop();
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'upkeep-ping-'));
    dataDir = dir;
    store = createStore({ dataDir: dir });
    dispose = async () => rmSync(dir, { recursive: true, force: true });
  }
  await store.migrate();
  const { units } = parsePlan(planText, { file: 'upkeep.yml', env: {} });
  await store.syncUnits(units.map(unitDefinition), () => clock.now());
  const heartbeats = new HeartbeatStore(store.database);
  const service = new HeartbeatService({
    store: heartbeats,
    units,
    clock,
    logger,
    worker: 'test',
    inMaintenance: () => false,
  });
  await service.sync();
  const scheduler = new Scheduler({
    store,
    units,
    findKind: findCheckKind,
    clock,
    logger,
    worker: 'test-worker',
    concurrency: 8,
    nextRunAt: (unit, after) => service.nextRunAt(unit, after) ?? nextRunAt(unit.schedule, after, unit.id),
    inMaintenance: () => false,
    heartbeats: service,
  });
  const server = buildServer({ store, logger, now: () => clock.now(), version: 'test', heartbeats: service });
  const base = await server.listen({ host: '127.0.0.1', port: 0 });
  return {
    base,
    store,
    heartbeats,
    service,
    scheduler,
    units,
    server,
    dataDir,
    url: async (unitId) => `${base}/ping/${(await heartbeats.tokens()).get(unitId)}`,
    close: async () => {
      await server.close();
      await service.close();
      await store.close();
      await dispose();
    },
  };
}

/** Runs curl the way a crontab line would; returns its stdout and exit code (never throws on curl's failure). */
export async function curl(args: string[]): Promise<{ stdout: string; code: number }> {
  try {
    const { stdout } = await execFileAsync('curl', ['-sS', '-m', '10', ...args], { encoding: 'utf8' });
    return { stdout, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; code?: number };
    return { stdout: e.stdout ?? '', code: typeof e.code === 'number' ? e.code : -1 };
  }
}
