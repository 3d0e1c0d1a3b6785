/**
 * The dashboard under a base path in a real browser: `upkeep start --base-path /upkeep` prints a setup link under
 * the prefix, the page loads its assets and calls the API under it, the session cookie is scoped to it, and page
 * links stay inside it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserSkip, launchChromium, watchPage } from './browser.js';
import { EMAIL, type Fixture, PASSWORD, startFixture } from './fixture.js';

describe('the dashboard under a base path', { skip: browserSkip(), timeout: 120_000 }, () => {
  let fx: Fixture;
  let browser: Browser;
  before(async () => {
    fx = await startFixture({ basePath: '/upkeep' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await fx?.stop();
  });

  it('sets up, signs in and navigates without leaving /upkeep/', async () => {
    assert.match(fx.url, /\/upkeep$/);
    assert.match(fx.setupUrl, /\/upkeep\/setup\?token=/);
    const context = await browser.newContext();
    const page = await context.newPage();
    const watch = watchPage(page);
    const outside: string[] = [];
    const failed: string[] = [];
    page.on('request', (r) => {
      if (!new URL(r.url()).pathname.startsWith('/upkeep/')) outside.push(r.url());
    });
    page.on('response', (r) => {
      if (r.status() === 404) failed.push(r.url());
    });
    await page.goto(fx.setupUrl);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create the admin' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/upkeep/');
    const [cookie] = await context.cookies();
    assert.equal(cookie?.path, '/upkeep/');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/upkeep/settings');
    await page.goto(`${fx.url}/units/sample/api`);
    await page.getByTestId('unit-state').waitFor();
    await page.goto(`${fx.url}/apps/sample`);
    await page.getByText('This app has a public status page').waitFor();
    assert.equal(
      await page.getByRole('link', { name: '/status/sample' }).getAttribute('href'),
      '/upkeep/status/sample',
    );
    assert.deepEqual(outside, [], 'requests left the base path');
    assert.deepEqual(failed, [], 'requests under the base path were not found');
    assert.deepEqual(watch.problems, []);
    await context.close();
  });
});
