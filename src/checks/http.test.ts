import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { httpKind, httpSchema } from './http.js';
import { pickForSpec } from './http-json.js';
import { checkKinds, findCheckKind } from './registry.js';

const issues = (entry: unknown) =>
  httpSchema.safeParse(entry).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

test('http schema: defaults as documented', () => {
  const spec = httpSchema.parse({ http: 'https://api.example/health' });
  assert.deepEqual(spec, {
    http: 'https://api.example/health',
    method: 'GET',
    maxRedirects: 5,
    maxBodyBytes: '1MB',
    insecure: false,
    expect: {},
  });
  const full = httpSchema.parse({
    http: 'http://127.0.0.1:3000/api/health',
    method: 'POST',
    headers: { Authorization: 'Bearer x' },
    body: '{}',
    maxRedirects: 0,
    maxBodyBytes: 65536,
    expect: {
      status: [200, '2xx'],
      body: { status: 'ok', services: [{ name: 'db' }] },
      keyword: 'ok',
      notKeyword: 'error',
      responseTime: { warning: '500ms', critical: '2s' },
      metrics: [{ path: 'metrics.errorRate', warning: '> 1%', critical: '> 5%' }],
      heapGrowth: { path: 'metrics.memory.heapUsed', warning: '20%', critical: '50%' },
    },
  });
  assert.equal(full.expect.heapGrowth?.window, 10);
});

test('http schema: hostile entries are rejected with the field path', () => {
  assert.deepEqual(issues({ http: 'ftp://files.example/x' }), ['http: expected an http:// or https:// URL']);
  assert.deepEqual(issues({ http: 'not a url' }), ['http: expected an http:// or https:// URL']);
  assert.deepEqual(issues({ http: 'https://x', expect: { status: 'ok' } }).length, 1);
  assert.match(
    issues({ http: 'https://x', expect: { metrics: [{ path: 'a', warning: '>> 5' }] } })[0] ?? '',
    /^expect\.metrics\.0\.warning: expected a rule/,
  );
  assert.match(
    issues({ http: 'https://x', expect: { metrics: [{ path: 'a' }] } })[0] ?? '',
    /give warning, critical or both/,
  );
  assert.match(
    issues({ http: 'https://x', expect: { heapGrowth: { path: 'a', window: 1, warning: '20%' } } })[0] ?? '',
    /^expect\.heapGrowth\.window/,
  );
  assert.match(issues({ http: 'https://x', expect: { responseTime: {} } })[0] ?? '', /give warning, critical or both/);
  assert.match(
    issues({ http: 'https://x', expect: { responseTime: { warning: 'soon' } } })[0] ?? '',
    /expected a duration/,
  );
  assert.match(issues({ http: 'https://x', maxBodyBytes: '5%' })[0] ?? '', /^maxBodyBytes: expected a size/);
  assert.match(issues({ http: 'https://x', headers: { 'Bad Header': 'x' } })[0] ?? '', /expected an HTTP header name/);
  assert.equal(issues({ http: 'https://x', expect: { statuss: 200 } }).length, 1, 'unknown keys are errors');
  assert.equal(issues({ http: 'https://x', every: '1m' }).length, 1, 'common keys belong to the plan schema');
});

test('http schema converts to JSON Schema for editors', () => {
  const schema = z.toJSONSchema(httpSchema, { io: 'input' }) as {
    properties: Record<string, { description?: string }>;
  };
  assert.equal(schema.properties.http?.description, 'The URL to request (http or https).');
  assert.ok(schema.properties.expect);
});

test('describe names the method and URL as written; the plan compiler masks it (src/shared/mask.ts)', () => {
  assert.equal(
    httpKind.describe(httpSchema.parse({ http: 'https://api.example/h?page=2', method: 'post' })),
    'POST https://api.example/h?page=2',
  );
});

test('recentRuns asks for history only when a trend rule needs it', () => {
  assert.equal(httpKind.recentRuns?.(httpSchema.parse({ http: 'https://x' })), 0);
  const leak = httpSchema.parse({
    http: 'https://x',
    expect: { heapGrowth: { path: 'm.heap', window: 6, warning: 20 } },
  });
  assert.equal(httpKind.recentRuns?.(leak), 5);
});

test('registry: http, tcp, tls and heartbeat are registered once each', () => {
  assert.deepEqual(
    checkKinds.map((k) => k.name),
    ['http', 'tcp', 'tls', 'heartbeat'],
  );
  assert.equal(findCheckKind('tls')?.name, 'tls');
  assert.equal(findCheckKind('smtp'), undefined);
});

test('large bodies keep only the JSON the expectations read', () => {
  const spec = httpSchema.parse({
    http: 'https://x',
    expect: {
      body: { status: 'ok', services: [{ name: 'db', up: true }] },
      metrics: [
        { path: 'metrics.errorRate', critical: '> 5%' },
        { path: 'items.1.size', critical: '> 5MB' },
      ],
    },
  });
  const json = {
    status: 'ok',
    noise: 'x'.repeat(1000),
    services: [{ name: 'db', up: true, log: 'y'.repeat(100) }],
    metrics: { errorRate: '1%', other: 3 },
    items: [{ size: 1 }, { size: 2, junk: true }],
  };
  assert.deepEqual(pickForSpec(json, spec), {
    status: 'ok',
    services: [{ name: 'db', up: true }],
    metrics: { errorRate: '1%' },
    items: [null, { size: 2 }],
  });
});
