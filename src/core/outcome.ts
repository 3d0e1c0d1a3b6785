/** The verdict words every layer shares. Imports nothing: every other module may depend on it. */

export type Severity = 'critical' | 'warning' | 'info';

/**
 * The verdict of one run. `error` is reserved for upkeep's own failures (a bug, the store, the scheduler):
 * it is never a statement about the target and never counts as the target being down.
 */
export type Outcome = 'ok' | Severity | 'error';
