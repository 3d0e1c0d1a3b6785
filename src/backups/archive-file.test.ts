import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ageStanzas, engineOf, recoveredId } from './archive-file.js';

test('engineOf tells pg_dump archives and tars (an empty one too) from anything else', () => {
  assert.deepEqual(engineOf(Buffer.from('PGDMP\x01\x0e\x00')), { engine: 'postgres', format: 'pgdump' });
  const header = Buffer.alloc(1024);
  header.write('shop/orders.bson', 0);
  header.write('ustar', 257);
  assert.deepEqual(engineOf(header), { engine: 'mongodb', format: 'tar' });
  assert.deepEqual(engineOf(Buffer.alloc(1024)), { engine: 'mongodb', format: 'tar' }, 'an empty database’s dump');
  assert.equal(engineOf(Buffer.from('a shopping list')), undefined);
  assert.equal(engineOf(Buffer.alloc(100)), undefined, 'too short to be a tar');
});

test('ageStanzas counts the recipient stanzas of an age header by type, stopping at its MAC line', () => {
  const header = Buffer.from(
    'age-encryption.org/v1\n-> X25519 abc\nZGVm\n-> X25519 ghi\nams\n-> scrypt salt 18\nxyz\n--- mac\n-> X25519 not-a-stanza',
  );
  assert.deepEqual(
    [...ageStanzas(header)],
    [
      ['X25519', 2],
      ['scrypt', 1],
    ],
  );
});

test('recoveredId keeps the id the name carries and is stable for the same content', () => {
  const sha = `${'a'.repeat(8)}0123456789abcdef0123456789abcdef0123456789abcdef01234567`;
  assert.equal(recoveredId('3f2a9c1e', sha), '3f2a9c1e-0123-4567-89ab-cdef01234567');
  assert.equal(recoveredId(undefined, sha), 'aaaaaaaa-0123-4567-89ab-cdef01234567');
  assert.match(recoveredId('3f2a9c1e', sha), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});
