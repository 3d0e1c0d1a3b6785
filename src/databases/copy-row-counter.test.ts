import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyRowCounter, parseQualifiedName } from './copy-row-counter.js';

test('parseQualifiedName: plain and quoted identifiers', () => {
  assert.equal(parseQualifiedName('public.items'), 'public.items');
  assert.equal(parseQualifiedName('"My Schema"."T ""x"""'), 'My Schema.T "x"');
  assert.equal(parseQualifiedName('public."a.b"'), 'public.a.b');
  assert.equal(parseQualifiedName('items'), undefined);
  assert.equal(parseQualifiedName('"open'), undefined);
});

test('CopyRowCounter: counts rows per COPY block across chunk boundaries, empty tables as 0', () => {
  const script = [
    "SET client_encoding = 'UTF8';",
    'COPY public.items (id, name) FROM stdin;',
    '1\tone',
    '2\ttwo with \\\\. inside',
    '3\t\\.x',
    '\\.',
    '',
    'COPY "Odd Schema"."T" (id) FROM stdin;',
    '\\.',
    'COPY public.notes FROM stdin;',
    '1\ta\\nb',
    '\\.',
    "SELECT pg_catalog.setval('public.items_id_seq', 3, true);",
    '',
  ].join('\n');
  const bytes = Buffer.from(script);
  for (const size of [1, 3, 7, bytes.length]) {
    const counter = new CopyRowCounter();
    for (let i = 0; i < bytes.length; i += size) counter.write(bytes.subarray(i, i + size));
    assert.deepEqual(counter.end(), { 'public.items': 3, 'Odd Schema.T': 0, 'public.notes': 1 }, `chunk ${size}`);
  }
});

test('CopyRowCounter: a script cut inside a COPY block is an error', () => {
  const counter = new CopyRowCounter();
  counter.write(Buffer.from('COPY public.items (id) FROM stdin;\n1\n2\n'));
  assert.throws(() => counter.end(), /ends inside the data of public.items/);
});
