/**
 * The read path every verification tier and restore shares: archive → SHA-256 of the ciphertext → age → gunzip →
 * SHA-256 of the plaintext, failing the stream at its end when either checksum differs from the record.
 */
import { pipeline, type Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { decryptionError, decryptStream, identityFingerprints } from './age-crypto.js';
import type { BackupRecord } from './backup-record.js';
import { BackupError } from './errors.js';
import { HashThrough } from './hash-through.js';
import type { BackupTarget } from './target.js';

/** What reading an archive needs. Identities are secrets: used, never shown. */
export interface ReadArchiveOptions {
  target: BackupTarget;
  /** AGE-SECRET-KEY-1... strings (see loadIdentities); unused for an unencrypted archive. */
  identities: readonly string[];
}

/** The plaintext of a recorded archive, streamed; it errors (BackupError) on damage, a wrong key or a mismatch. */
export async function openPlaintext(record: BackupRecord, opts: ReadArchiveOptions): Promise<Readable> {
  if (record.ciphertextSha256 === null || record.plaintextSha256 === null) {
    throw new BackupError(`backup ${record.id} has no checksums (state ${record.state}): it was never taken`, 'config');
  }
  const cipher = new HashThrough();
  const raw = chain([opts.target.get(record.file), cipher]);
  let plain: Readable;
  if (record.recipients.length > 0) {
    try {
      plain = await decryptStream(raw, opts.identities);
    } catch (err) {
      raw.destroy();
      throw await explainKey(err, record, opts.identities);
    }
  } else {
    plain = raw;
  }
  const plainHash = new HashThrough();
  const check = new Transform({
    transform(chunk, _enc, cb) {
      cb(null, chunk);
    },
    flush(cb) {
      if (cipher.hex() !== record.ciphertextSha256) {
        cb(
          integrity(
            `${record.file}: ciphertext SHA-256 ${cipher.hex()} differs from the recorded ${record.ciphertextSha256}`,
          ),
        );
      } else if (plainHash.hex() !== record.plaintextSha256) {
        cb(
          integrity(
            `${record.file}: plaintext SHA-256 ${plainHash.hex()} differs from the recorded ${record.plaintextSha256}`,
          ),
        );
      } else {
        cb();
      }
    },
  });
  return chain([plain, ...(record.gzip ? [createGunzip()] : []), plainHash, check]);
}

/** Turns a read failure into a BackupError: gzip and age damage are `integrity`; others pass as they are. */
export function readFailure(err: unknown): BackupError {
  if (err instanceof BackupError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return integrity(`gzip stream damaged (${(err as Error).message})`, err);
  }
  return new BackupError(
    `reading the archive failed: ${err instanceof Error ? err.message : String(err)}`,
    'internal',
    {
      cause: err,
    },
  );
}

async function explainKey(err: unknown, record: BackupRecord, identities: readonly string[]): Promise<BackupError> {
  const typed = err instanceof BackupError ? err : decryptionError(err);
  if (typed.reason !== 'wrong-key') return typed;
  const have = await identityFingerprints(identities);
  // The right key that still cannot open the header means the header is damaged, not that the key is wrong.
  if (have.some((f) => record.recipients.includes(f))) {
    return integrity(`${record.file}: the header does not open with the identity it was encrypted to`, err);
  }
  return new BackupError(
    `${typed.message} (archive recipients ${record.recipients.join(', ')}; given identities are for ${have.join(', ')})`,
    'wrong-key',
    { cause: err },
  );
}

function integrity(message: string, cause?: unknown): BackupError {
  return new BackupError(`archive damaged: ${message}`, 'integrity', cause === undefined ? undefined : { cause });
}

/** Pipes streams together and returns the last, readable end (errors reach it). */
function chain(streams: Readable[]): Readable {
  if (streams.length === 1) return streams[0] as Readable;
  return pipeline(streams, () => undefined) as unknown as Readable;
}
