/**
 * The audit log: who did what, when and from where. Every action route records one entry; accounts records sign-ins,
 * sign-outs, failed sign-ins and changes to users, tokens and settings. `detail` must never carry a secret.
 */
import type { Database } from '../store/database.js';
import { accountsTables } from './accounts-schema.js';

/** One thing to record. */
export interface AuditInput {
  /** The principal's name (`req.principal?.name`), `cli:<user>` for the terminal, or `anonymous`. */
  actor: string;
  /** A dotted verb, e.g. `auth.login`, `user.add`, `unit.pause`. */
  action: string;
  target?: string | null;
  ip?: string | null;
  /** Facts worth keeping (stored as JSON). */
  detail?: unknown;
  /** When it happened (ms); default now. */
  at?: number;
}

/** One recorded entry, as `GET /api/audit` answers it. */
export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  ip: string | null;
  detail: unknown;
}

/** Records an audit entry. */
export async function recordAudit(database: Database, entry: AuditInput): Promise<void> {
  await accountsTables(database)
    .insertInto('audit_log')
    .values({
      at: entry.at ?? Date.now(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      ip: entry.ip ?? null,
      detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
    })
    .execute();
}

/** Entries newest first; `before` is an entry id (the last one of the previous page). */
export async function listAudit(database: Database, opts: { limit: number; before?: number }): Promise<AuditEntry[]> {
  let query = accountsTables(database).selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(opts.limit);
  if (opts.before !== undefined) query = query.where('id', '<', opts.before);
  return (await query.execute()).map((r) => ({
    id: Number(r.id),
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    ip: r.ip,
    detail: r.detail === null ? null : JSON.parse(r.detail),
  }));
}
