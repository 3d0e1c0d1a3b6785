import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeBasePath } from './base-path.js';

describe('normalizeBasePath', () => {
  it('adds the leading slash and drops trailing ones; empty and / mean no base path', () => {
    assert.equal(normalizeBasePath('/upkeep/'), '/upkeep');
    assert.equal(normalizeBasePath('upkeep'), '/upkeep');
    assert.equal(normalizeBasePath('/ops/upkeep'), '/ops/upkeep');
    assert.equal(normalizeBasePath(''), '');
    assert.equal(normalizeBasePath('/'), '');
    assert.equal(normalizeBasePath(undefined), '');
  });

  it('refuses paths a URL could not carry as is, saying what to write', () => {
    for (const bad of ['/a b', '/../x', '/x/./y', '/up?x', '//x', '/a#b'])
      assert.throws(() => normalizeBasePath(bad), /base path must look like \/upkeep/, bad);
  });
});
