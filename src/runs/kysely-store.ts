/** The Store on Kysely: one implementation for SQLite and PostgreSQL, every write a short compare-and-set transaction. */
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import type { AlertState, Transition } from '../core/alert-state.js';
import type {
  Claim,
  Retention,
  RollupGrain,
  RollupRecord,
  RunRecord,
  UnitDefinition,
  UnitRecord,
} from '../core/run.js';
import { type Database, type DatabaseOptions, databaseSizeBytes, openDatabase } from '../store/database.js';
import { StoreError, toStoreError, UnknownUnitError } from '../store/errors.js';
import { migrateDatabase } from '../store/migrate.js';
import { withWriteGate } from '../store/write-gate.js';
import { deleteOldRollups, deleteOldRuns, deleteUnits, insertRun } from './history-writes.js';
import { type RollupTotals, rollupsOfUnits, rollupTotals, unitsOfApp } from './read-queries.js';
import {
  abandonedRun,
  definitionChanged,
  definitionColumns,
  GRAINS,
  initialAlertState,
  runFromRow,
  transitionFromRow,
  transitionToRow,
  unitFromRow,
} from './rows.js';
import type { Store } from './run-store.js';
import { type RunsSchema, runsTables, STORE_TABLES } from './runs-schema.js';

/** How to open a store: where it lives plus the injected clock (used only for bookkeeping like migration times). */
export interface StoreOptions extends DatabaseOptions {
  clock?: () => number;
  /** Told which migrations ran; the connection string it sees is redacted. */
  logger?: Pick<Logger, 'info'>;
  /** Rows deleted per prune transaction, so pruning never holds the write lock for long. */
  pruneBatchSize?: number;
}

/** Opens (but does not migrate) the store selected by the options: PostgreSQL for a postgres:// URL, else SQLite. */
export function createStore(options: StoreOptions = {}): KyselyStore {
  return new KyselyStore(openDatabase(options), options);
}

// Bounded IN lists: SQLite caps bound parameters, and huge statements help nobody.
const ID_CHUNK = 500;

/** Store implementation shared by both dialects. */
export class KyselyStore implements Store {
  readonly dialect: Database['dialect'];
  private readonly db: Kysely<RunsSchema>;
  private readonly clock: () => number;
  private readonly pruneBatchSize: number;
  private readonly logger: Pick<Logger, 'info'> | undefined;
  private closed = false;

  constructor(
    /** The open database; tests reach the raw handle through it. */
    readonly database: Database,
    options: Pick<StoreOptions, 'clock' | 'pruneBatchSize' | 'logger'> = {},
  ) {
    this.dialect = database.dialect;
    this.db = runsTables(database);
    this.clock = options.clock ?? Date.now;
    this.pruneBatchSize = options.pruneBatchSize ?? 1_000;
    this.logger = options.logger;
  }

  async migrate(): Promise<void> {
    const applied = await migrateDatabase(this.database, this.clock);
    if (applied.length > 0) this.logger?.info({ store: this.database.where, applied }, 'store migrated');
  }

  async syncUnits(units: UnitDefinition[], firstRunAt: (unitId: string) => number): Promise<void> {
    const ids = new Set<string>();
    for (const unit of units) {
      if (ids.has(unit.id)) throw new StoreError('syncUnits', `unit ${unit.id} appears twice; unit ids must be unique`);
      ids.add(unit.id);
    }
    await this.write('syncUnits', async (trx) => {
      const rows = await trx.selectFrom('units').selectAll().execute();
      const existing = new Map(rows.map((row) => [row.id, row]));
      for (const unit of units) {
        const row = existing.get(unit.id);
        if (row === undefined) {
          const first = firstRunAt(unit.id);
          await trx
            .insertInto('units')
            .values({
              id: unit.id,
              ...definitionColumns(unit),
              next_run_at: first,
              running_since: null,
              running_by: null,
              lease_until: null,
              // No clock in this call: the unit counts as ok from when it is first due.
              alert_state: JSON.stringify(initialAlertState(first)),
              last_run_at: null,
              last_outcome: null,
            })
            .execute();
        } else if (row.spec_hash !== unit.specHash) {
          await trx
            .updateTable('units')
            .set({ ...definitionColumns(unit), next_run_at: firstRunAt(unit.id) })
            .where('id', '=', unit.id)
            .execute();
        } else if (definitionChanged(row, unit)) {
          await trx.updateTable('units').set(definitionColumns(unit)).where('id', '=', unit.id).execute();
        }
      }
      const gone = rows.map((row) => row.id).filter((id) => !ids.has(id));
      for (let i = 0; i < gone.length; i += ID_CHUNK) {
        const chunk = gone.slice(i, i + ID_CHUNK);
        await deleteUnits(trx, chunk);
      }
    });
  }

