/**
 * `npm run bench:postgres -- [--size-mb 200] [--rounds 2]`: PostgreSQL backup throughput. Starts a throwaway local
 * cluster (src/databases/local-postgres.ts), fills a table with ~size-mb of generated rows, then times, alternately:
 *   plain:   `pg_dump -Fc > file` (stdout straight into a file, as a person would run it)
 *   adapter: postgresAdapter.dump() → SHA-256 → file (the adapter's own cost: exported snapshot, exact counts)
 *   upkeep:  runBackup(): adapter → SHA-256 → age encryption → SHA-256 → local target (temp name, fsync, rename)
 * The adapter and upkeep sides run in a child process each so their peak RSS is their own.
 * Target (issue 4): upkeep >= 90 % of plain throughput, peak RSS < 150 MB.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, createWriteStream, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import pg from 'pg';
import pino from 'pino';
import type { BackupCatalog, BackupRecord } from '../src/backups/backup-record.js';
import { localTarget } from '../src/backups/local-target.js';
import { runBackup } from '../src/backups/run-backup.js';
import { startLocalPostgres } from '../src/databases/local-postgres.js';
import { postgresAdapter } from '../src/databases/postgres.js';
import { findTools, toolConnection } from '../src/databases/postgres-tools.js';
import { systemClock } from '../src/schedule/clock.js';

const { values } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '200' },
    rounds: { type: 'string', default: '2' },
    child: { type: 'string' },
  },
});

interface SideResult {
  ms: number;
  bytes: number;
  maxRssMb: number;
  /** Peak RSS of the child before its run: Node (+ tsx when run from the sources) + the loaded modules. */
  baseRssMb: number;
}

if (values.child) {
  // Child mode: one run of the adapter or upkeep side; the URL comes through the environment, never argv.
  const result = await runSide(values.child, process.env.BENCH_PG_URL ?? '', process.env.BENCH_OUT ?? '');
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

const sizeMb = Number(values['size-mb']);
const rounds = Number(values.rounds);
const logger = pino({ level: 'warn' });
const baseDir = mkdtempSync(join(tmpdir(), 'upkeep-pg-bench-'));
// As root the cluster runs as `postgres`, which must be able to enter this directory.
chmodSync(baseDir, 0o755);
const local = await startLocalPostgres({ baseDir, logger });
try {
  const url = new URL(local.url);
  const admin = new pg.Client({ connectionString: local.url });
  await admin.connect();
  await admin.query('create database bench');
  await admin.end();
  url.pathname = '/bench';
  const benchUrl = url.toString();
  const tableMb = await generate(benchUrl, sizeMb);
  console.error(`bench: table of ${tableMb.toFixed(0)} MB generated`);

  const results: Record<string, SideResult[]> = { plain: [], adapter: [], upkeep: [] };
  const out = join(baseDir, 'out');
  // A first plain dump warms the cache so no side pays for cold reads.
  await plainDump(benchUrl, join(baseDir, 'warmup.pgdump'));
  rmSync(join(baseDir, 'warmup.pgdump'));
  for (let round = 0; round < rounds; round++) {
    for (const side of ['plain', 'adapter', 'upkeep'] as const) {
      rmSync(out, { recursive: true, force: true });
      const result =
        side === 'plain' ? await plainDump(benchUrl, join(baseDir, 'plain.pgdump')) : await child(side, benchUrl, out);
      results[side]?.push(result);
      console.error(`bench: round ${round + 1} ${side}: ${describe(result)}`);
      rmSync(join(baseDir, 'plain.pgdump'), { force: true });
    }
  }
  const best = (side: string) => (results[side] ?? []).reduce((a, b) => (b.ms < a.ms ? b : a));
  const plain = best('plain');
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`\nmachine: ${cpus().length} × ${cpu}, Node ${process.version}; table ${tableMb.toFixed(0)} MB`);
  console.log('| side | time (best) | table MB/s | dump MB/s | vs plain | peak RSS (before run) |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const side of ['plain', 'adapter', 'upkeep']) {
    const r = best(side);
    const ratio = `${((plain.ms / r.ms) * 100).toFixed(0)} %`;
    const rss = side === 'plain' ? '—' : `${r.maxRssMb.toFixed(0)} MB (${r.baseRssMb.toFixed(0)} MB)`;
    const tableRate = (tableMb / (r.ms / 1000)).toFixed(1);
    console.log(`| ${side} | ${(r.ms / 1000).toFixed(1)} s | ${tableRate} | ${mbps(r)} | ${ratio} | ${rss} |`);
  }
} finally {
  await local.stop();
  rmSync(baseDir, { recursive: true, force: true });
}

function mbps(r: SideResult): string {
  return (r.bytes / 1e6 / (r.ms / 1000)).toFixed(1);
}

function describe(r: SideResult): string {
  return `${(r.ms / 1000).toFixed(1)} s, ${(r.bytes / 1e6).toFixed(0)} MB dump, ${mbps(r)} MB/s, RSS ${r.maxRssMb.toFixed(0)} MB`;
}

