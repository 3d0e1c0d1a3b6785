/** The sample app upkeep's demo watches: an Express app with a health endpoint and switches that make it misbehave. */
import express, { type NextFunction, type Request, type Response } from 'express';
import { createHealth, type Health } from '../../packages/health/index.js';
import {
  NORMAL_SWITCHES,
  parseSwitchFlag,
  parseSwitchNumber,
  type Switches,
  SwitchValueError,
  shouldMarkError,
} from './switches.js';

/** Options for {@link createSampleApp}. */
export interface SampleAppOptions {
  /** Start-up switches (e.g. from the environment). Default: a healthy app. */
  switches?: Partial<Switches>;
  /** The clock, passed to the health handler. Default `Date.now`. */
  now?: () => number;
  /** How often the leak grows the heap. Default 1000 ms. */
  leakTickMs?: number;
  /** The leak stops growing here so a forgotten demo does not take the machine down. Default 256 MB. */
  maxLeakMb?: number;
  /** The error rate covers this much recent traffic, so a demo recovers a minute after the switch. Default 60000. */
  errorWindowMs?: number;
  /** Shown as `environment` in the health JSON. Default `demo`. */
  environment?: string;
}

/** A built (not yet listening) sample app and the handles tests and the demo use. */
export interface SampleApp {
  app: express.Express;
  health: Health;
  /** The live switches; mutate through the /admin endpoints or directly in-process. */
  switches: Switches;
  /** Megabytes currently retained by the leak. */
  leakedMb: () => number;
  /** Stops the leak timer and releases what it retained. */
  stop: () => void;
}

interface Message {
  id: number;
  room: string;
  text: string;
  timestamp: string;
}

const MB_OF_DOUBLES = (1024 * 1024) / 8;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Builds the Express app with its routes, health endpoint and misbehaviour switches. */
export function createSampleApp(options: SampleAppOptions = {}): SampleApp {
  const now = options.now ?? Date.now;
  const switches: Switches = { ...NORMAL_SWITCHES, ...options.switches };
  const maxLeakMb = options.maxLeakMb ?? 256;
  const health = createHealth({
    now,
    environment: options.environment ?? 'demo',
    // The sample app has no real database: "fail" plays a lost connection.
    database: () => (switches.failing ? 'disconnected' : 'connected'),
    // Flipping switches is not app traffic: it must not move the numbers the demo is about.
    ignore: (req) => isAdmin(req.url ?? ''),
    windowMs: options.errorWindowMs ?? 60_000,
  });

  // Plain arrays of doubles live on the V8 heap, so heapUsed grows (Buffers would not: they are off-heap).
  let leaked: number[][] = [];
  const leakTimer = setInterval(() => {
    for (let i = 0; i < switches.leakMbPerTick && leaked.length < maxLeakMb; i++) {
      leaked.push(new Array<number>(MB_OF_DOUBLES).fill(Math.random()));
    }
  }, options.leakTickMs ?? 1000);
  leakTimer.unref();

  let seq = 0;
  const messages: Message[] = [
    { id: 1, room: 'general', text: 'Welcome to the sample app', timestamp: new Date(now()).toISOString() },
  ];

  const app = express();
  app.disable('x-powered-by');
  app.use(health.count);
  // Count the chosen share of requests as errors; admin calls stay out so flipping switches does not skew the rate.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!isAdmin(req.path)) {
      seq += 1;
      if (shouldMarkError(seq, switches.errorRatePercent)) health.markError(res);
    }
    next();
  });
  app.use(express.json({ limit: '16kb' }));

  const serveHealth = async (req: Request, res: Response) => {
    if (switches.slowMs > 0) await new Promise((resolve) => setTimeout(resolve, switches.slowMs));
    await health.handler(req, res);
  };
  app.get('/health', serveHealth);
  app.get('/api/health', serveHealth);

  app.get('/', (_req, res) => {
    res
      .type('text/plain')
      .send('upkeep sample app: GET /health, GET /api/messages, POST /admin/{slow,fail,error-rate,leak,reset}\n');
  });
  app.get('/api/messages', (req, res) => {
    const room = typeof req.query.room === 'string' ? req.query.room : undefined;
    res.json({ messages: room ? messages.filter((m) => m.room === room) : messages });
  });
  app.post('/api/messages', (req, res) => {
    const text = typeof req.body?.text === 'string' ? req.body.text.trim() : '';
    if (!text) {
      res.status(400).json({ error: 'send JSON {"text": "..."} with a non-empty text' });
      return;
    }
    const room = typeof req.body.room === 'string' ? req.body.room : 'general';
    const message = {
      id: messages.length + 1,
      room,
      text: text.slice(0, 500),
      timestamp: new Date(now()).toISOString(),
    };
    messages.push(message);
    // Keep the history bounded like the chat seed's MESSAGE_HISTORY_LIMIT; the leak switch is the only leak.
    if (messages.length > 100) messages.shift();
    res.status(201).json(message);
  });

  app.use('/admin', localOnly);
  const input = (req: Request, key: string): unknown => req.body?.[key] ?? req.query[key];
  const state = () => ({ switches, leakedMb: leaked.length, counters: health.counters() });
  app.get('/admin', (_req, res) => {
    res.json(state());
  });
  app.post('/admin/slow', (req, res) => {
    switches.slowMs = parseSwitchNumber(input(req, 'ms'), 'ms', 600_000, 3000);
    res.json(state());
  });
  app.post('/admin/fail', (req, res) => {
    const on = input(req, 'on');
    switches.failing = on === undefined ? true : parseSwitchFlag(on, 'on');
    res.json(state());
  });
  app.post('/admin/error-rate', (req, res) => {
    switches.errorRatePercent = parseSwitchNumber(input(req, 'percent'), 'percent', 100, 10);
    res.json(state());
  });
  app.post('/admin/leak', (req, res) => {
    switches.leakMbPerTick = parseSwitchNumber(input(req, 'mb'), 'mb', 64, 4);
    res.json(state());
  });
  app.post('/admin/reset', (_req, res) => {
    Object.assign(switches, NORMAL_SWITCHES);
    leaked = [];
    // Without this the error rate of the bad minutes would linger and the demo's alert would never resolve.
    health.resetCounters();
    seq = 0;
    res.json(state());
  });

  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof SwitchValueError) {
      res.status(400).json({ error: err.message });
      return;
    }
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: (err as Error).message });
      return;
    }
    res.status(500).json({ error: 'internal error' });
  });

  return {
    app,
    health,
    switches,
    leakedMb: () => leaked.length,
    stop: () => {
      clearInterval(leakTimer);
      leaked = [];
    },
  };
}

function isAdmin(path: string): boolean {
  return path === '/admin' || path.startsWith('/admin/') || path.startsWith('/admin?');
}

/** The switches are a demo tool: only callers on this machine may flip them. */
function localOnly(req: Request, res: Response, next: NextFunction): void {
  if (LOOPBACK.has(req.socket.remoteAddress ?? '')) {
    next();
    return;
  }
  res.status(403).json({ error: 'the /admin switches only answer requests from 127.0.0.1 or ::1' });
}
