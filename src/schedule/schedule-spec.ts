/** Schedule text (`every 5m`, `daily 02:00`, cron, ...) and the pure "when is this unit next due" function. */
import { Cron } from 'croner';
import { formatDuration, parseDuration } from '../plan/duration.js';
import type { ScheduleSpec } from '../plan/units.js';

export type { ScheduleSpec };

/** The schedule forms upkeep accepts, for error messages and docs. */
export const SCHEDULE_FORMS =
  'every 5m, hourly, daily 02:00, weekly mon 03:00, monthly 1 04:00, quarterly, yearly, or a 5/6-field cron expression such as "0 3 * * 0"';

/** A schedule text or time zone that cannot be read; `expected` lists what would be. */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
  constructor(
    message: string,
    readonly expected: string = SCHEDULE_FORMS,
  ) {
    super(message);
  }
}

const WEEKDAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const WEEKDAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const TIME_RE = /^([01]?\d|2[0-3]):([0-5]\d)$/;
/** Runs shorter than this are a typo or a load test, not maintenance. */
const MIN_EVERY_MS = 1_000;

/** Throws ScheduleError unless `timezone` is an IANA zone this runtime knows. */
export function assertTimeZone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ScheduleError(
      `unknown time zone "${timezone}"`,
      'an IANA time zone such as UTC, Europe/Berlin or Asia/Kolkata',
    );
  }
}

/** `02:00` → [minute, hour]; throws when the time is not HH:MM on a 24-hour clock. */
function parseTime(text: string | undefined, form: string): [number, number] {
  if (text === undefined) return [0, 0];
  const match = TIME_RE.exec(text);
  if (!match) throw new ScheduleError(`"${text}" in "${form}" is not a time`, 'a 24-hour time HH:MM such as 02:00');
  return [Number(match[2]), Number(match[1])];
}

/** Turns the friendly forms into cron; returns undefined when `words` is not one of them. */
function friendlyToCron(words: string[], text: string): string | undefined {
  const [head, ...rest] = words;
  const tooMany = (max: number) => {
    if (rest.length > max) throw new ScheduleError(`too many words in "${text}"`);
  };
  switch (head) {
    case 'hourly':
      tooMany(0);
      return '0 * * * *';
    case 'daily': {
      tooMany(1);
      const [m, h] = parseTime(rest[0], text);
      return `${m} ${h} * * *`;
    }
    case 'weekly': {
      tooMany(2);
      const word = rest[0] ?? 'mon';
      const dow = WEEKDAYS[word.slice(0, 3)];
      // `mon` or `monday`, nothing in between or after.
      if (dow === undefined || !(word.length === 3 || WEEKDAY_NAMES.includes(word))) {
        throw new ScheduleError(`"${rest[0]}" in "${text}" is not a weekday`, 'a weekday: mon tue wed thu fri sat sun');
      }
      const [m, h] = parseTime(rest[1], text);
      return `${m} ${h} * * ${dow}`;
    }
    case 'monthly': {
      tooMany(2);
      const day = rest[0] === undefined ? 1 : Number(rest[0]);
      if (!Number.isInteger(day) || day < 1 || day > 28) {
        // 29-31 would silently skip short months; say so instead.
        throw new ScheduleError(`"${rest[0]}" in "${text}" is not a day of the month`, 'a day from 1 to 28');
      }
      const [m, h] = parseTime(rest[1], text);
      return `${m} ${h} ${day} * *`;
    }
    case 'quarterly': {
      tooMany(1);
      const [m, h] = parseTime(rest[0], text);
      return `${m} ${h} 1 1,4,7,10 *`;
    }
    case 'yearly': {
      tooMany(1);
      const [m, h] = parseTime(rest[0], text);
      return `${m} ${h} 1 1 *`;
    }
    default:
      return undefined;
  }
}

/** Builds a croner pattern, turning its complaint into a ScheduleError that says why. */
function cronFor(expr: string, timezone: string): Cron {
  try {
    return new Cron(expr, { timezone, mode: '5-or-6-parts' });
  } catch (error) {
    const why = (error as Error).message.replace(/^CronPattern: /, '');
    throw new ScheduleError(`bad cron expression "${expr}": ${why}`);
  }
}

