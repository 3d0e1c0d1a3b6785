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
