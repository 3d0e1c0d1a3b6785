/** When a session ends, pure: idle and absolute timeouts, and how often its last-seen time is written. */

/** The timeouts of sessions. */
export interface SessionPolicy {
  /** A session unused for this long is ended. */
  idleMs: number;
  /** A session older than this is ended however busy it is. */
  absoluteMs: number;
  /** last_seen_at is written at most this often (one write per minute per browser, not per request). */
  touchEveryMs: number;
}

/** 12 h idle, 7 days absolute. */
export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  idleMs: 12 * 3_600_000,
  absoluteMs: 7 * 86_400_000,
  touchEveryMs: 60_000,
};

/** Why a session has ended at `now`, or null while it is valid. */
export function sessionEnded(
  session: { createdAt: number; lastSeenAt: number },
  now: number,
  policy: SessionPolicy,
): 'idle' | 'absolute' | null {
  if (now - session.createdAt >= policy.absoluteMs) return 'absolute';
  if (now - session.lastSeenAt >= policy.idleMs) return 'idle';
  return null;
}

/** True when the session's last-seen time is stale enough to write. */
export function shouldTouch(lastSeenAt: number, now: number, policy: SessionPolicy): boolean {
  return now - lastSeenAt >= policy.touchEveryMs;
}
