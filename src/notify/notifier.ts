/**
 * The notifier: one loop that plans durable transitions into outbox rows, reminds about long firings, and sends due
 * rows through their channels with retries. Every step is a compare-and-set claim in the store, so two notifiers
 * (processes, or machines sharing PostgreSQL) never send a row twice, and a row claimed by a process that died is
 * sent by the next one once its claim expires. No timer per row: the loop sleeps until the next due row or a wake().
 */
import { randomBytes } from 'node:crypto';
import type { Plan } from '../plan/plan-types.js';
import { settlesWithin } from '../schedule/clock.js';
import { retryWaitMs } from './backoff.js';
import type { ChannelKind } from './channel.js';
import { channelFingerprints } from './channel-key.js';
import { channelKinds } from './channels/registry.js';
import { testMessage } from './message.js';
import type { NotifierOptions, NotifierStatus, TestSendResult } from './notifier-types.js';
import type { ClaimedOutbox, PlannedNotifications, UnitNotifyState } from './notify-schema.js';
import { NotifyStore } from './notify-store.js';
import { type PlanContext, planReminder, planTransition } from './plan-notifications.js';
import { defaultPolicy, notifyPolicies, type UnitNotifyPolicy } from './policy.js';
import { type SendResult, sendClaimed } from './send-claimed.js';

export type { DeliveryNote, NotifierOptions, NotifierStatus, TestSendResult } from './notifier-types.js';

const BATCH = 100;
const PRUNE_EVERY_MS = 3_600_000;
const DEFAULT_RETENTION_MS = 30 * 86_400_000;

export class Notifier {
  /** The notification store, for the API and `upkeep notify` listings. */
  readonly store: NotifyStore;
  private policies: Map<string, UnitNotifyPolicy>;
  private fallback: UnitNotifyPolicy;
  private plan: Plan;
  private readonly kinds: readonly ChannelKind<unknown, unknown>[];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private wakeSignal = new AbortController();
  private loop: Promise<void> | null = null;
  private stopping = false;
  private synced: Promise<void> | null = null;
  private lastReminderPass = Number.NEGATIVE_INFINITY;
  private lastPrune = Number.NEGATIVE_INFINITY;
  private lastPassAt: number | null = null;
  private error: NotifierStatus['error'] = null;

  constructor(private readonly opts: NotifierOptions) {
    this.store = new NotifyStore(opts.database);
    this.plan = opts.plan;
    this.policies = notifyPolicies(opts.plan);
    this.fallback = defaultPolicy(opts.plan);
    this.kinds = opts.kinds ?? channelKinds;
  }

  /** Starts the loop in the background. */
  start(): void {
    if (this.loop) return;
    this.loop = this.runLoop();
  }

  /** Takes a reloaded plan: channels, routes and policies; channel fingerprints are synced again on the next pass. */
  setPlan(plan: Plan): void {
    this.plan = plan;
    this.policies = notifyPolicies(plan);
    this.fallback = defaultPolicy(plan);
    this.synced = null;
    this.wake();
  }

  /** Looks again now (call after recording a transition, so a message goes out without waiting for the poll). */
  wake(): void {
    this.wakeSignal.abort();
  }

  /** One full pass — plan, remind, send — waiting for the sends it started. For tests and one-shot commands. */
  async tick(): Promise<void> {
    await this.pass();
    await this.idle();
  }

