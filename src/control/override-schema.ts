/** The override's shape in the API and the store's row type for it. */
import type { Generated, Selectable } from 'kysely';

/** What an override does: pause runs, silence notifications, hold alerts as maintenance, acknowledge a firing. */
export type OverrideKind = 'pause' | 'silence' | 'maintenance' | 'ack';

/** The kinds, for schemas and CLI checks. */
export const OVERRIDE_KINDS: readonly OverrideKind[] = ['pause', 'silence', 'maintenance', 'ack'];

/**
 * One runtime decision. `unitId` set: it covers that unit; else `app` set: every unit of the app. `startsAt` is only
 * set on a maintenance window opened for later (an addition to the contract's shape; null otherwise).
 */
export interface Override {
  id: number;
  kind: OverrideKind;
  app: string | null;
  unitId: string | null;
  author: string;
  reason: string;
  createdAt: number;
  startsAt: number | null;
  expiresAt: number | null;
  clearedAt: number | null;
  clearedBy: string | null;
}

/** A new override as the service asks for it. */
export type NewOverride = Omit<Override, 'id' | 'clearedAt' | 'clearedBy'>;

/** `overrides` as Kysely sees it. */
export interface OverridesTable {
  id: Generated<number>;
  kind: string;
  app: string | null;
  unit_id: string | null;
  author: string;
  reason: string;
  created_at: number;
  starts_at: number | null;
  expires_at: number | null;
  cleared_at: number | null;
  cleared_by: string | null;
}

/** The control capability's tables. */
export interface ControlSchema {
  overrides: OverridesTable;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** A row as the API shows it (bigints from PostgreSQL become numbers). */
export function overrideFromRow(row: Selectable<OverridesTable>): Override {
  return {
    id: Number(row.id),
    kind: row.kind as OverrideKind,
    app: row.app,
    unitId: row.unit_id,
    author: row.author,
    reason: row.reason,
    createdAt: Number(row.created_at),
    startsAt: num(row.starts_at),
    expiresAt: num(row.expires_at),
    clearedAt: num(row.cleared_at),
    clearedBy: row.cleared_by,
  };
}

/** True while `o` has not been cleared and has not expired at `now` (a window opened for later counts as active). */
export function isActive(o: Override, now: number): boolean {
  return o.clearedAt === null && (o.expiresAt === null || o.expiresAt > now);
}
