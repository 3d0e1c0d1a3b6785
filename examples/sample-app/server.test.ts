import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, describe, test } from 'node:test';
import { type RunningSampleApp, startSampleApp } from './server.js';
import { SwitchValueError, shouldMarkError, switchesFromEnv } from './switches.js';

interface HealthBody {
  status: string;
  database: string;
  environment: string;
  metrics: { requests: number; errors: number; errorRate: string; memory: { heapUsed: string } };
}

const running: RunningSampleApp[] = [];
after(async () => {
  for (const r of running) await r.close();
});

async function start(options: Parameters<typeof startSampleApp>[0] = {}): Promise<RunningSampleApp> {
  const r = await startSampleApp({ host: '127.0.0.1', port: 0, ...options });
  running.push(r);
  return r;
}

async function health(url: string, path = '/health'): Promise<{ status: number; body: HealthBody; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url + path);
  const body = (await res.json()) as HealthBody;
  return { status: res.status, body, ms: performance.now() - t0 };
}

const post = (url: string, body?: object) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });

describe('switches', () => {
  test('error marking spreads exactly the chosen share', () => {
    const marked = (p: number) => Array.from({ length: 200 }, (_, i) => shouldMarkError(i + 1, p)).filter(Boolean);
    assert.equal(marked(10).length, 20);
    assert.equal(marked(0).length, 0);
    assert.equal(marked(100).length, 200);
    assert.equal(marked(2.5).length, 5);
  });
  test('env switches parse and bad values name the variable', () => {
    assert.deepEqual(
      switchesFromEnv({ SAMPLE_APP_SLOW_MS: '250', SAMPLE_APP_FAIL: 'yes', SAMPLE_APP_ERROR_RATE: '5%' }),
      {
        slowMs: 250,
        failing: true,
        errorRatePercent: 5,
        leakMbPerTick: 0,
      },
    );
    assert.throws(() => switchesFromEnv({ SAMPLE_APP_ERROR_RATE: '150' }), SwitchValueError);
    assert.throws(() => switchesFromEnv({ SAMPLE_APP_FAIL: 'maybe' }), /SAMPLE_APP_FAIL must be one of/);
  });
});

describe('sample app over real HTTP', () => {
  test('healthy by default on /health and /api/health, with ordinary routes', async () => {
    const app = await start();
    assert.match(app.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(app.hostPort, app.url.slice('http://'.length));
    for (const path of ['/health', '/api/health']) {
      const { status, body } = await health(app.url, path);
      assert.equal(status, 200);
      assert.equal(body.status, 'ok');
      assert.equal(body.database, 'connected');
      assert.equal(body.environment, 'demo');
      assert.match(body.metrics.memory.heapUsed, /^\d+MB$/);
    }
    const list = (await (await fetch(`${app.url}/api/messages`)).json()) as { messages: Array<{ text: string }> };
    assert.equal(list.messages[0]?.text, 'Welcome to the sample app');
    const created = await post(`${app.url}/api/messages`, { text: 'hello' });
    assert.equal(created.status, 201);
    assert.equal((await post(`${app.url}/api/messages`, { text: '' })).status, 400);
    const again = (await (await fetch(`${app.url}/api/messages`)).json()) as { messages: unknown[] };
    assert.equal(again.messages.length, 2);
  });

  test('slow adds latency to health only, and reset removes it', async () => {
    const app = await start();
    assert.equal((await post(`${app.url}/admin/slow`, { ms: 600 })).status, 200);
    const slow = await health(app.url);
    assert.ok(slow.ms >= 590, `health took ${slow.ms}ms, expected at least 600ms`);
    const t0 = performance.now();
    await (await fetch(`${app.url}/api/messages`)).text();
    assert.ok(performance.now() - t0 < 500, 'ordinary routes are not slowed');
    await post(`${app.url}/admin/reset`);
    assert.ok((await health(app.url)).ms < 500, 'reset removes the latency');
  });

  test('fail answers 503 with status error and database disconnected', async () => {
    const app = await start();
    await post(`${app.url}/admin/fail`);
    const failed = await health(app.url);
    assert.equal(failed.status, 503);
    assert.equal(failed.body.status, 'error');
    assert.equal(failed.body.database, 'disconnected');
    await post(`${app.url}/admin/fail`, { on: false });
    assert.equal((await health(app.url)).status, 200);
  });

  test('error rate marks that share of requests, admin calls excluded; reset clears the counters', async () => {
    const app = await start();
    await post(`${app.url}/admin/error-rate`, { percent: 25 });
    for (let i = 0; i < 7; i++) await (await fetch(`${app.url}/api/messages`)).text();
    // The eighth counted request is this health call: 2 of 8 are errors, but the 8th finishes after the report.
    const { status, body } = await health(app.url);
    assert.equal(status, 200, 'marked requests still answer normally');
    assert.equal(body.metrics.requests, 8);
    assert.equal(body.metrics.errors, 1);
    assert.equal(body.metrics.errorRate, '12.50%');
    const after8 = await health(app.url);
    assert.equal(after8.body.metrics.errors, 2);
    assert.equal(after8.body.metrics.errorRate, '22.22%');
    await post(`${app.url}/admin/reset`);
    const reset = await health(app.url);
    assert.deepEqual([reset.body.metrics.requests, reset.body.metrics.errors], [1, 0]);
  });

  test('leak grows the heap steadily and reset releases it', async () => {
    const app = await start({ leakTickMs: 20, maxLeakMb: 64 });
    const before = Number.parseInt((await health(app.url)).body.metrics.memory.heapUsed, 10);
    await post(`${app.url}/admin/leak`, { mb: 8 });
    // Timers run late on a loaded machine: wait for four ticks' worth rather than a fixed time.
    const deadline = Date.now() + 5_000;
    while (app.sample.leakedMb() < 32 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const leaked = app.sample.leakedMb();
    assert.ok(leaked >= 32, `leaked ${leaked}MB`);
    assert.ok(leaked <= 64, 'the leak stops at maxLeakMb');
    const during = Number.parseInt((await health(app.url)).body.metrics.memory.heapUsed, 10);
    // The leaked arrays are live, so the heap holds at least them. Comparing with `before` alone flaked: a GC
    // between the two reports can free more garbage than the server had live at the start.
    assert.ok(during >= leaked, `heapUsed ${during}MB holds the ${leaked}MB leaked (before: ${before}MB)`);
    assert.ok(during > before, `heapUsed went from ${before}MB to ${during}MB`);
    const state = (await (await post(`${app.url}/admin/reset`)).json()) as { leakedMb: number };
    assert.equal(state.leakedMb, 0);
  });

  test('env switches apply at start; bad admin values are a 400 that says what to send', async () => {
    const app = await start({ env: { SAMPLE_APP_FAIL: '1', SAMPLE_APP_ERROR_RATE: '50' } });
    assert.equal((await health(app.url)).status, 503);
    const bad = await post(`${app.url}/admin/error-rate`, { percent: 'lots' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /percent must be a number from 0 to 100/);
    const state = (await (await fetch(`${app.url}/admin`)).json()) as { switches: { errorRatePercent: number } };
    assert.equal(state.switches.errorRatePercent, 50);
  });

  test('admin refuses callers from other addresses', async () => {
    const app = await start();
    // 127.0.0.2 is another loopback address on Linux: a stand-in for "not this process's own 127.0.0.1".
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${app.url}/admin/fail`, { method: 'POST', localAddress: '127.0.0.2' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 403);
    assert.equal((await health(app.url)).status, 200, 'the refused call changed nothing');
  });
});
