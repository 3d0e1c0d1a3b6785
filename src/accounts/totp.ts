/**
 * TOTP (RFC 6238) through otpauth, pure: secrets, the enrolment URL, and code checks against the caller's clock with
 * a ±1 step window; a code of a step at or before the last accepted one is a replay. Recovery codes are random and
 * checked by hash.
 */
import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { sha256Hex } from './secrets.js';

const PERIOD_S = 30;
/** How many recovery codes a user gets at enrolment. */
export const RECOVERY_CODE_COUNT = 10;

/** A new TOTP secret, base32 (160 bits, as RFC 4226 recommends). */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URL an authenticator app scans. */
export function totpUrl(secret: string, account: string): string {
  return new TOTP({ issuer: 'upkeep', label: account, secret: Secret.fromBase32(secret), period: PERIOD_S }).toString();
}

/** The code of `secret` at `now` (tests and the enrolment check use it). */
export function totpCode(secret: string, now: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: now, period: PERIOD_S });
}

/** The outcome of checking a code. */
export type TotpCheck = { ok: true; step: number } | { ok: false; reason: 'wrong' | 'replayed' };

/** Checks `code` against `secret` at `now`; `lastStep` is the step of the last code accepted (replays refused). */
export function checkTotp(secret: string, code: string, now: number, lastStep: number | null): TotpCheck {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return { ok: false, reason: 'wrong' };
  const delta = TOTP.validate({
    token,
    secret: Secret.fromBase32(secret),
    timestamp: now,
    period: PERIOD_S,
    window: 1,
  });
  if (delta === null) return { ok: false, reason: 'wrong' };
  const step = TOTP.counter({ period: PERIOD_S, timestamp: now }) + delta;
  if (lastStep !== null && step <= lastStep) return { ok: false, reason: 'replayed' };
  return { ok: true, step };
}

/** New recovery codes (64 bits each, shown once as `xxxx-xxxx-xxxx-xxxx`). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () =>
    (randomBytes(8).toString('hex').match(/.{4}/g) as string[]).join('-'),
  );
}

/** The stored hash of a recovery code, whatever its case and dashes. */
export function recoveryCodeHash(code: string): string {
  return sha256Hex(`recovery:${code.toLowerCase().replace(/[^0-9a-f]/g, '')}`);
}
