import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextRunAt, parseSchedule, ScheduleError, schedulePeriodMs, unitOffsetMs } from './schedule-spec.js';

const iso = (ms: number) => new Date(ms).toISOString();
const at = (text: string) => Date.parse(text);

describe('parseSchedule', () => {
  it('reads the friendly forms as cron in the plan zone', () => {
    const cases: [string, string][] = [
      ['hourly', '0 * * * *'],
      ['daily 02:00', '0 2 * * *'],
      ['daily', '0 0 * * *'],
      ['weekly mon 03:00', '0 3 * * 1'],
      ['weekly sunday 23:30', '30 23 * * 0'],
      ['monthly 1 04:00', '0 4 1 * *'],
      ['quarterly', '0 0 1 1,4,7,10 *'],
      ['0 3 * * 0', '0 3 * * 0'],
      ['*/10 * * * * *', '*/10 * * * * *'],
    ];
    for (const [text, expr] of cases) {
      assert.deepEqual(parseSchedule(text, 'Asia/Kolkata'), { kind: 'cron', expr, timezone: 'Asia/Kolkata', text });
    }
  });

  it('reads every <duration>', () => {
    assert.deepEqual(parseSchedule('every  5m', 'UTC'), { kind: 'every', everyMs: 300_000, text: 'every 5m' });
  });

  it('says why a cron expression is bad', () => {
    assert.throws(() => parseSchedule('61 * * * *', 'UTC'), {
      name: 'ScheduleError',
      message: 'bad cron expression "61 * * * *": Invalid value for minute: 61',
    });
    assert.throws(() => parseSchedule('* * * * * * *', 'UTC'), /bad cron expression "\* \* \* \* \* \* \*"/);
  });

  it('rejects hostile or mistyped text with the accepted forms', () => {
    for (const text of [
      '',
      'every',
      'every 5 minutes',
      'every 0s',
      'daily 25:00',
      'weekly funday',
      'monthly 31',
      'nightly',
    ]) {
      assert.throws(
        () => parseSchedule(text, 'UTC'),
        (error: unknown) => error instanceof ScheduleError && error.expected.length > 0,
        text,
      );
    }
  });

  it('rejects an unknown time zone', () => {
    assert.throws(() => parseSchedule('daily', 'Asia/Kolkatta'), { message: 'unknown time zone "Asia/Kolkatta"' });
  });
});

describe('nextRunAt', () => {
  it('gives an every-unit a stable phase and the next slot strictly after', () => {
    const spec = parseSchedule('every 1m', 'UTC');
    const offset = unitOffsetMs(spec, 'shop/api');
    assert.ok(offset >= 0 && offset < 60_000);
    const base = at('2026-01-01T00:00:00Z');
    const first = nextRunAt(spec, base, 'shop/api');
    assert.equal(first, base + offset);
    assert.equal(nextRunAt(spec, first, 'shop/api'), first + 60_000);
    assert.equal(nextRunAt(spec, first - 1, 'shop/api'), first);
  });

  it('spreads units with the same period over the period', () => {
    const spec = parseSchedule('every 1m', 'UTC');
    const seconds = new Set<number>();
    for (let i = 0; i < 100; i++) seconds.add(Math.floor(unitOffsetMs(spec, `app/check-${i}`) / 1000));
    assert.ok(seconds.size > 40, `only ${seconds.size} distinct seconds for 100 units`);
  });

  it('makes a run missed during downtime due once, not as a backlog', () => {
    const spec = parseSchedule('every 5m', 'UTC');
    const before = nextRunAt(spec, at('2026-01-01T00:00:00Z'), 'a/b');
    const afterDowntime = at('2026-01-01T03:17:12Z');
    const next = nextRunAt(spec, afterDowntime, 'a/b');
    assert.ok(next > afterDowntime && next <= afterDowntime + 300_000);
    assert.equal((next - before) % 300_000, 0);
  });

  it('runs cron in Asia/Kolkata with a small per-unit spread', () => {
    const spec = parseSchedule('daily 02:00', 'Asia/Kolkata');
    const offset = unitOffsetMs(spec, 'shop/backup');
    assert.ok(offset >= 0 && offset < 30_000);
    // 02:00 IST is 20:30 UTC the day before.
    assert.equal(nextRunAt(spec, at('2026-01-01T12:00:00Z'), 'shop/backup'), at('2026-01-01T20:30:00Z') + offset);
    const due = nextRunAt(spec, at('2026-01-01T12:00:00Z'), 'shop/backup');
    assert.equal(nextRunAt(spec, due, 'shop/backup'), at('2026-01-02T20:30:00Z') + offset);
    assert.equal(nextRunAt(spec, due - 1, 'shop/backup'), due);
  });

  it('keeps the cron spread under a tenth of a short period', () => {
    const spec = parseSchedule('* * * * *', 'UTC');
    assert.equal(schedulePeriodMs(spec), 60_000);
    for (let i = 0; i < 50; i++) assert.ok(unitOffsetMs(spec, `x/${i}`) < 6_000);
  });

  it('follows Europe/Berlin across both DST changes', () => {
    const spec = parseSchedule('daily 02:30', 'Europe/Berlin');
    const id = 'shop/cleanup';
    const offset = unitOffsetMs(spec, id);
    const runs: string[] = [];
    let t = at('2026-03-27T12:00:00Z');
    for (let i = 0; i < 3; i++) {
      t = nextRunAt(spec, t, id);
      runs.push(iso(t - offset));
    }
    // 02:30 does not exist on 29 March: the run moves to the first valid time after the gap (03:00 CEST).
    assert.deepEqual(runs, ['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    runs.length = 0;
    t = at('2026-10-24T12:00:00Z');
    for (let i = 0; i < 2; i++) {
      t = nextRunAt(spec, t, id);
      runs.push(iso(t - offset));
    }
    // 02:30 happens twice on 25 October: it runs once, at the first one (CEST).
    assert.deepEqual(runs, ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('runs quarterly on the first day of Jan/Apr/Jul/Oct', () => {
    const spec = parseSchedule('quarterly', 'UTC');
    const offset = unitOffsetMs(spec, 'a/q');
    let t = at('2026-02-10T00:00:00Z');
    const runs: string[] = [];
    for (let i = 0; i < 4; i++) {
      t = nextRunAt(spec, t, 'a/q');
      runs.push(iso(t - offset).slice(0, 10));
    }
    assert.deepEqual(runs, ['2026-04-01', '2026-07-01', '2026-10-01', '2027-01-01']);
  });
});
