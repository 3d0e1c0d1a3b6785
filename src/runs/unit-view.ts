/** How a unit is shown by the API and the CLI: the store's record merged with what the live scheduler knows. */

import type { UnitRecord } from '../core/run.js';
import { pingUrl } from '../heartbeats/ping-request.js';
import type { SchedulerStatus } from '../schedule/scheduler.js';

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

/** Builds the view of one unit. Pure. */
export function unitView(
  record: UnitRecord,
  live?: Pick<SchedulerStatus, 'inFlight' | 'unitErrors'>,
  heartbeat?: UnitView['heartbeat'],
): UnitView {
  const error = live?.unitErrors[record.id];
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
    running: live ? live.inFlight.includes(record.id) : record.runningSince !== null,
    ...(heartbeat ? { heartbeat } : {}),
  };
}

/** The heartbeat part of a unit's view, when it has a token. Pure. */
export function heartbeatView(token: string | undefined, baseUrl: string): UnitView['heartbeat'] {
  return token === undefined ? undefined : { token, pingUrl: pingUrl(baseUrl, token) };
}

/** Per-app counts of unit states, worst first. Pure. */
export function appSummaries(
  units: UnitView[],
): { name: string; units: number; states: Record<string, number>; worst: string }[] {
  const order = ['firing', 'error', 'pending', 'maintenance', 'resolved', 'ok'];
  const apps = new Map<string, UnitView[]>();
  for (const u of units) apps.set(u.app, [...(apps.get(u.app) ?? []), u]);
  return [...apps].map(([name, list]) => {
    const states: Record<string, number> = {};
    for (const u of list) states[u.state] = (states[u.state] ?? 0) + 1;
    const worst = order.find((s) => states[s]) ?? 'ok';
    return { name, units: list.length, states, worst };
  });
}
