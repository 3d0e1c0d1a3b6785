/** How numbers and times read on the dashboard: in the viewer's zone, short, with units. */

const absolute = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'long',
});
const sameDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const otherDay = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** The full time in the viewer's zone, with the zone (for titles). */
export function absoluteTime(ms: number): string {
  return absolute.format(new Date(ms));
}

/** A short local time: the clock time today, else the date and time. */
export function shortTime(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  return d.toDateString() === new Date(now).toDateString() ? sameDay.format(d) : otherDay.format(d);
}

/** "3 min ago", "in 2 h": how far a time is from now. */
export function relativeTime(ms: number, now = Date.now()): string {
  const diff = ms - now;
  const text = duration(Math.abs(diff));
  if (Math.abs(diff) < 1_000) return 'just now';
  return diff < 0 ? `${text} ago` : `in ${text}`;
}

/** A duration in ms as words: 850 ms, 12 s, 5 min, 3 h, 2 d. */
export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 1_000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}

/** Bytes as B, KiB, MiB, GiB. */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** A ratio (0..1) as a percentage with enough digits to tell 99.9 % from 100 %; null → "no data". */
export function percent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined) return 'no data';
  const p = ratio * 100;
  return `${p === 100 || p === 0 ? p.toFixed(0) : p >= 99 ? p.toFixed(2) : p.toFixed(1)} %`;
}
