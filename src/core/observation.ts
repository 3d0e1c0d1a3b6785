/** What a probe saw and what evaluation made of it: the words between a check kind, the scheduler and alerts. */
import type { Outcome, Severity } from './outcome.js';

/** Why a probe could not get an answer from the target; distinct so a person knows where to look. */
export type FailureReason =
  | 'dns' // name did not resolve
  | 'connect' // refused, unreachable, reset before a response
  | 'tls' // handshake failed, certificate rejected
  | 'timeout' // the total deadline passed
  | 'protocol' // answered, but not in the protocol expected (bad HTTP, redirect loop, body over the cap)
  | 'other';

/** What a probe saw. Probes never throw for a target's failure: they return `failure` instead. */
export interface Observation {
  /** When the probe started and how long it took, in ms since the epoch / ms. */
  startedAt: number;
  durationMs: number;
  /** Set when no usable answer came back. */
  failure?: { reason: FailureReason; message: string };
  /** Kind-specific facts (status, headers, parsed JSON body, certificate dates, ...): JSON-serialisable. */
  facts: Record<string, unknown>;
}

/** One condition's result inside a verdict, for display and for the transition reason. */
export interface ConditionResult {
  /** e.g. `status == 200`, `responseTime < 2s`, `metrics.errorRate <= 5%`. */
  condition: string;
  passed: boolean;
  /** The severity this condition carries when it fails. */
  severity: Severity;
  /** What was actually seen, e.g. `503`, `2.4s`, `7.2%`. */
  actual?: string;
}

/** The pure evaluation of an observation. */
export interface Verdict {
  /** `ok`, or the worst severity among failed conditions (a `failure` is critical). */
  outcome: Exclude<Outcome, 'error'>;
  /** One line for tables and alerts, e.g. `HTTP 503 (expected 200)` or `ok in 123ms`. */
  summary: string;
  conditions: ConditionResult[];
  /** Numbers worth charting and trending (responseTimeMs, daysLeft, heapUsedBytes, ...). */
  values: Record<string, number>;
}

/** A past run's values, oldest first, for trend rules such as heap growth. */
export interface RecentValues {
  at: number;
  values: Record<string, number>;
}
