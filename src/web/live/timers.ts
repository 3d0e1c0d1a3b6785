/** The clock and timers the live hub runs on: real ones in upkeep, a hand-driven one in tests. */

/** Time and one-shot timers. */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The process's own clock and timers; timers do not keep the process alive. */
export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Timers driven by hand: `advance(ms)` moves the clock and fires what came due, in order (for tests). */
export class ManualTimers implements Timers {
  private at: number;
  private seq = 0;
  private readonly due = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 0) {
    this.at = start;
  }

  now(): number {
    return this.at;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.due.set(id, { at: this.at + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }

  /** Moves the clock forward by `ms`, firing each timer that comes due at its own time. */
  advance(ms: number): void {
    const end = this.at + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.due) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.due.delete(next[0]);
      this.at = next[1].at;
      next[1].fn();
    }
    this.at = end;
  }

  /** How many timers are waiting. */
  get pending(): number {
    return this.due.size;
  }
}
