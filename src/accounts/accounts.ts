/**
 * Accounts logic over the store: users, the first-admin setup token, API tokens and settings. Sessions and sign-in
 * are in sessions.ts, TOTP in two-factor.ts. Errors are AccountsError with the HTTP status and the words to show.
 */
import type { Database } from '../store/database.js';
import { type Principal, ROLES, type Role } from '../web/access.js';
import { AccountsStore, type TokenRecord, type UserRecord, userRecord } from './accounts-store.js';
import { API_TOKEN_PREFIX, hashPassword, passwordProblem, randomId, randomSecret, sha256Hex } from './secrets.js';
import { DEFAULT_SESSION_POLICY, type SessionPolicy } from './session-policy.js';

/** A refusal the caller can act on: an HTTP status, the words, and an optional machine code. */
export class AccountsError extends Error {
  override readonly name = 'AccountsError';
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** What accounts logic needs: the store, the clock, the TOTP key and the session timeouts. */
export interface AccountsContext {
  store: AccountsStore;
  now: () => number;
  /** The key TOTP secrets are encrypted with (kept in the data dir, never in the store). */
  totpKey: () => Promise<Buffer>;
  sessionPolicy: SessionPolicy;
}

/** Builds the accounts context on `database`. */
export function accountsContext(
  database: Database,
  opts: { now: () => number; totpKey: () => Promise<Buffer>; sessionPolicy?: SessionPolicy },
): AccountsContext {
  return {
    store: new AccountsStore(database),
    now: opts.now,
    totpKey: opts.totpKey,
    sessionPolicy: opts.sessionPolicy ?? DEFAULT_SESSION_POLICY,
  };
}

/** How long a setup link works. */
export const SETUP_TOKEN_TTL_MS = 3_600_000;
/** A token's last-used time is written at most this often. */
export const TOKEN_TOUCH_MS = 60_000;

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const NAME = /^[^\p{Cc}]{1,100}$/u;

/** The role named by `text`, or an error listing the roles. */
export function parseRole(text: unknown): Role {
  if (typeof text === 'string' && (ROLES as readonly string[]).includes(text)) return text as Role;
  throw new AccountsError(`role must be one of ${ROLES.join(', ')}, not ${JSON.stringify(text)}`, 400, 'bad_role');
}

/** The email lower-cased, or an error saying what an email looks like. */
export function normaliseEmail(email: string): string {
  const trimmed = email.trim();
  if (trimmed.length > 254 || !EMAIL.test(trimmed))
    throw new AccountsError(`"${trimmed.slice(0, 80)}" is not an email address (name@example.com)`, 400, 'bad_email');
  return trimmed.toLowerCase();
}

function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new AccountsError(problem, 400, 'weak_password');
}

/** Creates a user; refuses a taken email or a weak password. */
export async function addUser(
  ctx: AccountsContext,
  input: { email: string; role: Role; password: string },
): Promise<UserRecord> {
  const email = normaliseEmail(input.email);
  checkPassword(input.password);
  if (await ctx.store.userByEmail(email)) throw new AccountsError(`a user ${email} already exists`, 409, 'user_exists');
  const now = ctx.now();
  const row = {
    id: randomId(),
    email,
    role: input.role,
    password_hash: await hashPassword(input.password),
    created_at: now,
    password_changed_at: now,
    totp_secret: null,
    totp_pending_secret: null,
    totp_last_step: null,
  };
  await ctx.store.insertUser(row);
  return userRecord(row);
}

/** Sets a user's password (admin or CLI) and ends all their sessions. */
export async function setPassword(ctx: AccountsContext, userId: string, password: string, keepSession?: string) {
  checkPassword(password);
  await ctx.store.updateUser(userId, { password_hash: await hashPassword(password), password_changed_at: ctx.now() });
  await ctx.store.deleteUserSessions(userId, keepSession);
}

/** The user with `id`, or a 404. */
export async function requireUser(ctx: AccountsContext, id: string) {
  const user = await ctx.store.userById(id);
  if (!user) throw new AccountsError(`no user with id "${id}"`, 404, 'no_user');
  return user;
}

