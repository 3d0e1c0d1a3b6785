/** Owner-only files in the data directory whatever the umask, a warning for a loose directory, another user's refused. */
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { runCli } from '../cli/test-cli.js';
import { spawnUpkeep } from '../cli/test-process.js';
import { CHANNEL_KEY_FILE, loadChannelKey } from '../notify/channel-key.js';
import { openDatabase } from './database.js';
import { StoreError } from './errors.js';

const root = mkdtempSync(join(tmpdir(), 'upkeep-data-dir-'));
after(() => rmSync(root, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Runs `fn` with the process umask set to `mask`, restoring it after. */
async function withUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const before = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(before);
  }
}

describe('the data directory', () => {
  for (const mask of [0o022, 0o000]) {
    it(`umask ${mask.toString(8).padStart(3, '0')}: the directory is 0700; the database, -wal, -shm and channel key 0600`, async () => {
      const dataDir = join(root, `umask-${mask}`, '.upkeep');
      await withUmask(mask, async () => {
        const database = openDatabase({ dataDir });
        try {
          // A write creates the WAL and the shared-memory index beside the database.
          await sql`create table t (x integer)`.execute(database.db);
          await sql`insert into t values (1)`.execute(database.db);
          await loadChannelKey(dataDir);
          assert.equal(modeOf(dataDir), 0o700);
          for (const name of ['upkeep.db', 'upkeep.db-wal', 'upkeep.db-shm', CHANNEL_KEY_FILE]) {
            assert.equal(modeOf(join(dataDir, name)), 0o600, name);
          }
        } finally {
          await database.db.destroy();
        }
      });
    });
  }

  it('files an older upkeep left 0644 are tightened; a directory others can read gets a warning naming the fix', async () => {
    const dataDir = join(root, 'old');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    for (const name of ['upkeep.db', 'upkeep.db-wal', CHANNEL_KEY_FILE]) {
      writeFileSync(join(dataDir, name), name === CHANNEL_KEY_FILE ? `${'ab'.repeat(32)}\n` : '');
      chmodSync(join(dataDir, name), 0o644);
    }
    const warnings: string[] = [];
    const database = openDatabase({ dataDir, onWarning: (m) => warnings.push(m) });
    try {
      await loadChannelKey(dataDir);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] ?? '', /can be read by other users \(mode 0755\).*chmod 700 \S*old$/);
      assert.equal(modeOf(dataDir), 0o755, 'the directory is the user’s: warned about, not changed');
      for (const name of ['upkeep.db', 'upkeep.db-wal', CHANNEL_KEY_FILE]) {
        assert.equal(modeOf(join(dataDir, name)), 0o600, name);
      }
    } finally {
      await database.db.destroy();
    }
  });

  it('the CLI prints that warning on stderr, once, and goes on', async () => {
    const dataDir = join(root, 'cli-loose');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o750);
    const proc = spawnUpkeep(['status', '--data-dir', dataDir]);
    const { code } = await proc.exited;
    assert.equal(code, 0);
    const lines = proc
      .stderr()
      .split('\n')
      .filter((l) => l.includes('chmod 700'));
    assert.deepEqual(lines, [
      `upkeep: warning: the data directory ${dataDir} can be read by other users (mode 0750); ` +
        `it holds upkeep's store and channel key: chmod 700 ${dataDir}`,
    ]);
  });

  const notRoot = process.getuid?.() !== 0 && 'creating a directory owned by another user needs root (chown)';
  it('a store directory owned by another user is a clear error, not a stack trace', { skip: notRoot }, async () => {
    const dataDir = join(root, 'foreign');
    mkdirSync(dataDir, { mode: 0o700 });
    chownSync(dataDir, 65534, 65534); // nobody
    assert.throws(
      () => openDatabase({ dataDir }),
      (err: unknown) =>
        err instanceof StoreError &&
        /belongs to another user \(uid 65534\).*run upkeep as that user.*--data-dir/.test(err.message),
    );
    await assert.rejects(loadChannelKey(dataDir), /belongs to another user \(uid 65534\)/);
    const { code, err } = await runCli(['status', '--data-dir', dataDir]);
    assert.equal(code, 2);
    assert.match(err, /^upkeep status: upkeep's store failed: the data directory \S+ belongs to another user/);
    assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
  });
});
