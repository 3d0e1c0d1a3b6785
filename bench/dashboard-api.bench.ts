/**
 * `npm run bench:dashboard -- --units N`: the read side at scale. Synthesises N http checks with a year of
 * roll-ups (SQLite), serves them with upkeep's real HTTP server, then measures:
 *   p95 of /api/overview, one unit's /api/units/:app/:name, its uptime, /api/apps/:app and the 30-day chart data
 *   (history?grain=hour), against < 50 ms;
 *   the CPU this process spends on 50 open SSE streams (half overview, half unit pages; the clients run in a child
 *   process) while 167 runs/s are recorded through the store and the live hub, against < 5 % of one core
 *   (CPU with the streams minus CPU of the same load without them).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { AlertState } from '../src/core/alert-state.js';
import { createStore, type KyselyStore } from '../src/runs/kysely-store.js';
import { LiveHub } from '../src/web/live/hub.js';
import { recordedChanges } from '../src/web/live/producers.js';
import { buildServer } from '../src/web/server.js';
import { authHeaders } from '../src/web/test-auth.js';
import { synthesise } from './dashboard-data.js';

const { values } = parseArgs({
  options: {
    units: { type: 'string', default: '10000' },
    'per-app': { type: 'string', default: '100' },
    samples: { type: 'string', default: '200' },
    clients: { type: 'string', default: '50' },
    rate: { type: 'string', default: '167' },
    seconds: { type: 'string', default: '30' },
  },
});
const units = Number(values.units);
const perApp = Number(values['per-app']);
const samples = Number(values.samples);
const clients = Number(values.clients);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const NOW = Date.now();
const HOUR = 3_600_000;

const dir = mkdtempSync(join(tmpdir(), 'upkeep-bench-dash-'));
const store = createStore({ dataDir: dir });
await store.migrate();
const genStart = performance.now();
const { ids, rollupRows } = await synthesise(store, { units, perApp, now: NOW });
const genMs = performance.now() - genStart;
const bytes = await store.sizeBytes();
console.log(
  `synthesised ${units.toLocaleString()} checks in ${Math.ceil(units / perApp)} apps: ${rollupRows.toLocaleString()} roll-up rows, ` +
    `${(bytes / 1e6).toFixed(0)} MB, in ${(genMs / 1000).toFixed(1)} s`,
);

const hub = new LiveHub();
const server = buildServer({
  store,
  logger: pino({ level: 'silent' }),
  now: () => Date.now(),
  version: 'bench',
  changes: hub,
  maintenance: () => [],
});
const base = await server.listen({ host: '127.0.0.1', port: 0 });
const headers = await authHeaders(store.database, 'viewer');

/** Sequential requests of `path()`, returning p50/p95/max ms and the answer size. */
async function measure(name: string, path: () => string) {
  const times: number[] = [];
  let size = 0;
  for (let i = 0; i < samples + 10; i++) {
    const started = performance.now();
    const res = await fetch(`${base}${path()}`, { headers });
    const body = await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path()}: HTTP ${res.status} ${Buffer.from(body).toString()}`);
    if (i >= 10) times.push(performance.now() - started); // the first 10 warm up
    size = body.byteLength;
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
  const row = { name, p50: q(0.5), p95: q(0.95), max: q(1), bytes: size };
  console.log(
    `${name.padEnd(34)} p50 ${row.p50.toFixed(1).padStart(6)} ms  p95 ${row.p95.toFixed(1).padStart(6)} ms  ` +
      `max ${row.max.toFixed(1).padStart(6)} ms  ${size.toLocaleString()} B  ${row.p95 < 50 ? 'met' : 'MISSED'} (< 50 ms)`,
  );
  return row;
}

const pick = () => ids[Math.floor(Math.random() * ids.length)] as string;
const coldStart = performance.now();
await fetch(`${base}/api/overview`, { headers }).then((r) => r.arrayBuffer());
console.log(
  `/api/overview, first call after start (the summary is read from the store while starting): ${(performance.now() - coldStart).toFixed(0)} ms`,
);
const rows = [
  await measure('GET /api/overview', () => '/api/overview'),
  await measure('GET /api/units/:app/:name', () => `/api/units/${pick()}`),
  await measure('GET /api/units/:app/:name/uptime', () => `/api/units/${pick()}/uptime`),
  await measure('GET /api/units/:app/:name/runs', () => `/api/units/${pick()}/runs?limit=50`),
  await measure(`GET /api/apps/:app (${perApp} units)`, () => `/api/apps/${pick().split('/')[0]}`),
  await measure('GET history?grain=hour, 30 days', () => {
    return `/api/units/${pick()}/history?grain=hour&from=${NOW - 30 * 24 * HOUR}&to=${NOW}`;
  }),
];

// --- live: 167 runs/s recorded through the store and the hub, without and then with 50 open streams ---
let recorded = 0;
let stateChanges = 0;
const alertOf = (state: 'ok' | 'pending'): AlertState => ({
  state,
  since: Date.now(),
  consecutiveFailures: state === 'ok' ? 0 : 1,
  consecutiveSuccesses: state === 'ok' ? 1 : 0,
  lastSummary: 'HTTP 200',
});
const pending = new Set<string>();

async function recordOne(s: KyselyStore, id: string): Promise<void> {
  s.database.sqlite
    ?.prepare("update units set running_since = ?, running_by = 'bench' where id = ?")
    .run(Date.now(), id);
  const at = Date.now();
  const run = { unitId: id, startedAt: at, endedAt: at + 90, outcome: 'ok' as const, summary: 'HTTP 200 in 90ms' };
  const full = { ...run, durationMs: 90, details: {}, values: { responseTimeMs: 90 }, worker: 'bench' };
  // One run in a hundred changes its unit's state (ok ↔ pending): what reaches the overview.
  const flip = recorded % 100 === 0;
  const from: 'ok' | 'pending' = pending.has(id) ? 'pending' : 'ok';
  const to: 'ok' | 'pending' = flip ? (from === 'ok' ? 'pending' : 'ok') : from;
  if (to === 'pending') pending.add(id);
  else pending.delete(id);
  const change = flip ? { from, to, reason: 'bench flip', inMaintenance: false, at } : null;
  const transition = change ? { unitId: id, ...change } : null;
  await s.recordRun(full, alertOf(to), transition);
  const [app = ''] = id.split('/');
  for (const c of recordedChanges({ id, app, kind: 'http' }, full, change)) hub.publish(c);
  recorded++;
  if (flip) stateChanges++;
}

/** Records `rate` runs a second for `secs` seconds; returns this process's CPU time (ms) and the wall time. */
async function load(secs: number, unitPool: string[]): Promise<{ cpuMs: number; wallMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let done = 0;
  while (performance.now() - t0 < secs * 1000) {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate);
    while (done < due) await recordOne(store, unitPool[done++ % unitPool.length] as string);
    await new Promise((r) => setTimeout(r, 5));
  }
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - t0 };
}

const watched = ids.slice(0, Math.floor(clients / 2));
// Every watched unit runs in the load, so unit pages see runs at their own unit's pace.
const pool = [...watched, ...ids.slice(watched.length, watched.length + 2_000)];
const childFile = new URL(import.meta.url.endsWith('.ts') ? './sse-clients.ts' : './sse-clients.js', import.meta.url);

/** The load with the streams open (clients in a child process): CPU, wall time and what the clients received. */
async function loadWithStreams(secs: number) {
  const config = { url: base, headers, overview: clients - watched.length, units: watched };
  const child = spawn(process.execPath, [...process.execArgv, childFile.pathname, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const nextLine = () => new Promise<string>((resolve) => lines.once('line', resolve));
  const ready = await nextLine();
  if (ready !== 'ready') throw new Error(`sse clients: ${ready}`);
  const before = { recorded, stateChanges };
  const result = await load(secs, pool);
  const resultLine = nextLine();
  child.kill('SIGTERM');
  const received = JSON.parse(await resultLine) as Record<'overview' | 'unit', { streams: number; events: number }>;
  return { ...result, received, runs: recorded - before.recorded, states: stateChanges - before.stateChanges };
}

const pct = (l: { cpuMs: number; wallMs: number }) => (100 * l.cpuMs) / l.wallMs;
await load(3, pool); // warm-up
// Alternating rounds, so a neighbour's burst on a shared machine does not land on one side only.
const rounds: { baseline: number; streams: number; last: Awaited<ReturnType<typeof loadWithStreams>> }[] = [];
for (let round = 0; round < 2; round++) {
  const baseline = pct(await load(seconds, pool));
  const last = await loadWithStreams(seconds);
  rounds.push({ baseline, streams: pct(last), last });
  console.log(
    `  round ${round + 1}: CPU without streams ${baseline.toFixed(1)} %, with ${pct(last).toFixed(1)} % of one core`,
  );
}
const overhead = rounds.reduce((sum, r) => sum + r.streams - r.baseline, 0) / rounds.length;
const last = rounds.at(-1)?.last as Awaited<ReturnType<typeof loadWithStreams>>;
const wallS = last.wallMs / 1000;
const { received } = last;
const overviewPerS = received.overview.events / Math.max(1, received.overview.streams) / wallS;
console.log(
  `live: ${(last.runs / wallS).toFixed(0)} runs/s recorded (${last.states} state changes in ${wallS.toFixed(0)} s), ` +
    `${received.overview.streams} overview + ${received.unit.streams} unit-page streams`,
);
console.log(
  `  overhead of the streams: ${overhead.toFixed(2)} % of one core  ${overhead < 5 ? 'met' : 'MISSED'} (< 5 %)`,
);
console.log(
  `  an overview stream received ${overviewPerS.toFixed(2)} messages/s; a unit stream ` +
    `${(received.unit.events / Math.max(1, received.unit.streams) / wallS).toFixed(2)} messages/s`,
);
console.log(`\nmachine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
console.log(JSON.stringify({ units, rollupRows, storeBytes: bytes, genMs, rows, overheadPct: overhead, overviewPerS }));

await server.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
