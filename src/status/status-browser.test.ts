import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { authHeaders } from '../web/test-auth.js';
import { type StatusHarness, startStatusHarness } from './test-status.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const PLAN = `version: 1
apps:
  shop:
    checks:
      api: { http: "https://shop.example/health" }
    status: { title: "Shop <img src=x onerror=window.__pwned=1>", show: { api: "API <script>window.__pwned=2</script>" } }
`;

// The status page in a real browser: it renders without JavaScript, its stylesheet passes the CSP, injected markup
// never runs, and the Atom feed is well-formed XML to the browser's own parser.
describe('status page in Chromium', () => {
  let h: StatusHarness;
  let browser: Browser;
  before(async () => {
    h = await startStatusHarness(PLAN, 'sqlite', NOW);
    await h.record(
      'shop/api',
      NOW - 60_000,
      { outcome: 'critical', values: { responseTimeMs: 321 } },
      { state: 'firing', severity: 'critical' },
    );
    const res = await fetch(`${h.base}/api/announcements`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await authHeaders(h.store.database, 'operator')) },
      body: JSON.stringify({
        app: 'shop',
        title: '<img src=x onerror="window.__pwned=3">Checkout slow',
        body: '<script>window.__pwned=4</script> & more',
        severity: 'warning',
      }),
    });
    assert.equal(res.status, 201);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it('renders without JavaScript, styled, with the state in words', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('requestfailed', (r) => problems.push(`failed: ${r.url()}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
    });
    const res = await page.goto(`${h.base}/status/shop`);
    assert.equal(res?.status(), 200);
    assert.match((await page.locator('.overall').textContent()) ?? '', /Major outage/);
    assert.match((await page.locator('.unit h3').textContent()) ?? '', /^API <script>window.__pwned=2<\/script>$/);
    assert.match((await page.locator('.announcement').textContent()) ?? '', /Checkout slow/);
    assert.equal(await page.locator('.bar').count(), 90);
    // The stylesheet loaded under the CSP: bars are laid out as a flex row.
    assert.equal(await page.locator('.bars').evaluate((el) => getComputedStyle(el).display), 'flex');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('runs none of the injected markup with JavaScript on', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${h.base}/status/shop`);
    assert.equal(await page.evaluate(() => (window as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.locator('script').count(), 0);
    assert.equal(await page.locator('img').count(), 0);
    assert.deepEqual(violations, []);
    await context.close();
  });

  it('parses the Atom feed as XML, with its entries', async () => {
    const xml = await (await h.get('/status/shop/feed.atom')).text();
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${h.base}/status/shop`);
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'application/xml');
      const ns = 'http://www.w3.org/2005/Atom';
      const entries = [...doc.getElementsByTagNameNS(ns, 'entry')];
      return {
        error: doc.getElementsByTagName('parsererror')[0]?.textContent ?? null,
        root: `${doc.documentElement.namespaceURI} ${doc.documentElement.localName}`,
        id: doc.documentElement.getElementsByTagNameNS(ns, 'id')[0]?.textContent,
        updated: doc.documentElement.getElementsByTagNameNS(ns, 'updated')[0]?.textContent,
        titles: entries.map((e) => e.getElementsByTagNameNS(ns, 'title')[0]?.textContent),
        contents: entries.map((e) => e.getElementsByTagNameNS(ns, 'content')[0]?.textContent),
      };
    }, xml);
    assert.equal(parsed.error, null);
    assert.equal(parsed.root, 'http://www.w3.org/2005/Atom feed');
    assert.equal(parsed.id, `${h.base}/status/shop/feed.atom`);
    assert.match(parsed.updated ?? '', /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(parsed.titles, ['<img src=x onerror="window.__pwned=3">Checkout slow']);
    assert.deepEqual(parsed.contents, ['<script>window.__pwned=4</script> & more']);
    await context.close();
  });
});
