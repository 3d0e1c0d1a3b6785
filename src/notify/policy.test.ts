import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parsePlan } from '../plan/load-plan.js';
import { channelsFor, notifyPolicies } from './policy.js';

const plan = (text: string) => parsePlan(text, { file: 'upkeep.yml', env: {} }).plan;

const BASE = `version: 1
notify:
  mail: { type: webhook, url: http://127.0.0.1:9/mail }
  chat: { type: webhook, url: http://127.0.0.1:9/chat }
  pager: { type: webhook, url: http://127.0.0.1:9/pager }
routes: { critical: [pager, mail], warning: [chat] }
`;

it('routes by severity, and a check’s own notify: replaces the routes for every severity', () => {
  const policies = notifyPolicies(
    plan(`${BASE}apps:
  shop:
    checks:
      api: { http: http://127.0.0.1:1/ }
      cron: { http: http://127.0.0.1:1/c, notify: [chat] }
      quiet: { http: http://127.0.0.1:1/q, notify: [] }
`),
  );
  const api = policies.get('shop/api');
  const cron = policies.get('shop/cron');
  const quiet = policies.get('shop/quiet');
  assert.ok(api && cron && quiet);
  assert.deepEqual(
    (['critical', 'warning', 'info'] as const).map((s) => [
      channelsFor(api, s),
      channelsFor(cron, s),
      channelsFor(quiet, s),
    ]),
    [
      [['pager', 'mail'], ['chat'], []],
      [['chat'], ['chat'], []],
      [[], ['chat'], []],
    ],
  );
  assert.deepEqual(channelsFor(api, null), []);
});

it('defaults: no reminders, recovery on, flapping 4 within 1h; alerts: and a check override them', () => {
  const policies = notifyPolicies(
    plan(`${BASE}alerts: { renotify: 2h, flapping: { changes: 6, within: 30m } }
apps:
  shop:
    checks:
      api: { http: http://127.0.0.1:1/ }
      db: { http: http://127.0.0.1:1/d, renotify: false, recovery: false, flapping: false }
      web: { http: http://127.0.0.1:1/w, flapping: { changes: 2 } }
`),
  );
  const pick = (id: string) => {
    const p = policies.get(id);
    assert.ok(p);
    return { renotifyMs: p.renotifyMs, recovery: p.recovery, flapping: p.flapping };
  };
  assert.deepEqual(pick('shop/api'), {
    renotifyMs: 7_200_000,
    recovery: true,
    flapping: { changes: 6, withinMs: 1_800_000 },
  });
  assert.deepEqual(pick('shop/db'), { renotifyMs: null, recovery: false, flapping: null });
  assert.deepEqual(pick('shop/web'), {
    renotifyMs: 7_200_000,
    recovery: true,
    flapping: { changes: 2, withinMs: 3_600_000 },
  });
  const plain = notifyPolicies(plan(`${BASE}apps: { shop: { checks: { api: { http: http://127.0.0.1:1/ } } } }\n`));
  const p = plain.get('shop/api');
  assert.deepEqual(p && { r: p.renotifyMs, rec: p.recovery, f: p.flapping }, {
    r: null,
    rec: true,
    f: { changes: 4, withinMs: 3_600_000 },
  });
});

it('a check naming a channel notify: does not define is a plan error at its line, with a suggestion', () => {
  assert.throws(
    () => plan(`${BASE}apps:\n  shop:\n    checks:\n      api: { http: http://127.0.0.1:1/, notify: [chta] }\n`),
    (err: Error) => {
      assert.match(
        err.message,
        /upkeep\.yml:10:50: check names channel "chta", which "notify" does not define \(.*did you mean "chat"\?\)/,
      );
      return true;
    },
  );
  assert.throws(
    () => plan(`${BASE}apps:\n  shop:\n    checks:\n      api: { http: http://127.0.0.1:1/, renotify: 10 }\n`),
    /upkeep\.yml:10:/,
  );
});
