/** A state or outcome told by word and shape, never by colour alone. */

const SHAPES: Record<string, string> = {
  ok: '✓',
  resolved: '✓',
  sent: '✓',
  checked: '✓',
  drilled: '✓',
  taken: '✓',
  pending: '◔',
  running: '◔',
  sending: '◔',
  firing: '✖',
  critical: '✖',
  failed: '✖',
  error: '!',
  abandoned: '!',
  warning: '▲',
  info: 'ℹ',
  maintenance: '⏸',
  paused: '⏸',
  silenced: '🔕',
  suppressed: '🔕',
  disabled: '⊘',
};

/** The CSS class family of a state: good, wait, bad, warn, off. */
function tone(state: string): string {
  if (['ok', 'resolved', 'sent', 'checked', 'drilled', 'taken'].includes(state)) return 'good';
  if (['firing', 'critical', 'failed', 'error', 'abandoned', 'disabled'].includes(state)) return 'bad';
  if (['warning', 'pending'].includes(state)) return 'warn';
  if (['maintenance', 'paused', 'silenced', 'suppressed'].includes(state)) return 'off';
  return 'neutral';
}

/** A state badge: shape + word (+ severity), coloured as a third cue. */
export function StateBadge({ state, severity }: { state: string; severity?: string | null }) {
  const shown = severity && (state === 'firing' || state === 'pending') ? `${state} (${severity})` : state;
  return (
    <span class={`state tone-${tone(severity && state === 'firing' && severity !== 'critical' ? severity : state)}`}>
      <span class="shape" aria-hidden="true">
        {SHAPES[state] ?? '•'}
      </span>
      {shown}
    </span>
  );
}

/** The order states are listed in: worst first. */
export const STATE_ORDER = ['firing', 'error', 'pending', 'maintenance', 'resolved', 'ok'];
