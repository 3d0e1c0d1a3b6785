/**
 * Runs one check's probe and evaluation under its deadline. A target's failure comes back as a verdict; anything
 * that throws is upkeep's own failure and comes back as `error` — never as the target being down.
 *
 * This is where a probe's facts become a run, for the scheduler and `upkeep run` alike, so it is where secrets are
 * masked, once (src/shared/mask.ts): everything after it (run rows, alerts, the API, logs) only sees masked text.
 */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { CheckKind, ProbeContext } from '../checks/kind.js';
import type { Observation, RecentValues, Verdict } from '../core/observation.js';
import type { CheckUnit } from '../plan/units.js';
import { startDeadline } from '../shared/deadline.js';
import { type Masker, maskerFor } from '../shared/mask.js';
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
  const mask = maskerFor(unit.secrets);
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
    // Evaluated on what the target really said (a keyword may be a secret), then masked.
    const verdict = kind.evaluate(unit.spec, observation, recent);
    return { outcome: 'verdict', observation: maskObservation(observation, mask), verdict: maskVerdict(verdict, mask) };
  } catch (err) {
    const message = mask.text(deps.shutdown?.aborted ? 'upkeep stopped during the run' : errorMessage(err));
    deps.logger.error({ unit: unit.id, err: maskError(err, mask) }, 'check failed inside upkeep');
    return { outcome: 'error', message, startedAt, durationMs: deps.clock.now() - startedAt };
  } finally {
    clearTimeout(timer);
    deadline.dispose();
  }
}

/** The observation with its facts and failure message masked. */
function maskObservation(observation: Observation, mask: Masker): Observation {
  const { failure } = observation;
  return {
    ...observation,
    facts: mask.json(observation.facts),
    ...(failure ? { failure: { reason: failure.reason, message: mask.text(failure.message) } } : {}),
  };
}

/** The verdict with its summary and conditions masked (a condition may quote a keyword or a URL). */
function maskVerdict(verdict: Verdict, mask: Masker): Verdict {
  return {
    ...verdict,
    summary: mask.text(verdict.summary),
    conditions: verdict.conditions.map((c) => ({
      ...c,
      condition: mask.text(c.condition),
      ...(c.actual !== undefined ? { actual: mask.text(c.actual) } : {}),
    })),
  };
}

/** What the log gets of an internal error: its type, message and stack, masked. */
function maskError(err: unknown, mask: Masker): { type: string; message: string; stack?: string } {
  if (!(err instanceof Error)) return { type: typeof err, message: mask.text(String(err)) };
  return { type: err.name, message: mask.text(err.message), ...(err.stack ? { stack: mask.text(err.stack) } : {}) };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
