/**
 * The outbox's storage: planning transitions into outbox rows, claiming rows to send, recording deliveries, and
 * channel state. Every claim is a compare-and-set in a short transaction, so several notifiers (processes, or
 * machines on one PostgreSQL) never plan a transition twice or send a row twice. Decisions are made by pure
 * functions the caller passes in; this module only reads and writes.
 */
import type { Kysely, Selectable } from 'kysely';
import { transitionFromRow, unitFromRow } from '../runs/rows.js';
import { toStoreError } from '../store/errors.js';
import { withWriteGate } from '../store/write-gate.js';
import { NotifyReads } from './notify-reads.js';
import {
  type ClaimedOutbox,
  type DeliveryOutcome,
  type NewOutboxRow,
  type NotifySchema,
  notifyStateFromRow,
  type OutboxStatus,
  type PlannedNotifications,
  type TransitionToPlan,
  type UnitToRemind,
} from './notify-schema.js';
import {
  claimable,
  claimRow,
  disableInTransaction,
  ERRORS_KEPT,
  ensureChannel,
  insertRows,
  lockUnitState,
  outboxValues,
  stateColumns,
  syncChannelFingerprints,
  writeUnitState,
} from './notify-writes.js';

export type {
  ClaimedOutbox,
  DeliveryOutcome,
  NewOutboxRow,
  PlannedNotifications,
  TransitionToPlan,
  UnitToRemind,
} from './notify-schema.js';

const NOTIFYING = ['firing', 'resolved'];

// A planner that found an earlier unprocessed transition of the same unit backs out: order matters per unit.
class OutOfOrder extends Error {}

/** Notification storage over an open (migrated) store database. */
export class NotifyStore extends NotifyReads {
  /**
   * Claims up to `limit` unprocessed transitions (oldest first, compare-and-set on processed_at) and, in the same
   * transaction each, writes the outbox rows `plan` decides and the unit's notify state. Returns counts.
   */
  async processTransitions(opts: {
    now: number;
    limit: number;
    lookbackMs: (unitId: string) => number;
    plan: (input: TransitionToPlan) => PlannedNotifications;
  }): Promise<{ processed: number; queued: number }> {
    const candidates = await this.read('processTransitions', () =>
      this.db
        .selectFrom('transitions')
        .selectAll()
        .where('processed_at', 'is', null)
        .orderBy('id')
        .limit(opts.limit)
        .execute(),
    );
    let processed = 0;
    let queued = 0;
    const skipUnits = new Set<string>();
    for (const candidate of candidates) {
      if (skipUnits.has(candidate.unit_id)) continue;
      try {
        const n = await this.write('processTransitions', (trx) => planTransition(trx, candidate, opts));
        if (n >= 0) {
          processed++;
          queued += n;
        }
      } catch (err) {
        if (!(err instanceof OutOfOrder)) throw err;
        skipUnits.add(candidate.unit_id);
      }
    }
    return { processed, queued };
  }

  /**
   * Reminder pass: offers every unit with an outstanding notification (or flapping) to `plan`; when it returns rows,
   * writes them and the new state with a compare-and-set on the unit's notify state, so two workers never both remind.
   */
  async planReminders(opts: {
    now: number;
    plan: (input: UnitToRemind) => PlannedNotifications | null;
  }): Promise<number> {
    const rows = await this.read('planReminders', () =>
      this.db
        .selectFrom('notify_units')
        .selectAll()
        .where((eb) => eb.or([eb('notified_severity', 'is not', null), eb('flapping_since', 'is not', null)]))
        .orderBy('unit_id')
        .execute(),
    );
    let queued = 0;
    for (const row of rows) {
      const unitRow = await this.read('planReminders', () =>
        this.db.selectFrom('units').selectAll().where('id', '=', row.unit_id).executeTakeFirst(),
      );
      if (unitRow === undefined) continue;
      const last = await this.read('planReminders', () =>
        this.db
          .selectFrom('transitions')
          .select((eb) => eb.fn.max('at').as('at'))
          .where('unit_id', '=', row.unit_id)
          .where('to_state', 'in', NOTIFYING)
          .executeTakeFirst(),
      );
      const planned = opts.plan({
        unit: unitFromRow(unitRow),
        state: notifyStateFromRow(row),
        lastChangeAt: last?.at === null || last?.at === undefined ? null : Number(last.at),
      });
      if (planned === null) continue;
      queued += await this.write('planReminders', async (trx) => {
        const won = await trx
          .updateTable('notify_units')
          .set(stateColumns(planned.state, Number(row.version) + 1))
          .where('unit_id', '=', row.unit_id)
          .where('version', '=', Number(row.version))
          .executeTakeFirst();
        if (Number(won.numUpdatedRows) !== 1) return 0;
        return insertRows(trx, planned.rows, { transitionId: null, unitId: row.unit_id, now: opts.now });
      });
    }
    return queued;
  }

