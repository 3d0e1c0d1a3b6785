/** The listen record on SQLite and PostgreSQL, and `upkeep status` in another process showing the running ping URLs. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { eventually, spawnUpkeep } from '../cli/test-process.js';
import { createStore, type KyselyStore } from '../runs/kysely-store.js';
import { ManualClock } from '../schedule/clock.js';
import { freshPostgresDatabase, postgresSkipReason } from '../store/test-database.js';
import { pingBaseUrl, recordListener, runningListenerUrl } from './listen-record.js';
import { authHeadersFor } from './test-auth.js';

const root = mkdtempSync(join(tmpdir(), 'upkeep-listen-'));
after(() => rmSync(root, { recursive: true, force: true }));
const logger = pino({ level: 'silent' });

/** Writes a listener row as another process would have left it. */
async function plantRow(store: KyselyStore, worker: string, row: object) {
  await store.database.db
    .insertInto('upkeep_meta')
    .values({ key: `listener:${worker}`, value: JSON.stringify(row) })
    .execute();
}

function listenContract(name: string, open: () => Promise<{ store: KyselyStore; dispose(): Promise<void> }>) {
  describe(`listen record (${name})`, { skip: name === 'postgres' ? postgresSkipReason() : undefined }, () => {
    it('a running server is found, the newest first; stopping removes it', async () => {
      const { store, dispose } = await open();
      try {
        const clock = new ManualClock(1_000_000);
        assert.equal(await runningListenerUrl(store.database, clock.now()), undefined);
        const a = await recordListener(store.database, { worker: 'a', url: 'http://127.0.0.1:4001', clock, logger });
        clock.advance(10);
        const b = await recordListener(store.database, { worker: 'b', url: 'http://10.0.0.2:4002', clock, logger });
        assert.equal(await runningListenerUrl(store.database, clock.now()), 'http://10.0.0.2:4002');
        await b.stop();
        assert.equal(await runningListenerUrl(store.database, clock.now()), 'http://127.0.0.1:4001');
        await a.stop();
        assert.equal(await runningListenerUrl(store.database, clock.now()), undefined);
      } finally {
        await dispose();
      }
    });

    it('stale records never mislead: a dead process on this host, a record long unrefreshed, a broken row', async () => {
      const { store, dispose } = await open();
      try {
        const now = 5_000_000;
        // A pid that cannot be running: above the kernel's pid limit.
        await plantRow(store, 'killed', { url: 'http://127.0.0.1:1', host: hostname(), pid: 2 ** 30, seenAt: now });
        await plantRow(store, 'gone', { url: 'http://10.9.9.9:2', host: 'elsewhere', pid: 7, seenAt: now - 60_000 });
        await store.database.db.insertInto('upkeep_meta').values({ key: 'listener:junk', value: '{' }).execute();
        assert.equal(await runningListenerUrl(store.database, now), undefined);
        assert.equal(await pingBaseUrl(store.database, {}, undefined, now), 'http://127.0.0.1:8080');
        // Another host's fresh record is trusted (its process table is not ours to read).
        await plantRow(store, 'peer', { url: 'http://10.1.1.1:9090', host: 'elsewhere', pid: 7, seenAt: now - 1_000 });
        assert.equal(await pingBaseUrl(store.database, {}, undefined, now), 'http://10.1.1.1:9090');
        // What the user says wins: the flag, then UPKEEP_PUBLIC_URL.
        const env = { UPKEEP_PUBLIC_URL: 'https://upkeep.example/' };
        assert.equal(await pingBaseUrl(store.database, env, undefined, now), 'https://upkeep.example');
        assert.equal(await pingBaseUrl(store.database, env, 'http://h:1', now), 'http://h:1');
      } finally {
        await dispose();
      }
    });
  });
}

listenContract('sqlite', async () => {
  const store = createStore({ dataDir: mkdtempSync(join(root, 'sqlite-')) });
  await store.migrate();
  return { store, dispose: () => store.close() };
});
listenContract('postgres', async () => {
  const database = await freshPostgresDatabase();
  const store = createStore({ databaseUrl: database.url, poolSize: 2 });
  await store.migrate();
  return {
    store,
    dispose: async () => {
      await store.close();
      await database.drop();
    },
  };
});

describe('upkeep status in another process', () => {
  it('shows the ping URLs of the running start (port 0), and the default again once it stopped', async () => {
    const dir = mkdtempSync(join(root, 'cli-'));
    const plan = join(dir, 'upkeep.yml');
    writeFileSync(plan, 'version: 1\napps:\n  shop:\n    checks:\n      nightly: { heartbeat: { every: 1h } }\n');
    const dataDir = join(dir, 'data');
    const status = async () => {
      const proc = spawnUpkeep(['status', '--data-dir', dataDir, '--json']);
      const { code } = await proc.exited;
      assert.equal(code, 0, proc.stderr());
      const { units } = JSON.parse(proc.stdout()) as { units: { heartbeat?: { token: string; pingUrl: string } }[] };
      return units[0]?.heartbeat as { token: string; pingUrl: string };
    };
    const start = spawnUpkeep(['start', plan, '--data-dir', dataDir, '--port', '0']);
    try {
      const [, url] = await start.waitFor(/API\s+(http:\/\/\S+)\/api\/units/);
      const headers = await authHeadersFor({ dataDir }, 'viewer');
      const heartbeat = await status();
      assert.equal(heartbeat.pingUrl, `${url}/ping/${heartbeat.token}`);
      assert.doesNotMatch(url as string, /:8080$/);
      assert.equal((await fetch(heartbeat.pingUrl)).status, 200, 'the URL shown is one the server answers');
      // `upkeep exec` finds the same address: its pings reach this server, not port 8080.
      const exec = spawnUpkeep(['exec', 'shop/nightly', '--data-dir', dataDir, '--', 'true']);
      assert.equal((await exec.exited).code, 0);
      assert.equal(exec.stderr(), '', 'no ping failed');
      await eventually(async () => {
        const runs = (await (await fetch(`${url}/api/units/shop/nightly/runs`, { headers })).json()) as {
          summary: string;
        }[];
        return runs.length >= 2; // the curl-style ping above and exec's
      });
    } finally {
      start.child.kill('SIGTERM');
      await start.exited;
    }
    const stopped = await status();
    assert.equal(stopped.pingUrl, `http://127.0.0.1:8080/ping/${stopped.token}`);

    // kill -9 leaves the record behind; the dead pid tells status not to trust it.
    const killed = spawnUpkeep(['start', plan, '--data-dir', dataDir, '--port', '0']);
    await killed.waitFor(/API\s+http/);
    killed.child.kill('SIGKILL');
    await killed.exited;
    await eventually(async () => (await status()).pingUrl.startsWith('http://127.0.0.1:8080/'));
  });
});
