/** `upkeep user` and `upkeep token` in-process against a real SQLite store. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../cli/test-cli.js';
import { openDatabase } from '../store/database.js';
import { accountsContext, tokenPrincipal } from './accounts.js';
import { AccountsStore } from './accounts-store.js';
import { listAudit } from './audit.js';
import { createSession, resolveSession } from './sessions.js';

describe('upkeep user and upkeep token', () => {
  let dir: string;
  const cli = (args: string[], stdin?: string) => runCli([...args, '--data-dir', join(dir, 'data')], { stdin });
  const withDb = async <T>(fn: (db: ReturnType<typeof openDatabase>) => Promise<T>) => {
    const database = openDatabase({ dataDir: join(dir, 'data') });
    try {
      return await fn(database);
    } finally {
      await database.db.destroy();
    }
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'upkeep-user-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('adds a user from a password on stdin, and lists users', async () => {
    const added = await cli(
      ['user', 'add', 'Admin@Example.com', '--role', 'admin', '--password-stdin'],
      'a strong passphrase\n',
    );
    assert.equal(added.code, 0, added.err);
    assert.equal(added.out, 'added admin@example.com (admin)\n');
    const list = await cli(['user', 'list', '--json']);
    const users = JSON.parse(list.out) as { email: string; role: string; totp: boolean }[];
    assert.deepEqual(
      users.map((u) => [u.email, u.role, u.totp]),
      [['admin@example.com', 'admin', false]],
    );
    assert.match((await cli(['user', 'list'])).out, /admin@example\.com\s+admin\s+off/);
    assert.doesNotMatch(added.out + list.out, /strong passphrase/);
  });

  it('refuses bad input with what to do, exit 2, and no stack trace', async () => {
    const cases: [string[], string | undefined, RegExp][] = [
      [['user', 'add', 'x@example.com', '--role', 'admin', '--password-stdin'], 'short\n', /at least 12 characters/],
      [
        ['user', 'add', 'x@example.com', '--role', 'root', '--password-stdin'],
        'a strong passphrase',
        /role must be one of/,
      ],
      [['user', 'add', 'x@example.com', '--role', 'viewer'], undefined, /--password-stdin/],
      [['user', 'add', 'not-an-email', '--role', 'viewer', '--password-stdin'], 'a strong passphrase', /not an email/],
      [
        ['user', 'add', 'admin@example.com', '--role', 'viewer', '--password-stdin'],
        'a strong passphrase',
        /already exists/,
      ],
      [['user', 'remove', 'admin@example.com'], undefined, /last admin/],
      [['user', 'remove', 'nobody@example.com'], undefined, /no user nobody@example\.com/],
      [['token', 'create', '--name', 'ci'], undefined, /--role/],
      [['token', 'revoke', 'nothing'], undefined, /no unrevoked token/],
    ];
    for (const [args, stdin, message] of cases) {
      const res = await cli(args, stdin);
      assert.equal(res.code, 2, args.join(' '));
      assert.match(res.err, message, args.join(' '));
      assert.doesNotMatch(res.err, /\n\s+at /);
    }
  });

  it("passwd changes the password and ends the user's sessions", async () => {
    const cookie = await withDb(async (db) => {
      const ctx = accountsContext(db, { now: Date.now, totpKey: async () => Buffer.alloc(32) });
      const user = await new AccountsStore(db).userByEmail('admin@example.com');
      return createSession(ctx, user?.id as string, '127.0.0.1');
    });
    const res = await cli(['user', 'passwd', 'admin@example.com', '--password-stdin'], 'another strong passphrase');
    assert.equal(res.code, 0, res.err);
    await withDb(async (db) => {
      const ctx = accountsContext(db, { now: Date.now, totpKey: async () => Buffer.alloc(32) });
      assert.equal(await resolveSession(ctx, cookie), null, 'the old session is refused');
      const actions = (await listAudit(db, { limit: 10 })).map((e) => [e.actor.startsWith('cli'), e.action]);
      assert.deepEqual(actions.slice(0, 2), [
        [true, 'user.password'],
        [true, 'user.add'],
      ]);
    });
  });

  it('creates a token printed once, lists it without the secret, and revokes it by name', async () => {
    const created = await cli(['token', 'create', '--name', 'ci', '--role', 'operator']);
    assert.equal(created.code, 0, created.err);
    const token = created.out.trim();
    assert.match(token, /^upk_[A-Za-z0-9_-]{43}$/);
    assert.match(created.err, /shown only now/);
    const list = await cli(['token', 'list', '--json']);
    assert.ok(!list.out.includes(token));
    assert.deepEqual(
      (JSON.parse(list.out) as { name: string; role: string; revokedAt: null }[]).map((t) => [
        t.name,
        t.role,
        t.revokedAt,
      ]),
      [['ci', 'operator', null]],
    );
    const principal = () =>
      withDb((db) =>
        tokenPrincipal(accountsContext(db, { now: Date.now, totpKey: async () => Buffer.alloc(32) }), token),
      );
    assert.equal((await principal())?.role, 'operator');
    const revoked = await cli(['token', 'revoke', 'ci']);
    assert.equal(revoked.code, 0, revoked.err);
    assert.equal(await principal(), null, 'a revoked token is refused');
    assert.match((await cli(['token', 'list'])).out, /ci\s+operator\s+\S+\s+\S+\s+\d{4}-/);
  });

  it('removes a user who is not the last admin', async () => {
    await cli(['user', 'add', 'second@example.com', '--role', 'viewer', '--password-stdin'], 'a strong passphrase');
    const res = await cli(['user', 'remove', 'second@example.com']);
    assert.equal(res.code, 0, res.err);
    assert.doesNotMatch((await cli(['user', 'list'])).out, /second@/);
  });
});
