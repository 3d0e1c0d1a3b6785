import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  decryptSecret,
  deriveAccountsKey,
  encryptSecret,
  hashPassword,
  passwordProblem,
  verifyPassword,
} from './secrets.js';

describe('account secrets', () => {
  it('refuses short, blank, repetitive and huge passwords with what to do', () => {
    assert.match(passwordProblem('short') ?? '', /at least 12 characters/);
    assert.match(passwordProblem(' '.repeat(20)) ?? '', /only spaces/);
    assert.match(passwordProblem('aaaaaaaaaaaaaaaa') ?? '', /less predictable/);
    assert.match(passwordProblem(`${'x'.repeat(2000)}abcd`) ?? '', /at most 1024/);
    assert.equal(passwordProblem('correct horse battery staple'), null);
  });

  it('hashes with argon2id and verifies', async () => {
    const hash = await hashPassword('correct horse battery staple');
    assert.match(hash, /^\$argon2id\$/);
    assert.equal(await verifyPassword(hash, 'correct horse battery staple'), true);
    assert.equal(await verifyPassword(hash, 'wrong horse battery staple'), false);
    assert.equal(await verifyPassword(undefined, 'anything at all'), false);
    assert.equal(await verifyPassword('not a hash', 'anything at all'), false);
  });

  it('encrypts TOTP secrets so only the data dir key opens them', () => {
    const key = deriveAccountsKey(randomBytes(32));
    const sealed = encryptSecret(key, 'JBSWY3DPEHPK3PXP');
    assert.doesNotMatch(sealed, /JBSWY3DPEHPK3PXP/);
    assert.notEqual(encryptSecret(key, 'JBSWY3DPEHPK3PXP'), sealed, 'a fresh IV each time');
    assert.equal(decryptSecret(key, sealed), 'JBSWY3DPEHPK3PXP');
    assert.throws(() => decryptSecret(deriveAccountsKey(randomBytes(32)), sealed));
  });
});
