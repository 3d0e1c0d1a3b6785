import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Observation, RecentValues } from '../core/observation.js';
import { httpSchema } from './http.js';
import { evaluateHttp } from './http-evaluate.js';

const T0 = Date.UTC(2026, 0, 1);
const spec = (entry: Record<string, unknown>) => httpSchema.parse({ http: 'https://api.example/health', ...entry });
const seen = (facts: Record<string, unknown>, durationMs = 100): Observation => ({
  startedAt: T0,
  durationMs,
  facts: { status: 200, timings: { totalMs: durationMs }, ...facts },
});
const healthJson = {
  status: 'ok',
  database: 'connected',
  metrics: { errorRate: '0.50%', memory: { heapUsed: '45MB' } },
};

test('status: default 2xx, exact, list and class', () => {
  assert.equal(evaluateHttp(spec({}), seen({ status: 204 }), []).outcome, 'ok');
  const v = evaluateHttp(spec({ expect: { status: 200 } }), seen({ status: 503 }), []);
  assert.equal(v.outcome, 'critical');
  assert.equal(v.summary, 'HTTP 503 (expected 200)');
  assert.deepEqual(v.conditions[0], { condition: 'status 200', passed: false, severity: 'critical', actual: '503' });
  assert.equal(evaluateHttp(spec({ expect: { status: [200, 204] } }), seen({ status: 204 }), []).outcome, 'ok');
  assert.equal(evaluateHttp(spec({ expect: { status: '3xx' } }), seen({ status: 301 }), []).outcome, 'ok');
  assert.equal(evaluateHttp(spec({}), seen({ status: 302 }), []).outcome, 'critical');
  const ok = evaluateHttp(spec({}), seen({ status: 200 }, 123), []);
  assert.equal(ok.summary, 'HTTP 200 in 123ms');
  assert.deepEqual(ok.values, { responseTimeMs: 123 });
});

test('body subset: match, mismatch, and invalid JSON', () => {
  const s = spec({ expect: { body: { status: 'ok', database: 'connected' } } });
  assert.equal(evaluateHttp(s, seen({ json: healthJson }), []).outcome, 'ok');
  const down = evaluateHttp(s, seen({ json: { ...healthJson, database: 'disconnected' } }), []);
  assert.equal(down.outcome, 'critical');
  assert.equal(down.summary, 'body: database: expected "connected", got "disconnected"');
  const notJson = evaluateHttp(s, seen({ body: '<html>', jsonError: 'body is not JSON (Unexpected token)' }), []);
  assert.equal(notJson.outcome, 'critical');
  assert.equal(notJson.summary, 'body is not JSON');
});

test('keyword and notKeyword', () => {
  const s = spec({ expect: { keyword: 'ok', notKeyword: 'error' } });
  assert.equal(evaluateHttp(s, seen({ keywordFound: true, notKeywordFound: false }), []).outcome, 'ok');
  const v = evaluateHttp(s, seen({ keywordFound: false, notKeywordFound: true }), []);
  assert.equal(v.outcome, 'critical');
  assert.equal(v.summary, 'keyword "ok" not in body; body contains "error"');
  // Hand-made observations without the probe's flags fall back to the excerpt.
  assert.equal(evaluateHttp(s, seen({ body: 'all ok' }), []).outcome, 'ok');
});

test('responseTime: warning and critical levels', () => {
  const s = spec({ expect: { responseTime: { warning: '500ms', critical: '2s' } } });
  assert.equal(evaluateHttp(s, seen({}, 499), []).outcome, 'ok');
  const slow = evaluateHttp(s, seen({}, 800), []);
  assert.equal(slow.outcome, 'warning');
  assert.equal(slow.summary, 'responseTime 800ms (over 500ms)');
  const slower = evaluateHttp(s, seen({}, 2400), []);
  assert.equal(slower.outcome, 'critical');
  assert.equal(slower.summary, 'responseTime 2.4s (over 2s)', 'only the worst level of one measure is named');
  assert.equal(evaluateHttp(spec({ expect: { responseTime: { critical: 1000 } } }), seen({}, 800), []).outcome, 'ok');
});