  async claimDue(opts: {
    now: number;
    limit: number;
    worker: string;
    leaseMs: (unitId: string) => number;
    nextRunAt: (unitId: string, now: number) => number;
  }): Promise<Claim[]> {
    const { now, worker } = opts;
    if (opts.limit <= 0) return [];
    const claims: Claim[] = [];
    // A lost compare-and-set means another worker took that unit: look again (a few times) for the rest.
    for (let pass = 0; pass < 3 && claims.length < opts.limit; pass++) {
      const candidates = await this.read('claimDue', () =>
        this.db
          .selectFrom('units')
          .select(['id', 'next_run_at'])
          .where('next_run_at', '<=', now)
          .where((eb) => eb.or([eb('running_since', 'is', null), eb('lease_until', '<', now)]))
          .orderBy('next_run_at')
          .orderBy('id')
          .limit(opts.limit - claims.length)
          .execute(),
      );
      let lost = 0;
      for (const candidate of candidates) {
        const dueAt = Number(candidate.next_run_at);
        // Compare-and-set: only one worker's UPDATE still matches the due time and the free (or expired) claim.
        const result = await this.write('claimDue', (trx) =>
          trx
            .updateTable('units')
            .set({
              running_since: now,
              running_by: worker,
              lease_until: now + opts.leaseMs(candidate.id),
              next_run_at: opts.nextRunAt(candidate.id, now),
            })
            .where('id', '=', candidate.id)
            .where('next_run_at', '=', dueAt)
            .where((eb) => eb.or([eb('running_since', 'is', null), eb('lease_until', '<', now)]))
            .executeTakeFirst(),
        );
        if (Number(result.numUpdatedRows) === 1) claims.push({ unitId: candidate.id, dueAt });
        else lost++;
      }
      if (lost === 0) break;
    }
    return claims;
  }

  async nextDueAt(): Promise<number | null> {
    const row = await this.read('nextDueAt', () =>
      this.db
        .selectFrom('units')
        .select((eb) => eb.fn.min('next_run_at').as('next'))
        .where('running_since', 'is', null)
        .executeTakeFirst(),
    );
    return row?.next === null || row?.next === undefined ? null : Number(row.next);
  }

  async recordRun(run: RunRecord, alert: AlertState, transition: Transition | null): Promise<boolean> {
    return this.write('recordRun', async (trx) => {
      // First statement, so a lost claim writes nothing at all.
      const claimed = await trx
        .updateTable('units')
        .set({
          running_since: null,
          running_by: null,
          lease_until: null,
          alert_state: JSON.stringify(alert),
          last_run_at: run.startedAt,
          last_outcome: run.outcome,
        })
        .where('id', '=', run.unitId)
        .where('running_by', '=', run.worker)
        .where('running_since', 'is not', null)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return false;
      await insertRun(trx, run);
      if (transition !== null) await trx.insertInto('transitions').values(transitionToRow(transition)).execute();
      return true;
    });
  }

  async abandonRuns(opts: {
    now: number;
    worker?: string;
    expiredOnly?: boolean;
    deadWorkers?: string[];
  }): Promise<string[]> {
    const { now } = opts;
    const running = await this.read('abandonRuns', () => {
      let query = this.db
        .selectFrom('units')
        .select(['id', 'running_since', 'running_by', 'lease_until'])
        .where('running_since', 'is not', null);
      if (opts.worker !== undefined) {
        query = query.where('running_by', '=', opts.worker);
        if (opts.expiredOnly) query = query.where('lease_until', '<', now);
      } else if (opts.expiredOnly !== false) {
        const dead = opts.deadWorkers ?? [];
        query = query.where((eb) =>
          dead.length > 0
            ? eb.or([eb('lease_until', '<', now), eb('running_by', 'in', dead)])
            : eb('lease_until', '<', now),
        );
      }
      return query.orderBy('id').execute();
    });
    const abandoned: string[] = [];
    for (const row of running) {
      const since = Number(row.running_since);
      const holder = row.running_by ?? 'unknown';
      const expired = row.lease_until !== null && Number(row.lease_until) < now;
      const done = await this.write('abandonRuns', async (trx) => {
        const cleared = await trx
          .updateTable('units')
          .set({
            running_since: null,
            running_by: null,
            lease_until: null,
            last_run_at: since,
            last_outcome: 'abandoned',
          })
          .where('id', '=', row.id)
          .where('running_since', '=', since)
          .where('running_by', '=', holder)
          .executeTakeFirst();
        if (Number(cleared.numUpdatedRows) !== 1) return false;
        await insertRun(trx, abandonedRun(row.id, { since, now, holder, expired }));
        return true;
      });
      if (done) abandoned.push(row.id);
    }
    return abandoned;
  }

  async releaseClaim(unitId: string, worker: string): Promise<void> {
    await this.write('releaseClaim', (trx) =>
      trx
        .updateTable('units')
        .set({ running_since: null, running_by: null, lease_until: null })
        .where('id', '=', unitId)
        .where('running_by', '=', worker)
        .execute(),
    );
  }

