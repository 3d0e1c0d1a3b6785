/** Uptime over 24 h, 7 d, 30 d and 1 y from the roll-ups, as labelled bars with the figure in words. */
import { percent } from '../lib/format';
import type { Uptime } from '../lib/types';

const SPANS: [keyof Uptime, string][] = [
  ['24h', '24 hours'],
  ['7d', '7 days'],
  ['30d', '30 days'],
  ['1y', '1 year'],
];

/** Four bars; a span without runs says "no data" instead of a misleading 100 %. */
export function UptimeBars({ uptime }: { uptime: Uptime }) {
  return (
    <dl class="uptime">
      {SPANS.map(([key, label]) => {
        const ratio = uptime[key];
        return (
          <div class="uptime-row" key={key}>
            <dt>{label}</dt>
            <dd>
              <svg class="uptime-bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
                <rect class="uptime-track" x="0" y="0" width="100" height="8" />
                {ratio !== null && (
                  <rect
                    class={ratio < 0.99 ? 'uptime-low' : 'uptime-fill'}
                    x="0"
                    y="0"
                    width={ratio * 100}
                    height="8"
                  />
                )}
              </svg>
              <span class="uptime-figure">{percent(ratio)}</span>
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
