/** Test helpers for the notifier: stores on SQLite and PostgreSQL, plans from YAML, and recorded transitions. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import type { AlertState, Transition } from '../core/alert-state.js';
import { parsePlan } from '../plan/load-plan.js';
import type { Plan } from '../plan/plan-types.js';
import { KyselyStore } from '../runs/kysely-store.js';
import { transitionToRow } from '../runs/rows.js';
import { runsTables } from '../runs/runs-schema.js';
import { type Database, openDatabase, type StoreDialect } from '../store/database.js';
import { freshPostgresDatabase, postgresSkipReason } from '../store/test-database.js';

/** A silent logger. */
export const silent = pino({ level: 'silent' });

/** The channel key of test notifiers: fixed, so notifiers of one test agree on fingerprints like one data dir. */
export const TEST_CHANNEL_KEY = Buffer.alloc(32, 7);

/** One test store: `open()` gives another handle on the same database (a second process, as far as it knows). */
export interface TestStore {
  dialect: StoreDialect;
  /** The first handle, migrated, with units `shop/api` and `shop/db`. */
  store: KyselyStore;
  /** Options that open the same database again (a child process gets these as JSON). */
  where: { dataDir?: string; databaseUrl?: string };
  open(): Database;
  dispose(): Promise<void>;
}

/** Opens a fresh, migrated store of `dialect` with two units (`bare`: empty, not even migrated). */
export async function openTestStore(dialect: StoreDialect, opts: { bare?: boolean } = {}): Promise<TestStore> {
  let where: TestStore['where'];
  let drop: () => Promise<void>;
  if (dialect === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'upkeep-notify-'));
    where = { dataDir };
    drop = async () => rmSync(dataDir, { recursive: true, force: true });
  } else {
    const database = await freshPostgresDatabase();
    where = { databaseUrl: database.url };
    drop = database.drop;
  }
  const handles: Database[] = [];
  const open = () => {
    const database = openDatabase({ ...where, poolSize: 4 });
    handles.push(database);
    return database;
  };
  const store = new KyselyStore(open());
  const dispose = async () => {
    await Promise.all(handles.map((h) => h.db.destroy().catch(() => undefined)));
    await drop();
  };
  if (opts.bare) return { dialect, store, where, open, dispose };
  await store.migrate();
  await store.syncUnits(
    ['api', 'db'].map((name) => ({
      id: `shop/${name}`,
      app: 'shop',
      name,
      type: 'check',
      kind: 'http',
      target: `GET http://127.0.0.1:1/${name}`,
      schedule: 'every 1m',
      specHash: name,
    })),
    () => 0,
  );
  return {
    dialect,
    store,
    where,
    open,
    dispose,
  };
}

/** Runs `fn` as a suite on SQLite and on PostgreSQL (skipped, loudly, without PostgreSQL). */
export function onEveryDialect(name: string, fn: (dialect: StoreDialect) => void): void {
  describe(`${name} (sqlite)`, () => fn('sqlite'));
  const skip = postgresSkipReason();
  if (skip !== undefined) test(`${name} (postgres)`, (t) => t.skip(skip));
  else describe(`${name} (postgres)`, () => fn('postgres'));
}

/** A plan with apps `shop/api` and `shop/db` (http checks) and webhook channels posting to `base`. */
export function testPlan(base: string, extra: { api?: string; top?: string } = {}): Plan {
  const text = `version: 1
notify:
  crit-hook: { type: webhook, url: ${base}/critical }
  warn-hook: { type: webhook, url: ${base}/warning }
routes: { critical: [crit-hook], warning: [warn-hook] }
${extra.top ?? ''}
apps:
  shop:
    checks:
      api:
        http: http://127.0.0.1:1/api
${extra.api ?? ''}
      db: { http: http://127.0.0.1:1/db }
`;
  return parsePlan(text, { file: 'upkeep.yml', env: {} }).plan;
}

/**
 * Records a transition the way the scheduler does (the row, and the unit's alert state), without running anything.
 * Returns the transition row's id.
 */
export async function recordTransition(
  database: Database,
  t: Omit<Transition, 'inMaintenance' | 'reason'> & { inMaintenance?: boolean; reason?: string },
  summary = 'HTTP 503 in 12ms',
): Promise<number> {
  const db = runsTables(database);
  const transition: Transition = { inMaintenance: false, reason: `${t.from} → ${t.to}: ${summary}`, ...t };
  const alert: AlertState = {
    state: t.to,
    ...(t.severity ? { severity: t.severity } : {}),
    since: t.at,
    consecutiveFailures: t.to === 'firing' ? 2 : 0,
    consecutiveSuccesses: t.to === 'firing' ? 0 : 1,
    lastSummary: summary,
  };
  return db.transaction().execute(async (trx) => {
    await trx
      .updateTable('units')
      .set({ alert_state: JSON.stringify(alert) })
      .where('id', '=', t.unitId)
      .execute();
    const row = await trx
      .insertInto('transitions')
      .values(transitionToRow(transition))
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  });
}

/** Records a unit going pending → firing at `at` (the common start of a notification test). */
export function recordFiring(
  database: Database,
  unitId: string,
  at: number,
  severity: 'critical' | 'warning' = 'critical',
): Promise<number> {
  return recordTransition(database, { unitId, at, from: 'pending', to: 'firing', severity });
}
