/**
 * `GET /api/events?topics=overview,app:<name>,unit:<app/name>,notify,plan`: server-sent events from the live hub.
 * A stream is registered before its headers go out, so a client that has the headers misses nothing after. A slow
 * client is dropped once its unsent bytes pass a cap (never buffered forever); EventSource reconnects by itself.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ChangeFeed } from '../../core/change.js';
import { securityHeaders } from '../headers.js';
import type { RouteModule } from '../route-module.js';
import { type LiveHub, TooManySubscribersError } from './hub.js';

/** What the events route needs: the hub (as ServerDeps.changes) and, for tests, the per-stream byte cap. */
export interface EventsDeps {
  changes?: ChangeFeed;
  /** Unsent bytes a stream may hold before it is dropped (default 1 MiB). */
  liveMaxBufferedBytes?: number;
}

/** The live events route; registered only when the server's change feed is a live hub. */
export const liveRoutes: RouteModule<EventsDeps> = {
  name: 'live',
  register(app, deps) {
    if (deps.changes && isHub(deps.changes)) registerEvents(app, deps.changes, deps.liveMaxBufferedBytes ?? 1 << 20);
  },
};

const MAX_TOPICS = 20;
const TOPIC = /^(overview|notify|plan|app:[^\s/,]{1,200}|unit:[^\s/,]{1,200}\/[^\s,]{1,200})$/;

/** True when the feed can be subscribed to (the LiveHub), not only published to. */
function isHub(feed: ChangeFeed): feed is LiveHub {
  return typeof (feed as Partial<LiveHub>).subscribe === 'function';
}

/** The topics asked for, or the error that says what a topic looks like. */
export function parseTopics(text: string | undefined): { topics: string[] } | { error: string } {
  const topics = (text ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (topics.length === 0)
    return { error: 'topics is required: e.g. ?topics=overview or ?topics=app:shop,unit:shop/api-health' };
  if (topics.length > MAX_TOPICS) return { error: `at most ${MAX_TOPICS} topics per stream` };
  const bad = topics.find((t) => !TOPIC.test(t));
  if (bad !== undefined)
    return {
      error: `unknown topic "${bad.slice(0, 80)}": use overview, notify, plan, app:<app> or unit:<app>/<unit>`,
    };
  return { topics };
}

function registerEvents(app: FastifyInstance, hub: LiveHub, maxBuffered: number): void {
  // Streams never end by themselves: end them when the server closes, or close() would wait for them.
  app.addHook('preClose', (done) => {
    hub.close();
    done();
  });

  app.get<{ Querystring: { topics?: string } }>('/api/events', { config: { access: 'viewer' } }, async (req, reply) => {
    const parsed = parseTopics(req.query.topics);
    if ('error' in parsed) return reply.code(400).send({ error: parsed.error, code: 'bad_topic' });
    return stream(reply, hub, parsed.topics, maxBuffered);
  });
}

function stream(reply: FastifyReply, hub: LiveHub, topics: string[], maxBuffered: number) {
  const res = reply.raw;
  let subscription: { close(): void } | undefined;
  const drop = () => {
    subscription?.close();
    res.destroy();
  };
  try {
    subscription = hub.subscribe(topics, {
      write(frame) {
        if (res.destroyed || res.writableEnded) return;
        // The kernel buffer is full and this stream's own buffer is past its cap: the client is not reading.
        if (res.writableLength > maxBuffered) return drop();
        res.write(frame);
      },
      end: () => res.end(),
    });
  } catch (err) {
    if (!(err instanceof TooManySubscribersError)) throw err;
    return reply.code(503).header('retry-after', '30').send({ error: err.message, code: 'too_many_subscribers' });
  }
  reply.hijack();
  res.on('close', () => subscription?.close());
  // A hijacked reply skips the onSend hook: the stream carries the same security headers as every other answer.
  res.writeHead(200, {
    ...securityHeaders(reply.request),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    // nginx and similar proxies: pass each event through at once instead of buffering the stream.
    'x-accel-buffering': 'no',
  });
  res.write('retry: 5000\n: connected\n\n');
  return reply;
}
