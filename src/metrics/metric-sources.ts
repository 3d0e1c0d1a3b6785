/**
 * What /metrics reports, read at scrape time in a handful of set-based queries (never one query per unit): units and
 * their last runs, heartbeat pings, backups, the outbox and deliveries. Read-only; SQLite and PostgreSQL alike.
 */
import type { Kysely } from 'kysely';
import type { BackupSchema } from '../backups/backup-schema.js';
import type { HeartbeatSchema } from '../heartbeats/heartbeat-schema.js';
import type { NotifySchema } from '../notify/notify-schema.js';
import type { Database } from '../store/database.js';

/** One unit with its alert state and last run's facts. */
export interface UnitSample {
  app: string;
  unit: string;
  kind: string;
  state: string;
  severity: string | null;
  lastRunDurationMs: number | null;
  responseTimeMs: number | null;
}

/** One database's newest good backup and its last drill. */
export interface BackupSample {
  app: string;
  database: string;
  /** When the newest backup that finished was taken (null: none yet). */
  takenAt: number | null;
  sizeBytes: number | null;
  /** The newest drill: true passed, false failed, null none yet. */
  lastDrillOk: boolean | null;
  lastDrillAt: number | null;
}

/** Everything one scrape reads from the store. */
export interface StoreSample {
  units: UnitSample[];
  heartbeats: { app: string; unit: string; lastPingAt: number }[];
  backups: BackupSample[];
  /** Outbox rows waiting to be sent (pending or being sent). */
  queueDepth: number;
  /** Failed delivery attempts by channel, all time. */
  failedDeliveries: { channel: string; count: number }[];
}

type Schema = HeartbeatSchema & BackupSchema & NotifySchema;

/** Reads one sample of everything /metrics reports. */
export async function readStoreSample(database: Database): Promise<StoreSample> {
  const db = database.db as unknown as Kysely<Schema>;
  const [units, heartbeats, backups, queue, failed] = await Promise.all([
    readUnits(db),
    db
      .selectFrom('heartbeats')
      .innerJoin('units', 'units.id', 'heartbeats.unit_id')
      .select(['units.app', 'units.name', 'heartbeats.last_ping_at'])
      .where('heartbeats.last_ping_at', 'is not', null)
      .execute(),
    readBackups(db),
    db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', 'in', ['pending', 'sending'])
      .executeTakeFirst(),
    db
      .selectFrom('deliveries')
      .select(['channel', (eb) => eb.fn.countAll().as('n')])
      .where('ok', '=', 0)
      .groupBy('channel')
      .execute(),
  ]);
  return {
    units,
    heartbeats: heartbeats.map((h) => ({ app: h.app, unit: h.name, lastPingAt: Number(h.last_ping_at) })),
    backups,
    queueDepth: Number(queue?.n ?? 0),
    failedDeliveries: failed.map((f) => ({ channel: f.channel, count: Number(f.n) })),
  };
}

async function readUnits(db: Kysely<Schema>): Promise<UnitSample[]> {
  const units = await db
    .selectFrom('units')
    .select(['id', 'app', 'name', 'kind', 'alert_state', 'last_run_at'])
    .orderBy('id')
    .execute();
  // The last run of each unit: the run that started at the unit's last_run_at (runs_unit_started_idx).
  const runs = await db
    .selectFrom('runs')
    .innerJoin('units', (join) =>
      join.onRef('units.id', '=', 'runs.unit_id').onRef('units.last_run_at', '=', 'runs.started_at'),
    )
    .select(['runs.unit_id', 'runs.id', 'runs.duration_ms', 'runs.values_json'])
    .execute();
  const last = new Map<string, (typeof runs)[number]>();
  for (const run of runs) {
    const seen = last.get(run.unit_id);
    if (!seen || Number(run.id) > Number(seen.id)) last.set(run.unit_id, run);
  }
  return units.map((u) => {
    const alert = JSON.parse(u.alert_state) as { state: string; severity?: string };
    const run = last.get(u.id);
    const values = run ? (JSON.parse(run.values_json) as Record<string, unknown>) : {};
    const response = values.responseTimeMs;
    return {
      app: u.app,
      unit: u.name,
      kind: u.kind,
      state: alert.state,
      severity: alert.state === 'pending' || alert.state === 'firing' ? (alert.severity ?? null) : null,
      lastRunDurationMs: run ? Number(run.duration_ms) : null,
      responseTimeMs: typeof response === 'number' && Number.isFinite(response) ? response : null,
    };
  });
}

async function readBackups(db: Kysely<Schema>): Promise<BackupSample[]> {
  const rows = await db
    .selectFrom('backups')
    .select(['app', 'database_name', 'state', 'taken_at', 'drilled_at', 'failed_at', 'failed_in', 'size_bytes'])
    .where('state', '!=', 'running')
    .execute();
  const byDb = new Map<string, BackupSample>();
  for (const row of rows) {
    const key = `${row.app}/${row.database_name}`;
    const sample = byDb.get(key) ?? {
      app: row.app,
      database: row.database_name,
      takenAt: null,
      sizeBytes: null,
      lastDrillOk: null,
      lastDrillAt: null,
    };
    byDb.set(key, sample);
    const taken = row.taken_at === null ? null : Number(row.taken_at);
    if (row.state !== 'failed' && taken !== null && (sample.takenAt === null || taken > sample.takenAt)) {
      sample.takenAt = taken;
      sample.sizeBytes = row.size_bytes === null ? null : Number(row.size_bytes);
    }
    // A drill leaves drilled_at when it passed, failed_in = 'drill' (with failed_at) when it did not.
    const drill =
      row.drilled_at !== null
        ? { at: Number(row.drilled_at), ok: true }
        : row.failed_in === 'drill' && row.failed_at !== null
          ? { at: Number(row.failed_at), ok: false }
          : undefined;
    if (drill && (sample.lastDrillAt === null || drill.at > sample.lastDrillAt)) {
      sample.lastDrillAt = drill.at;
      sample.lastDrillOk = drill.ok;
    }
  }
  return [...byDb.values()];
}
