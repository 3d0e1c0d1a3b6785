import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parsePlan } from '../plan/load-plan.js';
import { diffUnits } from './plan-reload.js';
import { advanceUntil, type ControlHarness, harnessPlan, startControlHarness, T0 } from './test-control.js';

/** The blog app of the harness plan: its key and every line indented under it. */
const BLOG_APP = / {2}blog:\n(?: {4}.*(?:\n|$))*/;

const units = (text: string) =>
  parsePlan(text, { file: 'upkeep.yml', env: { HOOK_URL: 'http://127.0.0.1:9', TARGET_URL: 'http://127.0.0.1:9' } })
    .units;

describe('diffUnits', () => {
  it('names added, removed and changed units; an unchanged unit is in none', () => {
    const before = units(harnessPlan());
    const after = units(
      harnessPlan().replace('/web", every: 1m', '/web2", every: 1m').replace(BLOG_APP, '') +
        '\n  extra:\n    checks:\n      new: { tcp: "127.0.0.1:1", every: 5m }\n',
    );
    assert.deepEqual(diffUnits(before, after), { added: ['extra/new'], removed: ['blog/home'], changed: ['shop/web'] });
    assert.deepEqual(diffUnits(before, before), { added: [], removed: [], changed: [] });
  });
});

// Reloading a running upkeep through the API: what changed takes effect, history stays, a broken plan is refused.
describe('POST /api/plan/reload', () => {
  let h: ControlHarness;
  before(async () => {
    h = await startControlHarness();
    await advanceUntil(
      h,
      async () => (await h.unit('shop/api')).lastRunAt !== null && (await h.unit('blog/home')).lastRunAt !== null,
    );
  });
  after(() => h.close());

  it('applies added, removed and changed units, new channels and maintenance windows; history stays', async () => {
    const runsBefore = (await h.api('GET', '/api/units/shop/api/runs', undefined, 'viewer')).body.length;
    assert.ok(runsBefore > 0);
    const changed = harnessPlan()
      .replace('/web", every: 1m', '/web2", every: 1m')
      .replace(
        '  hook: { type: webhook, url: "${HOOK_URL}/hook" }',
        '  hook: { type: webhook, url: "${HOOK_URL}/hook" }\n  hook2: { type: webhook, url: "${HOOK_URL}/hook2" }',
      )
      .replace(BLOG_APP, '  extra:\n    checks:\n      new: { http: "${TARGET_URL}/new", every: 1m, timeout: 2s }');
    const window = `maintenance: [ { apps: [extra], from: "${new Date(T0).toISOString()}", to: "${new Date(T0 + 86_400_000).toISOString()}" } ]\n`;
    writeFileSync(h.planPath, `${changed}\n${window}`);
    const res = await h.api('POST', '/api/plan/reload');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { ok: true, added: ['extra/new'], removed: ['blog/home'], changed: ['shop/web'] });

    assert.equal((await h.api('GET', '/api/units/blog/home', undefined, 'viewer')).status, 404, 'removed');
    const kept = (await h.api('GET', '/api/units/shop/api/runs', undefined, 'viewer')).body.length;
    assert.ok(kept >= runsBefore, 'history kept for an unchanged unit');
    // The changed unit probes its new target; the added one runs, inside the plan's new maintenance window.
    h.status.set('/web2', 503);
    h.status.set('/new', 503);
    await advanceUntil(h, async () => (await h.unit('shop/web')).state === 'firing');
    await advanceUntil(h, async () => (await h.unit('extra/new')).state === 'maintenance');
    // The notifier has the new plan: its new channel answers a test send.
    const test = await h.api('POST', '/api/channels/hook2/test');
    assert.equal(test.status, 200);
    assert.ok(h.receiver.requests.some((r) => r.url === '/hook2'));
    const plan = await h.api('GET', '/api/plan', undefined, 'viewer');
    assert.equal(plan.body.path, h.planPath);
    assert.equal(plan.body.lastReload.ok, true);
  });

  it('refuses a plan with errors with its file:line:col issues, and the running plan stays', async () => {
    const good = (await h.api('GET', '/api/units', undefined, 'viewer')).body.map((u: { id: string }) => u.id);
    writeFileSync(
      h.planPath,
      harnessPlan().replace('every: 1m, timeout: 2s, alert', 'every: sometimes, timeout: 2s, alert'),
    );
    const res = await h.api('POST', '/api/plan/reload');
    assert.equal(res.status, 422);
    assert.equal(res.body.code, 'plan_invalid');
    assert.match(res.body.error, /not reloaded.*running plan stays/);
    const issue = res.body.issues[0];
    assert.equal(issue.file, h.planPath);
    assert.equal(issue.line, 8);
    assert.ok(issue.column > 1);
    assert.match(issue.message, /not a duration \(found sometimes/);
    const plan = await h.api('GET', '/api/plan', undefined, 'viewer');
    assert.equal(plan.body.lastReload.ok, false);
    assert.equal(plan.body.lastReload.issues[0].line, 8);
    assert.deepEqual(
      (await h.api('GET', '/api/units', undefined, 'viewer')).body.map((u: { id: string }) => u.id),
      good,
    );
    // Still running the old plan: units keep running.
    const last = (await h.unit('shop/api')).lastRunAt as number;
    await advanceUntil(h, async () => ((await h.unit('shop/api')).lastRunAt as number) > last);
  });
});
