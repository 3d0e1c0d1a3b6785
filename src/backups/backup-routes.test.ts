import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerBackupRoutes } from './backup-routes.js';
import type { BackupStore } from './backup-store.js';
import { openSqliteCatalog, shopBackup, tempDir } from './test-support.js';

const T0 = Date.UTC(2026, 3, 1, 2);

describe('GET /api/databases/:app/:name/backups', () => {
  const tmp = tempDir();
  let app: FastifyInstance;
  let catalog: BackupStore;
  let close: () => Promise<void>;
  before(async () => {
    ({ catalog, close } = await openSqliteCatalog(tmp.dir));
    await catalog.insert(shopBackup('old', T0));
    await catalog.insert(shopBackup('new', T0 + 1_000));
    await catalog.update('new', {
      state: 'drilled',
      sizeBytes: 1234,
      counts: { 'public.users': 7 },
      drilledAt: T0 + 5,
    });
    app = Fastify();
    registerBackupRoutes(app, catalog);
  });
  after(async () => {
    await app.close();
    await close();
    tmp.dispose();
  });

  it("lists one database's backups newest first with state, size, counts and drill time", async () => {
    const res = await app.inject({ url: '/api/databases/shop/main/backups' });
    assert.equal(res.statusCode, 200);
    const body = res.json() as { id: string; state: string; sizeBytes: number | null; counts: unknown }[];
    assert.deepEqual(
      body.map((b) => [b.id, b.state, b.sizeBytes]),
      [
        ['new', 'drilled', 1234],
        ['old', 'running', null],
      ],
    );
    assert.deepEqual(body[0]?.counts, { 'public.users': 7 });
    const one = await app.inject({ url: '/api/databases/shop/main/backups?limit=1' });
    assert.equal((one.json() as unknown[]).length, 1);
  });

  it('answers an unknown database with an empty list and a bad limit with words', async () => {
    assert.deepEqual((await app.inject({ url: '/api/databases/shop/other/backups' })).json(), []);
    const bad = await app.inject({ url: '/api/databases/shop/main/backups?limit=0' });
    assert.equal(bad.statusCode, 400);
    assert.match((bad.json() as { error: string }).error, /limit must be a whole number/);
  });
});
