import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { evaluateTcp, probeTcp, tcpKind, tcpSchema } from './tcp.js';
import { testContext } from './test-context.js';

test('tcp schema: host:port and [ipv6]:port', () => {
  assert.equal(tcpSchema.safeParse({ tcp: 'db.example.com:5432' }).success, true);
  assert.equal(tcpSchema.safeParse({ tcp: '[::1]:5432' }).success, true);
  assert.equal(tcpSchema.safeParse({ tcp: 'db.example.com' }).success, false, 'a port is required');
  assert.equal(tcpSchema.safeParse({ tcp: 'db:99999' }).success, false);
  assert.equal(
    tcpSchema.safeParse({ tcp: 'db:1', every: '1m' }).success,
    false,
    'strict: common keys are added by the plan',
  );
  assert.equal(tcpKind.describe(tcpSchema.parse({ tcp: 'db:5432' })), 'tcp db:5432');
});

test('tcp: a listening port connects; the verdict carries responseTimeMs', async () => {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const spec = tcpSchema.parse({ tcp: `127.0.0.1:${port}`, expect: { responseTime: { warning: '1s' } } });
    const o = await probeTcp(spec, testContext());
    assert.equal(o.failure, undefined);
    assert.equal(o.facts.remoteAddress, '127.0.0.1');
    const v = evaluateTcp(spec, o);
    assert.equal(v.outcome, 'ok');
    assert.match(v.summary, /^connected in \d+ms$/);
    assert.equal(typeof v.values.responseTimeMs, 'number');
  } finally {
    server.close();
  }
});

test('tcp: a closed port is a connect failure, critical', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const spec = tcpSchema.parse({ tcp: `127.0.0.1:${port}` });
  const o = await probeTcp(spec, testContext());
  assert.equal(o.failure?.reason, 'connect');
  assert.equal(evaluateTcp(spec, o).outcome, 'critical');
});

test('tcp: an unresolvable name is a dns failure', async () => {
  const o = await probeTcp(tcpSchema.parse({ tcp: 'upkeep-probe.invalid:5432' }), testContext());
  assert.equal(o.failure?.reason, 'dns');
});

test('tcp: a runner abort that is a deadline counts as a timeout', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const ctx = { ...testContext(), signal: AbortSignal.abort(new DOMException('deadline', 'TimeoutError')) };
    const o = await probeTcp(tcpSchema.parse({ tcp: `127.0.0.1:${port}` }), ctx);
    assert.equal(o.failure?.reason, 'timeout');
  } finally {
    server.close();
  }
});

test('tcp evaluate: slow connects warn or page by the limits given', () => {
  const spec = tcpSchema.parse({ tcp: 'db:5432', expect: { responseTime: { warning: '200ms', critical: '1s' } } });
  const at = (ms: number) => evaluateTcp(spec, { startedAt: 0, durationMs: ms, facts: { connectMs: ms } });
  assert.equal(at(150).outcome, 'ok');
  assert.equal(at(300).outcome, 'warning');
  assert.equal(at(300).summary, 'connect time 300ms (over 200ms)');
  assert.equal(at(1500).outcome, 'critical');
  assert.deepEqual(at(1500).values, { responseTimeMs: 1500 });
});
