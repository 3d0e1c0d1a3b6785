/** /api/events over a real HTTP server on 127.0.0.1 with real streaming clients; the hub runs on hand-driven timers. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Change } from '../../core/change.js';
import { createStore, type KyselyStore } from '../../runs/kysely-store.js';
import { buildServer } from '../server.js';
import { authHeaders } from '../test-auth.js';
import { LiveHub } from './hub.js';
import { openSse, type SseClient } from './test-sse-client.js';
import { ManualTimers } from './timers.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');
let dir: string;
let store: KyselyStore;
let server: FastifyInstance;
let base: string;
let timers: ManualTimers;
let hub: LiveHub;
let headers: Record<string, string>;
const open: SseClient[] = [];

const run = (unitId: string, i = 0): Change => ({
  kind: 'run',
  app: unitId.split('/')[0],
  unitId,
  at: T0 + i,
  data: { outcome: 'ok', durationMs: i },
});
const state = (unitId: string, to: string): Change => ({
  kind: 'state',
  app: unitId.split('/')[0],
  unitId,
  at: timers.now(),
  data: { from: 'ok', to, severity: 'critical', reason: 'HTTP 503' },
});
const parsed = (c: SseClient, event?: string) =>
  c.events.filter((e) => event === undefined || e.event === event).map((e) => JSON.parse(e.data) as Change);

async function sse(topics: string): Promise<SseClient> {
  const client = await openSse(`${base}/api/events?topics=${encodeURIComponent(topics)}`, headers);
  open.push(client);
  return client;
}

/** Closes every client and waits until the hub has seen them go. */
async function closeAll(): Promise<void> {
  for (const c of open.splice(0)) c.close();
  for (let i = 0; i < 200 && hub.subscriberCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(hub.subscriberCount, 0, 'every closed client is removed from the hub');
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'upkeep-live-'));
  store = createStore({ dataDir: dir });
  await store.migrate();
  timers = new ManualTimers(T0);
  hub = new LiveHub({ timers, maxSubscribers: 5 });
  server = buildServer({
    store,
    logger: pino({ level: 'silent' }),
    now: () => timers.now(),
    version: 'test',
    changes: hub,
    liveMaxBufferedBytes: 64 * 1024,
  });
  base = await server.listen({ host: '127.0.0.1', port: 0 });
  headers = await authHeaders(store.database, 'viewer');
});

