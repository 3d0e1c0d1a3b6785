/** The notifier's words: what it is built from, what it tells about deliveries and test sends, and its status. */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { Plan } from '../plan/plan-types.js';
import type { Clock } from '../schedule/clock.js';
import type { Database } from '../store/database.js';
import type { ChannelKind } from './channel.js';

/** What a Notifier is built from; the composition root passes the store's open database. */
export interface NotifierOptions {
  /** The store's open, migrated database (`KyselyStore.database`). */
  database: Database;
  /** The loaded plan: channels (`notify`), `routes`, `alerts` defaults and each check's own keys. */
  plan: Plan;
  clock: Clock;
  logger: Logger;
  /** This process's name in claims. */
  worker: string;
  /** Where upkeep's web server is reachable by people, for links in messages (a function: known once listening). */
  baseUrl: string | (() => string);
  dispatcher?: Dispatcher;
  /**
   * The key channel fingerprints are computed under (see channel-key.ts), or how to load it: the composition root
   * passes `() => loadChannelKey(dataDir)`. A key that cannot be loaded is replaced by a random one, logged.
   */
  channelKey: Uint8Array | (() => Promise<Uint8Array>);
  /** Channel kinds (default: the registry). Tests add kinds of their own. */
  kinds?: readonly ChannelKind<unknown, unknown>[];
  /** Jitter source for retry backoff (default Math.random). */
  random?: () => number;
  /** Sends at once (default 8). */
  concurrency?: number;
  /** Longest the loop sleeps before looking for new transitions (default 1s). */
  pollMs?: number;
  /** How long a claim lasts before another notifier may take the row over (default 2 min). */
  claimMs?: number;
  /** Deadline of one send (default 30s); must be well below claimMs. */
  sendTimeoutMs?: number;
  /** How often reminders and flapping ends are looked for (default 30s). */
  reminderEveryMs?: number;
  /** How long finished outbox rows and their deliveries are kept (default 30 days). */
  retentionMs?: number;
  /**
   * Why a unit's messages are held at `now` (an operator's silence, pause or acknowledgement, src/control/), or null.
   * Held messages are written as `suppressed` rows with this reason and never sent: dropped, not queued for later.
   */
  hold?: (unitId: string, now: number, what: 'transition' | 'reminder') => string | null;
  /** Told after each recorded send attempt (live pages show deliveries as they happen). Never given the error text. */
  onDelivery?: (delivery: DeliveryNote) => void;
}

/** One recorded send attempt, as live pages are told about it. */
export interface DeliveryNote {
  outboxId: number;
  unitId: string;
  channel: string;
  attempt: number;
  ok: boolean;
  at: number;
}

/** What `upkeep notify test` prints. */
export interface TestSendResult {
  ok: boolean;
  status?: number;
  detail?: string;
  error?: string;
  outboxId: number;
}

/** The notifier's own health, for /healthz. */
export interface NotifierStatus {
  running: boolean;
  inFlight: number;
  lastPassAt: number | null;
  /** upkeep's own trouble (its store), never a channel's. */
  error: { message: string; since: number } | null;
}
