import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { httpKind } from '../checks/http.js';
import { findCheckKind } from '../checks/registry.js';
import type { CheckUnit } from '../plan/units.js';
import { createStore, type KyselyStore } from '../runs/kysely-store.js';
import { freshPostgresDatabase, postgresSkipReason, testPostgresUrl } from '../store/test-database.js';
import { type Clock, ManualClock, systemClock } from './clock.js';
import { nextRunAt } from './schedule-spec.js';
import { Scheduler } from './scheduler.js';
import { unitDefinition } from './unit-definition.js';

const logger = pino({ level: 'silent' });

/** A target whose behaviour per path the tests set: ok, 503, or hang. */
let server: Server;
let base: string;
const hanging = new Set<ServerResponse>();
before(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? 0);
    if (req.url?.startsWith('/hang')) {
      hanging.add(res);
      return;
    }
    setTimeout(() => {
      if (req.url?.startsWith('/down')) res.writeHead(503).end('{"status":"error"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    }, delay);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  server.close();
});

function unit(
  name: string,
  path: string,
  opts: { everyMs?: number; timeoutMs?: number; failures?: number } = {},
): CheckUnit {
  const everyMs = opts.everyMs ?? 60_000;
  return {
    id: `shop/${name}`,
    app: 'shop',
    name,
    type: 'check',
    kind: 'http',
    spec: httpKind.schema.parse({ http: `${base}${path}` }),
    schedule: { kind: 'every', everyMs, text: `every ${everyMs / 1000}s` },
    timeoutMs: opts.timeoutMs ?? 5_000,
    policy: { failureThreshold: opts.failures ?? 2, successThreshold: 1 },
    target: `GET ${base}${path}`,
  };
}

type Backend = 'sqlite' | 'postgres';
let backend: Backend = 'sqlite';

/** A store, its disposal, and a real fault: `writable(false)` makes every later write fail until `writable(true)`. */
interface OpenedStore {
  store: KyselyStore;
  dispose: () => Promise<void>;
  writable: (on: boolean) => Promise<void>;
}

async function openStore(): Promise<OpenedStore> {
  if (backend === 'postgres') {
    const database = await freshPostgresDatabase();
    const store = createStore({ databaseUrl: database.url, poolSize: 4 });
    const name = new URL(database.url).pathname.slice(1);
    // The database turns read-only for new sessions, and the store's open sessions are cut, as on a failover to a
    // read-only replica: the pool reconnects into read-only sessions.
    const writable = async (on: boolean) => {
      const admin = new pg.Client({ connectionString: testPostgresUrl() });
      await admin.connect();
      try {
        await admin.query(
          on
            ? `alter database "${name}" reset default_transaction_read_only`
            : `alter database "${name}" set default_transaction_read_only = on`,
        );
        await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
      } finally {
        await admin.end();
      }
    };
    return { store, dispose: () => store.close().then(() => database.drop()), writable };
  }
  const dir = mkdtempSync(join(tmpdir(), 'upkeep-sched-'));
  const store = createStore({ dataDir: dir });
  const writable = async (on: boolean) => {
    store.database.sqlite?.pragma(`query_only = ${on ? 'OFF' : 'ON'}`); // as on a read-only or full disk
  };
  return { store, dispose: () => store.close().then(() => rmSync(dir, { recursive: true, force: true })), writable };
}

async function setup(units: CheckUnit[], clock: Clock, concurrency = 8) {
  const { store, dispose, writable } = await openStore();
  await store.migrate();
  await store.syncUnits(units.map(unitDefinition), () => clock.now());
  const scheduler = new Scheduler({
    store,
    units,
    findKind: findCheckKind,
    clock,
    logger,
    worker: 'test-worker',
    concurrency,
    nextRunAt: (u, at) => nextRunAt(u.schedule, at, u.id),
    inMaintenance: () => false,
  });
  return { store, scheduler, cleanup: dispose, writable };
}

const pgSkip = postgresSkipReason();
for (const name of ['sqlite', 'postgres'] as const) {
  describe(`Scheduler on ${name}`, { skip: name === 'postgres' ? pgSkip : undefined }, () => {
    before(() => {
      backend = name;
    });

    it('runs due units, stores runs and walks a failing one to firing', async () => {
      const clock = new ManualClock(Date.parse('2026-11-22T00:00:00Z'));
      const { store, scheduler, cleanup } = await setup([unit('up', '/ok'), unit('down', '/down')], clock);
      try {
        assert.equal(await scheduler.tick(), 2);
        await scheduler.idle();
        clock.advance(60_000);
        assert.equal(await scheduler.tick(), 2);
        await scheduler.idle();
        const down = await store.getUnit('shop/down');
        assert.equal(down?.alert.state, 'firing');
        assert.equal(down?.alert.severity, 'critical');
        assert.match(down?.alert.lastSummary ?? '', /503/);
        assert.equal((await store.getUnit('shop/up'))?.alert.state, 'ok');
        const transitions = await store.listTransitions({ unitId: 'shop/down', limit: 10 });
        assert.deepEqual(
          transitions.map((t) => `${t.from}->${t.to}`),
          ['pending->firing', 'ok->pending'],
        );
        assert.equal((await store.listRuns({ unitId: 'shop/up', limit: 10 })).length, 2);
      } finally {
        await cleanup();
      }
    });

    it('runs a unit once after downtime, however many runs were missed', async () => {
      const clock = new ManualClock(Date.parse('2026-11-22T00:00:00Z'));
      const { store, scheduler, cleanup } = await setup([unit('up', '/ok')], clock);
      try {
        await scheduler.tick();
        await scheduler.idle();
        clock.advance(10 * 60_000 + 5_000); // ten periods pass while upkeep is down
        assert.equal(await scheduler.tick(), 1);
        await scheduler.idle();
        assert.equal(await scheduler.tick(), 0, 'no backlog of missed runs');
        const next = (await store.getUnit('shop/up'))?.nextRunAt ?? 0;
        assert.ok(next > clock.now() && next <= clock.now() + 60_000, 'next run is within one period from now');
        assert.equal((await store.listRuns({ unitId: 'shop/up', limit: 10 })).length, 2);
      } finally {
        await cleanup();
      }
    });

    it('never overlaps runs of one unit', async () => {
      const clock = new ManualClock(Date.parse('2026-11-22T00:00:00Z'));
      const { scheduler, store, cleanup } = await setup(
        [unit('slow', '/ok?delay=300', { everyMs: 1_000, timeoutMs: 900 })],
        clock,
      );
      try {
        assert.equal(await scheduler.tick(), 1);
        clock.advance(5_000);
        assert.equal(await scheduler.tick(), 0, 'still running: not claimed again');
        await scheduler.idle();
        assert.equal(await scheduler.tick(), 1, 'claimable again once recorded');
        await scheduler.idle();
        assert.equal((await store.listRuns({ unitId: 'shop/slow', limit: 10 })).length, 2);
      } finally {
        await cleanup();
      }
    });

    it('keeps to the global concurrency limit', async () => {
      const clock = new ManualClock(Date.parse('2026-11-22T00:00:00Z'));
      const units = Array.from({ length: 5 }, (_, i) => unit(`u${i}`, '/ok?delay=100'));
      const { scheduler, cleanup } = await setup(units, clock, 2);
      try {
        assert.equal(await scheduler.tick(), 2);
        assert.equal(await scheduler.tick(), 0, 'no free slot');
        assert.equal(scheduler.status().inFlight.length, 2);
        await scheduler.idle();
        assert.equal(await scheduler.tick(), 2);
        await scheduler.idle();
      } finally {
        await cleanup();
      }
    });

    it('many runs in flight at once are not reported as a listener leak', async () => {
      const clock = new ManualClock(Date.parse('2026-11-22T00:00:00Z'));
      const units = Array.from({ length: 15 }, (_, i) => unit(`many${i}`, '/ok?delay=100'));
      const { scheduler, cleanup } = await setup(units, clock, 20);
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
      process.on('warning', onWarning);
      try {
        assert.equal(await scheduler.tick(), 15);
        await scheduler.idle();
        // Warnings are emitted on the next tick of the event loop.
        await new Promise((r) => setImmediate(r));
        assert.deepEqual(warnings, []);
      } finally {
        process.off('warning', onWarning);
        await cleanup();
      }
    });

    it('a target that never answers does not delay the others', async () => {
      const units = [
        unit('hang1', '/hang', { timeoutMs: 3_000 }),
        unit('hang2', '/hang', { timeoutMs: 3_000 }),
        unit('up', '/ok'),
      ];
      const { store, scheduler, cleanup } = await setup(units, systemClock);
      try {
        const started = Date.now();
        scheduler.start();
        let up: Awaited<ReturnType<typeof store.getUnit>>;
        do {
          await new Promise((r) => setTimeout(r, 20));
          up = await store.getUnit('shop/up');
        } while (up?.lastRunAt === null && Date.now() - started < 2_500);
        assert.ok(up?.lastRunAt, 'the healthy unit ran while the hostile ones hung');
        assert.ok(Date.now() - started < 1_500, `healthy unit recorded after ${Date.now() - started}ms`);
        const { abandoned } = await scheduler.stop(100);
        assert.deepEqual(abandoned.sort(), ['shop/hang1', 'shop/hang2']);
        const runs = await store.listRuns({ unitId: 'shop/hang1', limit: 5 });
        assert.equal(runs[0]?.outcome, 'abandoned');
        assert.equal((await store.getUnit('shop/hang1'))?.runningSince, null, 'claim released for the next start');
      } finally {
        await cleanup();
      }
    });

    it('drains in-flight runs on stop when they finish within the grace period', async () => {
      const { store, scheduler, cleanup } = await setup([unit('slowish', '/ok?delay=200')], systemClock);
      try {
        scheduler.start();
        while (scheduler.status().inFlight.length === 0) await new Promise((r) => setTimeout(r, 10));
        const { finished, abandoned } = await scheduler.stop(5_000);
        assert.deepEqual(finished, ['shop/slowish']);
        assert.deepEqual(abandoned, []);
        assert.equal((await store.listRuns({ unitId: 'shop/slowish', limit: 5 }))[0]?.outcome, 'ok');
      } finally {
        await cleanup();
      }
    });

    // The contract suite covers a read-only PostgreSQL store; here the SQLite pragma makes the fault mid-run.
    it("a store that turns unwritable mid-run yields upkeep's error state, never the target being down", async () => {
      const clock = new ManualClock(Date.parse('2026-11-22T00:00:00Z'));
      const { store, scheduler, cleanup, writable } = await setup(
        [unit('up', '/ok?delay=200', { failures: 1 })],
        clock,
      );
      try {
        assert.equal(await scheduler.tick(), 1);
        await writable(false); // every write from now on fails
        await scheduler.idle();
        const status = scheduler.status();
        assert.ok(status.storeError, 'the scheduler reports its store failing');
        assert.match(status.unitErrors['shop/up']?.message ?? '', /could not store the result/);
        const record = await store.getUnit('shop/up');
        assert.equal(record?.alert.state, 'ok', 'the target is not marked down');
        assert.equal((await store.listTransitions({ limit: 10 })).length, 0);
        assert.equal(await scheduler.tick(), 0, 'the lost run still holds its claim until the lease expires');
        await writable(true);
        clock.advance(120_000); // past the lease: the lost run is recorded abandoned and the unit runs again
        assert.deepEqual(await store.abandonRuns({ now: clock.now(), expiredOnly: true }), ['shop/up']);
        assert.equal(await scheduler.tick(), 1);
        await scheduler.idle();
        assert.equal(scheduler.status().unitErrors['shop/up'], undefined);
        assert.deepEqual(
          (await store.listRuns({ unitId: 'shop/up', limit: 5 })).map((r) => r.outcome),
          ['ok', 'abandoned'],
        );
      } finally {
        await cleanup();
      }
    });
  });
}
