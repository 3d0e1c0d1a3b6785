/**
 * Rendered public answers (pages, feeds, badges) kept for a short TTL, so a status page linked from a busy incident
 * costs one render per TTL instead of one per request. Concurrent misses share one render. Bounded in size.
 */
import { createHash } from 'node:crypto';

/** A rendered answer with its strong ETag (a hash of the body). */
export interface Answer {
  status: number;
  type: string;
  body: string;
  etag: string;
}

/** An answer with its ETag computed from its body. */
export function answer(status: number, type: string, body: string): Answer {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { status, type, body, etag };
}

/** True when an If-None-Match header names `etag` (or is `*`); weak comparison, as RFC 9110 says for GET. */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

/** A TTL cache of answers by key; `invalidate(prefix)` drops keys starting with it (e.g. one app's). */
export class AnswerCache {
  private readonly entries = new Map<string, { until: number; value: Promise<Answer> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxEntries = 2_000,
  ) {}

  /** The cached answer for `key`, or the one `render` makes (shared by concurrent callers). */
  get(key: string, render: () => Promise<Answer>): Promise<Answer> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value;
    const value = render();
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { until: now + this.ttlMs, value });
    // A failed render is not kept: the next request tries again.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  /** Drops every entry whose key starts with `prefix`. */
  invalidate(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
