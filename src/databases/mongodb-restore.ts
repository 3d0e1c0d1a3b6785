/**
 * MongoDB restore and inspect: read a mongodump-layout tar as it streams, split each `.bson` entry into documents
 * without holding more than a batch, insert them in order, then recreate views and indexes from the metadata.
 */
import type { Readable } from 'node:stream';
import { BSON, type Collection, type Db, type Document, MongoBulkWriteError, MongoError } from 'mongodb';
import tar from 'tar-stream';
import { type AdapterContext, type Counts, DatabaseError, type RestoreOptions } from './adapter.js';
import { cancelled, connectMongo, mongoError } from './mongodb-client.js';
import {
  BsonSplitter,
  type CollectionMetadata,
  collectionFromStem,
  exactBson,
  indexToCreate,
  parseEntryName,
  parseMetadata,
} from './mongodb-layout.js';
import { parseMongoUrl, requireDatabase } from './mongodb-url.js';

/** Documents per insert: big enough to amortise round trips, small enough to stay far below the 48 MB message limit. */
const batchDocuments = 1000;
const batchBytes = 8 * 1024 * 1024;
/** A metadata file is a few KB; anything huge is not one. */
const maxMetadataBytes = 16 * 1024 * 1024;

/** What one tar entry is, for the callbacks of walkDump. */
interface DumpEntry {
  stem: string;
  kind: 'bson' | 'metadata';
  chunks: AsyncIterable<Buffer>;
}

/**
 * Reads the tar entry by entry and hands each dump file to `onEntry`, which must consume it. A failing input stream
 * ends the walk with its own error; a damaged tar with DatabaseError('other'); a throwing callback with its error.
 */
async function walkDump(plaintext: Readable, ctx: AdapterContext, onEntry: (e: DumpEntry) => Promise<void>) {
  const extract = tar.extract();
  let inputError: unknown;
  const onAbort = () => extract.destroy(cancelled());
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  plaintext.once('error', (err) => {
    inputError = err;
    extract.destroy(err);
  });
  plaintext.pipe(extract as unknown as NodeJS.WritableStream);
  const archiveError = (err: unknown) => (err === inputError || ctx.signal.aborted ? err : damaged(err));
  async function* chunksOf(entry: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    try {
      yield* entry;
    } catch (err) {
      throw archiveError(err);
    }
  }
  const entries = extract[Symbol.asyncIterator]();
  let database: string | undefined;
  try {
    for (;;) {
      let step: Awaited<ReturnType<typeof entries.next>>;
      try {
        step = await entries.next();
      } catch (err) {
        throw archiveError(err);
      }
      if (step.done) break;
      const entry = step.value;
      const parsed = entry.header.type === 'file' ? parseEntryName(entry.header.name) : undefined;
      const chunks = chunksOf(entry as AsyncIterable<Buffer>);
      if (parsed && database !== undefined && parsed.database !== database) {
        // Merging two databases into one target would be a silent mess: refuse, and say what to do instead.
        throw new DatabaseError(
          `the archive holds more than one database (${database}, ${parsed.database}): restore a dump of one database`,
          'other',
        );
      }
      if (parsed) database = parsed.database;
      if (parsed) await onEntry({ stem: parsed.stem, kind: parsed.kind, chunks });
      else for await (const _ of chunks) void _; // not part of the layout (a directory entry, a note): skipped
    }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    plaintext.unpipe(extract as unknown as NodeJS.WritableStream);
    await entries.return?.();
  }
}

async function readText(chunks: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > maxMetadataBytes) throw damaged(new Error('a metadata.json entry is implausibly large'));
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}

function readMetadata(text: string): CollectionMetadata {
  try {
    return parseMetadata(text);
  } catch (err) {
    throw damaged(err);
  }
}

