// MongoDB connection strings: the database part, scratch URLs that keep the login working, and redaction.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatabaseError } from './adapter.js';
import { mongoPassword, parseMongoUrl, redactMongoUrl, requireDatabase, withDatabase } from './mongodb-url.js';

describe('mongodb connection strings', () => {
  it('takes apart seed lists, srv strings and options', () => {
    assert.deepEqual(parseMongoUrl('mongodb://u:p%40ss@h1:27017,h2:27018/shop?replicaSet=rs0'), {
      scheme: 'mongodb',
      userinfo: 'u:p%40ss',
      hosts: 'h1:27017,h2:27018',
      database: 'shop',
      query: 'replicaSet=rs0',
    });
    assert.deepEqual(parseMongoUrl('mongodb+srv://cluster0.abc.mongodb.net'), {
      scheme: 'mongodb+srv',
      hosts: 'cluster0.abc.mongodb.net',
      query: '',
    });
    assert.throws(() => parseMongoUrl('postgres://x/y'), DatabaseError);
  });

  it('refuses to guess a database when the string names none', () => {
    assert.equal(requireDatabase('mongodb://h/shop'), 'shop');
    assert.throws(
      () => requireDatabase('mongodb://u:secret@h:27017/?authSource=admin'),
      (err: unknown) =>
        err instanceof DatabaseError && /names no database/.test(err.message) && !/secret/.test(err.message),
    );
  });

  it('points at another database, pinning authSource so the same login works', () => {
    assert.equal(withDatabase('mongodb://h:1/shop?w=1', 'scratch'), 'mongodb://h:1/scratch?w=1');
    assert.equal(withDatabase('mongodb://u:p@h:1/shop', 'scratch'), 'mongodb://u:p@h:1/scratch?authSource=shop');
    assert.equal(withDatabase('mongodb://u:p@h:1/', 'scratch'), 'mongodb://u:p@h:1/scratch?authSource=admin');
    assert.equal(
      withDatabase('mongodb://u:p@h:1/shop?authSource=admin', 'scratch'),
      'mongodb://u:p@h:1/scratch?authSource=admin',
    );
    // An SRV record may carry authSource itself: leave the choice to it.
    assert.equal(withDatabase('mongodb+srv://u:p@c.example.net/shop', 'x'), 'mongodb+srv://u:p@c.example.net/x');
  });

  it('redacts the password and finds it for scrubbing', () => {
    assert.equal(redactMongoUrl('mongodb://u:s3cret@h:1/shop?tls=true'), 'mongodb://u:****@h:1/shop');
    assert.equal(redactMongoUrl('mongodb://h:1'), 'mongodb://h:1/');
    assert.equal(mongoPassword('mongodb://u:p%40ss@h/x'), 'p@ss');
    assert.equal(mongoPassword('mongodb://u@h/x'), undefined);
  });
});
