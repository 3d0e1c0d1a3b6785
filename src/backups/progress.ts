/**
 * A one-line progress bar for long dumps and restores: bytes, rate, collections. Drawn only on a terminal (a pipe
 * or a log file gets nothing, so scripts read clean output); rendering is pure and tested apart from drawing.
 */
import type { TransferProgress } from '../databases/adapter.js';
import { formatBytes } from '../jobs/backup-rules.js';

/** What the bar knows besides the adapter's progress: totals from the catalog record, when there is one. */
export interface ProgressTotals {
  /** Plaintext bytes expected (a restore of a recorded backup knows it; a new dump does not). */
  bytes?: number;
  /** Collections or tables expected. */
  items?: number;
}

const BAR_WIDTH = 24;

/** One line: `[#####-----]  42%  12.3 MB of 29 MB  4.1 MB/s  3/7 orders`. Pure. */
export function renderProgress(
  p: TransferProgress,
  totals: ProgressTotals,
  elapsedMs: number,
  columns = 80,
  verb = '',
): string {
  const parts: string[] = [];
  const totalBytes = totals.bytes !== undefined && totals.bytes > 0 ? totals.bytes : undefined;
  if (totalBytes !== undefined) {
    const ratio = Math.min(1, p.bytes / totalBytes);
    const filled = Math.round(ratio * BAR_WIDTH);
    parts.push(
      `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`,
      `${String(Math.floor(ratio * 100)).padStart(3)}%`,
    );
    parts.push(`${formatBytes(p.bytes)} of ${formatBytes(totalBytes)}`);
  } else {
    parts.push(formatBytes(p.bytes));
  }
  if (elapsedMs >= 500) parts.push(`${formatBytes(Math.round((p.bytes * 1000) / elapsedMs))}/s`);
  const items = p.total ?? totals.items;
  const count = items !== undefined ? `${p.done}/${items}` : `${p.done} done`;
  parts.push(p.current !== undefined ? `${count} ${p.current}` : count);
  const line = `${verb ? `${verb} ` : ''}${parts.join('  ')}`;
  return line.length > columns - 1 ? `${line.slice(0, Math.max(0, columns - 2))}…` : line;
}

/** Draws progress on `stream` when it is a terminal; `done()` clears the line. A no-op elsewhere. */
export interface ProgressBar {
  update(p: TransferProgress): void;
  done(): void;
}

/** A bar on `stream` (stderr, so stdout stays the result), redrawn at most every 100 ms. */
export function progressBar(
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
  env: Readonly<Record<string, string | undefined>>,
  totals: ProgressTotals = {},
  verb = '',
  now: () => number = Date.now,
): ProgressBar {
  if (!stream.isTTY || env.TERM === 'dumb') return { update() {}, done() {} };
  const started = now();
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      const at = now();
      if (at - last < 100) return;
      last = at;
      drawn = true;
      stream.write(`\r\u001b[2K${renderProgress(p, totals, at - started, stream.columns ?? 80, verb)}`);
    },
    done() {
      if (drawn) stream.write('\r\u001b[2K');
    },
  };
}
