/** The shape of one capability's HTTP routes, so the web server registers a list instead of knowing each one. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/**
 * One capability's routes. `Deps` names only what the capability needs from the server's dependencies; a module
 * whose capability is not wired (its deps absent) registers nothing.
 */
export interface RouteModule<Deps> {
  /** The capability, for logs and tests. */
  name: string;
  /** Registers the capability's Fastify routes. */
  register(app: FastifyInstance, deps: Deps): void;
  /**
   * A handler that answers before Fastify sees the request (the hot ping path); returns true when it answered.
   * Built once per server; undefined when the capability has nothing to answer this way.
   */
  rawHandler?(deps: Deps, logger: Logger): ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
}
