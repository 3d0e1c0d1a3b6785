/** Uptime over 24 h, 7 d, 30 d and a year from the roll-ups, and a 24 h sparkline from hourly roll-ups. */
import type { RollupGrain, RollupRecord } from '../core/run.js';
import type { RollupTotals } from './read-queries.js';
import { bucketStart } from './rows.js';
import type { Store } from './run-store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The ranges uptime is shown for, each read from the grain that covers it in few buckets and is kept that long. */
export const UPTIME_RANGES: readonly { key: '24h' | '7d' | '30d' | '1y'; grain: RollupGrain; buckets: number }[] = [
  { key: '24h', grain: 'hour', buckets: 24 },
  { key: '7d', grain: 'hour', buckets: 7 * 24 },
  { key: '30d', grain: 'day', buckets: 30 },
  { key: '1y', grain: 'day', buckets: 365 },
];

const GRAIN_MS: Record<RollupGrain, number> = { minute: 60_000, hour: HOUR, day: DAY };

/** Uptime ratio of a set of runs: ok over runs the target was judged on (upkeep's own errors are not counted). */
export function uptimeRatio(t: Pick<RollupTotals, 'runs' | 'okRuns' | 'errorRuns'>): number | null {
  const judged = t.runs - t.errorRuns;
  return judged > 0 ? t.okRuns / judged : null;
}

/** `{ '24h', '7d', '30d', '1y' }` ratios of one unit (null where nothing was judged), the current bucket included. */
export async function unitUptime(
  store: Pick<Store, 'rollupTotals'>,
  unitId: string,
  now: number,
): Promise<Record<'24h' | '7d' | '30d' | '1y', number | null>> {
  const ratios = await Promise.all(
    UPTIME_RANGES.map(async ({ grain, buckets }) => {
      const to = bucketStart(now, grain) + GRAIN_MS[grain];
      return uptimeRatio(await store.rollupTotals({ unitId, grain, from: to - buckets * GRAIN_MS[grain], to }));
    }),
  );
  return { '24h': ratios[0] ?? null, '7d': ratios[1] ?? null, '30d': ratios[2] ?? null, '1y': ratios[3] ?? null };
}

/** One hour of a sparkline: bucket start, uptime ratio (null: nothing judged) and mean duration in ms. */
export interface SparkPoint {
  t: number;
  up: number | null;
  ms: number | null;
}

/** The last 24 hourly buckets (the current one included) of each of `unitIds`, read in one query. */
export async function sparklines(
  store: Pick<Store, 'listRollupsOfUnits'>,
  unitIds: string[],
  now: number,
): Promise<Map<string, SparkPoint[]>> {
  const to = bucketStart(now, 'hour') + HOUR;
  const rows = await store.listRollupsOfUnits({ unitIds, grain: 'hour', from: to - 24 * HOUR, to });
  const out = new Map<string, SparkPoint[]>(unitIds.map((id) => [id, []]));
  for (const row of rows) out.get(row.unitId)?.push(sparkPoint(row));
  return out;
}

function sparkPoint(row: RollupRecord): SparkPoint {
  return {
    t: row.bucketStart,
    up: uptimeRatio(row),
    ms: row.runs > 0 ? Math.round(row.durationSumMs / row.runs) : null,
  };
}
