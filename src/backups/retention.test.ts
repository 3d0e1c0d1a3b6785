/**
 * Retention, table-driven on the 2016-01 snapshots of restic's own TestApplyPolicy (internal/restic/
 * snapshot_policy_test.go), with the results restic >= 0.16 gives (newest per period, ISO weeks, the oldest kept
 * while a rule has count left), then upkeep's own rule: only verified backups count.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoWeek, type KeepPolicy, type RetentionCandidate, selectKept } from './retention.js';

// restic's test snapshots from January 2016 (UTC), numbered oldest first.
const RESTIC_2016 = [
  '2016-01-01 01:02:03',
  '2016-01-01 01:03:03',
  '2016-01-01 07:08:03',
  '2016-01-03 07:02:03',
  '2016-01-04 10:23:03',
  '2016-01-04 11:23:03',
  '2016-01-04 12:23:03',
  '2016-01-04 12:24:03',
  '2016-01-04 12:28:03',
  '2016-01-04 12:30:03',
  '2016-01-04 16:23:03',
  '2016-01-05 09:02:03',
  '2016-01-06 08:02:03',
  '2016-01-07 10:02:03',
  '2016-01-08 20:02:03',
  '2016-01-09 21:02:03',
  '2016-01-12 21:02:03',
  '2016-01-12 21:08:03',
  '2016-01-18 12:02:03',
];
const snapshots: RetentionCandidate[] = RESTIC_2016.map((t, i) => ({
  id: String(i + 1),
  time: Date.parse(`${t.replace(' ', 'T')}Z`),
  state: 'checked',
}));
const all = snapshots.map((s) => s.id);

const cases: { policy: KeepPolicy; keep: string[] }[] = [
  { policy: {}, keep: all },
  { policy: { last: 5 }, keep: ['19', '18', '17', '16', '15'] },
  { policy: { last: 99 }, keep: [...all].reverse() },
  { policy: { daily: 3 }, keep: ['19', '18', '16'] },
  { policy: { daily: 10 }, keep: ['19', '18', '16', '15', '14', '13', '12', '11', '4', '3'] },
  // Only 10 distinct days: the oldest snapshot is kept as well while the rule has count left.
  { policy: { daily: 30 }, keep: ['19', '18', '16', '15', '14', '13', '12', '11', '4', '3', '1'] },
  {
    policy: { hourly: 20 },
    keep: ['19', '18', '16', '15', '14', '13', '12', '11', '10', '6', '5', '4', '3', '2', '1'],
  },
  { policy: { weekly: 2 }, keep: ['19', '18'] },
  // 2016-01-03 (a Sunday) is in ISO week 2015-W53, as is 2016-01-01.
  { policy: { weekly: 4 }, keep: ['19', '18', '16', '4'] },
  { policy: { weekly: 10 }, keep: ['19', '18', '16', '4', '1'] },
  { policy: { monthly: 6 }, keep: ['19', '1'] },
  { policy: { yearly: 10 }, keep: ['19', '1'] },
  { policy: { last: 2, daily: 10 }, keep: ['19', '18', '16', '15', '14', '13', '12', '11', '4', '3'] },
  { policy: { daily: 3, weekly: 4 }, keep: ['19', '18', '16', '4'] },
  { policy: { daily: -1 }, keep: ['19', '18', '16', '15', '14', '13', '12', '11', '4', '3', '1'] },
];

describe('selectKept: restic semantics', () => {
  for (const { policy, keep } of cases) {
    it(`keep ${JSON.stringify(policy)}`, () => {
      const decision = selectKept(snapshots, policy, 'UTC');
      const kept = [...decision.keep.keys()].sort((a, b) => Number(b) - Number(a));
      assert.deepEqual(
        kept,
        [...keep].sort((a, b) => Number(b) - Number(a)),
      );
      assert.equal(decision.keep.size + decision.remove.length, snapshots.length);
      assert.ok(decision.remove.every((id) => !decision.keep.has(id)));
    });
  }

  it('gives every rule that kept a backup as a reason, in restic order', () => {
    const decision = selectKept(snapshots, { last: 2, daily: 10, weekly: 4 }, 'UTC');
    assert.deepEqual(decision.keep.get('19'), ['last', 'daily', 'weekly']);
    assert.deepEqual(decision.keep.get('18'), ['last', 'daily', 'weekly']);
    assert.deepEqual(decision.keep.get('4'), ['daily', 'weekly']);
    assert.deepEqual(decision.keep.get('3'), ['daily']);
    assert.deepEqual(selectKept(snapshots, {}, 'UTC').keep.get('1'), ['policy is empty']);
  });

  it('reads calendar periods in the plan time zone', () => {
    const day = [
      { id: 'a', time: Date.parse('2026-04-01T20:00:00Z'), state: 'checked' as const }, // 04-02 01:30 in Kolkata
      { id: 'b', time: Date.parse('2026-04-01T17:00:00Z'), state: 'checked' as const }, // 04-01 22:30
      { id: 'c', time: Date.parse('2026-04-01T10:00:00Z'), state: 'checked' as const },
      { id: 'd', time: Date.parse('2026-03-31T12:00:00Z'), state: 'checked' as const },
    ];
    assert.deepEqual([...selectKept(day, { daily: 2 }, 'UTC').keep.keys()], ['a', 'd']);
    assert.deepEqual([...selectKept(day, { daily: 2 }, 'Asia/Kolkata').keep.keys()], ['a', 'b']);
  });
});

describe('selectKept: only verified backups count', () => {
  const t = (day: number, hour = 2) => Date.UTC(2026, 3, day, hour);

  it('a day whose newest backup is unverified keeps its newest verified one instead', () => {
    const decision = selectKept(
      [
        { id: 'new-taken', time: t(5, 3), state: 'taken' },
        { id: 'd5', time: t(5), state: 'checked' },
        { id: 'd4-failed', time: t(4, 3), state: 'failed' },
        { id: 'd4', time: t(4), state: 'drilled' },
        { id: 'd3-taken', time: t(3, 3), state: 'taken' },
        { id: 'd3', time: t(3), state: 'checked' },
        { id: 'd2', time: t(2), state: 'checked' },
      ],
      { daily: 2 },
      'UTC',
    );
    assert.deepEqual(Object.fromEntries(decision.keep), {
      'new-taken': ['newer than the newest verified backup'],
      d5: ['daily'],
      d4: ['daily'],
    });
    assert.deepEqual(decision.remove, ['d4-failed', 'd3-taken', 'd3', 'd2']);
  });

  it('keeps everything unverified while nothing is verified yet, and a running backup always', () => {
    const decision = selectKept(
      [
        { id: 'r', time: t(1), state: 'running' },
        { id: 'x', time: t(2), state: 'taken' },
        { id: 'y', time: t(3), state: 'failed' },
      ],
      { last: 1 },
      'UTC',
    );
    assert.deepEqual(decision.remove, []);
    assert.deepEqual(decision.keep.get('r'), ['in progress']);
  });

  it('never removes the newest verified backup, however old', () => {
    const decision = selectKept(
      [
        { id: 'old-good', time: t(1), state: 'checked' },
        { id: 'f1', time: t(2), state: 'failed' },
        { id: 'f2', time: t(3), state: 'failed' },
      ],
      { last: 1 },
      'UTC',
    );
    assert.ok(decision.keep.has('old-good'));
    assert.deepEqual(decision.remove, []);
  });
});

describe('isoWeek', () => {
  it('follows ISO 8601 across year ends', () => {
    assert.equal(isoWeek({ year: 2016, month: 1, day: 3 }), 201553);
    assert.equal(isoWeek({ year: 2016, month: 1, day: 4 }), 201601);
    assert.equal(isoWeek({ year: 2024, month: 12, day: 30 }), 202501);
    assert.equal(isoWeek({ year: 2026, month: 12, day: 31 }), 202653);
  });
});
