import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createServer, type Server } from 'node:tls';
import type { Observation } from '../core/observation.js';
import { createTestPki, type KeyPair, type TestPki } from './test-certs.js';
import { testContext } from './test-context.js';
import { evaluateTls, tlsKind, tlsSchema } from './tls.js';
import { probeTls } from './tls-probe.js';

const DAY = 86_400_000;
const servers: Server[] = [];
let pki: TestPki;
let shortCa: TestPki;

before(async () => {
  pki = await createTestPki();
  shortCa = await createTestPki({ caDays: 5 });
});
after(async () => {
  for (const server of servers) server.close();
  await pki.cleanup();
  await shortCa.cleanup();
});

async function tlsTarget(pair: KeyPair, chain = ''): Promise<string> {
  const server = createServer({ cert: pair.cert + chain, key: pair.key }, (socket) => socket.end());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const leaf = (ca: TestPki, cn: string, san: string[], fromDays: number, toDays: number) =>
  ca.issue({
    cn,
    san,
    notBefore: new Date(Date.now() + fromDays * DAY),
    notAfter: new Date(Date.now() + toDays * DAY),
  });

async function check(target: string, ca: string | undefined, extra: Record<string, unknown> = {}) {
  const spec = tlsSchema.parse({ tls: target, ...extra });
  const observation: Observation = await probeTls(spec, testContext({ ca }));
  return { observation, verdict: evaluateTls(spec, observation) };
}

test('tls schema defaults: port 443 optional, daysLeft 21/7', () => {
  const spec = tlsSchema.parse({ tls: 'example.com' });
  assert.deepEqual(spec.expect.daysLeft, { warning: 21, critical: 7 });
  assert.equal(
    tlsKind.describe(tlsSchema.parse({ tls: 'example.com:443', servername: 'www.example.com' })),
    'tls example.com:443 (www.example.com)',
  );
  assert.equal(tlsSchema.safeParse({ tls: 'example.com:0' }).success, false);
});

test('a certificate from a trusted CA: ok, with daysLeft of the leaf and the chain', async () => {
  const target = await tlsTarget(await leaf(pki, 'localhost', ['DNS:localhost', 'IP:127.0.0.1'], -1, 90), pki.ca.cert);
  const { observation, verdict } = await check(target, pki.ca.cert);
  assert.equal(observation.failure, undefined);
  assert.equal(observation.facts.authorized, true);
  const leafFact = observation.facts.leaf as { subject: string; issuer: string; daysLeft: number };
  assert.equal(leafFact.subject, 'localhost');
  assert.equal(leafFact.issuer, 'upkeep test CA');
  assert.ok(leafFact.daysLeft === 89 || leafFact.daysLeft === 90, `leaf daysLeft ${leafFact.daysLeft}`);
  assert.equal(verdict.outcome, 'ok');
  assert.equal(verdict.values.daysLeft, leafFact.daysLeft);
  assert.match(verdict.summary, /^certificate valid for (89|90)d$/);
});

test('servername: the name verified is the one in the plan', async () => {
  const target = await tlsTarget(await leaf(pki, 'api.test', ['DNS:api.test'], -1, 90));
  const { verdict } = await check(target, pki.ca.cert, { servername: 'api.test' });
  assert.equal(verdict.outcome, 'ok');
});

test('a self-signed certificate is critical', async () => {
  const target = await tlsTarget(await pki.selfSigned({ cn: 'localhost', san: ['IP:127.0.0.1'], days: 30 }));
  const { observation, verdict } = await check(target, pki.ca.cert);
  assert.equal(observation.facts.authorizationError, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  assert.equal(verdict.outcome, 'critical');
  assert.equal(verdict.summary, 'certificate rejected: self-signed certificate');
});

test('an expired certificate is critical and says how long ago', async () => {
  const target = await tlsTarget(await leaf(pki, 'localhost', ['IP:127.0.0.1'], -60, -3));
  const { observation, verdict } = await check(target, pki.ca.cert);
  assert.equal(observation.facts.authorizationError, 'CERT_HAS_EXPIRED');
  assert.equal(verdict.outcome, 'critical');
  assert.match(verdict.summary, /^certificate rejected: certificate expired; certificate expired [34]d ago$/);
  assert.ok((verdict.values.daysLeft ?? 0) < 0);
});

test('a hostname mismatch is critical', async () => {
  const target = await tlsTarget(await leaf(pki, 'other.example', ['DNS:other.example'], -1, 90));
  const { observation, verdict } = await check(target, pki.ca.cert);
  assert.equal(observation.facts.authorizationError, 'ERR_TLS_CERT_ALTNAME_INVALID');
  assert.equal(verdict.summary, 'certificate rejected: hostname mismatch');
});

test('an untrusted chain is critical', async () => {
  const target = await tlsTarget(await leaf(pki, 'localhost', ['IP:127.0.0.1'], -1, 90));
  const { verdict } = await check(target, undefined);
  assert.equal(verdict.outcome, 'critical');
  assert.match(verdict.summary, /^certificate rejected: untrusted chain/);
});

test('daysLeft is judged on the soonest expiry across the chain (a CA expiring first)', async () => {
  const target = await tlsTarget(await leaf(shortCa, 'localhost', ['IP:127.0.0.1'], -1, 90), shortCa.ca.cert);
  const { observation, verdict } = await check(target, shortCa.ca.cert);
  assert.equal(observation.facts.authorized, true);
  assert.equal((observation.facts.soonest as { subject: string }).subject, 'upkeep test CA');
  assert.equal(verdict.outcome, 'critical');
  assert.match(verdict.summary, /^certificate expires in [45]d \(upkeep test CA\)$/);
});

test('tls evaluate is pure: daysLeft thresholds from the observation start', () => {
  const startedAt = Date.UTC(2026, 0, 1);
  const spec = tlsSchema.parse({ tls: 'example.com' });
  const obs = (days: number): Observation => ({
    startedAt,
    durationMs: 10,
    facts: {
      authorized: true,
      chain: [
        {
          subject: 'example.com',
          issuer: 'CA',
          validFrom: '',
          validTo: new Date(startedAt + days * DAY).toISOString(),
          daysLeft: 0,
        },
      ],
    },
  });
  assert.equal(evaluateTls(spec, obs(30)).outcome, 'ok');
  assert.equal(evaluateTls(spec, obs(21)).outcome, 'warning');
  assert.equal(evaluateTls(spec, obs(20)).summary, 'certificate expires in 20d');
  assert.equal(evaluateTls(spec, obs(7)).outcome, 'critical');
});

test('a port that speaks no TLS is a failure, not a crash', async () => {
  const { createServer: plain } = await import('node:net');
  const server = plain((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { observation, verdict } = await check(`127.0.0.1:${(server.address() as AddressInfo).port}`, undefined);
    assert.ok(observation.failure, 'a failure is reported');
    assert.ok(['tls', 'connect'].includes(observation.failure.reason), observation.failure.reason);
    assert.equal(verdict.outcome, 'critical');
  } finally {
    server.close();
  }
});
