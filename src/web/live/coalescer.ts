/**
 * Rate limiting by key: the first change of a quiet key goes out at once; later ones within `intervalMs` wait and
 * are merged, so a key emits at most one message per interval however many changes arrive.
 */
import type { Change } from '../../core/change.js';
import type { Timers } from './timers.js';

interface Slot {
  last: number;
  pending: Change | null;
  timer: unknown;
}

/** Emits at most one change per key per interval; `merge` folds a waiting change with a newer one. */
export class Coalescer {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly timers: Timers,
    private readonly intervalMs: number,
    private readonly emit: (change: Change) => void,
    private readonly merge: (waiting: Change, next: Change) => Change = (_, next) => next,
  ) {}

  /** Offers a change for `key`: sent now when the key has been quiet for an interval, else merged and sent later. */
  offer(key: string, change: Change): void {
    const now = this.timers.now();
    const slot = this.slots.get(key);
    if (!slot || (slot.pending === null && now - slot.last >= this.intervalMs)) {
      if (slot) this.slots.delete(key); // keeps insertion order = age, for the purge below
      this.slots.set(key, { last: now, pending: null, timer: null });
      this.purge(now);
      this.emit(change);
      return;
    }
    slot.pending = slot.pending ? this.merge(slot.pending, change) : change;
    if (slot.timer === null)
      slot.timer = this.timers.setTimeout(() => this.flush(key), slot.last + this.intervalMs - now);
  }

  /** Drops every waiting change and timer. */
  clear(): void {
    for (const slot of this.slots.values()) if (slot.timer !== null) this.timers.clearTimeout(slot.timer);
    this.slots.clear();
  }

  private flush(key: string): void {
    const slot = this.slots.get(key);
    if (!slot?.pending) return;
    const change = slot.pending;
    slot.pending = null;
    slot.timer = null;
    slot.last = this.timers.now();
    this.emit(change);
  }

  /** Forgets keys quiet for longer than an interval (oldest first), so the map holds only recent keys. */
  private purge(now: number): void {
    for (const [key, slot] of this.slots) {
      if (now - slot.last < this.intervalMs || slot.pending !== null) break;
      this.slots.delete(key);
    }
  }
}
