// biome-ignore-all lint/suspicious/noTemplateCurlyInString: masked values are shown as the plan's ${VAR} references.
/**
 * No secret ever leaves, end to end: distinct secrets planted in userinfo, a query parameter named `k`, a path
 * segment, a request header, a request body and a channel URL, then every CLI output (`--json` too), every API
 * answer of `upkeep start`, its logs, the alert it sent, every channel's rendering of that alert and the store's
 * files (SQLite database, -wal, -shm) or tables (PostgreSQL) are searched for them, raw and encoded.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AlertMessage } from '../notify/channel.js';
import { startReceiver } from '../notify/channels/test-support.js';
import { freshPostgresDatabase, postgresSkipReason } from '../store/test-database.js';
import { authHeadersFor } from '../web/test-auth.js';
import { runCli } from './test-cli.js';
import { eventually, spawnUpkeep } from './test-process.js';
import {
  assertNoSecret,
  dataDirFiles,
  dumpPostgres,
  expectedTarget,
  renderEveryChannel,
  secretsEnv,
  secretsPlan,
  startEchoTarget,
} from './test-secrets.js';

/** The API answers of a running upkeep that could show a unit, a run, an alert or a channel. */
const API_PATHS = [
  '/api/units',
  '/api/apps',
  '/api/units/shop/api',
  '/api/units/shop/api/runs',
  '/api/units/shop/api/history?grain=minute',
  '/api/transitions',
  '/api/notifications',
  '/api/deliveries',
  '/api/channels',
];

interface Scenario {
  plan: string;
  env: Record<string, string>;
  /** Where the target listens (`127.0.0.1:port`). */
  target: string;
  dataDir: string;
}

/** `upkeep check` and `upkeep run`, text and --json: nothing secret, and the target still identifiable. */
async function checkAndRun(s: Scenario): Promise<void> {
  const opts = { env: s.env };
  const checkJson = await runCli(['check', '--plan', s.plan, '--json'], opts);
  assert.equal(checkJson.code, 0, checkJson.err);
  assert.equal(JSON.parse(checkJson.out).units[0].target, expectedTarget(s.target));
  const checkText = await runCli(['check', '--plan', s.plan], opts);
  assert.match(checkText.out, /POST http:\/\/user:\*\*\*@127\.0\.0\.1:\d+\/hooks\/\$\{TOKEN\}\/health\?k=\*\*\*/);

  const runJson = await runCli(['run', 'shop/api', '--plan', s.plan, '--json'], opts);
  assert.equal(runJson.code, 1, runJson.err);
  const shown = JSON.parse(runJson.out);
  assert.equal(shown.target, expectedTarget(s.target));
  // The final URL after the redirect still says where the check went, with its secrets masked (userinfo went
  // into the Authorization header).
  assert.equal(shown.observation.facts.finalUrl, `http://${s.target}/hooks/\${TOKEN}/final?k=***`);
  assert.equal(shown.observation.facts.json.seen.header, '${APP_HEADER}', 'the echoed header is masked by name');
  assert.match(shown.verdict.summary, /503/);
  const runText = await runCli(['run', 'shop/api', '--plan', s.plan], opts);
  assert.equal(runText.code, 1, runText.err);
  const notifyJson = await runCli(['notify', 'list', '--plan', s.plan, '--json'], opts);
  assert.equal(notifyJson.code, 0, notifyJson.err);
  const notifyText = await runCli(['notify', 'list', '--plan', s.plan], opts);
  for (const [place, out] of [
    ['upkeep notify list --json', notifyJson],
    ['upkeep notify list', notifyText],
    ['upkeep check --json', checkJson],
    ['upkeep check', checkText],
    ['upkeep run --json', runJson],
    ['upkeep run', runText],
  ] as const) {
    assertNoSecret(`${place} (stdout)`, out.out);
    assertNoSecret(`${place} (stderr)`, out.err);
  }
}

