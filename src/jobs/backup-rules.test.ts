import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Observation } from '../core/observation.js';
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
  it('taken and checked: ok with the size and numbers to chart', () => {
    const v = evaluateBackupJob(
      obs({
        backupId: 'b1',
        sizeBytes: 1_234_567,
        plaintextBytes: 5_000_000,
        backupMs: 900,
        collections: 4,
        check: 'passed',
        pruned: 2,
      }),
    );
    assert.equal(v.outcome, 'ok');
    assert.equal(v.summary, 'backup taken and checked (1.2 MB)');
    assert.deepEqual(v.values, {
      sizeBytes: 1_234_567,
      plaintextBytes: 5_000_000,
      backupMs: 900,
      collections: 4,
      pruned: 2,
    });
  });

  it('backup failed: critical, with the reason', () => {
    const v = evaluateBackupJob(
      obs({ check: 'not-run' }, { reason: 'connect', message: 'dump of shop/main failed: refused' }),
    );
    assert.equal(v.outcome, 'critical');
    assert.equal(v.summary, 'backup failed: dump of shop/main failed: refused');
  });

  it('archive damaged on read-back: critical; no identity to check with: warning saying what to set', () => {
    const damaged = evaluateBackupJob(obs({ backupId: 'b', check: 'failed', checkError: 'archive damaged: x' }));
    assert.equal(damaged.outcome, 'critical');
    assert.equal(damaged.summary, 'backup taken but damaged: archive damaged: x');
    const unchecked = evaluateBackupJob(obs({ backupId: 'b', check: 'no-identity' }));
    assert.equal(unchecked.outcome, 'warning');
    assert.match(unchecked.summary, /set backup\.encrypt\.identity/);
  });

  it('prune failure is a warning', () => {
    const prune = evaluateBackupJob(obs({ backupId: 'b', check: 'passed', pruneError: 'EACCES' }));
    assert.equal(prune.outcome, 'warning');
    assert.equal(prune.summary, 'old backups not pruned: EACCES');
  });

  it("stale proof is not the backup unit's alert: a good backup stays ok, even with old freshness facts in it", () => {
    // Facts recorded before the freshness rule moved to its own unit still carry `freshness`: it is ignored.
    const stale = { newestDrilledAt: NOW - 20 * D, oldestAt: NOW - 90 * D };
    const v = evaluateBackupJob(obs({ backupId: 'b', check: 'passed', freshness: stale }));
    assert.equal(v.outcome, 'ok');
    assert.ok(!v.conditions.some((c) => /drilled backup/.test(c.condition)), 'no freshness condition');
  });
});

describe('drill verdicts', () => {
  it('drilled: ok', () => {
    const v = evaluateDrillJob(obs({ backupId: '0123456789', drill: 'drilled', collections: 3, drillMs: 5 }));
    assert.equal(v.outcome, 'ok');
    assert.equal(v.summary, 'backup 01234567 drilled: counts match');
    assert.equal(v.values.collections, 3);
  });
  it('mismatch and damage are critical and say what differs', () => {
    const v = evaluateDrillJob(
      obs({ backupId: 'abcdef012', drill: 'mismatch', reason: 'drill mismatch: orders: backup 120, restored 119' }),
    );
    assert.equal(v.outcome, 'critical');
    assert.equal(v.summary, 'backup abcdef01: drill mismatch: orders: backup 120, restored 119');
    assert.equal(evaluateDrillJob(obs({ backupId: 'x', drill: 'damaged', reason: 'r' })).outcome, 'critical');
  });
  it('no backup left to drill because the last drilled one failed its drill: still critical', () => {
    const v = evaluateDrillJob(obs({ drill: 'no-good-backup', reason: 'backup abc failed its drill' }));
    assert.equal(v.outcome, 'critical');
    assert.equal(v.summary, 'no backup left to drill: backup abc failed its drill');
  });
  it('a drill that could not run is a warning, also when proof is stale (the freshness unit says that)', () => {
    const stale = { newestDrilledAt: NOW - 20 * D, oldestAt: NOW - 90 * D };
    const v = evaluateDrillJob(obs({ drill: 'could-not-run', reason: 'scratch refused', freshness: stale }));
    assert.equal(v.outcome, 'warning');
    assert.equal(v.summary, 'drill could not run: scratch refused');
  });
  it('nothing to drill (none yet, or only failed backups, which the backup unit alerts on): ok', () => {
    assert.equal(evaluateDrillJob(obs({ drill: 'nothing-yet' })).summary, 'no backup to drill yet');
    const v = evaluateDrillJob(obs({ drill: 'nothing-yet', reason: 'the newest backup (abc) is failed' }));
    assert.equal(v.outcome, 'ok');
    assert.equal(v.summary, 'no backup to drill yet (the newest backup (abc) is failed)');
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
