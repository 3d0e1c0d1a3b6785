/** The one HTTP path of every HTTP channel: undici request, a deadline, and failures mapped to ChannelError. */
import { request } from 'undici';
import { VERSION } from '../../version.js';
import { ChannelError, type SendContext } from '../channel.js';

/** A rendered HTTP request: what render() returns for HTTP channels, compared exactly in tests. */
export interface HttpMessage {
  method: 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  /** Sent as JSON (content-type application/json). */
  json?: unknown;
  /** Sent as-is (content-type text/plain unless headers say otherwise). */
  text?: string;
}

/** What a successful request gave back. */
export interface HttpResult {
  status: number;
  body: string;
}

const MAX_BODY = 64 * 1024;

/** The body bytes exactly as send puts them on the wire (the webhook signature covers these). */
export function wireBody(message: HttpMessage): string {
  return message.text ?? JSON.stringify(message.json ?? null);
}

// A URL part that looks like a token: long, or mixing in digits or capitals (`T0123ABCD`, `xoxb...`), unlike `services`.
const TOKENISH = /^(?=.{20,}$)|^(?=.{6,}$).*[0-9A-Z]/;

/**
 * The strings to hide for each secret: the secret itself, and for a webhook URL (whose path is the credential)
 * its token-like path segments, query values and password; for a header value like `Bearer x`, its words.
 */
export function secretParts(secrets: readonly (string | undefined)[]): string[] {
  const parts = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    parts.add(secret);
    for (const word of secret.split(/\s+/)) if (word.length >= 6) parts.add(word);
    if (!URL.canParse(secret)) continue;
    const url = new URL(secret);
    const pieces = [...url.pathname.split('/'), ...url.searchParams.values(), url.password, url.username];
    for (const piece of pieces) {
      for (const form of [piece, safeDecode(piece)]) if (TOKENISH.test(form)) parts.add(form);
    }
  }
  // Longest first, so a whole URL is replaced before its pieces.
  return [...parts].sort((a, b) => b.length - a.length);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Replaces every secret (and its token-like parts) with `***`, so an echoed token never reaches a log or a terminal. */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const part of secretParts(secrets)) out = out.split(part).join('***');
  return out;
}

/**
 * Sends `message`; resolves on 2xx. Network errors, timeouts, 408, 429 and 5xx are transient (a 429 or 503's
 * Retry-After rides on the error); other statuses (bad credentials, unknown webhook, rejected payload, redirects)
 * are permanent and say what to fix.
 * `service` names the receiver in errors; `secrets` are scrubbed from every error text.
 */
export async function sendHttp(
  message: HttpMessage,
  ctx: SendContext,
  opts: { service: string; secrets?: readonly (string | undefined)[]; extraHeaders?: Record<string, string> },
): Promise<HttpResult> {
  const { service } = opts;
  const secrets = opts.secrets ?? [];
  let origin: string;
  try {
    origin = new URL(message.url).origin;
  } catch {
    throw new ChannelError(`${service}: the configured URL is not a valid URL; fix it in the plan`, true);
  }
  const headers: Record<string, string> = {
    'user-agent': `upkeep/${VERSION}`,
    'content-type': message.text !== undefined ? 'text/plain; charset=utf-8' : 'application/json',
    ...message.headers,
    ...opts.extraHeaders,
  };
  let status: number;
  let body: string;
  let retryAfter: string | string[] | undefined;
  try {
    const response = await request(message.url, {
      method: message.method,
      headers,
      body: wireBody(message),
      signal: ctx.signal,
      ...(ctx.dispatcher ? { dispatcher: ctx.dispatcher } : {}),
    });
    status = response.statusCode;
    retryAfter = response.headers['retry-after'];
    body = await readCapped(response.body);
  } catch (error) {
    throw networkError(error, ctx.signal, service, origin, secrets);
  }
  if (status >= 200 && status < 300) return { status, body };
  // Only "slow down" (429) and "unavailable" (503) carry a Retry-After worth obeying (RFC 9110 §10.2.3).
  const header = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  const after =
    status === 429 || status === 503 ? (parseRetryAfter(header, ctx.now()) ?? retryAfterInBody(body)) : undefined;
  throw statusError(status, body, service, secrets, after);
}

/**
 * The wait a JSON error body asks for when there is no header: Telegram's `parameters.retry_after` and Discord's
 * `retry_after`, in (possibly fractional) seconds; undefined otherwise.
 */
export function retryAfterInBody(body: string): number | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const record = parsed as { retry_after?: unknown; parameters?: { retry_after?: unknown } | null };
  const seconds = record.parameters?.retry_after ?? record.retry_after;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
    ? Math.ceil(seconds * 1000)
    : undefined;
}

/**
 * The wait a Retry-After header asks for, in ms from `now`: delay-seconds (`120`, or `1.5`) or an HTTP-date. A date in the
 * past is 0; a missing or unreadable value is undefined (the caller's own backoff applies). Pure.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  // RFC 9110 says whole seconds; some services (Discord) send fractions: round those up rather than ignore them.
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  // HTTP-dates always name the weekday and GMT; Date.parse would also take ambiguous local forms like "1/2/2030".
  if (!/GMT$/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

async function readCapped(body: AsyncIterable<Buffer | string> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(buf);
    size += buf.length;
    // Only a snippet goes into errors: stop reading a huge answer (leaving the loop destroys the stream).
    if (size >= MAX_BODY) break;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function networkError(
  error: unknown,
  signal: AbortSignal,
  service: string,
  origin: string,
  secrets: readonly (string | undefined)[],
): ChannelError {
  if (signal.aborted) {
    const reason = signal.reason as { name?: string } | undefined;
    const what = reason?.name === 'TimeoutError' ? 'timed out' : 'was cancelled (upkeep is stopping)';
    return new ChannelError(`${service} at ${origin}: the request ${what}; it will be retried`, false);
  }
  const err = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.cause?.code ?? err.code;
  const detail = code ?? err.cause?.message ?? err.message ?? String(error);
  return new ChannelError(
    scrub(`could not reach ${service} at ${origin} (${detail}); it will be retried`, secrets),
    false,
  );
}

/** What to do about a status, in words. */
function hint(status: number): string {
  if (status === 401 || status === 403) return 'check the token or credentials in the plan';
  if (status === 404 || status === 410)
    return 'check the URL, room or chat id in the plan (the webhook may have been deleted)';
  if (status === 413) return 'the message was too large for the service';
  if (status >= 300 && status < 400) return 'the URL redirects; put the final URL in the plan';
  return 'the service rejected the message; check the channel settings in the plan';
}

/**
 * Maps a non-2xx status to a ChannelError: 408, 429 and 5xx are worth retrying, the rest are not.
 * `retryAfterMs` (the service's Retry-After) travels on the error so the notifier waits at least that long.
 */
export function statusError(
  status: number,
  body: string,
  service: string,
  secrets: readonly (string | undefined)[] = [],
  retryAfterMs?: number,
): ChannelError {
  const snippet = body.replace(/\s+/g, ' ').trim().slice(0, 200);
  const said = snippet ? `: ${snippet}` : '';
  const transient = status === 408 || status === 429 || status >= 500;
  const asked = transient && retryAfterMs !== undefined ? ` (the service asked to wait ${seconds(retryAfterMs)})` : '';
  const next = transient ? `it will be retried${asked}` : hint(status);
  return new ChannelError(
    scrub(`${service} answered HTTP ${status}${said}; ${next}`, secrets),
    !transient,
    status,
    transient ? retryAfterMs : undefined,
  );
}

function seconds(ms: number): string {
  return `${Math.ceil(ms / 1000)}s`;
}
