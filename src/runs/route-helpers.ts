/** Small helpers shared by the read-side route files: ids, cursors, tokens of a page's units, errors. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { allows } from '../web/access.js';
import type { ApiDeps } from './runs-routes.js';

/** The route parameters of a unit route. */
export type UnitParams = { Params: { app: string; name: string } };

/**
 * Whether this caller may see heartbeat tokens: operators and admins (a token lets anyone send pings).
 */
export function seesTokens(req: FastifyRequest): boolean {
  return allows(req.principal?.role, 'operator');
}

/** The tokens of the given heartbeat units, by id (the whole map only from a heartbeat source without lookups). */
export async function tokensOf(deps: ApiDeps, ids: string[]): Promise<Map<string, string> | undefined> {
  if (!deps.heartbeats || ids.length === 0) return undefined;
  if (deps.heartbeats.tokensOf) return deps.heartbeats.tokensOf(ids);
  return deps.heartbeats.tokens();
}

/** Where ping URLs point: the configured public URL, or the URL this request came through. */
export function baseUrl(deps: ApiDeps, req: FastifyRequest): string {
  return deps.publicUrl ?? `${req.protocol}://${req.host}${deps.basePath ?? ''}`;
}

/** `app/name` of a unit route. */
export function unitId(req: FastifyRequest<UnitParams>): string {
  return `${req.params.app}/${req.params.name}`;
}

/** The 404 of a unit the plan does not have. */
export function notFound(reply: FastifyReply, id: string) {
  return reply.code(404).send({ error: `no unit "${id}" in the plan` });
}
