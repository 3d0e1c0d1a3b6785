/**
 * `npm run bench:checks -- --checks N [--seconds S] [--warmup S]`: N http checks every 60s against a local target
 * (in a child process), run by upkeep's real scheduler and SQLite store in this process. Prints achieved checks/s,
 * due→start lag p50/p99, CPU % of one core and RSS of this process, and store bytes per 1M results.
 * Target (issue 2): 10,000 checks with p99 lag < 1s, < 50 % of one core, RSS < 300 MB.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createApp } from '../src/app.js';

const { values } = parseArgs({
  options: {
    checks: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '150' },
    warmup: { type: 'string', default: '60' },
    every: { type: 'string', default: '60s' },
  },
});
const checks = Number(values.checks);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);

// The target runs the way this file runs: compiled beside it in dist/bench/, or as TypeScript through tsx.
const targetFile = new URL(
  import.meta.url.endsWith('.ts') ? './target-server.ts' : './target-server.js',
  import.meta.url,
);
const target = spawn(process.execPath, [...process.execArgv, targetFile.pathname], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const port = await new Promise<number>((resolve) => {
  createInterface({ input: target.stdout }).once('line', (line) => resolve(Number(line)));
});

const dir = mkdtempSync(join(tmpdir(), 'upkeep-bench-'));
const lines = ['version: 1', 'apps:', '  bench:', '    checks:'];
for (let i = 0; i < checks; i++) {
  lines.push(
    `      c${i}: { http: "http://127.0.0.1:${port}/health?i=${i}", every: ${values.every}, expect: { status: 200, body: { status: ok } } }`,
  );
}
writeFileSync(join(dir, 'upkeep.yml'), `${lines.join('\n')}\n`);

const loadStart = performance.now();
const app = await createApp({
  planPath: join(dir, 'upkeep.yml'),
  env: {},
  dataDir: join(dir, 'data'),
  host: '127.0.0.1',
  port: 0,
  logger: pino({ level: 'warn' }),
});
const loadMs = performance.now() - loadStart;
await app.start();
log(`loaded ${checks} checks in ${(loadMs / 1000).toFixed(1)}s; warming up ${warmup}s, measuring ${seconds}s`);

await sleep(warmup * 1000);
app.scheduler.lag.reset();
const runs0 = app.scheduler.status().runs;
const bytes0 = await app.store.sizeBytes();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let peakRss = 0;
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 500);

await sleep(seconds * 1000);

const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
clearInterval(rssTimer);
const status = app.scheduler.status();
const runs = status.runs - runs0;
const bytes = (await app.store.sizeBytes()) - bytes0;
const result = {
  checks,
  every: values.every,
  measuredSeconds: Math.round(elapsed),
  checksPerSecond: Number((runs / elapsed).toFixed(1)),
  expectedPerSecond: Number((checks / 60).toFixed(1)),
  lagP50Ms: Math.round(status.lagP50Ms),
  lagP99Ms: Math.round(status.lagP99Ms),
  cpuPercentOfOneCore: Number((((cpu.user + cpu.system) / 1e6 / elapsed) * 100).toFixed(1)),
  peakRssMB: Math.round(peakRss / 1048576),
  storeBytesPer1MResults: runs > 0 ? Math.round((bytes / runs) * 1e6) : null,
  machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
  date: new Date().toISOString().slice(0, 10),
};
console.log(JSON.stringify(result, null, 2));

await app.stop(5_000);
target.kill();
rmSync(dir, { recursive: true, force: true });

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}
function log(text: string) {
  process.stderr.write(`bench: ${text}\n`);
}
