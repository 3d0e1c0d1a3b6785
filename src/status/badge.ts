/**
 * Shields-like flat SVG badges: a label (the unit's public name) and a message (its state or uptime in words).
 * The message is always text, so a badge never tells state by colour alone. Pure.
 */
import { html } from './html.js';
import type { PublicState } from './status-model.js';
import { STATE_WORDS } from './status-page.js';

const COLORS: Record<PublicState | 'good' | 'fair' | 'poor', string> = {
  operational: '#2e7d32',
  degraded: '#8a6100',
  outage: '#c62828',
  maintenance: '#1565c0',
  unknown: '#616161',
  good: '#2e7d32',
  fair: '#8a6100',
  poor: '#c62828',
};

// Verdana 11px averages about 6.5 px a character in shields' own measurements; wide glyphs get more.
function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[mwMW@%]/.test(ch) ? 9 : /[iljtf.,:;!|' ]/.test(ch) ? 4 : 7;
  return width;
}

/** A flat badge with `label` on grey and `message` on `color`. */
export function renderBadge(label: string, message: string, color: string): string {
  const lw = textWidth(label) + 10;
  const mw = textWidth(message) + 10;
  const w = lw + mw;
  return html`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${label}: ${message}">
<title>${label}: ${message}</title>
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
<clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>
<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${color}"/><rect width="${w}" height="20" fill="url(#s)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
<text x="${lw / 2}" y="15" fill="#010101" fill-opacity=".3">${label}</text><text x="${lw / 2}" y="14">${label}</text>
<text x="${lw + mw / 2}" y="15" fill="#010101" fill-opacity=".3">${message}</text><text x="${lw + mw / 2}" y="14">${message}</text>
</g>
</svg>
`.text;
}

/** The status badge of a shown unit: its public name and state word. */
export function statusBadge(name: string, state: PublicState): string {
  return renderBadge(name, STATE_WORDS[state].word.toLowerCase(), COLORS[state]);
}

/** An uptime badge: public name with the window (`API 7d`) and the passing share, or `no data`. */
export function uptimeBadge(name: string, window: string, ratio: number | null): string {
  if (ratio === null) return renderBadge(`${name} ${window}`, 'no data', COLORS.unknown);
  const value = Math.floor(ratio * 10_000) / 100;
  const color = value >= 99.9 ? COLORS.good : value >= 99 ? COLORS.fair : COLORS.poor;
  return renderBadge(`${name} ${window}`, `${value.toFixed(2)}%`, color);
}
