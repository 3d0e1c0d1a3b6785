import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from './command.js';
import { basePathOption } from './start.js';

describe('upkeep start --base-path', () => {
  it('takes --base-path over UPKEEP_BASE_PATH, normalized; none means served at /', () => {
    assert.equal(basePathOption({ 'base-path': 'upkeep/' }, { UPKEEP_BASE_PATH: '/other' }), '/upkeep');
    assert.equal(basePathOption({}, { UPKEEP_BASE_PATH: '/ops/upkeep/' }), '/ops/upkeep');
    assert.equal(basePathOption({}, {}), '');
  });

  it('refuses a bad prefix as a usage error naming where it came from', () => {
    assert.throws(
      () => basePathOption({ 'base-path': '/a b' }, {}),
      (err: Error) => {
        assert.ok(err instanceof UsageError);
        assert.match(err.message, /^--base-path: the base path must look like \/upkeep/);
        return true;
      },
    );
    assert.throws(
      () => basePathOption({}, { UPKEEP_BASE_PATH: '/../x' }),
      /^UsageError: UPKEEP_BASE_PATH:|UPKEEP_BASE_PATH: /,
    );
  });
});
