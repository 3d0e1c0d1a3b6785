/**
 * One stream read once and written to several targets at once. A branch that fails, is destroyed or reads nothing
 * for `stallMs` while data waits for it is dropped and the others go on; the source's own failure reaches every branch.
 */
import { PassThrough, type Readable } from 'node:stream';
import { BackupError } from './errors.js';

/** Options of tee. */
export interface TeeOptions {
  /** How long a branch may read nothing while data waits for it before it is dropped (default 5 minutes). */
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
  const waiting = new Set<PassThrough>();
  const watchdog = stallWatchdog(live, stallMs, opts.names ?? branches.map((_, i) => `copy ${i + 1}`), branches);
  const release = (branch: PassThrough) => {
    if (waiting.delete(branch) && waiting.size === 0) source.resume();
  };
  const drop = (branch: PassThrough) => {
    if (!live.delete(branch)) return;
    release(branch);
    watchdog.forget(branch);
    // Nobody left to write to: stop reading (the dump behind it is stopped by whoever sees the failures).
    if (live.size === 0) source.destroy();
  };
  for (const branch of branches) {
    branch.once('close', () => drop(branch));
    branch.once('error', () => drop(branch));
    branch.once('end', () => watchdog.forget(branch));
    branch.on('drain', () => release(branch));
  }
  source.on('data', (chunk: Buffer) => {
    for (const branch of live) {
      watchdog.wrote(branch, chunk.length);
      if (!branch.write(chunk)) waiting.add(branch);
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

/**
 * Watches how much each branch's reader took: a branch with data (or its end) waiting that took nothing for `stallMs`
 * is destroyed as stalled. A branch that is only waiting for the source is not stalled: the dump is slow, not it. Runs while some branch is still being read (and keeps the process alive meanwhile, as the
 * backup waiting on it does).
 */
function stallWatchdog(
  live: ReadonlySet<PassThrough>,
  stallMs: number,
  names: readonly string[],
  branches: readonly PassThrough[],
) {
  const state = new Map(
    branches.map((b, i) => [b, { name: names[i] ?? `copy ${i + 1}`, written: 0, taken: 0, at: 0 }]),
  );
  const check = () => {
    const now = Date.now();
    for (const branch of live) {
      const s = state.get(branch);
      if (s === undefined) continue;
      // What the branch holds sits on both of its sides: written but not yet passed through, and passed but not read.
      const held = branch.writableLength + branch.readableLength;
      const taken = s.written - held;
      // Waiting on its reader: data held, or the end written but not read (the reader stopped short of it).
      const pending = held > 0 || (branch.writableEnded && !branch.readableEnded);
      if (taken !== s.taken || !pending) {
        s.taken = taken;
        s.at = now;
      } else if (now - s.at >= stallMs) {
        branch.destroy(stalledError(s.name, stallMs));
      }
    }
  };
  const timer = setInterval(check, Math.max(10, Math.floor(stallMs / 5)));
  return {
    wrote(branch: PassThrough, bytes: number) {
      const s = state.get(branch);
      if (s === undefined) return;
      if (s.at === 0) s.at = Date.now();
      s.written += bytes;
    },
    /** A branch read to its end, or gone: no longer watched; the timer stops with the last one. */
    forget(branch: PassThrough) {
      state.delete(branch);
      if (state.size === 0) clearInterval(timer);
    },
  };
}

/** The failure of a copy that stopped taking data (or stopped short of finishing) for `stallMs`. */
export function stalledError(name: string, stallMs: number): BackupError {
  return new BackupError(
    `${name} stopped accepting data for ${formatSeconds(stallMs)}; the other copies went on without it`,
    'target',
  );
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
