import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { advance, advanceUntil, type ControlHarness, startControlHarness } from './test-control.js';

// Each action through the API, against a whole upkeep whose clock the test drives: what it changes is observed in
// what really runs and what really reaches the webhook receiver.
describe('operator actions change what upkeep does', () => {
  let h: ControlHarness;
  before(async () => {
    h = await startControlHarness();
  });
  after(() => h.close());

  const hooks = (unitId: string) =>
    h.receiver.requests.filter((r) => r.url === '/hook' && JSON.parse(r.body).unitId === unitId);

  it('a paused unit is not run until it is resumed; run now refuses it meanwhile', async () => {
    const paused = await h.api('POST', '/api/units/shop/web/pause', { reason: 'vendor migration', duration: '2h' });
    assert.equal(paused.status, 201);
    assert.equal(paused.body.kind, 'pause');
    assert.equal(paused.body.unitId, 'shop/web');
    assert.equal(paused.body.author, 'token:test-operator', 'the author is the caller');
    const asViewer = await h.api('POST', '/api/units/shop/web/run', undefined, 'viewer');
    assert.equal(asViewer.status, 403, 'acting needs the operator role');
    assert.equal(paused.body.expiresAt, h.clock.now() + 2 * 3_600_000);
    // Every unit is due within the first minute: the others run, the paused one does not.
    await advanceUntil(h, async () => (await h.unit('shop/api')).lastRunAt !== null);
    await advance(h, 90_000);
    assert.equal((await h.unit('shop/web')).lastRunAt, null, 'paused: no run');
    const refused = await h.api('POST', '/api/units/shop/web/run');
    assert.equal(refused.status, 409);
    assert.match(refused.body.error, /paused by .*vendor migration.*resume it first/);

    const listed = await h.api('GET', '/api/overrides', undefined, 'viewer');
    assert.ok(listed.body.some((o: { id: number }) => o.id === paused.body.id));
    const resumed = await h.api('POST', '/api/units/shop/web/resume');
    assert.equal(resumed.status, 200);
    assert.deepEqual(resumed.body.cleared, [paused.body.id]);
    await advanceUntil(h, async () => (await h.unit('shop/web')).lastRunAt !== null);
    const again = await h.api('POST', '/api/units/shop/web/resume');
    assert.equal(again.status, 409, 'not paused any more');
  });

  it('run now queues the unit through the scheduler and it runs without waiting for its schedule', async () => {
    const before = (await h.unit('shop/api')).lastRunAt as number;
    await advance(h, 5_000);
    const res = await h.api('POST', '/api/units/shop/api/run');
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { queued: true, unitId: 'shop/api' });
    // Well inside its 1m period.
    await advanceUntil(h, async () => ((await h.unit('shop/api')).lastRunAt ?? 0) > before, 5_000);
    assert.equal((await h.api('POST', '/api/units/shop/nope/run')).status, 404);
  });

  it("a silenced unit's firing alert shows, but nothing reaches the webhook; the row records why", async () => {
    const silence = await h.api('POST', '/api/units/shop/api/silence', { duration: '10m', note: 'known: deploy' });
    assert.equal(silence.status, 201);
    h.status.set('/api', 503);
    await advanceUntil(h, async () => (await h.unit('shop/api')).state === 'firing');
    const rows = await advanceUntil(h, async () => {
      const res = await h.api('GET', '/api/notifications?unit=shop/api', undefined, 'viewer');
      return res.body.length > 0 ? res.body : undefined;
    });
    assert.ok(
      rows.every((r: { status: string }) => r.status === 'suppressed'),
      JSON.stringify(rows),
    );
    assert.match(JSON.stringify(rows), /silenced by .* until .*known: deploy/);
    await advance(h, 5_000);
    assert.equal(hooks('shop/api').length, 0, 'nothing sent while silenced');
    assert.equal((await h.unit('shop/api')).state, 'firing', 'the alert still shows');
  });

  it('the silence expires: the next firing of the unit is sent', async () => {
    await advance(h, 10 * 60_000); // past the silence
    assert.ok(
      !(await h.api('GET', '/api/overrides', undefined, 'viewer')).body.some(
        (o: { kind: string }) => o.kind === 'silence',
      ),
    );
    h.status.set('/api', 200);
    await advanceUntil(h, async () => (await h.unit('shop/api')).state !== 'firing');
    h.status.set('/api', 503);
    await advanceUntil(h, async () => hooks('shop/api').find((r) => JSON.parse(r.body).event === 'firing'));
  });

  it('an ad-hoc maintenance window holds alerts of its apps: recorded as maintenance, nothing sent', async () => {
    const res = await h.api('POST', '/api/maintenance', { apps: ['blog'], duration: '1h', reason: 'db upgrade' });
    assert.equal(res.status, 201);
    assert.equal(res.body.length, 1);
    assert.equal(res.body[0].app, 'blog');
    // Listed beside the plan's windows: on the overview, and on the app's public status page.
    const overview = await h.api('GET', '/api/overview', undefined, 'viewer');
    assert.deepEqual(
      overview.body.maintenance.active.map((w: { apps: string[] | null }) => w.apps),
      [['blog']],
    );
    const page = await (await fetch(`${h.url}/status/blog`)).text();
    assert.match(page, /<h2 id="maintenance-title">Maintenance<\/h2>[\s\S]*Now: /);
    assert.doesNotMatch(page, /db upgrade/, 'the reason is for the team, not the public');
    h.status.set('/home', 503);
    await advanceUntil(h, async () => (await h.unit('blog/home')).state === 'maintenance');
    await advance(h, 65_000);
    assert.equal(hooks('blog/home').length, 0);
    const unknown = await h.api('POST', '/api/maintenance', { apps: ['nope'], duration: '1h', reason: 'x' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.code, 'invalid_request');
  });

  it('an ack needs something to acknowledge, and is recorded with its note', async () => {
    const ok = await h.api('POST', '/api/units/shop/nightly/ack', { note: 'on it' });
    assert.equal(ok.status, 409, 'the heartbeat is not firing');
    const acked = await h.api('POST', '/api/units/shop/api/ack', { note: 'on it' });
    assert.equal(acked.status, 201);
    assert.equal(acked.body.reason, 'on it');
  });

  it('clears an override by id, recording who; a second clear is a 404', async () => {
    const o = await h.api('POST', '/api/units/shop/web/pause', {});
    const cleared = await h.api('DELETE', `/api/overrides/${o.body.id}`);
    assert.equal(cleared.status, 204);
    assert.equal((await h.api('DELETE', `/api/overrides/${o.body.id}`)).status, 404);
    assert.equal((await h.api('DELETE', '/api/overrides/abc')).status, 400);
  });

  it('sends a test notification to a channel, and refuses an unknown one', async () => {
    const res = await h.api('POST', '/api/channels/hook/test');
    assert.equal(res.status, 200);
    assert.equal(res.body.ok, true);
    assert.ok(h.receiver.requests.some((r) => JSON.parse(r.body).event === 'test'));
    assert.equal((await h.api('POST', '/api/channels/nope/test')).status, 404);
  });

  it('backup now queues the backup job; drill now is a 404 for a database without drills', async () => {
    const res = await h.api('POST', '/api/databases/shop/main/backup');
    assert.equal(res.status, 202);
    assert.equal(res.body.unitId, 'shop/main.backup');
    // It runs in the loop (and fails: the database is not there), recorded like any scheduled backup.
    await advanceUntil(h, async () => (await h.unit('shop/main.backup')).lastRunAt !== null, 30_000);
    const drill = await h.api('POST', '/api/databases/shop/main/drill');
    assert.equal(drill.status, 404);
    assert.match(drill.body.error, /verify/);
  });

  it('records every action in the audit log with its target', () => {
    const actions = h.audit.entries.map((e) => `${e.action} ${e.target}`);
    for (const want of [
      'unit.pause shop/web',
      'unit.resume shop/web',
      'unit.run shop/api',
      'unit.silence shop/api',
      'maintenance.open blog',
      'unit.ack shop/api',
      'channel.test channel:hook',
      'database.backup shop/main.backup',
    ])
      assert.ok(actions.includes(want), `${want} in ${actions.join('; ')}`);
    // Who: the caller's principal (here the operator token authHeaders made), from where: the client address.
    assert.ok(h.audit.entries.every((e) => e.ip === '127.0.0.1' && e.actor === 'token:test-operator'));
  });

  it('publishes each override change on the live feed', () => {
    const kinds = h.changes
      .filter((c) => c.kind === 'override')
      .map((c) => `${c.unitId ?? c.app} ${c.data?.override} ${c.data?.action}`);
    for (const want of [
      'shop/web pause created',
      'shop/web pause cleared',
      'shop/api silence created',
      'blog maintenance created',
    ])
      assert.ok(kinds.includes(want), `${want} in ${kinds.join('; ')}`);
  });

  it('a paused heartbeat is not late: it is not judged while its unpaused twin turns firing', async () => {
    assert.equal((await h.api('POST', '/api/units/shop/nightly/pause', { reason: 'job disabled' })).status, 201);
    // Neither heartbeat is ever pinged: an hour and its grace later the unpaused one is late.
    await advance(h, 70 * 60_000, 20_000);
    await advanceUntil(h, async () => (await h.unit('shop/hourly')).state === 'firing');
    const paused = await h.unit('shop/nightly');
    assert.equal(paused.lastRunAt, null, 'not judged while paused');
    assert.equal(paused.state, 'ok');
  });
});
