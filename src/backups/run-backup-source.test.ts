/** A source database that cannot be reached is the source's failure, never advice about the backup directory. */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { postgresAdapter } from '../databases/postgres.js';
import { ManualClock } from '../schedule/clock.js';
import type { BackupStore } from './backup-store.js';
import { BackupError } from './errors.js';
import { runBackup } from './run-backup.js';
import { localTarget } from './target.js';
import { newKey, openSqliteCatalog, silentLogger, tempDir } from './test-support.js';

const tmp = tempDir();
let catalog: BackupStore;
let close: () => Promise<void>;
let closedPort: number;

before(async () => {
  ({ catalog, close } = await openSqliteCatalog(join(tmp.dir, 'store')));
  // A port that was just free: nothing listens there.
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closedPort = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
});
after(async () => {
  await close();
  tmp.dispose();
});

it('an unreachable PostgreSQL source fails the backup as the source, without the password', async () => {
  const key = await newKey();
  const url = `postgres://backup:hunter22@127.0.0.1:${closedPort}/shop`;
  const error = await runBackup({
    adapter: postgresAdapter,
    url,
    source: { app: 'shop', database: 'main' },
    targets: [localTarget(join(tmp.dir, 'backups'))],
    recipients: [key.recipient],
    catalog,
    clock: new ManualClock(Date.UTC(2026, 3, 1)),
    logger: silentLogger,
  }).then(
    () => assert.fail('the backup should fail'),
    (err: unknown) => err,
  );
  assert.ok(error instanceof BackupError);
  assert.equal(error.reason, 'source');
  assert.match(error.message, /^dump of shop\/main failed/);
  assert.doesNotMatch(error.message, /backup directory|hunter22/);
  const [record] = await catalog.list({ app: 'shop', database: 'main' });
  assert.equal(record?.state, 'failed');
  assert.doesNotMatch(record?.reason ?? '', /hunter22/);
});
