import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { quietScheduler, type StatusHarness, startStatusHarness } from './test-status.js';

const NOW = Date.parse('2026-11-22T12:00:00Z'); // a Sunday
const PLAN = `version: 1
apps:
  shop:
    checks:
      api: { http: "https://shop.example/health" }
      web: { http: "https://shop.example/" }
    status: { title: "Shop", show: { api: "API", web: "Website" } }
maintenance:
  - { apps: [shop], from: "2026-11-22T11:00:00Z", to: "2026-11-22T13:00:00Z", description: "MAINT-NOTE db.internal" }
  - { apps: [shop], schedule: "0 3 * * 0", duration: 1h, description: "MAINT-NOTE weekly" }
`;

describe('status page: maintenance and upkeep’s own trouble', () => {
  let h: StatusHarness;
  let unitErrors: Record<string, { message: string; since: number }> = {};
  before(async () => {
    const scheduler = quietScheduler(NOW);
    h = await startStatusHarness(PLAN, 'sqlite', NOW, {
      scheduler: { status: () => ({ ...scheduler.status(), unitErrors }) },
    });
    await h.record('shop/api', NOW - 60_000, {}, { state: 'maintenance', resumeState: 'ok' });
    await h.record('shop/web', NOW - 60_000, {});
  });
  after(() => h?.close());

  it('shows the open window and the next ones, by time only, and the state as maintenance', async () => {
    const page = await (await h.get('/status/shop')).text();
    assert.match(page, /Under maintenance<\/p>/);
    const section = page.match(/<section class="maintenance"[\s\S]*?<\/section>/)?.[0] ?? '';
    assert.match(
      section,
      /Now: <time datetime="2026-11-22T11:00:00\.000Z">2026-11-22 11:00 UTC<\/time> to <time[^>]*>2026-11-22 13:00 UTC<\/time>/,
    );
    assert.match(section, /Scheduled: <time datetime="2026-11-29T03:00:00\.000Z">/);
    // A window's description is the team's note, not marked public.
    assert.doesNotMatch(page, /MAINT-NOTE|db\.internal/);
  });

  it('a unit whose result upkeep could not store shows no data, never an outage', async () => {
    unitErrors = { 'shop/web': { message: 'SQLITE_FULL at /srv/upkeep', since: NOW } };
    try {
      const page = await (await h.get('/status/shop')).text();
      const web = page.split('<li class="unit">')[2] ?? '';
      assert.match(web, /<h3>Website<\/h3><span class="state state-unknown">/);
      assert.doesNotMatch(page, /SQLITE_FULL|Outage/);
      assert.match(await (await h.get('/badge/shop/web/status.svg')).text(), /Website: no data/);
    } finally {
      unitErrors = {};
    }
  });
});
