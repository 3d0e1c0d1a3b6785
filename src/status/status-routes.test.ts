import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Change } from '../core/change.js';
import { freshPostgresDatabase, postgresSkipReason } from '../store/test-database.js';
import { authHeaders } from '../web/test-auth.js';
import { type StatusHarness, startStatusHarness } from './test-status.js';

// Referenced so the test launcher starts PostgreSQL for this file.
void freshPostgresDatabase;

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-22T12:00:00Z');
const TODAY = Math.floor(NOW / DAY) * DAY;

// Recognisable strings planted where only internals live: targets, internal unit names, summaries, reasons.
const SECRETS = [
  'internal-api.secret-host.example',
  'PROBE-TOKEN-123',
  'api-health',
  'nightly-backup',
  'hidden-admin',
  'admin.hidden-host.example',
  'db.internal-only.example',
  'SUMMARY-LEAK',
];

const PLAN = `version: 1
apps:
  shop:
    checks:
      api-health: { http: "https://internal-api.secret-host.example/health?probe=PROBE-TOKEN-123" }
      nightly-backup: { heartbeat: { every: 1d, grace: 1h } }
      hidden-admin: { http: "https://admin.hidden-host.example/" }
    status:
      title: "Shop & Co <i>"
      show: { api-health: "API <script>alert(1)</script>", nightly-backup: "Backups" }
  internal:
    checks:
      db: { tcp: "db.internal-only.example:5432" }
`;

