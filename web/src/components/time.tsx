/** A time in the viewer's zone: short text, the absolute time (with zone) on hover, machine-readable datetime. */
import { absoluteTime, relativeTime, shortTime } from '../lib/format';

/** A moment; `relative` shows "5 min ago" instead of the clock time. */
export function Time({ at, relative }: { at: number | null | undefined; relative?: boolean }) {
  if (at === null || at === undefined) return <span class="muted">–</span>;
  const iso = new Date(at).toISOString();
  return (
    <time dateTime={iso} title={absoluteTime(at)}>
      {relative ? relativeTime(at) : shortTime(at)}
    </time>
  );
}
