/** pruneBackups removes what retention lets go: the archive first, then its catalog row. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { ManualClock } from '../schedule/clock.js';
import { pruneBackups } from './prune-backups.js';
import { runBackup } from './run-backup.js';
import { localTarget } from './target.js';
import { fakeAdapter, newKey, openSqliteCatalog, silentLogger, tempDir } from './test-support.js';
import { checkBackup } from './verify.js';

it('keeps the newest verified backup per day and the unverified newer ones; removes the rest from disk and catalog', async () => {
  const tmp = tempDir('upkeep-prune-');
  const { catalog, close } = await openSqliteCatalog(join(tmp.dir, 'store'));
  const target = localTarget(join(tmp.dir, 'backups'));
  const key = await newKey();
  const clock = new ManualClock(Date.UTC(2026, 3, 1, 2));
  const source = { app: 'shop', database: 'main' };
  try {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const record = await runBackup({
        adapter: fakeAdapter({ collections: { t: 10 } }),
        url: 'x',
        source,
        targets: [target],
        recipients: [key.recipient],
        catalog,
        clock,
        logger: silentLogger,
      });
      // The newest stays unverified (in flight); the others are checked.
      if (i < 3) await checkBackup(record, { target, identities: [key.identity], catalog, clock });
      ids.push(record.id);
      clock.advance(24 * 3_600_000);
    }
    const dry = await pruneBackups({
      catalog,
      target,
      source,
      policy: { daily: 2 },
      timezone: 'UTC',
      logger: silentLogger,
      dryRun: true,
    });
    assert.deepEqual(
      dry.removed.map((r) => r.id),
      [ids[0]],
    );
    assert.equal(readdirSync(join(tmp.dir, 'backups')).length, 4, 'a dry run removes nothing');

    const result = await pruneBackups({
      catalog,
      target,
      source,
      policy: { daily: 2 },
      timezone: 'UTC',
      logger: silentLogger,
    });
    assert.deepEqual(
      result.removed.map((r) => r.id),
      [ids[0]],
    );
    assert.deepEqual(
      result.kept.map((k) => [k.record.id, k.reasons]),
      [
        [ids[3], ['newer than the newest verified backup']],
        [ids[2], ['daily']],
        [ids[1], ['daily']],
      ],
    );
    assert.deepEqual((await target.list()).map((e) => e.name).sort(), result.kept.map((k) => k.record.file).sort());
    assert.equal(await catalog.get(ids[0] as string), undefined);
  } finally {
    await close();
    tmp.dispose();
  }
});
