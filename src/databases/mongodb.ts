/**
 * MongoDB through the official driver: dumps in mongodump's layout (tar of `<db>/<coll>.bson` +
 * `<coll>.metadata.json`, so mongorestore can always read an extracted backup), restore, counts and scratch databases.
 */
import { randomBytes } from 'node:crypto';
import type { MongoClient } from 'mongodb';
import type { AdapterContext, Counts, DatabaseAdapter } from './adapter.js';
import { connectMongo, mongoError, serverVersion } from './mongodb-client.js';
import { dumpMongo, listCollectionInfos } from './mongodb-dump.js';
import { inspectMongo, restoreMongo } from './mongodb-restore.js';
import { parseMongoUrl, requireDatabase, withDatabase } from './mongodb-url.js';

/** Runs `fn` with a connected client, closing it afterwards; driver errors become DatabaseErrors. */
async function withClient<T>(
  url: string,
  ctx: AdapterContext,
  doing: string,
  fn: (client: MongoClient) => Promise<T>,
): Promise<T> {
  const client = await connectMongo(url, ctx.signal);
  try {
    return await fn(client);
  } catch (err) {
    throw mongoError(err, url, `${doing} on ${parseMongoUrl(url).hosts}`);
  } finally {
    await client.close().catch(() => {});
  }
}

/** Exact document counts per collection of the URL's database (views left out: they hold no documents). */
async function countsOf(url: string, ctx: AdapterContext): Promise<Counts> {
  const database = requireDatabase(url);
  return withClient(url, ctx, `counting documents in ${database}`, async (client) => {
    const db = client.db(database);
    const counts: Counts = {};
    for (const info of await listCollectionInfos(db)) {
      if (info.type === 'view') continue;
      ctx.signal.throwIfAborted();
      // countDocuments, not the metadata estimate: after an unclean shutdown the estimate can be off.
      counts[info.name] = await db.collection(info.name).countDocuments({});
    }
    return counts;
  });
}

/** The MongoDB DatabaseAdapter: format 'tar' (uncompressed; the backup pipeline compresses it). */
export const mongodbAdapter: DatabaseAdapter = {
  engine: 'mongodb',
  format: 'tar',
  compressed: false,

  preflight(url, ctx) {
    const database = requireDatabase(url);
    return withClient(url, ctx, `checking MongoDB database ${database}`, async (client) => {
      await client.db(database).command({ ping: 1 });
      return { server: await serverVersion(client) };
    });
  },

  dump: dumpMongo,
  inspect: inspectMongo,
  restore: restoreMongo,
  counts: countsOf,

  async isEmpty(url, ctx) {
    const database = requireDatabase(url);
    return withClient(url, ctx, `listing collections of ${database}`, async (client) => {
      return (await listCollectionInfos(client.db(database))).length === 0;
    });
  },

  async scratch(serverUrl, ctx) {
    const name = `upkeep_scratch_${randomBytes(6).toString('hex')}`;
    const url = withDatabase(serverUrl, name);
    // Nothing to create: MongoDB makes a database on its first write. Checking the server now fails the drill early.
    await withClient(url, ctx, 'opening a scratch database', async (client) => {
      await client.db(name).command({ ping: 1 });
    });
    return {
      url,
      drop: () =>
        withClient(url, { ...ctx, signal: new AbortController().signal }, `dropping scratch database ${name}`, (c) =>
          c.db(name).dropDatabase(),
        ).then(() => {}),
    };
  },
};