  /** Stops the loop; sends still running after `graceMs` are aborted and their rows retried by the next start. */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
    const drained = await settlesWithin(this.opts.clock, this.idle(), graceMs);
    if (!drained) {
      this.shutdown.abort();
      // An aborted send unwinds at once; its claimed row is retried by the next start either way.
      await settlesWithin(this.opts.clock, this.idle(), 1_000);
    }
  }

  /** A snapshot for /healthz. */
  status(): NotifierStatus {
    return {
      running: this.loop !== null && !this.stopping,
      inFlight: this.inFlight.size,
      lastPassAt: this.lastPassAt,
      error: this.error,
    };
  }

  /** Sends a test message to `channel` now, through the outbox (so it is recorded), and reports what happened. */
  async sendTest(channel: string): Promise<TestSendResult> {
    if (this.plan.notify[channel] === undefined) {
      const known = Object.keys(this.plan.notify);
      throw new Error(
        `no channel "${channel}" under "notify" in the plan${known.length > 0 ? `; channels: ${known.join(', ')}` : ''}`,
      );
    }
    const now = this.opts.clock.now();
    const message = testMessage(channel, now, this.baseUrl());
    const claim = await this.store.enqueueClaimed(
      { unitId: message.unitId, channel, event: 'test', message, status: 'pending' },
      { now, worker: this.opts.worker, claimMs: this.opts.claimMs ?? 120_000 },
    );
    const outboxId = claim.row.id;
    const result = await this.deliver(claim, { retry: false });
    const out = result.outcome;
    return out.ok
      ? {
          ok: true,
          outboxId,
          ...(out.status !== undefined ? { status: out.status } : {}),
          ...(out.detail ? { detail: out.detail } : {}),
        }
      : { ok: false, outboxId, error: out.error, ...(out.status !== undefined ? { status: out.status } : {}) };
  }

  /**
   * Runs a planning function so that a bug in it costs one unit's message, logged loudly, instead of stalling every
   * notification behind a transition that can never be planned.
   */
  private guard<T>(unitId: string, state: UnitNotifyState, fn: () => T): T | { rows: []; state: UnitNotifyState } {
    try {
      return fn();
    } catch (err) {
      this.opts.logger.error({ err, unit: unitId }, 'internal error planning a notification; it was skipped');
      return { rows: [], state };
    }
  }

  /**
   * What `plan` decided, with its rows suppressed when the unit's messages are held (a silence). Channels were told
   * nothing, so a firing they did not hear leaves the notify state as it was; a resolution still ends the episode.
   */
  private held<T extends PlannedNotifications | null>(
    unitId: string,
    what: 'transition' | 'reminder',
    before: UnitNotifyState,
    plan: () => T,
  ): T {
    const planned = plan();
    if (planned === null || planned.rows.length === 0 || !this.opts.hold) return planned;
    const note = this.opts.hold(unitId, this.opts.clock.now(), what);
    if (note === null) return planned;
    const rows = planned.rows.map((row) => ({ ...row, status: 'suppressed' as const, note }));
    const resolves = planned.rows.some((row) => row.event === 'resolved');
    const state = what === 'reminder' || resolves ? planned.state : before;
    return { rows, state } as T;
  }

  private policy(unitId: string): UnitNotifyPolicy {
    return this.policies.get(unitId) ?? this.fallback;
  }

  private context(): PlanContext {
    return { now: this.opts.clock.now(), baseUrl: this.baseUrl() };
  }

  private claimOpts(limit: number) {
    return { now: this.opts.clock.now(), limit, worker: this.opts.worker, claimMs: this.opts.claimMs ?? 120_000 };
  }

  /** Records every channel's fingerprint once: a channel whose entry changed since it was disabled is re-enabled. */
  private baseUrl(): string {
    const { baseUrl } = this.opts;
    return typeof baseUrl === 'function' ? baseUrl() : baseUrl;
  }

  private syncChannels(): Promise<void> {
    this.synced ??= this.channelKey()
      .then((key) => this.store.syncChannels(channelFingerprints(this.plan, key)))
      .then((enabled) => {
        if (enabled.length > 0)
          this.opts.logger.info({ channels: enabled }, 'channels re-enabled: their plan entry changed');
      });
    return this.synced;
  }

  private async channelKey(): Promise<Uint8Array> {
    const source = this.opts.channelKey;
    if (typeof source !== 'function') return source;
    try {
      return await source();
    } catch (err) {
      // Not worth stopping notifications over: a random key only re-enables disabled channels once.
      this.opts.logger.warn(
        { err },
        'could not load the channel key; using a one-off key (disabled channels are re-enabled once)',
      );
      return randomBytes(32);
    }
  }

  private async pass(): Promise<void> {
    await this.syncChannels().catch((err) => {
      this.synced = null; // try again next pass
      throw err;
    });
    // Plan every waiting transition (bounded, so a backlog cannot starve sending).
    for (let i = 0; i < 10; i++) {
      const ctx = this.context();
      const { processed } = await this.store.processTransitions({
        now: ctx.now,
        limit: BATCH,
        lookbackMs: (unitId) => this.policy(unitId).flapping?.withinMs ?? 0,
        plan: (input) =>
          this.guard(input.transition.unitId, input.state, () =>
            this.held(input.transition.unitId, 'transition', input.state, () =>
              planTransition(input, this.policy(input.transition.unitId), ctx),
            ),
          ),
      });
      if (processed < BATCH) break;
    }
    const now = this.opts.clock.now();
    if (now - this.lastReminderPass >= (this.opts.reminderEveryMs ?? 30_000)) {
      this.lastReminderPass = now;
      const ctx = this.context();
      await this.store.planReminders({
        now: ctx.now,
        plan: (input) =>
          this.guard(input.unit.id, input.state, () =>
            this.held(input.unit.id, 'reminder', input.state, () =>
              planReminder(input, this.policy(input.unit.id), ctx),
            ),
          ),
      });
    }
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      const pruned = await this.store.prune(now - (this.opts.retentionMs ?? DEFAULT_RETENTION_MS));
      if (pruned > 0) this.opts.logger.info({ pruned }, 'old notifications pruned');
    }
    const free = (this.opts.concurrency ?? 8) - this.inFlight.size;
    if (!this.stopping && free > 0) {
      for (const claim of await this.store.claimOutbox(this.claimOpts(free))) {
        const sending: Promise<void> = this.deliver(claim, { retry: true })
          .then(() => undefined)
          .catch((err) =>
            this.opts.logger.error(
              { err, outbox: claim.row.id },
              'could not record a delivery; the row is retried when its claim expires',
            ),
          )
          .finally(() => {
            this.inFlight.delete(sending);
            this.wake();
          });
        this.inFlight.add(sending);
      }
    }
    this.lastPassAt = this.opts.clock.now();
    this.error = null;
  }

  /** Sends one claimed row and records the attempt. */
  private async deliver(claim: ClaimedOutbox, opts: { retry: boolean }): Promise<SendResult> {
    const { clock, logger } = this.opts;
    const result = await sendClaimed(claim, {
      channels: this.plan.notify,
      kinds: this.kinds,
      logger,
      dispatcher: this.opts.dispatcher,
      now: () => clock.now(),
      timeoutMs: this.opts.sendTimeoutMs ?? 30_000,
      shutdown: this.shutdown.signal,
    });
    const now = clock.now();
    const random = this.opts.random ?? Math.random;
    const delay = result.retry && opts.retry ? retryWaitMs(claim.attempt, random, result.retryAfterMs) : null;
    // Stopping is not the channel's fault: try again as soon as upkeep is back.
    const retryAt = delay === null ? null : this.shutdown.signal.aborted ? now : now + delay;
    const out = result.outcome;
    if (!out.ok) {
      const fields = { channel: claim.row.channel, outbox: claim.row.id, attempt: claim.attempt, error: out.error };
      if (result.disable) logger.error(fields, 'channel disabled after a permanent error; fix it in the plan');
      else if (retryAt === null) logger.error(fields, 'notification failed; giving up on it');
      else logger.warn({ ...fields, retryAt }, 'notification failed; will retry');
    }
    await this.store.finishDelivery({
      claim,
      worker: this.opts.worker,
      now,
      outcome: out,
      retryAt,
      ...(result.disable !== undefined ? { disable: result.disable } : {}),
    });
    const { row } = claim;
    this.opts.onDelivery?.({
      outboxId: row.id,
      unitId: row.unitId,
      channel: row.channel,
      attempt: claim.attempt,
      ok: out.ok,
      at: now,
    });
    return result;
  }

  private async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async runLoop(): Promise<void> {
    const { clock, logger } = this.opts;
    const pollMs = this.opts.pollMs ?? 1_000;
    let backoff = 250;
    while (!this.stopping) {
      // A fresh signal before the pass: a wake() that arrives during the pass cuts the following sleep short.
      if (this.wakeSignal.signal.aborted) this.wakeSignal = new AbortController();
      let sleepMs = pollMs;
      try {
        await this.pass();
        const next = await this.store.nextAttemptAt();
        // With every send slot busy, a finishing send wakes the loop; otherwise sleep until the next due row.
        const full = this.inFlight.size >= (this.opts.concurrency ?? 8);
        if (next !== null && !full) sleepMs = Math.min(pollMs, Math.max(0, next - clock.now()));
        backoff = 250;
      } catch (err) {
        if (!this.error) this.error = { message: err instanceof Error ? err.message : String(err), since: clock.now() };
        logger.error({ err }, 'notifier pass failed (upkeep store or internal error); retrying with backoff');
        sleepMs = backoff;
        backoff = Math.min(backoff * 2, 10_000);
      }
      if (this.stopping) break;
      if (sleepMs > 0) await clock.sleep(sleepMs, this.wakeSignal.signal);
    }
  }
}
