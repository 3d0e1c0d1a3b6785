import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnswerCache, answer, matchesEtag } from './answer-cache.js';

describe('AnswerCache', () => {
  it('renders once per TTL, shares a render between concurrent callers, and renders again after the TTL', async () => {
    let now = 0;
    let renders = 0;
    const cache = new AnswerCache(5_000, () => now);
    const render = async () => answer(200, 'text/plain', `render ${++renders}`);
    const [a, b] = await Promise.all([cache.get('k', render), cache.get('k', render)]);
    assert.equal(renders, 1);
    assert.equal(a, b);
    now = 4_999;
    assert.equal((await cache.get('k', render)).body, 'render 1');
    now = 5_000;
    assert.equal((await cache.get('k', render)).body, 'render 2');
  });

  it('drops keys by prefix, forgets failed renders, and stays within its size', async () => {
    const cache = new AnswerCache(60_000, () => 0, 2);
    let n = 0;
    const render = async () => answer(200, 'text/plain', String(++n));
    await cache.get('shop\0page', render);
    cache.invalidate('shop\0');
    assert.equal((await cache.get('shop\0page', render)).body, '2');
    await assert.rejects(cache.get('bad', () => Promise.reject(new Error('store down'))));
    assert.equal((await cache.get('bad', render)).body, '3');
    await cache.get('third', render);
    // Size 2: the oldest key went.
    assert.equal((await cache.get('shop\0page', render)).body, '5');
  });

  it('ETags are strong hashes of the body; If-None-Match matches weakly, in lists and with *', () => {
    const a = answer(200, 'text/plain', 'body');
    assert.equal(a.etag, answer(200, 'text/plain', 'body').etag);
    assert.notEqual(a.etag, answer(200, 'text/plain', 'body!').etag);
    assert.ok(matchesEtag(a.etag, a.etag));
    assert.ok(matchesEtag(`"x", W/${a.etag}`, a.etag));
    assert.ok(matchesEtag('*', a.etag));
    assert.ok(!matchesEtag('"x"', a.etag));
    assert.ok(!matchesEtag(undefined, a.etag));
  });
});
