/** The HTTP probe's I/O: bounded manual redirects, one total deadline, a byte-capped streaming body read. */
import { Agent, type Dispatcher, request } from 'undici';
import type { Observation } from '../core/observation.js';
import { startDeadline } from '../shared/deadline.js';
import { classifyFailure } from './failure-reason.js';
import type { HttpSpec } from './http.js';
import { pickForSpec } from './http-json.js';
import type { ProbeContext } from './kind.js';
import { formatQuantity, parseSize } from './quantity.js';

/** The body excerpt kept in facts, and the largest body whose parsed JSON is kept whole. */
export const EXCERPT_BYTES = 2048;
export const JSON_FACT_BYTES = 64 * 1024;

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

// One agent per process rather than per probe: pools are per origin, so a hostile target never blocks another.
// The connect timeout is only a backstop; each probe's own deadline is the real limit.
let sharedAgent: Agent | undefined;
let insecureAgent: Agent | undefined;
function defaultAgent(insecure: boolean): Agent {
  if (insecure) {
    insecureAgent ??= new Agent({ connect: { timeout: 10_000, rejectUnauthorized: false }, keepAliveTimeout: 4_000 });
    return insecureAgent;
  }
  sharedAgent ??= new Agent({ connect: { timeout: 10_000 }, keepAliveTimeout: 4_000 });
  return sharedAgent;
}

/** Thrown inside the probe for failures we detect ourselves (loops, caps); turned into Observation.failure. */
class ProbeFailure extends Error {
  constructor(
    readonly reason: 'protocol',
    message: string,
  ) {
    super(message);
  }
}

interface ReadBody {
  bytes: Buffer;
  total: number;
}

async function readCapped(body: Dispatcher.ResponseData['body'], cap: number): Promise<ReadBody> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > cap) {
      // Stop reading at once: the rest is never buffered, and destroying the stream closes the socket.
      body.destroy();
      throw new ProbeFailure('protocol', `body over ${formatQuantity(cap, 'bytes')}`);
    }
    chunks.push(buf);
  }
  return { bytes: Buffer.concat(chunks, total), total };
}

function sameOrigin(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.host === b.host;
}

/**
 * Moves `user:password@` out of the URL into a Basic Authorization header, as curl and browsers do: undici ignores
 * userinfo, so without this such a check would send no credentials. A header the plan sets itself wins.
 */
function withUserinfoAuth(url: URL, headers: Record<string, string>): Record<string, string> {
  if (url.username === '' && url.password === '') return headers;
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  if (Object.keys(headers).some((k) => k.toLowerCase() === 'authorization')) return headers;
  return { ...headers, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** Requests spec.http, following redirects, and returns what it saw; never throws for the target's failures. */
export async function probeHttp(spec: HttpSpec, ctx: ProbeContext): Promise<Observation> {
  const startedAt = ctx.now();
  const t0 = performance.now();
  const deadline = startDeadline(ctx.signal, ctx.timeoutMs);
  const dispatcher = spec.insecure ? defaultAgent(true) : (ctx.dispatcher ?? defaultAgent(false));
  const cap = parseSize(spec.maxBodyBytes) ?? 1024 * 1024;
  const redirects: string[] = [];
  const facts: Record<string, unknown> = { redirects };
  let url = new URL(spec.http);
  let method = spec.method.toUpperCase();
  let body: string | undefined = spec.body;
  let headers: Record<string, string> = withUserinfoAuth(url, { ...(spec.headers ?? {}) });
  const seen = new Set<string>([url.href]);
  try {
    for (;;) {
      const res = await request(url, { method, headers, body, dispatcher, signal: deadline.signal });
      const location = res.headers.location;
      if (REDIRECT_CODES.has(res.statusCode) && typeof location === 'string' && spec.maxRedirects > 0) {
        await res.body.dump({ limit: 64 * 1024, signal: deadline.signal }).catch(() => undefined);
        const next = URL.canParse(location, url) ? new URL(location, url) : undefined;
        if (!next) throw new ProbeFailure('protocol', `redirect with an invalid Location: ${location.slice(0, 100)}`);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new ProbeFailure('protocol', `redirect to unsupported URL ${next.protocol}//${next.host}`);
        }
        redirects.push(next.href);
        if (seen.has(next.href)) {
          throw new ProbeFailure('protocol', `redirect loop: ${[...seen, next.href].join(' → ')}`);
        }
        if (redirects.length > spec.maxRedirects) {
          throw new ProbeFailure(
            'protocol',
            `too many redirects (more than ${spec.maxRedirects}); last to ${next.href}`,
          );
        }
        seen.add(next.href);
        // Browsers turn 303 (and POST on 301/302) into GET without a body; 307/308 keep both.
        if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        // Credentials are meant for the origin they were written for, never for wherever it redirects.
        if (!sameOrigin(url, next)) {
          headers = Object.fromEntries(
            Object.entries(headers).filter(([k]) => !/^(authorization|cookie|proxy-authorization)$/i.test(k)),
          );
        }
        url = next;
        continue;
      }
      const headersMs = performance.now() - t0;
      facts.finalUrl = url.href;
      facts.status = res.statusCode;
      facts.contentType = res.headers['content-type'];
      const read = await readCapped(res.body, cap);
      facts.bodyBytes = read.total;
      Object.assign(facts, describeBody(read.bytes, spec));
      facts.timings = { headersMs: Math.round(headersMs), totalMs: Math.round(performance.now() - t0) };
      return { startedAt, durationMs: performance.now() - t0, facts };
    }
  } catch (error) {
    const durationMs = performance.now() - t0;
    if (error instanceof ProbeFailure && !deadline.timedOut()) {
      return { startedAt, durationMs, facts, failure: { reason: error.reason, message: error.message } };
    }
    const failure = classifyFailure(error, url.host, deadline.timedOut(), ctx.timeoutMs);
    return { startedAt, durationMs, facts, failure };
  } finally {
    deadline.dispose();
  }
}

/** The body facts evaluate needs: an excerpt, keyword hits over the whole body, and the JSON (whole or picked). */
function describeBody(bytes: Buffer, spec: HttpSpec): Record<string, unknown> {
  const text = bytes.toString('utf8');
  const out: Record<string, unknown> = {
    body: bytes.length > EXCERPT_BYTES ? bytes.subarray(0, EXCERPT_BYTES).toString('utf8') : text,
    bodyTruncated: bytes.length > EXCERPT_BYTES,
  };
  // Keywords are searched here, over the whole body, because facts keep only an excerpt.
  if (spec.expect.keyword !== undefined) out.keywordFound = text.includes(spec.expect.keyword);
  if (spec.expect.notKeyword !== undefined) out.notKeywordFound = text.includes(spec.expect.notKeyword);
  const wantsJson =
    spec.expect.body !== undefined || (spec.expect.metrics?.length ?? 0) > 0 || spec.expect.heapGrowth !== undefined;
  if (text.trim() === '') {
    if (wantsJson) out.jsonError = 'body is empty';
    return out;
  }
  if (!wantsJson && bytes.length > JSON_FACT_BYTES) return out;
  try {
    const json: unknown = JSON.parse(text);
    // Small bodies are kept whole for display; large ones only as the parts the expectations read.
    if (bytes.length <= JSON_FACT_BYTES) out.json = json;
    else {
      out.json = pickForSpec(json, spec);
      out.jsonPicked = true;
    }
  } catch (error) {
    out.jsonError = `body is not JSON (${(error as Error).message})`;
  }
  return out;
}
