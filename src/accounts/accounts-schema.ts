/** Row types of the accounts tables (migration 0006) as Kysely sees them, and the typed handle on them. */
import type { Generated, Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import type { StoreSchema } from '../store/schema.js';

/** `users`: one person who signs in. */
export interface UsersTable {
  id: string;
  email: string;
  role: string;
  password_hash: string;
  created_at: number;
  password_changed_at: number;
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_last_step: number | null;
}

/** `sessions`: a signed-in browser; `id` is the SHA-256 of the cookie's secret. */
export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  ip: string | null;
  user_agent: string | null;
}

/** `api_tokens`: a script's credential; only its hash is kept. */
export interface ApiTokensTable {
  id: string;
  name: string;
  role: string;
  token_hash: string;
  created_by: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** `setup_tokens`: the one-time link that creates the first admin. */
export interface SetupTokensTable {
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** `recovery_codes`: a TOTP user's single-use fallback codes, hashed. */
export interface RecoveryCodesTable {
  code_hash: string;
  user_id: string;
  used_at: number | null;
}

/** `login_throttle`: failed sign-ins per key and until when the key must wait. */
export interface LoginThrottleTable {
  key: string;
  failures: number;
  last_failure_at: number;
  blocked_until: number;
}

/** `settings`: admin settings as key → JSON text. */
export interface SettingsTable {
  key: string;
  value: string;
}

/** `audit_log`: who did what, when and from where. */
export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  ip: string | null;
  detail: string | null;
}

/** The seam's tables plus the accounts tables. */
export interface AccountsSchema extends StoreSchema {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  setup_tokens: SetupTokensTable;
  recovery_codes: RecoveryCodesTable;
  login_throttle: LoginThrottleTable;
  settings: SettingsTable;
  audit_log: AuditLogTable;
}

/** The database typed with the accounts tables. */
export function accountsTables(database: Database): Kysely<AccountsSchema> {
  return database.db as unknown as Kysely<AccountsSchema>;
}