const pgSkip = postgresSkipReason();
for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`public status page on ${backend}`, { skip: backend === 'postgres' ? pgSkip : undefined }, () => {
    let h: StatusHarness;
    const changes: Change[] = [];
    before(async () => {
      h = await startStatusHarness(PLAN, backend, NOW, { changes: { publish: (c) => changes.push(c) } });
      const leak = 'SUMMARY-LEAK from internal-api.secret-host.example';
      // api-health: an ok run on each of the last 88 days, a failure 10 days ago, and an outage now.
      for (let d = 88; d >= 1; d--) {
        await h.record('shop/api-health', TODAY - d * DAY + 3_600_000, { values: { responseTimeMs: 80 } });
      }
      await h.record('shop/api-health', TODAY - 10 * DAY + 7_200_000, { outcome: 'critical', summary: leak });
      await h.record(
        'shop/api-health',
        NOW - 60_000,
        { outcome: 'critical', summary: leak, values: { responseTimeMs: 2345 } },
        { state: 'firing', severity: 'critical', consecutiveFailures: 2, consecutiveSuccesses: 0 },
      );
      for (let d = 29; d >= 0; d--) await h.record('shop/nightly-backup', TODAY - d * DAY + 60_000, {});
      await h.record('shop/hidden-admin', NOW - 1000, { outcome: 'critical', summary: leak }, { state: 'firing' });
      await h.record('internal/db', NOW - 1000, { summary: leak });
      h.clock.now = NOW;
    });
    after(() => h?.close());

    it('renders the page on the server: overall state in words, 90 bars per shown unit, response time', async () => {
      const res = await h.get('/status/shop');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=30');
      const page = await res.text();
      assert.match(
        page,
        /<p class="overall state-outage"><span class="icon" aria-hidden="true">✕<\/span> Major outage<\/p>/,
      );
      assert.equal(page.match(/<li class="bar /g)?.length, 180);
      const [api = '', backups = ''] = page.split('<li class="unit">').slice(1);
      const count = (text: string, cls: string) => text.match(new RegExp(`class="bar bar-${cls}"`, 'g'))?.length ?? 0;
      assert.deepEqual(
        [count(api, 'up'), count(api, 'down'), count(api, 'partial'), count(api, 'none')],
        [87, 2, 0, 1],
      );
      assert.deepEqual([count(backups, 'up'), count(backups, 'none')], [30, 60]);
      assert.match(api, /✕<\/span> Outage/);
      assert.match(api, /2345 ms response/);
      // 88 passing runs of 90 that judged the target: 97.77% (rounded down, never up to a better figure).
      assert.match(api, /97\.77% uptime, last 90 days/);
      assert.match(backups, /✓<\/span> Operational/);
      assert.match(backups, /100\.00% uptime/);
      assert.doesNotMatch(page, /<script|style=|javascript:/i);
      assert.match(page, /<link rel="stylesheet" href="assets\/status\.css\?v=[0-9a-f]{12}">/);
    });

    it('escapes the plan title and public names', async () => {
      const page = await (await h.get('/status/shop')).text();
      assert.match(page, /<title>Shop &amp; Co &lt;i&gt; status<\/title>/);
      assert.match(page, /<h3>API &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/h3>/);
      assert.doesNotMatch(page, /<i>/);
    });

    it('answers 304 to If-None-Match with the ETag, and a new ETag once the page changes', async () => {
      const first = await h.get('/status/shop');
      const etag = first.headers.get('etag') ?? '';
      assert.match(etag, /^"[\w-]{27}"$/);
      const again = await h.get('/status/shop', { 'if-none-match': etag });
      assert.equal(again.status, 304);
      assert.equal(await again.text(), '');
      assert.equal(again.headers.get('etag'), etag);
      assert.equal((await h.get('/status/shop', { 'if-none-match': `W/${etag}, "other"` })).status, 304);
      h.clock.now = NOW + 120_000;
      const later = await h.get('/status/shop', { 'if-none-match': etag });
      h.clock.now = NOW;
      assert.equal(later.status, 200);
      assert.notEqual(later.headers.get('etag'), etag);
    });

    it('serves badges of shown units only, labelled with the public name and the state in words', async () => {
      const status = await h.get('/badge/shop/api-health/status.svg');
      assert.equal(status.status, 200);
      assert.equal(status.headers.get('content-type'), 'image/svg+xml; charset=utf-8');
      assert.equal(status.headers.get('cache-control'), 'public, max-age=30');
      const svg = await status.text();
      assert.match(svg, /<title>API &lt;script&gt;alert\(1\)&lt;\/script&gt;: outage<\/title>/);
      const day = await (await h.get('/badge/shop/api-health/uptime-24h.svg')).text();
      assert.match(day, /<title>API &lt;script&gt;alert\(1\)&lt;\/script&gt; 24h: 0\.00%<\/title>/);
      const week = await (await h.get('/badge/shop/api-health/uptime-7d.svg')).text();
      assert.match(week, / 7d: 85\.71%<\/title>/); // 6 ok days, 1 critical today
      const month = await (await h.get('/badge/shop/nightly-backup/uptime-30d.svg')).text();
      assert.match(month, /<title>Backups 30d: 100\.00%<\/title>/);
      assert.match(await (await h.get('/badge/shop/nightly-backup/status.svg')).text(), /Backups: operational/);
      const etag = status.headers.get('etag') ?? '';
      assert.equal((await h.get('/badge/shop/api-health/status.svg', { 'if-none-match': etag })).status, 304);
    });

    it('gives the same 404, revealing nothing, for unknown apps, apps without a page and units not shown', async () => {
      const unknown = await h.get('/status/nope');
      const noPage = await h.get('/status/internal');
      assert.equal(unknown.status, 404);
      assert.equal(noPage.status, 404);
      const body = await unknown.text();
      assert.equal(await noPage.text(), body);
      assert.match(body, /There is no status page at this address/);
      assert.doesNotMatch(body, /internal|nope/);
      for (const path of [
        '/status/internal/feed.atom',
        '/status/nope/feed.atom',
        '/status/__proto__',
        '/badge/shop/hidden-admin/status.svg',
        '/badge/shop/api-health/uptime-1y.svg',
        '/badge/shop/constructor/status.svg',
        '/badge/internal/db/status.svg',
        '/badge/nope/x/status.svg',
      ]) {
        const res = await h.get(path);
        assert.equal(res.status, 404, path);
        const text = await res.text();
        for (const s of SECRETS) assert.ok(!text.includes(s), `${path} shows ${s}`);
      }
    });

    it('never shows a target, an internal unit name or anything not marked public (page, feed, badges)', async () => {
      await postAnnouncement(h, { app: 'shop', title: 'Planned work', body: 'Faster checkout.', severity: 'info' });
      const paths = ['/status/shop', '/status/shop/feed.atom', '/status/assets/status.css'];
      for (const unit of ['api-health', 'nightly-backup']) {
        for (const file of ['status.svg', 'uptime-24h.svg', 'uptime-7d.svg', 'uptime-30d.svg']) {
          paths.push(`/badge/shop/${unit}/${file}`);
        }
      }
      for (const path of paths) {
        const res = await h.get(path);
        assert.equal(res.status, 200, path);
        const text = await res.text();
        // The planted strings are really in the store: the page had every chance to leak them.
        for (const s of SECRETS) assert.ok(!text.includes(s), `${path} shows ${s}`);
      }
      const units = await h.store.listUnits();
      assert.ok(units.some((u) => u.target.includes('internal-api.secret-host.example')));
      assert.ok(units.some((u) => u.alert.lastSummary?.includes('SUMMARY-LEAK')));
    });

    it('publishes, lists, shows (escaped) and deletes announcements, and tells live pages', async () => {
      changes.length = 0;
      const created = await postAnnouncement(h, {
        app: 'shop',
        title: '<script>alert("t")</script> & <img src=x onerror=alert(1)>',
        body: "Line one\n<script>document.cookie</script>'quoted'",
        severity: 'critical',
      });
      assert.equal(created.status, 201);
      const a = (await created.json()) as { id: number; app: string; severity: string; endsAt: null };
      assert.deepEqual([a.app, a.severity, a.endsAt], ['shop', 'critical', null]);
      assert.deepEqual(
        changes.map((c) => [c.kind, c.app]),
        [['announcement', 'shop']],
      );
      const list = (await (
        await fetch(`${h.base}/api/announcements?app=shop`, { headers: await authHeaders(h.store.database, 'viewer') })
      ).json()) as { id: number }[];
      assert.ok(list.some((x) => x.id === a.id));
      const page = await (await h.get('/status/shop')).text();
      assert.match(
        page,
        /<strong>&lt;script&gt;alert\(&quot;t&quot;\)&lt;\/script&gt; &amp; &lt;img src=x onerror=alert\(1\)&gt;<\/strong>/,
      );
      assert.match(page, /&lt;script&gt;document\.cookie&lt;\/script&gt;&#39;quoted&#39;/);
      assert.match(page, /<span class="severity">Critical<\/span>/);
      assert.doesNotMatch(page, /<script|<img/);

      const del = await fetch(`${h.base}/api/announcements/${a.id}`, {
        method: 'DELETE',
        headers: await authHeaders(h.store.database, 'operator'),
      });
      assert.equal(del.status, 204);
      assert.doesNotMatch(await (await h.get('/status/shop')).text(), /document\.cookie/);
      const again = await fetch(`${h.base}/api/announcements/${a.id}`, {
        method: 'DELETE',
        headers: await authHeaders(h.store.database, 'operator'),
      });
      assert.equal(again.status, 404);
      assert.equal(changes.length, 2);
    });

    it('refuses bad announcement bodies with the one error shape', async () => {
      const bad = async (body: unknown, status: number, pattern: RegExp) => {
        const res = await postAnnouncement(h, body);
        assert.equal(res.status, status, JSON.stringify(body).slice(0, 80));
        const json = (await res.json()) as { error: string };
        assert.match(json.error, pattern);
      };
      const ok = { app: 'shop', title: 't', body: 'b', severity: 'info' };
      await bad({ ...ok, extra: 1 }, 400, /extra|unrecognized/i);
      await bad({ ...ok, severity: 'meh' }, 400, /severity/);
      await bad({ ...ok, title: '' }, 400, /title/);
      await bad({ ...ok, title: 'x'.repeat(201) }, 400, /title/);
      await bad({ ...ok, startsAt: NOW, endsAt: NOW - 1 }, 400, /endsAt must be after startsAt/);
      await bad({ ...ok, app: 'nope' }, 400, /no app "nope" in the plan; apps: shop, internal/);
      await bad({ ...ok, body: 'x'.repeat(5_001) }, 400, /body/);
      await bad({ ...ok, body: 'x'.repeat(70_000) }, 413, /too large: this route takes at most 64 KiB/);
      await bad('{"app": ', 400, /JSON/i);
      const res = await postAnnouncement(h, { ...ok, extra: 1 });
      const json = (await res.json()) as { code: string; issues: { path: string; message: string }[] };
      assert.equal(json.code, 'invalid_request');
      assert.ok(json.issues.length > 0);
      // "'); drop table announcements; --" is a title like any other.
      const sqlish = await postAnnouncement(h, { ...ok, title: "'); drop table announcements; --" });
      assert.equal(sqlish.status, 201);
      assert.match(await (await h.get('/status/shop')).text(), /&#39;\); drop table announcements; --/);
    });

    it('publishes an Atom feed of the announcements, escaped, with ids and updated', async () => {
      await postAnnouncement(h, { app: 'shop', title: 'Feed <b>bold</b> & co', body: 'x]]>y', severity: 'warning' });
      const res = await h.get('/status/shop/feed.atom');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/atom+xml; charset=utf-8');
      const xml = await res.text();
      assert.match(xml, /^<\?xml version="1\.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom">/);
      assert.match(xml, new RegExp(`<id>${h.base}/status/shop/feed\\.atom</id>`));
      assert.match(xml, /<updated>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z<\/updated>/);
      assert.match(xml, /<title type="text">Feed &lt;b&gt;bold&lt;\/b&gt; &amp; co<\/title>/);
      assert.match(xml, /<content type="text">x\]\]&gt;y<\/content>/);
      const entries = xml.match(/<entry>[\s\S]*?<\/entry>/g) ?? [];
      assert.ok(entries.length >= 2);
      for (const entry of entries) assert.match(entry, /<id>[^<]+\/announcements\/\d+<\/id>[\s\S]*<updated>/);
      assert.doesNotMatch(xml, /<b>|<script/);
    });

    it('serves its stylesheet same-origin, for a year under its hashed URL', async () => {
      const page = await (await h.get('/status/shop')).text();
      const href = page.match(/href="(assets\/status\.css\?v=[0-9a-f]+)"/)?.[1];
      const css = await h.get(`/status/${href}`);
      assert.equal(css.status, 200);
      assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
      assert.equal(css.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.match(await css.text(), /prefers-color-scheme:dark/);
      assert.equal((await h.get('/status/assets/status.css')).headers.get('cache-control'), 'public, max-age=300');
    });
  });
}

async function postAnnouncement(h: StatusHarness, body: unknown): Promise<Response> {
  return fetch(`${h.base}/api/announcements`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await authHeaders(h.store.database, 'operator')) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
