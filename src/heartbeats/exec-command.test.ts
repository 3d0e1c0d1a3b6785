import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CliContext } from '../cli/command.js';
import { main } from '../cli/main.js';
import { captureContext } from '../cli/test-cli.js';
import { systemClock } from '../schedule/clock.js';
import { type PingHarness, startPingHarness } from './test-ping-server.js';

const execFileAsync = promisify(execFile);

const PLAN = 'version: 1\napps:\n  shop:\n    checks:\n      backup: { heartbeat: { every: 1d, grace: 1h } }\n';

describe('upkeep exec', () => {
  let h: PingHarness;
  let url: string;
  before(async () => {
    h = await startPingHarness(PLAN, systemClock);
    url = await h.url('shop/backup');
  });
  after(() => h.close());
  const pings = () => h.heartbeats.listPings({ unitId: 'shop/backup', limit: 10 });

  it('pings start, tees the output, pings the exit status with the output, and exits with the command code', async () => {
    const { ctx, out, err } = captureContext();
    const code = await main(['exec', url, '--', 'sh', '-c', 'echo dumped; echo "disk full" >&2; exit 3'], ctx);
    assert.equal(code, 3);
    assert.equal(out(), 'dumped\n');
    assert.equal(err(), 'disk full\n');
    const [end, start] = await pings();
    assert.equal(start?.kind, 'start');
    assert.equal(end?.kind, 'fail');
    assert.equal(end?.exitStatus, 3);
    assert.equal(end?.rid, start?.rid);
    assert.ok(end?.durationMs !== null && (end?.durationMs ?? -1) >= 0, 'rid pairing measured the run');
    assert.match(end?.body ?? '', /dumped\n[\s\S]*disk full/);
    assert.equal((await h.store.getUnit('shop/backup'))?.alert.state, 'firing');
  });

  it('finds the heartbeat by name in the store and reports success (exit 0)', async () => {
    const { ctx } = captureContext({ env: { UPKEEP_PUBLIC_URL: h.base } });
    const code = await main(['exec', 'backup', '--data-dir', h.dataDir as string, '--', 'true'], ctx);
    assert.equal(code, 0);
    const [end] = await pings();
    assert.equal(end?.kind, 'success');
    assert.equal(end?.exitStatus, 0);
    assert.equal((await h.store.getUnit('shop/backup'))?.alert.state, 'resolved');
  });

  it('a ping that fails never changes the exit code: it warns and the command still runs', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const { ctx, out, err } = captureContext();
    const code = await main(
      ['exec', `http://127.0.0.1:${port}/ping/abcdefghijklmnopqrstuvwx`, '--', 'sh', '-c', 'echo ran; exit 7'],
      ctx,
    );
    assert.equal(code, 7);
    assert.equal(out(), 'ran\n');
    assert.match(
      err(),
      /upkeep exec: warning: ping http:\/\/127\.0\.0\.1:\d+\/ping\/abcd…\/7\?rid=[0-9a-f-]+ failed: connect ECONNREFUSED/,
    );
  });

  it('a missing command exits 127 like a shell, and is reported as a failure', async () => {
    const { ctx, err } = captureContext();
    const code = await main(['exec', url, '--', '/nonexistent/backup.sh'], ctx);
    assert.equal(code, 127);
    assert.match(err(), /cannot run \/nonexistent\/backup\.sh/);
    const [end] = await pings();
    assert.equal(end?.exitStatus, 127);
  });

  it('works as a crontab line: a real process, exit code forwarded', async () => {
    const bin = fileURLToPath(new URL('../../bin/upkeep.js', import.meta.url));
    const result = await execFileAsync(process.execPath, [bin, 'exec', url, '--', 'sh', '-c', 'echo nightly; exit 0'], {
      encoding: 'utf8',
    });
    assert.equal(result.stdout, 'nightly\n');
    const failed = await execFileAsync(process.execPath, [bin, 'exec', url, '--', 'sh', '-c', 'exit 4']).catch(
      (e: { code: number }) => e,
    );
    assert.equal((failed as { code: number }).code, 4);
    assert.equal((await pings())[0]?.exitStatus, 4);
  });

  it('upkeep status --json shows the heartbeat token and ping URL', async () => {
    const { ctx, out } = captureContext({ env: { UPKEEP_PUBLIC_URL: h.base } });
    await main(['status', '--json', '--data-dir', h.dataDir as string], ctx);
    const { units } = JSON.parse(out()) as { units: { id: string; heartbeat?: { pingUrl: string } }[] };
    assert.equal(units.find((u) => u.id === 'shop/backup')?.heartbeat?.pingUrl, url);
  });

  it('without a command it is a usage error (exit 2)', async () => {
    const { ctx } = captureContext();
    assert.equal(await main(['exec', url], ctx as CliContext), 2);
  });
});
