/** The accounts queries (Kysely, SQLite and PostgreSQL): users, sessions, API tokens, setup tokens, throttle, settings. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import type { Role } from '../web/access.js';
import {
  type AccountsSchema,
  type ApiTokensTable,
  accountsTables,
  type SessionsTable,
  type UsersTable,
} from './accounts-schema.js';
import type { ThrottleState } from './throttle.js';

/** A user as the API shows it: never a hash or a secret. */
export interface UserRecord {
  id: string;
  email: string;
  role: Role;
  totp: boolean;
  createdAt: number;
}

/** An API token as the API shows it (its hash is not part of it). */
export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** A session row with its user. */
export interface SessionWithUser {
  session: SessionsTable;
  user: UsersTable;
}

/** The user row as a record. Pure. */
export function userRecord(row: UsersTable): UserRecord {
  return {
    id: row.id,
    email: row.email,
    role: row.role as Role,
    totp: row.totp_secret !== null,
    createdAt: row.created_at,
  };
}

/** The token row as a record. Pure. */
export function tokenRecord(row: ApiTokensTable): TokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** Queries over the accounts tables of one database. */
export class AccountsStore {
  readonly db: Kysely<AccountsSchema>;

  constructor(readonly database: Database) {
    this.db = accountsTables(database);
  }

  /** How many users exist (0 means upkeep still needs its first admin). */
  async countUsers(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Inserts a user row. */
  async insertUser(row: UsersTable): Promise<void> {
    await this.db.insertInto('users').values(row).execute();
  }

  /** The user with `email` (compared lower-cased), if any. */
  async userByEmail(email: string): Promise<UsersTable | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
  }

  /** The user with `id`, if any. */
  async userById(id: string): Promise<UsersTable | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Every user, by email. */
  async listUsers(): Promise<UserRecord[]> {
    return (await this.db.selectFrom('users').selectAll().orderBy('email').execute()).map(userRecord);
  }

  /** How many admins there are (the last one may not be removed or demoted). */
  async countAdmins(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', 'admin')
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Changes fields of a user. */
  async updateUser(id: string, fields: Partial<Omit<UsersTable, 'id'>>): Promise<void> {
    await this.db.updateTable('users').set(fields).where('id', '=', id).execute();
  }

  /** Records an accepted TOTP step if it is newer than the last one; false when another request used it first. */
  async advanceTotpStep(id: string, step: number): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ totp_last_step: step })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Removes a user with their sessions and recovery codes, and revokes the API tokens they created (at `now`). */
  async deleteUser(id: string, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      // A removed person's scripts lose their access with them: their tokens are revoked, kept for the record.
      await trx
        .updateTable('api_tokens')
        .set({ revoked_at: now })
        .where('created_by', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
      await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
      await trx.deleteFrom('recovery_codes').where('user_id', '=', id).execute();
      await trx.deleteFrom('users').where('id', '=', id).execute();
    });
  }

  /** Inserts a session row. */
  async insertSession(row: SessionsTable): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  /** The session with `id` (the hash of its cookie) and its user. */
  async sessionWithUser(id: string): Promise<SessionWithUser | undefined> {
    const session = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!session) return undefined;
    const user = await this.userById(session.user_id);
    return user ? { session, user } : undefined;
  }

  /** Writes the session's last-seen time. */
  async touchSession(id: string, now: number): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
  }

  /** Ends one session. */
  async deleteSession(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  /** Ends every session of a user except `keep` (the one that changed the password). */
  async deleteUserSessions(userId: string, keep?: string): Promise<void> {
    let query = this.db.deleteFrom('sessions').where('user_id', '=', userId);
    if (keep !== undefined) query = query.where('id', '!=', keep);
    await query.execute();
  }

  /** Inserts a token row. */
  async insertToken(row: ApiTokensTable): Promise<void> {
    await this.db.insertInto('api_tokens').values(row).execute();
  }

  /** The token whose hash is `hash`, revoked or not. */
  async tokenByHash(hash: string): Promise<ApiTokensTable | undefined> {
    return this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
  }

  /** Every token, newest first. */
  async listTokens(): Promise<TokenRecord[]> {
    return (await this.db.selectFrom('api_tokens').selectAll().orderBy('created_at', 'desc').execute()).map(
      tokenRecord,
    );
  }

  /** Tokens whose id or name is `ref`. */
  async findTokens(ref: string): Promise<TokenRecord[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
      .execute();
    return rows.map(tokenRecord);
  }

  /** Revokes a token; false when there is no such unrevoked token. */
  async revokeToken(id: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Writes a token's last-used time when the stored one is older than `minAgeMs` (one write a minute at most). */
  async touchToken(id: string, now: number, minAgeMs: number): Promise<void> {
    await this.db
      .updateTable('api_tokens')
      .set({ last_used_at: now })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', now - minAgeMs)]))
      .execute();
  }

  /** Replaces unused setup tokens with a new one: only the newest printed link works. */
  async replaceSetupToken(hash: string, now: number, expiresAt: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('setup_tokens').where('used_at', 'is', null).execute();
      await trx
        .insertInto('setup_tokens')
        .values({ token_hash: hash, created_at: now, expires_at: expiresAt })
        .execute();
    });
  }

  /** Marks a setup token used if it is unused and unexpired; true for the one caller that got it. */
  async consumeSetupToken(hash: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('setup_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', hash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Replaces a user's recovery codes with these hashes. */
  async replaceRecoveryCodes(userId: string, hashes: string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      if (hashes.length > 0)
        await trx
          .insertInto('recovery_codes')
          .values(hashes.map((code_hash) => ({ code_hash, user_id: userId, used_at: null })))
          .execute();
    });
  }

  /** Uses a recovery code once; true for the one caller that got it. */
  async useRecoveryCode(userId: string, hash: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('recovery_codes')
      .set({ used_at: now })
      .where('code_hash', '=', hash)
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The throttle states of `keys`. */
  async throttleStates(keys: string[]): Promise<Map<string, ThrottleState>> {
    const rows = await this.db.selectFrom('login_throttle').selectAll().where('key', 'in', keys).execute();
    return new Map(
      rows.map((r) => [
        r.key,
        { failures: r.failures, lastFailureAt: r.last_failure_at, blockedUntil: r.blocked_until },
      ]),
    );
  }

  /** Writes a key's throttle state. */
  async putThrottle(key: string, state: ThrottleState): Promise<void> {
    const values = {
      failures: state.failures,
      last_failure_at: state.lastFailureAt,
      blocked_until: state.blockedUntil,
    };
    await this.db
      .insertInto('login_throttle')
      .values({ key, ...values })
      .onConflict((oc) => oc.column('key').doUpdateSet(values))
      .execute();
  }

  /** Forgets a key's failures (a successful sign-in). */
  async clearThrottle(key: string): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  }

  /** A setting's stored JSON text, if set. */
  async getSetting(key: string): Promise<string | undefined> {
    return (await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value;
  }

  /** Stores a setting. */
  async putSetting(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }
}
