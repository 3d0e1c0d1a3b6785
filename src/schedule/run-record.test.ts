import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CheckUnit } from '../plan/units.js';
import { runRecordFor } from './run-record.js';

const unit = { id: 'shop/api' } as CheckUnit;
const observation = {
  startedAt: 1000,
  durationMs: 42,
  facts: { status: 200, finalUrl: 'https://shop.example/health', body: 'x'.repeat(2048), json: { status: 'ok' } },
};

describe('runRecordFor', () => {
  it('keeps only small facts of a passing run', () => {
    const run = runRecordFor(
      unit,
      {
        outcome: 'verdict',
        observation,
        verdict: { outcome: 'ok', summary: 'ok in 42ms', conditions: [], values: { responseTimeMs: 42 } },
      },
      1050,
      'w1',
    );
    assert.deepEqual(run, {
      unitId: 'shop/api',
      startedAt: 1000,
      endedAt: 1050,
      outcome: 'ok',
      summary: 'ok in 42ms',
      durationMs: 42,
      details: { facts: { status: 200, finalUrl: 'https://shop.example/health' } },
      values: { responseTimeMs: 42 },
      worker: 'w1',
    });
  });

  it('keeps everything the probe saw when the run failed', () => {
    const conditions = [{ condition: 'status == 200', passed: false, severity: 'critical' as const, actual: '503' }];
    const run = runRecordFor(
      unit,
      {
        outcome: 'verdict',
        observation,
        verdict: { outcome: 'critical', summary: 'HTTP 503', conditions, values: {} },
      },
      1050,
      'w1',
    );
    assert.deepEqual(run.details, { failure: undefined, facts: observation.facts, conditions });
  });

  it("records upkeep's own error as error, with its message", () => {
    const run = runRecordFor(unit, { outcome: 'error', message: 'boom', startedAt: 1000, durationMs: 3 }, 1003, 'w1');
    assert.equal(run.outcome, 'error');
    assert.equal(run.summary, 'upkeep error: boom');
  });
});
