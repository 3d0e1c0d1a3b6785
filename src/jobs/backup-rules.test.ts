import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Observation } from '../checks/kind.js';
import {
  evaluateBackupJob,
  evaluateDrillJob,
  evaluateFreshness,
  failureReasonFor,
  formatBytes,
  judgeFreshness,
} from './backup-rules.js';

const H = 3_600_000;
const D = 24 * H;
const NOW = Date.UTC(2026, 10, 22, 2, 0, 0);
const AFTER = 15 * D;

function obs(facts: Record<string, unknown>, failure?: Observation['failure']): Observation {
  return { startedAt: NOW - 60_000, durationMs: 60_000, facts, ...(failure ? { failure } : {}) };
}

describe('freshness rule', () => {
  it('no backups at all: nothing to judge yet, passes', () => {
    const { judged } = judgeFreshness({ newestDrilledAt: null, oldestAt: null }, AFTER, NOW);
    assert.equal(judged[0]?.passed, true);
    assert.equal(judged[0]?.actual, 'no backups yet');
  });

  it('never drilled: counts from the first backup, fires after alertAfter', () => {
    assert.equal(judgeFreshness({ newestDrilledAt: null, oldestAt: NOW - 14 * D }, AFTER, NOW).judged[0]?.passed, true);
    const late = judgeFreshness({ newestDrilledAt: null, oldestAt: NOW - 16 * D }, AFTER, NOW).judged[0];
    assert.equal(late?.passed, false);
    assert.equal(late?.severity, 'critical');
    assert.equal(late?.failText, 'no drilled backup: none of the backups of the last 16d has passed a restore drill');
  });

  it('a drilled backup: its age against alertAfter, exactly at the limit still passes', () => {
    const at = judgeFreshness({ newestDrilledAt: NOW - AFTER, oldestAt: NOW - 90 * D }, AFTER, NOW);
    assert.equal(at.judged[0]?.passed, true);
    assert.equal(at.values.hoursSinceDrilled, 360);
    const over = judgeFreshness({ newestDrilledAt: NOW - AFTER - H, oldestAt: NOW - 90 * D }, AFTER, NOW);
    assert.equal(over.judged[0]?.passed, false);
    assert.equal(over.judged[0]?.failText, 'no drilled backup newer than 15d (newest drilled 15d1h ago)');
  });

  it('drills off (alertAfter null): no condition', () => {
    assert.deepEqual(judgeFreshness({ newestDrilledAt: null, oldestAt: NOW - 99 * D }, null, NOW).judged, []);
  });
});

describe('backup verdicts', () => {
  const fresh = { newestDrilledAt: NOW - D, oldestAt: NOW - 30 * D };

  it('taken and checked, proof fresh: ok with the size and numbers to chart', () => {
    const v = evaluateBackupJob(
      AFTER,
      obs({
        backupId: 'b1',
        sizeBytes: 1_234_567,
        plaintextBytes: 5_000_000,
        backupMs: 900,
        collections: 4,
        check: 'passed',
        pruned: 2,
        freshness: fresh,
      }),
    );
    assert.equal(v.outcome, 'ok');
    assert.equal(v.summary, 'backup taken and checked (1.2 MB)');
    assert.deepEqual(v.values, {
      hoursSinceDrilled: 24,
      sizeBytes: 1_234_567,
      plaintextBytes: 5_000_000,
      backupMs: 900,
      collections: 4,
      pruned: 2,
    });
  });

  it('backup failed: critical, with the reason', () => {
    const v = evaluateBackupJob(
      AFTER,
      obs({ check: 'not-run', freshness: fresh }, { reason: 'connect', message: 'dump of shop/main failed: refused' }),
    );
    assert.equal(v.outcome, 'critical');
    assert.equal(v.summary, 'backup failed: dump of shop/main failed: refused');
  });

  it('archive damaged on read-back: critical; no identity to check with: warning saying what to set', () => {
    const damaged = evaluateBackupJob(AFTER, obs({ backupId: 'b', check: 'failed', checkError: 'archive damaged: x' }));
    assert.equal(damaged.outcome, 'critical');
    assert.equal(damaged.summary, 'backup taken but damaged: archive damaged: x');
    const unchecked = evaluateBackupJob(AFTER, obs({ backupId: 'b', check: 'no-identity', freshness: fresh }));
    assert.equal(unchecked.outcome, 'warning');
    assert.match(unchecked.summary, /set backup\.encrypt\.identity/);
  });

  it('prune failure is a warning; stale proof on a good backup is critical', () => {
    const prune = evaluateBackupJob(
      AFTER,
      obs({ backupId: 'b', check: 'passed', pruneError: 'EACCES', freshness: fresh }),
    );
    assert.equal(prune.outcome, 'warning');
    assert.equal(prune.summary, 'old backups not pruned: EACCES');
    const stale = evaluateBackupJob(
      AFTER,
      obs({ backupId: 'b', check: 'passed', freshness: { newestDrilledAt: NOW - 20 * D, oldestAt: NOW - 90 * D } }),
    );
    assert.equal(stale.outcome, 'critical');
    assert.equal(stale.summary, 'no drilled backup newer than 15d (newest drilled 20d ago)');
  });
});

