/**
 * The overview's numbers kept in memory: per-unit state, per-app counts and the set of firing units, loaded from the
 * store once and then kept current by the changes the live hub carries (a state change updates one unit; a plan
 * change reloads). So `/api/overview` costs the number of apps and firing alerts, not a read of every unit.
 */
import type { AlertStateName } from '../core/alert-state.js';
import type { Change } from '../core/change.js';
import type { Store } from './run-store.js';
import { STATE_ORDER } from './unit-view.js';

/** What the overview keeps of one unit. */
interface Entry {
  app: string;
  name: string;
  kind: string;
  state: AlertStateName;
  severity: string | null;
  since: number;
  reason: string | null;
}

/** One firing alert as the overview lists it. */
export interface FiringAlert {
  unitId: string;
  app: string;
  name: string;
  kind: string;
  severity: string | null;
  since: number;
  reason: string | null;
}

/** One app's line on the overview. */
export interface AppSummary {
  name: string;
  worst: string;
  counts: Record<string, number>;
  units: number;
}

/** Upkeep's own errors per unit (the scheduler's unitErrors): shown as `error` over the stored state. */
export type UnitErrors = readonly [string, { message: string; since: number }][];

// Transitions read at load for the reasons of firing and pending alerts; the rest use the last run's summary.
const REASON_LOOKUPS = 500;
/** Firing alerts listed at most (worst and oldest first). */
const FIRING_SHOWN = 500;
const SEVERITY_RANK: Record<string, number> = { critical: 0, warning: 1, info: 2 };

/** In-memory overview numbers, maintained incrementally from state changes. */
export class OverviewSummary {
  private units = new Map<string, Entry>();
  private counts = new Map<string, Record<string, number>>();
  private firing = new Set<string>();
  private loading: Promise<void> | null = null;
  private buffered: Change[] | null = null;
  private loaded = false;

  constructor(private readonly store: Pick<Store, 'listUnits' | 'listTransitions'>) {}

  /** Applies one change: a state change moves one unit between counts; a plan change reloads. */
  apply(change: Change): void {
    if (change.kind !== 'state' && change.kind !== 'plan') return;
    if (this.buffered) return void this.buffered.push(change);
    if (!this.loaded) return; // the first read will see it
    if (change.kind === 'plan')
      void this.reload().catch(() => undefined); // the next request retries
    else this.applyState(change);
  }

  private applyState(change: Change): void {
    const id = change.unitId;
    const to = change.data?.to;
    if (id === undefined || typeof to !== 'string') return;
    const data = change.data ?? {};
    // A unit new since the last read (its plan change not yet told) is added from the change itself.
    const app = change.app ?? id.slice(0, id.indexOf('/'));
    const entry = this.units.get(id) ?? {
      app,
      name: id.slice(app.length + 1),
      kind: typeof data.unitKind === 'string' ? data.unitKind : 'unknown',
      reason: null,
    };
    this.set(id, {
      ...entry,
      state: to as AlertStateName,
      severity: typeof data.severity === 'string' ? data.severity : null,
      since: change.at,
      reason: typeof data.reason === 'string' ? data.reason : entry.reason,
    });
  }

  /** Counts by state, apps worst first and firing alerts, with upkeep's own unit errors shown as `error`. */
  async snapshot(
    errors: UnitErrors = [],
  ): Promise<{ apps: AppSummary[]; counts: Record<string, number>; firing: FiringAlert[] }> {
    if (!this.loaded) await this.reload();
    const perApp = new Map<string, Record<string, number>>();
    for (const [app, counts] of this.counts) perApp.set(app, { ...counts });
    for (const [id] of errors) {
      const entry = this.units.get(id);
      const counts = entry && perApp.get(entry.app);
      if (!entry || !counts || entry.state === 'error') continue;
      counts[entry.state] = (counts[entry.state] ?? 1) - 1;
      if (counts[entry.state] === 0) delete counts[entry.state];
      counts.error = (counts.error ?? 0) + 1;
    }
    const total: Record<string, number> = {};
    const apps: AppSummary[] = [];
    for (const [name, counts] of perApp) {
      let units = 0;
      for (const [state, n] of Object.entries(counts)) {
        total[state] = (total[state] ?? 0) + n;
        units += n;
      }
      apps.push({ name, worst: STATE_ORDER.find((s) => counts[s]) ?? 'ok', counts, units });
    }
    apps.sort(worstFirst);
    return { apps, counts: total, firing: this.firingList() };
  }

