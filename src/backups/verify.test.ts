/** Verification tiers against real archives: read-through checks, restore drills, and every way an archive breaks. */
import assert from 'node:assert/strict';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DatabaseError } from '../databases/adapter.js';
import { ManualClock } from '../schedule/clock.js';
import type { BackupRecord } from './backup-record.js';
import type { BackupStore } from './backup-store.js';
import { BackupError } from './errors.js';
import { openPlaintext } from './read-archive.js';
import { runBackup } from './run-backup.js';
import { localTarget } from './target.js';
import { catalogForSuite, fakeAdapter, newKey, silentLogger, tempDir } from './test-support.js';
import { checkBackup, compareCounts, drillBackup } from './verify.js';

const source = { app: 'shop', database: 'main' };
const collections = { users: 300, orders: 1_200 };

describe('checkBackup and drillBackup', () => {
  const tmp = tempDir();
  const target = localTarget(join(tmp.dir, 'backups'));
  const clock = new ManualClock(Date.UTC(2026, 3, 1));
  let catalog: BackupStore;
  let key: { identity: string; recipient: string };

  catalogForSuite(tmp, (suite) => ({ catalog, key } = suite));

  async function take(
    opts: { summaryCounts?: Record<string, number>; recipients?: string[] } = {},
  ): Promise<BackupRecord> {
    clock.advance(60_000);
    return runBackup({
      adapter: fakeAdapter({ collections, ...(opts.summaryCounts ? { summaryCounts: opts.summaryCounts } : {}) }),
      url: 'mongodb://127.0.0.1:1/shop',
      source,
      targets: [target],
      recipients: opts.recipients ?? [key.recipient],
      catalog,
      clock,
      logger: silentLogger,
    });
  }
  const check = (record: BackupRecord, identities = [key.identity]) =>
    checkBackup(record, { target, identities, catalog, clock, logger: silentLogger });
  const fileOf = (record: BackupRecord) => join(tmp.dir, 'backups', record.file);

  it('a good archive reads through: checked', async () => {
    const checked = await check(await take());
    assert.equal(checked.state, 'checked');
    assert.equal(checked.checkedAt, clock.now());
    assert.equal(checked.reason, null);
  });

  it('an unencrypted archive checks without identities', async () => {
    const checked = await check(await take({ recipients: [] }), []);
    assert.equal(checked.state, 'checked');
  });

  it('one flipped byte in the body fails the check', async () => {
    const record = await take();
    const bytes = readFileSync(fileOf(record));
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] as number) ^ 0x01;
    writeFileSync(fileOf(record), bytes);
    const failed = await check(record);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.failedIn, 'check');
    assert.equal(failed.checkedAt, null);
    assert.match(failed.reason ?? '', /^archive damaged/);
  });

  it('one flipped byte in the header fails the check as damage, not as a wrong key', async () => {
    for (const offset of [40, 60, 100]) {
      const record = await take();
      const bytes = readFileSync(fileOf(record));
      bytes[offset] = (bytes[offset] as number) ^ 0x01;
      writeFileSync(fileOf(record), bytes);
      const failed = await check(record);
      assert.equal(failed.state, 'failed');
      assert.match(failed.reason ?? '', /^archive damaged/, `byte ${offset}`);
    }
  });

  it('a truncated archive fails the check', async () => {
    const record = await take();
    truncateSync(fileOf(record), (record.sizeBytes as number) - 17);
    const failed = await check(record);
    assert.equal(failed.state, 'failed');
    assert.match(failed.reason ?? '', /^archive damaged/);
  });

  it('a missing archive is a target error, and the record is left as it was', async () => {
    const record = await take();
    await target.remove(record.file);
    await assert.rejects(check(record), (err) => err instanceof BackupError && err.reason === 'target');
    assert.equal((await catalog.get(record.id))?.state, 'taken');
  });

  it('a wrong key fails the check and names fingerprints, never the key', async () => {
    const record = await take();
    const other = await newKey();
    const failed = await check(record, [other.identity]);
    assert.equal(failed.state, 'failed');
    assert.match(failed.reason ?? '', /^wrong key: .*archive recipients sha256:[0-9a-f]{16}/);
    assert.doesNotMatch(failed.reason ?? '', /AGE-SECRET-KEY/i);
  });

  it('no identity for an encrypted archive is a config error, not a failed backup', async () => {
    const record = await take();
    await assert.rejects(check(record, []), (err) => err instanceof BackupError && err.reason === 'config');
    assert.equal((await catalog.get(record.id))?.state, 'taken');
  });

  it('a ciphertext that decrypts but differs from the recorded checksum fails', async () => {
    const record = await take();
    const substitute = await take();
    writeFileSync(fileOf(record), readFileSync(fileOf(substitute)));
    const failed = await check(record);
    assert.equal(failed.state, 'failed');
    assert.match(failed.reason ?? '', /ciphertext SHA-256 .* differs from the recorded/);
  });

  it('a drill restores into a scratch database, matches counts, drops it: drilled', async () => {
    const adapter = fakeAdapter({ collections });
    const record = await check(await take());
    const drilled = await drillBackup(record, {
      adapter,
      scratch: { serverUrl: 'mongodb://127.0.0.1:1' },
      target,
      identities: [key.identity],
      catalog,
      clock,
      logger: silentLogger,
    });
    assert.equal(drilled.state, 'drilled');
    assert.equal(drilled.drilledAt, clock.now());
    assert.equal(adapter.servers.size, 0, 'the scratch database was dropped');
    // A later read-through keeps the stronger state.
    assert.equal((await check(drilled)).state, 'drilled');
  });

  it('a drill stopped from outside (timeout, shutdown) leaves the backup as it was, not damaged', async () => {
    const record = await check(await take());
    const stop = new AbortController();
    const base = fakeAdapter({ collections });
    const adapter = {
      ...base,
      async restore() {
        stop.abort(new Error('unit deadline'));
        throw new DatabaseError('restore cancelled', 'other');
      },
    };
    await assert.rejects(
      drillBackup(record, {
        adapter,
        scratch: { serverUrl: 'mongodb://127.0.0.1:1' },
        target,
        identities: [key.identity],
        catalog,
        clock,
        logger: silentLogger,
        signal: stop.signal,
      }),
      (err: unknown) => err instanceof BackupError && err.reason === 'aborted',
    );
    assert.equal((await catalog.get(record.id))?.state, 'checked');
  });

  it('a drill whose counts differ fails and lists the differences', async () => {
    const record = await take({ summaryCounts: { users: 300, orders: 1_201, carts: 5 } });
    const adapter = fakeAdapter({ collections });
    const failed = await drillBackup(record, {
      adapter,
      scratch: {
        provide: async () => ({ url: 'fake://local/scratch', drop: async () => void adapter.servers.clear() }),
      },
      target,
      identities: [key.identity],
      catalog,
      clock,
      logger: silentLogger,
    });
    assert.equal(failed.state, 'failed');
    assert.equal(failed.failedIn, 'drill');
    assert.equal(
      failed.reason,
      'drill mismatch: carts: backup 5, missing after restore; orders: backup 1201, restored 1200',
    );
  });

  it('a drill whose restore stops reading early still checks the checksums to the end', async () => {
    clock.advance(60_000);
    const record = await runBackup({
      adapter: fakeAdapter({ collections, docBytes: 1024, incompressible: true }),
      url: 'mongodb://127.0.0.1:1/shop',
      source,
      targets: [target],
      recipients: [key.recipient],
      catalog,
      clock,
      logger: silentLogger,
    });
    assert.ok((record.sizeBytes as number) > 4 * 65_536, 'several age chunks');
    const bytes = readFileSync(fileOf(record));
    bytes[bytes.length - 30] = (bytes[bytes.length - 30] as number) ^ 0x01; // damage only the last chunk
    writeFileSync(fileOf(record), bytes);
    const adapter = fakeAdapter({ collections });
    // A restore that reads only the first chunk and reports the recorded counts (as if the rest were not needed).
    adapter.restore = async (plain, url) => {
      for await (const _ of plain) break;
      adapter.servers.set(url, { ...collections });
      return collections;
    };
    const failed = await drillBackup(record, {
      adapter,
      scratch: { serverUrl: 'mongodb://127.0.0.1:1' },
      target,
      identities: [key.identity],
      catalog,
      clock,
      logger: silentLogger,
    });
    assert.equal(failed.state, 'failed');
    assert.equal(failed.failedIn, 'drill');
    assert.match(failed.reason ?? '', /^archive damaged/);
  });

  it('openPlaintext streams exactly what was dumped', async () => {
    const record = await take();
    const plain = await openPlaintext(record, { target, identities: [key.identity] });
    let lines = 0;
    for await (const chunk of plain) lines += (chunk as Buffer).toString().split('\n').length - 1;
    assert.equal(lines, 1_500);
  });

  it('a backup whose run failed cannot be verified', async () => {
    const record = await take();
    const failed = await catalog.update(record.id, { state: 'failed', takenAt: null, failedIn: 'backup', reason: 'x' });
    await assert.rejects(check(failed), /only a taken backup can be verified/);
  });

  it('a check that failed for a wrong key passes once the right identity is given, clearing the failure', async () => {
    const record = await take();
    const failed = await check(record, [(await newKey()).identity]);
    assert.equal(failed.state, 'failed');
    const checked = await check(failed);
    assert.equal(checked.state, 'checked');
    assert.deepEqual([checked.failedAt, checked.failedIn, checked.reason], [null, null, null]);
  });
});

describe('compareCounts', () => {
  it('lists extra, missing and different counts, sorted', () => {
    assert.deepEqual(compareCounts({ a: 1, b: 2 }, { a: 1, b: 3, c: 4 }), [
      'b: backup 2, restored 3',
      'c: not in the backup, 4 after restore',
    ]);
    assert.deepEqual(compareCounts({ a: 1 }, { a: 1 }), []);
  });
});
