/**
 * Serves the dashboard built by scripts/build.mjs into dist/web/: index.html for the page paths (the front end routes
 * them), hashed assets with a year of caching. The shell and assets are public; the data comes from the API behind
 * auth. index.html is rewritten once at start for the base path, so one build works under any prefix.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { packageFile } from '../../package-root.js';
import type { RouteModule } from '../route-module.js';

export interface DashboardDeps {
  /** The prefix upkeep is served under (`/upkeep`), '' for none. */
  basePath?: string;
  /** Where the built dashboard lies; default dist/web/ in the package. */
  dashboardDir?: string;
}

/** Page paths answered with index.html: the front end's router shows the page. */
export const PAGE_PATHS = ['/', '/apps/*', '/units/*', '/notifications', '/settings', '/audit', '/login', '/setup'];

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** The dashboard's routes: always registered (a missing build answers a page that says how to build it). */
export const dashboardRoutes: RouteModule<DashboardDeps> = {
  name: 'dashboard',
  register: (app, deps) => registerDashboardRoutes(app, deps),
};

/** Registers the page paths and /assets/* on `app`. */
export function registerDashboardRoutes(app: FastifyInstance, deps: DashboardDeps): void {
  const dir = deps.dashboardDir ?? packageFile('dist/web');
  const shell = readShell(dir, deps.basePath ?? '');
  const page = async (_req: unknown, reply: FastifyReply) => {
    reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8');
    return shell === undefined ? reply.code(503).send(NOT_BUILT) : reply.send(shell);
  };
  for (const path of PAGE_PATHS) app.get(path, { config: { access: 'public' } }, page);

  app.get<{ Params: { '*': string } }>('/assets/*', { config: { access: 'public' } }, async (req, reply) => {
    const name = req.params['*'];
    // Only the flat, hashed names Vite writes: nothing can climb out of assets/.
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.'))
      return reply.code(404).send({ error: `no dashboard asset "${name}"` });
    let body: Buffer;
    try {
      body = await readFile(join(dir, 'assets', name));
    } catch {
      return reply.code(404).send({ error: `no dashboard asset "${name}" (rebuild the dashboard: npm run build)` });
    }
    return reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .type(TYPES[extname(name)] ?? 'application/octet-stream')
      .send(body);
  });
}

/** index.html with its asset links and the base path meta tag made absolute under `base`; undefined when unbuilt. */
export function readShell(dir: string, base: string): string | undefined {
  const file = join(dir, 'index.html');
  if (!existsSync(file)) return undefined;
  const html = readFileSync(file, 'utf8');
  // Relative links would break on deep page paths (/units/shop/api); the base must be known to the server anyway.
  return html
    .replaceAll('"./assets/', `"${base}/assets/`)
    .replace('<meta name="upkeep-base" content="">', `<meta name="upkeep-base" content="${base}">`);
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>upkeep: dashboard not built</title></head>
<body><h1>dashboard not built: run npm run build</h1>
<p>upkeep is running and its API answers, but the dashboard's files (dist/web/) are missing.
Run <code>npm run build</code> (or <code>npm install</code>, which builds it) in upkeep's directory, then restart upkeep.</p>
</body></html>
`;
