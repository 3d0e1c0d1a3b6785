// MongoDB adapter under faults and load, against the real test server (test-mongodb): the server vanishing mid-dump
// (a TCP proxy in front of it is cut; a second FerretDB killed with SIGKILL), 12k documents (~30 MB) streamed in
// bounded memory, damaged archives refused.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BSON, MongoClient } from 'mongodb';
import tar from 'tar-stream';
import { ferretdbBinary, startTestMongo } from '../../scripts/test-mongodb.mjs';
import { type AdapterContext, DatabaseError } from './adapter.js';
import { mongodbAdapter } from './mongodb.js';
import { freshMongoDatabase, mongoSkipReason, testMongoUrl } from './test-mongodb.js';

const skip = mongoSkipReason();
if (skip) console.error(`\n!! SKIPPING MongoDB fault tests: ${skip}\n`);

/** A TCP proxy to the test server that counts bytes coming back and can be cut like a server dying. */
async function startProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let fromServer = 0;
  let onBytes: ((total: number) => void) | undefined;
  const server: Server = createServer((client) => {
    const remote = connect(target.port, target.host);
    sockets.add(client).add(remote);
    client.pipe(remote);
    remote.on('data', (chunk: Buffer) => {
      fromServer += chunk.length;
      onBytes?.(fromServer);
    });
    remote.pipe(client);
    const drop = () => {
      client.destroy();
      remote.destroy();
    };
    client.on('error', drop).on('close', drop);
    remote.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    watch(fn: (total: number) => void) {
      onBytes = fn;
    },
    /** Every connection reset and no new ones accepted: to the driver, the server is gone. */
    cut() {
      server.close();
      for (const socket of sockets) socket.resetAndDestroy();
    },
  };
}

