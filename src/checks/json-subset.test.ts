import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMismatch, readPath, subsetMismatches } from './json-subset.js';

const health = {
  status: 'ok',
  database: 'connected',
  metrics: { errorRate: '0.50%', memory: { heapUsed: '45MB' } },
  services: [
    { name: 'db', up: true },
    { name: 'cache', up: false },
  ],
  port: 8080,
};

test('readPath follows dotted keys and array indices', () => {
  assert.equal(readPath(health, 'metrics.memory.heapUsed'), '45MB');
  assert.equal(readPath(health, 'services.1.name'), 'cache');
  assert.equal(readPath(health, 'metrics.cpu'), undefined);
  assert.equal(readPath(health, 'status.length'), undefined, 'no walking into strings');
  assert.equal(readPath(health, 'services.x'), undefined);
});

test('a subset matches; extra keys in the body are fine', () => {
  assert.deepEqual(subsetMismatches({ status: 'ok', database: 'connected' }, health), []);
  assert.deepEqual(subsetMismatches({ metrics: { memory: {} } }, health), []);
  assert.deepEqual(
    subsetMismatches({ services: [{ name: 'cache' }] }, health),
    [],
    'array elements match in any order',
  );
  assert.deepEqual(subsetMismatches({ port: '8080' }, health), [], 'YAML number vs JSON string');
});

test('mismatches name the path, the expected and the actual value', () => {
  const found = subsetMismatches({ status: 'ok', database: 'up', metrics: { cpu: 1 } }, health);
  assert.deepEqual(found.map(formatMismatch), [
    'database: expected "up", got "connected"',
    'metrics.cpu: missing (expected 1)',
  ]);
  assert.deepEqual(subsetMismatches({ services: [{ name: 'queue' }] }, health).map(formatMismatch), [
    'services.0: missing (expected {"name":"queue"})',
  ]);
  assert.equal(subsetMismatches({ status: 'ok' }, 'ok').length, 1, 'an object against a string');
  assert.equal(
    subsetMismatches({ services: [{ name: 'db' }, { name: 'db' }] }, health).length,
    1,
    'each element used once',
  );
});
