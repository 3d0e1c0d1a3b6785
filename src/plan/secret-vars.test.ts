// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans reference the environment as ${VAR}.
/** Which environment values are secret (by name, by secretVars, by place), and how unit targets come out masked. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePlan } from './load-plan.js';
import { isSecretName, urlSecretSpans } from './secret-vars.js';

const plan = (checks: string, extra = '') => `version: 1\n${extra}apps:\n  shop:\n    checks:\n${checks}`;
const load = (text: string, env: Record<string, string>) => parsePlan(text, { file: 'upkeep.yml', env });
const secretValues = (text: string, env: Record<string, string>) =>
  load(text, env)
    .secrets.map((s) => `${s.name ?? '-'}=${s.value}`)
    .sort();

describe('secret variables', () => {
  it('a name part beginning or ending with a secret word makes a variable secret, in any case style', () => {
    for (const name of [
      'API_KEY',
      'apiKey',
      'DB_PASSWORD',
      'GITHUBTOKEN',
      'x-auth',
      'SENTRY_DSN',
      'Slack.Webhook_URL',
      'PRIVATE_PEM',
      'session',
      'PWD',
      'OAUTH_CREDENTIALS',
      'COOKIE_SECRET',
    ]) {
      assert.equal(isSecretName(name), true, name);
    }
    for (const name of ['HOST', 'PORT', 'API_URL', 'REGION', 'SHOP_DOMAIN', 'BASE']) {
      assert.equal(isSecretName(name), false, name);
    }
  });

  it('secret by name, by secretVars, by place (notify, headers), and by being URL userinfo or a query value', () => {
    const checks = [
      '      a: { http: "https://${HOST}/a?k=${K}", every: 1m }',
      '      b: { http: "https://u:${PW_X}@${HOST}/b/${HOOK_TOKEN}", every: 1m }',
      '      c: { http: "https://${HOST}/c", headers: { X-Trace: "${TRACE}" }, every: 1m }',
      '      d: { http: "${HEALTH_URL}", every: 1m }',
      '      e: { http: "https://${HOST}/${STRIPE_ID}", every: 1m }',
    ].join('\n');
    const extra = 'secretVars: [STRIPE_ID]\nnotify:\n  hook: { type: webhook, url: "${ALERT_URL}" }\n';
    const env = {
      HOST: 'shop.example',
      K: 'kval-1111',
      PW_X: 'pwval-2222',
      HOOK_TOKEN: 'tokval-3333',
      TRACE: 'trace-4444',
      HEALTH_URL: 'https://shop.example/d?sig=sigval-5555&page=1',
      STRIPE_ID: 'acct-6666',
      ALERT_URL: 'http://127.0.0.1:9/hook',
    };
    assert.deepEqual(secretValues(plan(`${checks}\n`, extra), env), [
      '-=sigval-5555',
      'ALERT_URL=http://127.0.0.1:9/hook',
      'HOOK_TOKEN=tokval-3333',
      'K=kval-1111',
      'PW_X=pwval-2222',
      'STRIPE_ID=acct-6666',
      'TRACE=trace-4444',
    ]);
  });

  it('unit targets keep host and path, with secrets and query values masked', () => {
    const text = plan(
      '      a: { http: "http://user:${PW}@api.example:8080/hooks/${TOKEN}/health?k=${API}&page=2", every: 1m }\n',
    );
    const loaded = load(text, { PW: 'pa55=w+rd', TOKEN: 'tok-abcdef', API: 'api-123456' });
    assert.equal(loaded.units[0]?.target, 'GET http://user:***@api.example:8080/hooks/${TOKEN}/health?k=***&page=***');
    assert.equal(loaded.units[0]?.secrets, loaded.secrets);
  });

  it('channel credentials written into the plan are secret too: secret fields, header values and URLs', () => {
    const extra = [
      'notify:',
      '  tg: { type: telegram, botToken: "123456:literal-bot-token", chatId: "42" }',
      '  hook: { type: webhook, url: "https://hooks.example/in/literal-path-key", headers: { Authorization: "Bearer literal-hdr" } }',
      '  mail: { type: email, smtp: "smtp://u:literal-smtp-pw@mail.example:587", from: a@example.com, to: b@example.com }',
      '',
    ].join('\n');
    const values = load(plan('      a: { http: "https://h.example/", every: 1m }\n', extra), {}).secrets.map(
      (s) => s.value,
    );
    assert.deepEqual(values.sort(), [
      '123456:literal-bot-token',
      'Bearer literal-hdr',
      'https://hooks.example/in/literal-path-key',
      'smtp://u:literal-smtp-pw@mail.example:587',
    ]);
  });

  it('a default written in the plan is not from the environment and is not a secret', () => {
    assert.deepEqual(secretValues(plan('      a: { http: "https://h.example/${SEG:-open}", every: 1m }\n'), {}), []);
  });

  it('secretVars must be variable names', () => {
    assert.throws(
      () => load(plan('      a: { http: "https://h.example/", every: 1m }\n', 'secretVars: ["NOT-A-NAME"]\n'), {}),
      /upkeep.yml:2:14: expected an environment variable name/,
    );
  });

  it('URL spans: userinfo and each query value, by offset in the text', () => {
    const text = 'https://u:p@h/x?a=1&b=&c#f';
    assert.deepEqual(
      urlSecretSpans(text).map(([from, to]) => text.slice(from, to)),
      ['u:p', '1', 'c'],
    );
    assert.deepEqual(urlSecretSpans('not a url'), []);
  });
});
