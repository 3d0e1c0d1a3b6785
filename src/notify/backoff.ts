/** When a failed send is tried again: exponential backoff with jitter, about an hour in all. Pure. */

/** Attempts before a row is given up as failed: 30s, 1m, 2m, 4m, 8m, 16m, 30m apart (about 61 min in all). */
export const MAX_ATTEMPTS = 8;

const BASE_MS = 30_000;
const CAP_MS = 30 * 60_000;

/**
 * The wait after failed attempt number `attempt` (1-based), or null when no attempt is left. `random` in [0, 1)
 * spreads retries by ±20% so rows that failed together (a channel outage) do not all come back at once.
 */
export function retryDelayMs(attempt: number, random: () => number): number | null {
  if (attempt >= MAX_ATTEMPTS) return null;
  const delay = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(delay * (0.8 + 0.4 * random()));
}
