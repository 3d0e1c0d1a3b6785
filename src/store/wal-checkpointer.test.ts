/** Background WAL checkpoints: the database file receives the writer's pages without the writer checkpointing. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { openDatabase } from './database.js';
import { startWalCheckpointer } from './wal-checkpointer.js';

const logger = pino({ level: 'silent' });

describe('startWalCheckpointer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'upkeep-wal-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('copies WAL frames into the database file from a worker, and stops cleanly', async () => {
    const database = openDatabase({ dataDir: dir });
    const sqlite = database.sqlite as NonNullable<typeof database.sqlite>;
    const file = join(dir, 'upkeep.db');
    sqlite.exec('create table filler (id integer primary key, text text)');
    const insert = sqlite.prepare('insert into filler (text) values (?)');
    // ~2 MB: far below the writer's own autocheckpoint (10,000 pages), so only the worker can move it.
    sqlite.transaction(() => {
      for (let i = 0; i < 2_000; i++) insert.run('x'.repeat(1_000));
    })();
    const before = statSync(file).size;
    assert.ok(before < 1_000_000, `the rows are still in the WAL (database file ${before} bytes)`);
    const checkpointer = startWalCheckpointer(database, { logger, everyMs: 20 });
    assert.ok(checkpointer);
    const deadline = Date.now() + 10_000;
    while (statSync(file).size < 2_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(statSync(file).size >= 2_000_000, `the database file grew to ${statSync(file).size} bytes`);
    await checkpointer.stop();
    await checkpointer.stop(); // a second stop is harmless
    assert.equal((sqlite.prepare('select count(*) as n from filler').get() as { n: number }).n, 2_000);
    await database.db.destroy();
  });

  it('does nothing for PostgreSQL (no SQLite handle)', () => {
    const fake = { ...openDatabase({ dataDir: dir }) };
    const handle = fake.sqlite;
    fake.sqlite = undefined;
    assert.equal(startWalCheckpointer(fake, { logger }), undefined);
    handle?.close();
  });
});
