/**
 * The composition root's store-side parts: opening and syncing the store, the kinds a unit may name, and when a new
 * unit first runs. Apart from src/app.ts so the root stays about wiring.
 */

import type { Logger } from 'pino';
import type { AppOptions } from './app.js';
import type { CheckKind } from './checks/kind.js';
import { checkKinds } from './checks/registry.js';
import { createBackupDeps } from './jobs/backup-services.js';
import { createJobKinds } from './jobs/registry.js';
import { JOB_KIND } from './plan/compile-databases.js';
import type { LoadedPlan } from './plan/load-plan.js';
import type { CheckUnit } from './plan/units.js';
import { createStore, type KyselyStore } from './runs/kysely-store.js';
import type { Clock } from './schedule/clock.js';
import { nextRunAt, schedulePeriodMs, stableHash } from './schedule/schedule-spec.js';
import { unitDefinition } from './schedule/unit-definition.js';

/** Opens and migrates the store, makes its units match the plan and records runs cut short as abandoned. */
export async function openSyncedStore(
  opts: Pick<AppOptions, 'dataDir' | 'databaseUrl'>,
  plan: LoadedPlan,
  clock: Clock,
  logger: Logger,
): Promise<KyselyStore> {
  const store = await createStore({ dataDir: opts.dataDir, databaseUrl: opts.databaseUrl, logger });
  await closingOnError(store, async () => {
    await store.migrate();
    const now = clock.now();
    const byId = new Map(plan.units.map((u) => [u.id, u]));
    await store.syncUnits(plan.units.map(unitDefinition), (id) => firstRunAt(byId.get(id), id, now));
    // With the embedded store this process is the only worker: whatever was running was cut short by a crash.
    const abandoned = await store.abandonRuns({ now, expiredOnly: store.dialect !== 'sqlite' });
    if (abandoned.length > 0)
      logger.warn({ units: abandoned }, 'recorded runs cut short by the last stop as abandoned');
  });
  return store;
}

/** Runs `fn`; if it throws, closes the store first so a failed start leaves no open handle behind. */
export async function closingOnError(store: KyselyStore, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** Every kind a unit may name: job kinds bound to the backup catalog and the database adapters, and check kinds. */
export function unitKinds(store: KyselyStore, plan: LoadedPlan, clock: Clock, logger: Logger) {
  const jobKinds = createJobKinds(
    createBackupDeps({ database: store.database, clock, logger, timezone: plan.timezone }),
  );
  const kinds = new Map<string, CheckKind>([...jobKinds, ...checkKinds].map((kind) => [kind.name, kind]));
  return (name: string) => kinds.get(name);
}

/**
 * A new check runs soon, spread over at most a minute so a large plan does not start in one burst. A backup or
 * drill waits for its schedule: a full backup of a production database at start-up is rarely welcome.
 */
export function firstRunAt(unit: CheckUnit | undefined, id: string, now: number): number {
  if (unit && (unit.kind === JOB_KIND.backup || unit.kind === JOB_KIND.drill)) return nextRunAt(unit.schedule, now, id);
  const spread = Math.min(unit ? schedulePeriodMs(unit.schedule) : 60_000, 60_000);
  return now + (stableHash(id) % Math.max(1, spread));
}
