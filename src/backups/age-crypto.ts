/**
 * age encryption as Node streams (the age-encryption package works on web streams), recipient fingerprints, and
 * identities from the plan's `encrypt.identity`. Identity strings are secrets: they never enter messages or logs.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Decrypter, Encrypter, identityToRecipient } from 'age-encryption';
import { BackupError } from './errors.js';

/** A short, public fingerprint of an age recipient (a public key): `sha256:` + 16 hex digits. */
export function recipientFingerprint(recipient: string): string {
  return `sha256:${createHash('sha256').update(recipient.trim()).digest('hex').slice(0, 16)}`;
}

/** Fingerprints of the recipients the identities decrypt for (for "wrong key" messages). */
export async function identityFingerprints(identities: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const identity of identities) {
    try {
      out.push(recipientFingerprint(await identityToRecipient(identity)));
    } catch {
      out.push('(not an age identity)');
    }
  }
  return out;
}

/** Checks the recipients and returns an Encrypter for them; a bad one is a config error naming its position. */
export function encrypterFor(recipients: readonly string[]): Encrypter {
  const encrypter = new Encrypter();
  recipients.forEach((recipient, i) => {
    try {
      encrypter.addRecipient(recipient.trim());
    } catch (cause) {
      throw new BackupError(
        `encrypt.recipients[${i}] ("${recipient.slice(0, 12)}...") is not an age recipient: expected age1... as printed by age-keygen -y`,
        'config',
        { cause },
      );
    }
  });
  return encrypter;
}

/** Encrypts a Node stream to the recipients; the result streams (nothing is buffered whole). */
export async function encryptStream(input: Readable, encrypter: Encrypter): Promise<Readable> {
  const web = Readable.toWeb(input) as unknown as ReadableStream<Uint8Array>;
  const out = await encrypter.encrypt(web);
  return Readable.fromWeb(out as unknown as WebReadableStream<Uint8Array>);
}

/**
 * Decrypts a Node stream with the identities. Rejects with `wrong-key` when none matches the archive's recipients
 * and `integrity` when the header is damaged; damage in the body errors the returned stream with `integrity`.
 */
export async function decryptStream(input: Readable, identities: readonly string[]): Promise<Readable> {
  if (identities.length === 0) {
    throw new BackupError(
      'this archive is encrypted and no identity was given: set databases.<db>.backup.encrypt.identity to the ' +
        'AGE-SECRET-KEY-1... (through ${VAR}) or to a key file path',
      'config',
    );
  }
  const decrypter = new Decrypter();
  identities.forEach((identity, i) => {
    try {
      decrypter.addIdentity(identity);
    } catch (cause) {
      throw new BackupError(
        `encrypt.identity entry ${i + 1} is not an age identity: expected AGE-SECRET-KEY-1... (as age-keygen writes)`,
        'config',
        { cause },
      );
    }
  });
  let plain: ReadableStream<Uint8Array>;
  try {
    plain = await decrypter.decrypt(Readable.toWeb(input) as unknown as ReadableStream<Uint8Array>);
  } catch (cause) {
    throw decryptionError(cause);
  }
  const node = Readable.fromWeb(plain as unknown as WebReadableStream<Uint8Array>);
  // Re-type body failures so callers can tell a damaged archive from anything else.
  const typed = new PassThrough();
  node.once('error', (cause) => typed.destroy(decryptionError(cause)));
  typed.once('close', () => node.destroy());
  return node.pipe(typed);
}

/** A decryption failure as a BackupError: a missing match is `wrong-key`, anything else a damaged archive. */
export function decryptionError(cause: unknown): BackupError {
  if (cause instanceof BackupError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  if (/no identity matched/.test(detail)) {
    return new BackupError(
      "wrong key: none of the given identities matches the archive's recipients; use the identity whose public key " +
        '(age-keygen -y) is in encrypt.recipients at the time of the backup',
      'wrong-key',
      { cause },
    );
  }
  return new BackupError(`archive damaged: age decryption failed (${detail})`, 'integrity', { cause });
}

/**
 * Reads identities from `encrypt.identity`: the AGE-SECRET-KEY-1... itself (the plan gives it through ${VAR}) or a
 * path to an age key file (relative to `baseDir`), whose `#` lines are comments.
 */
export async function loadIdentities(value: string, baseDir: string): Promise<string[]> {
  const text = value.trim();
  if (/^AGE-SECRET-KEY-/i.test(text)) return [text.toUpperCase()];
  const path = isAbsolute(text) ? text : resolve(baseDir, text);
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (cause) {
    throw new BackupError(
      `encrypt.identity: cannot read the key file ${path} (${(cause as Error).message}); give a readable age key ` +
        'file, or the AGE-SECRET-KEY-1... through an environment variable',
      'config',
      { cause },
    );
  }
  const keys = content
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (keys.length === 0 || keys.some((k) => !/^AGE-SECRET-KEY-/.test(k))) {
    throw new BackupError(
      `encrypt.identity: ${path} is not an age key file (expected AGE-SECRET-KEY-1... lines, as age-keygen writes)`,
      'config',
    );
  }
  return keys;
}