/** Removes a user; the last admin stays (or nobody could manage upkeep). */
export async function removeUser(ctx: AccountsContext, id: string): Promise<UserRecord> {
  const user = await requireUser(ctx, id);
  if (user.role === 'admin' && (await ctx.store.countAdmins()) <= 1)
    throw new AccountsError(`${user.email} is the last admin: make another user admin first`, 409, 'last_admin');
  await ctx.store.deleteUser(id, ctx.now());
  return userRecord(user);
}

/** Changes a user's role; the last admin keeps theirs. */
export async function setRole(ctx: AccountsContext, id: string, role: Role): Promise<UserRecord> {
  const user = await requireUser(ctx, id);
  if (user.role === 'admin' && role !== 'admin' && (await ctx.store.countAdmins()) <= 1)
    throw new AccountsError(`${user.email} is the last admin: make another user admin first`, 409, 'last_admin');
  await ctx.store.updateUser(id, { role });
  return userRecord({ ...user, role });
}

/** A new setup token (the only valid one) when there are no users; null when upkeep already has users. */
export async function issueSetupToken(ctx: AccountsContext): Promise<string | null> {
  if ((await ctx.store.countUsers()) > 0) return null;
  const token = randomSecret();
  const now = ctx.now();
  await ctx.store.replaceSetupToken(sha256Hex(token), now, now + SETUP_TOKEN_TTL_MS);
  return token;
}

/** Consumes a setup token and creates the first admin. */
export async function setupFirstAdmin(
  ctx: AccountsContext,
  input: { token: string; email: string; password: string },
): Promise<UserRecord> {
  if ((await ctx.store.countUsers()) > 0)
    throw new AccountsError('upkeep is already set up: sign in instead', 409, 'already_set_up');
  // Validate first: a typo in the password must not burn the single-use link.
  normaliseEmail(input.email);
  checkPassword(input.password);
  if (!(await ctx.store.consumeSetupToken(sha256Hex(input.token), ctx.now())))
    throw new AccountsError(
      'this setup link is used or expired: restart `upkeep start` for a new one, or run `upkeep user add`',
      401,
      'setup_token_invalid',
    );
  return addUser(ctx, { email: input.email, role: 'admin', password: input.password });
}

/** Creates an API token; returns the token itself (shown once) and its id. */
export async function createToken(
  ctx: AccountsContext,
  input: { name: string; role: Role; createdBy: string | null },
): Promise<{ id: string; token: string; record: TokenRecord }> {
  const name = input.name.trim();
  if (!NAME.test(name))
    throw new AccountsError('a token name is 1-100 characters without control characters', 400, 'bad_name');
  const token = `${API_TOKEN_PREFIX}${randomSecret()}`;
  const row = {
    id: randomId(),
    name,
    role: input.role,
    token_hash: sha256Hex(token),
    created_by: input.createdBy,
    created_at: ctx.now(),
    last_used_at: null,
    revoked_at: null,
  };
  await ctx.store.insertToken(row);
  const record = { id: row.id, name, role: input.role, createdAt: row.created_at, lastUsedAt: null, revokedAt: null };
  return { id: row.id, token, record };
}

/** The principal of a Bearer token, or null when it is unknown or revoked. */
export async function tokenPrincipal(ctx: AccountsContext, token: string): Promise<Principal | null> {
  if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return null;
  const row = await ctx.store.tokenByHash(sha256Hex(token));
  if (!row || row.revoked_at !== null) return null;
  await ctx.store.touchToken(row.id, ctx.now(), TOKEN_TOUCH_MS);
  return {
    kind: 'token',
    tokenId: row.id,
    userId: row.created_by ?? undefined,
    name: `token:${row.name}`,
    role: row.role as Role,
  };
}

/** Admin settings. */
export interface Settings {
  requireTotp: boolean;
}

/** The current settings. */
export async function getSettings(ctx: AccountsContext): Promise<Settings> {
  return { requireTotp: (await ctx.store.getSetting('requireTotp')) === 'true' };
}

/** Stores the settings. */
export async function putSettings(ctx: AccountsContext, settings: Settings): Promise<Settings> {
  await ctx.store.putSetting('requireTotp', settings.requireTotp ? 'true' : 'false');
  return settings;
}
