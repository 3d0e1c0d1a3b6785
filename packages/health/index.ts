/**
 * @upkeep/health: a dependency-free request counter plus a handler that serves the health JSON upkeep reads.
 * Works with Express, Connect, Fastify's raw `onRequest` and bare `node:http`: it only touches IncomingMessage and
 * ServerResponse.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What the `database()` function reports; `disconnected`, `error` and `timeout` make the app unhealthy. */
export type DatabaseState = 'connected' | 'disconnected' | 'in-memory' | 'not-configured' | 'error' | 'timeout';

/** The JSON body served at `/health`, exactly the shape upkeep's example plans expect. */
export interface HealthReport {
  status: 'ok' | 'error';
  /** ISO 8601 time of this report. */
  timestamp: string;
  /** Whole seconds since the process (or the `startedAt` option) started. */
  uptime: number;
  database: DatabaseState | string;
  environment: string;
  metrics: {
    /** Requests counted since start, or within the last `windowMs` when that option is set. */
    requests: number;
    /** Of those, responses with a 5xx status or marked with markError. */
    errors: number;
    /** errors / requests as a percentage with two decimals, e.g. `0.50%`. */
    errorRate: string;
    /** Whole mebibytes, e.g. `45MB`. */
    memory: { heapUsed: string; heapTotal: string; rss: string };
  };
}

/** Options for {@link createHealth}; everything is injectable so tests need no clocks or globals. */
export interface HealthOptions {
  /** Reports the database connection; may be async. Omit it when the app has no database. */
  database?: () => DatabaseState | string | Promise<DatabaseState | string>;
  /** A database check slower than this reports `timeout` rather than hanging the health endpoint. Default 2000. */
  databaseTimeoutMs?: number;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** When the app started (ms since the epoch). Default: the process start time, so `uptime` is the process's. */
  startedAt?: number;
  /** Default `process.env.NODE_ENV` or `development`. */
  environment?: string;
  /** Default `process.memoryUsage`. */
  memoryUsage?: () => Pick<NodeJS.MemoryUsage, 'heapUsed' | 'heapTotal' | 'rss'>;
  /** Requests the counter should not count (e.g. the health endpoint itself). Default: count everything. */
  ignore?: (req: IncomingMessage) => boolean;
  /**
   * Count only the last `windowMs` (e.g. 300000 for five minutes) instead of everything since start. A rate since
   * start barely moves after weeks of uptime, and stays high long after a burst: a window tracks what is happening now.
   */
  windowMs?: number;
}

/** The next-callback shape shared by Express and Connect. */
export type Next = (err?: unknown) => void;

/** What {@link createHealth} returns. */
export interface Health {
  /** Counts every request and, when its response finishes with a 5xx status, one error. Mount it first. */
  count: (req: IncomingMessage, res: ServerResponse, next: Next) => void;
  /** Serves the health JSON: HTTP 200 when healthy, 503 when the database is down. */
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Counts this response as an error even though its status is below 500 (for degraded-but-answered requests). */
  markError: (res: ServerResponse) => void;
  /** Builds the report without serving it. */
  report: () => Promise<HealthReport>;
  /** The raw counters, for tests and custom endpoints. */
  counters: () => { requests: number; errors: number };
  /** Sets both counters back to zero. */
  resetCounters: () => void;
}

const UNHEALTHY: ReadonlySet<string> = new Set(['disconnected', 'error', 'timeout']);
const MB = 1024 * 1024;

/** Formats bytes as whole mebibytes the way the seed guides show them: `47185920` → `45MB`. */
export function formatMegabytes(bytes: number): string {
  return `${Math.round(bytes / MB)}MB`;
}

/** Formats an error rate with two decimals: `(5, 1000)` → `0.50%`; no requests yet is `0.00%`. */
export function formatErrorRate(errors: number, requests: number): string {
  const rate = requests > 0 ? (errors / requests) * 100 : 0;
  return `${rate.toFixed(2)}%`;
}

