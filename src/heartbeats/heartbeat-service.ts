/**
 * Heartbeats at run time: token → unit, ping ingest with group commit, the scheduler's due times for heartbeat
 * units, and the last-ping reader the heartbeat probe uses. Built once by the composition root.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { StateChange } from '../alerts/transition.js';
import type { RunRecord } from '../core/run.js';
import type { CheckUnit } from '../plan/units.js';
import type { Clock } from '../schedule/clock.js';
import { GroupCommit } from './group-commit.js';
import { type HeartbeatSpec, heartbeatExpectation } from './heartbeat-kind.js';
import type { PingRecord } from './heartbeat-schema.js';
import {
  applyPing,
  type HeartbeatExpectation,
  type HeartbeatSnapshot,
  nextLateAfter,
  type PingInput,
} from './heartbeat-state.js';
import type { HeartbeatStore } from './heartbeat-store.js';

/** What the route hands over: a ping without its unit and time, which the service fills in. */
export type PingSignal = Omit<PingInput, 'unitId' | 'at'>;

/** A ping was stored, or its token names no heartbeat (404, nothing stored). */
export type IngestResult = 'stored' | 'unknown-token';

export interface HeartbeatServiceOptions {
  store: HeartbeatStore;
  /** The plan's units; the heartbeat ones are picked out. */
  units: readonly CheckUnit[];
  clock: Clock;
  logger: Logger;
  /** Named in the run rows pings write. */
  worker: string;
  /** True when `unit` is inside a maintenance window at `now` (the scheduler's own rule). */
  inMaintenance: (unit: CheckUnit, now: number) => boolean;
  /** Group commit: how long the first ping of a batch waits for others (ms, default 2). */
  batchWindowMs?: number;
  /** Most pings per transaction (default 1000). */
  maxBatch?: number;
  /** Makes a new ping token (default 144 random bits, base64url). */
  newToken?: () => string;
  /**
   * Told of each run a ping recorded, with its alert transition, once its batch committed: the same hook the
   * scheduler calls for its runs, so `upkeep start` prints and the notifier wakes for ping-caused transitions too.
   */
  onRecorded?: (unit: CheckUnit, run: RunRecord, change: StateChange | null) => void;
}

/** Tokens are base64url; anything else is answered 404 without a store lookup. */
const TOKEN_RE = /^[A-Za-z0-9_-]{16,128}$/;

/** A new ping token: 18 random bytes (144 bits) as 24 base64url characters. */
export function newPingToken(): string {
  return randomBytes(18).toString('base64url');
}

/** The expectation of a heartbeat unit, or undefined for other kinds. Pure. */
export function heartbeatExpectationOf(unit: CheckUnit): HeartbeatExpectation | undefined {
  if (unit.kind !== 'heartbeat') return undefined;
  // unit.schedule is the heartbeat's own (the kind's `schedule` hook), in the plan's zone.
  return heartbeatExpectation(unit.spec as HeartbeatSpec, unit.schedule);
}

/**
 * The scheduler's next due time for a heartbeat unit it claims at `after`: the next moment it is late if no ping
 * comes; undefined for other kinds (use their schedule). Pings move it as they arrive. Pure.
 */
export function heartbeatNextRunAt(unit: CheckUnit, after: number): number | undefined {
  const exp = heartbeatExpectationOf(unit);
  return exp === undefined ? undefined : nextLateAfter(exp, after);
}

/** Heartbeat ingest and lookups over a HeartbeatStore. */
export class HeartbeatService {
  private readonly units = new Map<string, { unit: CheckUnit; exp: HeartbeatExpectation }>();
  private readonly unitByToken = new Map<string, string>();
  private readonly batch: GroupCommit<PingInput, boolean>;

  constructor(private readonly opts: HeartbeatServiceOptions) {
    this.setUnits(opts.units);
    this.batch = new GroupCommit((pings) => this.write(pings), {
      windowMs: opts.batchWindowMs ?? 2,
      maxBatch: opts.maxBatch ?? 1_000,
    });
  }

