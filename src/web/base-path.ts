/**
 * A base path lets upkeep live under a prefix behind a reverse proxy (`/upkeep`): every route, the API, pings, the
 * status pages and the dashboard's assets, is answered under it. The prefix is removed once, before any route sees
 * the request, so routes are written without it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** `/upkeep/` or `upkeep` → `/upkeep`; `` or `/` → `` (no base path). Throws with what to write for bad input. */
export function normalizeBasePath(text: string | undefined): string {
  const trimmed = (text ?? '').trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  const path = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(path) || path.split('/').some((s) => s === '.' || s === '..'))
    throw new Error(`the base path must look like /upkeep (letters, digits, . _ ~ - between slashes), not "${text}"`);
  return path;
}

/**
 * Removes `base` from `req.url`; answers (and returns false) a request outside it: the bare base is redirected to
 * `base/`, anything else gets a 404 that says where upkeep lives.
 */
export function stripBasePath(base: string, req: IncomingMessage, res: ServerResponse): boolean {
  if (base === '') return true;
  const url = req.url ?? '/';
  if (url.startsWith(`${base}/`) || url.startsWith(`${base}?`)) {
    req.url = url.startsWith(`${base}?`) ? `/${url.slice(base.length)}` : url.slice(base.length);
    return true;
  }
  if (url === base) {
    res.writeHead(308, { location: `${base}/` }).end();
    return false;
  }
  res
    .writeHead(404, { 'content-type': 'application/json; charset=utf-8' })
    .end(JSON.stringify({ error: `upkeep is served under ${base}/ (its base path), not at ${url.split('?')[0]}` }));
  return false;
}
