/**
 * The one way the dashboard talks to upkeep: paths are relative to the base path, errors become ApiError with the
 * server's words, and writes carry the session's CSRF token.
 */

/** The prefix upkeep is served under (`/upkeep`), from the meta tag the server fills in; '' for none. */
export const BASE: string = document.querySelector('meta[name="upkeep-base"]')?.getAttribute('content') ?? '';

/** A failed API call, with the server's own message (its `{ error }`), the status and the code when it gave one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    readonly body?: Record<string, unknown>,
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;

/** Sets the CSRF token from /api/auth/me; every write sends it as `x-csrf-token`. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** The URL of an upkeep path (`/api/overview`) under the base path. */
export function url(path: string): string {
  return `${BASE}${path}`;
}

/** Calls the API: GET without a body, anything else with JSON. Resolves with the parsed body (undefined for 204). */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url(path), {
      method,
      headers,
      credentials: 'same-origin',
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch (err) {
    throw new ApiError(`upkeep did not answer (${(err as Error).message}): is it running?`, 0);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const b = (body ?? {}) as Record<string, unknown>;
    const words = typeof b.error === 'string' ? b.error : `${res.status} ${res.statusText || 'error'}`;
    throw new ApiError(words, res.status, typeof b.code === 'string' ? b.code : undefined, b);
  }
  return body as T;
}

/** Encodes an `app/unit` id as the two path segments the API takes. */
export function unitPath(id: string): string {
  const slash = id.indexOf('/');
  return `${encodeURIComponent(id.slice(0, slash))}/${encodeURIComponent(id.slice(slash + 1))}`;
}
