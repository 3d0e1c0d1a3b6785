import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Agent } from 'undici';
import type { Observation } from '../core/observation.js';
import { httpKind, httpSchema } from './http.js';
import { probeHttp } from './http-request.js';
import { createTestPki, type TestPki } from './test-certs.js';
import { testContext } from './test-context.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const servers: Server[] = [];

async function serve(handler: Handler, server: Server = createServer(handler)): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return `${'setSecureContext' in server ? 'https' : 'http'}://127.0.0.1:${port}`;
}

const spec = (entry: Record<string, unknown>) => httpSchema.parse(entry);
const health = { status: 'ok', database: 'connected', metrics: { errorRate: '0.50%' } };
let base = '';
let pki: TestPki;

before(async () => {
  pki = await createTestPki();
  base = await serve((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/health') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(health));
    } else if (url.pathname === '/html') res.end('<html>oops</html>');
    else if (url.pathname === '/old') res.writeHead(301, { location: '/health' }).end();
    else if (url.pathname === '/loop-a') res.writeHead(302, { location: '/loop-b' }).end();
    else if (url.pathname === '/loop-b') res.writeHead(302, { location: '/loop-a' }).end();
    else if (url.pathname.startsWith('/chain/')) {
      const n = Number(url.pathname.split('/')[2]);
      res.writeHead(302, { location: `/chain/${n + 1}` }).end();
    } else if (url.pathname === '/hang') {
      // Never answers: the probe's deadline must cut it.
    } else if (url.pathname === '/trickle') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), 50);
      res.on('close', () => clearInterval(timer));
    } else res.writeHead(404).end('not found');
  });
});

after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  await pki.cleanup();
});

test('a healthy JSON endpoint: facts and an ok verdict', async () => {
  const s = spec({ http: `${base}/health`, expect: { status: 200, body: { status: 'ok' }, keyword: 'connected' } });
  const o = await probeHttp(s, testContext());
  assert.equal(o.failure, undefined);
  assert.equal(o.facts.status, 200);
  assert.equal(o.facts.finalUrl, `${base}/health`);
  assert.deepEqual(o.facts.json, health);
  assert.equal(o.facts.keywordFound, true);
  assert.equal(o.facts.bodyBytes, JSON.stringify(health).length);
  const v = httpKind.evaluate(s, o, []);
  assert.equal(v.outcome, 'ok');
  assert.equal(typeof v.values.responseTimeMs, 'number');
});

test('redirects are followed and recorded', async () => {
  const o = await probeHttp(spec({ http: `${base}/old` }), testContext());
  assert.equal(o.failure, undefined);
  assert.equal(o.facts.status, 200);
  assert.deepEqual(o.facts.redirects, [`${base}/health`]);
  const noFollow = await probeHttp(spec({ http: `${base}/old`, maxRedirects: 0 }), testContext());
  assert.equal(noFollow.facts.status, 301);
});

test('a redirect loop is a protocol failure naming the loop', async () => {
  const o = await probeHttp(spec({ http: `${base}/loop-a` }), testContext());
  assert.equal(o.failure?.reason, 'protocol');
  assert.match(o.failure?.message ?? '', /^redirect loop: .*loop-a → .*loop-b → .*loop-a$/);
});

test('too many redirects is a protocol failure', async () => {
  const o = await probeHttp(spec({ http: `${base}/chain/0`, maxRedirects: 3 }), testContext());
  assert.equal(o.failure?.reason, 'protocol');
  assert.match(o.failure?.message ?? '', /too many redirects \(more than 3\)/);
  assert.equal((o.facts.redirects as string[]).length, 4);
});

test('invalid JSON under a body assertion is a critical "body is not JSON", not a crash', async () => {
  const s = spec({ http: `${base}/html`, expect: { body: { status: 'ok' } } });
  const o = await probeHttp(s, testContext());
  assert.equal(o.failure, undefined);
  assert.match(String(o.facts.jsonError), /^body is not JSON/);
  const v = httpKind.evaluate(s, o, []);
  assert.equal(v.outcome, 'critical');
  assert.equal(v.summary, 'body is not JSON');
});

