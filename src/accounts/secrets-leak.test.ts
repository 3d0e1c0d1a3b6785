/**
 * Planted secrets never leave: passwords, API tokens, the setup token, session cookies, TOTP secrets and recovery
 * codes are searched for in the database (the SQLite file and WAL, every row of every table), in everything the
 * server logged (pino at debug), and in the API's answers (beyond the one answer that shows each once).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { freshPostgresDatabase, postgresSkipReason } from '../store/test-database.js';
import { type AccountsHarness, ADMIN, accountsHarness } from './test-accounts.js';
import { totpCode } from './totp.js';

void freshPostgresDatabase; // referenced so the test launcher starts PostgreSQL for this file

const pgSkip = postgresSkipReason();
for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`no secret in the store, logs or API on ${backend}`, {
    skip: backend === 'postgres' ? pgSkip : undefined,
  }, () => {
    let h: AccountsHarness;
    const secrets = new Map<string, string>();
    const answers: string[] = [];
    before(async () => {
      h = await accountsHarness(backend);
      const setupToken = await h.setupToken();
      secrets.set('setup token', setupToken);
      secrets.set('admin password', ADMIN.password);
      // The link as a browser opens it: the dashboard's page, then the API call it makes.
      await h.call('GET', `/setup?token=${setupToken}`);
      const setup = await h.call('POST', '/api/auth/setup', { body: { token: setupToken, ...ADMIN } });
      const browser = { cookie: setup.cookies[0]?.value as string, csrf: setup.json().csrfToken };
      secrets.set('session cookie', browser.cookie);
      const userPassword = 'Planted-User-Passw0rd!';
      secrets.set('user password', userPassword);
      await h.call('POST', '/api/users', {
        browser,
        body: { email: 'ops@example.com', role: 'operator', password: userPassword },
      });
      const token = (await h.call('POST', '/api/tokens', { browser, body: { name: 'ci', role: 'viewer' } })).json()
        .token as string;
      secrets.set('API token', token);
      const { secret } = (await h.call('POST', '/api/auth/totp/enroll', { browser })).json() as { secret: string };
      secrets.set('TOTP secret', secret);
      const confirmed = await h.call('POST', '/api/auth/totp/confirm', {
        browser,
        body: { code: totpCode(secret, h.clock.now()) },
      });
      for (const [i, code] of (confirmed.json().recoveryCodes as string[]).entries())
        secrets.set(`recovery code ${i}`, code);
      // Use them, so each path that reads a secret has run and logged what it logs.
      await h.call('POST', '/api/auth/login', { body: { email: 'ops@example.com', password: 'wrong password here' } });
      await h.call('POST', '/api/auth/login', { body: { email: 'ops@example.com', password: userPassword } });
      h.clock.advance(30_000);
      await h.call('POST', '/api/auth/login', {
        body: { ...ADMIN, totp: totpCode(secret, h.clock.now()) },
      });
      await h.call('GET', '/api/units', { headers: { authorization: `Bearer ${token}` } });
      for (const path of [
        '/api/users',
        '/api/tokens',
        '/api/audit',
        '/api/settings',
        '/api/auth/me',
        '/api/auth/setup',
      ])
        answers.push(`${path}: ${(await h.call('GET', path, { browser })).body}`);
    });
    after(() => h?.close());

    const assertAbsent = (where: string, text: string) => {
      assert.ok(text.length > 0, `${where} was searched`);
      for (const [name, value] of secrets) assert.ok(!text.includes(value), `the ${name} appears in ${where}`);
    };

    it('the database holds none of them', async () => {
      if (backend === 'sqlite') {
        const file = h.store.database.where;
        const bytes = [file, `${file}-wal`].map((f) => {
          try {
            return readFileSync(f).toString('latin1');
          } catch {
            return '';
          }
        });
        assertAbsent('the SQLite file and WAL', bytes.join(''));
      }
      const tables = [
        'users',
        'sessions',
        'api_tokens',
        'setup_tokens',
        'recovery_codes',
        'login_throttle',
        'settings',
        'audit_log',
      ];
      let rows = '';
      for (const table of tables)
        rows += JSON.stringify((await sql`select * from ${sql.table(table)}`.execute(h.store.database.db)).rows);
      assertAbsent('the accounts rows', rows);
    });

    it('the logs hold none of them', () => {
      assert.match(h.logs(), /"url":"\/setup\?token=\*\*\*"/, 'request lines are logged, their query values masked');
      assertAbsent('the server logs', h.logs());
    });

    it('the API answers hold none of them', () => {
      assertAbsent('the API answers', answers.join('\n'));
    });
  });
}
