import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readPgArchiveHeader } from './postgres-archive-header.js';

/** A custom-format header as pg_dump writes it (WriteHead in pg_backup_archiver.c), 4-byte ints. */
function header(minor: number, database: string, versions?: [string, string]): Buffer {
  const int = (n: number) => {
    const b = Buffer.alloc(5);
    b[0] = n < 0 ? 1 : 0;
    b.writeUInt32LE(Math.abs(n), 1);
    return b;
  };
  const str = (s: string) => Buffer.concat([int(Buffer.byteLength(s)), Buffer.from(s)]);
  return Buffer.concat([
    Buffer.from('PGDMP'),
    Buffer.from([1, minor, 0, 4, 8, 1]),
    minor >= 15 ? Buffer.from([1]) : int(-1),
    ...[5, 4, 3, 2, 11, 126, 0].map(int),
    str(database),
    ...(versions ? versions.map(str) : []),
    Buffer.from('TOC entries follow'),
  ]);
}

test('the database and versions from a pg_dump -Fc header, before and after archive version 1.15', () => {
  assert.deepEqual(readPgArchiveHeader(header(14, 'shop', ['15.8', '15.8'])), {
    database: 'shop',
    server: 'PostgreSQL 15.8',
    dumpedWith: 'pg_dump 15.8',
  });
  assert.deepEqual(readPgArchiveHeader(header(16, 'kirana märkt', ['17.2', '17.4'])), {
    database: 'kirana märkt',
    server: 'PostgreSQL 17.2',
    dumpedWith: 'pg_dump 17.4',
  });
  assert.deepEqual(readPgArchiveHeader(header(9, 'old')), { database: 'old' }, 'no versions before 1.10');
});

test('anything that is not a whole custom-format header reads as nothing', () => {
  const whole = header(14, 'shop', ['15.8', '15.8']);
  assert.equal(readPgArchiveHeader(whole.subarray(0, 30)), undefined, 'cut short');
  assert.equal(readPgArchiveHeader(Buffer.from('PGDMP')), undefined);
  assert.equal(readPgArchiveHeader(Buffer.from('not a dump at all')), undefined);
  assert.equal(readPgArchiveHeader(header(3, 'ancient')), undefined, 'archive versions before 1.4 carry no name');
});