/** Creates a request counter and a health handler sharing one set of counters. */
export function createHealth(options: HealthOptions = {}): Health {
  const now = options.now ?? Date.now;
  const startedAt = options.startedAt ?? now() - Math.round(process.uptime() * 1000);
  const environment = options.environment ?? process.env.NODE_ENV ?? 'development';
  const memoryUsage = options.memoryUsage ?? (() => process.memoryUsage());
  const timeoutMs = options.databaseTimeoutMs ?? 2000;
  const counter = createCounter(now, options.windowMs);
  // A response is an error at most once, whether it was marked, ended with a 5xx, or both.
  const marked = new WeakSet<ServerResponse>();

  const count: Health['count'] = (req, res, next) => {
    if (options.ignore?.(req)) {
      next();
      return;
    }
    counter.add('requests');
    res.once('finish', () => {
      if (res.statusCode >= 500 || marked.has(res)) counter.add('errors');
    });
    next();
  };

  const databaseState = async (): Promise<string> => {
    if (!options.database) return 'not-configured';
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref?.();
    });
    try {
      // A throwing check is the database's problem as far as the app's users are concerned: report `error`.
      return await Promise.race([Promise.resolve().then(options.database), deadline]);
    } catch {
      return 'error';
    } finally {
      clearTimeout(timer);
    }
  };

  const report = async (): Promise<HealthReport> => {
    const database = await databaseState();
    const at = now();
    const memory = memoryUsage();
    const { requests, errors } = counter.totals();
    return {
      status: UNHEALTHY.has(database) ? 'error' : 'ok',
      timestamp: new Date(at).toISOString(),
      uptime: Math.max(0, Math.floor((at - startedAt) / 1000)),
      database,
      environment,
      metrics: {
        requests,
        errors,
        errorRate: formatErrorRate(errors, requests),
        memory: {
          heapUsed: formatMegabytes(memory.heapUsed),
          heapTotal: formatMegabytes(memory.heapTotal),
          rss: formatMegabytes(memory.rss),
        },
      },
    };
  };

  const handler: Health['handler'] = async (_req, res) => {
    const body = await report();
    const text = JSON.stringify(body);
    res.statusCode = body.status === 'ok' ? 200 : 503;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    // A cached health answer hides an outage from the monitor.
    res.setHeader('cache-control', 'no-store');
    res.setHeader('content-length', Buffer.byteLength(text));
    res.end(text);
  };

  return {
    count,
    handler,
    markError: (res) => {
      marked.add(res);
    },
    report,
    counters: () => counter.totals(),
    resetCounters: () => counter.reset(),
  };
}

interface Bucket {
  slot: number;
  requests: number;
  errors: number;
}

/** Totals since start, or over a sliding window kept as 60 buckets so memory stays constant at any traffic. */
function createCounter(now: () => number, windowMs: number | undefined) {
  if (windowMs !== undefined && !(Number.isFinite(windowMs) && windowMs > 0)) {
    throw new RangeError(`windowMs must be a positive number of milliseconds (e.g. 300000), got ${windowMs}`);
  }
  const bucketMs = windowMs === undefined ? Number.POSITIVE_INFINITY : Math.max(1, windowMs / 60);
  let buckets: Bucket[] = [];
  const current = (): Bucket => {
    const slot = windowMs === undefined ? 0 : Math.floor(now() / bucketMs);
    prune(slot);
    let last = buckets.at(-1);
    if (last?.slot !== slot) {
      last = { slot, requests: 0, errors: 0 };
      buckets.push(last);
    }
    return last;
  };
  const prune = (slot: number) => {
    // A bucket counts while any part of it is inside the window: the window is at most one bucket longer.
    if (windowMs !== undefined) buckets = buckets.filter((b) => b.slot > slot - 60 - 1);
  };
  return {
    add(key: 'requests' | 'errors') {
      current()[key] += 1;
    },
    totals() {
      prune(windowMs === undefined ? 0 : Math.floor(now() / bucketMs));
      let requests = 0;
      let errors = 0;
      for (const b of buckets) {
        requests += b.requests;
        errors += b.errors;
      }
      return { requests, errors };
    },
    reset() {
      buckets = [];
    },
  };
}
