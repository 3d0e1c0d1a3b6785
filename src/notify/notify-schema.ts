/** Row types of the notification tables (migration 0002) and their mapping to records. Pure. */
import type { Generated } from 'kysely';
import type { Transition } from '../core/alert-state.js';
import type { Severity } from '../core/outcome.js';
import type { UnitRecord } from '../core/run.js';
import type { RunsSchema, TransitionsTable } from '../runs/runs-schema.js';

/** Where an outbox row is: waiting, being sent, done, given up, or held (flapping) and never to be sent. */
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed';

/** What an outbox row tells people. */
export type OutboxEvent = 'firing' | 'resolved' | 'reminder' | 'test';

/** `outbox`: one message for one channel. */
export interface OutboxTable {
  id: Generated<number>;
  transition_id: number | null;
  unit_id: string;
  channel: string;
  event: string;
  /** The AlertMessage as JSON, frozen when the row was planned. */
  message_json: string;
  created_at: number;
  next_attempt_at: number;
  attempts: number;
  claimed_by: string | null;
  claimed_until: number | null;
  status: string;
  last_error: string | null;
  sent_at: number | null;
}

/** `deliveries`: one send attempt, written before the send. */
export interface DeliveriesTable {
  id: Generated<number>;
  outbox_id: number;
  channel: string;
  attempt: number;
  started_at: number;
  ended_at: number | null;
  ok: number | null;
  status_code: number | null;
  error: string | null;
  permanent: number | null;
}

/** `channel_state`: whether a channel is disabled, and how its sends went lately. */
export interface ChannelStateTable {
  channel: string;
  /**
   * The channel entry's keyed fingerprint (`h1:...`, see notify/channel-key.ts), `absent` once the plan dropped it,
   * null before the first sync. Never shown: rows written before upkeep keyed it hold an unkeyed hash until the
   * first start overwrites it.
   */
  config_hash: string | null;
  disabled_at: number | null;
  disabled_reason: string | null;
  last_error: string | null;
  last_error_at: number | null;
  last_success_at: number | null;
}

/** `notify_units`: what people were last told about a unit. */
export interface NotifyUnitsTable {
  unit_id: string;
  notified_severity: string | null;
  episode_since: number | null;
  last_notified_at: number | null;
  flapping_since: number | null;
  version: number;
}

/** The store's schema plus the notification tables. */
export interface NotifySchema extends Omit<RunsSchema, 'transitions'> {
  transitions: TransitionsTable & { processed_at: number | null };
  outbox: OutboxTable;
  deliveries: DeliveriesTable;
  channel_state: ChannelStateTable;
  notify_units: NotifyUnitsTable;
}

/** The notification tables, for size accounting and clean-up. */
export const NOTIFY_TABLES = ['outbox', 'deliveries', 'channel_state', 'notify_units'] as const;

/** One outbox row as the API and CLI show it. */
export interface OutboxRecord {
  id: number;
  transitionId: number | null;
  unitId: string;
  channel: string;
  event: OutboxEvent;
  /** The AlertMessage (JSON-parsed). */
  message: unknown;
  createdAt: number;
  nextAttemptAt: number;
  attempts: number;
  claimedBy: string | null;
  claimedUntil: number | null;
  status: OutboxStatus;
  lastError: string | null;
  sentAt: number | null;
}

/** One send attempt. `ok` null: started and never finished (the process stopped mid-send). */
export interface DeliveryRecord {
  id: number;
  outboxId: number;
  channel: string;
  attempt: number;
  startedAt: number;
  endedAt: number | null;
  ok: boolean | null;
  statusCode: number | null;
  error: string | null;
  permanent: boolean | null;
}

/** A channel's health: disabled (with why) and its last error and success. */
export interface ChannelStateRecord {
  channel: string;
  disabledAt: number | null;
  disabledReason: string | null;
  lastError: string | null;
  lastErrorAt: number | null;
  lastSuccessAt: number | null;
}

/** What people were last told about one unit. */
export interface UnitNotifyState {
  /** Severity of the firing last told; null when nothing is outstanding (a resolved then sends nothing). */
  notifiedSeverity: Severity | null;
  /** When the problem told about started (dedup key, "since"). */
  episodeSince: number | null;
  lastNotifiedAt: number | null;
  /** Set while the unit flaps: notifications are held until it is stable. */
  flappingSince: number | null;
}

