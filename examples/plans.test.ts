import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadPlan, PlanError } from '../src/plan/load-plan.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const plansDir = join(here, 'plans');
const examples = [
  join(here, 'demo.yml'),
  ...readdirSync(plansDir)
    .sort()
    .map((dir) => join(plansDir, dir, 'upkeep.yml')),
];

/** Every `${NAME}` a plan references (defaults `${NAME:-x}` included). */
function referencedNames(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string))];
}

/** A plausible value for each name, by what its name says it holds. */
function fakeValue(name: string): string {
  if (name.endsWith('HOSTPORT')) return '127.0.0.1:3000';
  if (name.endsWith('_HOST')) return 'app.example.com';
  if (name === 'SMTP_URL') return 'smtp://user:pass@127.0.0.1:2525';
  if (name.endsWith('MONGODB_URI')) return 'mongodb://127.0.0.1:27017/app';
  if (name === 'DATABASE_URL') return 'postgres://app:secret@127.0.0.1:5432/app';
  if (name.endsWith('_URL')) return 'https://app.example.com';
  if (name.endsWith('RECIPIENT')) return 'age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq';
  if (name.endsWith('EMAIL')) return 'ops@example.com';
  return `fake-${name.toLowerCase()}`;
}

function fakeEnv(text: string): Record<string, string> {
  return Object.fromEntries(referencedNames(text).map((name) => [name, fakeValue(name)]));
}

describe('example plans', () => {
  test('there is one plan per seed guide plus the demo', () => {
    assert.deepEqual(
      examples.map((f) => f.slice(here.length)),
      [
        'demo.yml',
        'plans/chat-app/upkeep.yml',
        'plans/kirana-market/upkeep.yml',
        'plans/multiverse-portal/upkeep.yml',
        'plans/nextjs-supabase/upkeep.yml',
        'plans/opendev/upkeep.yml',
      ],
    );
  });

  for (const file of examples) {
    const name = file.slice(here.length);
    const text = readFileSync(file, 'utf8');

    test(`${name} loads and validates with its variables set`, async () => {
      assert.match(
        text.split('\n')[0] ?? '',
        /^# yaml-language-server: \$schema=(\.\.\/)+schema\/upkeep\.schema\.json$/,
      );
      const loaded = await loadPlan(file, { env: fakeEnv(text) });
      assert.ok(loaded.units.length >= 3, `${name} compiles to ${loaded.units.length} units`);
      for (const unit of loaded.units) assert.match(unit.id, /^[a-z0-9-]+\/[a-z0-9.-]+$/); // `main.backup`: a database's jobs
      // Secret values never end up in the units' descriptions.
      for (const unit of loaded.units) assert.ok(!unit.target.includes('secret@'), unit.target);
    });

    test(`${name} names a missing variable instead of guessing`, async () => {
      const env = fakeEnv(text);
      const [first] = referencedNames(text);
      assert.ok(first, `${name} references no variables`);
      delete env[first];
      await assert.rejects(loadPlan(file, { env }), (error: unknown) => {
        assert.ok(error instanceof PlanError);
        assert.match(error.message, new RegExp(first));
        return true;
      });
    });
  }

  test('every example backup can be checked and drilled: encrypted ones name an identity, MongoDB ones a scratch', async () => {
    let seen = 0;
    for (const file of examples) {
      const text = readFileSync(file, 'utf8');
      const env = fakeEnv(text);
      for (const backup of (await loadPlan(file, { env })).backups) {
        seen++;
        const where = `${file.slice(here.length)} ${backup.id}`;
        if (backup.encrypt) {
          // From the environment, never written into the plan itself.
          assert.match(text, /identity: "\$\{UPKEEP_BACKUP_IDENTITY\}"/, where);
          assert.equal(backup.encrypt.identity, env.UPKEEP_BACKUP_IDENTITY, `${where}: encrypt.identity`);
        }
        if (backup.engine === 'mongodb') assert.equal(backup.scratch, env.DRILL_MONGODB_URI, `${where}: scratch`);
      }
    }
    assert.ok(seen >= 5, `the seed plans back up their databases (${seen})`);
  });

  test('the demo plan watches the sample app with the expected units', async () => {
    const file = join(here, 'demo.yml');
    const loaded = await loadPlan(file, {
      env: { SAMPLE_APP_URL: 'http://127.0.0.1:4321', SAMPLE_APP_HOSTPORT: '127.0.0.1:4321' },
    });
    assert.equal(loaded.timezone, 'UTC');
    const units = Object.fromEntries(loaded.units.map((u) => [u.id, u]));
    assert.deepEqual(Object.keys(units).sort(), ['sample-app/api-health', 'sample-app/messages', 'sample-app/port']);
    assert.equal(units['sample-app/api-health']?.schedule.text, 'every 10s');
    assert.equal(units['sample-app/api-health']?.target, 'GET http://127.0.0.1:4321/health');
    assert.equal(units['sample-app/messages']?.schedule.text, 'every 15s');
    assert.equal(units['sample-app/port']?.kind, 'tcp');
    for (const unit of loaded.units) assert.equal(unit.policy.failureThreshold, 2);
  });
});
