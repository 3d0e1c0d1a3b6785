/** The read-through of every copy: a damaged copy fails alone; all damaged fails the backup; unreadable is not damage. */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../schedule/clock.js';
import type { BackupStore } from './backup-store.js';
import { checkCopies } from './check-copies.js';
import { runBackup } from './run-backup.js';
import { type BackupTarget, localTarget } from './target.js';
import { catalogForSuite, fakeAdapter, silentLogger, tempDir } from './test-support.js';

describe('checkCopies', () => {
  const tmp = tempDir();
  let catalog: BackupStore;
  let key: { identity: string; recipient: string };
  const clock = new ManualClock(Date.UTC(2026, 3, 1, 2));
  let n = 0;

  catalogForSuite(tmp, (suite) => ({ catalog, key } = suite));

  /** A backup to two fresh folders; returns it and its targets. */
  async function backupToTwo() {
    n++;
    const targets = [localTarget(join(tmp.dir, `a${n}`)), localTarget(join(tmp.dir, `b${n}`))];
    clock.advance(60_000);
    const record = await runBackup({
      adapter: fakeAdapter({ collections: { users: 400 } }),
      url: 'mongodb://127.0.0.1/shop',
      source: { app: 'shop', database: 'main' },
      targets,
      recipients: [key.recipient],
      catalog,
      clock,
      logger: silentLogger,
    });
    return { record, targets, dirs: [join(tmp.dir, `a${n}`), join(tmp.dir, `b${n}`)] };
  }

  const damage = (dir: string, file: string) => {
    const bytes = readFileSync(join(dir, file));
    bytes[bytes.length - 40] = (bytes[bytes.length - 40] ?? 0) ^ 0xff;
    writeFileSync(join(dir, file), bytes);
  };
  const check = (record: Parameters<typeof checkCopies>[0], targets: BackupTarget[]) =>
    checkCopies(record, { targets, identities: [key.identity], catalog, clock });

  it('both copies read back: each copy and the backup are checked', async () => {
    const { record, targets } = await backupToTwo();
    const result = await check(record, targets);
    assert.equal(result.record.state, 'checked');
    assert.deepEqual(
      result.record.copies.map((c) => c.state),
      ['checked', 'checked'],
    );
    assert.deepEqual(
      result.checks.map((c) => c.result),
      ['passed', 'passed'],
    );
  });

  it('one copy damaged: that copy fails with why, the backup is checked through the other', async () => {
    const { record, targets, dirs } = await backupToTwo();
    damage(dirs[1] as string, record.file);
    const result = await check(record, targets);
    assert.equal(result.record.state, 'checked');
    assert.deepEqual(
      result.record.copies.map((c) => c.state),
      ['checked', 'failed'],
    );
    assert.match(result.record.copies[1]?.reason ?? '', /checksum|damaged|authentic|decrypt/i);
    assert.equal(result.checks[1]?.result, 'damaged');
  });

  it('every copy damaged: the backup fails in the check, as a single damaged copy always made it', async () => {
    const { record, targets, dirs } = await backupToTwo();
    for (const dir of dirs) damage(dir, record.file);
    const result = await check(record, targets);
    assert.equal(result.record.state, 'failed');
    assert.equal(result.record.failedIn, 'check');
  });

  it('a copy that cannot be read (its file is gone) is unreadable, not damaged: it keeps its state', async () => {
    const { record, targets, dirs } = await backupToTwo();
    rmSync(join(dirs[0] as string, record.file));
    const result = await check(record, targets);
    assert.equal(result.record.state, 'checked');
    assert.deepEqual(
      result.checks.map((c) => c.result),
      ['unreadable', 'passed'],
    );
    assert.deepEqual(
      result.record.copies.map((c) => c.state),
      ['written', 'checked'],
    );
  });
});
