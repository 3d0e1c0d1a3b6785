/** The backup pipeline end to end with a fake adapter: archive contents, checksums, catalog rows, and its faults. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Decrypter } from 'age-encryption';
import { ManualClock } from '../schedule/clock.js';
import { recipientFingerprint } from './age-crypto.js';
import type { BackupRecord } from './backup-record.js';
import type { BackupStore } from './backup-store.js';
import { BackupError } from './errors.js';
import { defaultOwner } from './partial-names.js';
import { ownerIsLive, runBackup } from './run-backup.js';
import { localTarget } from './target.js';
import { catalogForSuite, fakeAdapter, silentLogger, tempDir } from './test-support.js';

const source = { app: 'shop', database: 'main' };
const URL_WITH_SECRET = 'mongodb://backup:s3cr3t-pass@127.0.0.1:27017/shop';

describe('runBackup', () => {
  const tmp = tempDir();
  let catalog: BackupStore;
  let key: { identity: string; recipient: string };
  const clock = new ManualClock(Date.UTC(2026, 3, 1, 2, 0, 0));
  const backupsDir = join(tmp.dir, 'backups');

  catalogForSuite(tmp, (suite) => ({ catalog, key } = suite));

  const run = (adapter: ReturnType<typeof fakeAdapter>, target = localTarget(backupsDir)) => {
    clock.advance(60_000);
    return runBackup({
      adapter,
      url: URL_WITH_SECRET,
      source,
      targets: [target],
      recipients: [key.recipient],
      catalog,
      clock,
      logger: silentLogger,
    });
  };

  it('streams dump → gzip → age into the target and records checksums, counts and fingerprints', async () => {
    const adapter = fakeAdapter({ collections: { users: 500, orders: 2_000 } });
    const record = await run(adapter);
    assert.equal(record.state, 'taken');
    assert.deepEqual(record.counts, { users: 500, orders: 2_000 });
    assert.deepEqual(record.recipients, [recipientFingerprint(key.recipient)]);
    assert.match(record.file, /^shop\.main\.20260401T020100Z\.[0-9a-f]{8}\.tar\.gz\.age$/);
    const bytes = readFileSync(join(backupsDir, record.file));
    assert.equal(record.sizeBytes, bytes.length);
    assert.equal(record.ciphertextSha256, createHash('sha256').update(bytes).digest('hex'));
    const decrypter = new Decrypter();
    decrypter.addIdentity(key.identity);
    const plain = gunzipSync(await decrypter.decrypt(bytes));
    assert.equal(record.plaintextSha256, createHash('sha256').update(plain).digest('hex'));
    assert.equal(record.plaintextBytes, plain.length);
    assert.equal(
      plain
        .toString()
        .split('\n')
        .filter((l) => l.startsWith('orders\t')).length,
      2_000,
    );
    assert.equal(record.durationMs, 0);
    assert.deepEqual(await catalog.get(record.id), record);
  });

  it('streams: 140 MB of dump passes with bounded memory', async () => {
    const base = memory();
    let peak = base;
    const timer = setInterval(() => {
      peak = Math.max(peak, memory());
    }, 5);
    try {
      const record = await run(fakeAdapter({ collections: { events: 1_000_000 }, docBytes: 130 }));
      assert.ok((record.plaintextBytes as number) > 140_000_000);
    } finally {
      clearInterval(timer);
    }
    const grewMb = (peak - base) / 1e6;
    assert.ok(grewMb < 80, `memory grew by ${grewMb.toFixed(0)} MB while streaming 140 MB`);
  });

  it('skips gzip when the adapter format is already compressed', async () => {
    const record = await run(fakeAdapter({ collections: { t: 10 }, compressed: true }));
    assert.equal(record.gzip, false);
    assert.match(record.file, /\.tar\.age$/);
  });

  it('a source failing mid-dump removes the partial file, records the failure and leaves older backups intact', async () => {
    const before = readdirSync(backupsDir).sort();
    await assert.rejects(run(fakeAdapter({ collections: { users: 50_000 }, failAfterBytes: 200_000 })), (err) => {
      assert.ok(err instanceof BackupError);
      assert.equal(err.reason, 'source');
      assert.match(err.message, /lost mid-dump/);
      return true;
    });
    assert.deepEqual(readdirSync(backupsDir).sort(), before);
    const [latest] = await catalog.list(source);
    assert.equal(latest?.state, 'failed');
    assert.equal(latest?.failedIn, 'backup');
    assert.match(latest?.reason ?? '', /dump of shop\/main failed: .*lost mid-dump/);
    for (const name of before) assert.ok(readFileSync(join(backupsDir, name)).length > 0);
  });

  it('a full disk is a clear target-full error and leaves no temporary file', async () => {
    const before = readdirSync(backupsDir).sort();
    const limited = localTarget(backupsDir, { writeThrough: () => failPast(1_000, 'ENOSPC') });
    await assert.rejects(run(fakeAdapter({ collections: { users: 20_000 } }), limited), (err) => {
      assert.ok(err instanceof BackupError);
      assert.equal(err.reason, 'target-full');
      assert.match(err.message, /^target full: no space left in .*backups after \d+ bytes/);
      return true;
    });
    assert.deepEqual(readdirSync(backupsDir).sort(), before);
    const [latest] = await catalog.list(source);
    assert.equal(latest?.state, 'failed');
    assert.match(latest?.reason ?? '', /^target full/);
  });

  it('a cancelled run (signal) is recorded as aborted and leaves no file', async () => {
    const before = readdirSync(backupsDir).sort();
    const controller = new AbortController();
    const adapter = fakeAdapter({ collections: { users: 100_000 }, chunkDelayMs: 5 });
    clock.advance(60_000);
    const running = runBackup({
      adapter,
      url: URL_WITH_SECRET,
      source,
      targets: [localTarget(backupsDir)],
      recipients: [key.recipient],
      catalog,
      clock,
      logger: silentLogger,
      signal: controller.signal,
      progress: (p) => {
        if (p.bytes > 50_000) controller.abort();
      },
    });
    await assert.rejects(running, (err) => err instanceof BackupError && err.reason === 'aborted');
    assert.deepEqual(readdirSync(backupsDir).sort(), before);
    const [latest] = await catalog.list(source);
    assert.equal(latest?.state, 'failed');
    assert.match(latest?.reason ?? '', /cancelled/);
  });

  it('a dump whose summary fails after the last byte never appears under its final name', async () => {
    const before = readdirSync(backupsDir).sort();
    const adapter = fakeAdapter({ collections: { users: 10 } });
    const dump = adapter.dump;
    adapter.dump = (url, ctx) => {
      const d = dump(url, ctx);
      return { stream: d.stream, summary: d.summary.then(() => Promise.reject(new Error('counts query failed'))) };
    };
    await assert.rejects(run(adapter), /counts query failed/);
    assert.deepEqual(readdirSync(backupsDir).sort(), before);
  });

  it('leaves a backup of the same database that is still being written by a live process alone', async () => {
    const inFlight = {
      ...(await catalog.list(source))[0],
      id: 'in-flight',
      state: 'running' as const,
      file: 'shop.main.x.tar.gz.age',
    };
    await catalog.insert({
      ...(inFlight as BackupRecord),
      takenAt: null,
      failedAt: null,
      failedIn: null,
      reason: null,
    });
    const partial = join(backupsDir, `shop.main.x.tar.gz.age.${defaultOwner().replace(/[^A-Za-z0-9-]/g, '-')}.partial`);
    writeFileSync(partial, 'being written');
    try {
      const record = await run(fakeAdapter({ collections: { users: 5 } }));
      assert.equal(record.state, 'taken');
      assert.equal((await catalog.get('in-flight'))?.state, 'running');
      assert.ok(existsSync(partial));
      assert.ok(ownerIsLive(defaultOwner()));
      assert.equal(ownerIsLive(`${hostname().replace(/[^A-Za-z0-9-]/g, '-')}-999999999`), false);
    } finally {
      rmSync(partial);
      await catalog.remove('in-flight');
    }
  });

  it('a target that cannot be written is a target error, and the dump is released', async () => {
    const notADir = join(tmp.dir, 'a-file');
    writeFileSync(notADir, 'x');
    const adapter = fakeAdapter({ collections: { users: 100_000 } });
    let dumped: Readable | undefined;
    const dump = adapter.dump;
    adapter.dump = (url, ctx) => {
      const d = dump(url, ctx);
      dumped = d.stream;
      return d;
    };
    await assert.rejects(run(adapter, localTarget(join(notADir, 'backups'))), (err) => {
      assert.ok(err instanceof BackupError);
      assert.equal(err.reason, 'target');
      assert.match(
        err.message,
        /cannot create the backup directory .*Check that the backup directory exists and is writable/,
      );
      return true;
    });
    assert.equal(dumped?.destroyed, true);
  });

  it('never lets the connection string password into errors or the catalog', async () => {
    const leaky = fakeAdapter({ collections: { users: 10 } });
    leaky.dump = () => {
      const stream = new Readable({ read() {} });
      const summary = Promise.reject(new Error(`cannot connect to ${URL_WITH_SECRET}`));
      summary.catch(() => undefined);
      queueMicrotask(() => stream.destroy(new Error('auth failed for s3cr3t-pass')));
      return { stream, summary };
    };
    const err = await run(leaky).then(
      () => assert.fail('should fail'),
      (e: Error) => e,
    );
    assert.doesNotMatch(err.message, /s3cr3t-pass/);
    const rows = await catalog.list(source);
    assert.doesNotMatch(JSON.stringify(rows), /s3cr3t-pass/);
  });

  it('refuses a recipient that is not an age public key, naming its position', async () => {
    await assert.rejects(
      runBackup({
        adapter: fakeAdapter({ collections: {} }),
        url: 'x',
        source,
        targets: [localTarget(backupsDir)],
        recipients: [key.recipient, 'age1nonsense'],
        catalog,
        clock,
        logger: silentLogger,
      }),
      /encrypt\.recipients\[1\].*is not an age recipient/,
    );
  });
});

/** A pass-through that fails like a full disk once more than `limit` bytes went through. */
function failPast(limit: number, code: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > limit) cb(Object.assign(new Error(`${code}: no space left on device, write`), { code }));
      else cb(null, chunk);
    },
  });
}

/** Live JavaScript heap plus Buffers: what whole-file buffering would inflate. */
function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
