/** The backup catalog on upkeep's store (SQLite or PostgreSQL): records, state changes, listings. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import { toStoreError } from '../store/errors.js';
import { withWriteGate } from '../store/write-gate.js';
import type { BackupCatalog, BackupPatch, BackupRecord, BackupState } from './backup-record.js';
import { type BackupSchema, backupFromRow, backupToRow, patchToRow } from './backup-schema.js';

/** Backup records on the same database as the Store; implements the pipeline's BackupCatalog. */
export class BackupStore implements BackupCatalog {
  private readonly db: Kysely<BackupSchema>;

  constructor(private readonly database: Database) {
    this.db = database.db.withTables<Pick<BackupSchema, 'backups'>>();
  }

  /** Records a new backup. */
  async insert(record: BackupRecord): Promise<void> {
    await this.write('insertBackup', () => this.db.insertInto('backups').values(backupToRow(record)).execute());
  }

  /** Applies a state change and returns the record after it; an unknown id is an error. */
  async update(id: string, patch: BackupPatch): Promise<BackupRecord> {
    const row = patchToRow(patch);
    if (Object.keys(row).length > 0) {
      await this.write('updateBackup', () => this.db.updateTable('backups').set(row).where('id', '=', id).execute());
    }
    const after = await this.get(id);
    if (after === undefined) throw toStoreError('updateBackup', this.database.where, new Error(`no backup ${id}`));
    return after;
  }

  /** One backup, or undefined. */
  async get(id: string): Promise<BackupRecord | undefined> {
    const row = await this.read('getBackup', () =>
      this.db.selectFrom('backups').selectAll().where('id', '=', id).executeTakeFirst(),
    );
    return row === undefined ? undefined : backupFromRow(row);
  }

  /** One database's backups, newest first, optionally only in some states. */
  async list(source: { app: string; database: string }, states?: readonly BackupState[]): Promise<BackupRecord[]> {
    const rows = await this.read('listBackups', () => {
      let query = this.db
        .selectFrom('backups')
        .selectAll()
        .where('app', '=', source.app)
        .where('database_name', '=', source.database);
      if (states !== undefined && states.length > 0) query = query.where('state', 'in', [...states]);
      return query.orderBy('started_at', 'desc').orderBy('id', 'desc').execute();
    });
    return rows.map(backupFromRow);
  }

  /** Every backup of every database, newest first (the CLI's overview). */
  async listAll(limit = 1_000): Promise<BackupRecord[]> {
    const rows = await this.read('listAllBackups', () =>
      this.db
        .selectFrom('backups')
        .selectAll()
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
    );
    return rows.map(backupFromRow);
  }

  /** Finds a backup by its id, a unique id prefix (as shown in listings), or its file name. */
  async find(ref: string): Promise<BackupRecord[]> {
    const rows = await this.read('findBackup', () =>
      this.db
        .selectFrom('backups')
        .selectAll()
        .where((eb) =>
          eb.or([eb('id', '=', ref), eb('file', '=', ref), eb('id', 'like', `${ref.replace(/[%_]/g, '')}%`)]),
        )
        .limit(10)
        .execute(),
    );
    const exact = rows.filter((r) => r.id === ref || r.file === ref);
    return (exact.length > 0 ? exact : rows).map(backupFromRow);
  }

  /** Forgets a backup. */
  async remove(id: string): Promise<void> {
    await this.write('removeBackup', () => this.db.deleteFrom('backups').where('id', '=', id).execute());
  }

  private async read<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw toStoreError(operation, this.database.where, cause);
    }
  }

  private write<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return this.read(operation, () => withWriteGate(this.database.gateKey, fn));
  }
}
