/**
 * What a public status page shows, gathered from the plan, the store and the announcements. Only what `status.show`
 * names, under its public name: the model holds no target, no summary and no internal unit name that a renderer
 * could print by mistake (the unit name stays in `unitName`, used to find a badge, never rendered).
 */
import { maintenanceAround, type WindowOccurrence } from '../alerts/maintenance.js';
import type { RollupRecord, UnitRecord } from '../core/run.js';
import type { MaintenanceWindow, Plan, StatusPagePlan } from '../plan/plan-types.js';
import type { Store } from '../runs/run-store.js';
import type { SchedulerStatus } from '../schedule/scheduler.js';
import type { Announcement, AnnouncementStore } from './announcement-store.js';

/** A state as the public reads it. Upkeep's own trouble is `unknown`, never an outage of the app. */
export type PublicState = 'operational' | 'degraded' | 'outage' | 'maintenance' | 'unknown';

/** Worst first: the overall state is the first of these any shown unit has. */
export const STATE_ORDER: readonly PublicState[] = ['outage', 'degraded', 'maintenance', 'unknown', 'operational'];

/** One day's bar: the share of passing runs among runs that judged the target (upkeep's own errors left out). */
export interface DayBar {
  day: number;
  /** null: no run judged the target that day. */
  ratio: number | null;
  failed: number;
}

/** One shown unit. */
export interface PublicUnit {
  /** The unit's name inside the app: a lookup key for badges, never rendered. */
  unitName: string;
  /** The name the plan's `status.show` gives it: the only name ever shown. */
  name: string;
  state: PublicState;
  bars: DayBar[];
  /** Passing share over the bars' days, or null without data. */
  uptime: number | null;
  /** The last run's response time, when the unit measures one. */
  responseMs: number | null;
}

/** Everything one status page shows. */
export interface StatusModel {
  app: string;
  title: string;
  overall: PublicState;
  units: PublicUnit[];
  announcements: Announcement[];
  maintenance: { active: WindowOccurrence[]; upcoming: WindowOccurrence[] };
  generatedAt: number;
}

/** What the status capability reads. */
export interface StatusSources {
  store: Pick<Store, 'getUnit' | 'listRollups' | 'listRuns'>;
  /** Units whose last result upkeep could not store (src/schedule/scheduler.ts). */
  scheduler?: { status(): Pick<SchedulerStatus, 'unitErrors'> };
  /** The running plan (it may be reloaded, so read on every render). */
  plan?: () => { plan: Plan; maintenance: readonly MaintenanceWindow[] };
  announcements?: AnnouncementStore;
  now: () => number;
}

/** Days of uptime bars. */
export const BAR_DAYS = 90;
const DAY = 86_400_000;
/** Upcoming maintenance is listed this far ahead. */
const MAINTENANCE_HORIZON = 7 * DAY;

/** The app's status page plan, or undefined when the app has none (or does not exist): the page is then a 404. */
export function statusPage(sources: StatusSources, app: string): StatusPagePlan | undefined {
  const plan = sources.plan?.().plan;
  if (!plan || !Object.hasOwn(plan.apps, app)) return undefined;
  return plan.apps[app]?.status;
}

/** Gathers the model of `app`'s page, or undefined when the app shows no status page. */
export async function statusModel(sources: StatusSources, app: string): Promise<StatusModel | undefined> {
  const page = statusPage(sources, app);
  if (!page) return undefined;
  const now = sources.now();
  const units = await Promise.all(
    Object.entries(page.show).map(([unitName, name]) => publicUnit(sources, app, unitName, name, now)),
  );
  const plan = sources.plan?.();
  const announcements = (await sources.announcements?.list({ app, openAt: now })) ?? [];
  return {
    app,
    title: page.title,
    overall: worst(units.map((u) => u.state)),
    units,
    announcements,
    maintenance: maintenanceAround(plan?.maintenance ?? [], app, now, MAINTENANCE_HORIZON),
    generatedAt: now,
  };
}

/** One shown unit: its public state, day bars and last response time. */
export async function publicUnit(
  sources: StatusSources,
  app: string,
  unitName: string,
  name: string,
  now: number,
): Promise<PublicUnit> {
  const unitId = `${app}/${unitName}`;
  const today = Math.floor(now / DAY) * DAY;
  const from = today - (BAR_DAYS - 1) * DAY;
  const [record, rollups, runs] = await Promise.all([
    sources.store.getUnit(unitId),
    sources.store.listRollups({ unitId, grain: 'day', from, to: today + DAY }),
    sources.store.listRuns({ unitId, limit: 1 }),
  ]);
  const bars = dayBars(rollups, from);
  const response = runs[0]?.values.responseTimeMs;
  return {
    unitName,
    name,
    // upkeep's own trouble storing this unit's result says nothing about the app: no data, never an outage.
    state: sources.scheduler?.status().unitErrors[unitId] ? 'unknown' : publicState(record),
    bars,
    uptime: uptimeOf(rollups),
    responseMs: typeof response === 'number' && Number.isFinite(response) ? Math.round(response) : null,
  };
}

/** A unit's alert state in public words. Pure. */
export function publicState(record: UnitRecord | undefined): PublicState {
  if (!record || record.lastRunAt === null) return 'unknown';
  const { state, severity } = record.alert;
  if (state === 'firing') return severity === 'critical' ? 'outage' : 'degraded';
  if (state === 'maintenance') return 'maintenance';
  if (state === 'error') return 'unknown';
  // pending is not confirmed yet: the public is told once the alert fires.
  return 'operational';
}

/** The worst of some states (operational for none). Pure. */
export function worst(states: readonly PublicState[]): PublicState {
  return STATE_ORDER.find((s) => states.includes(s)) ?? (states.length === 0 ? 'unknown' : 'operational');
}

/** The passing share of runs in some rollups, or null when none judged the target. Pure. */
export function uptimeOf(rollups: readonly Pick<RollupRecord, 'okRuns' | 'failedRuns'>[]): number | null {
  let ok = 0;
  let failed = 0;
  for (const r of rollups) {
    ok += r.okRuns;
    failed += r.failedRuns;
  }
  return ok + failed === 0 ? null : ok / (ok + failed);
}

/** BAR_DAYS bars from `from` (a UTC day start), one per day, from day rollups. Pure. */
export function dayBars(rollups: readonly RollupRecord[], from: number): DayBar[] {
  const byDay = new Map(rollups.map((r) => [r.bucketStart, r]));
  return Array.from({ length: BAR_DAYS }, (_, i) => {
    const day = from + i * DAY;
    const r = byDay.get(day);
    return { day, ratio: r ? uptimeOf([r]) : null, failed: r?.failedRuns ?? 0 };
  });
}
