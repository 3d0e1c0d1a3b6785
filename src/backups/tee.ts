/**
 * One stream read once and written to several targets at once. A branch that fails, is destroyed or stops reading
 * for longer than `stallMs` is dropped and the others go on; the source's own failure reaches every branch.
 */
import { PassThrough, type Readable } from 'node:stream';
import { BackupError } from './errors.js';

/** Options of tee. */
export interface TeeOptions {
  /** How long a branch may hold the others up before it is dropped as stalled (default 5 minutes). */
  stallMs?: number;
  /** Names the branches in the stall error (the targets' descriptions). */
  names?: readonly string[];
}

/** The default stall limit: long enough for a slow upload's retries, short of a backup's own deadline. */
export const DEFAULT_STALL_MS = 5 * 60_000;

/** Splits `source` into `count` branches with backpressure: it reads on when every live branch has room. */
export function tee(source: Readable, count: number, opts: TeeOptions = {}): PassThrough[] {
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
  const branches = Array.from({ length: count }, () => new PassThrough({ highWaterMark: 1 << 20 }));
  const live = new Set(branches);
  const nameOf = new Map(branches.map((b, i) => [b, opts.names?.[i] ?? `copy ${i + 1}`]));
  const waiting = new Map<PassThrough, NodeJS.Timeout>();
  const release = (branch: PassThrough) => {
    clearTimeout(waiting.get(branch));
    if (waiting.delete(branch) && waiting.size === 0) source.resume();
  };
  const drop = (branch: PassThrough) => {
    if (!live.delete(branch)) return;
    release(branch);
    // Nobody left to write to: stop reading (the dump behind it is stopped by whoever sees the failures).
    if (live.size === 0) source.destroy();
  };
  for (const branch of branches) {
    branch.once('close', () => drop(branch));
    branch.once('error', () => drop(branch));
    branch.on('drain', () => release(branch));
  }
  source.on('data', (chunk: Buffer) => {
    for (const branch of live) {
      if (branch.write(chunk) || waiting.has(branch)) continue;
      const timer = setTimeout(() => branch.destroy(stalled(nameOf.get(branch) as string, stallMs)), stallMs);
      timer.unref();
      waiting.set(branch, timer);
    }
    if (waiting.size > 0) source.pause();
  });
  source.once('end', () => {
    for (const branch of live) branch.end();
  });
  source.once('error', (err) => {
    for (const branch of [...live]) branch.destroy(err);
  });
  source.once('close', () => {
    // Closed without end or error (destroyed from outside): the branches must not wait for more.
    if (!source.readableEnded) for (const branch of [...live]) branch.destroy(new Error('the backup stream stopped'));
  });
  return branches;
}

function stalled(name: string, stallMs: number): BackupError {
  return new BackupError(
    `${name} stopped accepting data for ${Math.round(stallMs / 1000)} s; the other copies went on without it`,
    'target',
  );
}
