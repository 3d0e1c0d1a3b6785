/**
 * `npm run bench:pings -- [--heartbeats 100] [--seconds 10] [--warmup 3] [--connections 100] [--window 2]`: ping
 * ingest on loopback. upkeep's real web server, heartbeat service (group commit) and SQLite store run in this
 * process; autocannon runs in a second process (bench/ping-load.mjs). Prints pings/s, latency p50/p99, and checks
 * that every 200 answered is a stored ping, and the upkeep process's CPU time per stored ping (the number to compare
 * on a shared machine). Target (issue 3): >= 10,000 pings/s with p99 < 50 ms on 2 cores.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { HeartbeatService } from '../src/heartbeats/heartbeat-service.js';
import { HeartbeatStore } from '../src/heartbeats/heartbeat-store.js';
import { packageFile } from '../src/package-root.js';
import { parsePlan } from '../src/plan/load-plan.js';
import { createStore } from '../src/runs/kysely-store.js';
import { systemClock } from '../src/schedule/clock.js';
import { unitDefinition } from '../src/schedule/unit-definition.js';
import { startWalCheckpointer } from '../src/store/wal-checkpointer.js';
import { buildServer } from '../src/web/server.js';

const { values } = parseArgs({
  options: {
    heartbeats: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '100' },
    window: { type: 'string', default: '2' },
  },
});
const n = Number(values.heartbeats);
const dir = mkdtempSync(join(tmpdir(), 'upkeep-pings-bench-'));
const logger = pino({ level: 'warn' });
const store = createStore({ dataDir: dir });
await store.migrate();
const lines = ['version: 1', 'apps:', '  bench:', '    checks:'];
for (let i = 0; i < n; i++) lines.push(`      job${i}: { heartbeat: { every: 1h, grace: 5m } }`);
const { units } = parsePlan(`${lines.join('\n')}\n`, { file: 'bench.yml', env: {} });
await store.syncUnits(units.map(unitDefinition), () => systemClock.now());
const heartbeats = new HeartbeatStore(store.database);
const service = new HeartbeatService({
  store: heartbeats,
  units,
  clock: systemClock,
  logger,
  worker: 'bench',
  inMaintenance: () => false,
  batchWindowMs: Number(values.window),
});
await service.sync();
// As `upkeep start` does (src/app.ts): WAL checkpoints on a worker thread, off the event loop.
const checkpointer = startWalCheckpointer(store.database, { logger });
const server = buildServer({ store, logger, now: () => Date.now(), version: 'bench', heartbeats: service });
const base = await server.listen({ host: '127.0.0.1', port: 0 });
const tokens = [...(await heartbeats.tokens()).values()];

async function load(seconds: number): Promise<LoadResult> {
  const child = spawn(
    process.execPath,
    [
      packageFile('bench/ping-load.mjs'), // plain JavaScript: run from the sources, also when this file is compiled
      base,
      String(seconds),
      String(values.connections),
      ...tokens,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  await new Promise((resolve) => child.once('exit', resolve));
  return JSON.parse(out) as LoadResult;
}

interface LoadResult {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  rps: number;
  latency: { p50: number; p90: number; p99: number; max: number };
  seconds: number;
}

async function storedPings(): Promise<number> {
  const row = await store.database.db
    .withTables<{ heartbeat_pings: { id: number } }>()
    .selectFrom('heartbeat_pings')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

log(`${n} heartbeats, ${values.connections} connections, group-commit window ${values.window} ms`);
if (Number(values.warmup) > 0) await load(Number(values.warmup));
await service.close();
const before = await storedPings();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const result = await load(Number(values.seconds));
const wallMs = performance.now() - t0;
await service.close();
const cpu = process.cpuUsage(cpu0);
const stored = (await storedPings()) - before;
const cpuPct = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
// Throughput on a shared machine swings with the neighbours' load; CPU time per stored ping barely does, so it is
// the number to compare between versions.
const cpuPerPing = stored > 0 ? (cpu.user + cpu.system) / stored : 0;

log(
  `pings/s ${Math.round(result.rps)}  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  max ${result.latency.max} ms`,
);
log(
  `answered 200: ${result.ok}  stored: ${stored} (>= answered: ${stored >= result.ok})  non-2xx: ${result.non2xx}  errors: ${result.errors}`,
);
log(
  `upkeep process CPU: ${cpuPct.toFixed(0)} % of one core, ${cpuPerPing.toFixed(1)} µs per stored ping; RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB`,
);
const verdict =
  result.rps >= 10_000 && result.latency.p99 < 50 && stored >= result.ok && result.errors === 0 ? 'met' : 'MISSED';
const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
log(
  `| ${new Date().toISOString().slice(0, 10)} | ${cpus().length} × ${cpuModel}, Node ${process.versions.node} | ${n} | ${values.connections} | ${Math.round(result.rps).toLocaleString('en')} | ${result.latency.p50} / ${result.latency.p99} ms | ${result.ok.toLocaleString('en')} / ${stored.toLocaleString('en')} | ${cpuPct.toFixed(0)} % | ${cpuPerPing.toFixed(0)} µs | ${verdict} |`,
);
await server.close();
await checkpointer?.stop();
await store.close();
rmSync(dir, { recursive: true, force: true });
// Every 200 must be a stored ping; a few more are stored than counted (in flight when autocannon stopped).
process.exit(stored >= result.ok ? 0 : 1);

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}
