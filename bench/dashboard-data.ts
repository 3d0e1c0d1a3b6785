/**
 * Synthesises the dashboard benchmark's store: N http checks in apps of `perApp`, each with day roll-ups for a year,
 * hour roll-ups for 30 days, minute roll-ups for 24 h, a few raw runs, and a few alerts firing or pending. Rows are
 * written straight into SQLite in bulk (prepared statements, big transactions, the secondary index built after).
 */
import type { KyselyStore } from '../src/runs/kysely-store.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const GRAINS = [
  { grain: 'day', ms: DAY, count: 365 },
  { grain: 'hour', ms: HOUR, count: 30 * 24 },
  { grain: 'minute', ms: MIN, count: 24 * 60 },
] as const;

/** The id of the i-th unit. */
export function unitIdOf(i: number, perApp: number): string {
  return `app${String(Math.floor(i / perApp)).padStart(3, '0')}/check-${String(i).padStart(5, '0')}`;
}

/** Writes the units and their history; returns the unit ids and how many roll-up rows were written. */
export async function synthesise(store: KyselyStore, opts: { units: number; perApp: number; now: number }) {
  const { units, perApp, now } = opts;
  const ids = Array.from({ length: units }, (_, i) => unitIdOf(i, perApp));
  await store.syncUnits(
    ids.map((id) => {
      const [app = '', name = ''] = id.split('/');
      const target = `GET https://${app}.example/${name}`;
      return { id, app, name, type: 'check', kind: 'http', target, schedule: 'every 1m', specHash: 'h' };
    }),
    () => now + HOUR,
  );
  const db = store.database.sqlite;
  if (!db) throw new Error('the dashboard benchmark synthesises its data on SQLite');
  db.pragma('synchronous = OFF');
  // Building the secondary index once at the end is much faster than keeping it up to date row by row.
  db.exec('drop index if exists rollups_grain_bucket_idx');
  const writer = unitWriter(db, now);
  const chunk = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) writer.write(ids[i] as string, i);
  });
  for (let i = 0; i < units; i += 200) chunk(i, Math.min(units, i + 200));
  db.exec('create index rollups_grain_bucket_idx on rollups (grain, bucket_start)');
  db.pragma('synchronous = NORMAL');
  db.exec('analyze');
  return { ids, rollupRows: writer.rows() };
}

type Sqlite = NonNullable<KyselyStore['database']['sqlite']>;

/** Prepared statements writing one unit's roll-ups, raw runs, alert state and (when not ok) its transition. */
function unitWriter(db: Sqlite, now: number) {
  const insertRollup = db.prepare(
    'insert into rollups (unit_id, grain, bucket_start, runs, ok_runs, failed_runs, error_runs, duration_sum_ms, duration_max_ms) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertRun = db.prepare(
    "insert into runs (unit_id, started_at, ended_at, outcome, summary, duration_ms, details_json, values_json, worker) values (?, ?, ?, ?, ?, ?, '{}', ?, 'bench')",
  );
  const setState = db.prepare('update units set alert_state = ?, last_run_at = ?, last_outcome = ? where id = ?');
  const insertTransition = db.prepare(
    "insert into transitions (unit_id, at, from_state, to_state, severity, reason, in_maintenance) values (?, ?, 'ok', ?, 'critical', ?, 0)",
  );
  let seed = 42;
  const rand = () => {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  let rows = 0;
  const write = (id: string, i: number) => {
    for (const { grain, ms, count } of GRAINS) {
      const runsPer = Math.max(1, Math.round(ms / MIN));
      const last = Math.floor(now / ms) * ms;
      for (let b = 0; b < count; b++) {
        const failed = rand() < 0.02 ? Math.ceil(runsPer * rand() * 0.1) : 0;
        const mean = 80 + Math.floor(rand() * 120);
        insertRollup.run(id, grain, last - b * ms, runsPer, runsPer - failed, failed, 0, mean * runsPer, mean * 3);
        rows++;
      }
    }
    for (let r = 0; r < 10; r++) {
      const at = now - (r + 1) * MIN;
      insertRun.run(id, at, at + 120, 'ok', 'HTTP 200 in 120ms', 120, '{"responseTimeMs":120}');
    }
    // 2 % firing, 3 % pending: the overview's firing list and counts have something to show.
    const state = i % 50 === 7 ? 'firing' : i % 33 === 5 ? 'pending' : 'ok';
    const alert = {
      state,
      since: now - 10 * MIN,
      consecutiveFailures: state === 'ok' ? 0 : 2,
      consecutiveSuccesses: 0,
    };
    const severity = state === 'ok' ? {} : { severity: 'critical' };
    setState.run(JSON.stringify({ ...alert, ...severity, lastSummary: 'HTTP 200' }), now - MIN, 'ok', id);
    if (state !== 'ok') insertTransition.run(id, now - 10 * MIN, state, `${state}: HTTP 503 twice`);
  };
  return { write, rows: () => rows };
}
