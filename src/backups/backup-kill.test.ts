/** A backup process killed with SIGKILL mid-write leaves only a `.partial` file; the next run cleans up and succeeds. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ManualClock } from '../schedule/clock.js';
import { runBackup } from './run-backup.js';
import { localTarget } from './target.js';
import { fakeAdapter, newKey, openSqliteCatalog, silentLogger, tempDir } from './test-support.js';

it('kill -9 mid-backup: no archive under a final name; the next run removes the partial and succeeds', async () => {
  const tmp = tempDir('upkeep-kill-');
  const dataDir = join(tmp.dir, 'store');
  const dir = join(tmp.dir, 'backups');
  const key = await newKey();
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', new URL('./test-backup-child.ts', import.meta.url).pathname],
      {
        env: { ...process.env, UPKEEP_BACKUP_CHILD: JSON.stringify({ dataDir, dir, recipient: key.recipient }) },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('writing')) resolve();
        if (out.includes('finished')) reject(new Error('the child finished before it could be killed'));
      });
      child.once('exit', () => reject(new Error(`child exited early: ${out}`)));
    });
    // Let bytes reach the file, then kill without any chance to clean up.
    for (let i = 0; i < 100 && !readdirSync(dir).some((n) => n.endsWith('.partial')); i++) await delay(20);
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    const left = readdirSync(dir);
    assert.equal(left.length, 1);
    assert.match(left[0] as string, /^shop\.main\..*\.tar\.gz\.age\.[\w-]+-\d+\.partial$/);
    const target = localTarget(dir);
    assert.deepEqual(await target.list(), [], 'listings ignore the partial file');

    const { catalog, close } = await openSqliteCatalog(dataDir);
    try {
      const [interrupted] = await catalog.list({ app: 'shop', database: 'main' });
      assert.equal(interrupted?.state, 'running');
      const record = await runBackup({
        adapter: fakeAdapter({ collections: { events: 1_000 } }),
        url: 'mongodb://127.0.0.1:1/shop',
        source: { app: 'shop', database: 'main' },
        targets: [target],
        recipients: [key.recipient],
        catalog,
        clock: new ManualClock(Date.UTC(2026, 3, 1, 1)),
        logger: silentLogger,
      });
      assert.equal(record.state, 'taken');
      assert.deepEqual(readdirSync(dir), [record.file]);
      assert.ok(existsSync(join(dir, record.file)));
      const old = await catalog.get(interrupted?.id as string);
      assert.equal(old?.state, 'failed');
      assert.match(old?.reason ?? '', /^interrupted/);
    } finally {
      await close();
    }
  } finally {
    tmp.dispose();
  }
});
