/** The statements that write history: a run with its rollup buckets, and the bounded deletes of pruning. */
import type { Kysely } from 'kysely';
import type { RollupGrain, RunRecord } from '../core/run.js';
import { rollupRowsForRun, runToRow } from './rows.js';
import type { RollupsTable, RunsSchema } from './runs-schema.js';

/** Inserts the run row and adds it to its minute, hour and day buckets (call inside the recording transaction). */
export async function insertRun(trx: Kysely<RunsSchema>, run: RunRecord): Promise<void> {
  await trx.insertInto('runs').values(runToRow(run)).execute();
  await upsertRollups(trx, rollupRowsForRun(run));
}

/** Deletes units and all their history (runs, transitions, rollups). */
export async function deleteUnits(trx: Kysely<RunsSchema>, ids: string[]): Promise<void> {
  await trx.deleteFrom('runs').where('unit_id', 'in', ids).execute();
  await trx.deleteFrom('transitions').where('unit_id', 'in', ids).execute();
  await trx.deleteFrom('rollups').where('unit_id', 'in', ids).execute();
  await trx.deleteFrom('units').where('id', 'in', ids).execute();
}

/** Deletes up to `batch` raw runs started before `cutoff`; returns how many went. */
export async function deleteOldRuns(trx: Kysely<RunsSchema>, cutoff: number, batch: number): Promise<number> {
  const result = await trx
    .deleteFrom('runs')
    .where('id', 'in', (eb) =>
      eb.selectFrom('runs').select('id').where('started_at', '<', cutoff).orderBy('id').limit(batch),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes up to `batch` rollups of one grain whose bucket starts before `cutoff`; returns how many went. */
export async function deleteOldRollups(
  trx: Kysely<RunsSchema>,
  grain: RollupGrain,
  cutoff: number,
  batch: number,
): Promise<number> {
  // Row-value IN over the primary key: the same bounded delete on SQLite (>= 3.15) and PostgreSQL.
  const result = await trx
    .deleteFrom('rollups')
    .where(({ eb, refTuple, selectFrom }) =>
      eb(
        refTuple('unit_id', 'grain', 'bucket_start'),
        'in',
        selectFrom('rollups')
          .select(['unit_id', 'grain', 'bucket_start'])
          .where('grain', '=', grain)
          .where('bucket_start', '<', cutoff)
          .limit(batch)
          .$asTuple('unit_id', 'grain', 'bucket_start'),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Adds rollup rows to their minute/hour/day buckets: insert, or add to the bucket already there (one row per bucket). */
export async function upsertRollups(trx: Kysely<RunsSchema>, rows: RollupsTable[]): Promise<void> {
  await trx
    .insertInto('rollups')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['unit_id', 'grain', 'bucket_start']).doUpdateSet((eb) => ({
        runs: eb('rollups.runs', '+', eb.ref('excluded.runs')),
        ok_runs: eb('rollups.ok_runs', '+', eb.ref('excluded.ok_runs')),
        failed_runs: eb('rollups.failed_runs', '+', eb.ref('excluded.failed_runs')),
        error_runs: eb('rollups.error_runs', '+', eb.ref('excluded.error_runs')),
        duration_sum_ms: eb('rollups.duration_sum_ms', '+', eb.ref('excluded.duration_sum_ms')),
        // CASE instead of max()/greatest(): the same SQL on both dialects.
        duration_max_ms: eb
          .case()
          .when('excluded.duration_max_ms', '>', eb.ref('rollups.duration_max_ms'))
          .then(eb.ref('excluded.duration_max_ms'))
          .else(eb.ref('rollups.duration_max_ms'))
          .end(),
      })),
    )
    .execute();
}
