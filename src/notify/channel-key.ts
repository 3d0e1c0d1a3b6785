/**
 * Channel fingerprints: how upkeep notices that a disabled channel's plan entry was edited without putting anything
 * derived from its secrets alone into the store. A channel's entry (token, webhook URL, SMTP password included) is
 * fingerprinted with HMAC-SHA256 under a random key that lives in the data dir, never in the store: a copy of the
 * store (a PostgreSQL dump, a backup) cannot be used to test guesses of a password against the fingerprint.
 * Losing the key (a fresh data dir, another worker's) only makes every fingerprint change once, which re-enables a
 * disabled channel once; a channel that is still broken is disabled again by its next permanent error.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Plan } from '../plan/plan-types.js';
import { prepareDataDir } from '../store/data-dir.js';

/** The key file's name inside the data dir. */
export const CHANNEL_KEY_FILE = 'channel-key';

const KEY_TEXT = /^[0-9a-f]{64}$/;

/** The key file is there but unusable: says which file and what to do. */
export class ChannelKeyError extends Error {
  override readonly name = 'ChannelKeyError';
}

/**
 * The key from UPKEEP_CHANNEL_KEY when set, else reads `<dataDir>/channel-key` (64 hex characters), creating it with mode 0600 on first use. Two processes
 * starting together agree: the file is created exclusively and the loser reads the winner's key.
 */
export async function loadChannelKey(
  dataDir: string,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<Buffer> {
  // Several workers sharing one PostgreSQL store share the key this way instead of copying the file.
  const fromEnv = env.UPKEEP_CHANNEL_KEY?.trim();
  if (fromEnv) {
    if (!KEY_TEXT.test(fromEnv)) {
      throw new ChannelKeyError(
        'UPKEEP_CHANNEL_KEY must be 64 hex characters (make one with: openssl rand -hex 32); its value is not shown',
      );
    }
    return Buffer.from(fromEnv, 'hex');
  }
  const file = join(dataDir, CHANNEL_KEY_FILE);
  // Owner-only: with PostgreSQL the key may be the only thing upkeep keeps in the data dir.
  prepareDataDir(dataDir);
  const existing = await readKey(file);
  if (existing) return existing;
  const key = randomBytes(32);
  try {
    await writeFile(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    // The umask may have masked the mode; the key must not be readable by others.
    await chmod(file, 0o600);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const raced = await readKey(file);
    if (raced) return raced;
    throw new ChannelKeyError(`${file} vanished while upkeep created it; start upkeep again`);
  }
}

async function readKey(file: string): Promise<Buffer | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  // A key file an older upkeep or a copy left readable by others is tightened: the key is only worth anything unseen.
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  const hex = text.trim();
  if (!KEY_TEXT.test(hex)) {
    throw new ChannelKeyError(
      `${file} is not an upkeep channel key (64 hex characters); delete it and upkeep makes a new one (disabled channels are then re-enabled once)`,
    );
  }
  return Buffer.from(hex, 'hex');
}

/** Each channel's fingerprint: HMAC-SHA256 of its plan entry (keys sorted) under `key`. Pure. */
export function channelFingerprints(plan: Pick<Plan, 'notify'>, key: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, entry] of Object.entries(plan.notify)) {
    // 128 bits: plenty to notice an edit; the `h1:` prefix tells these apart from older, unkeyed hashes.
    out[name] = `h1:${createHmac('sha256', key).update(stableJson(entry)).digest('hex').slice(0, 32)}`;
  }
  return out;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
