import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parsePlan } from '../plan/load-plan.js';
import { CHANNEL_KEY_FILE, ChannelKeyError, channelFingerprints, loadChannelKey } from './channel-key.js';

const root = mkdtempSync(join(tmpdir(), 'upkeep-channel-key-'));
after(() => rmSync(root, { recursive: true, force: true }));

function planWith(token: string) {
  const text = `version: 1
notify:
  hook: { type: webhook, url: "https://hooks.example/\${HOOK_TOKEN}" }
  mail: { type: email, smtp: "smtp://alerts:hunter22@mail.example:587", to: ops@example.com }
apps: {}
`;
  return parsePlan(text, { file: 'upkeep.yml', env: { HOOK_TOKEN: token } }).plan;
}

describe('loadChannelKey', () => {
  it('creates a 0600 key file of 64 hex characters in a missing data dir, then reads the same key back', async () => {
    const dataDir = join(root, 'fresh', '.upkeep');
    const key = await loadChannelKey(dataDir);
    assert.equal(key.length, 32);
    const file = join(dataDir, CHANNEL_KEY_FILE);
    assert.equal((await readFile(file, 'utf8')).trim(), key.toString('hex'));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(await loadChannelKey(dataDir), key);
  });

  it('two processes starting together end up with one key', async () => {
    const dataDir = join(root, 'race');
    const keys = await Promise.all([1, 2, 3, 4].map(() => loadChannelKey(dataDir)));
    for (const key of keys) assert.deepEqual(key, keys[0]);
  });

  it('refuses a file that is not a key and says to delete it', async () => {
    const dataDir = mkdtempSync(join(root, 'bad-'));
    writeFileSync(join(dataDir, CHANNEL_KEY_FILE), 'not a key\n');
    await assert.rejects(loadChannelKey(dataDir), (e: unknown) => {
      assert.ok(e instanceof ChannelKeyError);
      assert.match(e.message, /channel-key is not an upkeep channel key .*delete it/);
      return true;
    });
  });
});

describe('loadChannelKey from UPKEEP_CHANNEL_KEY', () => {
  it('uses the variable instead of the file, so workers can share one key', async () => {
    const dataDir = mkdtempSync(join(root, 'env-'));
    const hex = 'ab'.repeat(32);
    const key = await loadChannelKey(dataDir, { UPKEEP_CHANNEL_KEY: ` ${hex}\n` });
    assert.equal(key.toString('hex'), hex);
    assert.equal(existsSync(join(dataDir, CHANNEL_KEY_FILE)), false, 'no file is made');
  });

  it('refuses a malformed value without showing it', async () => {
    await assert.rejects(loadChannelKey(root, { UPKEEP_CHANNEL_KEY: 'hunter2' }), (e: unknown) => {
      assert.ok(e instanceof ChannelKeyError);
      assert.match(e.message, /UPKEEP_CHANNEL_KEY must be 64 hex characters/);
      assert.doesNotMatch(e.message, /hunter2/);
      return true;
    });
  });
});

describe('channelFingerprints', () => {
  const key = Buffer.alloc(32, 1);

  it('is stable for one key and entry, and changes with the value of an env var behind the entry', () => {
    const a = channelFingerprints(planWith('tok-aaaaaaaaaaaa'), key);
    assert.deepEqual(channelFingerprints(planWith('tok-aaaaaaaaaaaa'), key), a);
    const b = channelFingerprints(planWith('tok-bbbbbbbbbbbb'), key);
    assert.notEqual(b.hook, a.hook, 'a new token behind ${HOOK_TOKEN} is an edit');
    assert.equal(b.mail, a.mail, 'other channels are untouched');
    assert.match(a.hook ?? '', /^h1:[0-9a-f]{32}$/);
  });

  it('cannot be recomputed without the key: another key gives other values, and neither is a plain hash', () => {
    const plan = planWith('tok-aaaaaaaaaaaa');
    const mine = channelFingerprints(plan, key);
    const other = channelFingerprints(plan, Buffer.alloc(32, 2));
    assert.notEqual(mine.hook, other.hook);
    const plain = createHash('sha256').update(JSON.stringify(plan.notify.hook)).digest('hex');
    for (const value of Object.values(mine)) {
      assert.ok(!plain.includes(value.slice(3)), 'not an unkeyed hash');
      assert.ok(!value.includes('hunter22') && !value.includes('tok-'), 'no secret in the value');
    }
  });
});
