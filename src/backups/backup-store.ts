/** The backup catalog on upkeep's store (SQLite or PostgreSQL): records, state changes, listings. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import { toStoreError } from '../store/errors.js';
import { withWriteGate } from '../store/write-gate.js';
import type { BackupCatalog, BackupCopy, BackupPatch, BackupRecord, BackupState, CopyPatch } from './backup-record.js';
import {
  type BackupSchema,
  type BackupsTable,
  backupFromRow,
  backupToRow,
  copyFromRow,
  copyPatchToRow,
  copyToRow,
  patchToRow,
} from './backup-schema.js';

/** Backup records on the same database as the Store; implements the pipeline's BackupCatalog. */
export class BackupStore implements BackupCatalog {
  private readonly db: Kysely<BackupSchema>;

  constructor(private readonly database: Database) {
    this.db = database.db.withTables<Pick<BackupSchema, 'backups' | 'backup_copies'>>();
  }

  /** Records a new backup and its copies, together. */
  async insert(record: BackupRecord): Promise<void> {
    await this.write('insertBackup', () =>
      this.db.transaction().execute(async (trx) => {
        await trx.insertInto('backups').values(backupToRow(record)).execute();
        if (record.copies.length === 0) return;
        const copies = record.copies.map((c, i) => copyToRow(record.id, c, i));
        await trx.insertInto('backup_copies').values(copies).execute();
      }),
    );
  }

  /** Changes one copy and returns the record after it; an unknown backup or copy is an error. */
  async updateCopy(id: string, target: string, patch: CopyPatch): Promise<BackupRecord> {
    const row = copyPatchToRow(patch);
    const result = await this.write('updateBackupCopy', () =>
      this.db
        .updateTable('backup_copies')
        .set(row)
        .where('backup_id', '=', id)
        .where('target', '=', target)
        .executeTakeFirst(),
    );
    if (Object.keys(row).length > 0 && Number(result.numUpdatedRows) === 0) {
      throw toStoreError('updateBackupCopy', this.database.where, new Error(`no copy of backup ${id} on ${target}`));
    }
    const after = await this.get(id);
    if (after === undefined) throw toStoreError('updateBackupCopy', this.database.where, new Error(`no backup ${id}`));
    return after;
  }

  /** Adds a copy after the backup's others; one already recorded on that target is left as it is. */
  async addCopy(id: string, copy: BackupCopy): Promise<BackupRecord> {
    const before = await this.get(id);
    if (before === undefined) throw toStoreError('addBackupCopy', this.database.where, new Error(`no backup ${id}`));
    if (before.copies.some((c) => c.target === copy.target)) return before;
    await this.write('addBackupCopy', () =>
      this.db.transaction().execute(async (trx) => {
        // After every recorded copy, also when a pruned copy left a gap in the positions.
        const last = await trx
          .selectFrom('backup_copies')
          .select((eb) => eb.fn.max('position').as('max'))
          .where('backup_id', '=', id)
          .executeTakeFirst();
        const position = last?.max === null || last?.max === undefined ? 0 : Number(last.max) + 1;
        await trx
          .insertInto('backup_copies')
          .values(copyToRow(id, copy, position))
          .execute();
      }),
    );
    return { ...before, copies: [...before.copies, copy] };
  }

  /** Forgets one copy of a backup. */
  async removeCopy(id: string, target: string): Promise<void> {
    await this.write('removeBackupCopy', () =>
      this.db.deleteFrom('backup_copies').where('backup_id', '=', id).where('target', '=', target).execute(),
    );
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
    return row === undefined ? undefined : (await this.withCopies([row]))[0];
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
    return this.withCopies(rows);
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
    return this.withCopies(rows);
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
    return this.withCopies(exact.length > 0 ? exact : rows);
  }

  /** Forgets a backup and its copies. */
  async remove(id: string): Promise<void> {
    await this.write('removeBackup', () =>
      this.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('backup_copies').where('backup_id', '=', id).execute();
        await trx.deleteFrom('backups').where('id', '=', id).execute();
      }),
    );
  }

  /** Rows as records with their copies (one query for all of them, in chunks the drivers accept). */
  private async withCopies(rows: readonly BackupsTable[]): Promise<BackupRecord[]> {
    const byId = new Map<string, BackupCopy[]>(rows.map((r) => [r.id, []]));
    const ids = [...byId.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const copies = await this.read('listBackupCopies', () =>
        this.db
          .selectFrom('backup_copies')
          .selectAll()
          .where('backup_id', 'in', chunk)
          .orderBy('backup_id')
          .orderBy('position')
          .execute(),
      );
      for (const c of copies) byId.get(c.backup_id)?.push(copyFromRow(c));
    }
    return rows.map((r) => backupFromRow(r, byId.get(r.id)));
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
