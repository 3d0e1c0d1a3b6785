/**
 * The secrets of accounts: random values, their hashes, password hashing (argon2id) and the password policy, and
 * the authenticated encryption of TOTP secrets. Random values (session cookies, API tokens, setup tokens, recovery
 * codes) have 256 or 64+ bits of entropy, so a plain SHA-256 is enough to store them; passwords are people's and
 * get argon2id.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** API tokens start with this, so secret scanners (and people) recognise a leaked one. */
export const API_TOKEN_PREFIX = 'upk_';

/** Shortest password accepted: long enough that guessing is slow even with a leaked hash. */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest password accepted: bounds the hashing work one request can ask for. */
export const MAX_PASSWORD_LENGTH = 1024;

/** A new random secret, base64url (`bytes` of entropy). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A short random id for rows people address (users, tokens). */
export function randomId(): string {
  return randomBytes(9).toString('base64url');
}

/** SHA-256 of `text`, hex: how random secrets are stored and looked up. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Compares two strings in constant time (for CSRF tokens). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Why `password` is refused, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH)
    return `the password is too short: use at least ${MIN_PASSWORD_LENGTH} characters (a few words work well)`;
  if (password.length > MAX_PASSWORD_LENGTH)
    return `the password is too long: use at most ${MAX_PASSWORD_LENGTH} characters`;
  if (password.trim().length === 0) return 'the password is only spaces: choose one with letters or words';
  if (new Set(password).size < 4) return 'the password repeats too few characters: choose a less predictable one';
  return null;
}

// Loaded on first use: `upkeep start` and the other commands need the native module only when someone signs in.
const loadArgon2 = () => import('argon2').then((m) => m.default);

/** The argon2id hash of a password (parameters and salt are encoded in the result). */
export async function hashPassword(password: string): Promise<string> {
  const argon2 = await loadArgon2();
  return argon2.hash(password, { type: argon2.argon2id });
}

// Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
let dummyHash: Promise<string> | undefined;

/** True when `password` matches `hash`; with no hash (unknown user) spends the same time and returns false. */
export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  if (hash === undefined) {
    dummyHash ??= hashPassword(randomSecret());
    await (await loadArgon2()).verify(await dummyHash, password);
    return false;
  }
  try {
    return await (await loadArgon2()).verify(hash, password);
  } catch {
    return false;
  }
}

/** The key TOTP secrets are encrypted with, derived from the data dir's key so one file holds upkeep's keys. */
export function deriveAccountsKey(dataDirKey: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', dataDirKey, Buffer.alloc(0), 'upkeep accounts: totp secrets', 32));
}

/** Encrypts `plain` with AES-256-GCM under `key`: `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
export function encryptSecret(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** Decrypts what encryptSecret made; throws when the key is not the one it was made with. */
export function decryptSecret(key: Buffer, sealed: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('not an upkeep encrypted secret');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
