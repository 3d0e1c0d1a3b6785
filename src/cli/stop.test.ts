/** Stopping `upkeep start` as a real process: prompt when idle, honest about runs cut short, at once when asked twice. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createStore } from '../runs/kysely-store.js';
import { authHeadersFor } from '../web/test-auth.js';
import { eventually, spawnUpkeep, type UpkeepProcess } from './test-process.js';

let target: Server;
let base: string;
const held = new Set<ServerResponse>();
let root: string;

before(async () => {
  // `/hang` never answers: a run against it stays in flight until its timeout or a stop.
  target = createServer((req, res) => {
    if (req.url === '/hang') held.add(res);
    else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end('ok'), 1_500);
    else res.writeHead(200).end('ok');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  root = mkdtempSync(join(tmpdir(), 'upkeep-stop-'));
});
after(() => {
  for (const res of held) res.destroy();
  target.closeAllConnections();
  target.close();
  rmSync(root, { recursive: true, force: true });
});

let planNo = 0;
/** A fresh plan and data dir; `checks` are the plan's check lines for app `shop`. */
function setup(checks: string[]): { plan: string; dataDir: string } {
  const dir = join(root, String(++planNo));
  const plan = `${dir}.yml`;
  writeFileSync(
    plan,
    ['version: 1', 'apps:', '  shop:', '    checks:', ...checks.map((c) => `      ${c}`), ''].join('\n'),
  );
  return { plan, dataDir: dir };
}

// A run starts within the check's period after start (the first-run spread) and then hangs for 4.5 s.
const HANG = 'hang: { http: "${TARGET}/hang", every: 5s, timeout: 4500ms }';

/** The API token of the upkeep under test (its store exists once it prints the API line). */
let auth: Record<string, string> = {};

async function started(proc: UpkeepProcess, dataDir?: string): Promise<string> {
  const [, url] = await proc.waitFor(/API\s+(http:\/\/\S+)\/api\/units/);
  if (dataDir) auth = await authHeadersFor({ dataDir }, 'viewer');
  return url as string;
}

async function whenRunning(url: string, unit = 'shop/hang'): Promise<void> {
  await eventually(async () => {
    const units = (await (await fetch(`${url}/api/units`, { headers: auth })).json()) as {
      id: string;
      running: boolean;
    }[];
    return units.some((u) => u.id === unit && u.running);
  }, 15_000);
}

/** Sends `signal` and resolves with the exit and how long it took. */
async function stop(proc: UpkeepProcess, signal: NodeJS.Signals) {
  const sentAt = performance.now();
  proc.child.kill(signal);
  const exit = await proc.exited;
  return { ...exit, ms: performance.now() - sentAt };
}

describe('stopping upkeep start (a real process)', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} with nothing in flight: exits 0 within 1 s`, async () => {
      const { plan, dataDir } = setup(['nightly: { heartbeat: { every: 1h, grace: 5m } }']);
      const proc = spawnUpkeep(['start', plan, '--data-dir', dataDir, '--port', '0']);
      try {
        await started(proc);
        const { code, ms } = await stop(proc, signal);
        assert.equal(code, 0, proc.stderr());
        assert.ok(ms < 1_000, `exited ${Math.round(ms)} ms after ${signal}`);
        assert.match(proc.stdout(), /stopped: 0 in-flight run\(s\) finished, 0 recorded as abandoned/);
      } finally {
        if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
      }
    });
  }

  it('with a run in flight: waits the grace period, records the run abandoned as upkeep’s own stop, exits', async () => {
    const { plan, dataDir } = setup([HANG]);
    // The grace period from the environment; a flag would win over it.
    const proc = spawnUpkeep(['start', '--plan', plan, '--data-dir', dataDir, '--port', '0'], {
      TARGET: base,
      UPKEEP_STOP_GRACE: '1s',
    });
    try {
      await whenRunning(await started(proc, dataDir));
      const { code, ms } = await stop(proc, 'SIGTERM');
      assert.equal(code, 0, proc.stderr());
      assert.ok(ms >= 1_000, `waited the grace period (${Math.round(ms)} ms)`);
      assert.ok(ms < 3_000, `then stopped promptly, before the run's own timeout (${Math.round(ms)} ms)`);
      assert.match(proc.stdout(), /1 in-flight run\(s\) get 1s to finish/);
      assert.match(proc.stdout(), /0 in-flight run\(s\) finished, 1 recorded as abandoned \(shop\/hang\)/);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
    // The durable record: an abandoned run that blames upkeep's stop, and no alert against the target.
    const store = createStore({ dataDir });
    try {
      const [run] = await store.listRuns({ unitId: 'shop/hang', limit: 5 });
      assert.equal(run?.outcome, 'abandoned');
      assert.match(run?.summary ?? '', /stopped before the run finished/);
      const unit = await store.getUnit('shop/hang');
      assert.equal(unit?.alert.state, 'ok', 'upkeep stopping is not the target being down');
      assert.equal(unit?.runningSince, null);
    } finally {
      await store.close();
    }
  });

  it('a run that finishes within the grace period is recorded as it finished, not abandoned', async () => {
    const { plan, dataDir } = setup(['slow: { http: "${TARGET}/slow", every: 5s, timeout: 4s }']);
    const proc = spawnUpkeep(['start', plan, '--data-dir', dataDir, '--port', '0', '--grace', '5s'], {
      TARGET: base,
    });
    try {
      await whenRunning(await started(proc, dataDir), 'shop/slow');
      const { code, ms } = await stop(proc, 'SIGINT');
      assert.equal(code, 0);
      assert.ok(ms < 3_000, `stopped once the run finished (${Math.round(ms)} ms)`);
      assert.match(proc.stdout(), /stopped: 1 in-flight run\(s\) finished, 0 recorded as abandoned/);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
    const store = createStore({ dataDir });
    try {
      const [run] = await store.listRuns({ unitId: 'shop/slow', limit: 1 });
      assert.equal(run?.outcome, 'ok');
    } finally {
      await store.close();
    }
  });

  it('a second signal exits at once, without waiting out the grace period', async () => {
    const { plan, dataDir } = setup([HANG]);
    const proc = spawnUpkeep(['start', plan, '--data-dir', dataDir, '--port', '0', '--grace', '30s'], {
      TARGET: base,
    });
    try {
      await whenRunning(await started(proc, dataDir));
      proc.child.kill('SIGTERM');
      await proc.waitFor(/get 30s to finish \(a second signal exits at once\)/);
      const { code, signal, ms } = await stop(proc, 'SIGINT');
      assert.equal(signal, null);
      assert.equal(code, 130);
      assert.ok(ms < 1_000, `exited ${Math.round(ms)} ms after the second signal`);
      assert.match(proc.stderr(), /SIGINT again: exiting now without waiting for in-flight runs/);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
  });

  it('a bad grace period is a usage error naming where it came from', async () => {
    const { plan, dataDir } = setup([]);
    const proc = spawnUpkeep(['start', plan, '--data-dir', dataDir, '--port', '0'], { UPKEEP_STOP_GRACE: 'soon' });
    const { code } = await proc.exited;
    assert.equal(code, 2);
    assert.match(proc.stderr(), /UPKEEP_STOP_GRACE takes a duration such as 8s or 500ms, not "soon"/);
    const twice = spawnUpkeep(['start', plan, '--data-dir', dataDir, '--grace', '1s', '--drain', '2s']);
    assert.equal((await twice.exited).code, 2);
    assert.match(twice.stderr(), /give the grace period once: --drain is the older name of --grace/);
  });
});
