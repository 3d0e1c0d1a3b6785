/**
 * The S3 target against a real S3 protocol server. This is an S3 EMULATOR, not AWS: gofakes3 in memory
 * (test/s3server), which scripts/test.mjs builds and starts and passes as S3_TEST_URL=http://KEY:SECRET@HOST/BUCKET.
 * Point S3_TEST_URL at MinIO or a real bucket to run the same tests there.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { BackupError } from './errors.js';
import type { S3Location } from './s3-config.js';
import { type S3TargetOptions, s3Target } from './s3-target.js';
import { targetContract } from './target.contract.js';
import { resolveTarget } from './target.js';
import { freshS3Location as fresh, s3SkipReason } from './test-s3.js';

const skip = s3SkipReason() ?? false;
const MiB = 1024 * 1024;
/** An empty object body with its length, so the SDK does not warn about a stream of unknown length. */
const EMPTY = { Body: '', ContentLength: 0 };

function sdk(location: S3Location): S3Client {
  return new S3Client({
    region: location.region,
    endpoint: location.endpoint ?? '',
    forcePathStyle: true,
    ...(location.credentials ? { credentials: location.credentials } : {}),
  });
}

async function unfinishedUploads(location: S3Location): Promise<string[]> {
  const res = await sdk(location).send(
    new ListMultipartUploadsCommand({ Bucket: location.bucket, Prefix: location.prefix }),
  );
  return (res.Uploads ?? []).map((u) => (u.Key ?? '').slice(location.prefix.length));
}

