import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../cli/command.js';
import { pick, selectOnly } from './restore-only.js';

const tables = ['public.customers', 'public.orders', 'sales.invoices', 'public.invoices', 'sales.orders_2026'];

test('--only on PostgreSQL: schema.table as is, a bare name when one schema has it, duplicates once', () => {
  assert.deepEqual(selectOnly('public.orders, customers,customers', 'postgres', tables), [
    'public.orders',
    'public.customers',
  ]);
  assert.deepEqual(selectOnly('orders_2026', 'postgres', tables), ['sales.orders_2026']);
});

test('--only refuses what it cannot do exactly, listing what the archive holds', () => {
  assert.throws(() => selectOnly('nope', 'postgres', tables), {
    name: 'UsageError',
    message:
      '--only nope: the backup holds no such table; it holds public.customers, public.invoices, public.orders, sales.invoices, sales.orders_2026',
  });
  assert.throws(
    () => selectOnly('invoices', 'postgres', tables),
    /in several schemas \(sales\.invoices, public\.invoices\)/,
  );
  assert.throws(
    () => selectOnly('public.orders,sales.invoices', 'postgres', tables),
    (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.message, /would also restore public\.invoices/);
      return true;
    },
  );
  assert.throws(() => selectOnly(' , ', 'postgres', tables), /at least one/);
  assert.throws(() => selectOnly('x', 'mongodb', []), /no such collection; it holds no collections/);
});

test('--only on MongoDB takes collection names exactly (dots are part of them)', () => {
  assert.deepEqual(selectOnly('audit.log', 'mongodb', ['audit.log', 'log']), ['audit.log']);
  assert.throws(() => selectOnly('log2', 'mongodb', ['audit.log', 'log']), /it holds audit\.log, log/);
});

test('pick keeps only the selected counts', () => {
  assert.deepEqual(pick({ a: 1, b: 2 }, ['b']), { b: 2 });
  assert.deepEqual(pick({ a: 1 }, undefined), { a: 1 });
});
