/**
 * Test support: the request headers that authenticate a test's API call with `role`. Route tests call it for every
 * non-public request, so they keep passing once the auth hook (src/accounts/) enforces each route's access.
 * Until the accounts capability lands this returns no headers; accounts replaces the body with a real API token
 * created in `database`.
 */
import type { Database } from '../store/database.js';
import type { Role } from './access.js';

/** Headers for an API call made as `role` (an `Authorization: Bearer` token once accounts exist). */
export async function authHeaders(_database: Database, _role: Role): Promise<Record<string, string>> {
  return {};
}