/** `total` bytes of a repeating pattern in 64 KiB chunks, generated as read; `onRead` sees the running total. */
function generated(total: number, onRead?: (produced: number) => void, failAt?: number): Readable {
  let produced = 0;
  const chunk = Buffer.alloc(64 * 1024, 'upkeep ');
  return new Readable({
    read() {
      if (failAt !== undefined && produced >= failAt) {
        this.destroy(new Error('source broke'));
        return;
      }
      if (produced >= total) {
        this.push(null);
        return;
      }
      const piece = chunk.subarray(0, Math.min(chunk.length, total - produced));
      produced += piece.length;
      onRead?.(produced);
      this.push(piece);
    },
  });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

if (skip) it('BackupTarget contract: s3Target (S3 emulator)', { skip }, () => undefined);
else targetContract('s3Target (S3 emulator)', async () => s3Target(fresh()));

describe('s3Target', { skip }, () => {
  const small: S3TargetOptions = { partSize: 5 * MiB, queueSize: 2 };

  it('streams a multipart archive without reading ahead more than a few parts, and reads it back', async () => {
    const location = fresh();
    let uploaded = 0;
    let maxAhead = 0;
    const target = s3Target(location, { ...small, onUploaded: (b) => (uploaded = b) });
    const total = 40 * MiB + 123;
    const { sizeBytes } = await target.put(
      'big.age',
      generated(total, (produced) => (maxAhead = Math.max(maxAhead, produced - uploaded))),
    );
    assert.equal(sizeBytes, total);
    assert.equal(uploaded, total);
    // Parts in flight (queueSize), the part being filled, and stream buffers: far less than the 40 MiB archive.
    assert.ok(maxAhead <= 4 * 5 * MiB, `read ${maxAhead} bytes ahead of what was stored`);
    assert.equal((await target.stat('big.age'))?.sizeBytes, total);
    const back = await readAll(target.get('big.age'));
    assert.equal(back.length, total);
    assert.ok(back.equals(await readAll(generated(total))));
    assert.deepEqual(await unfinishedUploads(location), []);
  });

  it('a source failing after parts were uploaded aborts the multipart upload and shows nothing', async () => {
    const location = fresh();
    const target = s3Target(location, small);
    await assert.rejects(target.put('half.age', generated(30 * MiB, undefined, 12 * MiB)), /^Error: source broke$/);
    assert.deepEqual(await unfinishedUploads(location), []);
    assert.deepEqual(await target.list(), []);
    assert.equal(await target.stat('half.age'), undefined);
    assert.deepEqual(await target.removePartials(''), { removed: [], live: [] });
  });

  it('a cancelled put aborts its upload', async () => {
    const location = fresh();
    const target = s3Target(location, small);
    const controller = new AbortController();
    const source = generated(30 * MiB, (produced) => {
      if (produced >= 11 * MiB) controller.abort();
    });
    await assert.rejects(target.put('cancelled.age', source, { signal: controller.signal }), { name: 'AbortError' });
    assert.deepEqual(await unfinishedUploads(location), []);
    assert.deepEqual(await target.list(), []);
  });

  it('removePartials aborts the uploads of writers that are gone and leaves live ones', async () => {
    const location = fresh();
    const target = s3Target(location);
    const client = sdk(location);
    const bucket = location.bucket;
    const start = async (file: string, owner?: string) => {
      if (owner !== undefined) {
        await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: `${location.prefix}${file}.${owner}.partial`, ...EMPTY }),
        );
      }
      await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${location.prefix}${file}` }));
    };
    await target.put('a.0.age', Readable.from([Buffer.from('done')]));
    await start('a.1.age', 'hostx-10'); // its writer died
    await start('a.2.age', 'hostx-11'); // still writing
    await start('a.3.age'); // its marker is gone
    await start('b.1.age', 'hostx-12'); // another database
    const result = await target.removePartials('a.', (owner) => owner === 'hostx-11');
    assert.deepEqual(result, {
      removed: ['a.1.age.hostx-10.partial', 'a.3.age (unfinished multipart upload)'],
      live: ['a.2.age'],
    });
    assert.deepEqual((await unfinishedUploads(location)).sort(), ['a.2.age', 'b.1.age']);
    assert.deepEqual(
      (await target.list()).map((e) => e.name),
      ['a.0.age'],
    );
    // Leave the bucket clean.
    const rest = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: location.prefix }));
    for (const u of rest.Uploads ?? []) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
    }
  });

  it('lists page by page, without markers or deeper keys', async () => {
    const location = fresh();
    const target = s3Target(location, { pageSize: 2 });
    for (const name of ['e.age', 'c.age', 'a.age', 'd.age', 'b.age']) {
      await target.put(name, Readable.from([Buffer.from(name)]));
    }
    const client = sdk(location);
    await client.send(
      new PutObjectCommand({ Bucket: location.bucket, Key: `${location.prefix}f.age.h-1.partial`, ...EMPTY }),
    );
    await client.send(new PutObjectCommand({ Bucket: location.bucket, Key: `${location.prefix}sub/g.age`, ...EMPTY }));
    assert.deepEqual(
      (await target.list()).map((e) => [e.name, e.sizeBytes]),
      [
        ['a.age', 5],
        ['b.age', 5],
        ['c.age', 5],
        ['d.age', 5],
        ['e.age', 5],
      ],
    );
  });

  it('says when the bucket does not exist', async () => {
    const location = fresh({ bucket: `upkeep-missing-${randomBytes(4).toString('hex')}` });
    const target = s3Target(location);
    const expected = (err: unknown) =>
      err instanceof BackupError &&
      err.reason === 'target' &&
      err.message.includes(`the bucket "${location.bucket}" does not exist at ${location.endpoint}`);
    await assert.rejects(target.put('x.age', Readable.from([Buffer.from('x')])), expected);
    await assert.rejects(target.list(), expected);
  });

  it('says access was denied and which variables to check, never echoing the secret', async () => {
    const secret = `secret-${randomBytes(8).toString('hex')}`;
    const location = fresh({ credentials: { accessKeyId: 'not-the-right-key', secretAccessKey: secret } });
    const target = s3Target(location);
    let caught: unknown;
    await target.put('x.age', Readable.from([Buffer.from('x')])).catch((err: unknown) => (caught = err));
    assert.ok(caught instanceof BackupError && caught.reason === 'target', String(caught));
    assert.match(caught.message, /access denied \(AccessDenied\).*Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    assert.ok(caught.message.startsWith(`starting to write x.age at s3://${location.bucket}/`), caught.message);
    const everything = `${caught.message} ${String(caught.cause)} ${JSON.stringify(caught)}`;
    assert.ok(!everything.includes(secret), everything);
    await assert.rejects(target.list(), /access denied/);
  });

  it('says when the endpoint cannot be reached', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const target = s3Target(fresh({ endpoint: `http://127.0.0.1:${port}` }));
    await assert.rejects(
      target.list(),
      (err) =>
        err instanceof BackupError &&
        err.reason === 'target' &&
        err.message.includes(`cannot reach the S3 endpoint http://127.0.0.1:${port} (ECONNREFUSED)`) &&
        err.message.includes('AWS_ENDPOINT_URL'),
    );
  });

  it('is what resolveTarget makes of s3:// with the AWS_* environment', async () => {
    const location = fresh();
    const env = {
      AWS_ENDPOINT_URL: location.endpoint,
      AWS_ACCESS_KEY_ID: location.credentials?.accessKeyId,
      AWS_SECRET_ACCESS_KEY: location.credentials?.secretAccessKey,
    };
    const to = `s3://${location.bucket}/${location.prefix}`;
    const target = resolveTarget(to, { baseDir: '/', env });
    assert.equal(target.description, to.replace(/\/$/, ''));
    await target.put('r.age', Readable.from([Buffer.from('resolved')]));
    assert.equal((await readAll(target.get('r.age'))).toString(), 'resolved');
    await target.remove('r.age');
    assert.deepEqual(await target.list(), []);
  });
});
