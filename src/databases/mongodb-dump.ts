/**
 * MongoDB dump: every collection of the URL's database read as raw BSON (never parsed) into a temp file, then packed
 * with its metadata into a tar in mongodump's layout. Temp files because tar entries need their size up front; one
 * collection is on disk at a time and none is ever held in memory.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { BSON, type Collection, type Db, type Document, type MongoClient } from 'mongodb';
import tar from 'tar-stream';
import type { AdapterContext, Counts, DumpSummary } from './adapter.js';
import { cancelled, connectMongo, mongoError, serverVersion } from './mongodb-client.js';
import { type CollectionInfo, collectionFileStem, exactBson, metadataJson, skipCollection } from './mongodb-layout.js';
import { parseMongoUrl, requireDatabase } from './mongodb-url.js';

/** Raw documents are gathered into writes of about this size: one fs write per small document would dominate. */
const writeChunkBytes = 1024 * 1024;
/**
 * Bytes per cursor batch to aim for. The driver holds a reply a few times over while it is parsed and consumed, so
 * live memory is several times this; 1 MB per round trip still moves ~20 MB/s over a 50 ms WAN link (Atlas).
 */
const batchTargetBytes = 1024 * 1024;
/** Progress is reported at most this often while a collection streams. */
const progressEveryBytes = 4 * 1024 * 1024;

/** The user collections and views of `db`, sorted by name, with BSON number types kept for the metadata. */
export async function listCollectionInfos(db: Db): Promise<CollectionInfo[]> {
  const raw = (await db
    .listCollections({}, { nameOnly: false, authorizedCollections: true, raw: true } as Document)
    .toArray()) as unknown as Uint8Array[];
  return raw
    .map((doc) => BSON.deserialize(doc, exactBson) as CollectionInfo)
    .filter((info) => typeof info.name === 'string' && !skipCollection(info.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function listIndexes(collection: Collection): Promise<Document[]> {
  const raw = (await collection.listIndexes({ raw: true } as Document).toArray()) as unknown as Uint8Array[];
  return raw.map((doc) => BSON.deserialize(doc, exactBson));
}

/** Streams `pack` out as a Node stream of bytes; the caller's destroy() reaches the pack. */
function toNodeStream(pack: tar.Pack): Readable {
  return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false, highWaterMark: 1024 * 1024 });
}

/** Writes one chunk into a tar entry, waiting while the reader is behind; fails if the pack was torn down. */
async function writeEntry(entry: NodeJS.WritableStream, chunk: Buffer): Promise<void> {
  if (entry.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (err?: unknown) => {
      entry.off('drain', onDrain);
      entry.off('close', onClose);
      entry.off('error', done);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('the dump stream was closed before it was read to the end'));
    entry.on('drain', onDrain);
    entry.on('close', onClose);
    entry.on('error', done);
  });
}

async function addFile(pack: tar.Pack, name: string, path: string, size: number): Promise<void> {
  let entryError: Error | null | undefined;
  const written = new Promise<void>((resolve, reject) => {
    // streamx's Writable, used through the Node stream surface it shares.
    const entry = pack.entry({ name, size, mode: 0o644 }, (err) => {
      entryError = err;
      if (err) reject(err);
      else resolve();
    });
    const sink = entry as unknown as NodeJS.WritableStream;
    (async () => {
      for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
        await writeEntry(sink, chunk as Buffer);
      }
      sink.end();
    })().catch((err: unknown) => {
      if (!entryError) reject(err);
    });
  });
  await written;
}

function addText(pack: tar.Pack, name: string, text: string): Promise<void> {
  return new Promise((resolve, reject) =>
    pack.entry({ name, mode: 0o644 }, text, (err) => (err ? reject(err) : resolve())),
  );
}

interface Progress {
  bytes: number;
  done: number;
  total: number;
}

/** A cursor batch size for about batchTargetBytes per batch, from the size of a few documents. */
async function batchSizeFor(collection: Collection): Promise<number> {
  const sample = (await collection
    .find({}, { raw: true, limit: 16, batchSize: 16 })
    .toArray()) as unknown as Uint8Array[];
  if (sample.length === 0) return 1000;
  const average = sample.reduce((sum, doc) => sum + doc.byteLength, 0) / sample.length;
  return Math.min(10_000, Math.max(50, Math.floor(batchTargetBytes / average)));
}

