/** Override rows over the store's database: create, list the active ones, clear. SQLite and PostgreSQL alike. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import { toStoreError } from '../store/errors.js';
import { withWriteGate } from '../store/write-gate.js';
import { type ControlSchema, type NewOverride, type Override, overrideFromRow } from './override-schema.js';

/** Reads and writes the overrides table. */
export class OverrideStore {
  private readonly db: Kysely<ControlSchema>;

  constructor(readonly database: Database) {
    this.db = database.db as unknown as Kysely<ControlSchema>;
  }

  /** Stores a new override and returns it with its id. */
  async create(o: NewOverride): Promise<Override> {
    const row = await this.write('createOverride', () =>
      this.db
        .insertInto('overrides')
        .values({
          kind: o.kind,
          app: o.app,
          unit_id: o.unitId,
          author: o.author,
          reason: o.reason,
          created_at: o.createdAt,
          starts_at: o.startsAt,
          expires_at: o.expiresAt,
          cleared_at: null,
          cleared_by: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return overrideFromRow(row);
  }

  /** Overrides neither cleared nor expired at `now`, oldest first. */
  async listActive(now: number): Promise<Override[]> {
    const rows = await this.read('listOverrides', () =>
      this.db
        .selectFrom('overrides')
        .selectAll()
        .where('cleared_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .orderBy('id')
        .execute(),
    );
    return rows.map(overrideFromRow);
  }

  /** One override by id, active or not. */
  async get(id: number): Promise<Override | undefined> {
    const row = await this.read('getOverride', () =>
      this.db.selectFrom('overrides').selectAll().where('id', '=', id).executeTakeFirst(),
    );
    return row === undefined ? undefined : overrideFromRow(row);
  }

  /** Clears an uncleared override, recording who and when; returns it, or undefined when none was uncleared. */
  async clear(id: number, by: string, now: number): Promise<Override | undefined> {
    const row = await this.write('clearOverride', () =>
      this.db
        .updateTable('overrides')
        .set({ cleared_at: now, cleared_by: by })
        .where('id', '=', id)
        .where('cleared_at', 'is', null)
        .returningAll()
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : overrideFromRow(row);
  }

  private async read<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw toStoreError(operation, this.database.where, cause);
    }
  }

  private async write<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await withWriteGate(this.database.gateKey, fn);
    } catch (cause) {
      throw toStoreError(operation, this.database.where, cause);
    }
  }
}
