import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkKinds } from '../checks/registry.js';
import { PLAN_SCHEMA_ID, planJsonSchema } from './json-schema.js';

type Json = Record<string, unknown>;

describe('planJsonSchema', () => {
  const schema = planJsonSchema();

  it('is a draft 2020-12 JSON object that survives a JSON round trip', () => {
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.equal(schema.$id, PLAN_SCHEMA_ID);
    assert.deepEqual(JSON.parse(JSON.stringify(schema)), schema);
    const properties = schema.properties as Json;
    assert.deepEqual(Object.keys(properties).sort(), [
      'alerts',
      'apps',
      'history',
      'maintenance',
      'metrics',
      'notify',
      'routes',
      'secretVars',
      'timezone',
      'version',
    ]);
    assert.deepEqual(schema.required, ['version', 'apps']);
  });

  it('describes every registered check kind, each with the common keys and its own key', () => {
    const apps = (schema.properties as Json).apps as Json;
    const checks = ((apps.additionalProperties as Json).properties as Json).checks as Json;
    const entry = checks.additionalProperties as Json;
    const variants = (entry.anyOf as Json[] | undefined) ?? [entry];
    assert.equal(variants.length, checkKinds.length);
    for (const kind of checkKinds) {
      const variant = variants.find((v) => (v.properties as Json)[kind.name] !== undefined);
      assert.ok(variant, `no variant for ${kind.name}`);
      assert.equal(variant.additionalProperties, false);
      assert.equal(variant.description, kind.description);
      const props = variant.properties as Json;
      for (const key of ['every', 'schedule', 'timeout', 'alert', 'description'])
        assert.ok(props[key], `${kind.name}.${key}`);
      assert.ok((variant.required as string[]).includes(kind.name));
      // Editors show these descriptions while completing.
      assert.match(String((props.timeout as Json).description), /default 10s/);
    }
  });

  it('lets names use upper case, as the loader does', () => {
    const apps = (schema.properties as Json).apps as Json;
    const pattern = new RegExp(String((apps.propertyNames as Json).pattern));
    assert.ok(pattern.test('Kirana-Market'));
    assert.ok(!pattern.test('my shop'));
  });
});
