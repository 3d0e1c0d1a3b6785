import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inMaintenance, maintenanceAround, maintenanceAt, type Window } from './maintenance.js';

const sundays3am: Window = {
  apps: ['shop'],
  schedule: { kind: 'cron', expr: '0 3 * * 0', timezone: 'Asia/Kolkata', text: '0 3 * * 0' },
  durationMs: 3_600_000,
};

describe('inMaintenance', () => {
  it('opens a recurring window at its start in the plan time zone and closes it after its duration', () => {
    // Sunday 2026-11-22 03:00 in Kolkata is 2026-11-21T21:30Z.
    const start = Date.parse('2026-11-21T21:30:00Z');
    assert.equal(inMaintenance([sundays3am], 'shop', start - 1), false);
    assert.equal(inMaintenance([sundays3am], 'shop', start), true);
    assert.equal(inMaintenance([sundays3am], 'shop', start + 59 * 60_000), true);
    assert.equal(inMaintenance([sundays3am], 'shop', start + 3_600_000), false);
  });

  it('only covers the apps it names, and all apps when it names none', () => {
    const start = Date.parse('2026-11-21T21:30:00Z') + 1000;
    assert.equal(inMaintenance([sundays3am], 'blog', start), false);
    const all: Window = { from: 0, to: 10 };
    assert.equal(inMaintenance([all], 'blog', 5), true);
    assert.equal(inMaintenance([all], 'blog', 10), false);
  });
});

describe('maintenanceAt', () => {
  const start = Date.parse('2026-11-21T21:30:00Z');
  const week = 7 * 86_400_000;

  it('gives the open occurrence of a recurring window as active, and its next opening as next', () => {
    const inside = maintenanceAt([sundays3am], start + 600_000);
    assert.deepEqual(inside.active, [{ apps: ['shop'], from: start, to: start + 3_600_000 }]);
    assert.deepEqual(inside.next, [{ apps: ['shop'], from: start + week, to: start + week + 3_600_000 }]);
    const before = maintenanceAt([sundays3am], start - 1);
    assert.deepEqual(before.active, []);
    assert.deepEqual(before.next, [{ apps: ['shop'], from: start, to: start + 3_600_000 }]);
  });

  it('orders one-off and every-windows soonest first, drops past ones, and keeps to the horizon and limit', () => {
    const now = 1_000_000;
    const windows: Window[] = [
      { from: now + 5_000, to: now + 6_000 },
      { from: now - 10_000, to: now - 5_000 },
      { apps: ['blog'], schedule: { kind: 'every', everyMs: 60_000, text: 'every 1m' }, durationMs: 10_000 },
      { from: now + 90 * 86_400_000, to: now + 91 * 86_400_000 },
    ];
    const at = maintenanceAt(windows, now);
    // 1,000,000 is 40 s into a minute: the every-window (first 10 s of each minute) is closed now.
    assert.deepEqual(at.active, []);
    assert.deepEqual(at.next, [
      { apps: null, from: now + 5_000, to: now + 6_000 },
      { apps: ['blog'], from: 1_020_000, to: 1_030_000 },
    ]);
    assert.equal(maintenanceAt(windows, now, { limit: 1 }).next.length, 1);
    assert.deepEqual(maintenanceAt(windows, 1_025_000).active, [{ apps: ['blog'], from: 1_020_000, to: 1_030_000 }]);
  });
});

describe('maintenanceAround', () => {
  const start = Date.parse('2026-11-21T21:30:00Z');
  const week = 7 * 86_400_000;

  it('lists the open occurrence as active and the next ones within the horizon as upcoming', () => {
    const during = maintenanceAround([sundays3am], 'shop', start + 60_000, 8 * 86_400_000);
    assert.deepEqual(during.active, [{ from: start, to: start + 3_600_000 }]);
    assert.deepEqual(during.upcoming, [{ from: start + week, to: start + week + 3_600_000 }]);
    const before = maintenanceAround([sundays3am], 'shop', start - 60_000, 86_400_000);
    assert.deepEqual(before, { active: [], upcoming: [{ from: start, to: start + 3_600_000 }] });
  });

  it('skips other apps, ended one-off windows and those beyond the horizon; keeps descriptions', () => {
    const once = { from: 1_000, to: 2_000, description: 'db upgrade' };
    assert.deepEqual(maintenanceAround([sundays3am], 'blog', start, week), { active: [], upcoming: [] });
    assert.deepEqual(maintenanceAround([once], 'blog', 2_000, week), { active: [], upcoming: [] });
    assert.deepEqual(maintenanceAround([once], 'blog', 500, 100), { active: [], upcoming: [] });
    assert.deepEqual(maintenanceAround([once], 'blog', 500, 1_000).upcoming, [once]);
  });
});
