/** Says how the page stays current, so nobody wonders whether what they see is fresh. */
import type { LiveMode } from '../lib/live';

/** "live", "connecting…" or "polling every 5 s" with a shape. */
export function LiveNote({ mode }: { mode: LiveMode }) {
  const text =
    mode === 'live'
      ? 'live'
      : mode === 'connecting'
        ? 'connecting to live updates…'
        : 'live updates unavailable: refreshing every 5 s';
  return (
    <span class={`live live-${mode}`} role="status">
      <span class="shape" aria-hidden="true">
        {mode === 'live' ? '●' : '○'}
      </span>
      {text}
    </span>
  );
}