/** Parses schedule text in a time zone. Throws ScheduleError naming the accepted forms. */
export function parseSchedule(text: string, timezone: string): ScheduleSpec {
  assertTimeZone(timezone);
  const trimmed = text.trim().replace(/\s+/g, ' ');
  if (trimmed === '') throw new ScheduleError('empty schedule');
  const words = trimmed.toLowerCase().split(' ');
  if (words[0] === 'every') {
    if (words.length !== 2) throw new ScheduleError(`"${trimmed}" needs exactly one duration after "every"`);
    const everyMs = parseDuration(words[1] as string);
    if (everyMs === undefined) {
      throw new ScheduleError(`"${words[1]}" in "${trimmed}" is not a duration`, 'a duration such as 30s, 5m, 2h, 1d');
    }
    if (everyMs < MIN_EVERY_MS) throw new ScheduleError(`"${trimmed}" is too often`, 'a period of at least 1s');
    return { kind: 'every', everyMs, text: trimmed };
  }
  const friendly = friendlyToCron(words, trimmed);
  if (friendly !== undefined) {
    cronFor(friendly, timezone);
    return { kind: 'cron', expr: friendly, timezone, text: trimmed };
  }
  if (words.length < 5 && /^[a-z]/.test(trimmed)) {
    throw new ScheduleError(`"${trimmed}" is not a schedule`);
  }
  cronFor(trimmed, timezone);
  return { kind: 'cron', expr: trimmed, timezone, text: trimmed };
}

/** Makes an `every` schedule from a duration in ms (the `every:` key of a check). */
export function everySchedule(everyMs: number): ScheduleSpec {
  return { kind: 'every', everyMs, text: `every ${formatDuration(everyMs)}` };
}

/** FNV-1a: a stable 32-bit hash so a unit's phase survives restarts and is the same on every worker. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

const cronCache = new Map<string, { cron: Cron; periodMs: number }>();
/** A fixed reference so the estimated period of a cron is the same on every machine. */
const PERIOD_REFERENCE = Date.UTC(2001, 0, 1);

/** The parsed cron and its shortest gap between runs, cached per expression and zone (both are immutable). */
function cronInfo(spec: Extract<ScheduleSpec, { kind: 'cron' }>): { cron: Cron; periodMs: number } {
  const key = `${spec.timezone}\u0000${spec.expr}`;
  let info = cronCache.get(key);
  if (!info) {
    const cron = cronFor(spec.expr, spec.timezone);
    const runs = cron.nextRuns(9, new Date(PERIOD_REFERENCE)).map((d) => d.getTime());
    let periodMs = Number.POSITIVE_INFINITY;
    for (let i = 1; i < runs.length; i++) periodMs = Math.min(periodMs, (runs[i] as number) - (runs[i - 1] as number));
    if (!Number.isFinite(periodMs)) periodMs = 365 * 86_400_000;
    info = { cron, periodMs };
    cronCache.set(key, info);
  }
  return info;
}

/** The shortest time between two runs of a schedule: a run's timeout must be below it. */
export function schedulePeriodMs(spec: ScheduleSpec): number {
  return spec.kind === 'every' ? spec.everyMs : cronInfo(spec).periodMs;
}

/** The deterministic offset of a unit inside its period: spreads units so they do not all fire in the same second. */
export function unitOffsetMs(spec: ScheduleSpec, unitId: string): number {
  if (spec.kind === 'every') return stableHash(unitId) % spec.everyMs;
  const window = Math.min(30_000, Math.floor(cronInfo(spec).periodMs / 10));
  return window > 0 ? stableHash(unitId) % window : 0;
}

/**
 * The next time a unit is due, strictly after `afterMs`. Pure: the time is an argument.
 * Called with "now" after downtime it returns one future slot, so missed runs are due once, never as a backlog.
 */
export function nextRunAt(spec: ScheduleSpec, afterMs: number, unitId: string): number {
  const offset = unitOffsetMs(spec, unitId);
  if (spec.kind === 'every') {
    const period = spec.everyMs;
    return offset + (Math.floor((afterMs - offset) / period) + 1) * period;
  }
  // The cron fire time plus the offset must be > afterMs, so the fire time must be > afterMs - offset.
  const next = cronInfo(spec).cron.nextRun(new Date(afterMs - offset));
  if (!next) throw new ScheduleError(`cron "${spec.expr}" never runs again`);
  return next.getTime() + offset;
}
