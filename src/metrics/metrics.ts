/**
 * upkeep's Prometheus metrics on a Registry of its own (never prom-client's global one). Gauges are filled lazily by
 * collect callbacks at scrape time from cheap sources: one store sample per scrape (metric-sources.ts), the
 * scheduler's and the notifier's in-memory status. Names follow Prometheus conventions: `upkeep_` prefix, base units
 * (seconds, bytes), `_total` for counters.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { NotifierStatus } from '../notify/notifier.js';
import type { SchedulerStatus } from '../schedule/scheduler.js';
import type { StoreSample } from './metric-sources.js';
import type { RunTally } from './run-tally.js';

/** What the collectors read. */
export interface MetricsSources {
  /** One sample of the store, read once per scrape however many metrics use it. */
  sample: () => Promise<StoreSample>;
  scheduler?: { status(): SchedulerStatus };
  notifier?: { status(): NotifierStatus };
  /** Runs recorded by this process (absent: `upkeep_runs_total` has no series). */
  runs?: Pick<RunTally, 'entries'>;
  now: () => number;
}

/** Severity as a number, so alerts can compare it: 0 none, 1 info, 2 warning, 3 critical. */
export const SEVERITY_VALUE: Record<string, number> = { info: 1, warning: 2, critical: 3 };

/** The registry with every upkeep metric. */
export function createMetrics(sources: MetricsSources): Registry {
  const registry = new Registry();
  // Concurrent collect callbacks of one scrape share one store sample.
  let pending: Promise<StoreSample> | undefined;
  const sample = () => {
    pending ??= sources.sample().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  const gauge: GaugeOf = (name, help, labelNames, fill) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const s = await sample();
        this.reset();
        fill(this, s);
      },
    });
  unitMetrics(gauge);
  backupMetrics(gauge, sources.now);
  notifyMetrics(registry, gauge, sample);
  schedulerMetrics(registry, sources);
  new Counter({
    name: 'upkeep_runs_total',
    help: 'Runs recorded by this process, by outcome (ok, info, warning, critical, error, abandoned).',
    labelNames: [...UNIT_LABELS, 'outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { count, ...series } of sources.runs?.entries() ?? []) this.inc(series, count);
    },
  });
  return registry;
}

/** Registers a gauge filled from the scrape's store sample. */
type GaugeOf = <L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  fill: (g: Gauge<L>, s: StoreSample) => void,
) => Gauge<L>;

const UNIT_LABELS = ['app', 'unit', 'kind'] as const;

/** State, severity, last run duration and response time per unit. */
function unitMetrics(gauge: GaugeOf): void {
  gauge(
    'upkeep_unit_state',
    'Alert state of a unit: 1 on the series of its current state.',
    [...UNIT_LABELS, 'state'],
    (g, s) => {
      for (const u of s.units) g.set({ app: u.app, unit: u.unit, kind: u.kind, state: u.state }, 1);
    },
  );
  gauge(
    'upkeep_unit_severity',
    'Severity of a pending or firing unit: 0 none, 1 info, 2 warning, 3 critical.',
    UNIT_LABELS,
    (g, s) => {
      for (const u of s.units) g.set({ app: u.app, unit: u.unit, kind: u.kind }, SEVERITY_VALUE[u.severity ?? ''] ?? 0);
    },
  );
  gauge('upkeep_unit_last_run_duration_seconds', 'How long the last run of a unit took.', UNIT_LABELS, (g, s) => {
    for (const u of s.units) if (u.lastRunDurationMs !== null) g.set(labels(u), u.lastRunDurationMs / 1000);
  });
  gauge(
    'upkeep_unit_response_time_seconds',
    'Response time measured by the last run of a unit.',
    UNIT_LABELS,
    (g, s) => {
      for (const u of s.units) if (u.responseTimeMs !== null) g.set(labels(u), u.responseTimeMs / 1000);
    },
  );
}

/** Heartbeat and backup ages, backup sizes and drill results. */
function backupMetrics(gauge: GaugeOf, now: () => number): void {
  gauge('upkeep_heartbeat_age_seconds', 'Time since a heartbeat unit was last pinged.', ['app', 'unit'], (g, s) => {
    const at = now();
    for (const h of s.heartbeats) g.set({ app: h.app, unit: h.unit }, Math.max(0, (at - h.lastPingAt) / 1000));
  });
  gauge(
    'upkeep_backup_age_seconds',
    'Time since the newest good backup of a database was taken.',
    ['app', 'database'],
    (g, s) => {
      const at = now();
      for (const b of s.backups) if (b.takenAt !== null) g.set(db(b), Math.max(0, (at - b.takenAt) / 1000));
    },
  );
  gauge('upkeep_backup_size_bytes', 'Size of the newest good backup of a database.', ['app', 'database'], (g, s) => {
    for (const b of s.backups) if (b.sizeBytes !== null) g.set(db(b), b.sizeBytes);
  });
  gauge(
    'upkeep_backup_last_drill_success',
    'Whether the last restore drill of a database passed (1) or failed (0).',
    ['app', 'database'],
    (g, s) => {
      for (const b of s.backups) if (b.lastDrillOk !== null) g.set(db(b), b.lastDrillOk ? 1 : 0);
    },
  );
  gauge(
    'upkeep_backup_last_drill_timestamp_seconds',
    'When the last restore drill of a database ran.',
    ['app', 'database'],
    (g, s) => {
      for (const b of s.backups) if (b.lastDrillAt !== null) g.set(db(b), b.lastDrillAt / 1000);
    },
  );
}

/** The outbox's depth and failed delivery attempts. */
function notifyMetrics(registry: Registry, gauge: GaugeOf, sample: () => Promise<StoreSample>): void {
  gauge('upkeep_notify_queue_depth', 'Notifications waiting to be sent.', [], (g, s) => g.set(s.queueDepth));
  new Counter({
    name: 'upkeep_notify_deliveries_failed_total',
    help: 'Delivery attempts that failed, by channel.',
    labelNames: ['channel'],
    registers: [registry],
    async collect() {
      const s = await sample();
      this.reset();
      for (const f of s.failedDeliveries) this.inc({ channel: f.channel }, f.count);
    },
  });
}

/** Scheduler lag quantiles and in-flight runs, plus the notifier's in-flight sends, from memory. */
function schedulerMetrics(registry: Registry, sources: MetricsSources): void {
  new Gauge({
    name: 'upkeep_scheduler_lag_seconds',
    help: 'How late due runs start, as quantiles over recent runs.',
    labelNames: ['quantile'],
    registers: [registry],
    collect() {
      this.reset();
      const status = sources.scheduler?.status();
      if (!status) return;
      this.set({ quantile: '0.5' }, status.lagP50Ms / 1000);
      this.set({ quantile: '0.99' }, status.lagP99Ms / 1000);
    },
  });
  new Gauge({
    name: 'upkeep_scheduler_in_flight',
    help: 'Runs in progress in this process.',
    registers: [registry],
    collect() {
      this.set(sources.scheduler?.status().inFlight.length ?? 0);
    },
  });
  new Gauge({
    name: 'upkeep_notify_in_flight',
    help: 'Notifications being sent by this process.',
    registers: [registry],
    collect() {
      this.set(sources.notifier?.status().inFlight ?? 0);
    },
  });
}

function labels(u: { app: string; unit: string; kind: string }) {
  return { app: u.app, unit: u.unit, kind: u.kind };
}

function db(b: { app: string; database: string }) {
  return { app: b.app, database: b.database };
}
