/**
 * The public status page as HTML, rendered on the server: no script at all, one same-origin stylesheet, every value
 * escaped by the `html` template. State is told by word and shape (an icon glyph, bar heights), never colour alone.
 * Pure: model in, markup out.
 */
import type { WindowOccurrence } from '../alerts/maintenance.js';
import type { Announcement } from './announcement-store.js';
import { type Html, html } from './html.js';
import { STATUS_CSS_PATH } from './status-css.js';
import type { DayBar, PublicState, PublicUnit, StatusModel } from './status-model.js';

/** Words and glyph per state: the glyph's shape differs too, so no state depends on colour. */
export const STATE_WORDS: Record<PublicState, { word: string; headline: string; icon: string }> = {
  operational: { word: 'Operational', headline: 'All systems operational', icon: '✓' },
  degraded: { word: 'Degraded', headline: 'Some systems degraded', icon: '▲' },
  outage: { word: 'Outage', headline: 'Major outage', icon: '✕' },
  maintenance: { word: 'Maintenance', headline: 'Under maintenance', icon: '◆' },
  unknown: { word: 'No data', headline: 'Status unknown', icon: '?' },
};

const SEVERITY_WORDS: Record<Announcement['severity'], string> = {
  info: 'Notice',
  warning: 'Warning',
  critical: 'Critical',
};

/** An instant as people read it without script: UTC, minutes. */
export function formatTime(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function time(at: number): Html {
  return html`<time datetime="${new Date(at).toISOString()}">${formatTime(at)}</time>`;
}

function percent(ratio: number): string {
  // 99.95% must not round up to 100% while failures happened.
  const value = Math.floor(ratio * 10_000) / 100;
  return `${value.toFixed(2)}%`;
}

function stateBadge(state: PublicState): Html {
  const w = STATE_WORDS[state];
  return html`<span class="state state-${state}"><span class="icon" aria-hidden="true">${w.icon}</span> ${w.word}</span>`;
}

function barClass(bar: DayBar): string {
  if (bar.ratio === null) return 'none';
  if (bar.ratio >= 1) return 'up';
  return bar.ratio >= 0.9 ? 'partial' : 'down';
}

function barTitle(bar: DayBar): string {
  const day = new Date(bar.day).toISOString().slice(0, 10);
  if (bar.ratio === null) return `${day}: no data`;
  const failed = bar.failed > 0 ? ` (${bar.failed} failed ${bar.failed === 1 ? 'check' : 'checks'})` : '';
  return `${day}: ${percent(bar.ratio)} up${failed}`;
}

function unitSection(unit: PublicUnit): Html {
  const badDays = unit.bars.filter((b) => b.ratio !== null && b.ratio < 1).length;
  const summary =
    unit.uptime === null
      ? `No data in the last ${unit.bars.length} days`
      : `${percent(unit.uptime)} uptime over ${unit.bars.length} days; ${badDays} ${badDays === 1 ? 'day' : 'days'} with failures`;
  return html`<li class="unit">
<div class="unit-head"><h3>${unit.name}</h3>${stateBadge(unit.state)}</div>
<p class="meta">${unit.uptime === null ? 'No uptime data yet' : `${percent(unit.uptime)} uptime, last ${unit.bars.length} days`}${
    unit.responseMs === null ? '' : html` · <span class="response">${unit.responseMs} ms response</span>`
  }</p>
<ol class="bars" role="img" aria-label="${summary}">${unit.bars.map(
    (bar) => html`<li class="bar bar-${barClass(bar)}" title="${barTitle(bar)}"></li>`,
  )}</ol>
<p class="bars-legend" aria-hidden="true"><span>${unit.bars.length} days ago</span><span>Today</span></p>
</li>`;
}

function announcementSection(list: readonly Announcement[], now: number): Html | '' {
  if (list.length === 0) return '';
  return html`<section class="announcements" aria-labelledby="announcements-title">
<h2 id="announcements-title">Announcements</h2>
<ul>${list.map(
    (a) => html`<li class="announcement severity-${a.severity}">
<p class="announcement-head"><span class="severity">${SEVERITY_WORDS[a.severity]}</span> <strong>${a.title}</strong></p>
<p class="announcement-body">${a.body}</p>
<p class="meta">${a.startsAt > now ? html`Scheduled from ${time(a.startsAt)}` : html`Since ${time(a.startsAt)}`}${
      a.endsAt === null ? '' : html` until ${time(a.endsAt)}`
    }</p>
</li>`,
  )}</ul>
</section>`;
}

function maintenanceSection(m: { active: WindowOccurrence[]; upcoming: WindowOccurrence[] }): Html | '' {
  if (m.active.length === 0 && m.upcoming.length === 0) return '';
  // Times only: a window's `description` in the plan is written for the team, not marked public.
  const item = (w: WindowOccurrence, now: boolean) =>
    html`<li class="window"><span class="icon" aria-hidden="true">◆</span> ${now ? 'Now' : 'Scheduled'}: ${time(
      w.from,
    )} to ${time(w.to)}</li>`;
  return html`<section class="maintenance" aria-labelledby="maintenance-title">
<h2 id="maintenance-title">Maintenance</h2>
<ul>${m.active.map((w) => item(w, true))}${m.upcoming.map((w) => item(w, false))}</ul>
</section>`;
}

/** The whole page of one app. Links are relative, so the page works under a base path. */
export function renderStatusPage(model: StatusModel): string {
  const overall = STATE_WORDS[model.overall];
  return `<!doctype html>\n${
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="refresh" content="60">
<link rel="icon" href="data:,">
<title>${model.title} status</title>
<link rel="stylesheet" href="${STATUS_CSS_PATH}">
<link rel="alternate" type="application/atom+xml" title="${model.title} announcements" href="${model.app}/feed.atom">
</head>
<body>
<main>
<header>
<h1>${model.title}</h1>
<p class="overall state-${model.overall}"><span class="icon" aria-hidden="true">${overall.icon}</span> ${
      overall.headline
    }</p>
</header>
${announcementSection(model.announcements, model.generatedAt)}
${maintenanceSection(model.maintenance)}
<section class="units" aria-labelledby="units-title">
<h2 id="units-title">Services</h2>
${model.units.length === 0 ? html`<p>No services are listed on this page.</p>` : html`<ul>${model.units.map(unitSection)}</ul>`}
</section>
<footer><p>Updated ${time(model.generatedAt)} · <a href="${model.app}/feed.atom">Announcements feed (Atom)</a></p></footer>
</main>
</body>
</html>`.text
  }\n`;
}

/** The page for an unknown app, an app without a status page, or an unknown badge: it reveals nothing. */
export function renderNotFoundPage(): string {
  return `<!doctype html>\n${
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Not found</title>
</head>
<body><main><h1>Not found</h1><p>There is no status page at this address.</p></main></body>
</html>`.text
  }\n`;
}