  /** Takes the units of a reloaded plan (call sync() after, for new tokens and lateness). */
  setUnits(units: readonly CheckUnit[]): void {
    this.units.clear();
    for (const unit of units) {
      const exp = heartbeatExpectationOf(unit);
      if (exp) this.units.set(unit.id, { unit, exp });
    }
  }

  /** How many heartbeat units the plan has. */
  get size(): number {
    return this.units.size;
  }

  /** Creates tokens for new heartbeats, recomputes lateness after a plan change, loads the token map. */
  async sync(): Promise<void> {
    const plans = [...this.units.values()].map(({ unit, exp }) => ({ unitId: unit.id, exp }));
    await this.opts.store.sync(plans, this.opts.clock.now(), this.opts.newToken ?? newPingToken);
    this.unitByToken.clear();
    for (const [unitId, token] of await this.opts.store.tokens()) {
      if (this.units.has(unitId)) this.unitByToken.set(token, unitId);
    }
  }

  /** The scheduler's due time for a claimed heartbeat unit (see heartbeatNextRunAt). */
  nextRunAt(unit: CheckUnit, after: number): number | undefined {
    return heartbeatNextRunAt(unit, after);
  }

  /** The last-ping state the heartbeat probe judges (ProbeContext.heartbeats). */
  lastPing(unitId: string): Promise<HeartbeatSnapshot | undefined> {
    return this.opts.store.lastPing(unitId);
  }

  /** Every heartbeat unit's token, by unit id. */
  tokens(): Promise<Map<string, string>> {
    return this.opts.store.tokens();
  }

  /** The tokens of the given heartbeat units only, by unit id (one unit's page reads one row). */
  tokensOf(unitIds: readonly string[]): Promise<Map<string, string>> {
    return this.opts.store.tokensOf(unitIds);
  }

  /** A heartbeat's pings, newest first (the ping log). */
  listPings(opts: { unitId: string; limit: number; before?: number }): Promise<PingRecord[]> {
    return this.opts.store.listPings(opts);
  }

  /** The heartbeat unit a token belongs to, or undefined (a token another worker made is looked up once). */
  async resolveToken(token: string): Promise<string | undefined> {
    if (!TOKEN_RE.test(token)) return undefined;
    const cached = this.unitByToken.get(token);
    if (cached !== undefined) return cached;
    const unitId = await this.opts.store.unitForToken(token);
    if (unitId === undefined || !this.units.has(unitId)) return undefined;
    this.unitByToken.set(token, unitId);
    return unitId;
  }

  /** Records one ping; resolves after it is committed. Rejects only for upkeep's own (store) failures. */
  async ingest(token: string, signal: PingSignal): Promise<IngestResult> {
    const unitId = await this.resolveToken(token);
    if (unitId === undefined) return 'unknown-token';
    const stored = await this.batch.submit({ ...signal, unitId, at: this.opts.clock.now() });
    return stored ? 'stored' : 'unknown-token';
  }

  /** Writes pings still waiting for their batch (call before closing the store). */
  close(): Promise<void> {
    return this.batch.flush();
  }

  private async write(pings: PingInput[]): Promise<boolean[]> {
    const recorded: { unit: CheckUnit; run: RunRecord; change: StateChange | null }[] = [];
    const stored = await this.opts.store.recordPings(pings, (prev, ping, startAt) => {
      const entry = this.units.get(ping.unitId) as { unit: CheckUnit; exp: HeartbeatExpectation };
      const effect = applyPing(prev, ping, {
        exp: entry.exp,
        policy: entry.unit.policy,
        inMaintenance: this.opts.inMaintenance(entry.unit, ping.at),
        worker: this.opts.worker,
        startAt,
      });
      if (effect.run) recorded.push({ unit: entry.unit, run: effect.run, change: effect.change });
      return effect;
    });
    // Only after the commit: a rolled-back batch recorded nothing.
    const onRecorded = this.opts.onRecorded;
    if (onRecorded) {
      for (const r of recorded) {
        try {
          onRecorded(r.unit, r.run, r.change);
        } catch (err) {
          this.opts.logger.error({ err, unit: r.unit.id }, 'onRecorded hook failed');
        }
      }
    }
    return stored;
  }
}
