/**
 * Captures the dashboard's overview, a unit page and a public status page from the demo in test/browser/demo.ts
 * into docs/screenshots/*.png (shown in the README). Run: npm run screenshots (needs Debian's chromium).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/browser/browser.js';
import { startDemo } from '../test/browser/demo.js';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const demo = await startDemo();
const browser = await launchChromium();
try {
  // Long enough for live runs: the checkout fires, the slow search warns, the charts reach now.
  await new Promise((r) => setTimeout(r, 8_000));
  for (const scheme of ['light', 'dark'] as const) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: scheme });
    await context.addCookies([{ ...demo.cookie, url: demo.url }]);
    const page = await context.newPage();
    const suffix = scheme === 'dark' ? '-dark' : '';
    await page.goto(`${demo.url}/`);
    await page.getByRole('link', { name: 'kirana-market', exact: true }).waitFor();
    await page.locator('.live-live').waitFor();
    await page.screenshot({ path: join(OUT, `overview${suffix}.png`), fullPage: true });
    if (scheme === 'dark') {
      await context.close();
      continue;
    }
    await page.goto(`${demo.url}/units/kirana-market/checkout`);
    await page.locator('.chart canvas').first().waitFor();
    await page.locator('.uptime').waitFor();
    await page.getByRole('button', { name: '30 d' }).click();
    await page.locator('.chart canvas').first().waitFor();
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(OUT, 'unit.png'), fullPage: true });
    await page.goto(`${demo.url}/apps/kirana-market`);
    await page.locator('svg.spark').first().waitFor();
    await page.screenshot({ path: join(OUT, 'app.png'), fullPage: true });
    await page.goto(`${demo.url}/status/kirana-market`);
    await page.screenshot({ path: join(OUT, 'status.png'), fullPage: true });
    await context.close();
  }
  process.stdout.write(`screenshots written to ${OUT}\n`);
} finally {
  await browser.close();
  await demo.stop();
}