  async setNextRunAt(unitId: string, at: number): Promise<void> {
    const result = await this.write('setNextRunAt', (trx) =>
      trx.updateTable('units').set({ next_run_at: at }).where('id', '=', unitId).executeTakeFirst(),
    );
    if (Number(result.numUpdatedRows) !== 1) throw new UnknownUnitError(unitId);
  }

  async listUnits(): Promise<UnitRecord[]> {
    const rows = await this.read('listUnits', () => this.db.selectFrom('units').selectAll().orderBy('id').execute());
    return rows.map(unitFromRow);
  }

  async getUnit(unitId: string): Promise<UnitRecord | undefined> {
    const row = await this.read('getUnit', () =>
      this.db.selectFrom('units').selectAll().where('id', '=', unitId).executeTakeFirst(),
    );
    return row === undefined ? undefined : unitFromRow(row);
  }

  async listRuns(opts: { unitId?: string; limit: number; before?: number }): Promise<RunRecord[]> {
    const rows = await this.read('listRuns', () => {
      let query = this.db.selectFrom('runs').selectAll();
      if (opts.unitId !== undefined) query = query.where('unit_id', '=', opts.unitId);
      if (opts.before !== undefined) query = query.where('started_at', '<', opts.before);
      return query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
    });
    return rows.map(runFromRow);
  }

  async listUnitsOfApp(app: string, opts: { limit: number; after?: string }): Promise<UnitRecord[]> {
    return this.read('listUnitsOfApp', () => unitsOfApp(this.db, app, opts));
  }

  async listTransitions(opts: { unitId?: string; limit: number; before?: number }): Promise<Transition[]> {
    const rows = await this.read('listTransitions', () => {
      let query = this.db.selectFrom('transitions').selectAll();
      if (opts.unitId !== undefined) query = query.where('unit_id', '=', opts.unitId);
      if (opts.before !== undefined) query = query.where('at', '<', opts.before);
      return query.orderBy('at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
    });
    return rows.map(transitionFromRow);
  }

  async listRollups(opts: { unitId: string; grain: RollupGrain; from: number; to: number }): Promise<RollupRecord[]> {
    return this.read('listRollups', () => rollupsOfUnits(this.db, { ...opts, unitIds: [opts.unitId] }));
  }

  async listRollupsOfUnits(opts: { unitIds: string[]; grain: RollupGrain; from: number; to: number }) {
    return this.read('listRollupsOfUnits', () => rollupsOfUnits(this.db, opts));
  }

  async rollupTotals(opts: { unitId: string; grain: RollupGrain; from: number; to: number }): Promise<RollupTotals> {
    return this.read('rollupTotals', () => rollupTotals(this.db, opts));
  }

  async recentValues(unitId: string, limit: number): Promise<{ at: number; values: Record<string, number> }[]> {
    const rows = await this.read('recentValues', () =>
      this.db
        .selectFrom('runs')
        .select(['started_at', 'values_json'])
        .where('unit_id', '=', unitId)
        // upkeep's own failures carry no observation of the target: trends must not see them.
        .where('outcome', 'not in', ['error', 'abandoned'])
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
    );
    return rows
      .reverse()
      .map((row) => ({ at: Number(row.started_at), values: JSON.parse(row.values_json) as Record<string, number> }));
  }

  async prune(now: number, retention: Retention): Promise<number> {
    const batch = this.pruneBatchSize;
    let deleted = 0;
    // Each batch is its own short transaction so workers recording runs are never held up for long.
    for (;;) {
      const n = await this.write('prune', (trx) => deleteOldRuns(trx, now - retention.raw, batch));
      deleted += n;
      if (n < batch) break;
    }
    for (const grain of GRAINS) {
      for (;;) {
        const n = await this.write('prune', (trx) => deleteOldRollups(trx, grain, now - retention[grain], batch));
        deleted += n;
        if (n < batch) break;
      }
    }
    return deleted;
  }

  async ping(write?: boolean): Promise<void> {
    await this.read('ping', () => sql`select 1`.execute(this.db));
    if (!write) return;
    const at = String(this.clock());
    await this.write('ping', (trx) =>
      trx
        .insertInto('upkeep_meta')
        .values({ key: 'ping', value: at })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: at }))
        .execute(),
    );
  }

  async sizeBytes(): Promise<number> {
    return this.read('sizeBytes', () => databaseSizeBytes(this.database, STORE_TABLES));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.read('close', () => this.db.destroy());
  }

  /** Runs a read; any database error becomes a StoreError naming the operation and where the store is. */
  private async read<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw toStoreError(operation, this.database.where, cause);
    }
  }

  /** Runs `fn` in one transaction, behind the process-wide SQLite write gate. */
  private write<T>(operation: string, fn: (trx: Kysely<RunsSchema>) => Promise<T>): Promise<T> {
    return this.read(operation, () =>
      withWriteGate(this.database.gateKey, () => this.db.transaction().execute((trx) => fn(trx))),
    );
  }
}
