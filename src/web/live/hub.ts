/**
 * The live hub: where producers publish changes (ChangeFeed) and server-sent-event streams subscribe by topic.
 * Each topic gets only what its page shows:
 *   unit:<app/name>  every change of that unit (each run, each state change);
 *   app:<name>       state and other changes of the app's units at once, runs at most one per unit per second;
 *   overview         only state, override and plan changes, at most one message per kind per interval (several
 *                    changes in one interval become one `{ data: { changes: n } }` message: refetch the overview);
 *   notify           deliveries, at most one per channel per second;  plan  plan changes.
 * Frames are built once per topic, not per subscriber.
 */
import type { Change, ChangeFeed } from '../../core/change.js';
import { Coalescer } from './coalescer.js';
import { realTimers, type Timers } from './timers.js';

/** One open stream: `write` sends a ready SSE frame; `end` closes the stream (hub shutting down). */
export interface LiveSink {
  write(frame: string): void;
  end(): void;
}

/** A subscription: `close()` removes it (on disconnect). */
export interface Subscription {
  close(): void;
}

/** Hub limits and timings. */
export interface HubOptions {
  timers?: Timers;
  /** Open streams at most (default 500); one more is refused with a clear error. */
  maxSubscribers?: number;
  /** Runs per unit on an app topic, and deliveries per channel: one per this many ms (default 1000). */
  perUnitMs?: number;
  /** Overview messages: one per change kind per this many ms (default 500: at most 6 a second). */
  overviewMs?: number;
  /** A comment line is sent to every stream this often, so proxies keep idle streams open (default 15 s). */
  keepAliveMs?: number;
}

/** Thrown by subscribe() when the hub is full. */
export class TooManySubscribersError extends Error {
  constructor(readonly limit: number) {
    super(`too many live connections (${limit} open): close other dashboard tabs, then reload this page`);
  }
}

const OVERVIEW_KINDS = new Set(['state', 'override', 'plan']);

/** The SSE frame of one change: `event:` is the kind, `data:` the change as JSON. */
export function frameOf(change: Change): string {
  return `event: ${change.kind}\ndata: ${JSON.stringify(change)}\n\n`;
}

/** Fans changes out to subscribers by topic, with the rate limits above. */
export class LiveHub implements ChangeFeed {
  private readonly timers: Timers;
  private readonly max: number;
  private readonly topics = new Map<string, Set<LiveSink>>();
  private readonly sinks = new Map<LiveSink, string[]>();
  private readonly listeners = new Set<(change: Change) => void>();
  private readonly appRuns = new Map<string, Coalescer>();
  private readonly overview: Coalescer;
  private readonly notify: Coalescer;
  private readonly perUnitMs: number;
  private readonly keepAliveMs: number;
  private keepAlive: unknown = null;

  constructor(opts: HubOptions = {}) {
    this.timers = opts.timers ?? realTimers;
    this.max = opts.maxSubscribers ?? 500;
    this.perUnitMs = opts.perUnitMs ?? 1_000;
    this.keepAliveMs = opts.keepAliveMs ?? 15_000;
    this.overview = new Coalescer(this.timers, opts.overviewMs ?? 500, (c) => this.send('overview', c), countMerge);
    this.notify = new Coalescer(this.timers, this.perUnitMs, (c) => this.send('notify', c));
  }

  /** Listens to every change, unfiltered and unthrottled (in-process consumers such as the overview summary). */
  listen(fn: (change: Change) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Publishes one change to listeners and to the topics it belongs to. */
  publish(change: Change): void {
    // Producers sit on hot paths (the scheduler's onRecorded): a listener's bug must not fail a recorded run.
    for (const fn of this.listeners) {
      try {
        fn(change);
      } catch {
        // the listener's own problem; the change still reaches the streams
      }
    }
    if (this.sinks.size === 0) return;
    if (change.unitId !== undefined) this.send(`unit:${change.unitId}`, change);
    if (change.app !== undefined && this.topics.has(`app:${change.app}`)) {
      if (change.kind === 'run' && change.unitId !== undefined)
        this.appCoalescer(change.app).offer(change.unitId, change);
      else this.send(`app:${change.app}`, change);
    }
    if (OVERVIEW_KINDS.has(change.kind) && this.topics.has('overview')) this.overview.offer(change.kind, change);
    if (change.kind === 'delivery' && this.topics.has('notify'))
      this.notify.offer(String(change.data?.channel ?? ''), change);
    if (change.kind === 'plan') this.send('plan', change);
  }

  /** Adds a stream for `topics`; throws TooManySubscribersError when the hub is full. */
  subscribe(topics: readonly string[], sink: LiveSink): Subscription {
    if (this.sinks.size >= this.max) throw new TooManySubscribersError(this.max);
    const unique = [...new Set(topics)];
    this.sinks.set(sink, unique);
    for (const topic of unique) {
      const set = this.topics.get(topic) ?? new Set();
      set.add(sink);
      this.topics.set(topic, set);
    }
    this.armKeepAlive();
    return { close: () => this.remove(sink) };
  }

  /** Open streams now. */
  get subscriberCount(): number {
    return this.sinks.size;
  }

  /** Ends every stream and drops waiting messages (server shutdown). */
  close(): void {
    for (const sink of [...this.sinks.keys()]) {
      this.remove(sink);
      sink.end();
    }
  }

  private remove(sink: LiveSink): void {
    const topics = this.sinks.get(sink);
    if (!topics) return;
    this.sinks.delete(sink);
    for (const topic of topics) {
      const set = this.topics.get(topic);
      set?.delete(sink);
      if (set?.size === 0) {
        this.topics.delete(topic);
        if (topic.startsWith('app:')) {
          this.appRuns.get(topic.slice(4))?.clear();
          this.appRuns.delete(topic.slice(4));
        }
        if (topic === 'overview') this.overview.clear();
        if (topic === 'notify') this.notify.clear();
      }
    }
    if (this.sinks.size === 0 && this.keepAlive !== null) {
      this.timers.clearTimeout(this.keepAlive);
      this.keepAlive = null;
    }
  }

  private send(topic: string, change: Change): void {
    const set = this.topics.get(topic);
    if (!set) return;
    const frame = frameOf(change);
    for (const sink of [...set]) sink.write(frame);
  }

  private appCoalescer(app: string): Coalescer {
    let c = this.appRuns.get(app);
    if (!c) {
      c = new Coalescer(this.timers, this.perUnitMs, (change) => this.send(`app:${app}`, change));
      this.appRuns.set(app, c);
    }
    return c;
  }

  private armKeepAlive(): void {
    if (this.keepAlive !== null) return;
    this.keepAlive = this.timers.setTimeout(() => {
      this.keepAlive = null;
      for (const sink of [...this.sinks.keys()]) sink.write(': keep-alive\n\n');
      if (this.sinks.size > 0) this.armKeepAlive();
    }, this.keepAliveMs);
  }
}

/** Folds changes waiting in one overview interval: one change stays as it is; several become a count. */
function countMerge(waiting: Change, next: Change): Change {
  const before = typeof waiting.data?.changes === 'number' && waiting.unitId === undefined ? waiting.data.changes : 1;
  return { kind: next.kind, at: next.at, data: { changes: before + 1 } };
}
