/**
 * A BackupTarget on an S3-compatible bucket (AWS S3, Backblaze B2, Cloudflare R2, MinIO). An object only becomes
 * visible when its upload completes (PutObject, or CompleteMultipartUpload), so no temporary name is needed; a
 * small `<name>.<owner>.partial` marker object records who is writing, so a later run can tell an interrupted
 * upload (aborted then) from one in progress, exactly like the local target's temporary files.
 */
import type { Readable } from 'node:stream';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { BackupError } from './errors.js';
import { checkName, PARTIAL, parsePartial, partialName } from './partial-names.js';
import { describeS3, type S3Location, s3Error } from './s3-config.js';
import type { BackupTarget, TargetEntry } from './target.js';

/** Tuning of an S3 target; the defaults suit production. */
export interface S3TargetOptions {
  /**
   * Bytes per multipart part (default 10 MiB, S3's minimum is 5 MiB). At most 10,000 parts: archives up to ~100 GB.
   * Memory held by an upload is about (queueSize + 1) parts.
   */
  partSize?: number;
  /** Parts uploaded at once (default 2). */
  queueSize?: number;
  /** Keys per listing request (default 1000, S3's maximum); tests use small pages to prove paging. */
  pageSize?: number;
  /** Called with the bytes of the archive stored so far, as parts complete. */
  onUploaded?: (bytes: number) => void;
}

type Sdk = typeof import('@aws-sdk/client-s3');

