import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { planJsonSchema } from './json-schema.js';

// Example plans point editors at schema/upkeep.schema.json; it must say what the code accepts.
it('schema/upkeep.schema.json is current (regenerate with `npm run schema`)', () => {
  const committed = JSON.parse(readFileSync(new URL('../../schema/upkeep.schema.json', import.meta.url), 'utf8'));
  assert.deepEqual(committed, JSON.parse(JSON.stringify(planJsonSchema())));
});
