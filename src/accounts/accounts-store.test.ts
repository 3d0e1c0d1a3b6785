/** The accounts store on SQLite and PostgreSQL: single-use claims hold under concurrency; rows read back as written. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createStore, type KyselyStore } from '../runs/kysely-store.js';
import { freshPostgresDatabase, postgresSkipReason } from '../store/test-database.js';
import {
  type AccountsContext,
  accountsContext,
  addUser,
  createToken,
  issueSetupToken,
  tokenPrincipal,
} from './accounts.js';
import { AccountsStore } from './accounts-store.js';
import { listAudit, recordAudit } from './audit.js';
import { sha256Hex } from './secrets.js';
import { createSession } from './sessions.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const pgSkip = postgresSkipReason();

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`accounts store on ${backend}`, { skip: backend === 'postgres' ? pgSkip : undefined }, () => {
    let store: KyselyStore;
    let accounts: AccountsStore;
    let ctx: AccountsContext;
    const now = T0;
    let dispose: () => Promise<void>;
    before(async () => {
      if (backend === 'postgres') {
        const database = await freshPostgresDatabase();
        store = createStore({ databaseUrl: database.url, poolSize: 6 });
        dispose = () => database.drop();
      } else {
        const dir = mkdtempSync(join(tmpdir(), 'upkeep-accounts-store-'));
        store = createStore({ dataDir: dir });
        dispose = async () => rmSync(dir, { recursive: true, force: true });
      }
      await store.migrate();
      accounts = new AccountsStore(store.database);
      ctx = accountsContext(store.database, { now: () => now, totpKey: async () => Buffer.alloc(32) });
    });
    after(async () => {
      await store?.close();
      await dispose?.();
    });

    it('a setup token is consumed by exactly one of many concurrent requests, and not after 1 h', async () => {
      const token = (await issueSetupToken(ctx)) as string;
      const won = await Promise.all(Array.from({ length: 6 }, () => accounts.consumeSetupToken(sha256Hex(token), now)));
      assert.equal(won.filter(Boolean).length, 1);
      const late = (await issueSetupToken(ctx)) as string;
      assert.equal(await accounts.consumeSetupToken(sha256Hex(late), T0 + 3_600_000), false, 'expired after 1 h');
      assert.equal(await accounts.consumeSetupToken(sha256Hex(late), T0 + 3_599_999), true);
    });

    it('stores users with emails lower-cased and refuses a second with the same email', async () => {
      const user = await addUser(ctx, {
        email: 'Ops@Example.com',
        role: 'operator',
        password: 'a long enough password',
      });
      assert.equal(user.email, 'ops@example.com');
      await assert.rejects(
        addUser(ctx, { email: 'ops@example.com', role: 'viewer', password: 'a long enough password' }),
        /already exists/,
      );
      assert.deepEqual(
        (await accounts.listUsers()).map((u) => [u.email, u.role, u.totp]),
        [['ops@example.com', 'operator', false]],
      );
      assert.equal(await issueSetupToken(ctx), null, 'no setup link once a user exists');
    });

    it('a recovery code and a TOTP step are used once even by concurrent requests', async () => {
      const user = (await accounts.userByEmail('ops@example.com'))?.id as string;
      await accounts.replaceRecoveryCodes(user, ['h1', 'h2']);
      const uses = await Promise.all(Array.from({ length: 5 }, () => accounts.useRecoveryCode(user, 'h1', now)));
      assert.equal(uses.filter(Boolean).length, 1);
      const steps = await Promise.all(Array.from({ length: 5 }, () => accounts.advanceTotpStep(user, 100)));
      assert.equal(steps.filter(Boolean).length, 1);
      assert.equal(await accounts.advanceTotpStep(user, 99), false, 'an older step is refused');
      assert.equal(await accounts.advanceTotpStep(user, 101), true);
    });

    it("writes a token's last use at most once a minute", async () => {
      const { id } = await createToken(ctx, { name: 'ci', role: 'viewer', createdBy: null });
      await accounts.touchToken(id, T0, 60_000);
      await accounts.touchToken(id, T0 + 59_000, 60_000);
      assert.equal((await accounts.findTokens(id))[0]?.lastUsedAt, T0);
      await accounts.touchToken(id, T0 + 60_000, 60_000);
      assert.equal((await accounts.findTokens('ci'))[0]?.lastUsedAt, T0 + 60_000);
    });

    it('removing a user removes their sessions and revokes the tokens they created', async () => {
      const user = (await accounts.userByEmail('ops@example.com'))?.id as string;
      const cookie = await createSession(ctx, user, '127.0.0.1');
      const { token } = await createToken(ctx, { name: 'ops-script', role: 'operator', createdBy: user });
      assert.ok(await tokenPrincipal(ctx, token));
      assert.ok(await accounts.sessionWithUser(sha256Hex(cookie)));
      await accounts.deleteUser(user, T0 + 5);
      assert.equal(await accounts.sessionWithUser(sha256Hex(cookie)), undefined);
      assert.equal(await tokenPrincipal(ctx, token), null, "a removed user's token no longer works");
      assert.equal((await accounts.findTokens('ops-script'))[0]?.revokedAt, T0 + 5);
    });

    it('upserts throttle rows and settings', async () => {
      await accounts.putThrottle('ip:x', { failures: 1, lastFailureAt: T0, blockedUntil: T0 });
      await accounts.putThrottle('ip:x', { failures: 2, lastFailureAt: T0 + 1, blockedUntil: T0 + 5 });
      assert.deepEqual(
        await accounts.throttleStates(['ip:x', 'ip:y']),
        new Map([['ip:x', { failures: 2, lastFailureAt: T0 + 1, blockedUntil: T0 + 5 }]]),
      );
      await accounts.putSetting('requireTotp', 'true');
      await accounts.putSetting('requireTotp', 'false');
      assert.equal(await accounts.getSetting('requireTotp'), 'false');
    });

    it('pages the audit log newest first and keeps text as text', async () => {
      const odd = "'); DROP TABLE audit_log; -- <script>alert(1)</script>";
      for (let i = 0; i < 5; i++)
        await recordAudit(store.database, {
          actor: odd,
          action: `test.${i}`,
          target: odd,
          ip: '::1',
          detail: { i },
          at: T0 + i,
        });
      const first = await listAudit(store.database, { limit: 3 });
      assert.deepEqual(
        first.map((e) => e.action),
        ['test.4', 'test.3', 'test.2'],
      );
      assert.equal(first[0]?.actor, odd);
      assert.deepEqual(first[0]?.detail, { i: 4 });
      const next = await listAudit(store.database, { limit: 3, before: first.at(-1)?.id });
      assert.deepEqual(next.map((e) => e.action).slice(0, 2), ['test.1', 'test.0']);
    });
  });
}
