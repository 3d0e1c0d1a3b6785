import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MAX_ATTEMPTS, retryDelayMs } from './backoff.js';

it('doubles from 30 s to a 30 min cap, gives up after 8 attempts, about an hour in all', () => {
  const mid = () => 0.5;
  const delays = Array.from({ length: MAX_ATTEMPTS }, (_, i) => retryDelayMs(i + 1, mid));
  assert.deepEqual(delays, [30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_800_000, null]);
  const total = delays.reduce<number>((sum, d) => sum + (d ?? 0), 0);
  assert.ok(total > 55 * 60_000 && total < 65 * 60_000, `${total} ms`);
  // Jitter stays within ±20%.
  assert.equal(
    retryDelayMs(1, () => 0),
    24_000,
  );
  assert.equal(
    retryDelayMs(1, () => 0.999_999),
    36_000,
  );
});