/** `upkeep start` as a process until its alert reached the webhook; searches its API, logs and the alert. */
async function startAndAlert(s: Scenario, storeEnv: Record<string, string>, onRunning: () => Promise<void>) {
  const receiver = await startReceiver();
  const env = { ...s.env, RECEIVER: receiver.base.replace('http://', ''), ...storeEnv };
  writeFileSync(s.plan, secretsPlan()); // same plan; the receiver's port is known now
  const proc = spawnUpkeep(['start', '--plan', s.plan, '--data-dir', s.dataDir, '--port', '0'], {
    ...env,
    UPKEEP_LOG_LEVEL: 'debug',
    UPKEEP_VERBOSE: '1',
  });
  try {
    const [, url] = await proc.waitFor(/API\s+(http:\/\/\S+)\/api\/units/);
    const headers = await authHeadersFor({ dataDir: s.dataDir, databaseUrl: storeEnv.UPKEEP_DATABASE_URL }, 'operator');
    const sent = await eventually(async () => receiver.requests.find((r) => r.url.includes('/alerts/')), 20_000);
    // The channel's own URL is where the alert goes; its body and headers must not hold any secret.
    assertNoSecret('the webhook body', sent.body);
    assertNoSecret('the webhook headers', JSON.stringify(sent.headers));
    const message = JSON.parse(sent.body) as AlertMessage & { version: number };
    assert.equal(message.event, 'firing');
    assert.equal(message.target, expectedTarget(s.target));
    for (const { type, text } of renderEveryChannel(message)) assertNoSecret(`the ${type} channel's message`, text);

    await eventually(
      async () => (await fetch(`${url}/api/notifications`, { headers }).then((r) => r.json())).length > 0,
    );
    for (const path of API_PATHS) {
      const res = await fetch(`${url}${path}`, { headers });
      assert.equal(res.status, 200, path);
      assertNoSecret(`GET ${path}`, await res.text());
    }
    const runs = (await fetch(`${url}/api/units/shop/api/runs`, { headers }).then((r) => r.json())) as {
      details: { facts: { finalUrl: string } };
    }[];
    assert.equal(runs[0]?.details.facts.finalUrl, `http://${s.target}/hooks/\${TOKEN}/final?k=***`);
    const unit = await fetch(`${url}/api/units/shop/api`, { headers }).then((r) => r.json());
    assert.equal(unit.target, expectedTarget(s.target));
    assert.equal(unit.state, 'firing');
    await onRunning();
  } finally {
    proc.child.kill('SIGTERM');
    await proc.exited;
    await receiver.close();
  }
  assertNoSecret('upkeep start (stdout)', proc.stdout());
  assertNoSecret('upkeep start (logs on stderr)', proc.stderr());
  assert.match(proc.stdout(), /shop\/api {2}(ok|pending) → firing/, 'the transition was printed (masked)');
  // Debug logging was on, so the search covered more than nothing.
  assert.ok(proc.stderr().length > 0, 'upkeep start logged something');
  return env;
}

/** `upkeep status` (text and --json) after the stop, from the same store. */
async function status(s: Scenario, env: Record<string, string>): Promise<void> {
  const json = await runCli(['status', '--data-dir', s.dataDir, '--json'], { env });
  assert.equal(JSON.parse(json.out).units[0].target, expectedTarget(s.target), json.err);
  const text = await runCli(['status', '--data-dir', s.dataDir], { env });
  for (const [place, out] of [
    ['upkeep status --json', json],
    ['upkeep status', text],
  ] as const) {
    assertNoSecret(`${place} (stdout)`, out.out);
    assertNoSecret(`${place} (stderr)`, out.err);
  }
}

async function withScenario(fn: (s: Scenario) => Promise<void>): Promise<void> {
  const target = await startEchoTarget();
  const dir = mkdtempSync(join(tmpdir(), 'upkeep-secrets-'));
  const plan = join(dir, 'upkeep.yml');
  writeFileSync(plan, secretsPlan());
  const env = secretsEnv(target.base, '127.0.0.1:9');
  try {
    await fn({ plan, env, target: target.base, dataDir: join(dir, 'data') });
    assert.ok(target.hits() > 0, 'the check reached the target');
  } finally {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('secrets never leave (end to end)', () => {
  it('SQLite: CLI, API, logs, the alert, every channel rendering, and the database, WAL and SHM files', async () => {
    await withScenario(async (s) => {
      await checkAndRun(s);
      const searchFiles = (when: string) => {
        const files = dataDirFiles(s.dataDir);
        assert.ok(files.some((f) => f.name === 'upkeep.db'));
        for (const { name, text } of files) assertNoSecret(`${name} (${when})`, text);
        return files.map((f) => f.name);
      };
      let running: string[] = [];
      const env = await startAndAlert(s, {}, async () => {
        running = searchFiles('while running');
      });
      assert.ok(running.includes('upkeep.db-wal'), `the WAL was searched while running: ${running.join(', ')}`);
      await status(s, env);
      searchFiles('after the stop');
    });
  });

  it('PostgreSQL: CLI, API, logs, the alert, and every row of every table', {
    skip: postgresSkipReason(),
  }, async () => {
    const database = await freshPostgresDatabase();
    try {
      await withScenario(async (s) => {
        await checkAndRun(s);
        const storeEnv = { UPKEEP_DATABASE_URL: database.url };
        const env = await startAndAlert(s, storeEnv, async () => {});
        await status(s, env);
        const tables = await dumpPostgres(database.url);
        assert.ok(
          tables.some((t) => t.table.endsWith('"runs"') && t.text.length > 0),
          'runs were stored',
        );
        for (const { table, text } of tables) assertNoSecret(`PostgreSQL table ${table}`, text);
      });
    } finally {
      await database.drop();
    }
  });
});