  /** Writes rows outside the planner (`upkeep notify test`); returns their ids. */
  async enqueue(rows: (NewOutboxRow & { unitId: string })[], now: number): Promise<number[]> {
    return this.write('enqueue', async (trx) => {
      const ids: number[] = [];
      for (const row of rows) {
        const inserted = await trx
          .insertInto('outbox')
          .values(outboxValues(row, { transitionId: null, unitId: row.unitId, now }))
          .returning('id')
          .executeTakeFirstOrThrow();
        ids.push(Number(inserted.id));
      }
      return ids;
    });
  }

  /**
   * Writes one row already claimed by `worker`, with its delivery row, in one transaction: no other notifier can take
   * it first (`upkeep notify test` beside a running `upkeep start`).
   */
  async enqueueClaimed(
    row: NewOutboxRow & { unitId: string },
    opts: { now: number; worker: string; claimMs: number },
  ): Promise<ClaimedOutbox> {
    return this.write('enqueue', async (trx) => {
      const inserted = await trx
        .insertInto('outbox')
        .values(outboxValues(row, { transitionId: null, unitId: row.unitId, now: opts.now }))
        .returningAll()
        .executeTakeFirstOrThrow();
      const claim = await claimRow(trx, inserted, opts);
      if (claim === null) throw new Error('internal: a row just written could not be claimed');
      return claim;
    });
  }

  /**
   * Claims up to `limit` rows to send: pending and due, or `sending` with an expired claim (its worker died).
   * Compare-and-set on (id, attempts); writes the attempt's delivery row in the same transaction, before any send.
   * `ids` restricts the claim to those rows (a test send).
   */
  async claimOutbox(opts: {
    now: number;
    limit: number;
    worker: string;
    claimMs: number;
    ids?: number[];
  }): Promise<ClaimedOutbox[]> {
    const { now, worker } = opts;
    if (opts.limit <= 0) return [];
    const claims: ClaimedOutbox[] = [];
    // A lost compare-and-set means another notifier took that row: look again (a few times) for the rest.
    for (let pass = 0; pass < 3 && claims.length < opts.limit; pass++) {
      const candidates = await this.read('claimOutbox', () => {
        let query = this.db.selectFrom('outbox').selectAll().where(claimable(now));
        if (opts.ids !== undefined) query = query.where('id', 'in', opts.ids.length > 0 ? opts.ids : [-1]);
        return query
          .orderBy('next_attempt_at')
          .orderBy('id')
          .limit(opts.limit - claims.length)
          .execute();
      });
      let lost = 0;
      for (const candidate of candidates) {
        const claim = await this.write('claimOutbox', (trx) =>
          claimRow(trx, candidate, { now, worker, claimMs: opts.claimMs }),
        );
        if (claim === null) lost++;
        else claims.push(claim);
      }
      if (lost === 0) break;
    }
    return claims;
  }

  /**
   * Records how an attempt ended: the delivery row, then the outbox row (sent; pending again at `retryAt`; or failed
   * when `retryAt` is null) if this worker still holds the claim, and the channel's last error or success. With
   * `disable`, the channel is disabled with that reason and its pending rows fail. Returns false when the claim was
   * lost (the delivery row is still completed).
   */
  async finishDelivery(opts: {
    claim: ClaimedOutbox;
    worker: string;
    now: number;
    outcome: DeliveryOutcome;
    retryAt: number | null;
    disable?: string;
  }): Promise<boolean> {
    const { claim, now, outcome } = opts;
    const channel = claim.row.channel;
    const error = outcome.ok ? null : outcome.error.slice(0, ERRORS_KEPT);
    return this.write('finishDelivery', async (trx) => {
      await trx
        .updateTable('deliveries')
        .set({
          ended_at: now,
          ok: outcome.ok ? 1 : 0,
          status_code: outcome.status ?? null,
          error: outcome.ok ? (outcome.detail?.slice(0, ERRORS_KEPT) ?? null) : error,
          permanent: outcome.ok ? null : outcome.permanent ? 1 : 0,
        })
        .where('id', '=', claim.deliveryId)
        .execute();
      const status: OutboxStatus = outcome.ok ? 'sent' : opts.retryAt === null ? 'failed' : 'pending';
      const kept = await trx
        .updateTable('outbox')
        .set({
          status,
          claimed_by: null,
          claimed_until: null,
          last_error: error,
          sent_at: outcome.ok ? now : null,
          ...(opts.retryAt !== null && !outcome.ok ? { next_attempt_at: opts.retryAt } : {}),
        })
        .where('id', '=', claim.row.id)
        .where('claimed_by', '=', opts.worker)
        .where('attempts', '=', claim.attempt)
        .executeTakeFirst();
      await ensureChannel(trx, channel);
      await trx
        .updateTable('channel_state')
        .set(outcome.ok ? { last_success_at: now } : { last_error: error, last_error_at: now })
        .where('channel', '=', channel)
        .execute();
      if (opts.disable !== undefined) await disableInTransaction(trx, channel, opts.disable, now);
      return Number(kept.numUpdatedRows) === 1;
    });
  }