/** Reads one collection as raw BSON into `path`; returns documents and bytes written. */
async function dumpCollection(
  collection: Collection,
  path: string,
  progress: Progress,
  ctx: AdapterContext,
): Promise<{ count: number; size: number }> {
  const out = createWriteStream(path);
  const outClosed = finished(out);
  let count = 0;
  let size = 0;
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  let reported = progress.bytes;
  const flush = async () => {
    if (batchBytes === 0) return;
    const chunk = Buffer.concat(batch, batchBytes);
    batch = [];
    batchBytes = 0;
    if (!out.write(chunk)) await once(out, 'drain');
  };
  try {
    // raw: the driver hands over each document's bytes without decoding them; natural order, like mongodump.
    const cursor = collection.find({}, { raw: true, batchSize: await batchSizeFor(collection) });
    for await (const doc of cursor as AsyncIterable<unknown> as AsyncIterable<Uint8Array>) {
      batch.push(doc);
      batchBytes += doc.byteLength;
      count += 1;
      size += doc.byteLength;
      progress.bytes += doc.byteLength;
      if (batchBytes >= writeChunkBytes) await flush();
      if (progress.bytes - reported >= progressEveryBytes) {
        reported = progress.bytes;
        ctx.progress?.({ ...progress, current: collection.collectionName });
      }
    }
    await flush();
    out.end();
    await outClosed;
  } catch (err) {
    out.destroy();
    await outClosed.catch(() => {});
    throw err;
  }
  return { count, size };
}

/** Dumps the database named in `url` as a mongodump-layout tar; see DatabaseAdapter.dump. */
export function dumpMongo(url: string, ctx: AdapterContext): { stream: Readable; summary: Promise<DumpSummary> } {
  const pack = tar.pack();
  const stream = toNodeStream(pack);
  let client: MongoClient | undefined;
  let settled = false;
  // A reader that gives up (destroy) or an abort must stop the reads: closing the client ends any pending cursor.
  const stop = () => {
    if (!settled) void client?.close(true).catch(() => {});
  };
  stream.once('close', stop);
  const onAbort = () => stream.destroy(cancelled());
  ctx.signal.addEventListener('abort', onAbort, { once: true });

  const produce = async (): Promise<DumpSummary> => {
    const database = requireDatabase(url);
    const { hosts } = parseMongoUrl(url);
    client = await connectMongo(url, ctx.signal);
    let current = '(collection list)';
    try {
      const server = await serverVersion(client);
      const db = client.db(database);
      const infos = await listCollectionInfos(db);
      const dir = join(ctx.tmpDir, 'mongodump', database);
      await mkdir(dir, { recursive: true });
      const counts: Counts = {};
      const progress: Progress = { bytes: 0, done: 0, total: infos.length };
      for (const info of infos) {
        ctx.signal.throwIfAborted();
        current = info.name;
        ctx.progress?.({ ...progress, current });
        const stem = collectionFileStem(info.name);
        // A view has no documents of its own: mongodump writes only its metadata (viewOn, pipeline).
        const isView = info.type === 'view';
        const path = join(dir, `${stem}.bson`);
        const collection = db.collection(info.name);
        const dumped = isView ? undefined : await dumpCollection(collection, path, progress, ctx);
        const indexes = isView ? [] : await listIndexes(collection);
        await addText(pack, `${database}/${stem}.metadata.json`, metadataJson(info, indexes));
        if (dumped) {
          // The file's own size, not the bytes counted: the tar header must match what is streamed exactly.
          await addFile(pack, `${database}/${stem}.bson`, path, (await stat(path)).size);
          await rm(path, { force: true });
          counts[info.name] = dumped.count;
        }
        progress.done += 1;
        ctx.progress?.({ ...progress, current });
      }
      pack.finalize();
      return { counts, server };
    } catch (err) {
      if (ctx.signal.aborted) throw cancelled(err);
      const reason = (err as { code?: unknown }).code === 13 ? 'auth' : 'mid-dump';
      throw mongoError(err, url, `MongoDB dump of ${database} on ${hosts} failed while reading ${current}`, reason);
    } finally {
      // Everything read is in the temp files and the pack by now: the server is not needed while the reader catches up.
      settled = true;
      await client.close().catch(() => {});
    }
  };

  const produced = produce().then(
    (summary) => summary,
    (err: unknown) => {
      // Tear the tar down so the reader sees the failure instead of a short archive that looks complete.
      pack.destroy(err as Error);
      stream.destroy(err as Error);
      throw err;
    },
  );
  const summary = Promise.all([produced, finished(stream)]).then(([result]) => result);
  // Marked handled here: a caller that only watches the stream must not crash the process on an unhandled rejection.
  summary.finally(() => ctx.signal.removeEventListener('abort', onAbort)).catch(() => {});
  return { stream, summary };
}
