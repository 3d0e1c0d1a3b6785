/** `upkeep start` with no user: the one-time setup link, a new one per start, and the exposure warning. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exposureWarning, parseTrustProxy } from '../cli/start.js';
import { eventually, spawnUpkeep } from '../cli/test-process.js';

describe('the setup link printed by upkeep start', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'upkeep-setup-'));
    writeFileSync(
      join(dir, 'upkeep.yml'),
      'version: 1\napps:\n  shop:\n    checks:\n      nightly: { heartbeat: { every: 1d } }\n',
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const start = async (...extra: string[]) => {
    const proc = spawnUpkeep([
      'start',
      join(dir, 'upkeep.yml'),
      '--data-dir',
      join(dir, 'data'),
      '--port',
      '0',
      ...extra,
    ]);
    // Starting a process is slow on a loaded machine: allow it more than the usual 15 s.
    try {
      const [, link, url, token] = await proc.waitFor(/^\s+((https?:\/\/\S+)\/setup\?token=(\S+))$/m, 45_000);
      return { proc, link: link as string, url: url as string, token: token as string };
    } catch (err) {
      proc.child.kill('SIGKILL');
      throw err;
    }
  };
  const stop = async (proc: ReturnType<typeof spawnUpkeep>) => {
    proc.child.kill('SIGTERM');
    return proc.exited;
  };
  const setup = (url: string, token: string) =>
    fetch(`${url}/api/auth/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, email: 'admin@example.com', password: 'correct horse battery staple' }),
    });

  it('prints a link; a restart with still no user prints a new one and the old one stops working; it works once', async () => {
    const first = await start();
    await stop(first.proc);
    const second = await start('--host', '0.0.0.0');
    try {
      assert.notEqual(second.token, first.token);
      // Listening on every interface with no user and no https: a warning says what is exposed.
      const warning = await eventually(async () =>
        second.proc
          .stderr()
          .split('\n')
          .find((line) => line.includes('no user yet and no https public URL')),
      );
      assert.match(warning, /listens on 0\.0\.0\.0:[1-9]\d* /);
      const url = second.url.replace('0.0.0.0', '127.0.0.1');
      const old = await setup(url, first.token);
      assert.equal(old.status, 401);
      const ok = await setup(url, second.token);
      assert.equal(ok.status, 200, await ok.clone().text());
      assert.match(ok.headers.get('set-cookie') ?? '', /upkeep_session=.*HttpOnly/);
      assert.equal((await setup(url, second.token)).status, 409, 'single use');
    } finally {
      assert.equal((await stop(second.proc)).code, 0);
    }
    assert.ok(!second.proc.stderr().includes(second.token), 'the token is not in the logs');
    // Once a user exists no link is issued (issueSetupToken returns null: accounts-store.test.ts).
  });
});

describe('start options for reverse proxies (pure)', () => {
  it('reads --trust-proxy / UPKEEP_TRUST_PROXY', () => {
    assert.equal(parseTrustProxy(undefined), false);
    assert.equal(parseTrustProxy('false'), false);
    assert.equal(parseTrustProxy('true'), true);
    assert.equal(parseTrustProxy('1'), 1);
    assert.equal(parseTrustProxy('10.0.0.0/8,127.0.0.1'), '10.0.0.0/8,127.0.0.1');
  });
  it('warns only for a non-loopback host without an https public URL', () => {
    assert.equal(exposureWarning('127.0.0.1', 8080, undefined), undefined);
    assert.equal(exposureWarning('::1', 8080, undefined), undefined);
    assert.equal(exposureWarning('0.0.0.0', 8080, 'https://upkeep.example'), undefined);
    assert.match(exposureWarning('0.0.0.0', 8080, 'http://upkeep.example') ?? '', /passwords and session cookies/);
  });
});