/** A target storing archives as objects under `location.prefix` in `location.bucket`. */
export function s3Target(location: S3Location, opts: S3TargetOptions = {}): BackupTarget {
  const { bucket, prefix } = location;
  const where = describeS3(location);
  const pageSize = opts.pageSize ?? 1000;
  let ready: Promise<{ sdk: Sdk; client: S3Client }> | undefined;

  // The SDK is loaded on first use: processes that never touch S3 do not pay for loading it.
  function connect(): Promise<{ sdk: Sdk; client: S3Client }> {
    ready ??= import('@aws-sdk/client-s3').then((sdk) => {
      const client = new sdk.S3Client({
        region: location.region,
        // Compatible services are addressed by path (bucket.host names need wildcard DNS that MinIO rarely has).
        ...(location.endpoint !== undefined ? { endpoint: location.endpoint, forcePathStyle: true } : {}),
        ...(location.credentials !== undefined ? { credentials: location.credentials } : {}),
        // The SDK's default CRC checksums are refused by several S3-compatible services; archives carry SHA-256.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        // A black-holed endpoint fails in seconds rather than hanging a backup until its deadline.
        requestHandler: { connectionTimeout: 10_000, socketTimeout: 120_000 },
        maxAttempts: 3,
      });
      return { sdk, client };
    });
    return ready;
  }

  async function call<T>(action: string, run: (sdk: Sdk, client: S3Client) => Promise<T>): Promise<T> {
    const { sdk, client } = await connect();
    try {
      return await run(sdk, client);
    } catch (err) {
      throw s3Error(err, action, location);
    }
  }

  const keyOf = (name: string) => prefix + checkName(name);

  /** Every key under `keyPrefix` directly (not in deeper "folders"), page by page. */
  async function listKeys(keyPrefix: string): Promise<{ key: string; size: number; modifiedAt: number }[]> {
    const out: { key: string; size: number; modifiedAt: number }[] = [];
    let token: string | undefined;
    do {
      const page = await call('listing archives', (sdk, client) =>
        client.send(
          new sdk.ListObjectsV2Command({
            Bucket: bucket,
            Prefix: keyPrefix,
            Delimiter: '/',
            MaxKeys: pageSize,
            ...(token !== undefined ? { ContinuationToken: token } : {}),
          }),
        ),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined) continue;
        out.push({ key: o.Key, size: o.Size ?? 0, modifiedAt: o.LastModified?.getTime() ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return out;
  }

  /** Unfinished multipart uploads whose key starts with `keyPrefix`, page by page. */
  async function listUploads(keyPrefix: string): Promise<{ key: string; uploadId: string }[]> {
    const out: { key: string; uploadId: string }[] = [];
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    for (;;) {
      const page = await call('listing unfinished uploads', (sdk, client) =>
        client.send(
          new sdk.ListMultipartUploadsCommand({
            Bucket: bucket,
            Prefix: keyPrefix,
            MaxUploads: pageSize,
            ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}),
            ...(idMarker !== undefined ? { UploadIdMarker: idMarker } : {}),
          }),
        ),
      );
      for (const u of page.Uploads ?? []) {
        if (u.Key !== undefined && u.UploadId !== undefined) out.push({ key: u.Key, uploadId: u.UploadId });
      }
      if (!page.IsTruncated || page.NextKeyMarker === undefined) return out;
      keyMarker = page.NextKeyMarker;
      idMarker = page.NextUploadIdMarker;
    }
  }

  /** Aborts every unfinished multipart upload of exactly `key` (S3 keeps, and bills, their parts otherwise). */
  async function abortUploadsOf(key: string): Promise<number> {
    const uploads = (await listUploads(key)).filter((u) => u.key === key);
    for (const u of uploads) {
      await call(`aborting the unfinished upload of ${key}`, (sdk, client) =>
        client.send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: u.uploadId })),
      ).catch((err: BackupError) => {
        // Already aborted or completed meanwhile: nothing is left to clean.
        if (!/NoSuchUpload/.test(String((err.cause as Error | undefined)?.message))) throw err;
      });
    }
    return uploads.length;
  }

  const removeKey = (key: string, action: string) =>
    call(action, (sdk, client) => client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key })));

  async function put(name: string, stream: Readable, putOpts: { signal?: AbortSignal; owner?: string } = {}) {
    const key = keyOf(name);
    const marker = partialName(key, putOpts.owner);
    await call(`starting to write ${name}`, (sdk, client) =>
      client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: marker, Body: '', ContentLength: 0 })),
    );
    const { Upload } = await import('@aws-sdk/lib-storage');
    const { client } = await connect();
    let sizeBytes = 0;
    // The first stream to fail is where the fault is: the source's own failure passes through as it is.
    let origin: 'source' | undefined;
    stream.once('error', () => (origin ??= 'source'));
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        sizeBytes += chunk.length;
        cb(null, chunk);
      },
    });
    const feeding = pipeline(stream, counter, putOpts.signal ? { signal: putOpts.signal } : {});
    feeding.catch(() => undefined); // the upload sees the same error through `counter`
    // lib-storage reads `counter` part by part (never the whole stream) and, on failure, aborts the multipart upload.
    const upload = new Upload({
      client,
      params: { Bucket: bucket, Key: key, Body: counter },
      partSize: opts.partSize ?? 10 * 1024 * 1024,
      queueSize: opts.queueSize ?? 2,
      leavePartsOnError: false,
    });
    if (opts.onUploaded) {
      const report = opts.onUploaded;
      upload.on('httpUploadProgress', (p) => report(p.loaded ?? 0));
    }
    const onAbort = () => void upload.abort();
    putOpts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
      await feeding;
      await removeKey(marker, `finishing ${name}`).catch(() => undefined); // a stale marker is cleaned next run
      return { sizeBytes };
    } catch (err) {
      counter.destroy(); // an upload that failed first stops the source too
      // lib-storage aborts its own upload, but not when cancelled mid-request: make sure nothing is left.
      await abortUploadsOf(key).catch(() => undefined);
      await removeKey(marker, `cleaning up ${name}`).catch(() => undefined);
      if (origin === 'source' || (err as Error | null)?.name === 'AbortError') throw err;
      throw s3Error(err, `writing ${name}`, location);
    } finally {
      putOpts.signal?.removeEventListener('abort', onAbort);
    }
  }

  return {
    description: where,
    put,
    get(name) {
      const key = keyOf(name);
      const out = new PassThrough();
      call(`reading ${name}`, (sdk, client) => client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key })))
        .then((res) => {
          const body = res.Body as Readable;
          body.once('error', (err) => out.destroy(s3Error(err, `reading ${name}`, location)));
          // pipeline (not pipe): a reader that stops early also closes the download.
          pipeline(body, out).catch(() => undefined);
        })
        .catch((err: BackupError) => {
          const missing = /^NoSuchKey/.test(String((err.cause as Error | undefined)?.message));
          out.destroy(missing ? new BackupError(`cannot read ${name} from ${where}: no such archive`, 'target') : err);
        });
      return out;
    },
    async list() {
      const entries: TargetEntry[] = [];
      for (const o of await listKeys(prefix)) {
        const name = o.key.slice(prefix.length);
        if (name === '' || name.endsWith(PARTIAL) || name.startsWith('.')) continue;
        entries.push({ name, sizeBytes: o.size, modifiedAt: o.modifiedAt });
      }
      return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async remove(name) {
      // S3 answers a delete of a missing key with success, as this interface wants.
      await removeKey(keyOf(name), `removing ${name}`);
    },
    async stat(name) {
      const key = keyOf(name);
      const { sdk, client } = await connect();
      try {
        const head = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { name, sizeBytes: head.ContentLength ?? 0, modifiedAt: head.LastModified?.getTime() ?? 0 };
      } catch (err) {
        if ((err as { name?: string }).name === 'NotFound') return undefined;
        throw s3Error(err, `reading the size of ${name}`, location);
      }
    },
    async removePartials(namePrefix, isLive) {
      const removed: string[] = [];
      const live: string[] = [];
      for (const o of await listKeys(prefix + namePrefix)) {
        const markerName = o.key.slice(prefix.length);
        if (!markerName.endsWith(PARTIAL)) continue;
        const { file, owner } = parsePartial(markerName);
        if (owner !== undefined && isLive?.(owner)) {
          live.push(file);
          continue;
        }
        await abortUploadsOf(prefix + file);
        await removeKey(o.key, `removing the marker of the interrupted ${file}`);
        removed.push(markerName);
      }
      // Uploads whose marker is gone (a writer killed between the two) are interrupted too.
      for (const u of await listUploads(prefix + namePrefix)) {
        const file = u.key.slice(prefix.length);
        if (live.includes(file) || file.includes('/')) continue;
        await abortUploadsOf(u.key);
        const note = `${file} (unfinished multipart upload)`;
        if (!removed.includes(note) && !removed.some((r) => parsePartial(r).file === file)) removed.push(note);
      }
      return { removed, live };
    },
  };
}
