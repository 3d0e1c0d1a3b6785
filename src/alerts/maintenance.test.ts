import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inMaintenance, type Window } from './maintenance.js';

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
