import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { ManualClock } from '../schedule/clock.js';
import { freshPostgresDatabase, postgresSkipReason } from '../store/test-database.js';
import type { PingSignal } from './heartbeat-service.js';
import { type PingHarness, startPingHarness } from './test-ping-server.js';

// Referenced so the test launcher starts PostgreSQL for this file.
void freshPostgresDatabase;

const T0 = Date.parse('2026-11-22T00:00:00Z');
const PLAN = `
version: 1
apps:
  shop:
    checks:
      a: { heartbeat: { every: 1h, grace: 5m } }
      b: { heartbeat: { every: 1h, grace: 5m } }
`;
const signal = (body: string): PingSignal => ({
  kind: 'log',
  exitStatus: null,
  rid: null,
  body,
  bodyBytes: body.length,
  bodyTruncated: false,
  method: 'POST',
  remoteAddr: '127.0.0.1',
  userAgent: null,
});

const pgSkip = postgresSkipReason();
for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`heartbeat ping log on ${backend}`, { skip: backend === 'postgres' ? pgSkip : undefined }, () => {
    let h: PingHarness;
    const tokens = new Map<string, string>();
    before(async () => {
      h = await startPingHarness(PLAN, new ManualClock(T0), backend);
      for (const [unit, token] of await h.heartbeats.tokens()) tokens.set(unit, token);
    });
    after(() => h.close());

    const bodies = async (unitId: string, limit: number, before?: number) =>
      (await h.heartbeats.listPings({ unitId, limit, before })).map((p) => p.body);

    it('tokensOf gives the tokens of the units asked for only', async () => {
      assert.deepEqual(await h.heartbeats.tokensOf(['shop/a']), new Map([['shop/a', tokens.get('shop/a')]]));
      assert.deepEqual(
        await h.heartbeats.tokensOf(['shop/b', 'shop/none']),
        new Map([['shop/b', tokens.get('shop/b')]]),
      );
      assert.equal((await h.heartbeats.tokensOf([])).size, 0);
    });

    it("lists each unit's pings newest first, pages with before, when the units' pings share batches", async () => {
      // Submitted together, so they are written in the same batches, a and b interleaved.
      const sent: Promise<unknown>[] = [];
      for (let i = 0; i < 30; i++) {
        sent.push(h.service.ingest(tokens.get('shop/a') as string, signal(`a${i}`)));
        sent.push(h.service.ingest(tokens.get('shop/b') as string, signal(`b${i}`)));
      }
      await Promise.all(sent);
      const expectA = Array.from({ length: 30 }, (_, i) => `a${29 - i}`);
      assert.deepEqual(await bodies('shop/a', 100), expectA);
      assert.deepEqual(await bodies('shop/b', 5), ['b29', 'b28', 'b27', 'b26', 'b25']);
      const page1 = await h.heartbeats.listPings({ unitId: 'shop/a', limit: 10 });
      const page2 = await bodies('shop/a', 10, page1.at(-1)?.id);
      assert.deepEqual([...page1.map((p) => p.body), ...page2], expectA.slice(0, 20));
      // A cursor that is not one of this unit's pings still lists the unit's older pings.
      const bIds = (await h.heartbeats.listPings({ unitId: 'shop/b', limit: 100 })).map((p) => p.id);
      const cursor = bIds[10] as number;
      const older = (await h.heartbeats.listPings({ unitId: 'shop/a', limit: 100, before: cursor })).map((p) => p.id);
      assert.ok(older.length > 0 && older.every((id) => id < cursor));
      assert.deepEqual(await bodies('shop/a', 0), []);
    });

    it('pings pruned away are gone from the log, the rest stay in order', async () => {
      await sql`delete from heartbeat_pings where body in ('a0', 'a1', 'a2')`.execute(h.store.database.db);
      const all = await bodies('shop/a', 100);
      assert.equal(all.length, 27);
      assert.equal(all.at(-1), 'a3');
    });
  });
}
