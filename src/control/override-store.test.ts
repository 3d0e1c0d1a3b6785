import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { createStore, type KyselyStore } from '../runs/kysely-store.js';
import { ManualClock } from '../schedule/clock.js';
import { freshPostgresDatabase, postgresSkipReason } from '../store/test-database.js';
import type { NewOverride } from './override-schema.js';
import { OverrideStore } from './override-store.js';
import { Overrides } from './overrides.js';

const T0 = Date.UTC(2026, 11, 1);
const silent = pino({ level: 'silent' });
const draft = (over: Partial<NewOverride> = {}): NewOverride => ({
  kind: 'silence',
  app: 'shop',
  unitId: 'shop/api',
  author: 'ops@example.com',
  reason: 'deploy',
  createdAt: T0,
  startsAt: null,
  expiresAt: T0 + 3_600_000,
  ...over,
});

const pgSkip = postgresSkipReason();
for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`override store on ${backend}`, { skip: backend === 'postgres' ? pgSkip : undefined }, () => {
    let store: KyselyStore;
    let overrides: OverrideStore;
    let dispose: () => Promise<void>;
    before(async () => {
      if (backend === 'sqlite') {
        const dataDir = mkdtempSync(join(tmpdir(), 'upkeep-overrides-'));
        store = await createStore({ dataDir, logger: silent });
        dispose = async () => rmSync(dataDir, { recursive: true, force: true });
      } else {
        const db = await freshPostgresDatabase();
        store = await createStore({ databaseUrl: db.url, logger: silent });
        dispose = db.drop;
      }
      await store.migrate();
      overrides = new OverrideStore(store.database);
    });
    after(async () => {
      await store.close();
      await dispose();
    });

    it('creates, lists only active ones, and clears recording who and when', async () => {
      const a = await overrides.create(draft());
      const b = await overrides.create(draft({ kind: 'pause', expiresAt: null, reason: 'vendor' }));
      const old = await overrides.create(draft({ expiresAt: T0 + 1 }));
      assert.deepEqual(a, { ...draft(), id: a.id, clearedAt: null, clearedBy: null });
      assert.deepEqual(
        (await overrides.listActive(T0 + 10)).map((o) => o.id),
        [a.id, b.id],
        'expired one left out',
      );
      assert.ok((await overrides.listActive(T0)).some((o) => o.id === old.id));
      const cleared = await overrides.clear(b.id, 'cli:ana', T0 + 5);
      assert.equal(cleared?.clearedBy, 'cli:ana');
      assert.equal(cleared?.clearedAt, T0 + 5);
      assert.equal(await overrides.clear(b.id, 'cli:ana', T0 + 6), undefined, 'cleared once');
      assert.deepEqual(
        (await overrides.listActive(T0 + 10)).map((o) => o.id),
        [a.id],
      );
      assert.equal((await overrides.get(b.id))?.reason, 'vendor', 'history kept');
    });

    it('keeps SQL-looking and script-looking text exactly', async () => {
      const reason = "'); delete from overrides; -- <script>alert(1)</script> \u0000? no: \\ % _";
      const o = await overrides.create(draft({ reason: reason.replace('\u0000', ''), author: 'token:ci"; drop' }));
      const back = await overrides.get(o.id);
      assert.equal(back?.reason, reason.replace('\u0000', ''));
      assert.equal(back?.author, 'token:ci"; drop');
    });

    it('the cache answers from memory and picks up changes made by another process on refresh', async () => {
      const clock = new ManualClock(T0);
      const cache = new Overrides({ store: overrides, clock, logger: silent });
      await cache.refresh();
      const api = { id: 'shop/api', app: 'shop' };
      assert.match(cache.holdReason(api, T0, 'transition') ?? '', /^silenced by ops@example.com until .*: deploy$/);
      // Written by "another process": visible after a refresh, not before.
      const elsewhere = new OverrideStore(store.database);
      const p = await elsewhere.create(draft({ kind: 'pause', unitId: 'shop/web', expiresAt: null }));
      assert.equal(cache.paused({ id: 'shop/web', app: 'shop' }, T0), false);
      await cache.refresh();
      assert.equal(cache.paused({ id: 'shop/web', app: 'shop' }, T0), true);
      await cache.clear(p.id, 'ana');
      assert.equal(cache.paused({ id: 'shop/web', app: 'shop' }, T0), false);
    });

    it("an acknowledgement ends when the unit's alert resolves, cleared by upkeep", async () => {
      const clock = new ManualClock(T0);
      const cache = new Overrides({ store: overrides, clock, logger: silent });
      const ack = await cache.create(draft({ kind: 'ack', unitId: 'shop/db', reason: 'on it', expiresAt: null }));
      assert.notEqual(cache.holdReason({ id: 'shop/db', app: 'shop' }, T0, 'reminder'), null);
      await cache.alertResolved({ id: 'shop/db', app: 'shop' });
      assert.equal(cache.holdReason({ id: 'shop/db', app: 'shop' }, T0, 'reminder'), null);
      assert.equal((await overrides.get(ack.id))?.clearedBy, 'upkeep (the alert resolved)');
    });
  });
}

