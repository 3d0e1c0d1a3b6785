import assert from 'node:assert/strict';
import { test } from 'node:test';
import { archiveName, parseArchiveName } from './archive-name.js';

test('an archive name reads back to what it was made from', () => {
  const startedAt = Date.UTC(2026, 11, 3, 2, 0, 5);
  for (const [format, gzip, encrypted] of [
    ['pgdump', false, true],
    ['tar', true, true],
    ['tar', true, false],
  ] as const) {
    const name = archiveName({
      app: 'kirana-market',
      database: 'main',
      startedAt,
      id: '3f2a9c1e-0000-4000-8000-000000000000',
      format,
      gzip,
      encrypted,
    });
    assert.deepEqual(parseArchiveName(name), {
      app: 'kirana-market',
      database: 'main',
      startedAt,
      shortId: '3f2a9c1e',
      format,
      gzip,
      encrypted,
    });
  }
});

test('a name that is not upkeep’s (renamed, another tool) reads as nothing', () => {
  for (const name of [
    'latest.bak',
    'shop.dump',
    'shop.main.2026.3f2a9c1e.pgdump.age',
    'a.b.20261303T000000Z.3f2a9c1e.zip',
  ]) {
    assert.equal(parseArchiveName(name), undefined, name);
  }
  assert.equal(parseArchiveName('a.b.20261340T000000Z.3f2a9c1e.pgdump'), undefined, 'an impossible date');
});
