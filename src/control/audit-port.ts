/**
 * Where control's actions are recorded. The audit log itself belongs to accounts (src/accounts/audit.ts,
 * `recordAudit(database, entry)`); control depends only on this port, injected as `ServerDeps.audit`, so the
 * composition root decides what stands behind it.
 */
import type { FastifyRequest } from 'fastify';

/** One audit entry: who did what to which target, from where, with a few details. */
export interface AuditEntry {
  actor: string;
  action: string;
  target: string;
  ip: string;
  detail: Record<string, unknown>;
}

/** The audit log as control sees it. */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
}

/** Who made the request: the principal's name, or `anonymous` when no auth hook is installed. */
export function actorOf(req: FastifyRequest): string {
  return req.principal?.name ?? 'anonymous';
}

/**
 * Records one action of `req` (every control action route calls it once). A failing audit write is logged and the
 * action stands: it already happened, and the caller must not retry it for the log's sake.
 */
export async function auditAction(
  deps: { audit?: AuditLog },
  req: FastifyRequest,
  action: string,
  target: string,
  detail: Record<string, unknown> = {},
): Promise<void> {
  if (!deps.audit) return;
  try {
    await deps.audit.record({ actor: actorOf(req), action, target, ip: req.ip, detail });
  } catch (err) {
    req.log.error({ err, action, target }, 'could not record the action in the audit log');
  }
}

/** An audit log kept in memory, for tests and for a server built without accounts. */
export class MemoryAuditLog implements AuditLog {
  readonly entries: AuditEntry[] = [];

  async record(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
  }
}
