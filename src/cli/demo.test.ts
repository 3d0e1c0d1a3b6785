/** `upkeep demo` (what `npm start` runs) as a real process: the sample app starts, breaks on cue, and the alert fires. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { spawnUpkeep } from './test-process.js';

describe('upkeep demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'upkeep-demo-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('runs the sample app, breaks it on cue, the health check fires, and SIGTERM stops it cleanly', async () => {
    const demo = spawnUpkeep(['demo', '--port', '0', '--data-dir', dir, '--break-after', '1s', '--mend-after', '10m'], {
      UPKEEP_PLAN: '',
    });
    try {
      await demo.waitFor(/sample app listening on http:\/\/127\.0\.0\.1:\d+/);
      await demo.waitFor(/in 1s the sample app will start failing/);
      await demo.waitFor(/the sample app now answers 503/);
      // Every 10s with two failures to fire: firing within ~20s of the break; generous for a loaded machine.
      await demo.waitFor(/sample-app\/api-health\s+\S+ → pending/, 30_000);
      await demo.waitFor(/sample-app\/api-health\s+pending → firing/, 30_000);
    } finally {
      demo.child.kill('SIGTERM');
    }
    const { code } = await demo.exited;
    assert.equal(code, 0, demo.stderr());
  });

  test('a bad timetable is a usage error that says what to write', async () => {
    const demo = spawnUpkeep(['demo', '--port', '0', '--data-dir', dir, '--break-after', 'soon']);
    const { code } = await demo.exited;
    assert.equal(code, 2);
    assert.match(demo.stderr(), /--break-after takes a duration such as 20s or 2m, not "soon"/);
  });
});
