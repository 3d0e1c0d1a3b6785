/** Reading a Healthchecks-style ping request: the signal in its path, `?rid=`, and the body kept as the job's log. Pure. */
import type { PingKind } from './heartbeat-state.js';

/** How much of a ping's body is kept as its log (Healthchecks keeps 100 KB too). */
export const PING_BODY_CAP = 100 * 1024;

/** A path signal that cannot be read: answered 400 with this message. */
export class PingRequestError extends Error {
  override readonly name = 'PingRequestError';
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The signal of `/ping/<token>[/<signal>]`: none or `0` → success, `fail` or 1–255 → fail, `start`, `log`.
 * Returns undefined for a word that is not a signal (404, like an unknown route); throws PingRequestError for an
 * exit status out of range.
 */
export function parseSignal(signal: string | undefined): { kind: PingKind; exitStatus: number | null } | undefined {
  if (signal === undefined || signal === '') return { kind: 'success', exitStatus: null };
  if (signal === 'start' || signal === 'log') return { kind: signal, exitStatus: null };
  if (signal === 'fail') return { kind: 'fail', exitStatus: null };
  if (/^\d+$/.test(signal)) {
    const status = Number(signal);
    if (status > 255) throw new PingRequestError(`exit status must be 0-255, not ${signal}`);
    return { kind: status === 0 ? 'success' : 'fail', exitStatus: status };
  }
  return undefined;
}

/** The `rid` query parameter: a UUID pairing a start with its end, or null. Throws PingRequestError otherwise. */
export function parseRid(rid: unknown): string | null {
  if (rid === undefined || rid === '') return null;
  if (typeof rid !== 'string' || !UUID_RE.test(rid)) throw new PingRequestError('rid must be a UUID');
  return rid.toLowerCase();
}

/** A body as received: the first bytes (up to the cap) and how many bytes came in all. */
export interface CappedBody {
  kept: Buffer;
  total: number;
}

/** The log text of a body, with a marker saying what was cut when it was over the cap. */
export function bodyText(body: CappedBody | undefined): { body: string; bodyBytes: number; bodyTruncated: boolean } {
  if (body === undefined || body.total === 0) return { body: '', bodyBytes: 0, bodyTruncated: false };
  const text = new TextDecoder('utf-8').decode(body.kept);
  if (body.total <= body.kept.length) return { body: text, bodyBytes: body.total, bodyTruncated: false };
  return {
    body: `${text}\n[truncated: ${body.total} bytes received, the first ${body.kept.length} kept]`,
    bodyBytes: body.total,
    bodyTruncated: true,
  };
}

/** The ping URL of a token under a base URL (`https://upkeep.example` → `https://upkeep.example/ping/<token>`). */
export function pingUrl(base: string, token: string): string {
  return `${base.replace(/\/+$/, '')}/ping/${token}`;
}
