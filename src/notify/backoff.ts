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

/** The longest a service's Retry-After can push a retry back: past this, an alert would be too stale to matter. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * The wait after failed attempt `attempt`: the backoff, or the service's Retry-After when it asks for longer
 * (capped at MAX_RETRY_AFTER_MS, so a service answering "come back next week" cannot bury an alert). Null when no
 * attempt is left: Retry-After never adds attempts.
 */
export function retryWaitMs(attempt: number, random: () => number, retryAfterMs?: number): number | null {
  const backoff = retryDelayMs(attempt, random);
  if (backoff === null || retryAfterMs === undefined) return backoff;
  return Math.max(backoff, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}