/** The state of a unit nobody was told anything about. */
export const EMPTY_NOTIFY_STATE: UnitNotifyState = {
  notifiedSeverity: null,
  episodeSince: null,
  lastNotifiedAt: null,
  flappingSince: null,
};

/** A row the planner wants written. `suppressed` rows are records of what was held, never sent. */
export interface NewOutboxRow {
  channel: string;
  event: OutboxEvent;
  message: unknown;
  status: 'pending' | 'suppressed';
  /** Why a suppressed row was held. */
  note?: string;
}

/** What the planner decides for one transition or reminder: rows to write and the unit's next notify state. */
export interface PlannedNotifications {
  rows: NewOutboxRow[];
  state: UnitNotifyState;
}

/** What the planner sees for one transition. */
export interface TransitionToPlan {
  id: number;
  transition: Transition;
  /** undefined when the unit left the plan since. */
  unit: UnitRecord | undefined;
  state: UnitNotifyState;
  /** This unit's changes into firing or resolved within the lookback before the transition, itself included. */
  recentChanges: number;
}

/** What the reminder planner sees for a unit people were told about (or that is flapping). */
export interface UnitToRemind {
  unit: UnitRecord;
  state: UnitNotifyState;
  /** When the unit last changed into firing or resolved (null: never). */
  lastChangeAt: number | null;
}

/** A row claimed for sending, with the delivery row written for this attempt. */
export interface ClaimedOutbox {
  row: OutboxRecord;
  deliveryId: number;
  /** This attempt's number (1 = first); the claim's compare-and-set key. */
  attempt: number;
}

/** How one send attempt ended. */
export type DeliveryOutcome =
  | { ok: true; status?: number; detail?: string }
  | { ok: false; error: string; permanent: boolean; status?: number };

const num = (v: number | null): number | null => (v === null ? null : Number(v));

/** An outbox row as a record. */
export function outboxFromRow(row: { id: number } & Omit<OutboxTable, 'id'>): OutboxRecord {
  return {
    id: Number(row.id),
    transitionId: num(row.transition_id),
    unitId: row.unit_id,
    channel: row.channel,
    event: row.event as OutboxEvent,
    message: JSON.parse(row.message_json) as unknown,
    createdAt: Number(row.created_at),
    nextAttemptAt: Number(row.next_attempt_at),
    attempts: Number(row.attempts),
    claimedBy: row.claimed_by,
    claimedUntil: num(row.claimed_until),
    status: row.status as OutboxStatus,
    lastError: row.last_error,
    sentAt: num(row.sent_at),
  };
}

/** A delivery row as a record. */
export function deliveryFromRow(row: { id: number } & Omit<DeliveriesTable, 'id'>): DeliveryRecord {
  return {
    id: Number(row.id),
    outboxId: Number(row.outbox_id),
    channel: row.channel,
    attempt: Number(row.attempt),
    startedAt: Number(row.started_at),
    endedAt: num(row.ended_at),
    ok: row.ok === null ? null : Number(row.ok) === 1,
    statusCode: num(row.status_code),
    error: row.error,
    permanent: row.permanent === null ? null : Number(row.permanent) === 1,
  };
}

/** A channel_state row as a record. */
export function channelStateFromRow(row: ChannelStateTable): ChannelStateRecord {
  return {
    channel: row.channel,
    disabledAt: num(row.disabled_at),
    disabledReason: row.disabled_reason,
    lastError: row.last_error,
    lastErrorAt: num(row.last_error_at),
    lastSuccessAt: num(row.last_success_at),
  };
}

/** A notify_units row as state. */
export function notifyStateFromRow(row: NotifyUnitsTable | undefined): UnitNotifyState {
  if (row === undefined) return { ...EMPTY_NOTIFY_STATE };
  return {
    notifiedSeverity: row.notified_severity as Severity | null,
    episodeSince: num(row.episode_since),
    lastNotifiedAt: num(row.last_notified_at),
    flappingSince: num(row.flapping_since),
  };
}
