import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MAX_ATTEMPTS, MAX_RETRY_AFTER_MS, retryDelayMs, retryWaitMs } from './backoff.js';

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

it("waits for the service's Retry-After when it is longer than the backoff, capped at an hour", () => {
  const mid = () => 0.5;
  assert.equal(retryWaitMs(1, mid), 30_000, 'no Retry-After: the backoff');
  assert.equal(retryWaitMs(1, mid, 5_000), 30_000, 'a shorter Retry-After does not hurry the backoff');
  assert.equal(retryWaitMs(1, mid, 600_000), 600_000);
  assert.equal(retryWaitMs(2, mid, 7 * 86_400_000), MAX_RETRY_AFTER_MS, 'a week is capped at an hour');
  assert.equal(MAX_RETRY_AFTER_MS, 3_600_000);
  assert.equal(retryWaitMs(MAX_ATTEMPTS, mid, 600_000), null, 'Retry-After adds no attempts');
});
