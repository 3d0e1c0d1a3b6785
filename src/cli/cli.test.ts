import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { commandLoaders } from './main.js';
import { runCli } from './test-cli.js';

let target: Server;
let base: string;
let dir: string;

before(async () => {
  target = createServer((req, res) => {
    if (req.url === '/down') res.writeHead(503).end('{"status":"error"}');
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","database":"connected"}');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'upkeep-cli-'));
  writeFileSync(
    join(dir, 'upkeep.yml'),
    [
      'version: 1',
      'apps:',
      '  shop:',
      '    checks:',
      '      api-health: { http: "${TARGET}/health", every: 1m, expect: { body: { status: ok } } }',
      '      broken: { http: "${TARGET}/down", every: 5m }',
      '',
    ].join('\n'),
  );
});
after(() => {
  target.closeAllConnections();
  target.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI in-process and captures its output. */
function cli(args: string[], env: Record<string, string> = {}) {
  return runCli(args, { env: { TARGET: base, ...env }, cwd: dir });
}

describe('upkeep CLI', () => {
  it('help lists every command with its summary; an unknown one is exit 2 with the list', async () => {
    const help = await cli(['help']);
    assert.equal(help.code, 0);
    const width = Math.max(...Object.keys(commandLoaders).map((name) => name.length));
    for (const [name, load] of Object.entries(commandLoaders)) {
      const command = await load();
      assert.equal(command.name, name, 'each loader loads the command of its own name');
      assert.ok(help.out.includes(`  ${name.padEnd(width)}  ${command.summary}`), `help lists ${name}`);
    }
    const unknown = await cli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown command "frobnicate"[\s\S]*Commands:/);
  });

  it('check validates the plan and lists units with next run times', async () => {
    const r = await cli(['check']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /is valid: 1 app\(s\), 2 check\(s\)/);
    assert.match(r.out, /shop\/api-health\s+http\s+GET http:\/\/127\.0\.0\.1:\d+\/health\s+every 1m\s+in \d+s/);
    const json = JSON.parse((await cli(['check', '--json'])).out);
    assert.equal(json.valid, true);
    assert.deepEqual(
      json.units.map((u: { id: string }) => u.id),
      ['shop/api-health', 'shop/broken'],
    );
  });

  it('check exits 2 with file:line:col for a bad plan, and names a missing variable', async () => {
    writeFileSync(
      join(dir, 'bad.yml'),
      'version: 1\napps:\n  shop:\n    checks:\n      x: { http: "${NOPE}/h", evry: 1m }\n',
    );
    const r = await cli(['check', '--plan', 'bad.yml'], {});
    assert.equal(r.code, 2);
    assert.match(r.err, /bad\.yml:5:\d+: .*NOPE/);
    assert.match(r.err, /evry/);
  });

  it('a missing plan points to upkeep init', async () => {
    const r = await cli(['check', '--plan', 'nowhere.yml']);
    assert.equal(r.code, 2);
    assert.match(r.err, /no plan at .*nowhere\.yml: write one with `upkeep init`/);
  });

  it('run prints the verdict and exits 0 when the check passes, 1 when it fails', async () => {
    const ok = await cli(['run', 'api-health']);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /shop\/api-health/);
    assert.match(ok.out, /^OK\s/m);
    const bad = await cli(['run', 'shop/broken', '--json']);
    assert.equal(bad.code, 1);
    const json = JSON.parse(bad.out);
    assert.equal(json.verdict.outcome, 'critical');
    assert.equal(json.observation.facts.status, 503);
  });

  it('run rejects an unknown unit with a suggestion', async () => {
    const r = await cli(['run', 'api-helth']);
    assert.equal(r.code, 2);
    assert.match(r.err, /api-health/);
  });

  it('status on an empty store says how to start, and --json lists units', async () => {
    const r = await cli(['status', '--data-dir', 'empty-data']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /No units recorded yet/);
    const j = await cli(['status', '--data-dir', 'empty-data', '--json']);
    assert.deepEqual(JSON.parse(j.out), { units: [], overrides: [] });
  });

  it('unknown commands and options are usage errors (exit 2)', async () => {
    assert.equal((await cli(['frobnicate'])).code, 2);
    const r = await cli(['check', '--bogus']);
    assert.equal(r.code, 2);
    assert.match(r.err, /bogus/);
  });

  it('schema prints a JSON Schema that names the check kinds', async () => {
    const r = await cli(['schema']);
    assert.equal(r.code, 0);
    const text = r.out;
    assert.ok(JSON.parse(text));
    for (const kind of ['http', 'tcp', 'tls']) assert.ok(text.includes(`"${kind}"`), kind);
  });

  it('init writes a plan from package.json and .env names without copying values, and refuses to overwrite', async () => {
    const app = mkdtempSync(join(dir, 'app-'));
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'chat', dependencies: { express: '4', mongoose: '8' } }),
    );
    writeFileSync(
      join(app, '.env'),
      'MONGODB_URI=mongodb+srv://user:hunter2@x.mongodb.net/chat\nJWT_SECRET=s3cr3t-value\n',
    );
    const r = await cli(['init', '--plan', join(app, 'upkeep.yml')]);
    assert.equal(r.code, 0, r.err);
    const text = readFileSync(join(app, 'upkeep.yml'), 'utf8');
    assert.match(text, /\$\{MONGODB_URI\}/);
    assert.ok(!text.includes('hunter2') && !text.includes('s3cr3t-value'), 'no secret values copied');
    const again = await cli(['init', '--plan', join(app, 'upkeep.yml')]);
    assert.equal(again.code, 2);
    assert.match(again.err, /exists; pass --force/);
  });
});

describe('upkeep start', () => {
  it('says which port is taken instead of crashing', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = String((blocker.address() as AddressInfo).port);
    try {
      const r = await cli(['start', '--port', port, '--data-dir', 'busy-data']);
      assert.equal(r.code, 2);
      assert.match(r.err, new RegExp(`port ${port} is already in use: pass --port`));
    } finally {
      blocker.close();
    }
  });
});
