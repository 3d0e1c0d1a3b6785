// biome-ignore-all lint/suspicious/noTemplateCurlyInString: masked values are shown as the plan's ${VAR} references.
/** executeCheck masks what a probe saw before it becomes a run: the bad inputs of issue 7, against a real server. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { httpKind } from '../checks/http.js';
import type { CheckKind } from '../checks/kind.js';
import { parsePlan } from '../plan/load-plan.js';
import { encodedForms } from '../shared/mask.js';
import { systemClock } from './clock.js';
import { executeCheck } from './execute-check.js';

let server: Server;
let host: string;

before(async () => {
  // Echoes the request URL and header in a 503, so the secrets come back in the body, raw and encoded.
  server = createServer((req, res) => {
    const url = req.url ?? '';
    const seen = { url, header: req.headers['x-key'] ?? null, json: JSON.stringify({ k: req.headers['x-key'] }) };
    if (url.startsWith('/health')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"healthy","note":"heal the world"}');
      return;
    }
    res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify(seen));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

/** Loads a one-check plan with `env` and runs its unit once. */
async function runOnce(check: string, env: Record<string, string>) {
  const text = `version: 1\napps:\n  shop:\n    checks:\n      api: ${check}\n`;
  const unit = parsePlan(text, { file: 'upkeep.yml', env: { ...env, HOST: host } }).units[0];
  assert.ok(unit);
  const result = await executeCheck(unit, httpKind as CheckKind, [], {
    clock: systemClock,
    logger: pino({ level: 'silent' }),
  });
  assert.equal(result.outcome, 'verdict');
  return { unit, result, shown: JSON.stringify(result) };
}

describe('executeCheck masks secrets', () => {
  it('bad input: a secret with + / = @ % is masked in its raw and encoded forms, in the URL and the echoed body', async () => {
    const secret = 'a+b/c=d@e%f';
    const { unit, result, shown } = await runOnce(
      '{ http: "http://${HOST}/echo?k=${API_KEY}", headers: { X-Key: "${API_KEY}" }, every: 1m }',
      { API_KEY: secret },
    );
    for (const form of encodedForms(secret)) assert.ok(!shown.includes(form), `${form} in ${shown}`);
    assert.ok(!unit.target.includes(secret));
    assert.equal(unit.target, `GET http://${host}/echo?k=***`);
    if (result.outcome !== 'verdict') return;
    assert.equal(result.observation.facts.finalUrl, `http://${host}/echo?k=***`);
    const json = result.observation.facts.json as { url: string; header: string; json: string };
    assert.equal(json.url, '/echo?k=${API_KEY}');
    assert.equal(json.header, '${API_KEY}');
    assert.equal(json.json, '{"k":"${API_KEY}"}');
    // The body excerpt holds the secret JSON-escaped inside a JSON string (`a+b/c=d@e%f` in `\"k\"`): masked too.
    assert.ok(!String(result.observation.facts.body).includes('e%f'));
    assert.equal(result.verdict.outcome, 'critical');
  });

  it('bad input: a secret that is a substring of a harmless word masks the value and keeps the text around it', async () => {
    const { result } = await runOnce('{ http: "http://${HOST}/health", headers: { X-Key: "${API_KEY}" }, every: 1m }', {
      API_KEY: 'heal',
    });
    if (result.outcome !== 'verdict') return assert.fail('expected a verdict');
    assert.equal(result.observation.facts.finalUrl, `http://${host}/\${API_KEY}th`);
    assert.deepEqual(result.observation.facts.json, { status: '${API_KEY}thy', note: '${API_KEY} the world' });
    // The evaluation saw the real answer: 200 with its JSON, so the check passed.
    assert.equal(result.verdict.outcome, 'ok');
  });
});