  /** Reads every unit once (at the first request, and after a plan change); changes meanwhile are applied after. */
  reload(): Promise<void> {
    if (this.loading) return this.loading;
    this.buffered = [];
    let again = false;
    this.loading = this.readAll()
      .then(() => {
        const pending = this.buffered ?? [];
        this.loaded = true;
        for (const change of pending) if (change.kind === 'state') this.applyState(change);
        // A plan changed while reading: read again, as the read may have missed it.
        again = pending.some((c) => c.kind === 'plan');
      })
      .catch((err: unknown) => {
        // Not read: the next request reads again (and reports upkeep's own store trouble meanwhile).
        this.loaded = false;
        throw err;
      })
      .finally(() => {
        this.buffered = null;
        this.loading = null;
        if (again) void this.reload().catch(() => undefined);
      });
    return this.loading;
  }

  private async readAll(): Promise<void> {
    const records = await this.store.listUnits();
    const entries: [string, Entry][] = [];
    let lookups = 0;
    for (const r of records) {
      const state = r.alert.state;
      let reason = r.alert.lastSummary ?? null;
      if ((state === 'firing' || state === 'pending') && lookups++ < REASON_LOOKUPS) {
        const [last] = await this.store.listTransitions({ unitId: r.id, limit: 1 });
        if (last) reason = last.reason;
      }
      const severity = r.alert.severity ?? null;
      entries.push([r.id, { app: r.app, name: r.name, kind: r.kind, state, severity, since: r.alert.since, reason }]);
    }
    // Swapped in only once all was read: a read that fails half way leaves no half-counted numbers.
    this.units = new Map();
    this.counts = new Map();
    this.firing = new Set();
    for (const [id, entry] of entries) this.set(id, entry);
  }

  private set(id: string, entry: Entry): void {
    const old = this.units.get(id);
    if (old) {
      const counts = this.counts.get(old.app);
      if (counts) {
        counts[old.state] = (counts[old.state] ?? 1) - 1;
        if (counts[old.state] === 0) delete counts[old.state];
      }
    }
    this.units.set(id, entry);
    const counts = this.counts.get(entry.app) ?? {};
    counts[entry.state] = (counts[entry.state] ?? 0) + 1;
    this.counts.set(entry.app, counts);
    if (entry.state === 'firing') this.firing.add(id);
    else this.firing.delete(id);
  }

  private firingList(): FiringAlert[] {
    const list: FiringAlert[] = [];
    for (const unitId of this.firing) {
      const e = this.units.get(unitId);
      if (e)
        list.push({
          unitId,
          app: e.app,
          name: e.name,
          kind: e.kind,
          severity: e.severity,
          since: e.since,
          reason: e.reason,
        });
    }
    list.sort(
      (a, b) => (SEVERITY_RANK[a.severity ?? ''] ?? 3) - (SEVERITY_RANK[b.severity ?? ''] ?? 3) || a.since - b.since,
    );
    // Everything down at once must not make the overview megabytes long: `counts.firing` has the total.
    return list.slice(0, FIRING_SHOWN);
  }
}

/** Worst state first; among equals, more units in that state first; then by name. */
function worstFirst(a: AppSummary, b: AppSummary): number {
  const rank = (s: string) => STATE_ORDER.indexOf(s as (typeof STATE_ORDER)[number]);
  return (
    rank(a.worst) - rank(b.worst) || (b.counts[b.worst] ?? 0) - (a.counts[a.worst] ?? 0) || a.name.localeCompare(b.name)
  );
}
