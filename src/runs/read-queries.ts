/**
 * The read side's indexed queries: one app's units, the roll-ups of a page's units in one statement, and roll-up
 * totals for uptime. Each reads only the rows its answer shows (units_app_idx, the rollups primary key).
 */
import type { Kysely } from 'kysely';
import type { RollupGrain, RollupRecord, UnitRecord } from '../core/run.js';
import { rollupFromRow, unitFromRow } from './rows.js';
import type { RunsSchema } from './runs-schema.js';

/** Sums of one unit's roll-ups over a range: what an uptime ratio is computed from. */
export interface RollupTotals {
  runs: number;
  okRuns: number;
  failedRuns: number;
  errorRuns: number;
  durationSumMs: number;
}

// Bounded IN lists: SQLite caps bound parameters.
const ID_CHUNK = 500;

/** Up to `limit` units of `app` in id order, after the unit id `after` (the cursor of the previous page). */
export async function unitsOfApp(
  db: Kysely<RunsSchema>,
  app: string,
  opts: { limit: number; after?: string },
): Promise<UnitRecord[]> {
  let query = db.selectFrom('units').selectAll().where('app', '=', app);
  if (opts.after !== undefined) query = query.where('id', '>', opts.after);
  const rows = await query.orderBy('app').orderBy('id').limit(opts.limit).execute();
  return rows.map(unitFromRow);
}

/** The roll-ups of several units over one range and grain, in one statement per 500 units, oldest first. */
export async function rollupsOfUnits(
  db: Kysely<RunsSchema>,
  opts: { unitIds: string[]; grain: RollupGrain; from: number; to: number },
): Promise<RollupRecord[]> {
  const out: RollupRecord[] = [];
  for (let i = 0; i < opts.unitIds.length; i += ID_CHUNK) {
    const rows = await db
      .selectFrom('rollups')
      .selectAll()
      .where('unit_id', 'in', opts.unitIds.slice(i, i + ID_CHUNK))
      .where('grain', '=', opts.grain)
      .where('bucket_start', '>=', opts.from)
      .where('bucket_start', '<', opts.to)
      .orderBy('unit_id')
      .orderBy('bucket_start')
      .execute();
    for (const row of rows) out.push(rollupFromRow(row));
  }
  return out;
}

/** The totals of one unit's roll-ups of one grain with bucket start in [from, to). */
export async function rollupTotals(
  db: Kysely<RunsSchema>,
  opts: { unitId: string; grain: RollupGrain; from: number; to: number },
): Promise<RollupTotals> {
  const row = await db
    .selectFrom('rollups')
    .select((eb) => [
      eb.fn.sum<number | string | null>('runs').as('runs'),
      eb.fn.sum<number | string | null>('ok_runs').as('ok'),
      eb.fn.sum<number | string | null>('failed_runs').as('failed'),
      eb.fn.sum<number | string | null>('error_runs').as('error'),
      eb.fn.sum<number | string | null>('duration_sum_ms').as('duration'),
    ])
    .where('unit_id', '=', opts.unitId)
    .where('grain', '=', opts.grain)
    .where('bucket_start', '>=', opts.from)
    .where('bucket_start', '<', opts.to)
    .executeTakeFirst();
  return {
    runs: Number(row?.runs ?? 0),
    okRuns: Number(row?.ok ?? 0),
    failedRuns: Number(row?.failed ?? 0),
    errorRuns: Number(row?.error ?? 0),
    durationSumMs: Number(row?.duration ?? 0),
  };
}
