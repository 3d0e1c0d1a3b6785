import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlanError, parsePlan } from './load-plan.js';

const plan = (status: string, extra = '') => `version: 1
apps:
  shop:
    checks:
      api-health: { http: https://shop.example/health }
      nightly-backup: { heartbeat: { every: 1d, grace: 1h } }
    databases:
      main: { postgres: postgres://u@db.example/shop, backup: { schedule: daily 02:00, to: file:./b } }
    status: ${status}
${extra}`;

const issuesOf = (text: string) => {
  try {
    parsePlan(text, { file: 'upkeep.yml', env: {} });
  } catch (error) {
    assert.ok(error instanceof PlanError);
    return error.issues;
  }
  assert.fail('the plan was accepted');
};

describe('plan: apps.<app>.status and metrics', () => {
  it('reads the contract spelling: title and show by unit name, and metrics.public', () => {
    const loaded = parsePlan(
      plan(
        '{ title: "Shop", show: { api-health: "API", nightly-backup: "Backups", main.backup: "DB" } }',
        'metrics: { public: true }',
      ),
      { file: 'upkeep.yml', env: {} },
    );
    assert.deepEqual(loaded.plan.apps.shop?.status, {
      title: 'Shop',
      show: { 'api-health': 'API', 'nightly-backup': 'Backups', 'main.backup': 'DB' },
    });
    assert.deepEqual(loaded.plan.metrics, { public: true });
  });

  it('metrics.public defaults to false', () => {
    const loaded = parsePlan(plan('{ title: "Shop", show: {} }'), { file: 'upkeep.yml', env: {} });
    assert.deepEqual(loaded.plan.metrics, { public: false });
  });

  it('an unknown unit is refused at its line and column, naming it and listing the valid ones', () => {
    const [issue, ...rest] = issuesOf(plan('{ title: "Shop", show: { api-helth: "API" } }'));
    assert.equal(rest.length, 0);
    const line = plan('{ title: "Shop", show: { api-helth: "API" } }').split('\n')[8] ?? '';
    assert.equal(issue?.line, 9);
    assert.equal(issue?.column, line.indexOf('api-helth') + 1);
    assert.match(issue?.message ?? '', /unit "api-helth", which app "shop" does not have/);
    assert.match(
      issue?.expected ?? '',
      /one of: api-health, nightly-backup, main\.backup, main\.drill, main\.freshness/,
    );
    assert.equal(issue?.suggestion, 'api-health');
  });

  it('an empty or duplicate public name is refused', () => {
    const empty = issuesOf(plan('{ title: "Shop", show: { api-health: " " } }'));
    assert.equal(empty.length, 1);
    assert.equal(empty[0]?.path, 'apps.shop.status.show.api-health');
    assert.equal(empty[0]?.expected, 'at least 1 character');
    const twice = issuesOf(plan('{ title: "Shop", show: { api-health: "API", nightly-backup: "api" } }'));
    assert.equal(twice.length, 1);
    assert.match(twice[0]?.message ?? '', /public name "api" is used twice \(also by "api-health"\)/);
  });

  it('unknown keys and a missing title are refused', () => {
    const issues = issuesOf(plan('{ show: { api-health: "API" }, color: red }'));
    const text = issues.map((i) => `${i.path}: ${i.message}`).join('\n');
    assert.match(text, /status/);
    assert.ok(issues.length >= 2, text);
  });
});
