/**
 * The Healthchecks-compatible ping API: `GET|POST|HEAD /ping/<token>[/start|/fail|/log|/<exit-status>][?rid=<uuid>]`,
 * answered `OK` once the ping is stored, and a unit's ping log at `/api/units/:app/:unit/pings`. Handlers stay thin:
 * parse, hand to the heartbeat service, reply.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IngestResult, PingSignal } from '../heartbeats/heartbeat-service.js';
import {
  bodyText,
  type CappedBody,
  PING_BODY_CAP,
  PingRequestError,
  parseRid,
  parseSignal,
} from '../heartbeats/ping-request.js';
import type { PingRecord } from '../store/heartbeat-schema.js';

/** What the ping routes need from the heartbeat service. */
export interface PingRouteDeps {
  ingest(token: string, signal: PingSignal): Promise<IngestResult>;
  listPings(opts: { unitId: string; limit: number; before?: number }): Promise<PingRecord[]>;
}

/** Bodies beyond this are refused (413): the first 100 KB are kept anyway, the rest is only counted. */
const HARD_BODY_LIMIT = 10 * 1024 * 1024;

/** Registers the ping routes and the ping log route on `app`. */
export function registerPingRoutes(app: FastifyInstance, heartbeats: PingRouteDeps): void {
  // Own scope: every content type (curl -d sends form-encoded, tools send text or JSON) is kept raw as the log.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      let total = 0;
      let failed = false;
      payload.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > HARD_BODY_LIMIT && !failed) {
          failed = true;
          done(Object.assign(new Error('ping body over 10 MB'), { statusCode: 413 }), undefined);
          return;
        }
        if (kept < PING_BODY_CAP) {
          const part = chunk.subarray(0, PING_BODY_CAP - kept);
          chunks.push(part);
          kept += part.length;
        }
      });
      payload.on('end', () => {
        if (!failed) done(null, { kept: Buffer.concat(chunks), total } satisfies CappedBody);
      });
      payload.on('error', (err) => {
        if (!failed) done(err, undefined);
      });
    });
    const handler = (req: FastifyRequest<{ Params: { token: string; signal?: string } }>, reply: FastifyReply) =>
      handlePing(heartbeats, req, reply);
    const methods = ['GET', 'POST', 'HEAD'];
    scope.route({ method: methods, url: '/ping/:token', exposeHeadRoute: false, handler });
    scope.route({ method: methods, url: '/ping/:token/:signal', exposeHeadRoute: false, handler });
  });

  app.get<{ Params: { app: string; name: string }; Querystring: { limit?: string; before?: string } }>(
    '/api/units/:app/:name/pings',
    async (req) => {
      const limit = Math.min(1000, Math.max(1, Number.parseInt(req.query.limit ?? '50', 10) || 50));
      const before = req.query.before === undefined ? undefined : Number(req.query.before);
      return heartbeats.listPings({
        unitId: `${req.params.app}/${req.params.name}`,
        limit,
        before: Number.isFinite(before) ? before : undefined,
      });
    },
  );
}

async function handlePing(
  heartbeats: PingRouteDeps,
  req: FastifyRequest<{ Params: { token: string; signal?: string } }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const text = (code: number, body: string) => reply.code(code).type('text/plain; charset=utf-8').send(body);
  let signal: ReturnType<typeof parseSignal>;
  let rid: string | null;
  try {
    signal = parseSignal(req.params.signal);
    rid = parseRid((req.query as Record<string, unknown>).rid);
  } catch (err) {
    if (err instanceof PingRequestError) return text(400, err.message);
    throw err;
  }
  if (signal === undefined) return text(404, 'not found');
  const userAgent = req.headers['user-agent'];
  let result: IngestResult;
  try {
    result = await heartbeats.ingest(req.params.token, {
      ...signal,
      rid,
      ...bodyText(req.body as CappedBody | undefined),
      method: req.method,
      remoteAddr: req.ip ?? null,
      userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 200) : null,
    });
  } catch (err) {
    // upkeep's own storage failed: the caller should retry; this says nothing about the job that pinged.
    req.log.error({ err }, 'could not store a ping');
    return text(503, 'upkeep could not store the ping (its own storage failed); retry');
  }
  return result === 'stored' ? text(200, 'OK') : text(404, 'not found');
}
