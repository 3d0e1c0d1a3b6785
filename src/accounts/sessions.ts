/**
 * Sign-in and sessions. A session is a server-side row keyed by the SHA-256 of the cookie's secret; the CSRF token is
 * an HMAC of that secret, so neither the cookie nor the CSRF token is stored anywhere. Sign-in is throttled per IP
 * and per account+IP (throttle.ts); every sign-in makes a new session.
 */
import { createHmac } from 'node:crypto';
import type { Principal, Role } from '../web/access.js';
import { type AccountsContext, AccountsError, setPassword } from './accounts.js';
import type { UsersTable } from './accounts-schema.js';
import { type UserRecord, userRecord } from './accounts-store.js';
import { randomSecret, sha256Hex, verifyPassword } from './secrets.js';
import { sessionEnded, shouldTouch } from './session-policy.js';
import { afterFailure, throttleKeys, waitMs } from './throttle.js';
import { secondFactorOk } from './two-factor.js';

/** A sign-in attempt. */
export interface LoginInput {
  email: string;
  password: string;
  totp?: string;
  recoveryCode?: string;
  ip: string;
  userAgent?: string;
}

/** What a sign-in attempt came to. */
export type LoginResult =
  | { kind: 'ok'; user: UserRecord; cookie: string; csrfToken: string }
  | { kind: 'invalid'; code?: 'totp_invalid' }
  | { kind: 'totp_required' }
  | { kind: 'throttled'; retryAfterSeconds: number };

/** A request's valid session. */
export interface SessionAuth {
  principal: Principal;
  user: UsersTable;
  csrfToken: string;
}

/** The CSRF token of a session: derived from its cookie, so it is never stored. */
export function csrfTokenFor(cookie: string): string {
  return createHmac('sha256', cookie).update('upkeep csrf').digest('base64url');
}

/** Checks a sign-in, throttled; on success creates a new session. */
export async function login(ctx: AccountsContext, input: LoginInput): Promise<LoginResult> {
  const now = ctx.now();
  const email = input.email.trim().toLowerCase();
  const keys = throttleKeys(email, input.ip);
  const states = await ctx.store.throttleStates(keys.map((k) => k.key));
  const wait = Math.max(...keys.map((k) => waitMs(states.get(k.key), now)));
  if (wait > 0) return { kind: 'throttled', retryAfterSeconds: Math.ceil(wait / 1000) };
  const fail = async () => {
    for (const { key, policy } of keys) await ctx.store.putThrottle(key, afterFailure(states.get(key), now, policy));
  };
  const user = await ctx.store.userByEmail(email);
  if (!(await verifyPassword(user?.password_hash, input.password)) || !user) {
    await fail();
    return { kind: 'invalid' };
  }
  if (user.totp_secret !== null) {
    if (input.totp === undefined && input.recoveryCode === undefined) return { kind: 'totp_required' };
    if (!(await secondFactorOk(ctx, user, input))) {
      await fail();
      return { kind: 'invalid', code: 'totp_invalid' };
    }
  }
  await ctx.store.clearThrottle(keys[1]?.key as string);
  const cookie = await createSession(ctx, user.id, input.ip, input.userAgent);
  const fresh = (await ctx.store.userById(user.id)) ?? user;
  return { kind: 'ok', user: userRecord(fresh), cookie, csrfToken: csrfTokenFor(cookie) };
}

/** A new session for `userId`; returns the cookie's value (its secret). */
export async function createSession(
  ctx: AccountsContext,
  userId: string,
  ip: string | null,
  userAgent?: string,
): Promise<string> {
  const cookie = randomSecret();
  const now = ctx.now();
  await ctx.store.insertSession({
    id: sha256Hex(cookie),
    user_id: userId,
    created_at: now,
    last_seen_at: now,
    ip,
    user_agent: userAgent?.slice(0, 300) ?? null,
  });
  return cookie;
}

/** The session a cookie names, if it is valid now; an ended session's row is deleted. */
export async function resolveSession(ctx: AccountsContext, cookie: string): Promise<SessionAuth | null> {
  if (cookie.length === 0 || cookie.length > 200) return null;
  const id = sha256Hex(cookie);
  const found = await ctx.store.sessionWithUser(id);
  if (!found) return null;
  const now = ctx.now();
  const { session, user } = found;
  if (sessionEnded({ createdAt: session.created_at, lastSeenAt: session.last_seen_at }, now, ctx.sessionPolicy)) {
    await ctx.store.deleteSession(id);
    return null;
  }
  if (shouldTouch(session.last_seen_at, now, ctx.sessionPolicy)) await ctx.store.touchSession(id, now);
  return {
    principal: { kind: 'session', userId: user.id, sessionId: id, name: user.email, role: user.role as Role },
    user,
    csrfToken: csrfTokenFor(cookie),
  };
}

/** Ends the session a cookie names. */
export async function logout(ctx: AccountsContext, cookie: string): Promise<void> {
  await ctx.store.deleteSession(sha256Hex(cookie));
}

/** Changes the caller's password after checking the current one; every other session of the user ends. */
export async function changePassword(
  ctx: AccountsContext,
  auth: { userId: string; sessionId?: string },
  current: string,
  next: string,
): Promise<void> {
  const user = await ctx.store.userById(auth.userId);
  if (!user || !(await verifyPassword(user.password_hash, current)))
    throw new AccountsError('the current password is wrong', 400, 'wrong_password');
  await setPassword(ctx, user.id, next, auth.sessionId);
}