describe('mongodb adapter faults', { skip }, () => {
  let client: MongoClient;
  let tmp: string;
  const drops: Array<() => Promise<void>> = [];
  const ctx = (): AdapterContext => ({ signal: new AbortController().signal, tmpDir: tmp });

  before(async () => {
    client = new MongoClient(testMongoUrl() as string);
    await client.connect();
    tmp = await mkdtemp(join(tmpdir(), 'upkeep-mongo-faults-'));
  });

  after(async () => {
    for (const drop of drops) await drop().catch(() => {});
    await client?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  /** A fresh database with `count` documents of about `size` bytes in collection `big`. */
  async function filled(count: number, size: number) {
    const db = await freshMongoDatabase();
    drops.push(db.drop);
    const filler = 'x'.repeat(size);
    const collection = client.db(db.name).collection('big');
    for (let start = 0; start < count; start += 1000) {
      const n = Math.min(1000, count - start);
      await collection.insertMany(Array.from({ length: n }, (_, i) => ({ n: start + i, filler })));
    }
    return db;
  }

  it('a server that dies mid-dump errors the stream and the summary with mid-dump; no archive is claimed', async () => {
    const db = await filled(4000, 2000);
    const server = new URL(testMongoUrl() as string);
    const proxy = await startProxy({ host: server.hostname, port: Number(server.port) });
    // Cut once the documents are flowing (~1 MB of the ~8 MB collection), the way a crashed server looks.
    proxy.watch((total) => {
      if (total > 1_000_000) proxy.cut();
    });
    const url = `mongodb://127.0.0.1:${proxy.port}/${db.name}?serverSelectionTimeoutMS=500&directConnection=true`;
    const { stream, summary } = mongodbAdapter.dump(url, ctx());
    let ended = false;
    stream.on('end', () => {
      ended = true;
    });
    const streamError = await pipeline(stream, new Writable({ write: (_c, _e, next) => next() })).then(
      () => assert.fail('the dump stream should have failed'),
      (e: unknown) => e,
    );
    assert.ok(streamError instanceof DatabaseError, String(streamError));
    assert.equal(streamError.reason, 'mid-dump');
    assert.match(streamError.message, /reading big/);
    await assert.rejects(summary, (e: unknown) => e instanceof DatabaseError && e.reason === 'mid-dump');
    assert.equal(ended, false, 'a failed dump must not end like a complete archive');
  });

  it('a FerretDB killed with SIGKILL mid-dump: mid-dump error, no archive claimed', async (t) => {
    if (!existsSync(ferretdbBinary)) {
      t.skip(`needs the FerretDB test binary (${ferretdbBinary}) to start and kill a second server`);
      return;
    }
    const victim = await startTestMongo();
    try {
      const url = `${victim.url}doomed?serverSelectionTimeoutMS=500`;
      const seed = new MongoClient(victim.url);
      try {
        const filler = 'k'.repeat(2000);
        for (let start = 0; start < 4000; start += 1000) {
          await seed
            .db('doomed')
            .collection('big')
            .insertMany(Array.from({ length: 1000 }, (_, i) => ({ n: start + i, filler })));
        }
      } finally {
        await seed.close();
      }
      const runTmp = await mkdtemp(join(tmp, 'kill-'));
      // Kill once the temp file shows documents arriving (~1 MB of ~8 MB): the cursor is open mid-collection.
      const partial = join(runTmp, 'mongodump', 'doomed', 'big.bson');
      const watcher = setInterval(() => {
        if (existsSync(partial) && statSync(partial).size > 1_000_000) {
          clearInterval(watcher);
          victim.stop();
        }
      }, 5);
      const { stream, summary } = mongodbAdapter.dump(url, { signal: new AbortController().signal, tmpDir: runTmp });
      let ended = false;
      stream.on('end', () => {
        ended = true;
      });
      const err = await pipeline(stream, new Writable({ write: (_c, _e, next) => next() })).then(
        () => assert.fail('the dump should have failed'),
        (e: unknown) => e,
      );
      clearInterval(watcher);
      assert.ok(err instanceof DatabaseError, String(err));
      assert.equal(err.reason, 'mid-dump');
      assert.match(err.message, /reading big/);
      await assert.rejects(summary, (e: unknown) => e instanceof DatabaseError && e.reason === 'mid-dump');
      assert.equal(ended, false);
    } finally {
      victim.stop();
    }
  });

  it('streams 12k documents (~30 MB) with bounded memory', async () => {
    const db = await filled(12_000, 2500);
    // Live memory only: sample after a full GC, so garbage waiting to be collected does not count.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const live = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const baseline = live();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, live());
    }, 25);
    let bytes = 0;
    try {
      const { stream, summary } = mongodbAdapter.dump(db.url, ctx());
      await pipeline(
        stream,
        new Writable({
          write(chunk: Buffer, _e, next) {
            bytes += chunk.length;
            // A slow reader: the dump must wait for it rather than pile up data.
            setTimeout(next, bytes % (4 * 1024 * 1024) < chunk.length ? 5 : 0);
          },
        }),
      );
      assert.deepEqual((await summary).counts, { big: 12_000 });
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - baseline;
    assert.ok(bytes > 30_000_000, `archive bytes ${bytes}`);
    // Holding the documents would need > 30 MB; streaming needs a few batches and buffers.
    assert.ok(growth < 16 * 1024 * 1024, `live memory grew by ${(growth / 1e6).toFixed(1)} MB while dumping`);
  });

  it('inspect and restore refuse a truncated or corrupted archive with DatabaseError', async () => {
    const db = await filled(300, 100);
    const { stream, summary } = mongodbAdapter.dump(db.url, ctx());
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    await summary;
    const archive = Buffer.concat(chunks);
    const truncated = archive.subarray(0, Math.floor(archive.length / 2));
    await assert.rejects(mongodbAdapter.inspect(Readable.from([truncated]), ctx()), DatabaseError);
    // A flipped length prefix inside big.bson: the BSON framing no longer adds up.
    const flipped = Buffer.from(archive);
    const bsonStart = flipped.indexOf(Buffer.from('big.bson')) + 512 - (flipped.indexOf(Buffer.from('big.bson')) % 512);
    flipped[bsonStart + 3] = 0x7f;
    await assert.rejects(mongodbAdapter.inspect(Readable.from([flipped]), ctx()), /cannot be read/);
    const scratch = await mongodbAdapter.scratch(testMongoUrl() as string, ctx());
    drops.push(scratch.drop);
    await assert.rejects(mongodbAdapter.restore(Readable.from([flipped]), scratch.url, ctx()), DatabaseError);
    // An input that fails (a wrong key upstream, say) surfaces as its own error, not as "damaged".
    const failing = new Readable({
      read() {
        this.destroy(new Error('decryption failed upstream'));
      },
    });
    await assert.rejects(mongodbAdapter.inspect(failing, ctx()), /decryption failed upstream/);
  });

  it('reads mongodump output tarred under a folder, skips a duplicate _id like mongorestore, refuses two databases', async () => {
    const doc = Buffer.from(BSON.serialize({ a: 1 }));
    const archive = async (names: string[]) => {
      const pack = tar.pack();
      for (const name of names) pack.entry({ name, size: doc.length }, doc);
      pack.finalize();
      const chunks: Buffer[] = [];
      for await (const chunk of pack) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    };
    const nested = await archive(['dump/shop/orders.bson', 'dump/shop/users.bson']);
    assert.deepEqual(await mongodbAdapter.inspect(Readable.from([nested]), ctx()), { orders: 1, users: 1 });
    // A document seen twice (a dump without a snapshot can): restored once, the count says so, nothing fails.
    const same = Buffer.from(BSON.serialize({ _id: 7, a: 1 }));
    const twice = tar.pack();
    twice.entry({ name: 'shop/dup.bson', size: same.length * 2 }, Buffer.concat([same, same]));
    twice.finalize();
    const scratch = await mongodbAdapter.scratch(testMongoUrl() as string, ctx());
    drops.push(scratch.drop);
    assert.deepEqual(await mongodbAdapter.restore(Readable.from(twice), scratch.url, ctx()), { dup: 1 });
    const two = await archive(['dump/shop/orders.bson', 'dump/blog/posts.bson']);
    await assert.rejects(
      mongodbAdapter.inspect(Readable.from([two]), ctx()),
      (err: unknown) => err instanceof DatabaseError && /more than one database \(shop, blog\)/.test(err.message),
    );
  });
});
