/** The Store contract on SQLite: a fresh temp data dir per test. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openDatabase } from '../store/database.js';
import { KyselyStore } from './kysely-store.js';
import { runStoreContract } from './store.contract.js';

const execFileAsync = promisify(execFile);

runStoreContract('sqlite', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'upkeep-store-'));
  return {
    open: async () => new KyselyStore(openDatabase({ dataDir })),
    openReadOnly: async () => {
      const database = openDatabase({ dataDir });
      // The same refusal a full disk or read-only file gives, on this connection only (chmod means nothing to root).
      database.sqlite?.pragma('query_only = ON');
      return new KyselyStore(database);
    },
    dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
});

test('two processes on one SQLite file: each due run is claimed and recorded exactly once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'upkeep-store-mp-'));
  try {
    const store = new KyselyStore(openDatabase({ dataDir }));
    const ids = Array.from({ length: 300 }, (_, i) => `mp/u${i}`);
    await store.migrate();
    await store.syncUnits(
      ids.map((id) => ({
        id,
        app: 'mp',
        name: id,
        type: 'check',
        kind: 'http',
        target: id,
        schedule: '',
        specHash: 'h',
      })),
      () => 0,
    );
    const worker = fileURLToPath(new URL('./test-claim-worker.ts', import.meta.url));
    const spawnWorker = (name: string) =>
      execFileAsync(process.execPath, ['--import', 'tsx', worker, dataDir, name, '2'], { encoding: 'utf8' });
    const results = await Promise.all([spawnWorker('p1'), spawnWorker('p2')]);
    const [a, b] = results.map((r) => JSON.parse(r.stdout) as string[]) as [string[], string[]];
    assert.deepEqual([...a, ...b].sort(), [...ids].sort(), 'every unit claimed once across both processes');
    assert.ok(a.length > 0 && b.length > 0, `both processes should win some claims (p1 ${a.length}, p2 ${b.length})`);
    assert.equal((await store.listRuns({ limit: 1000 })).length, ids.length);
    await store.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
