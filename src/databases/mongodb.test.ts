// MongoDB adapter against a real MongoDB-protocol server: the FerretDB scripts/test.mjs starts (test-mongodb), or the
// server MONGODB_TEST_URL names. FerretDB gaps are noted where a test allows for them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { BSON, type Document, MongoClient } from 'mongodb';
import tar from 'tar-stream';
import { type AdapterContext, DatabaseError, type TransferProgress } from './adapter.js';
import { mongodbAdapter } from './mongodb.js';
import { freshMongoDatabase, mongoSkipReason, testMongoUrl } from './test-mongodb.js';

const skip = mongoSkipReason();
if (skip) console.error(`\n!! SKIPPING MongoDB adapter tests: ${skip}\n`);

/** Reads a whole stream into one Buffer (test archives are small). */
async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The tar's entries as name → bytes. */
async function untar(archive: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  Readable.from([archive]).pipe(extract as unknown as NodeJS.WritableStream);
  for await (const entry of extract) files.set(entry.header.name, await collect(entry as unknown as Readable));
  return files;
}

describe('mongodb adapter', { skip }, () => {
  let client: MongoClient;
  let tmp: string;
  const drops: Array<() => Promise<void>> = [];
  const ctx = (progress?: (p: TransferProgress) => void): AdapterContext => ({
    signal: new AbortController().signal,
    tmpDir: tmp,
    ...(progress ? { progress } : {}),
  });

  /** A fresh database with `users` (3 docs, unique index), `orders` (250 docs of mixed types), an empty `audit`. */
  async function seeded(): Promise<{ url: string; name: string }> {
    const db = await freshMongoDatabase();
    drops.push(db.drop);
    const d = client.db(db.name);
    await d.collection('users').insertMany([{ email: 'a@x' }, { email: 'b@x' }, { email: 'c@x', tags: ['x', 'y'] }]);
    await d.collection('users').createIndex({ email: 1 }, { unique: true, name: 'email_unique' });
    await d.collection('orders').insertMany(
      Array.from({ length: 250 }, (_, i) => ({
        n: i,
        total: i + 0.5,
        big: BSON.Long.fromNumber(2 ** 40 + i),
        at: new Date(1_700_000_000_000 + i),
        nested: { ok: i % 2 === 0, name: `order ${i}` },
      })),
    );
    await d.collection('orders').createIndex({ 'nested.name': 1, n: -1 });
    await d.createCollection('audit');
    return db;
  }

  before(async () => {
    client = new MongoClient(testMongoUrl() as string);
    await client.connect();
    tmp = await mkdtemp(join(tmpdir(), 'upkeep-mongo-test-'));
  });

  after(async () => {
    for (const drop of drops) await drop().catch(() => {});
    await client?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('preflight reports the server version', async () => {
    const db = await seeded();
    const { server } = await mongodbAdapter.preflight(db.url, ctx());
    assert.match(server, /^MongoDB \d+\.\d+/);
  });

  it('dumps every collection; inspect reads the same counts back from the tar without a server', async () => {
    const db = await seeded();
    const seen: TransferProgress[] = [];
    const { stream, summary } = mongodbAdapter.dump(
      db.url,
      ctx((p) => seen.push(p)),
    );
    const archive = await collect(stream);
    const dumped = await summary;
    assert.deepEqual(dumped.counts, { audit: 0, orders: 250, users: 3 });
    assert.match(dumped.server, /^MongoDB /);
    assert.deepEqual(await mongodbAdapter.inspect(Readable.from([archive]), ctx()), dumped.counts);
    // Progress names the collections and ends with every collection done and the BSON bytes read.
    assert.deepEqual([...new Set(seen.map((p) => p.current))], ['audit', 'orders', 'users']);
    const last = seen.at(-1) as TransferProgress;
    assert.equal(last.done, 3);
    assert.equal(last.total, 3);
    assert.ok(last.bytes > 250 * 50, `bytes ${last.bytes}`);
  });

  it("writes mongorestore's layout: <db>/<coll>.bson of raw documents and canonical <coll>.metadata.json", async () => {
    const db = await seeded();
    const { stream, summary } = mongodbAdapter.dump(db.url, ctx());
    const files = await untar(await collect(stream));
    await summary;
    assert.deepEqual(
      [...files.keys()].sort(),
      ['audit', 'orders', 'users'].flatMap((c) => [`${db.name}/${c}.bson`, `${db.name}/${c}.metadata.json`]).sort(),
    );
    const text = (files.get(`${db.name}/users.metadata.json`) as Buffer).toString('utf8');
    const meta = JSON.parse(text);
    // mongodump's key order; empty options are left out, as Go's omitempty does.
    assert.deepEqual(Object.keys(meta), ['indexes', 'uuid', 'collectionName', 'type']);
    assert.equal(meta.collectionName, 'users');
    assert.equal(meta.type, 'collection');
    // FerretDB v1 reports collection UUIDs too (listCollections info.uuid), so this holds on both servers.
    assert.match(meta.uuid, /^[0-9a-f]{32}$/);
    // Canonical Extended JSON keeps the int32 type of index fields, as mongodump writes them.
    const unique = meta.indexes.find((i: Document) => i.name === 'email_unique');
    assert.deepEqual(unique.key, { email: { $numberInt: '1' } });
    assert.equal(unique.unique, true);
    assert.ok(text.includes('"name":"_id_"'));
    // The .bson file is the documents back to back; each decodes, in the server's order.
    const bson = files.get(`${db.name}/users.bson`) as Buffer;
    const docs: Document[] = [];
    for (let at = 0; at < bson.length; at += bson.readInt32LE(at)) {
      docs.push(BSON.deserialize(bson.subarray(at, at + bson.readInt32LE(at))));
    }
    assert.deepEqual(
      docs.map((d) => d.email),
      ['a@x', 'b@x', 'c@x'],
    );
    assert.equal((files.get(`${db.name}/audit.bson`) as Buffer).length, 0);
  });

  it('restores into a scratch database: same counts, byte-identical documents, indexes recreated', async () => {
    const source = await seeded();
    const { stream, summary } = mongodbAdapter.dump(source.url, ctx());
    const archive = await collect(stream);
    const { counts } = await summary;
    const scratch = await mongodbAdapter.scratch(testMongoUrl() as string, ctx());
    drops.push(scratch.drop);
    assert.equal(await mongodbAdapter.isEmpty(scratch.url, ctx()), true);
    const seen: TransferProgress[] = [];
    const restored = await mongodbAdapter.restore(
      Readable.from([archive]),
      scratch.url,
      ctx((p) => seen.push(p)),
    );
    assert.deepEqual(restored, counts);
    assert.deepEqual(await mongodbAdapter.counts(scratch.url, ctx()), counts);
    assert.equal(await mongodbAdapter.isEmpty(scratch.url, ctx()), false);
    assert.ok(seen.some((p) => p.current === 'orders' && p.bytes > 0));

    const scratchName = new URL(scratch.url).pathname.slice(1);
    const raw = async (dbName: string) =>
      (
        await client
          .db(dbName)
          .collection('orders')
          .find({}, { raw: true, sort: { n: 1 } })
          .toArray()
      ).map((d) => Buffer.from(d as unknown as Uint8Array).toString('hex'));
    assert.deepEqual(await raw(scratchName), await raw(source.name));
    const indexes = await client.db(scratchName).collection('users').listIndexes().toArray();
    const unique = indexes.find((i) => i.name === 'email_unique');
    assert.equal(unique?.unique, true);
    await assert.rejects(client.db(scratchName).collection('users').insertOne({ email: 'a@x' }), /duplicate key/i);
    const orderIndexes = await client.db(scratchName).collection('orders').listIndexes().toArray();
    assert.ok(orderIndexes.some((i) => JSON.stringify(i.key) === '{"nested.name":1,"n":-1}'));

    await scratch.drop();
    assert.equal(await mongodbAdapter.isEmpty(scratch.url, ctx()), true);
  });
  it('replace (restore --force): each collection the archive holds is dropped first; others are left alone', async () => {
    const source = await seeded();
    const archive = await collect(mongodbAdapter.dump(source.url, ctx()).stream);
    const target = await freshMongoDatabase();
    drops.push(target.drop);
    const d = client.db(target.name);
    // Clashing: the same _id-less emails under a different unique index, and a view where the archive has `orders`.
    await d.collection('users').insertMany([
      { email: 'a@x', stale: true },
      { email: 'z@x', stale: true },
    ]);
    await d.collection('users').createIndex({ stale: 1 }, { name: 'stale_1' });
    await d.collection('keep').insertOne({ mine: true });
    await assert.rejects(
      mongodbAdapter.restore(Readable.from([archive]), target.url, ctx()),
      DatabaseError,
      'without replace a clashing collection fails the restore',
    );
    const restored = await mongodbAdapter.restore(Readable.from([archive]), target.url, ctx(), { replace: true });
    assert.deepEqual(restored, { audit: 0, orders: 250, users: 3 });
    assert.deepEqual(await mongodbAdapter.counts(target.url, ctx()), { audit: 0, keep: 1, orders: 250, users: 3 });
    assert.equal(await d.collection('users').countDocuments({ stale: true }), 0, 'the old documents are gone');
    const names = (await d.collection('users').listIndexes().toArray()).map((i) => i.name).sort();
    assert.deepEqual(names, ['_id_', 'email_unique'], 'the old index went with its collection');
  });

  it('keeps collection options (capped size and max) through dump and restore', async () => {
    const source = await freshMongoDatabase();
    drops.push(source.drop);
    await client.db(source.name).command({ create: 'recent', capped: true, size: 65536, max: 100 });
    await client
      .db(source.name)
      .collection('recent')
      .insertMany([{ a: 1 }, { a: 2 }]);
    const { stream, summary } = mongodbAdapter.dump(source.url, ctx());
    const files = await untar(await collect(stream));
    await summary;
    const meta = BSON.EJSON.parse((files.get(`${source.name}/recent.metadata.json`) as Buffer).toString('utf8'));
    assert.deepEqual(meta.options, { capped: true, size: 65536, max: 100 });
    const scratch = await mongodbAdapter.scratch(testMongoUrl() as string, ctx());
    drops.push(scratch.drop);
    const archive = await collect(mongodbAdapter.dump(source.url, ctx()).stream);
    assert.deepEqual(await mongodbAdapter.restore(Readable.from([archive]), scratch.url, ctx()), { recent: 2 });
    // The options come back with their BSON types too (FerretDB reports size and max as int64, MongoDB as given).
    const options = async (name: string) => {
      const [raw] = await client
        .db(name)
        .listCollections({ name: 'recent' }, { raw: true } as Document)
        .toArray();
      const info = BSON.deserialize(raw as unknown as Uint8Array, { promoteValues: false });
      return BSON.EJSON.stringify(info.options, { relaxed: false });
    };
    assert.equal(await options(new URL(scratch.url).pathname.slice(1)), await options(source.name));
  });

  it('dumps a view as metadata only and recreates it on restore', async (t) => {
    const source = await seeded();
    const created = await client
      .db(source.name)
      .createCollection('big_orders', { viewOn: 'orders', pipeline: [{ $match: { n: { $gte: 200 } } }] })
      .then(
        () => undefined,
        (err: Error) => err.message,
      );
    if (created !== undefined) {
      // FerretDB v1 answers `create: support for field "viewOn" ... is not implemented yet`.
      t.skip(`this server cannot create views (FerretDB v1 lacks them): ${created}`);
      return;
    }
    const { stream, summary } = mongodbAdapter.dump(source.url, ctx());
    const files = await untar(await collect(stream));
    assert.equal((await summary).counts.big_orders, undefined);
    assert.equal(files.has(`${source.name}/big_orders.bson`), false);
    const meta = JSON.parse((files.get(`${source.name}/big_orders.metadata.json`) as Buffer).toString('utf8'));
    assert.equal(meta.type, 'view');
    assert.equal(meta.options.viewOn, 'orders');
    const scratch = await mongodbAdapter.scratch(testMongoUrl() as string, ctx());
    drops.push(scratch.drop);
    const archive = await collect(mongodbAdapter.dump(source.url, ctx()).stream);
    await mongodbAdapter.restore(Readable.from([archive]), scratch.url, ctx());
    const scratchDb = client.db(new URL(scratch.url).pathname.slice(1));
    assert.equal(await scratchDb.collection('big_orders').countDocuments(), 50);
  });

  it('collection names that need escaping get mongodump file names and come back under their own names', async () => {
    const source = await freshMongoDatabase();
    drops.push(source.drop);
    const names = ['a?b', 'dot.ted', 'naïve', 'system.js', 'with space', 'x,y;z'];
    for (const [i, name] of names.entries()) {
      await client
        .db(source.name)
        .collection(name)
        .insertMany(Array.from({ length: i + 1 }, (_, n) => ({ n })));
    }
    const archive = await collect(mongodbAdapter.dump(source.url, ctx()).stream);
    const files = await untar(archive);
    assert.deepEqual(
      [...files.keys()].filter((f) => f.endsWith('.bson')).sort(),
      ['a%3Fb', 'dot.ted', 'na%C3%AFve', 'system.js', 'with%20space', 'x%2Cy%3Bz'].map(
        (f) => `${source.name}/${f}.bson`,
      ),
    );
    const expected = Object.fromEntries(names.map((name, i) => [name, i + 1]));
    assert.deepEqual(await mongodbAdapter.inspect(Readable.from([archive]), ctx()), expected);
    const scratch = await mongodbAdapter.scratch(testMongoUrl() as string, ctx());
    drops.push(scratch.drop);
    assert.deepEqual(await mongodbAdapter.restore(Readable.from([archive]), scratch.url, ctx()), expected);
    assert.deepEqual(await mongodbAdapter.counts(scratch.url, ctx()), expected);
  });

  it('GNU tar reads the archive: extracting it gives the mongodump directory mongorestore takes', async () => {
    const source = await seeded();
    const archive = await collect(mongodbAdapter.dump(source.url, ctx()).stream);
    const dir = await mkdtemp(join(tmp, 'extract-'));
    await writeFile(join(dir, 'dump.tar'), archive);
    const listed = execFileSync('tar', ['-xvf', 'dump.tar'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').sort();
    assert.deepEqual(listed, [
      `${source.name}/audit.bson`,
      `${source.name}/audit.metadata.json`,
      `${source.name}/orders.bson`,
      `${source.name}/orders.metadata.json`,
      `${source.name}/users.bson`,
      `${source.name}/users.metadata.json`,
    ]);
    assert.equal((await readFile(join(dir, source.name, 'users.bson'))).readInt32LE(0) > 0, true);
  });

  it('a reader that gives up or an abort stops the dump: the summary rejects, nothing hangs', async () => {
    const source = await seeded();
    const dumped = mongodbAdapter.dump(source.url, ctx());
    dumped.stream.once('data', () => dumped.stream.destroy());
    dumped.stream.resume();
    await assert.rejects(dumped.summary);

    const controller = new AbortController();
    const aborted = mongodbAdapter.dump(source.url, { signal: controller.signal, tmpDir: tmp });
    controller.abort();
    await assert.rejects(collect(aborted.stream), /cancelled/);
    await assert.rejects(aborted.summary, /cancelled/);
  });
});

describe('mongodb adapter, server unreachable', () => {
  it('preflight and dump fail with DatabaseError unreachable naming the host, never the password', async () => {
    // A port nothing listens on (bound then released), and a short selection timeout so the test stays quick.
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address() as { port: number };
        server.close(() => resolve(address.port));
      });
    });
    const url = `mongodb://backup:s3cret-pw@127.0.0.1:${port}/app?serverSelectionTimeoutMS=300`;
    const context: AdapterContext = { signal: new AbortController().signal, tmpDir: tmpdir() };
    const err = await mongodbAdapter.preflight(url, context).then(
      () => assert.fail('preflight should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof DatabaseError);
    assert.equal(err.reason, 'unreachable');
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.doesNotMatch(`${err.message} ${err.stack}`, /s3cret-pw/);

    const { stream, summary } = mongodbAdapter.dump(url, context);
    const streamError = await collect(stream).then(
      () => assert.fail('the dump stream should error'),
      (e: unknown) => e,
    );
    assert.ok(streamError instanceof DatabaseError);
    assert.equal(streamError.reason, 'unreachable');
    await assert.rejects(summary, (e: unknown) => e instanceof DatabaseError && e.reason === 'unreachable');
  });
});
