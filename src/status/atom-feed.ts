/** The Atom feed (RFC 4287) of an app's announcements: escaped text content, stable ids. Pure. */
import type { Announcement } from './announcement-store.js';
import { html } from './html.js';

/** What the feed needs: the page's title and absolute URLs (Atom ids and links are IRIs). */
export interface FeedInfo {
  title: string;
  /** Absolute URL of the status page, e.g. https://status.example/status/shop. */
  pageUrl: string;
}

const iso = (at: number) => new Date(at).toISOString();

/** The feed document. `updated` is the newest entry's time (the epoch with none), so it changes only with them. */
export function renderAtomFeed(info: FeedInfo, announcements: readonly Announcement[]): string {
  const updated = announcements.reduce((max, a) => Math.max(max, a.createdAt, a.startsAt), 0);
  const entries = announcements.map(
    (a) => html`<entry>
<id>${info.pageUrl}/announcements/${a.id}</id>
<title type="text">${a.title}</title>
<updated>${iso(Math.max(a.createdAt, a.startsAt))}</updated>
<published>${iso(a.createdAt)}</published>
<category term="${a.severity}"/>
<link rel="alternate" type="text/html" href="${info.pageUrl}"/>
<content type="text">${a.body}</content>
</entry>
`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>\n${
    html`<feed xmlns="http://www.w3.org/2005/Atom">
<id>${info.pageUrl}/feed.atom</id>
<title type="text">${info.title} announcements</title>
<updated>${iso(updated)}</updated>
<author><name>${info.title}</name></author>
<link rel="self" type="application/atom+xml" href="${info.pageUrl}/feed.atom"/>
<link rel="alternate" type="text/html" href="${info.pageUrl}"/>
${entries}</feed>
`.text
  }`;
}