/** Yields the documents of a `.bson` entry in batches; throws on a truncated or corrupt file. */
async function* documentBatches(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer[]> {
  const splitter = new BsonSplitter();
  let batch: Buffer[] = [];
  let bytes = 0;
  const split = (chunk: Buffer) => {
    try {
      return splitter.push(chunk);
    } catch (err) {
      throw damaged(err);
    }
  };
  for await (const chunk of chunks) {
    for (const doc of split(chunk)) {
      batch.push(doc);
      bytes += doc.length;
      if (batch.length >= batchDocuments || bytes >= batchBytes) {
        yield batch;
        batch = [];
        bytes = 0;
      }
    }
  }
  try {
    splitter.end();
  } catch (err) {
    throw damaged(err);
  }
  if (batch.length > 0) yield batch;
}

/** Counts per collection of a dump tar, without a server (restore --dry-run); views are not counted. */
export async function inspectMongo(plaintext: Readable, ctx: AdapterContext): Promise<Counts> {
  const names = new Map<string, string>();
  const byStem = new Map<string, number>();
  await walkDump(plaintext, ctx, async (entry) => {
    if (entry.kind === 'metadata') {
      const meta = readMetadata(await readText(entry.chunks));
      if (meta.collectionName) names.set(entry.stem, meta.collectionName);
      return;
    }
    let count = 0;
    for await (const batch of documentBatches(entry.chunks)) count += batch.length;
    byStem.set(entry.stem, count);
  });
  const counts: Counts = {};
  for (const [stem, count] of byStem) counts[names.get(stem) ?? collectionFromStem(stem)] = count;
  return counts;
}

function damaged(err: unknown): DatabaseError {
  if (err instanceof DatabaseError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new DatabaseError(`the MongoDB dump cannot be read (damaged or not a dump): ${detail}`, 'other', {
    cause: err,
  });
}

interface Target {
  name: string;
  created: boolean;
  /** Set once the target's collection of this name was dropped (replace), so it is dropped only once. */
  dropped?: boolean;
  /** Not among `--only`: its entries are read past. */
  skipped?: boolean;
  metadata?: CollectionMetadata;
}

/** Loads a dump tar into the database named in `url`; see DatabaseAdapter.restore. */
export async function restoreMongo(
  plaintext: Readable,
  url: string,
  ctx: AdapterContext,
  options: RestoreOptions = {},
): Promise<Counts> {
  const database = requireDatabase(url);
  const { hosts } = parseMongoUrl(url);
  const client = await connectMongo(url, ctx.signal);
  const db = client.db(database);
  const targets = new Map<string, Target>();
  const counts: Counts = {};
  const wanted = (t: Target) => options.only === undefined || options.only.includes(t.name);
  const progress = { bytes: 0, done: 0 };
  let current = '(archive)';
  // Like mongorestore --drop: the target's collection (or view) of each name the archive holds goes first.
  const create = async (t: Target, createOptions: Document) => {
    if (options.replace && !t.dropped) {
      await dropIfExists(db, t.name);
      t.dropped = true;
    }
    // The create command rather than db.createCollection: options go to the server exactly as they were dumped.
    await db.command({ create: t.name, ...createOptions });
    t.created = true;
  };
  const target = (stem: string): Target => {
    let found = targets.get(stem);
    if (!found) {
      found = { name: collectionFromStem(stem), created: false };
      targets.set(stem, found);
    }
    return found;
  };
  try {
    await walkDump(plaintext, ctx, async (entry) => {
      const t = target(entry.stem);
      if (entry.kind === 'metadata') {
        t.metadata = readMetadata(await readText(entry.chunks));
        if (t.metadata.collectionName) t.name = t.metadata.collectionName;
        t.skipped = !wanted(t);
        if (t.skipped) return;
        // Options (capped, collation, validator...) only apply at creation: create before any document arrives.
        if (t.metadata.type !== 'view' && !t.created) await create(t, t.metadata.options);
        return;
      }
      if (t.skipped || !wanted(t)) {
        for await (const _ of entry.chunks) void _;
        return;
      }
      current = t.name;
      ctx.progress?.({ ...progress, current });
      if (!t.created) await create(t, {});
      const collection = db.collection(t.name);
      let count = 0;
      for await (const batch of documentBatches(entry.chunks)) {
        const docs = batch.map((doc) => BSON.deserialize(doc, exactBson));
        count += await insertBatch(collection, docs);
        for (const doc of batch) progress.bytes += doc.length;
        ctx.progress?.({ ...progress, current });
      }
      counts[t.name] = count;
      progress.done += 1;
    });
    // Views last (they may read collections restored above), indexes after the data (one build instead of many).
    const restored = [...targets.values()].filter((t) => !t.skipped && wanted(t));
    for (const t of restored) {
      current = t.name;
      if (t.metadata?.type === 'view' && !t.created) await create(t, t.metadata.options);
    }
    for (const t of restored) {
      current = t.name;
      const specs = (t.metadata?.type === 'view' ? [] : (t.metadata?.indexes ?? []))
        .map(indexToCreate)
        .filter((spec): spec is Document => spec !== undefined);
      if (specs.length > 0) await db.command({ createIndexes: t.name, indexes: specs });
    }
    return counts;
  } catch (err) {
    // Only the server's errors are explained here; a damaged archive or a failing input keeps its own error.
    if (!(err instanceof MongoError)) throw err;
    throw mongoError(err, url, `MongoDB restore into ${database} on ${hosts} failed at ${current}`);
  } finally {
    await client.close().catch(() => {});
  }
}

/**
 * Inserts one batch; returns how many documents went in. Like mongorestore, a duplicate _id (a document a dump without
 * a snapshot saw twice) is skipped rather than failing the restore: the counts then differ, and a drill says so.
 */
async function insertBatch(collection: Collection, docs: Document[]): Promise<number> {
  try {
    // Documents were valid when dumped (or validation was off): a drill must load them all, as they were.
    const result = await collection.insertMany(docs, { ordered: false, bypassDocumentValidation: true });
    return result.insertedCount;
  } catch (err) {
    if (!(err instanceof MongoBulkWriteError)) throw err;
    const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
    if (errors.length === 0 || errors.some((e) => e.code !== 11000)) throw err;
    return err.result.insertedCount;
  }
}

/** Drops a collection or view; one that is not there is fine (NamespaceNotFound, code 26). */
async function dropIfExists(db: Db, name: string): Promise<void> {
  try {
    await db.command({ drop: name });
  } catch (err) {
    if (err instanceof MongoError && (err.code === 26 || /ns not found/i.test(err.message))) return;
    throw err;
  }
}
