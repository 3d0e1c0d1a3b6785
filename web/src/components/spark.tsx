/** The last 24 h of a unit in one line: one bar per hour, its height the response time, its mark the uptime. */
import { percent } from '../lib/format';

const HOUR = 3_600_000;

interface Point {
  t: number;
  up: number | null;
  ms: number | null;
}

/** A 24-bar sparkline (SVG, no script, no inline style), with a text summary for screen readers and hover. */
export function Sparkline({ points: given, now = Date.now() }: { points: Point[] | undefined; now?: number }) {
  if (!given || given.length === 0) return <span class="muted">no runs in 24 h</span>;
  // The API leaves out hours without runs: lay the 24 hours out by their start so a gap stays a gap.
  const first = Math.floor(now / HOUR) * HOUR - 23 * HOUR;
  const byHour = new Map(given.map((p) => [p.t, p]));
  const points = Array.from(
    { length: 24 },
    (_, i) => byHour.get(first + i * HOUR) ?? { t: first + i * HOUR, up: null, ms: null },
  );
  const max = Math.max(1, ...points.map((p) => p.ms ?? 0));
  const known = points.filter((p) => p.up !== null);
  const down = known.filter((p) => (p.up ?? 1) < 1).length;
  const mean = known.length ? known.reduce((s, p) => s + (p.up ?? 0), 0) / known.length : null;
  const label = `last 24 h: ${percent(mean)} up, ${down} hour(s) with failures`;
  const w = 4;
  return (
    <svg class="spark" viewBox={`0 0 ${points.length * w} 20`} width={points.length * w} height="20" role="img">
      <title>{label}</title>
      {points.map((p, i) => {
        const h = p.up === null ? 2 : Math.max(3, Math.round(((p.ms ?? 0) / max) * 18));
        const cls = p.up === null ? 'spark-none' : p.up < 1 ? 'spark-down' : 'spark-up';
        // A failing hour is drawn full height as well as red: the shape tells it without colour.
        return (
          <rect
            key={p.t}
            class={cls}
            x={i * w}
            y={p.up !== null && p.up < 1 ? 0 : 20 - h}
            width={w - 1}
            height={p.up !== null && p.up < 1 ? 20 : h}
          />
        );
      })}
    </svg>
  );
}
