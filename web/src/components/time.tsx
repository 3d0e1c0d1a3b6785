/** A time in the viewer's zone: short text, the absolute time (with zone) on hover, machine-readable datetime. */
import { useEffect, useState } from 'preact/hooks';
import { absoluteTime, relativeTime, shortTime } from '../lib/format';

const ticking = new Set<() => void>();
let timer: number | undefined;

/** Re-renders every 15 s while mounted, so "5 s ago" does not stay "5 s ago" (one timer for the whole page). */
function useTick(on: boolean): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!on) return;
    const tick = () => setTick((t) => t + 1);
    ticking.add(tick);
    timer ??= window.setInterval(() => {
      for (const t of ticking) t();
    }, 15_000);
    return () => {
      ticking.delete(tick);
      if (ticking.size === 0) {
        window.clearInterval(timer);
        timer = undefined;
      }
    };
  }, [on]);
}

/** A moment; `relative` shows "5 min ago" instead of the clock time. */
export function Time({ at, relative }: { at: number | null | undefined; relative?: boolean }) {
  useTick(Boolean(relative));
  if (at === null || at === undefined) return <span class="muted">–</span>;
  const iso = new Date(at).toISOString();
  return (
    <time dateTime={iso} title={absoluteTime(at)}>
      {relative ? relativeTime(at) : shortTime(at)}
    </time>
  );
}