describe('drill verdicts', () => {
  const fresh = { newestDrilledAt: NOW - H, oldestAt: NOW - 30 * D };
  it('drilled: ok', () => {
    const v = evaluateDrillJob(
      AFTER,
      obs({ backupId: '0123456789', drill: 'drilled', collections: 3, drillMs: 5, freshness: fresh }),
    );
    assert.equal(v.outcome, 'ok');
    assert.equal(v.summary, 'backup 01234567 drilled: counts match');
    assert.equal(v.values.collections, 3);
  });
  it('mismatch and damage are critical and say what differs', () => {
    const v = evaluateDrillJob(
      AFTER,
      obs({ backupId: 'abcdef012', drill: 'mismatch', reason: 'drill mismatch: orders: backup 120, restored 119' }),
    );
    assert.equal(v.outcome, 'critical');
    assert.equal(v.summary, 'backup abcdef01: drill mismatch: orders: backup 120, restored 119');
    assert.equal(evaluateDrillJob(AFTER, obs({ backupId: 'x', drill: 'damaged', reason: 'r' })).outcome, 'critical');
    assert.equal(evaluateDrillJob(AFTER, obs({ drill: 'no-good-backup', reason: 'r' })).outcome, 'critical');
  });
  it('a drill that could not run is a warning (nothing bad is known about the backup)', () => {
    const v = evaluateDrillJob(AFTER, obs({ drill: 'could-not-run', reason: 'scratch refused', freshness: fresh }));
    assert.equal(v.outcome, 'warning');
    assert.equal(v.summary, 'drill could not run: scratch refused');
  });
  it('nothing to drill yet: ok', () => {
    const v = evaluateDrillJob(
      AFTER,
      obs({ drill: 'nothing-yet', freshness: { newestDrilledAt: null, oldestAt: null } }),
    );
    assert.equal(v.outcome, 'ok');
    assert.equal(v.summary, 'no backup to drill yet');
  });
});

describe('freshness verdict and helpers', () => {
  it('the hourly check: ok with the age, critical when stale', () => {
    assert.equal(
      evaluateFreshness(AFTER, obs({ freshness: { newestDrilledAt: NOW - 2 * D, oldestAt: NOW - 9 * D } })).summary,
      'newest drilled backup 2d old',
    );
    const stale = evaluateFreshness(AFTER, obs({ freshness: { newestDrilledAt: null, oldestAt: NOW - 40 * D } }));
    assert.equal(stale.outcome, 'critical');
  });
  it('failure reasons and byte formatting', () => {
    assert.equal(failureReasonFor('source', 'unreachable'), 'connect');
    assert.equal(failureReasonFor('aborted'), 'timeout');
    assert.equal(failureReasonFor('target-full'), 'other');
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(1_500_000_000), '1.5 GB');
  });
});
