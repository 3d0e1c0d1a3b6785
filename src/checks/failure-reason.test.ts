import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyFailure, describeCertError } from './failure-reason.js';

const err = (code: string, message = code, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { code, ...extra });

test('each error family maps to its reason', () => {
  assert.equal(classifyFailure(err('ENOTFOUND'), 'h', false).reason, 'dns');
  assert.equal(classifyFailure(err('EAI_AGAIN'), 'h', false).reason, 'dns');
  assert.equal(classifyFailure(err('ECONNREFUSED'), 'h', false).reason, 'connect');
  assert.equal(classifyFailure(err('EHOSTUNREACH'), 'h', false).reason, 'connect');
  assert.equal(classifyFailure(err('ECONNRESET'), 'h', false).reason, 'connect');
  assert.equal(classifyFailure(err('CERT_HAS_EXPIRED'), 'h', false).message, 'h: certificate expired');
  assert.equal(classifyFailure(err('ERR_TLS_CERT_ALTNAME_INVALID'), 'h', false).message, 'h: hostname mismatch');
  assert.equal(classifyFailure(err('ERR_SSL_WRONG_VERSION_NUMBER'), 'h', false).reason, 'tls');
  assert.equal(classifyFailure(err('UND_ERR_HEADERS_TIMEOUT'), 'h', false).reason, 'timeout');
  assert.equal(classifyFailure(err('HPE_INVALID_CONSTANT'), 'h', false).reason, 'protocol');
  assert.equal(classifyFailure(new Error('weird'), 'h', false).reason, 'other');
});

test('causes and happy-eyeballs AggregateErrors are searched', () => {
  const wrapped = new Error('fetch failed', { cause: err('ECONNREFUSED') });
  assert.equal(classifyFailure(wrapped, 'h', false).reason, 'connect');
  const aggregate = new AggregateError([err('ECONNREFUSED'), err('ECONNREFUSED')], 'all failed');
  assert.equal(classifyFailure(aggregate, 'h', false).reason, 'connect');
});

test('the deadline wins over whatever the aborted socket said', () => {
  const c = classifyFailure(err('ECONNRESET'), 'api.example', true, 5000);
  assert.deepEqual(c, {
    reason: 'timeout',
    message: 'no complete answer from api.example within the deadline of 5000ms',
  });
});

test('a hostname containing "tls" is not mistaken for a handshake failure', () => {
  assert.equal(
    classifyFailure(err('ECONNREFUSED', 'connect ECONNREFUSED tls.example:443'), 'tls.example', false).reason,
    'connect',
  );
});

test('certificate codes read as words', () => {
  assert.equal(describeCertError('DEPTH_ZERO_SELF_SIGNED_CERT'), 'self-signed certificate');
  assert.equal(describeCertError('SOME_NEW_CODE'), 'some new code');
});
