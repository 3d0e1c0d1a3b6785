/**
 * The dashboard walk of issue 8 in a real Chromium against a real `upkeep start`: set up the first admin from the
 * setup link and log in; the overview shows the sample app; the target fails and the unit turns red without a
 * reload; a silenced alert sends nothing while it still shows; pause and resume; a changed plan reloads, a broken
 * one is refused with its errors while the old plan keeps running; the status page shows the outage without login
 * and its badges render; log out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { eventually } from '../../src/cli/test-process.js';
import { browserSkip, injectedScriptRan, launchChromium, watchPage } from './browser.js';
import { EMAIL, type Fixture, INJECTED, logIn, PASSWORD, startFixture } from './fixture.js';

/** The newest run's start of a unit, through the API with the page's session. */
async function lastRunAt(page: Page, url: string, unit: string): Promise<number> {
  const res = await page.request.get(`${url}/api/units/${unit}/runs?limit=1`);
  assert.equal(res.status(), 200, await res.text());
  const runs = (await res.json()) as { startedAt: number }[];
  return runs[0]?.startedAt ?? 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the dashboard in a real browser', { skip: browserSkip(), timeout: 300_000 }, () => {
  let fx: Fixture;
  let browser: Browser;
  before(async () => {
    fx = await startFixture();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await fx?.stop();
  });

  it('walks setup, overview, failure, silence, pause, reloads, status page and log out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const watch = watchPage(page);

    // 1. The setup link creates the first admin; then a plain log out and log in.
    await page.goto(fx.setupUrl);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create the admin' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Sign in to upkeep' }).waitFor();
    await logIn(page, fx.url);

    // 2. The overview lists the sample app.
    const apps = page.locator('section', { has: page.getByRole('heading', { name: /^Apps/ }) });
    await apps.getByRole('link', { name: 'sample', exact: true }).waitFor();

    // 3. The target fails: the unit shows firing without a reload (a marker on window survives only without one).
    await page.evaluate(() => {
      (window as unknown as { __marker: number }).__marker = 1;
    });
    fx.target.failing = true;
    const firing = page.locator('section', { has: page.getByRole('heading', { name: /^Alerts firing now/ }) });
    await firing.getByRole('link', { name: 'sample/api' }).waitFor({ timeout: 15_000 });
    assert.equal(
      await page.evaluate(() => (window as unknown as { __marker?: number }).__marker),
      1,
      'the page reloaded',
    );
    await eventually(async () => fx.notifications.length >= 1, 15_000);

    // 4. Silenced: recovering and failing again sends nothing, while the alert still shows.
    await firing.getByRole('link', { name: 'sample/api' }).click();
    const state = page.getByTestId('unit-state');
    await state.getByText(/firing/).waitFor();
    await page.getByText('Silence…').click();
    await page.getByLabel('Note').first().fill('known: the database is being moved');
    await page.getByRole('button', { name: 'Silence', exact: true }).click();
    await page.getByText(/Silenced: the alert still shows/).waitFor();
    const told = fx.notifications.length;
    fx.target.failing = false;
    await state.getByText(/resolved|ok/).waitFor({ timeout: 15_000 });
    fx.target.failing = true;
    await state.getByText(/firing/).waitFor({ timeout: 15_000 });
    await sleep(3_000); // the notifier is woken by each transition: anything it would send is sent by now
    assert.equal(
      fx.notifications.length,
      told,
      `a silenced alert notified: ${JSON.stringify(fx.notifications.slice(told))}`,
    );

    // 5. Pause stops the runs; resume starts them again.
    await page.getByText('Pause…').click();
    await page.getByLabel('Reason').first().fill('deploying');
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByText('Paused.').waitFor();
    await page.getByText('deploying').first().waitFor();
    await sleep(1_500); // a run already claimed may still finish
    const pausedAt = await lastRunAt(page, fx.url, 'sample/api');
    await sleep(3_000);
    assert.equal(await lastRunAt(page, fx.url, 'sample/api'), pausedAt, 'a paused unit ran');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByText('Resumed.').waitFor();
    await eventually(async () => (await lastRunAt(page, fx.url, 'sample/api')) > pausedAt, 10_000);

    // 6. A changed plan reloads: the new check appears.
    fx.writePlan({ second: true });
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Reload the plan' }).click();
    await page.getByText('Plan reloaded.').waitFor();
    await page.goto(`${fx.url}/apps/sample`);
    await page.getByRole('link', { name: 'api2', exact: true }).waitFor();

    // 7. A broken plan is refused with file:line:col errors; the old plan (api2 included) keeps running.
    fx.writePlan({ second: true, broken: true });
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Reload the plan' }).click();
    await page
      .getByRole('alert')
      .getByText(/upkeep\.yml:\d+:\d+/)
      .first()
      .waitFor();
    const before2 = await lastRunAt(page, fx.url, 'sample/api2');
    await eventually(async () => (await lastRunAt(page, fx.url, 'sample/api2')) > before2, 10_000);
    await page.goto(`${fx.url}/apps/sample`);
    await page.getByRole('link', { name: 'api2', exact: true }).waitFor();

    // 8. The status page shows the outage to someone not signed in, and its badges render.
    const anonymous = await browser.newContext();
    const visitor = await anonymous.newPage();
    const visitorWatch = watchPage(visitor);
    const status = await visitor.goto(`${fx.url}/status/sample`);
    assert.equal(status?.status(), 200);
    const text = (await visitor.locator('body').textContent()) ?? '';
    assert.match(text, /API/);
    assert.match(text, /down|outage|failing|critical|major/i);
    assert.doesNotMatch(text, /\/health|127\.0\.0\.1/, 'the status page shows a target');
    const badge = await anonymous.request.get(`${fx.url}/badge/sample/api/status.svg`);
    assert.equal(badge.status(), 200);
    assert.match(badge.headers()['content-type'] ?? '', /image\/svg\+xml/);
    await visitor.goto(`${fx.url}/badge/sample/api/status.svg`);
    const width = await visitor.evaluate(() => document.documentElement.getBoundingClientRect().width);
    assert.ok(width > 10, `the badge did not render (width ${width})`);
    assert.deepEqual(visitorWatch.problems, []);
    await anonymous.close();

    // 9. Log out: the session is gone.
    await page.goto(`${fx.url}/`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Sign in to upkeep' }).waitFor();
    assert.equal((await page.request.get(`${fx.url}/api/auth/me`)).status(), 401);
    await page.goto(`${fx.url}/settings`);
    await page.getByRole('heading', { name: 'Sign in to upkeep' }).waitFor();

    assert.deepEqual(watch.problems, []);
    assert.equal(await injectedScriptRan(page), undefined);
    await context.close();
  });

  it('renders script-looking strings from the plan, a target, people and pings as text, and runs none of them', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const watch = watchPage(page);
    // Checked on every page, before it is left: a script that ran sets window.__xss.
    const clean = async (where: string) =>
      assert.equal(await injectedScriptRan(page), undefined, `a script ran on ${where}`);
    await logIn(page, fx.url);
    // A ping whose body is markup, sent as a cron job would.
    const beat = (await (await page.request.get(`${fx.url}/api/units/sample/beat`)).json()) as {
      heartbeat?: { pingUrl: string };
    };
    assert.ok(beat.heartbeat?.pingUrl, 'an admin sees the heartbeat ping URL');
    assert.equal((await fetch(beat.heartbeat.pingUrl, { method: 'POST', body: INJECTED.ping })).status, 200);
    // A pause reason and a silence note written by a person.
    await page.goto(`${fx.url}/units/sample/words`);
    await page.getByTestId('unit-state').waitFor();
    await page.getByText('Pause…').click();
    await page.getByLabel('Reason').first().fill(INJECTED.reason);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByText('Paused.').waitFor();
    await page.getByText('Silence…').click();
    await page.getByLabel('Note').first().fill(INJECTED.note);
    await page.getByRole('button', { name: 'Silence', exact: true }).click();
    await page.getByText(/Silenced/).waitFor();
    // Every place they show, as the very text typed (the target's keyword reaches the run's summary).
    await page.reload();
    await page.getByText(INJECTED.reason).first().waitFor();
    await page.getByText(INJECTED.note).first().waitFor();
    await page.getByText(INJECTED.keyword, { exact: false }).first().waitFor({ timeout: 15_000 });
    await clean('the unit page');
    await page.goto(`${fx.url}/`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByLabel('Search and filter').fill('kind:http');
    await page.getByText(INJECTED.keyword, { exact: false }).first().waitFor();
    await clean('the overview');
    await page.goto(`${fx.url}/apps/sample`);
    await page.getByText(INJECTED.keyword, { exact: false }).first().waitFor();
    await clean('the app page');
    await page.goto(`${fx.url}/units/sample/beat`);
    const body = page.locator('pre.ping-body').first();
    await body.waitFor({ state: 'attached' });
    assert.equal(await body.textContent(), INJECTED.ping);
    await clean('the heartbeat page');
    await page.goto(`${fx.url}/audit`);
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByText('sample/words').first().waitFor();
    await clean('the audit log');
    await page.goto(`${fx.url}/status/sample`);
    assert.match((await page.locator('body').textContent()) ?? '', /Sample <script>window\.__xss="title"<\/script>/);
    assert.equal(await injectedScriptRan(page), undefined, 'an injected script ran');
    assert.deepEqual(watch.problems, []);
    await context.close();
  });
});
