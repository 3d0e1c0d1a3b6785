/**
 * One backup to several targets (fake adapter, local targets): one dump teed to all; a slow target holds the others
 * back but all complete; a stalled or failing one is dropped with its own reason while the others are kept; every
 * target failing fails the backup; retention prunes each target by its own copies.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ManualClock } from '../schedule/clock.js';
import type { BackupStore } from './backup-store.js';
import { BackupError } from './errors.js';
import { pruneBackups } from './prune-backups.js';
import { type RunBackupOptions, runBackup } from './run-backup.js';
import { type BackupTarget, localTarget } from './target.js';
import { catalogForSuite, fakeAdapter, fullPast, silentLogger, tempDir } from './test-support.js';

const source = { app: 'shop', database: 'main' };

/** A write-through that waits `ms` per chunk (a slow disk), or forever once `hangAfter` bytes went through. */
function slow(ms: number, hangAfter = Number.POSITIVE_INFINITY): Transform {
  let seen = 0;
  return new Transform({
    highWaterMark: 1,
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > hangAfter) return; // never calls back: the write hangs
      delay(ms).then(() => cb(null, chunk));
    },
  });
}

describe('runBackup to several targets', () => {
  const tmp = tempDir();
  let catalog: BackupStore;
  let key: { identity: string; recipient: string };
  const clock = new ManualClock(Date.UTC(2026, 3, 1, 2, 0, 0));
  const dirOf = (name: string) => join(tmp.dir, name);

  catalogForSuite(tmp, (suite) => ({ catalog, key } = suite));

  const run = (targets: BackupTarget[], extra: Partial<RunBackupOptions> = {}, collections = { users: 3_000 }) => {
    clock.advance(3_600_000);
    let dumps = 0;
    const adapter = fakeAdapter({ collections, incompressible: true });
    const dump = adapter.dump.bind(adapter);
    adapter.dump = (url, ctx) => {
      dumps++;
      return dump(url, ctx);
    };
    return runBackup({
      adapter,
      url: 'mongodb://127.0.0.1:27017/shop',
      source,
      targets,
      recipients: [key.recipient],
      catalog,
      clock,
      logger: silentLogger,
      ...extra,
    }).then((record) => ({ record, dumps }));
  };

  it('one dump feeds every target: identical archives, one copy row each, a slow target only slows the rest', async () => {
    const fast = localTarget(dirOf('fast'));
    const slowDisk = localTarget(dirOf('slow'), { writeThrough: () => slow(2) });
    const { record, dumps } = await run([fast, slowDisk]);
    assert.equal(dumps, 1, 'the database is dumped once');
    assert.equal(record.state, 'taken');
    assert.deepEqual(
      record.copies.map((c) => [c.target, c.state, c.sizeBytes]),
      [
        [fast.description, 'written', record.sizeBytes],
        [slowDisk.description, 'written', record.sizeBytes],
      ],
    );
    const [a, b] = await Promise.all([fast.stat(record.file), slowDisk.stat(record.file)]);
    assert.equal(a?.sizeBytes, record.sizeBytes);
    assert.equal(b?.sizeBytes, record.sizeBytes);
  });

  it('a target failing mid-way loses only its copy: the others complete, the failure is recorded with its reason', async () => {
    const good = localTarget(dirOf('good'));
    const full = localTarget(dirOf('full'), { writeThrough: () => fullPast(20_000) });
    const { record } = await run([full, good]);
    assert.equal(record.state, 'taken');
    assert.equal(record.target, full.description, 'the record names the first target, as listed');
    assert.deepEqual(
      record.copies.map((c) => c.state),
      ['failed', 'written'],
    );
    assert.match(record.copies[0]?.reason ?? '', /^target full: no space left in/);
    assert.deepEqual(readdirSync(dirOf('full')), [], 'no partial file left behind');
    assert.deepEqual(readdirSync(dirOf('good')), [record.file]);
  });

  it('a target that stops accepting data is dropped after the stall limit; the other copy completes', async () => {
    const good = localTarget(dirOf('beside-stalled'));
    const stalled = localTarget(dirOf('stalled'), { writeThrough: () => slow(0, 40_000) });
    const started = Date.now();
    const { record } = await run([good, stalled], { stallMs: 300 });
    assert.ok(Date.now() - started < 10_000, 'the stalled target did not hold the backup up');
    assert.deepEqual(
      record.copies.map((c) => c.state),
      ['written', 'failed'],
    );
    assert.match(
      record.copies[1]?.reason ?? '',
      /stopped accepting data for 300 ms; the other copies went on without it/,
    );
    assert.deepEqual(readdirSync(dirOf('beside-stalled')), [record.file]);
    assert.deepEqual(readdirSync(dirOf('stalled')), []);
  });

  it('a target that reads the whole archive but never finishes its put is dropped too; the other copy completes', async () => {
    const good = localTarget(dirOf('beside-unfinished'));
    const base = localTarget(dirOf('unfinished'));
    let aborted = false;
    // Takes every byte (as an upload buffering its last part would), then waits until it is cancelled.
    const unfinished: BackupTarget = {
      ...base,
      put: (_name, stream, opts) =>
        new Promise((_resolve, reject) => {
          stream.resume();
          opts?.signal?.addEventListener('abort', () => {
            aborted = true;
            reject(opts.signal?.reason);
          });
        }),
    };
    const started = Date.now();
    const { record } = await run([good, unfinished], { stallMs: 300 });
    assert.ok(Date.now() - started < 10_000, 'the unfinished put did not hold the backup up');
    assert.ok(aborted, 'the put was cancelled through its signal');
    assert.deepEqual(
      record.copies.map((c) => c.state),
      ['written', 'failed'],
    );
    assert.match(record.copies[1]?.reason ?? '', /stopped accepting data for 300 ms; the other copies went on/);
    assert.deepEqual(readdirSync(dirOf('beside-unfinished')), [record.file]);
  });

  it('every target failing fails the backup for the first one’s reason, with each copy failed', async () => {
    const a = localTarget(dirOf('full-a'), { writeThrough: () => fullPast(10_000) });
    const b = localTarget(dirOf('full-b'), { writeThrough: () => fullPast(30_000) });
    await assert.rejects(
      run([a, b]),
      (err) => err instanceof BackupError && err.reason === 'target-full' && err.message.includes(dirOf('full-a')),
    );
    const [latest] = await catalog.list(source);
    assert.equal(latest?.state, 'failed');
    assert.deepEqual(
      latest?.copies.map((c) => c.state),
      ['failed', 'failed'],
    );
  });

  it('retention prunes each target by its own copies: a copy that failed on one target is not counted there', async () => {
    const src = { app: 'shop', database: 'retention' };
    const a = localTarget(dirOf('keep-a'));
    const healthyB = localTarget(dirOf('keep-b'));
    const failingB = localTarget(dirOf('keep-b'), { writeThrough: () => fullPast(1_000) });
    const ids: string[] = [];
    for (const b of [healthyB, failingB, healthyB]) {
      const { record } = await run([a, b], { source: src }, { users: 100 });
      // Verified as the backup unit does it (each copy read back is the test of check-copies; here: the state).
      await catalog.update(record.id, { state: 'checked', checkedAt: clock.now() });
      ids.push(record.id);
    }
    const prune = (target: BackupTarget) =>
      pruneBackups({ catalog, target, source: src, policy: { last: 2 }, timezone: 'UTC', logger: silentLogger });
    const onA = await prune(a);
    const onB = await prune(healthyB);
    assert.deepEqual(
      onA.removed.map((r) => r.id),
      [ids[0]],
      'A has three copies: the oldest goes',
    );
    assert.deepEqual(
      onB.removed.map((r) => r.id),
      [ids[1]],
      'B has two good copies (the failed one does not count) and keeps both; the failed row goes',
    );
    const files = (dir: string) => readdirSync(dirOf(dir)).sort();
    const fileOf = async (id: string) => (await catalog.get(id))?.file as string;
    assert.deepEqual(files('keep-a'), [await fileOf(ids[1] as string), await fileOf(ids[2] as string)].sort());
    assert.deepEqual(files('keep-b'), [await fileOf(ids[0] as string), await fileOf(ids[2] as string)].sort());
    // The oldest backup lives on through its copy on B; the middle one through its copy on A.
    assert.deepEqual(
      (await catalog.get(ids[0] as string))?.copies.map((c) => c.target),
      [healthyB.description],
    );
    assert.deepEqual(
      (await catalog.get(ids[1] as string))?.copies.map((c) => c.target),
      [a.description],
    );
    // A backup whose last copy is pruned leaves the catalog.
    await pruneBackups({
      catalog,
      target: healthyB,
      source: src,
      policy: { last: 1 },
      timezone: 'UTC',
      logger: silentLogger,
    });
    assert.equal(await catalog.get(ids[0] as string), undefined);
  });
});
