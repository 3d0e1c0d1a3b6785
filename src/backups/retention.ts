/**
 * Which backups to keep: restic's `forget --keep-*` semantics, applied to verified backups only. Pure.
 *
 * For each rule, backups are walked newest first and the newest backup of each distinct calendar period (in the
 * plan's time zone; ISO weeks for `weekly`) is kept until N periods are kept; when a rule still has count left at
 * the oldest backup, that oldest one is kept too (restic >= 0.16: it maximises the history kept). Rules are OR-ed;
 * -1 means unlimited; a policy with no rule keeps everything. Only `checked`/`drilled` backups count; the newest
 * verified one is never removed; anything newer than it that is not yet verified (in flight) is kept, and a
 * `running` backup is always kept.
 */
import type { BackupState } from './backup-record.js';
import { isVerified } from './backup-record.js';

/** How many of each to keep (`keep:` in the plan); -1 keeps all of that kind. */
export interface KeepPolicy {
  last?: number;
  hourly?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
  yearly?: number;
}

/** What retention needs to know about a backup. */
export interface RetentionCandidate {
  id: string;
  /** When the backup was started (ms since epoch). */
  time: number;
  state: BackupState;
}

/** The decision: kept ids with why, and ids to remove (newest first). */
export interface RetentionDecision {
  keep: Map<string, string[]>;
  remove: string[];
}

type Rule = { name: keyof KeepPolicy; period: (p: Parts, nr: number) => number };

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
}

// restic's buckets, in restic's order (the order of the reasons).
const RULES: readonly Rule[] = [
  { name: 'last', period: (_p, nr) => nr },
  { name: 'hourly', period: (p) => p.year * 1_000_000 + p.month * 10_000 + p.day * 100 + p.hour },
  { name: 'daily', period: (p) => p.year * 10_000 + p.month * 100 + p.day },
  { name: 'weekly', period: (p) => isoWeek(p) },
  { name: 'monthly', period: (p) => p.year * 100 + p.month },
  { name: 'yearly', period: (p) => p.year },
];

/** Applies the policy (see the file comment). `timezone` is an IANA zone such as `Asia/Kolkata`. */
export function selectKept(
  backups: readonly RetentionCandidate[],
  policy: KeepPolicy,
  timezone: string,
): RetentionDecision {
  const sorted = [...backups].sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const keep = new Map<string, string[]>();
  const remove: string[] = [];
  const verified = sorted.filter((b) => isVerified(b.state));
  const newestVerified = verified[0];

  const counts = RULES.map((rule) => policy[rule.name] ?? 0);
  const empty = counts.every((n) => n === 0);
  const last = RULES.map(() => Number.NaN);
  const parts = calendarParts(timezone);
  verified.forEach((b, nr) => {
    const reasons: string[] = [];
    if (empty) reasons.push('policy is empty');
    const p = parts(b.time);
    RULES.forEach((rule, i) => {
      const left = counts[i] as number;
      if (left === 0) return;
      const period = rule.period(p, nr);
      if (period !== last[i] || nr === verified.length - 1) {
        last[i] = period;
        if (left > 0) counts[i] = left - 1;
        reasons.push(rule.name);
      }
    });
    if (b === newestVerified && reasons.length === 0) reasons.push('newest verified');
    if (reasons.length > 0) keep.set(b.id, reasons);
  });

  for (const b of sorted) {
    if (isVerified(b.state)) {
      if (!keep.has(b.id)) remove.push(b.id);
    } else if (b.state === 'running') {
      keep.set(b.id, ['in progress']);
    } else if (newestVerified === undefined || b.time > newestVerified.time) {
      keep.set(b.id, ['newer than the newest verified backup']);
    } else {
      remove.push(b.id);
    }
  }
  return { keep, remove };
}

/** A function giving year/month/day/hour of an instant in `timezone`. */
function calendarParts(timezone: string): (ms: number) => Parts {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    hourCycle: 'h23',
  });
  return (ms) => {
    const out: Record<string, number> = {};
    for (const part of format.formatToParts(ms)) {
      if (part.type !== 'literal') out[part.type] = Number(part.value);
    }
    return { year: out.year as number, month: out.month as number, day: out.day as number, hour: out.hour as number };
  };
}

/** ISO 8601 week of a calendar date, as YYYYWW (the ISO year may differ from the calendar year near New Year). */
export function isoWeek(p: Pick<Parts, 'year' | 'month' | 'day'>): number {
  const date = new Date(Date.UTC(p.year, p.month - 1, p.day));
  const weekday = date.getUTCDay() || 7; // Monday 1 .. Sunday 7
  // The Thursday of this week decides the ISO year.
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const isoYear = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(isoYear, 0, 1)) / 86_400_000 + 1) / 7);
  return isoYear * 100 + week;
}
