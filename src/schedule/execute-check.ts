/**
 * Runs one check's probe and evaluation under its deadline. A target's failure comes back as a verdict; anything
 * that throws is upkeep's own failure and comes back as `error` — never as the target being down.
 */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { CheckKind, ProbeContext } from '../checks/kind.js';
import type { Observation, RecentValues, Verdict } from '../core/observation.js';
import type { CheckUnit } from '../plan/units.js';
import { startDeadline } from '../shared/deadline.js';
import type { Clock } from './clock.js';

/** What one execution produced. */
export type CheckResult =
  | { outcome: 'verdict'; observation: Observation; verdict: Verdict }
  | { outcome: 'error'; message: string; startedAt: number; durationMs: number };

export interface ExecuteDeps {
  clock: Clock;
  logger: Logger;
  dispatcher?: Dispatcher;
  /** Aborts in-flight probes when upkeep stops. */
  shutdown?: AbortSignal;
  /** The heartbeat kind's last-ping reader. */
  heartbeats?: ProbeContext['heartbeats'];
}

/** The parent signal of a run without a shutdown signal. */
const NEVER = new AbortController().signal;

/** How long past its deadline a probe may take to return before upkeep gives up on it. */
const DEADLINE_GRACE_MS = 1_000;

/** Probes and evaluates `unit`; never rejects. */
export async function executeCheck(
  unit: CheckUnit,
  kind: CheckKind,
  recent: RecentValues[],
  deps: ExecuteDeps,
): Promise<CheckResult> {
  const startedAt = deps.clock.now();
  // One controller and one timer per run, not AbortSignal.timeout/any: Node keeps those alive through weak
  // references until a major GC, which at thousands of runs a minute grew the heap by hundreds of megabytes.
  const deadline = startDeadline(deps.shutdown ?? NEVER, unit.timeoutMs);
  const signal = deadline.signal;
  let timer: NodeJS.Timeout | undefined;
  try {
    // A probe that ignores its signal must not hold a slot forever: race it against the deadline plus a grace.
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`probe did not stop at its ${unit.timeoutMs}ms deadline`)),
        unit.timeoutMs + DEADLINE_GRACE_MS,
      );
    });
    const observation = await Promise.race([
      kind.probe(unit.spec, {
        signal,
        timeoutMs: unit.timeoutMs,
        now: () => deps.clock.now(),
        logger: deps.logger,
        dispatcher: deps.dispatcher,
        unitId: unit.id,
        heartbeats: deps.heartbeats,
      }),
      stuck,
    ]);
    const verdict = kind.evaluate(unit.spec, observation, recent);
    return { outcome: 'verdict', observation, verdict };
  } catch (err) {
    const message = deps.shutdown?.aborted ? 'upkeep stopped during the run' : errorMessage(err);
    deps.logger.error({ unit: unit.id, err }, 'check failed inside upkeep');
    return { outcome: 'error', message, startedAt, durationMs: deps.clock.now() - startedAt };
  } finally {
    clearTimeout(timer);
    deadline.dispose();
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
