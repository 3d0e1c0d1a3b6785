/**
 * `npm run bench:mongodb -- [--docs N] [--size BYTES] [--runs R]`: MongoDB dump throughput of upkeep's adapter
 * (raw BSON → temp file → mongodump-layout tar, read to the end) against the test server (FerretDB on SQLite, started
 * here; or MONGODB_TEST_URL), beside the ceiling of the same server: a raw cursor read to nothing. Prints MB/s of
 * BSON and peak RSS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { startTestMongo } from '../scripts/test-mongodb.mjs';
import { mongodbAdapter } from '../src/databases/mongodb.js';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '50000' },
    size: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '3' },
  },
});
const docs = Number(values.docs);
const size = Number(values.size);
const runs = Number(values.runs);

const server = process.env.MONGODB_TEST_URL ? undefined : await startTestMongo();
const base = process.env.MONGODB_TEST_URL ?? (server?.url as string);
const dbName = `upkeep_bench_${Date.now()}`;
const url = `${base.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`)}`;
const tmp = mkdtempSync(join(tmpdir(), 'upkeep-bench-mongo-'));
const client = new MongoClient(base);
let peakRss = 0;
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

try {
  const collection = client.db(dbName).collection('items');
  const loadStart = performance.now();
  for (let start = 0; start < docs; start += 1000) {
    const n = Math.min(1000, docs - start);
    await collection.insertMany(
      Array.from({ length: n }, (_, i) => ({
        n: start + i,
        at: new Date(),
        tags: ['a', 'b', 'c'],
        text: 'lorem ipsum '.repeat(Math.ceil(size / 12)).slice(0, size),
      })),
    );
  }
  log(`loaded ${docs} documents of ~${size} B in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);

  for (let run = 1; run <= runs; run++) {
    // Ceiling: the server and driver alone, documents as raw bytes dropped on the floor.
    let rawBytes = 0;
    const rawStart = performance.now();
    for await (const doc of collection.find({}, { raw: true, batchSize: 1000 }) as AsyncIterable<unknown>) {
      rawBytes += (doc as Uint8Array).byteLength;
    }
    const rawSeconds = (performance.now() - rawStart) / 1000;

    peakRss = process.memoryUsage().rss;
    let tarBytes = 0;
    const dumpStart = performance.now();
    const { stream, summary } = mongodbAdapter.dump(url, { signal: new AbortController().signal, tmpDir: tmp });
    await pipeline(
      stream,
      new Writable({
        write(chunk: Buffer, _e, next) {
          tarBytes += chunk.length;
          next();
        },
      }),
    );
    const { counts } = await summary;
    const dumpSeconds = (performance.now() - dumpStart) / 1000;
    if (counts.items !== docs) throw new Error(`dump counted ${counts.items} documents, expected ${docs}`);
    const mb = rawBytes / 1e6;
    log(
      `run ${run}: ${mb.toFixed(1)} MB BSON (${(tarBytes / 1e6).toFixed(1)} MB tar) — ` +
        `upkeep dump ${(mb / dumpSeconds).toFixed(1)} MB/s (${dumpSeconds.toFixed(2)} s), ` +
        `raw cursor ${(mb / rawSeconds).toFixed(1)} MB/s (${rawSeconds.toFixed(2)} s), ` +
        `ratio ${((rawSeconds / dumpSeconds) * 100).toFixed(0)} %, peak RSS ${(peakRss / 1e6).toFixed(0)} MB`,
    );
  }
  log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
} finally {
  clearInterval(rssTimer);
  await client
    .db(dbName)
    .dropDatabase()
    .catch(() => {});
  await client.close();
  server?.stop();
  rmSync(tmp, { recursive: true, force: true });
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}