test('metrics: read by path, parsed from "0.50%" and "45MB", judged by rules', () => {
  const s = spec({
    expect: {
      metrics: [
        { path: 'metrics.errorRate', warning: '> 1%', critical: '> 5%' },
        { path: 'metrics.memory.heapUsed', warning: '> 40MB' },
      ],
    },
  });
  const v = evaluateHttp(s, seen({ json: healthJson }), []);
  assert.equal(v.outcome, 'warning');
  assert.equal(v.summary, 'metrics.memory.heapUsed 45MB (> 40MB)');
  assert.equal(v.values['metrics.errorRate'], 0.5);
  assert.equal(v.values['metrics.memory.heapUsed'], 45 * 1024 * 1024);
  const bad = { ...healthJson, metrics: { ...healthJson.metrics, errorRate: 7.2 } };
  const crit = evaluateHttp(s, seen({ json: bad }), []);
  assert.equal(crit.outcome, 'critical');
  assert.equal(crit.summary, 'metrics.errorRate 7.2% (> 5%); metrics.memory.heapUsed 45MB (> 40MB)');
});

test('metrics: missing value, wrong unit, body not JSON', () => {
  const s = spec({ expect: { metrics: [{ path: 'metrics.cpu', warning: '> 80%' }] } });
  const missing = evaluateHttp(s, seen({ json: healthJson }), []);
  assert.equal(missing.outcome, 'warning');
  assert.equal(missing.summary, 'metrics.cpu missing from the body');
  const unit = spec({ expect: { metrics: [{ path: 'metrics.memory.heapUsed', critical: '> 5%' }] } });
  const mismatch = evaluateHttp(unit, seen({ json: healthJson }), []);
  assert.equal(mismatch.outcome, 'critical');
  assert.match(mismatch.summary, /is 45MB but the rule is "> 5%"/);
  assert.equal(evaluateHttp(s, seen({ jsonError: 'body is empty' }), []).summary, 'body is not JSON');
});

test('heapGrowth: collects a window, then warns and pages on growth', () => {
  const s = spec({
    expect: { heapGrowth: { path: 'metrics.memory.heapUsed', window: 4, warning: '20%', critical: 50 } },
  });
  const MB = 1024 * 1024;
  const history = (mbs: number[]): RecentValues[] =>
    mbs.map((mb, i) => ({ at: T0 - (mbs.length - i) * 60_000, values: { 'metrics.memory.heapUsed': mb * MB } }));
  const heap = (mb: number) => seen({ json: { metrics: { memory: { heapUsed: `${mb}MB` } } } });

  const early = evaluateHttp(s, heap(100), history([40, 50]));
  assert.equal(early.outcome, 'ok', 'three samples of a window of four: no trend yet');
  assert.equal(early.conditions.at(-1)?.actual, 'collecting 3/4 runs');
  assert.equal(early.values['metrics.memory.heapUsed'], 100 * MB);

  assert.equal(evaluateHttp(s, heap(110), history([100, 105, 108])).outcome, 'ok');
  const warn = evaluateHttp(s, heap(125), history([100, 105, 110]));
  assert.equal(warn.outcome, 'warning');
  assert.equal(warn.summary, 'growth of metrics.memory.heapUsed over 4 runs 25% (over 20%)');
  // Only the last window-1 runs count: the old 10MB sample is outside the window.
  const crit = evaluateHttp(s, heap(160), history([10, 100, 120, 140]));
  assert.equal(crit.outcome, 'critical');
  assert.match(crit.summary, /60%/);
  assert.equal(evaluateHttp(s, heap(80), history([100, 100, 100])).outcome, 'ok', 'shrinking is fine');
});

test('a probe failure is critical and says why', () => {
  const v = evaluateHttp(
    spec({}),
    { startedAt: T0, durationMs: 5000, facts: {}, failure: { reason: 'timeout', message: 'no answer within 5000ms' } },
    [],
  );
  assert.equal(v.outcome, 'critical');
  assert.equal(v.summary, 'timeout: no answer within 5000ms');
  assert.deepEqual(v.values, {});
});

test('evaluate is pure: same inputs, same verdict', () => {
  const s = spec({ expect: { body: { status: 'ok' }, responseTime: { warning: 50 } } });
  const o = seen({ json: healthJson }, 70);
  assert.deepEqual(evaluateHttp(s, o, []), evaluateHttp(s, o, []));
});
