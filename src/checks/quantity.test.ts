import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatQuantity, parseMs, parseQuantity, parseSize } from './quantity.js';
import { breaches, describePass, parseThreshold } from './threshold.js';

test('quantities as health endpoints report them', () => {
  assert.deepEqual(parseQuantity('0.50%'), { value: 0.5, dimension: 'percent' });
  assert.deepEqual(parseQuantity('45MB'), { value: 45 * 1024 * 1024, dimension: 'bytes' });
  assert.deepEqual(parseQuantity('45.5 mb'), { value: 45.5 * 1024 * 1024, dimension: 'bytes' });
  assert.deepEqual(parseQuantity('120ms'), { value: 120, dimension: 'duration' });
  assert.deepEqual(parseQuantity('2s'), { value: 2000, dimension: 'duration' });
  assert.deepEqual(parseQuantity(42), { value: 42, dimension: 'number' });
  assert.deepEqual(parseQuantity('1,024'), { value: 1024, dimension: 'number' });
  assert.equal(parseQuantity('fast'), undefined);
  assert.equal(parseQuantity('12 parsecs'), undefined);
  assert.equal(parseQuantity(Number.NaN), undefined);
  assert.equal(parseQuantity(null), undefined);
});

test('sizes and durations reject the wrong dimension', () => {
  assert.equal(parseSize('1MB'), 1024 * 1024);
  assert.equal(parseSize(65536), 65536);
  assert.equal(parseSize('5%'), undefined);
  assert.equal(parseSize('-1'), undefined);
  assert.equal(parseMs('500ms'), 500);
  assert.equal(parseMs('1.5s'), 1500);
  assert.equal(parseMs('2MB'), undefined);
});

test('formatQuantity is readable', () => {
  assert.equal(formatQuantity(0.5, 'percent'), '0.5%');
  assert.equal(formatQuantity(45 * 1024 * 1024, 'bytes'), '45MB');
  assert.equal(formatQuantity(2400, 'duration'), '2.4s');
  assert.equal(formatQuantity(120, 'duration'), '120ms');
});

test('threshold rules: a rule states when the value FAILS', () => {
  const rule = parseThreshold('> 5%');
  assert.ok(rule);
  assert.deepEqual(rule, { op: '>', value: 5, dimension: 'percent', text: '> 5%' });
  assert.equal(breaches(7.2, rule), true);
  assert.equal(breaches(5, rule), false);
  assert.equal(describePass('metrics.errorRate', rule), 'metrics.errorRate <= 5%');
  assert.equal(parseThreshold('45MB')?.op, '>', 'a bare quantity means "above it fails"');
  assert.equal(parseThreshold('<99.9%')?.op, '<');
  assert.equal(parseThreshold('= 0')?.op, '==');
  const notZero = parseThreshold('!= 0');
  assert.ok(notZero);
  assert.equal(breaches(1, notZero), true);
  assert.equal(parseThreshold('>> 5'), undefined);
  assert.equal(parseThreshold('about 5'), undefined);
});
