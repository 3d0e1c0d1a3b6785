// MongoDB connection strings: the database part, scratch URLs that keep the login working, and redaction.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatabaseError } from './adapter.js';
import { mongoError } from './mongodb-client.js';
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

describe('mongodb errors', () => {
  it('scrub the password in either spelling and drop a cause that carries it', () => {
    const err = mongoError(
      new Error('parse failed near p%40ss:1 (p@ss)'),
      'mongodb://u:p%40ss@h:1/x',
      'cannot use the connection string for h:1',
    );
    assert.ok(err instanceof DatabaseError);
    assert.equal(err.message, 'cannot use the connection string for h:1: parse failed near ****:1 (****)');
    assert.equal(err.cause, undefined);
  });

  it('classify a lost server as unreachable and an auth failure as auth', () => {
    const lost = Object.assign(new Error('connection closed'), { name: 'MongoNetworkError' });
    assert.equal(mongoError(lost, 'mongodb://h/x', 'reading').reason, 'unreachable');
    const denied = Object.assign(new Error('Authentication failed.'), { code: 18 });
    const auth = mongoError(denied, 'mongodb://u:pw@h/x', 'connecting');
    assert.equal(auth.reason, 'auth');
    assert.match(auth.message, /check the user and password/);
  });
});
