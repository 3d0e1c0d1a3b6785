// Writes docs/screenshots/status-page.png (and -dark.png): a public status page with 90 days of runs, rendered by
// upkeep's real server and photographed in Chromium. `node --import tsx scripts/status-screenshot.ts`
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startStatusHarness } from '../src/status/test-status.js';
import { authHeaders } from '../src/web/test-auth.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-22T12:00:00Z');
const TODAY = Math.floor(NOW / DAY) * DAY;
const PLAN = `version: 1
apps:
  shop:
    checks:
      api-health: { http: "https://api.shop.example/health" }
      checkout: { http: "https://shop.example/checkout" }
      nightly-backup: { heartbeat: { every: 1d, grace: 1h } }
    status: { title: "Kirana Market", show: { api-health: "API", checkout: "Checkout", nightly-backup: "Nightly jobs" } }
maintenance:
  - { apps: [shop], schedule: "0 3 * * 0", duration: 1h }
`;

const h = await startStatusHarness(PLAN, 'sqlite', NOW);
try {
  for (let d = 89; d >= 0; d--) {
    const at = TODAY - d * DAY + 3_600_000;
    await h.record('shop/api-health', at, { values: { responseTimeMs: 90 + (d % 7) * 6 } });
    await h.record('shop/checkout', at, {
      outcome: d === 41 || d === 12 ? 'critical' : 'ok',
      values: { responseTimeMs: 210 },
    });
    if (d !== 63) await h.record('shop/nightly-backup', at + 60_000, {});
  }
  await h.record(
    'shop/checkout',
    NOW - 60_000,
    { outcome: 'warning', values: { responseTimeMs: 1830 } },
    { state: 'firing', severity: 'warning' },
  );
  await fetch(`${h.base}/api/announcements`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await authHeaders(h.store.database, 'operator')) },
    body: JSON.stringify({
      app: 'shop',
      title: 'Checkout is slower than usual',
      body: 'Payments go through, but can take a few seconds. We are working with the payment provider.',
      severity: 'warning',
    }),
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  mkdirSync(new URL('../docs/screenshots/', import.meta.url), { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    const context = await browser.newContext({
      viewport: { width: 960, height: 900 },
      colorScheme: scheme,
      javaScriptEnabled: false,
    });
    const page = await context.newPage();
    await page.goto(`${h.base}/status/shop`);
    const file = scheme === 'light' ? 'status-page.png' : 'status-page-dark.png';
    await page.screenshot({ path: new URL(`../docs/screenshots/${file}`, import.meta.url).pathname, fullPage: true });
    await context.close();
  }
  await browser.close();
} finally {
  await h.close();
}