describe('Overrides (the in-memory rules)', () => {
  const fakeStore = (list: NewOverride[]) => {
    const rows = list.map((o, i) => ({ ...o, id: i + 1, clearedAt: null, clearedBy: null }));
    return { listActive: async () => rows } as unknown as OverrideStore;
  };
  const unit = { id: 'shop/api', app: 'shop' };

  it('a silence ends at its expiry; a window opened for later starts at its start', async () => {
    const clock = new ManualClock(T0);
    const cache = new Overrides({
      store: fakeStore([
        draft({ expiresAt: T0 + 60_000 }),
        draft({ kind: 'maintenance', unitId: null, startsAt: T0 + 30_000, expiresAt: T0 + 90_000 }),
      ]),
      clock,
      logger: silent,
    });
    await cache.refresh();
    assert.notEqual(cache.holdReason(unit, T0, 'transition'), null);
    assert.equal(cache.holdReason(unit, T0 + 60_000, 'transition'), null, 'expired');
    assert.equal(cache.inMaintenance(unit, T0), false, 'not yet open');
    assert.equal(cache.inMaintenance({ id: 'shop/web', app: 'shop' }, T0 + 30_000), true, 'covers the whole app');
    assert.equal(cache.inMaintenance({ id: 'blog/home', app: 'blog' }, T0 + 30_000), false, 'not other apps');
    assert.equal(cache.inMaintenance(unit, T0 + 90_000), false, 'closed');
  });

  it('an ack holds reminders only, not a new firing', async () => {
    const clock = new ManualClock(T0);
    const cache = new Overrides({ store: fakeStore([draft({ kind: 'ack', reason: 'on it' })]), clock, logger: silent });
    await cache.refresh();
    assert.equal(cache.holdReason(unit, T0, 'transition'), null);
    assert.match(cache.holdReason(unit, T0, 'reminder') ?? '', /^acknowledged by .*: on it$/);
  });

  it('answers 10,000 units from memory (no store call per lookup)', async () => {
    let calls = 0;
    const list = Array.from({ length: 500 }, (_, i) => draft({ kind: 'pause', unitId: `shop/u${i}`, expiresAt: null }));
    const store = fakeStore(list);
    const counting = {
      listActive: async (now: number) => {
        calls++;
        return store.listActive(now);
      },
    } as unknown as OverrideStore;
    const cache = new Overrides({ store: counting, clock: new ManualClock(T0), logger: silent });
    await cache.refresh();
    let paused = 0;
    for (let i = 0; i < 10_000; i++) if (cache.paused({ id: `shop/u${i}`, app: 'shop' }, T0)) paused++;
    assert.equal(paused, 500);
    assert.equal(calls, 1);
  });
});
