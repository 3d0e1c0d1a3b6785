/**
 * Test support for the backup units in the real scheduler: a PostgreSQL source holding an `orders` table, a plan
 * loaded from the test's folder with a fresh age key, upkeep's SQLite store, and runNow() to make units due and run.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import pino from 'pino';
import { findCheckKind } from '../checks/registry.js';
import { loadPlan } from '../plan/load-plan.js';
import type { CheckUnit } from '../plan/units.js';
import { createStore, type KyselyStore } from '../runs/kysely-store.js';
import type { ManualClock } from '../schedule/clock.js';
import { nextRunAt } from '../schedule/schedule-spec.js';
import { Scheduler } from '../schedule/scheduler.js';
import { unitDefinition } from '../schedule/unit-definition.js';
import { freshPostgresDatabase, sql, testPostgresUrl } from '../store/test-database.js';
import { type BackupServicesOptions, createBackupDeps } from './backup-services.js';
import { createJobKinds } from './registry.js';

const logger = pino({ level: 'silent' });
const H = 3_600_000;

/** A fresh database on the test cluster with an `orders` table of `rows` rows: the source the backups dump. */
export async function ordersDatabase(rows: number): Promise<{ url: string; drop(): Promise<void> }> {
  const source = await freshPostgresDatabase();
  await sql(
    source.url,
    `create table orders (id serial primary key, total int);
     insert into orders (total) select i from generate_series(1, ${rows}) i;`,
  );
  return source;
}

/** The backup services the scheduler's job kinds use, with the catalog the tests read. */
export type SchedulerBackupDeps = ReturnType<typeof createBackupDeps>;

/** What startBackupScheduler needs: the folder, the plan's lines, and how the backup services are made. */
export interface BackupSchedulerOptions {
  dir: string;
  clock: ManualClock;
  /** The lines of `upkeep.yml`; `${SRC}`, `${SCRATCH}`, `${RECIPIENT}` and `${IDENTITY}` are filled in. */
  plan: string[];
  sourceUrl: string;
  concurrency: number;
  adapters?: BackupServicesOptions['adapters'];
  /** Changes the backup services before the job kinds take them (another target resolver, say). */
  withDeps?: (deps: SchedulerBackupDeps) => SchedulerBackupDeps;
}

/** Writes and loads the plan, opens a migrated SQLite store with its units, and builds the scheduler over them. */
export async function startBackupScheduler(opts: BackupSchedulerOptions) {
  const identity = await generateX25519Identity();
  writeFileSync(join(opts.dir, 'upkeep.yml'), opts.plan.join('\n'));
  const loaded = await loadPlan(join(opts.dir, 'upkeep.yml'), {
    env: {
      SRC: opts.sourceUrl,
      SCRATCH: testPostgresUrl(),
      RECIPIENT: await identityToRecipient(identity),
      IDENTITY: identity,
    },
  });
  const { units } = loaded;
  const { clock } = opts;
  const store = createStore({ dataDir: join(opts.dir, '.upkeep') });
  await store.migrate();
  await store.syncUnits(units.map(unitDefinition), () => clock.now());
  const made: SchedulerBackupDeps = createBackupDeps({
    database: store.database,
    clock,
    logger,
    timezone: loaded.timezone,
    ...(opts.adapters ? { adapters: opts.adapters } : {}),
  });
  const deps = opts.withDeps ? opts.withDeps(made) : made;
  const jobKinds = createJobKinds(deps);
  const scheduler = new Scheduler({
    store,
    units,
    findKind: (name) => findCheckKind(name) ?? jobKinds.find((k) => k.name === name),
    clock,
    logger,
    worker: 'test',
    concurrency: opts.concurrency,
    nextRunAt: (u, at) => nextRunAt(u.schedule, at, u.id),
    inMaintenance: () => false,
  });
  return { store, units, scheduler, deps, runNow: runNowOn(store, units, scheduler, clock) };
}

/** Runs the given units now and returns their records (see runNowOn). */
export type RunNow = ReturnType<typeof runNowOn>;

/** Makes only `ids` due now (every other unit a month away), runs them, and returns their units' records. */
function runNowOn(store: KyselyStore, units: CheckUnit[], scheduler: Scheduler, clock: ManualClock) {
  return async (...ids: string[]) => {
    for (const unit of units)
      await store.setNextRunAt(unit.id, ids.includes(unit.id) ? clock.now() : clock.now() + 30 * 24 * H);
    assert.equal(await scheduler.tick(), ids.length);
    await scheduler.idle();
    return Promise.all(
      ids.map(async (id) => (await store.getUnit(id)) as NonNullable<Awaited<ReturnType<KyselyStore['getUnit']>>>),
    );
  };
}
