/**
 * Turns one execution into the run row the store keeps. Pure.
 *
 * A passing run keeps only its small facts (status, byte counts, final URL): the body excerpt and parsed JSON
 * matter when something failed, and keeping them for every passing run would make raw history ~10x larger
 * (bench/RESULTS.md). A failing run keeps everything the probe saw. The result comes masked from executeCheck
 * (src/schedule/execute-check.ts): a secret is never in what this builds.
 */

import type { RunRecord } from '../core/run.js';
import type { CheckUnit } from '../plan/units.js';
import type { CheckResult } from './execute-check.js';

/** Longest string fact kept for a passing run. */
const SMALL_FACT_CHARS = 200;

/** Builds the run row for `result`, finished at `endedAt` by `worker`. */
export function runRecordFor(unit: CheckUnit, result: CheckResult, endedAt: number, worker: string): RunRecord {
  if (result.outcome === 'error') {
    return {
      unitId: unit.id,
      startedAt: result.startedAt,
      endedAt,
      outcome: 'error',
      summary: `upkeep error: ${result.message}`,
      durationMs: result.durationMs,
      details: { error: result.message },
      values: {},
      worker,
    };
  }
  const { observation, verdict } = result;
  const passed = verdict.outcome === 'ok';
  return {
    unitId: unit.id,
    startedAt: observation.startedAt,
    endedAt,
    outcome: verdict.outcome,
    summary: verdict.summary,
    durationMs: observation.durationMs,
    details: passed
      ? { facts: smallFacts(observation.facts) }
      : { failure: observation.failure, facts: observation.facts, conditions: verdict.conditions },
    values: verdict.values,
    worker,
  };
}

function smallFacts(facts: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(facts)) {
    if (typeof value === 'number' || typeof value === 'boolean') kept[key] = value;
    else if (typeof value === 'string' && value.length <= SMALL_FACT_CHARS) kept[key] = value;
  }
  return kept;
}
