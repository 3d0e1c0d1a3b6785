/** loadPlan reading from disk: the file's path in every issue, and a missing file that says what to do. */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadPlan, PlanError } from './load-plan.js';

const withChecks = (checks: string) => `version: 1\napps:\n  shop:\n    checks:\n${checks}`;

describe('loadPlan', () => {
  it('reads a file from disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'upkeep-plan-'));
    const file = join(dir, 'upkeep.yml');
    await writeFile(file, withChecks('      up: { tcp: "127.0.0.1:${PORT}" }\n'));
    const loaded = await loadPlan(file, { env: { PORT: '8080' } });
    assert.deepEqual(
      loaded.units.map((u) => u.id),
      ['shop/up'],
    );
    assert.match(loaded.units[0]?.target ?? '', /127\.0\.0\.1:8080/);
  });

  it('says what to do when the file is missing', async () => {
    await assert.rejects(loadPlan('/nonexistent/upkeep.yml', { env: {} }), (error: unknown) => {
      assert.ok(error instanceof PlanError);
      assert.equal(
        error.format(),
        '/nonexistent/upkeep.yml:1:1: plan file not found: create upkeep.yml or pass --plan <file> (or set UPKEEP_PLAN)',
      );
      return true;
    });
  });
});
