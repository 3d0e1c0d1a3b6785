/** Channel fingerprints in the store (SQLite and PostgreSQL): keyed, re-enabling edited channels, upgrading old rows. */
// PostgreSQL variants run on the throwaway cluster scripts/test.mjs starts (UPKEEP_TEST_DATABASE_URL).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import type { Kysely } from 'kysely';
import { parsePlan } from '../plan/load-plan.js';
import { ManualClock } from '../schedule/clock.js';
import type { StoreDialect } from '../store/database.js';
import { channelFingerprints } from './channel-key.js';
import { Notifier } from './notifier.js';
import type { NotifySchema } from './notify-schema.js';
import { onEveryDialect, openTestStore, silent, TEST_CHANNEL_KEY, type TestStore } from './test-notify.js';

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const TOKEN_A = 'tok-AAAAAAAAAAAAAAAAAAAA';
const TOKEN_B = 'tok-BBBBBBBBBBBBBBBBBBBB';

function planWith(token: string) {
  const text = `version: 1
notify:
  hook: { type: webhook, url: "http://127.0.0.1:1/\${HOOK_TOKEN}" }
apps:
  shop:
    checks:
      api: { http: "http://127.0.0.1:1/api" }
`;
  return parsePlan(text, { file: 'upkeep.yml', env: { HOOK_TOKEN: token } }).plan;
}

function notifier(ts: TestStore, token: string, channelKey: Uint8Array = TEST_CHANNEL_KEY) {
  return new Notifier({
    database: ts.open(),
    plan: planWith(token),
    clock: new ManualClock(T0),
    logger: silent,
    worker: 'w',
    baseUrl: 'http://127.0.0.1:8080',
    channelKey,
  });
}

/** The raw channel_state table (the store's typed handle knows only the core tables). */
function rawDb(ts: TestStore): Kysely<NotifySchema> {
  return ts.store.database.db as unknown as Kysely<NotifySchema>;
}

async function hashes(ts: TestStore): Promise<Record<string, string | null>> {
  const rows = await rawDb(ts).selectFrom('channel_state').select(['channel', 'config_hash']).execute();
  return Object.fromEntries(rows.map((r) => [r.channel, r.config_hash]));
}

async function disabled(ts: TestStore, channel: string): Promise<boolean> {
  const states = await notifier(ts, TOKEN_A).store.listChannelStates();
  return states.find((s) => s.channel === channel)?.disabledAt !== null;
}

onEveryDialect('channel fingerprints', (dialect: StoreDialect) => {
  it('stores only the keyed fingerprint, never shows it, and a new token behind the env var re-enables', async () => {
    const ts = await openTestStore(dialect);
    try {
      const first = notifier(ts, TOKEN_A);
      await first.tick();
      const stored = await hashes(ts);
      assert.deepEqual(stored, channelFingerprints(planWith(TOKEN_A), TEST_CHANNEL_KEY));
      assert.ok(!JSON.stringify(stored).includes('tok-'));
      const [state] = await first.store.listChannelStates();
      assert.deepEqual(Object.keys(state ?? {}).sort(), [
        'channel',
        'disabledAt',
        'disabledReason',
        'lastError',
        'lastErrorAt',
        'lastSuccessAt',
      ]);
      await first.store.disableChannel('hook', 'HTTP 401', T0);
      await notifier(ts, TOKEN_A).tick();
      assert.equal(await disabled(ts, 'hook'), true, 'the same entry and key: still disabled');
      await notifier(ts, TOKEN_B).tick();
      assert.equal(await disabled(ts, 'hook'), false, 'the env var behind the entry changed: re-enabled');
    } finally {
      await ts.dispose();
    }
  });

  it('upgrades rows an older upkeep hashed without a key: re-enabled once, overwritten, dropped channels cleared', async () => {
    const ts = await openTestStore(dialect);
    try {
      const legacy = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);
      await rawDb(ts)
        .insertInto('channel_state')
        .values(
          ['hook', 'gone'].map((channel) => ({
            channel,
            config_hash: legacy(channel),
            disabled_at: T0,
            disabled_reason: 'HTTP 401',
            last_error: null,
            last_error_at: null,
            last_success_at: null,
          })),
        )
        .execute();
      await notifier(ts, TOKEN_A).tick();
      assert.equal(await disabled(ts, 'hook'), false, 'a changed fingerprint re-enables once (documented)');
      assert.deepEqual(await hashes(ts), {
        hook: channelFingerprints(planWith(TOKEN_A), TEST_CHANNEL_KEY).hook,
        gone: 'absent',
      });
      assert.equal(await disabled(ts, 'gone'), true, 'a channel not in the plan stays as it was');
      // From now on the upgrade is done: disabling sticks across restarts with the same key.
      await notifier(ts, TOKEN_A).store.disableChannel('hook', 'HTTP 401', T0);
      await notifier(ts, TOKEN_A).tick();
      assert.equal(await disabled(ts, 'hook'), true);
    } finally {
      await ts.dispose();
    }
  });

  it('a lost key (a fresh data dir) re-enables a disabled channel once, then the new key holds', async () => {
    const ts = await openTestStore(dialect);
    try {
      await notifier(ts, TOKEN_A).tick();
      await notifier(ts, TOKEN_A).store.disableChannel('hook', 'HTTP 401', T0);
      const newKey = Buffer.alloc(32, 9);
      await notifier(ts, TOKEN_A, newKey).tick();
      assert.equal(await disabled(ts, 'hook'), false);
      await notifier(ts, TOKEN_A).store.disableChannel('hook', 'HTTP 401', T0);
      await notifier(ts, TOKEN_A, newKey).tick();
      assert.equal(await disabled(ts, 'hook'), true);
    } finally {
      await ts.dispose();
    }
  });
});
