/**
 * The active overrides in memory, so the scheduler and the notifier consult them for free at every run (10,000
 * units need no query per run): loaded at start, updated at once by changes made here, and refreshed every few
 * seconds for changes made elsewhere (the CLI, another worker on the same PostgreSQL).
 */
import type { Logger } from 'pino';
import type { Change, ChangeFeed } from '../core/change.js';
import type { Clock } from '../schedule/clock.js';
import { isActive, type NewOverride, type Override, type OverrideKind } from './override-schema.js';
import type { OverrideStore } from './override-store.js';

/** What an Overrides is built from. */
export interface OverridesOptions {
  store: OverrideStore;
  clock: Clock;
  logger: Pick<Logger, 'warn'>;
  changes?: ChangeFeed;
  /** How often changes made by other processes are picked up (default 5 s). */
  refreshEveryMs?: number;
}

/** A unit as overrides see it. */
export interface UnitRef {
  id: string;
  app: string;
}

/** The active overrides, indexed by unit and by app. */
export class Overrides {
  private byUnit = new Map<string, Override[]>();
  private byApp = new Map<string, Override[]>();
  private everywhere: Override[] = [];
  private all: Override[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Bumped by every change made here: a refresh that read the store before it must not undo it. */
  private edits = 0;
  /** Set by the composition root after build (the changes hub may come later than the overrides). */
  changes: ChangeFeed | undefined;

  constructor(private readonly opts: OverridesOptions) {
    this.changes = opts.changes;
  }

  /** Loads the active overrides and keeps them fresh until stop(). */
  async start(): Promise<void> {
    await this.refresh();
    this.timer ??= setInterval(
      () => void this.refresh().catch((err) => this.opts.logger.warn({ err }, 'could not refresh overrides')),
      this.opts.refreshEveryMs ?? 5_000,
    ).unref();
  }

  /** Stops the refresh timer. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the active overrides from the store (one query). */
  async refresh(): Promise<void> {
    const edits = this.edits;
    const list = await this.opts.store.listActive(this.opts.clock.now());
    if (edits === this.edits) this.index(list);
  }

  /** The overrides active at `now` (a maintenance window opened for later included), oldest first. */
  active(now = this.opts.clock.now()): Override[] {
    return this.all.filter((o) => isActive(o, now));
  }

  /** The active override of `kind` covering `unit` at `now` (a unit's own first, then its app's, then all). */
  find(kind: OverrideKind, unit: UnitRef, now: number): Override | undefined {
    const lists = [this.byUnit.get(unit.id), this.byApp.get(unit.app), this.everywhere];
    for (const list of lists) {
      const hit = list?.find((o) => o.kind === kind && isActive(o, now) && (o.startsAt === null || o.startsAt <= now));
      if (hit) return hit;
    }
    return undefined;
  }

  /** True when an operator paused `unit`. */
  paused(unit: UnitRef, now: number): boolean {
    return this.find('pause', unit, now) !== undefined;
  }

  /**
   * The ad-hoc maintenance windows of whole apps (open or opened for later) as one-off windows, so the overview and
   * the status pages list them beside the plan's. A window with no end runs until it is cleared.
   */
  windows(now = this.opts.clock.now()): { kind: 'once'; apps?: string[]; from: number; to: number }[] {
    return this.active(now)
      .filter((o) => o.kind === 'maintenance' && o.unitId === null)
      .map((o) => ({
        kind: 'once' as const,
        ...(o.app === null ? {} : { apps: [o.app] }),
        from: o.startsAt ?? o.createdAt,
        to: o.expiresAt ?? Number.MAX_SAFE_INTEGER,
      }));
  }

  /** True when an ad-hoc maintenance window covers the unit's app (or the unit) at `now`. */
  inMaintenance(unit: UnitRef, now: number): boolean {
    return this.find('maintenance', unit, now) !== undefined;
  }

  /**
   * Why the unit's notifications are held at `now`, or null: a silence or pause holds every message; an
   * acknowledgement holds only reminders (someone is on it; a new firing or an escalation still notifies).
   */
  holdReason(unit: UnitRef, now: number, what: 'transition' | 'reminder'): string | null {
    const silence = this.find('silence', unit, now) ?? this.find('pause', unit, now);
    const o = silence ?? (what === 'reminder' ? this.find('ack', unit, now) : undefined);
    if (!o) return null;
    const until = o.expiresAt === null ? '' : ` until ${new Date(o.expiresAt).toISOString()}`;
    const verb = o.kind === 'silence' ? 'silenced' : o.kind === 'pause' ? 'paused' : 'acknowledged';
    return `${verb} by ${o.author}${until}: ${o.reason}`;
  }

  /** Stores a new override and applies it at once. */
  async create(o: NewOverride): Promise<Override> {
    const created = await this.opts.store.create(o);
    this.edits++;
    this.index([...this.all, created]);
    this.publish(created, 'created');
    return created;
  }

  /** Clears an override (recording who); undefined when it was not active. */
  async clear(id: number, by: string): Promise<Override | undefined> {
    const cleared = await this.opts.store.clear(id, by, this.opts.clock.now());
    this.edits++;
    this.index(this.all.filter((o) => o.id !== id));
    if (cleared) this.publish(cleared, 'cleared');
    return cleared;
  }

  /** Ends the unit's acknowledgements when its alert resolves: an ack is for one episode. */
  async alertResolved(unit: UnitRef): Promise<void> {
    const now = this.opts.clock.now();
    for (const o of this.byUnit.get(unit.id) ?? []) {
      if (o.kind === 'ack' && isActive(o, now)) await this.clear(o.id, 'upkeep (the alert resolved)');
    }
  }

  private publish(o: Override, action: 'created' | 'cleared'): void {
    const change: Change = {
      kind: 'override',
      at: this.opts.clock.now(),
      data: { id: o.id, override: o.kind, action },
      ...(o.app !== null ? { app: o.app } : {}),
      ...(o.unitId !== null ? { unitId: o.unitId } : {}),
    };
    this.changes?.publish(change);
  }

  private index(list: Override[]): void {
    const now = this.opts.clock.now();
    const byId = new Map(list.filter((o) => isActive(o, now)).map((o) => [o.id, o]));
    this.all = [...byId.values()].sort((a, b) => a.id - b.id);
    this.byUnit = new Map();
    this.byApp = new Map();
    this.everywhere = [];
    for (const o of this.all) {
      if (o.unitId !== null) push(this.byUnit, o.unitId, o);
      else if (o.app !== null) push(this.byApp, o.app, o);
      else this.everywhere.push(o);
    }
  }
}

function push(map: Map<string, Override[]>, key: string, o: Override): void {
  const list = map.get(key);
  if (list) list.push(o);
  else map.set(key, [o]);
}
