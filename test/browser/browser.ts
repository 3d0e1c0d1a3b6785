/**
 * Chromium for the browser tests: Debian's `chromium` driven by playwright-core (no browser download). Without it
 * the tests are skipped loudly, except in CI (CI=true), where a missing browser fails the run.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Where the browser is: UPKEEP_CHROMIUM, else Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env.UPKEEP_CHROMIUM ?? '/usr/bin/chromium';

/**
 * The `skip` option for a browser suite: false when Chromium is there; a reason (printed) when it is not. In CI it
 * throws instead, so a CI machine without the browser cannot pass by skipping the walk.
 */
export function browserSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const reason = `chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium, as .ci/run does) or set UPKEEP_CHROMIUM`;
  if (process.env.CI === 'true') throw new Error(`browser tests cannot run in CI: ${reason}`);
  process.stderr.write(`\n*** SKIPPING the browser tests: ${reason} ***\n\n`);
  return reason;
}

/** Launches headless Chromium as the tests and scripts use it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/**
 * Watches a page for anything an injected string could have made run: a dialog (alert/confirm), a page error, or a
 * CSP refusal of an inline script (the shell has none, so any refusal is an injection or a regression).
 */
export function watchPage(page: Page): { problems: string[] } {
  const problems: string[] = [];
  page.on('dialog', (d) => {
    problems.push(`a dialog opened: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to (execute|load|apply)/i.test(msg.text()))
      problems.push(`CSP: ${msg.text()}`);
  });
  return { problems };
}

/** True when any injected script ran on the page (the injected strings set window.__xss). */
export async function injectedScriptRan(page: Page): Promise<unknown> {
  return page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss);
}