/** Fills `events` with rows of mixed, partly compressible data until its heap reaches `mb`; returns its size. */
async function generate(url: string, mb: number): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create table events (id bigint primary key, at timestamptz not null, user_id int not null,
      kind text not null, amount numeric(12,2), payload text)`);
    const batch = 200_000;
    let next = 1;
    for (;;) {
      const { rows } = await client.query<{ n: string }>(`select pg_relation_size('events') as n`);
      const size = Number(rows[0]?.n) / 1e6;
      if (size >= mb) return size;
      await client.query(
        `insert into events
         select i, timestamptz '2026-01-01' + i * interval '1 second', i % 100000,
                (array['view','click','buy','refund'])[1 + i % 4], (i % 100000) / 100.0,
                md5(i::text) || ' ' || md5((i * 31)::text) || ' ' || repeat(chr(97 + (i % 26)::int), 40)
         from generate_series($1::bigint, $2::bigint) i`,
        [next, next + batch - 1],
      );
      next += batch;
    }
  } finally {
    await client.end();
  }
}

/** `pg_dump -Fc > file`: pg_dump's stdout is the file itself. */
async function plainDump(url: string, file: string): Promise<SideResult> {
  const tools = await findTools(undefined);
  const conn = toolConnection(url);
  const fd = openSync(file, 'w');
  const started = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        join(tools.binDir, 'pg_dump'),
        ['-Fc', '--no-owner', '--no-privileges', `--dbname=${conn.dbname}`],
        {
          env: { ...process.env, ...conn.env },
          stdio: ['ignore', fd, 'inherit'],
        },
      );
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_dump exited ${code}`))));
    });
  } finally {
    closeSync(fd);
  }
  return { ms: performance.now() - started, bytes: statSync(file).size, maxRssMb: 0, baseRssMb: 0 };
}

function child(side: string, url: string, out: string): Promise<SideResult> {
  return new Promise((resolve, reject) => {
    // The child runs the way this file runs: compiled in dist/bench/, or through tsx (execArgv carries --import tsx).
    const proc = spawn(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, '--child', side], {
      env: { ...process.env, BENCH_PG_URL: url, BENCH_OUT: out },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    proc.stdout.on('data', (d) => {
      text += d;
    });
    proc.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(text) as SideResult) : reject(new Error(`${side} exited ${code}`)),
    );
  });
}

async function runSide(side: string, url: string, out: string): Promise<SideResult> {
  const baseRssMb = process.resourceUsage().maxRSS / 1024;
  const tmpDir = mkdtempSync(join(tmpdir(), 'upkeep-pg-bench-run-'));
  const started = performance.now();
  let bytes = 0;
  try {
    if (side === 'adapter') {
      const { stream, summary } = postgresAdapter.dump(url, { signal: new AbortController().signal, tmpDir });
      const hash = createHash('sha256');
      const tap = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          bytes += chunk.length;
          cb(null, chunk);
        },
      });
      await pipeline(stream, tap, createWriteStream(`${out}.pgdump`));
      await summary;
      hash.digest('hex');
      rmSync(`${out}.pgdump`, { force: true });
    } else {
      const identity = await generateX25519Identity();
      const record = await runBackup({
        adapter: postgresAdapter,
        url,
        source: { app: 'bench', database: 'main' },
        targets: [localTarget(out)],
        recipients: [await identityToRecipient(identity)],
        catalog: memoryCatalog(),
        clock: systemClock,
        logger: pino({ level: 'warn' }),
        tmpDir,
      });
      bytes = record.plaintextBytes ?? 0;
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  const ms = performance.now() - started;
  rmSync(out, { recursive: true, force: true });
  return { ms, bytes, maxRssMb: process.resourceUsage().maxRSS / 1024, baseRssMb };
}

function memoryCatalog(): BackupCatalog {
  const rows = new Map<string, BackupRecord>();
  return {
    insert: async (record) => {
      rows.set(record.id, record);
    },
    update: async (id, patch) => {
      const next = { ...(rows.get(id) as BackupRecord), ...patch };
      rows.set(id, next);
      return next;
    },
    updateCopy: async (id, target, patch) => {
      const record = rows.get(id) as BackupRecord;
      const next = { ...record, copies: record.copies.map((c) => (c.target === target ? { ...c, ...patch } : c)) };
      rows.set(id, next);
      return next;
    },
    addCopy: async (id, copy) => {
      const record = rows.get(id) as BackupRecord;
      const next = { ...record, copies: [...record.copies, copy] };
      rows.set(id, next);
      return next;
    },
    removeCopy: async (id, target) => {
      const record = rows.get(id) as BackupRecord;
      rows.set(id, { ...record, copies: record.copies.filter((c) => c.target !== target) });
    },
    get: async (id) => rows.get(id),
    list: async () => [...rows.values()],
    remove: async (id) => {
      rows.delete(id);
    },
  };
}
