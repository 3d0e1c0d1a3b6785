import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { type ControlHarness, startControlHarness } from './test-control.js';

// What the API refuses before a handler runs, in its one error shape, and the OpenAPI document of the same schemas.
describe('control API: refused requests, stored text, OpenAPI', () => {
  let h: ControlHarness;
  before(async () => {
    h = await startControlHarness();
  });
  after(() => h.close());

  it('refuses an unknown body field with 400 invalid_request naming it', async () => {
    const res = await h.api('POST', '/api/units/shop/api/silence', { duration: '1h', note: 'x', admin: true });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'invalid_request');
    assert.match(res.body.error, /^invalid request: body/);
    assert.ok(
      res.body.issues.some((i: { message: string }) => /admin/.test(i.message)),
      JSON.stringify(res.body),
    );
  });

  it('refuses a missing field and a bad duration with the field paths', async () => {
    const res = await h.api('POST', '/api/units/shop/api/silence', { duration: 'soon' });
    assert.equal(res.status, 400);
    const paths = res.body.issues.map((i: { path: string }) => i.path).sort();
    assert.deepEqual(paths, ['/duration', '/note']);
    assert.ok(res.body.issues.some((i: { message: string }) => /30m, 2h or 1d/.test(i.message)));
  });

  it('refuses malformed JSON with 400 invalid_json', async () => {
    const res = await h.api('POST', '/api/units/shop/api/pause', '{"reason": "x",');
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'invalid_json');
    assert.match(res.body.error, /not valid JSON/);
  });

  it('refuses a body over 64 KiB with 413', async () => {
    const res = await h.api('POST', '/api/units/shop/api/pause', { reason: 'x'.repeat(70 * 1024) });
    assert.equal(res.status, 413);
    assert.equal(res.body.code, 'body_too_large');
    assert.match(res.body.error, /too large: this route takes at most 64 KiB/);
  });

  it('stores SQL-looking and script-looking reasons and notes as text, returned exactly', async () => {
    const texts = ["x'); drop table overrides; --", '<script>alert("owned")</script>', '" or 1=1 -- \u00e9\u{1F600}'];
    const made = [];
    for (const note of texts) {
      const res = await h.api('POST', '/api/units/shop/web/silence', { duration: '1h', note });
      assert.equal(res.status, 201);
      assert.equal(res.body.reason, note);
      made.push(res.body.id);
    }
    const pause = await h.api('POST', '/api/units/shop/web/pause', { reason: texts[0] });
    assert.equal(pause.body.reason, texts[0]);
    const maint = await h.api('POST', '/api/maintenance', { apps: ['blog'], duration: '5m', reason: texts[1] });
    assert.equal(maint.body[0].reason, texts[1]);
    const listed = (await h.api('GET', '/api/overrides', undefined, 'viewer')).body as { id: number; reason: string }[];
    for (const [i, id] of made.entries()) assert.equal(listed.find((o) => o.id === id)?.reason, texts[i]);
    // The table is still there: the text was a value, never SQL.
    assert.ok(listed.length >= 5);
  });

  it('answers unknown units with 404 in the error shape', async () => {
    const res = await h.api('POST', "/api/units/shop/'%20or%201=1/pause", {});
    assert.equal(res.status, 404);
    assert.match(res.body.error, /no unit "shop\/' or 1=1" in the running plan/);
  });

  it('serves an OpenAPI 3.1 document that validates, generated from the route schemas', async () => {
    const res = await fetch(`${h.url}/api/openapi.json`); // public: no headers
    assert.equal(res.status, 200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>>;
    };
    assert.equal(doc.openapi, '3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Parameters<Validator['validate']>[0]);
    assert.equal(result.valid, true, JSON.stringify(result.errors));
    assert.equal(validator.version, '3.1');
    for (const path of [
      '/api/overrides',
      '/api/overrides/{id}',
      '/api/units/{app}/{name}/silence',
      '/api/maintenance',
      '/api/plan/reload',
      '/api/channels/{name}/test',
      '/api/databases/{app}/{name}/backup',
      '/api/auth/login',
      '/api/users/{id}',
      '/api/overview',
      '/api/units/{app}/{name}/history',
    ])
      assert.ok(doc.paths[path], `${path} documented`);
    // The body schema is the validator's: strict (no unknown fields), with its required fields.
    const silence = doc.paths['/api/units/{app}/{name}/silence']?.post?.requestBody?.content['application/json']
      ?.schema as { required: string[]; additionalProperties: boolean };
    assert.deepEqual([...silence.required].sort(), ['duration', 'note']);
    assert.equal(silence.additionalProperties, false);
    const login = doc.paths['/api/auth/login']?.post?.requestBody?.content['application/json']?.schema as {
      required: string[];
    };
    assert.deepEqual([...login.required].sort(), ['email', 'password']);
    const history = doc.paths['/api/units/{app}/{name}/history']?.get as unknown as { parameters: { name: string }[] };
    assert.deepEqual(history.parameters.map((p) => p.name).sort(), ['app', 'from', 'grain', 'name', 'to']);
    assert.equal(doc.paths['/api/openapi.json'], undefined, 'the document does not list itself');
  });
});
