/** Read side of the notification store: listings for the API and `upkeep notify`, and the loop's next due time. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import { toStoreError } from '../store/errors.js';
import {
  type ChannelStateRecord,
  channelStateFromRow,
  type DeliveryRecord,
  deliveryFromRow,
  type NotifySchema,
  notifyStateFromRow,
  type OutboxRecord,
  type OutboxStatus,
  outboxFromRow,
  type UnitNotifyState,
} from './notify-schema.js';

/** Read-only queries over the notification tables; NotifyStore adds the writes. */
export class NotifyReads {
  protected readonly db: Kysely<NotifySchema>;

  constructor(readonly database: Database) {
    this.db = database.db as unknown as Kysely<NotifySchema>;
  }

  /** Every channel's state, by name. */
  async listChannelStates(): Promise<ChannelStateRecord[]> {
    const rows = await this.read('listChannelStates', () =>
      this.db.selectFrom('channel_state').selectAll().orderBy('channel').execute(),
    );
    return rows.map(channelStateFromRow);
  }

  /** Outbox rows, newest first, optionally filtered. */
  async listOutbox(opts: {
    limit: number;
    status?: OutboxStatus;
    channel?: string;
    unitId?: string;
    before?: number;
  }): Promise<OutboxRecord[]> {
    const rows = await this.read('listOutbox', () => {
      let query = this.db.selectFrom('outbox').selectAll();
      if (opts.status !== undefined) query = query.where('status', '=', opts.status);
      if (opts.channel !== undefined) query = query.where('channel', '=', opts.channel);
      if (opts.unitId !== undefined) query = query.where('unit_id', '=', opts.unitId);
      if (opts.before !== undefined) query = query.where('id', '<', opts.before);
      return query.orderBy('id', 'desc').limit(opts.limit).execute();
    });
    return rows.map(outboxFromRow);
  }

  /** Delivery attempts, newest first, optionally of one outbox row or channel. */
  async listDeliveries(opts: { limit: number; outboxId?: number; channel?: string }): Promise<DeliveryRecord[]> {
    const rows = await this.read('listDeliveries', () => {
      let query = this.db.selectFrom('deliveries').selectAll();
      if (opts.outboxId !== undefined) query = query.where('outbox_id', '=', opts.outboxId);
      if (opts.channel !== undefined) query = query.where('channel', '=', opts.channel);
      return query.orderBy('id', 'desc').limit(opts.limit).execute();
    });
    return rows.map(deliveryFromRow);
  }

  /** What people were last told about a unit. */
  async getUnitState(unitId: string): Promise<UnitNotifyState> {
    const row = await this.read('getUnitState', () =>
      this.db.selectFrom('notify_units').selectAll().where('unit_id', '=', unitId).executeTakeFirst(),
    );
    return notifyStateFromRow(row);
  }

  /** The earliest time a pending row is due (null: none), so the loop can sleep until then. */
  async nextAttemptAt(): Promise<number | null> {
    const row = await this.read('nextAttemptAt', () =>
      this.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.min('next_attempt_at').as('next'))
        .where('status', '=', 'pending')
        .executeTakeFirst(),
    );
    return row?.next === null || row?.next === undefined ? null : Number(row.next);
  }

  /** Runs a read; any database error becomes a StoreError naming the operation and where the store is. */
  protected async read<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw toStoreError(operation, this.database.where, cause);
    }
  }
}
