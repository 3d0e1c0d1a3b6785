/**
 * `npm run bench:status -- [--units 20] [--days 90] [--seconds 10] [--warmup 2] [--connections 50]`: requests/s of
 * GET /status/<app> served from upkeep's render cache, on loopback. upkeep's real web server and SQLite store run
 * in this process, with a status page showing `--units` units that each have `--days` days of recorded runs (so
 * the day roll-ups behind the 90 bars are real); autocannon runs in a second process (bench/status-load.mjs).
 * Target (issue 8): >= 2,000 requests/s.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { initialAlertState } from '../src/alerts/transition.js';
import { packageFile } from '../src/package-root.js';
import { parsePlan } from '../src/plan/load-plan.js';
import { createStore } from '../src/runs/kysely-store.js';
import { unitDefinition } from '../src/schedule/unit-definition.js';
import { buildServer } from '../src/web/server.js';

const { values } = parseArgs({
  options: {
    units: { type: 'string', default: '20' },
    days: { type: 'string', default: '90' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
  },
});
const n = Number(values.units);
const days = Number(values.days);
const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'upkeep-status-bench-'));
const logger = pino({ level: 'warn' });
const store = createStore({ dataDir: dir });
await store.migrate();
const lines = ['version: 1', 'apps:', '  shop:', '    checks:'];
for (let i = 0; i < n; i++) lines.push(`      check${i}: { http: "https://shop.example/${i}" }`);
lines.push(
  `    status: { title: "Shop", show: { ${Array.from({ length: n }, (_, i) => `check${i}: "Service ${i}"`).join(', ')} } }`,
);
const plan = parsePlan(`${lines.join('\n')}\n`, { file: 'bench.yml', env: {} });
const now = Date.now();
await store.syncUnits(plan.units.map(unitDefinition), () => now + DAY);

// One run per unit per day, through the store's own claim and record path, so the day roll-ups are the real ones.
for (let d = days - 1; d >= 0; d--) {
  const at = now - d * DAY;
  for (const unit of plan.units) await store.setNextRunAt(unit.id, at);
  const claims = await store.claimDue({
    now: at,
    limit: n,
    worker: 'bench',
    leaseMs: () => 60_000,
    nextRunAt: () => at + DAY,
  });
  for (const claim of claims) {
    const outcome = (d + claim.unitId.length) % 17 === 0 ? 'critical' : 'ok';
    await store.recordRun(
      {
        unitId: claim.unitId,
        startedAt: at,
        endedAt: at + 120,
        outcome,
        summary: outcome,
        durationMs: 120,
        details: {},
        values: { responseTimeMs: 110 },
        worker: 'bench',
      },
      { ...initialAlertState(at), lastSummary: outcome },
      null,
    );
  }
}

const server = buildServer({
  store,
  plan: () => plan,
  logger,
  now: () => Date.now(),
  version: 'bench',
});
const base = await server.listen({ host: '127.0.0.1', port: 0 });
const url = `${base}/status/shop`;
const first = await fetch(url);
const page = await first.text();
if (first.status !== 200 || (page.match(/<li class="bar /g)?.length ?? 0) !== n * 90) {
  throw new Error(`the status page is not what the bench means to measure (HTTP ${first.status})`);
}

async function load(seconds: number): Promise<LoadResult> {
  const child = spawn(
    process.execPath,
    [packageFile('bench/status-load.mjs'), url, String(seconds), String(values.connections)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
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
  rps: number;
  latency: { p50: number; p99: number; max: number };
  bytes: number;
}

log(
  `${n} shown units × ${days} days of runs; page ${Math.round(page.length / 1024)} KiB; ${values.connections} connections`,
);
if (Number(values.warmup) > 0) await load(Number(values.warmup));
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const result = await load(Number(values.seconds));
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const cpuPct = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
log(
  `requests/s ${Math.round(result.rps)}  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  max ${result.latency.max} ms`,
);
log(
  `answered 200: ${result.ok}  non-2xx: ${result.non2xx}  errors: ${result.errors}; upkeep CPU ${cpuPct.toFixed(0)} % of one core`,
);
const verdict = result.rps >= 2_000 && result.non2xx === 0 && result.errors === 0 ? 'met' : 'MISSED';
log(
  `| ${new Date().toISOString().slice(0, 10)} | ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node} | ${n} | ${values.connections} | ${Math.round(result.rps).toLocaleString('en')} | ${result.latency.p50} / ${result.latency.p99} ms | ${cpuPct.toFixed(0)} % | ${verdict} |`,
);
await server.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
process.exit(result.non2xx === 0 && result.errors === 0 ? 0 : 1);

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}