test('a target that never answers times out at the deadline', async () => {
  const t0 = performance.now();
  const o = await probeHttp(spec({ http: `${base}/hang` }), testContext({ timeoutMs: 800 }));
  const elapsed = performance.now() - t0;
  assert.equal(o.failure?.reason, 'timeout');
  assert.ok(elapsed >= 750 && elapsed < 1_800, `took ${elapsed}ms`);
});

test('a target trickling bytes is cut at the deadline', async () => {
  const t0 = performance.now();
  const o = await probeHttp(spec({ http: `${base}/trickle` }), testContext({ timeoutMs: 700 }));
  const elapsed = performance.now() - t0;
  assert.equal(o.failure?.reason, 'timeout');
  assert.equal(o.facts.status, 200, 'headers arrived; the body never finished');
  assert.ok(elapsed >= 650 && elapsed < 1_700, `took ${elapsed}ms`);
});

test('a 50 MB body is cut at the cap without buffering it', async () => {
  let written = 0;
  let closedEarly = false;
  const big = await serve((_req, res) => {
    const chunk = Buffer.alloc(64 * 1024, 120);
    const total = 50 * 1024 * 1024;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(total) });
    res.on('close', () => {
      closedEarly = written < total;
    });
    const pump = () => {
      while (written < total) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  const heapBefore = process.memoryUsage().heapUsed;
  const o = await probeHttp(spec({ http: big }), testContext({ timeoutMs: 10_000 }));
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
  assert.equal(o.failure?.reason, 'protocol');
  assert.equal(o.failure?.message, 'body over 1MB');
  assert.ok(heapGrowth < 20 * 1024 * 1024, `heap grew ${heapGrowth} bytes`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(closedEarly, 'the connection was closed long before 50 MB were sent');
  assert.ok(written < 20 * 1024 * 1024, `server wrote ${written} bytes`);
  const capped = await probeHttp(spec({ http: big, maxBodyBytes: '64KB' }), testContext());
  assert.equal(capped.failure?.message, 'body over 64KB');
});

test('connection refused is a connect failure', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const o = await probeHttp(spec({ http: `http://127.0.0.1:${port}/` }), testContext());
  assert.equal(o.failure?.reason, 'connect');
  assert.match(o.failure?.message ?? '', /ECONNREFUSED/);
});

test('an unresolvable name is a dns failure', async () => {
  const o = await probeHttp(spec({ http: 'http://upkeep-probe.invalid/' }), testContext({ timeoutMs: 4_000 }));
  assert.equal(o.failure?.reason, 'dns');
  assert.match(o.failure?.message ?? '', /upkeep-probe\.invalid: name did not resolve/);
});

test('a hostile target does not delay a concurrent probe of a healthy one', async () => {
  const hostile = probeHttp(spec({ http: `${base}/hang` }), testContext({ timeoutMs: 1_500 }));
  const t0 = performance.now();
  const healthy = await probeHttp(spec({ http: `${base}/health` }), testContext({ timeoutMs: 1_500 }));
  const healthyMs = performance.now() - t0;
  assert.equal(healthy.failure, undefined);
  assert.ok(healthyMs < 500, `healthy probe took ${healthyMs}ms`);
  assert.equal((await hostile).failure?.reason, 'timeout');
});

test('credentials are not forwarded to another origin on redirect', async () => {
  const other = await serve((req, res) => res.end(JSON.stringify({ auth: req.headers.authorization ?? null })));
  const hop = await serve((req, res) => {
    if (req.url === '/same') res.writeHead(302, { location: '/echo' }).end();
    else if (req.url === '/echo') res.end(JSON.stringify({ auth: req.headers.authorization ?? null }));
    else res.writeHead(302, { location: `${other}/` }).end();
  });
  const headers = { Authorization: 'Bearer s3cret' };
  const cross = await probeHttp(spec({ http: `${hop}/away`, headers }), testContext());
  assert.deepEqual(cross.facts.json, { auth: null });
  const same = await probeHttp(spec({ http: `${hop}/same`, headers }), testContext());
  assert.deepEqual(same.facts.json, { auth: 'Bearer s3cret' });
});

test('a target speaking garbage instead of HTTP is a protocol failure', async () => {
  const { createServer: plain } = await import('node:net');
  const server = plain((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const o = await probeHttp(spec({ http: `http://127.0.0.1:${port}/` }), testContext());
    assert.equal(o.failure?.reason, 'protocol');
  } finally {
    server.close();
  }
});

test('a large JSON body is judged whole but kept in facts only as the parts read', async () => {
  const bigJson = await serve((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({ status: 'ok', rows: Array.from({ length: 5000 }, (_, i) => ({ i, pad: 'xxxxxxxxxxxx' })) }),
    );
  });
  const s = spec({ http: bigJson, expect: { body: { status: 'ok' }, keyword: '"i":4999' } });
  const o = await probeHttp(s, testContext());
  assert.ok((o.facts.bodyBytes as number) > 64 * 1024);
  assert.deepEqual(o.facts.json, { status: 'ok' });
  assert.equal(o.facts.jsonPicked, true);
  assert.equal((o.facts.body as string).length, 2048, 'the excerpt is capped at 2KB');
  assert.equal(httpKind.evaluate(s, o, []).outcome, 'ok', 'the keyword was searched over the whole body');
});

async function httpsTarget(cert: { cert: string; key: string }): Promise<string> {
  const server = createHttpsServer({ cert: cert.cert, key: cert.key }, (_req, res) => res.end('{"status":"ok"}'));
  return serve(() => undefined, server);
}

const DAY = 86_400_000;

test('https: trusted test CA via the dispatcher is ok; self-signed, expired and wrong-name are tls failures', async () => {
  const now = Date.now();
  const good = await pki.issue({
    cn: 'localhost',
    san: ['DNS:localhost', 'IP:127.0.0.1'],
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 90 * DAY),
  });
  const expired = await pki.issue({
    cn: 'localhost',
    san: ['IP:127.0.0.1'],
    notBefore: new Date(now - 60 * DAY),
    notAfter: new Date(now - 2 * DAY),
  });
  const wrongName = await pki.issue({
    cn: 'other.example',
    san: ['DNS:other.example'],
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 90 * DAY),
  });
  const selfSigned = await pki.selfSigned({ cn: 'localhost', san: ['IP:127.0.0.1'], days: 30 });
  const dispatcher = new Agent({ connect: { ca: pki.ca.cert } });
  const probe = async (url: string, extra: Record<string, unknown> = {}): Promise<Observation> =>
    probeHttp(spec({ http: url, ...extra }), testContext({ dispatcher }));
  try {
    const ok = await probe(await httpsTarget(good));
    assert.equal(ok.failure, undefined);
    assert.deepEqual(ok.facts.json, { status: 'ok' });
    const exp = await probe(await httpsTarget(expired));
    assert.deepEqual([exp.failure?.reason, exp.failure?.message.split(': ')[1]], ['tls', 'certificate expired']);
    const name = await probe(await httpsTarget(wrongName));
    assert.deepEqual([name.failure?.reason, name.failure?.message.split(': ')[1]], ['tls', 'hostname mismatch']);
    const selfUrl = await httpsTarget(selfSigned);
    const self = await probe(selfUrl);
    assert.deepEqual([self.failure?.reason, self.failure?.message.split(': ')[1]], ['tls', 'self-signed certificate']);
    const insecure = await probe(selfUrl, { insecure: true });
    assert.equal(insecure.failure, undefined, 'insecure: true accepts it');
  } finally {
    await dispatcher.close();
  }
});

test('userinfo in the URL is sent as Basic auth, and is not in the final URL; a plan header wins', async () => {
  const seen: (string | undefined)[] = [];
  const target = await serve((req, res) => {
    seen.push(req.headers.authorization);
    res.end('ok');
  });
  const withUser = target.replace('http://', 'http://ops:p%40ss%2Bword@');
  const obs = await probeHttp(spec({ http: `${withUser}/private` }), testContext());
  assert.equal(obs.failure, undefined);
  assert.equal(seen[0], `Basic ${Buffer.from('ops:p@ss+word').toString('base64')}`);
  assert.equal(obs.facts.finalUrl, `${target}/private`);
  await probeHttp(spec({ http: `${withUser}/private`, headers: { Authorization: 'Bearer own' } }), testContext());
  assert.equal(seen[1], 'Bearer own');
});
