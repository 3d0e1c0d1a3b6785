/**
 * Reloading the plan without a restart (SIGHUP, `POST /api/plan/reload`, `upkeep reload`). The file is loaded and
 * validated first; a plan with errors is refused with its issues and the running plan stays. A good plan is applied
 * by the composition root (units, heartbeats, the notifier's plan, maintenance windows); units that did not change
 * keep their history and schedule. Reloads run one at a time.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ChangeFeed } from '../core/change.js';
import { type LoadedPlan, PlanError } from '../plan/load-plan.js';
import { formatIssue } from '../plan/plan-error.js';
import type { CheckUnit } from '../plan/units.js';
import type { Clock } from '../schedule/clock.js';
import { unitDefinition } from '../schedule/unit-definition.js';
import type { Database } from '../store/database.js';
import type { MetaTable } from '../store/schema.js';
import { withWriteGate } from '../store/write-gate.js';

/** One plan problem as the API shows it (the 422 `issues`). */
export interface ReloadIssue {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** What a reload did. */
export type ReloadResult =
  | { ok: true; added: string[]; removed: string[]; changed: string[] }
  | { ok: false; error: string; issues: ReloadIssue[] };

/** `GET /api/plan`: which plan runs and how the last reload went. */
export interface PlanInfo {
  path: string;
  loadedAt: number;
  lastReload: null | { at: number; ok: boolean; issues?: ReloadIssue[] };
}

/** How the reloader reaches the running app (src/app.ts). */
export interface ReloadTarget {
  current(): LoadedPlan;
  load(): Promise<LoadedPlan>;
  apply(plan: LoadedPlan): Promise<void>;
}

/** Where a worker's last reload result is kept, so `upkeep reload` in another shell can print it. */
export const RELOAD_KEY_PREFIX = 'reload:';

/** Unit ids added, removed and changed (anything a run or its display depends on) between two plans. Pure. */
export function diffUnits(
  before: readonly CheckUnit[],
  after: readonly CheckUnit[],
): { added: string[]; removed: string[]; changed: string[] } {
  const old = new Map(before.map((u) => [u.id, JSON.stringify(unitDefinition(u))]));
  const now = new Map(after.map((u) => [u.id, JSON.stringify(unitDefinition(u))]));
  const added = [...now.keys()].filter((id) => !old.has(id));
  const removed = [...old.keys()].filter((id) => !now.has(id));
  const changed = [...now.entries()].filter(([id, def]) => old.has(id) && old.get(id) !== def).map(([id]) => id);
  return { added: added.sort(), removed: removed.sort(), changed: changed.sort() };
}

/** Reloads the plan of one running upkeep. */
export class PlanReloader {
  private loadedAt: number;
  private last: PlanInfo['lastReload'] = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly opts: {
      path: string;
      target: ReloadTarget;
      clock: Clock;
      logger: Pick<Logger, 'warn' | 'error' | 'info'>;
      database?: Database;
      worker?: string;
      changes?: () => ChangeFeed | undefined;
    },
  ) {
    this.loadedAt = opts.clock.now();
  }

  /** What `GET /api/plan` shows. */
  info(): PlanInfo {
    return { path: this.opts.path, loadedAt: this.loadedAt, lastReload: this.last };
  }

  /** Loads the file again and, when it is valid, applies it; one reload at a time. Never rejects for a bad plan. */
  reload(): Promise<ReloadResult> {
    const next = this.queue.then(() => this.reloadOnce());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async reloadOnce(): Promise<ReloadResult> {
    const { target, clock, logger } = this.opts;
    let plan: LoadedPlan;
    try {
      plan = await target.load();
    } catch (err) {
      if (!(err instanceof PlanError)) throw err; // upkeep's own failure: a 500, not the plan's fault
      // The message keeps what was found and expected (formatIssue's tail), without repeating the place.
      const issues = err.issues.map((i) => ({
        file: i.file,
        line: i.line,
        column: i.column,
        message: formatIssue(i).slice(`${i.file}:${i.line}:${i.column}: `.length),
      }));
      const result: ReloadResult = {
        ok: false,
        error: `the plan was not reloaded: ${issues.length} problem(s) in ${this.opts.path}; the running plan stays`,
        issues,
      };
      logger.warn({ issues: issues.length }, 'plan reload refused: the plan has errors; the running plan stays');
      await this.finish(result);
      return result;
    }
    const diff = diffUnits(target.current().units, plan.units);
    await target.apply(plan);
    this.loadedAt = clock.now();
    const result: ReloadResult = { ok: true, ...diff };
    logger.info(
      { added: diff.added.length, removed: diff.removed.length, changed: diff.changed.length },
      'plan reloaded',
    );
    await this.finish(result);
    return result;
  }

  private async finish(result: ReloadResult): Promise<void> {
    const at = this.opts.clock.now();
    this.last = result.ok ? { at, ok: true } : { at, ok: false, issues: result.issues };
    this.opts.changes?.()?.publish({ kind: 'plan', at, data: { ok: result.ok } });
    const { database, worker } = this.opts;
    if (!database || !worker) return;
    const db = database.db as unknown as Kysely<{ upkeep_meta: MetaTable }>;
    const key = `${RELOAD_KEY_PREFIX}${worker}`;
    const value = JSON.stringify({ at, ...result });
    await withWriteGate(database.gateKey, () =>
      db
        .insertInto('upkeep_meta')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute(),
    ).catch((err) => this.opts.logger.warn({ err }, 'could not record the reload result for `upkeep reload`'));
  }
}
