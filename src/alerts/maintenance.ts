/** Maintenance windows: periods in which runs and transitions are recorded but alerts are held and not sent. */
import { Cron } from 'croner';
import type { ScheduleSpec } from '../plan/units.js';

/** A window as the alert logic needs it: one-off (`from`/`to`) or recurring (`schedule` + `durationMs`). */
export type Window =
  | { apps?: string[]; from: number; to: number }
  | { apps?: string[]; schedule: ScheduleSpec; durationMs: number };

/** True when a window covering `app` is open at `now`. Pure. */
export function inMaintenance(windows: readonly Window[], app: string, now: number): boolean {
  return windows.some((w) => (!w.apps || w.apps.length === 0 || w.apps.includes(app)) && isOpen(w, now));
}

function isOpen(window: Window, now: number): boolean {
  if ('from' in window) return now >= window.from && now < window.to;
  const { schedule, durationMs } = window;
  if (schedule.kind === 'every') return now % schedule.everyMs < durationMs;
  // Open iff the first start after (now - duration) is not later than now.
  const start = new Cron(schedule.expr, { timezone: schedule.timezone }).nextRun(new Date(now - durationMs));
  return start !== null && start.getTime() <= now;
}

/** One occurrence of a window: which apps (null: every app) and when. */
export interface WindowTimes {
  apps: string[] | null;
  from: number;
  to: number;
}

/**
 * The windows open at `now` and the next `limit` openings after it (within `horizonMs`), soonest first: what the
 * overview shows as active and upcoming maintenance. Pure.
 */
export function maintenanceAt(
  windows: readonly Window[],
  now: number,
  opts: { limit?: number; horizonMs?: number } = {},
): { active: WindowTimes[]; next: WindowTimes[] } {
  const limit = opts.limit ?? 10;
  const horizon = now + (opts.horizonMs ?? 30 * 86_400_000);
  const active: WindowTimes[] = [];
  const next: WindowTimes[] = [];
  for (const w of windows) {
    const apps = w.apps && w.apps.length > 0 ? [...w.apps] : null;
    const current = currentOpening(w, now);
    if (current !== null) active.push({ apps, ...current });
    const upcoming = nextOpening(w, now);
    if (upcoming !== null && upcoming.from <= horizon) next.push({ apps, ...upcoming });
  }
  next.sort((a, b) => a.from - b.from);
  return { active, next: next.slice(0, limit) };
}

function currentOpening(window: Window, now: number): { from: number; to: number } | null {
  if ('from' in window) return now >= window.from && now < window.to ? { from: window.from, to: window.to } : null;
  const { schedule, durationMs } = window;
  if (schedule.kind === 'every') {
    const from = now - (now % schedule.everyMs);
    return now - from < durationMs ? { from, to: from + durationMs } : null;
  }
  const start = new Cron(schedule.expr, { timezone: schedule.timezone }).nextRun(new Date(now - durationMs));
  return start !== null && start.getTime() <= now ? { from: start.getTime(), to: start.getTime() + durationMs } : null;
}

function nextOpening(window: Window, now: number): { from: number; to: number } | null {
  if ('from' in window) return window.from > now ? { from: window.from, to: window.to } : null;
  const { schedule, durationMs } = window;
  if (schedule.kind === 'every') {
    const from = now - (now % schedule.everyMs) + schedule.everyMs;
    return { from, to: from + durationMs };
  }
  const start = new Cron(schedule.expr, { timezone: schedule.timezone }).nextRun(new Date(now));
  return start === null ? null : { from: start.getTime(), to: start.getTime() + durationMs };
}

/** One occurrence of a maintenance window: when it opens and closes. */
export interface WindowOccurrence {
  from: number;
  to: number;
  description?: string;
}

/**
 * The windows covering `app` that are open at `now` (`active`) and those opening within `horizonMs` after it
 * (`upcoming`, soonest first; a recurring window contributes its next occurrences). Pure.
 */
export function maintenanceAround(
  windows: readonly (Window & { description?: string })[],
  app: string,
  now: number,
  horizonMs: number,
): { active: WindowOccurrence[]; upcoming: WindowOccurrence[] } {
  const active: WindowOccurrence[] = [];
  const upcoming: WindowOccurrence[] = [];
  for (const w of windows) {
    if (w.apps && w.apps.length > 0 && !w.apps.includes(app)) continue;
    const extra = w.description !== undefined ? { description: w.description } : {};
    for (const { from, to } of occurrences(w, now, now + horizonMs)) {
      (from <= now ? active : upcoming).push({ from, to, ...extra });
    }
  }
  upcoming.sort((a, b) => a.from - b.from);
  return { active, upcoming };
}

/** Occurrences of one window that are open at `now` or start before `until` (a few at most per window). */
function occurrences(window: Window, now: number, until: number): { from: number; to: number }[] {
  if ('from' in window) return window.to > now && window.from < until ? [{ from: window.from, to: window.to }] : [];
  const { schedule, durationMs } = window;
  const found: { from: number; to: number }[] = [];
  let after = now - durationMs;
  for (let i = 0; i < 3; i++) {
    let start: number | null;
    if (schedule.kind === 'every') start = (Math.floor(after / schedule.everyMs) + 1) * schedule.everyMs;
    else start = new Cron(schedule.expr, { timezone: schedule.timezone }).nextRun(new Date(after))?.getTime() ?? null;
    if (start === null || start >= until) break;
    if (start + durationMs > now) found.push({ from: start, to: start + durationMs });
    after = start;
  }
  return found;
}
