/**
 * The Healthchecks-compatible ping API, `GET|POST|HEAD /ping/<token>[/start|/fail|/log|/<exit-status>][?rid=<uuid>]`,
 * served straight from node's HTTP server ahead of Fastify: a ping is the one request upkeep gets thousands of a
 * second, and Fastify's per-request work (routing, hooks, a child logger, content-type parsing) was a seventh of its
 * CPU (bench/RESULTS.md, ping ingest). Answered `OK` once the ping is stored.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { IngestResult, PingSignal } from './heartbeat-service.js';
import { bodyText, type CappedBody, PING_BODY_CAP, PingRequestError, parseRid, parseSignal } from './ping-request.js';

/** What the ping handler needs from the heartbeat service. */
export interface PingIngest {
  ingest(token: string, signal: PingSignal): Promise<IngestResult>;
}

/** Bodies beyond this are refused (413): the first 100 KB are kept anyway, the rest is only counted. */
const HARD_BODY_LIMIT = 10 * 1024 * 1024;

const METHODS = new Set(['GET', 'POST', 'HEAD']);

/**
 * A request listener step: answers a ping request and returns true, or returns false for anything else (another
 * method, a deeper path) so the caller hands it to Fastify, which answers it like any unknown route.
 */
export function pingHandler(heartbeats: PingIngest, logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '';
    if (!url.startsWith('/ping/') || !METHODS.has(req.method ?? '')) return false;
    const queryAt = url.indexOf('?');
    const segments = url.slice('/ping/'.length, queryAt < 0 ? undefined : queryAt).split('/');
    if (segments.length > 2 || segments[0] === '') return false;
    answer(heartbeats, logger, req, res, segments, queryAt < 0 ? '' : url.slice(queryAt + 1)).catch((err) => {
      // A bug of upkeep's own: said as such, never as a verdict on the job that pinged.
      logger.error({ err }, 'ping handler failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('upkeep internal error; retry');
    });
    return true;
  };
}

async function answer(
  heartbeats: PingIngest,
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  segments: string[],
  query: string,
): Promise<void> {
  const text = (status: number, body: string) => {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  let token: string;
  let signal: ReturnType<typeof parseSignal>;
  let rid: string | null;
  try {
    token = decodeURIComponent(segments[0] as string);
    signal = parseSignal(segments[1] === undefined ? undefined : decodeURIComponent(segments[1]));
    rid = parseRid(query === '' ? undefined : (new URLSearchParams(query).get('rid') ?? undefined));
  } catch (err) {
    req.resume();
    return text(400, err instanceof PingRequestError ? err.message : 'malformed ping URL');
  }
  if (signal === undefined) {
    req.resume();
    return text(404, 'not found');
  }
  const body = await readCapped(req);
  if (body === 'too-large') return text(413, 'ping body over 10 MB');
  if (body === 'aborted') return;
  const userAgent = req.headers['user-agent'];
  let result: IngestResult;
  try {
    result = await heartbeats.ingest(token, {
      ...signal,
      rid,
      ...bodyText(body),
      method: req.method as string,
      remoteAddr: req.socket.remoteAddress ?? null,
      userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 200) : null,
    });
  } catch (err) {
    // upkeep's own storage failed: the caller should retry; this says nothing about the job that pinged.
    logger.error({ err }, 'could not store a ping');
    return text(503, 'upkeep could not store the ping (its own storage failed); retry');
  }
  text(result === 'stored' ? 200 : 404, result === 'stored' ? 'OK' : 'not found');
}

/** The body's first PING_BODY_CAP bytes and its length, without holding more than that. */
function readCapped(req: IncomingMessage): Promise<CappedBody | 'too-large' | 'aborted'> {
  // Most pings have no body: answer those without waiting for stream events.
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
    req.resume();
    return Promise.resolve({ kept: Buffer.alloc(0), total: 0 });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let total = 0;
    req.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > HARD_BODY_LIMIT) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too-large');
        return;
      }
      if (kept < PING_BODY_CAP) {
        const part = chunk.subarray(0, PING_BODY_CAP - kept);
        chunks.push(part);
        kept += part.length;
      }
    });
    req.on('end', () => resolve({ kept: Buffer.concat(chunks), total }));
    req.on('error', () => resolve('aborted'));
    req.on('aborted', () => resolve('aborted'));
  });
}
