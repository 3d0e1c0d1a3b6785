// The mongodump layout's pure parts: file names as mongodump escapes them, metadata text, BSON framing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BSON } from 'mongodb';
import {
  BsonSplitter,
  collectionFileStem,
  collectionFromStem,
  goPathEscape,
  indexToCreate,
  metadataJson,
  parseEntryName,
  parseMetadata,
  skipCollection,
} from './mongodb-layout.js';

describe('mongodump layout', () => {
  it("escapes collection names like Go's url.PathEscape, and undoes it", () => {
    assert.equal(goPathEscape('orders'), 'orders');
    assert.equal(goPathEscape('a b/c?d;e,f'), 'a%20b%2Fc%3Fd%3Be%2Cf');
    assert.equal(goPathEscape('keep-_.~$&+=:@'), 'keep-_.~$&+=:@');
    assert.equal(goPathEscape('naïve!'), 'na%C3%AFve%21');
    for (const name of ['a b/c?d', 'naïve!', 'x.y.z']) assert.equal(collectionFromStem(goPathEscape(name)), name);
  });

  it('shortens names that would exceed a 255-byte file name with a sha1 suffix, as mongodump does', () => {
    const long = 'c'.repeat(300);
    const stem = collectionFileStem(long);
    assert.equal(stem.length, 208 + 3 + 27);
    assert.ok(stem.startsWith('c'.repeat(208)));
    assert.match(stem, /%24[A-Za-z0-9_-]{27}$/);
    assert.equal(collectionFileStem('c'.repeat(238)), 'c'.repeat(238));
  });

  it('skips system collections but system.js, and $ names', () => {
    assert.equal(skipCollection('system.views'), true);
    assert.equal(skipCollection('system.profile'), true);
    assert.equal(skipCollection('system.js'), false);
    assert.equal(skipCollection('a$b'), true);
    assert.equal(skipCollection('users'), false);
  });

  it("writes metadata.json exactly as mongodump's canonical Extended JSON", () => {
    const uuid = new BSON.Binary(Buffer.from('0123456789abcdef0123456789abcdef', 'hex'), BSON.Binary.SUBTYPE_UUID);
    const text = metadataJson(
      { name: 'logs', type: 'collection', options: { capped: true, size: new BSON.Int32(4096) }, info: { uuid } },
      [{ v: new BSON.Int32(2), key: { _id: new BSON.Int32(1) }, name: '_id_' }],
    );
    assert.equal(
      text,
      '{"options":{"capped":true,"size":{"$numberInt":"4096"}},' +
        '"indexes":[{"v":{"$numberInt":"2"},"key":{"_id":{"$numberInt":"1"}},"name":"_id_"}],' +
        '"uuid":"0123456789abcdef0123456789abcdef","collectionName":"logs","type":"collection"}',
    );
    // No options, no uuid: both left out; indexes stays an array.
    assert.equal(metadataJson({ name: 'v', options: {} }, []), '{"indexes":[],"collectionName":"v"}');
    const parsed = parseMetadata(text);
    assert.equal(parsed.collectionName, 'logs');
    assert.ok(parsed.options.size instanceof BSON.Int32);
  });

  it('recreates indexes without _id_, ns and v', () => {
    assert.equal(indexToCreate({ v: 2, key: { _id: 1 }, name: '_id_' }), undefined);
    assert.deepEqual(indexToCreate({ v: 2, key: { a: 1 }, name: 'a_1', ns: 'd.c', unique: true }), {
      key: { a: 1 },
      name: 'a_1',
      unique: true,
    });
  });

  it('reads tar entry names of the layout only', () => {
    assert.deepEqual(parseEntryName('shop/orders.bson'), { database: 'shop', stem: 'orders', kind: 'bson' });
    assert.deepEqual(parseEntryName('shop/a.b.metadata.json'), { database: 'shop', stem: 'a.b', kind: 'metadata' });
    assert.equal(parseEntryName('shop/'), undefined);
    assert.equal(parseEntryName('orders.bson'), undefined);
    assert.deepEqual(parseEntryName('./dump/shop/c.bson'), { database: 'shop', stem: 'c', kind: 'bson' });
    assert.equal(parseEntryName('shop/orders.bson.gz'), undefined);
  });

  it('splits concatenated BSON into documents whatever the chunking', () => {
    const docs = Array.from({ length: 50 }, (_, i) => BSON.serialize({ i, pad: 'p'.repeat(i * 7) }));
    const all = Buffer.concat(docs);
    for (const chunkSize of [1, 3, 4, 5, 64, 1000, all.length]) {
      const splitter = new BsonSplitter();
      const out: Buffer[] = [];
      for (let at = 0; at < all.length; at += chunkSize) out.push(...splitter.push(all.subarray(at, at + chunkSize)));
      splitter.end();
      assert.deepEqual(
        out.map((d) => BSON.deserialize(d).i),
        docs.map((_, i) => i),
        `chunk size ${chunkSize}`,
      );
    }
  });

  it('refuses truncated and corrupt BSON', () => {
    const doc = Buffer.from(BSON.serialize({ a: 1 }));
    const cut = new BsonSplitter();
    assert.deepEqual(cut.push(doc.subarray(0, doc.length - 2)), []);
    assert.throws(() => cut.end(), /truncated BSON/);
    const huge = Buffer.from(doc);
    huge.writeInt32LE(0x7fffffff, 0);
    assert.throws(() => new BsonSplitter().push(huge), /corrupt BSON/);
    const unterminated = Buffer.from(doc);
    unterminated[unterminated.length - 1] = 1;
    assert.throws(() => new BsonSplitter().push(unterminated), /corrupt BSON/);
  });
});
