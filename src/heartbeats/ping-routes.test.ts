import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../schedule/clock.js';
import { freshPostgresDatabase, postgresSkipReason } from '../store/test-database.js';
import { authHeaders } from '../web/test-auth.js';
import { curl, type PingHarness, startPingHarness } from './test-ping-server.js';

// Referenced so the test launcher starts PostgreSQL for this file.
void freshPostgresDatabase;

const T0 = Date.parse('2026-11-22T00:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PLAN = `
version: 1
timezone: Asia/Kolkata
apps:
  shop:
    checks:
      nightly-backup: { heartbeat: { every: 1d, grace: 1h } }
      report: { heartbeat: { schedule: "0 2 * * *", grace: 30m } }
`;

const pgSkip = postgresSkipReason();
for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`ping API on ${backend}`, { skip: backend === 'postgres' ? pgSkip : undefined }, () => {
    let h: PingHarness;
    let clock: ManualClock;
    let url: string;
    before(async () => {
      clock = new ManualClock(T0);
      h = await startPingHarness(PLAN, clock, backend);
      url = await h.url('shop/nightly-backup');
    });
    after(() => h.close());

    const pings = () => h.heartbeats.listPings({ unitId: 'shop/nightly-backup', limit: 100 });
    const runs = () => h.store.listRuns({ unitId: 'shop/nightly-backup', limit: 100 });

    it('a cron heartbeat that never pinged is late at its first fire time plus grace, in the plan zone', async () => {
      const unit = await h.store.getUnit('shop/report');
      // Synced at 2026-11-22T00:00Z = 05:30 in Kolkata: the next 02:00 there is 2026-11-22T20:30Z, + 30m grace.
      assert.equal(unit?.nextRunAt, Date.parse('2026-11-22T21:00:00Z'));
      assert.equal(unit?.schedule, '0 2 * * *');
    });

    it('a plain curl ping is stored as a passing run before OK is sent', async () => {
      const res = await curl(['-f', url]);
      assert.deepEqual(res, { stdout: 'OK', code: 0 });
      const [ping] = await pings();
      assert.equal(ping?.kind, 'success');
      assert.equal(ping?.method, 'GET');
      assert.match(ping?.userAgent ?? '', /^curl\//);
      const [run] = await runs();
      assert.equal(run?.outcome, 'ok');
      assert.equal(run?.summary, 'success ping');
      const unit = await h.store.getUnit('shop/nightly-backup');
      assert.equal(unit?.nextRunAt, T0 + DAY + HOUR, 'due when the next ping is late: ping + 1d + 1h grace');
    });

    it('start and end with the same rid give the run time', async () => {
      const rid = randomUUID();
      assert.equal((await curl(['-f', `${url}/start?rid=${rid}`])).stdout, 'OK');
      clock.advance(4_000);
      assert.equal(
        (await curl(['-f', '-X', 'POST', '--data-binary', 'dumped 42 tables', `${url}/0?rid=${rid}`])).stdout,
        'OK',
      );
      const [end, start] = await pings();
      assert.equal(start?.kind, 'start');
      assert.equal(end?.kind, 'success');
      assert.equal(end?.exitStatus, 0);
      assert.equal(end?.durationMs, 4_000);
      assert.equal(end?.body, 'dumped 42 tables');
      const [run] = await runs();
      assert.equal(run?.durationMs, 4_000);
      assert.equal(run?.summary, 'success ping (ran 4s)');
      assert.deepEqual(run?.values, { runTimeMs: 4_000 });
    });

    it('a failure with a log fires at once, naming the last line of the log', async () => {
      clock.advance(1_000);
      const res = await curl(['-fsS', '--data-binary', 'starting\npg_dump: connection refused\n', `${url}/3`]);
      assert.equal(res.stdout, 'OK');
      const unit = await h.store.getUnit('shop/nightly-backup');
      assert.equal(unit?.alert.state, 'firing');
      assert.equal(unit?.alert.severity, 'critical');
      const [t] = await h.store.listTransitions({ unitId: 'shop/nightly-backup', limit: 1 });
      assert.equal(t?.to, 'firing');
      assert.match(t?.reason ?? '', /exit status 3: pg_dump: connection refused/);
      clock.advance(1_000);
      assert.equal((await curl(['-f', url])).stdout, 'OK');
      assert.equal((await h.store.getUnit('shop/nightly-backup'))?.alert.state, 'resolved');
    });

    it('/log stores the body and changes nothing; HEAD and POST count as pings', async () => {
      const before = await runs();
      assert.equal((await curl(['-f', '-d', 'halfway', `${url}/log`])).stdout, 'OK');
      assert.equal((await runs()).length, before.length, 'a log ping is not a run');
      const [log] = await pings();
      assert.equal(log?.kind, 'log');
      assert.equal(log?.body, 'halfway');
      assert.equal((await curl(['-f', '-I', url])).code, 0);
      assert.equal((await pings())[0]?.method, 'HEAD');
      assert.equal((await runs()).length, before.length + 1);
    });

    it('keeps 100 KB of a larger body and marks the cut', async () => {
      // A file, as a crontab line would send a log (one argv string is capped at 128 KB anyway).
      const file = join(mkdtempSync(join(tmpdir(), 'upkeep-body-')), 'log.txt');
      writeFileSync(file, 'x'.repeat(150 * 1024));
      assert.equal(
        (await curl(['-f', '-H', 'content-type: text/plain', '--data-binary', `@${file}`, `${url}/log`])).stdout,
        'OK',
      );
      rmSync(file);
      const [log] = await pings();
      assert.equal(log?.bodyBytes, 150 * 1024);
      assert.equal(log?.bodyTruncated, true);
      assert.ok(log?.body.startsWith('x'.repeat(100 * 1024)));
      assert.match(log?.body ?? '', /\[truncated: 153600 bytes received, the first 102400 kept\]$/);
    });

    it('a wrong or unknown token is 404 and stores nothing', async () => {
      const countBefore = (await h.heartbeats.listPings({ unitId: 'shop/nightly-backup', limit: 1000 })).length;
      const runsBefore = (await h.store.listRuns({ limit: 1000 })).length;
      const wrong = `${h.base}/ping/${'A'.repeat(24)}`;
      for (const target of [wrong, `${wrong}/fail`, `${h.base}/ping/not-a-token`, `${url}x`, `${url}/reboot`]) {
        const res = await curl(['-o', '/dev/null', '-w', '%{http_code}', target]);
        assert.equal(res.stdout, '404', target);
      }
      assert.equal((await h.heartbeats.listPings({ unitId: 'shop/nightly-backup', limit: 1000 })).length, countBefore);
      assert.equal((await h.store.listRuns({ limit: 1000 })).length, runsBefore);
    });

    it('refuses an exit status over 255 and a rid that is not a UUID (400)', async () => {
      assert.equal((await curl(['-o', '/dev/null', '-w', '%{http_code}', `${url}/256`])).stdout, '400');
      assert.equal((await curl(['-o', '/dev/null', '-w', '%{http_code}', `${url}?rid=abc`])).stdout, '400');
    });

    it('answers pings before Fastify: other methods and deeper paths are its 404s; a body over 10 MB is 413', async () => {
      const countBefore = (await pings()).length;
      const put = await fetch(url, { method: 'PUT' });
      assert.equal(put.status, 404);
      assert.match(await put.text(), /"no route PUT/);
      const deeper = await fetch(`${url}/fail/again`);
      assert.equal(deeper.status, 404);
      assert.match(await deeper.text(), /"no route GET/);
      const huge = await fetch(`${url}/log`, { method: 'POST', body: Buffer.alloc(11 * 1024 * 1024, 120) });
      assert.equal(huge.status, 413);
      assert.equal(await huge.text(), 'ping body over 10 MB');
      const head = await fetch(url, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(await head.text(), '', 'HEAD answers without a body');
      assert.equal((await pings()).length, countBefore + 1, 'only the HEAD ping was stored');
    });

    it('/api/units shows the token and ping URL of heartbeat units to operators, not to viewers', async () => {
      const as = async (role: 'viewer' | 'operator') =>
        Object.entries(await authHeaders(h.store.database, role)).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
      const res = await curl(['-f', ...(await as('operator')), `${h.base}/api/units`]);
      const units = JSON.parse(res.stdout) as { id: string; heartbeat?: { token: string; pingUrl: string } }[];
      const hb = units.find((u) => u.id === 'shop/nightly-backup');
      assert.equal(hb?.heartbeat?.pingUrl, url);
      assert.ok((hb?.heartbeat?.token.length ?? 0) >= 22, 'at least 128 bits of base64url');
      const token = hb?.heartbeat?.token as string;
      for (const path of ['/api/units', '/api/units/shop/nightly-backup']) {
        const seen = await curl(['-f', ...(await as('viewer')), `${h.base}${path}`]);
        assert.ok(!seen.stdout.includes(token), `a viewer's ${path} leaves the heartbeat token out`);
      }
      const log = JSON.parse(
        (await curl(['-f', ...(await as('viewer')), `${h.base}/api/units/shop/nightly-backup/pings?limit=2`])).stdout,
      );
      assert.equal(log.length, 2);
    });

    it('a late heartbeat is claimed by the scheduler and goes critical; the next ping resolves it', async () => {
      const unitId = 'shop/nightly-backup';
      const lastPingAt = clock.now();
      assert.equal((await curl(['-f', url])).stdout, 'OK');
      const due = (await h.store.getUnit(unitId))?.nextRunAt as number;
      assert.equal(due, lastPingAt + DAY + HOUR);
      clock.advance(due - clock.now() - 1);
      await h.scheduler.tick();
      await h.scheduler.idle();
      const early = await h.store.getUnit(unitId);
      assert.equal(early?.alert.state, 'resolved', 'not late a millisecond early');
      assert.equal(early?.nextRunAt, due);
      clock.advance(1);
      await h.scheduler.tick();
      await h.scheduler.idle();
      const late = await h.store.getUnit(unitId);
      assert.equal(late?.alert.state, 'firing');
      assert.equal(
        late?.alert.lastSummary,
        `no ping since ${new Date(lastPingAt).toISOString().slice(0, 19)}Z (expected every 1d + 1h grace)`,
      );
      assert.equal(late?.nextRunAt, due + DAY, 'the next missed day is the next late run');
      clock.advance(60_000);
      assert.equal((await curl(['-f', url])).stdout, 'OK');
      const back = await h.store.getUnit(unitId);
      assert.equal(back?.alert.state, 'resolved');
      assert.equal(back?.nextRunAt, clock.now() + DAY + HOUR);
      const [t] = await h.store.listTransitions({ unitId, limit: 1 });
      assert.equal(t?.from, 'firing');
      assert.equal(t?.to, 'resolved');
    });
  });
}
