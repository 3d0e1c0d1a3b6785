/** How a unit is shown by the API and the CLI: the store's record merged with what the live scheduler knows. */

import type { UnitRecord } from '../core/run.js';
import { pingUrl } from '../heartbeats/ping-request.js';
import { JOB_KIND } from '../plan/compile-databases.js';
import type { SchedulerStatus, UnitLiveStatus } from '../schedule/scheduler.js';

/** A unit as the API and `upkeep status` present it. */
export interface UnitView {
  id: string;
  app: string;
  name: string;
  kind: string;
  target: string;
  schedule: string;
  state: string;
  severity: string | null;
  since: number;
  summary: string | null;
  lastRunAt: number | null;
  lastOutcome: string | null;
  nextRunAt: number | null;
  running: boolean;
  /** Heartbeat units: the ping token and URL (`curl -fsS <pingUrl>` from the job). */
  heartbeat?: { token: string; pingUrl: string };
}

/** Builds the view of one unit from its record and what the scheduler knows of it. Pure. */
export function unitView(record: UnitRecord, live?: UnitLiveStatus, heartbeat?: UnitView['heartbeat']): UnitView {
  const error = live?.error;
  return {
    id: record.id,
    app: record.app,
    name: record.name,
    kind: record.kind,
    target: record.target,
    schedule: record.schedule,
    // A result upkeep could not store is upkeep's error, shown as such, never as the target being down.
    state: error ? 'error' : record.alert.state,
    severity: error ? null : (record.alert.severity ?? null),
    since: error ? error.since : record.alert.since,
    summary: error ? error.message : (record.alert.lastSummary ?? null),
    lastRunAt: record.lastRunAt,
    lastOutcome: record.lastOutcome,
    nextRunAt: record.nextRunAt,
    running: live ? live.running : record.runningSince !== null,
    ...(heartbeat ? { heartbeat } : {}),
  };
}

/** The scheduler as the read side uses it: one unit's facts by id, the whole status only as a fallback. */
export interface LiveScheduler {
  status(): SchedulerStatus;
  unitStatus?(unitId: string): UnitLiveStatus;
  unitErrorList?(): [string, { message: string; since: number }][];
}

/** What the scheduler knows of one unit, looked up by id (a status walk only for a scheduler without lookups). */
export function liveOf(scheduler: LiveScheduler | undefined, unitId: string): UnitLiveStatus | undefined {
  if (!scheduler) return undefined;
  if (scheduler.unitStatus) return scheduler.unitStatus(unitId);
  const status = scheduler.status();
  return { running: status.inFlight.includes(unitId), error: status.unitErrors[unitId] ?? null };
}

/** The heartbeat part of a unit's view, when it has a token. Pure. */
export function heartbeatView(token: string | undefined, baseUrl: string): UnitView['heartbeat'] {
  return token === undefined ? undefined : { token, pingUrl: pingUrl(baseUrl, token) };
}

/** Alert states from worst to best: the order of apps on the overview. */
export const STATE_ORDER = ['firing', 'error', 'pending', 'maintenance', 'resolved', 'ok'] as const;

/** Unit kinds shown under an app's backups: a database's backup, drill and freshness units. */
const BACKUP_KINDS = new Set<string>(Object.values(JOB_KIND));

/** Which group of an app page a unit belongs to. */
export function unitGroup(record: Pick<UnitRecord, 'kind'>): 'checks' | 'heartbeats' | 'backups' {
  if (record.kind === 'heartbeat') return 'heartbeats';
  return BACKUP_KINDS.has(record.kind) ? 'backups' : 'checks';
}
