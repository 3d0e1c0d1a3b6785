import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { planJsonSchema } from '../../plan/json-schema.js';
import { PlanError, parsePlan } from '../../plan/load-plan.js';
import { ChannelError, type ChannelKind } from '../channel.js';
import { channelKeys } from './channel-schema.js';
import { channelKinds, findChannelKind, resolveChannel, sendToChannel } from './registry.js';
import { FIRING, type Receiver, sendContext, startReceiver } from './test-support.js';

const plan = (notify: string) =>
  [
    'version: 1',
    'notify:',
    notify,
    'apps:',
    '  shop:',
    '    checks:',
    '      h: { http: "http://127.0.0.1/x" }',
    '',
  ].join('\n');

function planIssues(text: string, env: Record<string, string> = {}) {
  try {
    parsePlan(text, { file: 'upkeep.yml', env });
  } catch (error) {
    if (error instanceof PlanError) return error.format();
    throw error;
  }
  return '';
}

describe('channel registry', () => {
  it("has the twelve channels, each with a unique type matching its schema's `type` literal", () => {
    assert.deepEqual(
      channelKinds.map((k) => k.type),
      [
        'webhook',
        'slack',
        'discord',
        'teams',
        'telegram',
        'ntfy',
        'gotify',
        'pushover',
        'pagerduty',
        'opsgenie',
        'matrix',
        'email',
      ],
    );
    for (const kind of channelKinds) {
      assert.ok(kind.schema instanceof z.ZodObject, `${kind.type}: schema must be an object`);
      assert.ok(channelKeys(kind).includes('type'));
      assert.equal(kind.schema.safeParse({ type: 'other' }).success, false);
      assert.ok(kind.description.length > 10);
    }
    assert.equal(findChannelKind('slack'), channelKinds[1]);
    assert.equal(findChannelKind('slak'), undefined);
  });

  it('resolveChannel applies defaults and refuses unknown types with a suggestion, permanently', () => {
    const resolved = resolveChannel('phone', { type: 'ntfy', topic: 'abc' });
    assert.equal((resolved.config as { server: string }).server, 'https://ntfy.sh');
    assert.throws(
      () => resolveChannel('team', { type: 'slak', webhook: 'https://x.example' }),
      (e) =>
        e instanceof ChannelError && e.permanent && /unknown type "slak" \(did you mean "slack"\?\)/.test(e.message),
    );
    assert.throws(
      () => resolveChannel('team', { type: 'slack', webhook: 'ftp://x.example/services/T0123ABCD/SECRET99' }),
      (e) =>
        e instanceof ChannelError &&
        e.permanent &&
        /not valid at: webhook/.test(e.message) &&
        !e.message.includes('SECRET99'),
    );
  });

  it('sendToChannel turns a channel bug into a transient ChannelError that blames upkeep', async () => {
    const buggy: ChannelKind<{ type: string }, string> = {
      type: 'buggy',
      description: 'throws',
      schema: z.strictObject({ type: z.literal('buggy') }),
      render: () => 'x',
      send: async () => {
        throw new TypeError('cannot read x of undefined');
      },
      describe: () => 'buggy',
    };
    const channel = resolveChannel('b', { type: 'buggy' }, [buggy as ChannelKind<unknown, unknown>]);
    await assert.rejects(sendToChannel(channel, FIRING, sendContext()), (e) => {
      assert.ok(e instanceof ChannelError);
      assert.equal(e.permanent, false);
      assert.match(e.message, /upkeep's buggy channel failed internally/);
      return true;
    });
  });

  it('sendToChannel renders and delivers through the channel', async () => {
    const receiver: Receiver = await startReceiver();
    try {
      const channel = resolveChannel('hook', { type: 'webhook', url: `${receiver.base}/h` });
      const result = await sendToChannel(channel, FIRING, sendContext());
      assert.equal(result.status, 200);
      assert.equal(JSON.parse(receiver.requests[0]?.body ?? '{}').dedupKey, FIRING.dedupKey);
    } finally {
      await receiver.close();
    }
  });
});

describe('notify: entries in the plan', () => {
  it('accepts every channel type with its own keys', () => {
    const text = plan(
      [
        '  hook: { type: webhook, url: "https://example.com/h", secret: "${HOOK_SECRET}" }',
        '  team: { type: slack, webhook: "${SLACK_WEBHOOK_URL}" }',
        '  mail: { type: email, smtp: "smtp://u:p@mail.example.com:587", from: a@example.com, to: [b@example.com] }',
      ].join('\n'),
    );
    assert.equal(
      planIssues(text, { HOOK_SECRET: 'x', SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/A/B/C' }),
      '',
    );
  });

  it('an unknown type lists the known ones and suggests the nearest', () => {
    assert.equal(
      planIssues(plan('  team: { type: slak, webhook: "https://x.example" }')),
      'upkeep.yml:3:17: unknown channel type "slak" (found slak, expected one of: webhook, slack, discord, teams, telegram, ntfy, gotify, pushover, pagerduty, opsgenie, matrix, email; did you mean "slack"?)',
    );
  });

  it('an unknown key names the channel type, its keys and the nearest one', () => {
    assert.equal(
      planIssues(plan('  team: { type: slack, webhok: "https://x.example" }')),
      [
        'upkeep.yml:3:3: missing key "webhook" (expected text)',
        'upkeep.yml:3:32: unknown key "webhok" for a slack channel (found "https://x.example", expected one of: type, webhook, channel, username; did you mean "webhook"?)',
      ].join('\n'),
    );
  });

  it("the channel's own rules apply: a missing key, a bad URL, emergency without retry", () => {
    const issues = planIssues(
      plan(
        [
          '  pager: { type: pagerduty }',
          '  phone: { type: pushover, token: t, user: u, priority: { critical: 2 } }',
          '  mail: { type: email, smtp: "http://mail.example.com", from: a@example.com, to: b@example.com }',
        ].join('\n'),
      ),
    );
    assert.match(issues, /upkeep\.yml:3:3: missing key "routingKey"/);
    assert.match(issues, /upkeep\.yml:4:3: priority 2 \(emergency\) needs "retry" and "expire"/);
    assert.match(issues, /upkeep\.yml:5:30: expected an SMTP URL/);
  });

  it('a secret value never appears in a channel error', () => {
    const issues = planIssues(plan('  team: { type: slack, webhook: "${SLACK_WEBHOOK_URL}", extra: 1 }'), {
      SLACK_WEBHOOK_URL: 'ftp://hooks.slack.com/services/T0123ABCD/B0456/VERYSECRET',
    });
    assert.match(issues, /unknown key "extra"/);
    assert.ok(!issues.includes('VERYSECRET'), issues);
  });

  it('a missing `to` reads as a missing key, and `from` may be left out', () => {
    assert.equal(
      planIssues(plan('  mail: { type: email, smtp: "smtp://mail.example.com" }')),
      'upkeep.yml:3:3: missing key "to"',
    );
  });

  it('the JSON Schema offers editors every channel type with its keys', () => {
    const schema = planJsonSchema() as {
      properties: {
        notify: { additionalProperties: { anyOf: { title: string; properties: Record<string, unknown> }[] } };
      };
    };
    const variants = schema.properties.notify.additionalProperties.anyOf;
    assert.deepEqual(
      variants.map((v) => v.title),
      channelKinds.map((k) => `${k.type} channel`),
    );
    assert.ok('routingKey' in (variants[8]?.properties ?? {}));
  });
});
