/** `upkeep backups` shows each backup's copies (table and --json), read from the store alone. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../cli/test-cli.js';
import { backupRows } from './backups-command.js';
import { openSqliteCatalog, shopBackup, tempDir } from './test-support.js';

const T0 = Date.UTC(2026, 3, 1, 2);

describe('upkeep backups: copies per backup', () => {
  const tmp = tempDir('upkeep-backups-copies-');
  const dataDir = join(tmp.dir, '.upkeep');

  before(async () => {
    const { catalog, close } = await openSqliteCatalog(dataDir);
    const start = (id: string, targets: string[], startedAt: number) => shopBackup(id, startedAt, { targets });
    await catalog.insert(start('11111111-aaaa', ['file:/srv/backups', 's3://offsite/shop'], T0));
    await catalog.update('11111111-aaaa', { state: 'checked', takenAt: T0 + 1, checkedAt: T0 + 2, sizeBytes: 2048 });
    await catalog.updateCopy('11111111-aaaa', 'file:/srv/backups', { state: 'checked', writtenAt: T0 + 1 });
    await catalog.updateCopy('11111111-aaaa', 's3://offsite/shop', {
      state: 'failed',
      failedAt: T0 + 1,
      reason: 'the bucket "offsite" does not exist',
    });
    await catalog.insert(start('22222222-bbbb', ['file:/srv/backups'], T0 - 86_400_000));
    await close();
  });
  after(() => tmp.dispose());

  it('the table has a COPIES column: each target with its copy state', async () => {
    const r = await runCli(['backups', 'shop/main', '--data-dir', dataDir], { cwd: tmp.dir });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^ID +STARTED +STATE +SIZE +TOOK +ITEMS +LAST CHANGE +REASON +COPIES$/m);
    assert.match(r.out, /^11111111 .* checked .*file:\/srv\/backups checked, s3:\/\/offsite\/shop failed$/m);
    assert.match(r.out, /^22222222 .* running .*file:\/srv\/backups running$/m);
  });

  it('--json lists every copy with its state, size and reason', async () => {
    const r = await runCli(['backups', 'shop/main', '--json', '--data-dir', dataDir], { cwd: tmp.dir });
    assert.equal(r.code, 0, r.err);
    const { backups } = JSON.parse(r.out) as { backups: { id: string; copies: Record<string, unknown>[] }[] };
    assert.deepEqual(backups[0]?.copies, [
      {
        target: 'file:/srv/backups',
        state: 'checked',
        sizeBytes: null,
        writtenAt: T0 + 1,
        checkedAt: null,
        failedAt: null,
        reason: null,
      },
      {
        target: 's3://offsite/shop',
        state: 'failed',
        sizeBytes: null,
        writtenAt: null,
        checkedAt: null,
        failedAt: T0 + 1,
        reason: 'the bucket "offsite" does not exist',
      },
    ]);
  });

  it('a record with no copy rows shows its own target (pure rows)', () => {
    const record = shopBackup('x', T0, { targets: ['file:/b'] });
    assert.equal(backupRows([{ ...record, copies: [] }], T0, false)[0]?.at(-1), 'file:/b');
  });
});
