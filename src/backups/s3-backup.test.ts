/**
 * The backup pipeline end to end on the S3 target (an S3 EMULATOR, not AWS: see test-s3.ts): taken, read back and
 * checked from the bucket; a dump that fails after parts were uploaded leaves nothing, and the next run is fine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { ManualClock } from '../schedule/clock.js';
import type { BackupStore } from './backup-store.js';
import { BackupError } from './errors.js';
import { runBackup } from './run-backup.js';
import { s3Target } from './s3-target.js';
import type { BackupTarget } from './target.js';
import { freshS3Location, s3SkipReason } from './test-s3.js';
import { catalogForSuite, fakeAdapter, silentLogger, tempDir } from './test-support.js';
import { checkBackup } from './verify.js';

const source = { app: 'shop', database: 'main' };

describe('runBackup to S3', { skip: s3SkipReason() ?? false }, () => {
  const tmp = tempDir();
  let catalog: BackupStore;
  let key: { identity: string; recipient: string };
  const clock = new ManualClock(Date.UTC(2026, 3, 1, 2, 0, 0));
  const location = freshS3Location();
  const target = s3Target(location, { partSize: 5 * 1024 * 1024 });

  catalogForSuite(tmp, (suite) => ({ catalog, key } = suite));

  const run = (adapter: ReturnType<typeof fakeAdapter>, to: BackupTarget = target) => {
    clock.advance(60_000);
    return runBackup({
      adapter,
      url: 'mongodb://127.0.0.1:27017/shop',
      source,
      targets: [to],
      recipients: [key.recipient],
      catalog,
      clock,
      logger: silentLogger,
    });
  };

  const unfinishedUploads = async () => {
    const client = new S3Client({
      region: location.region,
      endpoint: location.endpoint ?? '',
      forcePathStyle: true,
      ...(location.credentials ? { credentials: location.credentials } : {}),
    });
    const res = await client.send(
      new ListMultipartUploadsCommand({ Bucket: location.bucket, Prefix: location.prefix }),
    );
    return res.Uploads ?? [];
  };

  it('takes a multipart backup into the bucket and checks it by reading it back', async () => {
    const record = await run(
      fakeAdapter({ collections: { users: 20_000, orders: 40_000 }, docBytes: 200, incompressible: true }),
    );
    assert.equal(record.state, 'taken');
    assert.ok(record.sizeBytes !== null && record.sizeBytes > 5 * 1024 * 1024, `size ${record.sizeBytes}`);
    assert.deepEqual(await target.list().then((l) => l.map((e) => [e.name, e.sizeBytes])), [
      [record.file, record.sizeBytes],
    ]);
    const checked = await checkBackup(record, { target, identities: [key.identity], catalog, clock });
    assert.equal(checked.state, 'checked');
  });

  it('a dump failing after parts were uploaded is the source failure and leaves no object nor upload', async () => {
    const before = (await target.list()).map((e) => e.name);
    const failing = fakeAdapter({
      collections: { users: 100_000 },
      docBytes: 200,
      incompressible: true,
      failAfterBytes: 12_000_000,
    });
    await assert.rejects(run(failing), (err) => err instanceof BackupError && err.reason === 'source');
    assert.deepEqual(
      (await target.list()).map((e) => e.name),
      before,
    );
    assert.deepEqual(await unfinishedUploads(), []);
    const [latest] = await catalog.list(source);
    assert.equal(latest?.state, 'failed');
    const next = await run(fakeAdapter({ collections: { users: 10 } }));
    assert.equal(next.state, 'taken');
    assert.equal((await target.list()).length, before.length + 1);
  });
});
