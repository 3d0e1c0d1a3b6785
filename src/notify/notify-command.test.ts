import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../cli/test-cli.js';
import { type Receiver, startReceiver } from './channels/test-support.js';

let receiver: Receiver;
let dir: string;

before(async () => {
  receiver = await startReceiver();
  dir = mkdtempSync(join(tmpdir(), 'upkeep-notify-'));
  writeFileSync(
    join(dir, 'upkeep.yml'),
    [
      'version: 1',
      'notify:',
      '  ops-hook: { type: webhook, url: "${HOOK_URL}/hook", secret: "${HOOK_SECRET}" }',
      '  team-slack: { type: slack, webhook: "${HOOK_URL}/services/T0123ABCD/B0456EFGH/Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2" }',
      'apps:',
      '  shop:',
      '    checks:',
      '      api-health: { http: "http://127.0.0.1:9/health" }',
      '',
    ].join('\n'),
  );
});
after(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI in-process and captures its output. */
function cli(args: string[]) {
  return runCli(args, {
    env: { HOOK_URL: receiver.base, HOOK_SECRET: 'whsec-cli-0123', UPKEEP_PUBLIC_URL: 'https://upkeep.example' },
    cwd: dir,
  });
}

describe('upkeep notify', () => {
  it('test <channel> sends a test message and says so (exit 0)', async () => {
    receiver.requests.length = 0;
    receiver.reply = { status: 200, body: 'ok' };
    const r = await cli(['notify', 'test', 'ops-hook']);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /^✓ ops-hook \(webhook to 127\.0\.0\.1:\d+ \(signed\)\): test message sent \(HTTP 200\) in \d+ms\n$/,
    );
    const [req] = receiver.requests;
    assert.ok(req);
    assert.equal(req.url, '/hook');
    assert.match(String(req.headers['x-upkeep-signature']), /^sha256=[0-9a-f]{64}$/);
    const body = JSON.parse(req.body);
    assert.equal(body.event, 'test');
    assert.equal(body.version, 1);
    assert.equal(body.url, 'https://upkeep.example');
  });

  it('--json reports the result', async () => {
    receiver.reply = { status: 204, body: '' };
    const r = await cli(['notify', 'test', 'team-slack', '--json']);
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out);
    assert.equal(json.ok, true);
    assert.equal(json.status, 204);
    assert.equal(json.type, 'slack');
    assert.match(json.destination, /^Slack webhook on 127\.0\.0\.1:\d+$/);
    receiver.reply = { status: 200, body: 'ok' };
  });

  it('a refused message exits 1 and says it is permanent, without the webhook secret', async () => {
    receiver.reply = { status: 404, body: 'no_service' };
    const r = await cli(['notify', 'test', 'team-slack']);
    assert.equal(r.code, 1);
    assert.match(r.out, /✗ team-slack .*: Slack answered HTTP 404: no_service; check the URL/);
    assert.match(r.out, /permanent: fix the channel in the plan/);
    assert.ok(!r.out.includes('Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2'));
    const json = JSON.parse((await cli(['notify', 'test', 'team-slack', '--json'])).out);
    assert.deepEqual([json.ok, json.permanent, json.status], [false, true, 404]);
    receiver.reply = { status: 200, body: 'ok' };
  });

  it('a receiver that is down for now exits 1 and says a retry would help', async () => {
    receiver.reply = { status: 503, body: 'maintenance' };
    const r = await cli(['notify', 'test', 'ops-hook']);
    assert.equal(r.code, 1);
    assert.match(r.out, /the webhook answered HTTP 503: maintenance; it will be retried\n {2}\(transient/);
    receiver.reply = { status: 200, body: 'ok' };
  });

  it('a typo in the channel name is a usage error with the nearest name (exit 2)', async () => {
    const r = await cli(['notify', 'test', 'team-slak']);
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /no channel "team-slak" under "notify" in the plan \(did you mean "team-slack"\?\); channels: ops-hook, team-slack/,
    );
  });

  it('usage errors exit 2: no channel, an unknown action, a bad timeout', async () => {
    assert.equal((await cli(['notify'])).code, 2);
    assert.equal((await cli(['notify', 'test'])).code, 2);
    assert.equal((await cli(['notify', 'send', 'ops-hook'])).code, 2);
    const r = await cli(['notify', 'test', 'ops-hook', '--timeout', 'soon']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--timeout expects a duration/);
  });

  it('list shows each channel with a redacted destination', async () => {
    const r = await cli(['notify', 'list']);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /^CHANNEL\s+TYPE\s+DESTINATION\nops-hook\s+webhook\s+webhook to 127\.0\.0\.1:\d+ \(signed\)\nteam-slack\s+slack\s+Slack webhook on 127\.0\.0\.1:\d+\n$/,
    );
    assert.ok(!r.out.includes('whsec-cli-0123'));
    const json = JSON.parse((await cli(['notify', 'list', '--json'])).out);
    assert.deepEqual(
      json.map((c: { channel: string }) => c.channel),
      ['ops-hook', 'team-slack'],
    );
  });
});
