import assert from 'node:assert/strict';
import { it } from 'node:test';
import { scrubPlanSecrets } from './scrub.js';

it('hides connection strings, their passwords and age identities, and leaves the word "source" alone', () => {
  const plan = {
    url: 'postgres://app:pa55word@db.example:5432/shop',
    scratch: 'postgres://drill:dr1llpw@scratch.example/postgres',
    encrypt: { recipients: ['age1x'], identity: 'AGE-SECRET-KEY-1ABCDEFGHIJKLMNOP' },
  };
  const message =
    'failed on postgres://app:pa55word@db.example:5432/shop (pa55word) and postgres://drill:dr1llpw@scratch.example/postgres with AGE-SECRET-KEY-1ABCDEFGHIJKLMNOP and AGE-SECRET-KEY-1ZZZZ';
  assert.equal(
    scrubPlanSecrets(message, plan),
    'failed on <database url> (***) and <database url> with <age identity> and <age identity>',
  );
  assert.equal(
    scrubPlanSecrets('the source server refused', { ...plan, scratch: 'source' }),
    'the source server refused',
  );
});
