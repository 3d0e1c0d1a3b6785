import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { createHealth, formatErrorRate, formatMegabytes, type Health, type HealthOptions } from './index.js';

const MB = 1024 * 1024;
const servers: Array<{ close: () => void }> = [];
after(() => {
  for (const server of servers) server.close();
});

/** A bare node:http app: the counter, then /health, /boom (500), /slow-ok (200 but marked) and everything else 200. */
async function serve(options: HealthOptions): Promise<{ url: string; health: Health }> {
  const health = createHealth(options);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    health.count(req, res, () => {
      if (req.url === '/health') return void health.handler(req, res);
      if (req.url === '/boom') {
        res.statusCode = 500;
        return void res.end('boom');
      }
      if (req.url === '/marked') {
        health.markError(res);
        res.statusCode = 502; // marked and 5xx: still one error
        return void res.end('bad gateway');
      }
      if (req.url === '/degraded') health.markError(res);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, health };
}

const fixed = {
  now: () => Date.parse('2024-01-01T01:00:00.000Z'),
  startedAt: Date.parse('2024-01-01T00:00:00.000Z'),
  environment: 'production',
  memoryUsage: () => ({ heapUsed: 45 * MB, heapTotal: 60 * MB, rss: 120 * MB }),
};

describe('formatting', () => {
  test('error rate has two decimals and survives zero requests', () => {
    assert.equal(formatErrorRate(5, 1000), '0.50%');
    assert.equal(formatErrorRate(0, 0), '0.00%');
    assert.equal(formatErrorRate(1, 3), '33.33%');
  });
  test('memory is whole megabytes', () => {
    assert.equal(formatMegabytes(45 * MB), '45MB');
    assert.equal(formatMegabytes(45.6 * MB), '46MB');
  });
});

describe('health over real HTTP', () => {
  test('serves the exact seed shape with injected clock, memory and database', async () => {
    const { url } = await serve({ ...fixed, database: () => 'connected' });
    const res = await fetch(`${url}/health`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await res.json(), {
      status: 'ok',
      timestamp: '2024-01-01T01:00:00.000Z',
      uptime: 3600,
      database: 'connected',
      environment: 'production',
      metrics: {
        // The health request itself is counted (and had not finished when the report was built).
        requests: 1,
        errors: 0,
        errorRate: '0.00%',
        memory: { heapUsed: '45MB', heapTotal: '60MB', rss: '120MB' },
      },
    });
  });

  test('counts 5xx responses and marked responses once each', async () => {
    const { url, health } = await serve({ ...fixed, ignore: (req) => req.url === '/health' });
    for (const path of ['/a', '/boom', '/marked', '/degraded', '/b']) await (await fetch(url + path)).text();
    assert.deepEqual(health.counters(), { requests: 5, errors: 3 });
    const body = (await (await fetch(`${url}/health`)).json()) as { metrics: { errorRate: string; requests: number } };
    assert.equal(body.metrics.requests, 5, 'ignored requests are not counted');
    assert.equal(body.metrics.errorRate, '60.00%');
    health.resetCounters();
    assert.deepEqual(health.counters(), { requests: 0, errors: 0 });
  });

  test('a disconnected database answers 503 with status error', async () => {
    const { url } = await serve({ ...fixed, database: async () => 'disconnected' });
    const res = await fetch(`${url}/health`);
    assert.equal(res.status, 503);
    const body = (await res.json()) as { status: string; database: string };
    assert.equal(body.status, 'error');
    assert.equal(body.database, 'disconnected');
  });

  test('a throwing database check reports error; a hanging one reports timeout', async () => {
    const throwing = await serve({
      ...fixed,
      database: () => {
        throw new Error('pool exhausted');
      },
    });
    const a = (await (await fetch(`${throwing.url}/health`)).json()) as { database: string; status: string };
    assert.deepEqual([a.status, a.database], ['error', 'error']);

    const hanging = await serve({ ...fixed, databaseTimeoutMs: 50, database: () => new Promise<string>(() => {}) });
    const res = await fetch(`${hanging.url}/health`);
    assert.equal(res.status, 503);
    assert.equal(((await res.json()) as { database: string }).database, 'timeout');
  });

  test('with windowMs, old requests and errors age out of the rate', async () => {
    let t = 1_000_000_000_000;
    const { url, health } = await serve({
      ...fixed,
      now: () => t,
      windowMs: 60_000,
      ignore: (r) => r.url === '/health',
    });
    await (await fetch(`${url}/boom`)).text();
    t += 30_000;
    for (const path of ['/a', '/b', '/c']) await (await fetch(url + path)).text();
    assert.deepEqual(health.counters(), { requests: 4, errors: 1 });
    t += 30_500; // the first request is now 60.5s old: still inside the window's last bucket
    assert.deepEqual(health.counters(), { requests: 4, errors: 1 });
    t += 1_000; // 61.5s: gone
    const body = (await (await fetch(`${url}/health`)).json()) as { metrics: { requests: number; errorRate: string } };
    assert.deepEqual([body.metrics.requests, body.metrics.errorRate], [3, '0.00%']);
    t += 60_000;
    assert.deepEqual(health.counters(), { requests: 0, errors: 0 });
    assert.throws(() => createHealth({ windowMs: 0 }), /windowMs must be a positive number/);
  });

  test('without a database function the app is healthy and says so', async () => {
    const health = createHealth(fixed);
    const report = await health.report();
    assert.equal(report.status, 'ok');
    assert.equal(report.database, 'not-configured');
  });
});
