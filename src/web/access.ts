/**
 * Who may call a route, declared on the route itself (`config: { access: 'viewer' }`) and enforced in one hook
 * (src/accounts/auth-hook.ts). The words are the contract between every capability's routes and the auth layer.
 */

/** A role a user or an API token has: viewer reads; operator also acts; admin also manages users and settings. */
export type Role = 'viewer' | 'operator' | 'admin';

/** What a route asks of its caller: `public` needs nobody; the roles need at least that role. */
export type Access = 'public' | Role;

/** Roles in order of power: a role may do everything a lower one may. */
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

/** The caller of a request, resolved once by the auth hook from a session cookie or a Bearer token. */
export interface Principal {
  /** How the caller proved who it is. */
  kind: 'session' | 'token';
  /** The user (for a session, or the user who created a token), when there is one. */
  userId?: string;
  /** The token's id, for a Bearer call. */
  tokenId?: string;
  /** The session's id, for a cookie call (never shown: it is the cookie's secret's key, not the secret). */
  sessionId?: string;
  /** What audit logs and overrides show as the author: the user's email or `token:<name>`. */
  name: string;
  role: Role;
}

/** True when `role` is allowed on a route declared `access`. */
export function allows(role: Role | undefined, access: Access): boolean {
  if (access === 'public') return true;
  if (!role) return false;
  return ROLES.indexOf(role) >= ROLES.indexOf(access);
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route; every route declares it (the route-walk test checks). */
    access?: Access;
  }
  interface FastifyRequest {
    /** The authenticated caller; undefined on a public route called anonymously. */
    principal?: Principal;
  }
}
