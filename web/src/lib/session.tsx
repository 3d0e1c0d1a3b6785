/** Who is looking: the signed-in user and role from /api/auth/me, shared by every page through a context. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me, Role } from './types';

/** The session as pages see it. `me` is null when this upkeep has no accounts API (every caller may act). */
export interface Session {
  me: Me | null;
  /** Re-reads /api/auth/me (after login, logout or a password change). */
  refresh: () => void;
}

export const SessionContext = createContext<Session>({ me: null, refresh: () => {} });

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** The current session. */
export function useSession(): Session {
  return useContext(SessionContext);
}

/** Whether the viewer may do what `role` may (no accounts API: yes, the server decides). */
export function useCan(role: Role): boolean {
  const { me } = useSession();
  return me === null || RANK[me.user.role] >= RANK[role];
}
