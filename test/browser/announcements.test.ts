/**
 * Announcements from the dashboard in a real Chromium: an operator posts one with a script-looking title and body on
 * the app page; it shows in the "Status page" panel and on the public /status/<app> page (no login) as text, with no
 * script run; a viewer sees it but not the post form or delete button; the operator deletes it and it is gone from
 * both.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserSkip, injectedScriptRan, launchChromium, watchPage } from './browser.js';
import { EMAIL, type Fixture, PASSWORD, startFixture } from './fixture.js';

const TITLE = 'Planned work <script>window.__xss="ann-title"</script>';
const BODY = '<img src=x onerror="window.__xss=\'ann-body\'"> back at noon';

/** Adds a user with `role` through the API with the admin's session. */
async function addUser(fx: Fixture, admin: Page, email: string, role: string): Promise<void> {
  const me = await admin.request.get(`${fx.url}/api/auth/me`);
  const { csrfToken } = (await me.json()) as { csrfToken: string };
  const res = await admin.request.post(`${fx.url}/api/users`, {
    headers: { 'x-csrf-token': csrfToken, origin: new URL(fx.url).origin },
    data: { email, role, password: PASSWORD },
  });
  assert.equal(res.status(), 201, await res.text());
}

/** A fresh browser context signed in as `email`. */
async function signedIn(browser: Browser, fx: Fixture, email: string): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${fx.url}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  return { ctx, page };
}

describe('announcements from the dashboard', { skip: browserSkip(), timeout: 180_000 }, () => {
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

  it('an operator posts one, it shows as text in the panel and on the public page, then deletes it', async () => {
    const adminCtx = await browser.newContext();
    const admin = await adminCtx.newPage();
    await admin.goto(fx.setupUrl);
    await admin.getByLabel('Email').fill(EMAIL);
    await admin.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await admin.getByLabel('Password again').fill(PASSWORD);
    await admin.getByRole('button', { name: 'Create the admin' }).click();
    await admin.getByRole('heading', { name: 'Overview' }).waitFor();
    await addUser(fx, admin, 'op@example.com', 'operator');
    await addUser(fx, admin, 'viewer@example.com', 'viewer');
    await adminCtx.close();

    const { ctx, page } = await signedIn(browser, fx, 'op@example.com');
    const watch = watchPage(page);
    await page.goto(`${fx.url}/apps/sample`);
    const panel = page.locator('section', { has: page.getByRole('heading', { name: 'Status page' }) });
    await panel.getByText('This app has a public status page').waitFor();
    assert.equal(await panel.getByRole('link', { name: '/status/sample' }).getAttribute('href'), '/status/sample');
    await panel.getByText('No announcements').waitFor();

    // A bad input is refused in words (an end before the start), nothing is posted.
    await panel.getByText('Post an announcement…').click();
    await panel.getByLabel('Title').fill(TITLE);
    await panel.getByLabel('Severity').selectOption('warning');
    await panel.getByLabel('Message').fill(BODY);
    await panel.getByLabel(/^Starts/).fill('2030-01-02T10:00');
    await panel.getByLabel(/^Ends/).fill('2030-01-01T10:00');
    await panel.getByRole('button', { name: 'Post the announcement' }).click();
    await panel
      .getByRole('alert')
      .getByText(/endsAt must be after startsAt/)
      .waitFor();

    await panel.getByLabel(/^Starts/).fill('');
    await panel.getByLabel(/^Ends/).fill('');
    await panel.getByRole('button', { name: 'Post the announcement' }).click();
    await panel.getByText('Announcement posted.').waitFor();
    const item = panel.getByTestId('announcement');
    await item.getByText(TITLE, { exact: true }).waitFor();
    assert.equal(await item.locator('.announcement-body').textContent(), BODY);
    assert.match((await item.locator('.state').textContent()) ?? '', /▲\s*warning/);
    assert.match((await item.textContent()) ?? '', /until deleted/);
    assert.ok(
      await item.locator('time[title]').first().getAttribute('title'),
      'the start shows its full time on hover',
    );
    assert.equal(await injectedScriptRan(page), undefined, 'a script in the announcement ran on the dashboard');

    // The public page, without a session, shows it as text and runs none of it.
    const publicCtx = await browser.newContext();
    const visitor = await publicCtx.newPage();
    const publicWatch = watchPage(visitor);
    await visitor.goto(`${fx.url}/status/sample`);
    await visitor.getByText(TITLE, { exact: true }).waitFor();
    assert.match((await visitor.content()).replaceAll('&#39;', "'"), /&lt;img src=x onerror=/);
    assert.equal(await injectedScriptRan(visitor), undefined, 'a script in the announcement ran on the status page');

    // A viewer sees the announcement but neither the form nor the delete button.
    const v = await signedIn(browser, fx, 'viewer@example.com');
    await v.page.goto(`${fx.url}/apps/sample`);
    await v.page.getByTestId('announcement').getByText(TITLE, { exact: true }).waitFor();
    assert.equal(await v.page.getByText('Post an announcement…').count(), 0);
    assert.equal(await v.page.getByRole('button', { name: 'Delete' }).count(), 0);
    await v.ctx.close();

    await item.getByRole('button', { name: 'Delete' }).click();
    await panel.getByText('No announcements').waitFor();
    assert.equal(await panel.getByTestId('announcement').count(), 0);
    await visitor.reload();
    await visitor.getByRole('heading').first().waitFor();
    assert.equal(await visitor.getByText(TITLE).count(), 0, 'the deleted announcement still shows on the status page');

    assert.deepEqual(watch.problems, []);
    assert.deepEqual(publicWatch.problems, []);
    await publicCtx.close();
    await ctx.close();
  });
});
