/** The statements the notification store's transactions share: unit notify state, outbox inserts, channel state. */
import type { ExpressionBuilder, Kysely } from 'kysely';
import {
  type ClaimedOutbox,
  type NewOutboxRow,
  type NotifySchema,
  type OutboxTable,
  outboxFromRow,
  type UnitNotifyState,
} from './notify-schema.js';

/** Longest error text kept in a row. */
export const ERRORS_KEPT = 2_000;

/**
 * Makes sure the unit's notify row exists and locks it for this transaction (an UPDATE takes PostgreSQL's row lock;
 * SQLite's transaction already holds the write lock). Returns the version after the bump.
 */
export async function lockUnitState(trx: Kysely<NotifySchema>, unitId: string): Promise<number> {
  await trx
    .insertInto('notify_units')
    .values({
      unit_id: unitId,
      notified_severity: null,
      episode_since: null,
      last_notified_at: null,
      flapping_since: null,
      version: 0,
    })
    .onConflict((oc) => oc.column('unit_id').doNothing())
    .execute();
  const row = await trx
    .updateTable('notify_units')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('unit_id', '=', unitId)
    .returning('version')
    .executeTakeFirstOrThrow();
  return Number(row.version);
}

/** The notify_units columns of a state. */
export function stateColumns(state: UnitNotifyState, version: number) {
  return {
    notified_severity: state.notifiedSeverity,
    episode_since: state.episodeSince,
    last_notified_at: state.lastNotifiedAt,
    flapping_since: state.flappingSince,
    version,
  };
}

/** Writes a unit's notify state (after lockUnitState). */
export async function writeUnitState(
  trx: Kysely<NotifySchema>,
  unitId: string,
  state: UnitNotifyState,
  version: number,
): Promise<void> {
  await trx.updateTable('notify_units').set(stateColumns(state, version)).where('unit_id', '=', unitId).execute();
}

/** The outbox columns of a new row. */
export function outboxValues(row: NewOutboxRow, at: { transitionId: number | null; unitId: string; now: number }) {
  return {
    transition_id: at.transitionId,
    unit_id: at.unitId,
    channel: row.channel,
    event: row.event,
    message_json: JSON.stringify(row.message),
    created_at: at.now,
    next_attempt_at: at.now,
    attempts: 0,
    claimed_by: null,
    claimed_until: null,
    status: row.status,
    last_error: row.note ?? null,
    sent_at: null,
  };
}

/** Inserts planned rows; a row for a disabled channel is written failed at once, with the channel's reason. */
export async function insertRows(
  trx: Kysely<NotifySchema>,
  rows: NewOutboxRow[],
  at: { transitionId: number | null; unitId: string; now: number },
): Promise<number> {
  if (rows.length === 0) return 0;
  const channels = [...new Set(rows.map((r) => r.channel))];
  const disabled = new Map(
    (
      await trx
        .selectFrom('channel_state')
        .select(['channel', 'disabled_reason'])
        .where('channel', 'in', channels)
        .where('disabled_at', 'is not', null)
        .execute()
    ).map((r) => [r.channel, r.disabled_reason ?? 'disabled']),
  );
  for (const row of rows) {
    const reason = disabled.get(row.channel);
    const values = outboxValues(row, at);
    const failed = reason !== undefined && row.status === 'pending';
    await trx
      .insertInto('outbox')
      .values(failed ? { ...values, status: 'failed', last_error: `channel disabled: ${reason}` } : values)
      .execute();
  }
  return rows.length;
}

/** Creates the channel's state row when missing. */
export async function ensureChannel(trx: Kysely<NotifySchema>, channel: string): Promise<void> {
  await trx
    .insertInto('channel_state')
    .values({
      channel,
      config_hash: null,
      disabled_at: null,
      disabled_reason: null,
      last_error: null,
      last_error_at: null,
      last_success_at: null,
    })
    .onConflict((oc) => oc.column('channel').doNothing())
    .execute();
}

/** What `config_hash` holds for a channel the plan no longer has: any entry added back later counts as an edit. */
export const ABSENT_CHANNEL = 'absent';

/**
 * Records each plan channel's fingerprint (HMAC under a key outside the store; see notify/channel-key.ts) and
 * re-enables a disabled channel whose fingerprint changed. Channels the plan dropped get ABSENT_CHANNEL, which also
 * overwrites any unkeyed hash an older upkeep stored for them. Returns the channels re-enabled.
 */
