/**
 * Two-factor sign-in with TOTP: enrolment (a pending secret until a first code proves the app has it), recovery
 * codes, disabling, and the second-factor check at sign-in. Secrets are stored encrypted under the data dir's key.
 */

import { type AccountsContext, AccountsError, requireUser } from './accounts.js';
import type { UsersTable } from './accounts-schema.js';
import { decryptSecret, encryptSecret } from './secrets.js';
import { checkTotp, newRecoveryCodes, newTotpSecret, recoveryCodeHash, totpUrl } from './totp.js';

/** Starts enrolment: a new secret, kept pending until confirmed; shown to the user once, here. */
export async function enrollTotp(
  ctx: AccountsContext,
  userId: string,
): Promise<{ secret: string; otpauthUrl: string }> {
  const user = await requireUser(ctx, userId);
  if (user.totp_secret !== null)
    throw new AccountsError('two-factor sign-in is already on: turn it off first to enrol again', 409, 'totp_enabled');
  const secret = newTotpSecret();
  await ctx.store.updateUser(userId, { totp_pending_secret: encryptSecret(await ctx.totpKey(), secret) });
  return { secret, otpauthUrl: totpUrl(secret, user.email) };
}

/** Confirms enrolment with a first code; returns the recovery codes (shown once). */
export async function confirmTotp(ctx: AccountsContext, userId: string, code: string): Promise<string[]> {
  const user = await requireUser(ctx, userId);
  if (user.totp_pending_secret === null)
    throw new AccountsError(
      'no enrolment in progress: start with POST /api/auth/totp/enroll',
      409,
      'totp_not_enrolling',
    );
  const secret = await openSecret(ctx, user.totp_pending_secret);
  const check = checkTotp(secret, code, ctx.now(), null);
  if (!check.ok)
    throw new AccountsError('that code does not match: check the authenticator app and its clock', 400, 'totp_invalid');
  const codes = newRecoveryCodes();
  await ctx.store.replaceRecoveryCodes(userId, codes.map(recoveryCodeHash));
  await ctx.store.updateUser(userId, {
    totp_secret: user.totp_pending_secret,
    totp_pending_secret: null,
    totp_last_step: check.step,
  });
  return codes;
}

/** Turns TOTP off after a valid code (or recovery code). */
export async function disableTotp(ctx: AccountsContext, userId: string, code: string): Promise<void> {
  const user = await requireUser(ctx, userId);
  if (user.totp_secret === null) throw new AccountsError('two-factor sign-in is not on', 409, 'totp_not_enabled');
  const ok = /^\s*\d{6}\s*$/.test(code)
    ? await acceptTotp(ctx, user, code)
    : await ctx.store.useRecoveryCode(userId, recoveryCodeHash(code), ctx.now());
  if (!ok) throw new AccountsError('that code does not match (or was already used)', 400, 'totp_invalid');
  await ctx.store.replaceRecoveryCodes(userId, []);
  await ctx.store.updateUser(userId, { totp_secret: null, totp_pending_secret: null, totp_last_step: null });
}

/** True when the sign-in's second factor is valid: a fresh TOTP code or an unused recovery code. */
export async function secondFactorOk(
  ctx: AccountsContext,
  user: UsersTable,
  input: { totp?: string; recoveryCode?: string },
): Promise<boolean> {
  if (input.totp !== undefined) return acceptTotp(ctx, user, input.totp);
  if (input.recoveryCode !== undefined)
    return ctx.store.useRecoveryCode(user.id, recoveryCodeHash(input.recoveryCode), ctx.now());
  return false;
}

async function acceptTotp(ctx: AccountsContext, user: UsersTable, code: string): Promise<boolean> {
  if (user.totp_secret === null) return false;
  const check = checkTotp(await openSecret(ctx, user.totp_secret), code, ctx.now(), user.totp_last_step);
  // The step is advanced with a compare-and-set: two requests with one code cannot both pass.
  return check.ok && (await ctx.store.advanceTotpStep(user.id, check.step));
}

async function openSecret(ctx: AccountsContext, sealed: string): Promise<string> {
  try {
    return decryptSecret(await ctx.totpKey(), sealed);
  } catch {
    throw new AccountsError(
      "upkeep internal error: the TOTP secret cannot be decrypted with this data dir's key (was the channel-key file replaced?); an admin can run `upkeep user passwd` and the user enrols again",
      500,
      'totp_key_mismatch',
    );
  }
}
