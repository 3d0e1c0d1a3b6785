/**
 * Runs recorded by this process, counted by unit and outcome: what `upkeep_runs_total` reports. Counted in memory
 * as runs are recorded (app.ts's onRecorded), because the store prunes raw runs and a counter must never go down.
 */

/** One counted series. */
export interface RunTallyEntry {
  app: string;
  unit: string;
  kind: string;
  outcome: string;
  count: number;
}

/** An in-memory tally of recorded runs. */
export class RunTally {
  private readonly counts = new Map<string, RunTallyEntry>();

  /** Counts one recorded run of `unit`. */
  observe(unit: { app: string; name: string; kind: string }, outcome: string): void {
    const key = `${unit.app}\0${unit.name}\0${unit.kind}\0${outcome}`;
    const entry = this.counts.get(key);
    if (entry) entry.count += 1;
    else this.counts.set(key, { app: unit.app, unit: unit.name, kind: unit.kind, outcome, count: 1 });
  }

  /** Every series counted so far. */
  entries(): RunTallyEntry[] {
    return [...this.counts.values()];
  }
}