export async function syncChannelFingerprints(
  trx: Kysely<NotifySchema>,
  fingerprints: Record<string, string>,
): Promise<string[]> {
  const enabled: string[] = [];
  for (const [channel, hash] of Object.entries(fingerprints)) {
    await ensureChannel(trx, channel);
    const row = await trx.selectFrom('channel_state').selectAll().where('channel', '=', channel).executeTakeFirst();
    if (row?.config_hash === hash) continue;
    // A null hash: the channel was never synced, so there is no earlier entry to have changed.
    const reenable = row?.disabled_at !== null && row?.config_hash !== null;
    await trx
      .updateTable('channel_state')
      .set(reenable ? { config_hash: hash, disabled_at: null, disabled_reason: null } : { config_hash: hash })
      .where('channel', '=', channel)
      .execute();
    if (reenable) enabled.push(channel);
  }
  const names = Object.keys(fingerprints);
  let dropped = trx
    .updateTable('channel_state')
    .set({ config_hash: ABSENT_CHANNEL })
    .where('config_hash', 'is not', null)
    .where('config_hash', '<>', ABSENT_CHANNEL);
  if (names.length > 0) dropped = dropped.where('channel', 'not in', names);
  await dropped.execute();
  return enabled;
}

/** Disables a channel and fails its pending rows (inside a transaction). */
export async function disableInTransaction(
  trx: Kysely<NotifySchema>,
  channel: string,
  reason: string,
  now: number,
): Promise<void> {
  await trx
    .updateTable('channel_state')
    .set({ disabled_at: now, disabled_reason: reason.slice(0, ERRORS_KEPT) })
    .where('channel', '=', channel)
    .execute();
  await trx
    .updateTable('outbox')
    .set({ status: 'failed', last_error: `channel disabled: ${reason}`.slice(0, ERRORS_KEPT) })
    .where('channel', '=', channel)
    .where('status', '=', 'pending')
    .execute();
}

/** Rows a sender may claim at `now`: pending and due, or sending under a claim that expired (its worker died). */
export function claimable(now: number) {
  return (eb: ExpressionBuilder<NotifySchema, 'outbox'>) =>
    eb.or([
      eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
      eb.and([eb('status', '=', 'sending'), eb('claimed_until', '<', now)]),
    ]);
}

/**
 * Claims one row read as `candidate`: compare-and-set on its attempt count (bumped by every claim, so a row re-read
 * by a slower notifier cannot be claimed twice), then writes this attempt's delivery row. Null when lost.
 */
export async function claimRow(
  trx: Kysely<NotifySchema>,
  candidate: { id: number } & Omit<OutboxTable, 'id'>,
  opts: { now: number; worker: string; claimMs: number },
): Promise<ClaimedOutbox | null> {
  const { now, worker } = opts;
  const id = Number(candidate.id);
  const attempt = Number(candidate.attempts) + 1;
  const claimedUntil = now + opts.claimMs;
  const won = await trx
    .updateTable('outbox')
    .set({ status: 'sending', claimed_by: worker, claimed_until: claimedUntil, attempts: attempt })
    .where('id', '=', id)
    .where('attempts', '=', attempt - 1)
    .where(claimable(now))
    .executeTakeFirst();
  if (Number(won.numUpdatedRows) !== 1) return null;
  // An earlier attempt that never finished: its process died mid-send, so the receiver may have it already.
  await trx
    .updateTable('deliveries')
    .set({ ended_at: now, ok: 0, error: 'interrupted: upkeep stopped during this attempt; it may have arrived' })
    .where('outbox_id', '=', id)
    .where('ended_at', 'is', null)
    .execute();
  const delivery = await trx
    .insertInto('deliveries')
    .values({
      outbox_id: id,
      channel: candidate.channel,
      attempt,
      started_at: now,
      ended_at: null,
      ok: null,
      status_code: null,
      error: null,
      permanent: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const row = outboxFromRow({
    ...candidate,
    status: 'sending',
    claimed_by: worker,
    claimed_until: claimedUntil,
    attempts: attempt,
  });
  return { row, deliveryId: Number(delivery.id), attempt };
}
