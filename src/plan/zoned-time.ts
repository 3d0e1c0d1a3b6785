/** ISO date-times in the plan: with an offset they are exact; without one they are read in the plan's zone. */

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** The zone's offset from UTC at an instant, in ms (e.g. +19_800_000 for Asia/Kolkata). */
export function zoneOffsetMs(utcMs: number, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * Parses `2026-01-10T02:00`, `2026-01-10 02:00:00+05:30` or `2026-01-10` into ms since the epoch;
 * a time without an offset is wall-clock time in `timezone`. Undefined when it is not such a date-time.
 */
export function parseDateTime(text: string, timezone: string): number | undefined {
  const m = ISO_RE.exec(text.trim());
  if (!m) return undefined;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, milli = 0] = m
    .slice(1, 8)
    .map((v) => (v === undefined ? 0 : Number(v)));
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, milli);
  // Reject 2026-02-30 and the like, which Date.UTC would roll over.
  if (new Date(wall).getUTCDate() !== day) return undefined;
  const zone = m[8];
  if (zone !== undefined) {
    if (zone.toUpperCase() === 'Z') return wall;
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    return wall - sign * (Number(digits.slice(0, 2)) * 3_600_000 + Number(digits.slice(2)) * 60_000);
  }
  // Two passes settle the offset near DST changes.
  const first = wall - zoneOffsetMs(wall, timezone);
  return wall - zoneOffsetMs(first, timezone);
}
