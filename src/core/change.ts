/**
 * A change worth telling live pages about (server-sent events). Changes, never snapshots: a page that shows a unit
 * fetches what it shows and subscribes to that unit's topic; the overview subscribes only to state changes.
 */

/** What changed. `unit` carries every recorded run; `state` only a unit's alert state or override changing. */
export type ChangeKind = 'run' | 'state' | 'override' | 'plan' | 'delivery' | 'backup' | 'announcement';

/** One change. `unitId` is `app/unit`; `app` is set whenever the change belongs to one app. */
export interface Change {
  kind: ChangeKind;
  app?: string;
  unitId?: string;
  /** When it happened (ms since epoch). */
  at: number;
  /** A few small facts the page can show without refetching (state, outcome, durationMs...); never a secret. */
  data?: Record<string, string | number | boolean | null>;
}

/** Where producers publish changes; the live hub (src/web/live/) fans them out to subscribers. */
export interface ChangeFeed {
  publish(change: Change): void;
}
