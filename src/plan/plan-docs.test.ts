import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { checkKinds } from '../checks/registry.js';
import { planJsonSchema } from './json-schema.js';
import { renderPlanDocs } from './plan-docs.js';

it('docs/plan.md is generated from the current schema (regenerate with `npm run docs`)', () => {
  const text = renderPlanDocs(planJsonSchema(), checkKinds);
  for (const key of [
    '`version`',
    '`timezone`',
    '`maintenance`',
    '`databases`',
    '`expect.responseTime.warning`',
    '`expect.daysLeft.critical`',
  ]) {
    assert.ok(text.includes(key), `docs mention ${key}`);
  }
  const committed = readFileSync(new URL('../../docs/plan.md', import.meta.url), 'utf8');
  assert.equal(committed, text);
});
