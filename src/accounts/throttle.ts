/**
 * Login throttling, pure: a key (an IP, or an account as seen from one IP) may fail a few times freely, then each
 * further failure doubles how long it must wait, up to a cap; failures are forgotten after a quiet hour. Keying the
 * account's counter on account+IP means an attacker elsewhere slows only themselves, never locks its owner out; the
 * per-IP counter slows one source spraying many accounts. The clock is the caller's `now`.
 */

/** What the store keeps per key. */
export interface ThrottleState {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

/** How a kind of key is throttled. */
export interface ThrottlePolicy {
  /** Failures allowed before any wait. */
  freeFailures: number;
  /** The first wait; each further failure doubles it. */
  baseDelayMs: number;
  /** The longest wait: a backoff never grows into a lock-out. */
  maxDelayMs: number;
  /** A key that has not failed for this long starts again from nothing. */
  forgetAfterMs: number;
}

/** An account from one IP: 5 free tries, then 1 s, 2 s, 4 s ... at most 15 min. */
export const ACCOUNT_POLICY: ThrottlePolicy = {
  freeFailures: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

/** One IP over all accounts: room for a team behind one NAT, but not for a spray. */
export const IP_POLICY: ThrottlePolicy = {
  freeFailures: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

/** The throttle keys of a sign-in attempt, with their policies. */
export function throttleKeys(email: string, ip: string): { key: string; policy: ThrottlePolicy }[] {
  return [
    { key: `ip:${ip}`, policy: IP_POLICY },
    { key: `account:${email.toLowerCase()}|ip:${ip}`, policy: ACCOUNT_POLICY },
  ];
}

/** How long (ms) the key must still wait at `now`; 0 when it may try. */
export function waitMs(state: ThrottleState | undefined, now: number): number {
  return state ? Math.max(0, state.blockedUntil - now) : 0;
}

/** The key's state after a failed attempt at `now`. */
export function afterFailure(state: ThrottleState | undefined, now: number, policy: ThrottlePolicy): ThrottleState {
  const fresh = !state || now - state.lastFailureAt > policy.forgetAfterMs;
  const failures = (fresh ? 0 : state.failures) + 1;
  const over = failures - policy.freeFailures;
  // 2^over grows past the cap quickly; clamp the exponent so the number stays finite.
  const delay = over > 0 ? Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(over - 1, 30)) : 0;
  return { failures, lastFailureAt: now, blockedUntil: now + delay };
}
