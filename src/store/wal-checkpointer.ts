/**
 * SQLite WAL checkpoints on a worker thread. better-sqlite3 is synchronous, so a checkpoint run by the writing
 * connection (SQLite's autocheckpoint, every ~40 MB of WAL) stalls the event loop for tens of milliseconds: at
 * thousands of pings a second that several-times-a-second stall was the whole p99 (bench/RESULTS.md, ping ingest).
 * A second connection on a worker copies WAL frames into the database in the background (PASSIVE: it never blocks
 * the writer), so the writer's own autocheckpoint, still on as the backstop that lets the WAL restart, finds almost
 * nothing left to copy.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Database } from './database.js';

/** The worker's code: plain CommonJS run with `eval`, so it needs no TypeScript loader and no file of its own. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
let failures = 0;
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    failures = 0;
  } catch (err) {
    failures += 1;
    if (failures === 1) parentPort.postMessage({ error: String((err && err.message) || err) });
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** A running checkpointer. */
export interface WalCheckpointer {
  /** Stops the worker and closes its connection; resolves when it has exited (or after a second). */
  stop(): Promise<void>;
}

/** Starts background checkpoints of an SQLite store every `everyMs`; undefined for PostgreSQL. */
export function startWalCheckpointer(
  database: Database,
  opts: { logger: Logger; everyMs?: number },
): WalCheckpointer | undefined {
  if (!database.sqlite) return undefined;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      module: createRequire(import.meta.url).resolve('better-sqlite3'),
      file: database.where,
      everyMs: opts.everyMs ?? 250,
    },
  });
  worker.unref();
  let stopping = false;
  worker.on('message', (message: { error?: string }) => {
    // The writer's autocheckpoint still runs, so nothing is lost: only the stalls come back.
    if (message.error)
      opts.logger.warn({ error: message.error }, 'background WAL checkpoint failed; the writer checkpoints');
  });
  worker.on('error', (err) => opts.logger.warn({ err }, 'background WAL checkpointer stopped; the writer checkpoints'));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      if (stopping) return exited;
      stopping = true;
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), 1_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
