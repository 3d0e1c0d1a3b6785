/**
 * Test support: the request headers that authenticate a test's API call with `role`. Route tests call it for every
 * non-public request, so the auth hook (src/accounts/auth-hook.ts) lets them through as that role.
 */
import { accountsContext, createToken } from '../accounts/accounts.js';
import { type Database, openDatabase } from '../store/database.js';
import type { Role } from './access.js';

const cache = new WeakMap<Database, Map<Role, Promise<string>>>();

/** Headers for an API call made as `role`: `Authorization: Bearer` with a token created in `database` (cached). */
export async function authHeaders(database: Database, role: Role): Promise<Record<string, string>> {
  let byRole = cache.get(database);
  if (!byRole) {
    byRole = new Map();
    cache.set(database, byRole);
  }
  let token = byRole.get(role);
  if (!token) {
    const ctx = accountsContext(database, { now: Date.now, totpKey: async () => Buffer.alloc(32) });
    token = createToken(ctx, { name: `test-${role}`, role, createdBy: null }).then((t) => t.token);
    // A failed creation (store not migrated yet) is not cached: the next call tries again.
    token.catch(() => byRole?.delete(role));
    byRole.set(role, token);
  }
  return { authorization: `Bearer ${await token}` };
}

/** Headers for calls to an `upkeep start` in another process: a token created in its store (already migrated). */
export async function authHeadersFor(
  where: { dataDir?: string; databaseUrl?: string },
  role: Role,
): Promise<Record<string, string>> {
  const database = openDatabase(where);
  try {
    return await authHeaders(database, role);
  } finally {
    await database.db.destroy();
  }
}