after(async () => {
  for (const c of open) c.close();
  await server.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/events', () => {
  it('gives each stream only its topics: a unit every run of that unit, an app its units, overview only states', async () => {
    const unit = await sse('unit:shop/api,plan');
    const app = await sse('app:blog,plan');
    const overview = await sse('overview');
    hub.publish(run('shop/api', 1));
    hub.publish(run('shop/home', 2));
    hub.publish(run('blog/web', 3));
    hub.publish(state('shop/home', 'firing'));
    hub.publish({ kind: 'plan', at: timers.now() });
    await unit.until((c) => c.events.some((e) => e.event === 'plan'));
    await app.until((c) => c.events.some((e) => e.event === 'plan'));
    await overview.until((c) => c.events.some((e) => e.event === 'plan'));
    assert.deepEqual(
      parsed(unit).map((c) => [c.kind, c.unitId]),
      [
        ['run', 'shop/api'],
        ['plan', undefined],
      ],
    );
    assert.deepEqual(
      parsed(app).map((c) => [c.kind, c.unitId]),
      [
        ['run', 'blog/web'],
        ['plan', undefined],
      ],
    );
    assert.deepEqual(
      parsed(overview).map((c) => [c.kind, c.unitId]),
      [
        ['state', 'shop/home'],
        ['plan', undefined],
      ],
    );
    assert.equal(unit.comments[0], 'connected');
    await closeAll();
  });

  it('under a burst of 1,000 runs the overview stream gets only coalesced state changes; a unit stream gets each run', async () => {
    const overview = await sse('overview');
    const unit = await sse('unit:shop/u7');
    const app = await sse('app:shop');
    for (let i = 0; i < 1_000; i++) {
      hub.publish(run(`shop/u${i % 100}`, i));
      if (i % 100 === 50) hub.publish(state(`shop/u${i % 100}`, i % 200 === 50 ? 'firing' : 'pending'));
    }
    // The first state change goes out at once; the other nine wait for the end of the interval.
    await overview.until((c) => c.events.length >= 1);
    await unit.until((c) => c.events.length >= 10);
    timers.advance(500);
    await overview.until((c) => c.events.length >= 2);
    timers.advance(1_000);
    await app.until((c) => parsed(c, 'run').length >= 200);
    hub.publish({ kind: 'plan', at: timers.now() });
    await overview.until((c) => c.events.some((e) => e.event === 'plan'));

    const states = parsed(overview, 'state');
    assert.equal(parsed(overview, 'run').length, 0, 'no run reaches the overview');
    assert.equal(states.length, 2, `10 state changes in one interval make 2 messages, got ${states.length}`);
    assert.equal(states[0]?.unitId, 'shop/u50');
    assert.deepEqual(states[1]?.data, { changes: 9 }, 'the coalesced message says how many changed: refetch');
    assert.equal(parsed(unit, 'run').length, 10, 'a unit page sees every run of its unit');
    assert.deepEqual(
      parsed(unit, 'run').map((c) => c.data?.durationMs),
      [7, 107, 207, 307, 407, 507, 607, 707, 807, 907],
    );
    // The app page: one run per unit at once, then the newest per unit after a second; state changes as they came.
    const appRuns = parsed(app, 'run');
    assert.equal(appRuns.length, 200, `100 units × (first + newest), got ${appRuns.length}`);
    assert.equal(appRuns.filter((c) => c.unitId === 'shop/u7').at(-1)?.data?.durationMs, 907);
    assert.equal(parsed(app, 'state').length, 10);
    await closeAll();
  });

  it('sends keep-alive comments on idle streams, with the security headers of every answer', async () => {
    const client = await sse('overview');
    assert.match(client.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(client.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(client.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    timers.advance(15_000);
    await client.until((c) => c.comments.includes('keep-alive'));
    await closeAll();
  });

  it('removes a disconnected client, and refuses a stream over the cap with a clear error', async () => {
    const first = await sse('overview');
    assert.equal(hub.subscriberCount, 1);
    first.close();
    for (let i = 0; i < 200 && hub.subscriberCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(hub.subscriberCount, 0, 'the closed stream left the hub');
    for (let i = 0; i < 5; i++) await sse(`unit:shop/u${i}`);
    const res = await fetch(`${base}/api/events?topics=overview`, { headers });
    assert.equal(res.status, 503);
    const body = (await res.json()) as { error: string; code: string };
    assert.equal(body.code, 'too_many_subscribers');
    assert.match(body.error, /too many live connections \(5 open\): close other dashboard tabs/);
    await closeAll();
  });

  it('answers 400 for missing or unknown topics', async () => {
    for (const query of ['', '?topics=', '?topics=everything', '?topics=unit:nounit', `?topics=${'a,'.repeat(30)}`]) {
      const res = await fetch(`${base}/api/events${query}`, { headers });
      assert.equal(res.status, 400, query);
      const body = (await res.json()) as { error: string; code: string };
      assert.equal(body.code, 'bad_topic');
      assert.match(body.error, /topic/);
    }
  });

  it('drops a client that does not read instead of buffering for it forever', async () => {
    const socket = connect(new URL(base).port ? Number(new URL(base).port) : 80, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const auth = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
    socket.write(`GET /api/events?topics=unit:shop/slow HTTP/1.1\r\nhost: 127.0.0.1\r\n${auth.join('')}\r\n`);
    const head = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
    assert.match(head.toString(), /^HTTP\/1.1 200/);
    assert.equal(hub.subscriberCount, 1, 'the raw client is subscribed');
    socket.pause(); // reads nothing more: the kernel buffers fill, then the server's
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const big = 'x'.repeat(8_000);
    let published = 0;
    while (hub.subscriberCount > 0 && published < 20_000) {
      hub.publish({ kind: 'run', app: 'shop', unitId: 'shop/slow', at: T0, data: { summary: big } });
      if (++published % 20 === 0) await tick();
    }
    assert.equal(hub.subscriberCount, 0, `still subscribed after ${published} messages of 8 KB`);
    assert.ok(published > 8, `dropped only once more than its 64 KiB cap was waiting (after ${published})`);
    socket.resume();
    await closed;
  });
});