  /**
   * Deletes finished rows (sent, failed, suppressed) created before `cutoff`, with their deliveries, `batch` rows per
   * transaction so senders are never held up for long. Returns how many outbox rows went.
   */
  async prune(cutoff: number, batch = 1_000): Promise<number> {
    let deleted = 0;
    for (;;) {
      const n = await this.write('prune', async (trx) => {
        const ids = (
          await trx
            .selectFrom('outbox')
            .select('id')
            .where('created_at', '<', cutoff)
            .where('status', 'in', ['sent', 'failed', 'suppressed'])
            .orderBy('id')
            .limit(batch)
            .execute()
        ).map((r) => Number(r.id));
        if (ids.length === 0) return 0;
        await trx.deleteFrom('deliveries').where('outbox_id', 'in', ids).execute();
        await trx.deleteFrom('outbox').where('id', 'in', ids).execute();
        return ids.length;
      });
      deleted += n;
      if (n < batch) return deleted;
    }
  }

  /** Disables a channel: it sends nothing until re-enabled; its pending rows fail with the reason. */
  async disableChannel(channel: string, reason: string, now: number): Promise<void> {
    await this.write('disableChannel', async (trx) => {
      await ensureChannel(trx, channel);
      await disableInTransaction(trx, channel, reason, now);
    });
  }

  /** Re-enables a channel (after its owner fixed it). Returns false when it was not disabled. */
  async enableChannel(channel: string): Promise<boolean> {
    const result = await this.write('enableChannel', (trx) =>
      trx
        .updateTable('channel_state')
        .set({ disabled_at: null, disabled_reason: null })
        .where('channel', '=', channel)
        .where('disabled_at', 'is not', null)
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Records each channel's fingerprint; a channel whose plan entry changed is re-enabled (its owner fixed it).
   * Returns the channels re-enabled.
   */
  async syncChannels(fingerprints: Record<string, string>): Promise<string[]> {
    return this.write('syncChannels', (trx) => syncChannelFingerprints(trx, fingerprints));
  }

  private async write<T>(operation: string, fn: (trx: Kysely<NotifySchema>) => Promise<T>): Promise<T> {
    try {
      return await withWriteGate(this.database.gateKey, () => this.db.transaction().execute((trx) => fn(trx)));
    } catch (cause) {
      if (cause instanceof OutOfOrder) throw cause;
      throw toStoreError(operation, this.database.where, cause);
    }
  }
}

/**
 * One transition, inside its transaction: claims it (compare-and-set on processed_at), refuses it while an earlier one
 * of its unit is unprocessed, and writes what `plan` decides. Returns the rows queued, or -1 when another worker won.
 */
async function planTransition(
  trx: Kysely<NotifySchema>,
  candidate: Selectable<NotifySchema['transitions']>,
  opts: {
    now: number;
    lookbackMs: (unitId: string) => number;
    plan: (input: TransitionToPlan) => PlannedNotifications;
  },
): Promise<number> {
  const id = Number(candidate.id);
  const claimed = await trx
    .updateTable('transitions')
    .set({ processed_at: opts.now })
    .where('id', '=', id)
    .where('processed_at', 'is', null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return -1;
  const earlier = await trx
    .selectFrom('transitions')
    .select('id')
    .where('unit_id', '=', candidate.unit_id)
    .where('id', '<', id)
    .where('processed_at', 'is', null)
    .executeTakeFirst();
  if (earlier !== undefined) throw new OutOfOrder();
  const version = await lockUnitState(trx, candidate.unit_id);
  const state = notifyStateFromRow(
    await trx.selectFrom('notify_units').selectAll().where('unit_id', '=', candidate.unit_id).executeTakeFirst(),
  );
  const unitRow = await trx.selectFrom('units').selectAll().where('id', '=', candidate.unit_id).executeTakeFirst();
  const transition = transitionFromRow(candidate);
  const since = transition.at - opts.lookbackMs(candidate.unit_id);
  const counted = await trx
    .selectFrom('transitions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('unit_id', '=', candidate.unit_id)
    .where('to_state', 'in', NOTIFYING)
    .where('at', '>', since)
    .where('id', '<=', id)
    .executeTakeFirst();
  const planned = opts.plan({
    id,
    transition,
    unit: unitRow === undefined ? undefined : unitFromRow(unitRow),
    state,
    recentChanges: Number(counted?.n ?? 0),
  });
  await writeUnitState(trx, candidate.unit_id, planned.state, version);
  return insertRows(trx, planned.rows, { transitionId: id, unitId: candidate.unit_id, now: opts.now });
}
