/** The sample app's misbehaviour switches: pure parsing and the deterministic error-marking rule. */

/** How the sample app should misbehave right now; all zero/false is a healthy app. */
export interface Switches {
  /** Extra latency added to /health and /api/health, in ms. */
  slowMs: number;
  /** When true, health answers 503 with `status: error, database: disconnected`. */
  failing: boolean;
  /** Percentage (0-100) of requests counted as errors, so `metrics.errorRate` rises. */
  errorRatePercent: number;
  /** Megabytes of heap retained per leak tick; 0 stops the leak (what was leaked stays until reset). */
  leakMbPerTick: number;
}

/** A healthy app. */
export const NORMAL_SWITCHES: Readonly<Switches> = Object.freeze({
  slowMs: 0,
  failing: false,
  errorRatePercent: 0,
  leakMbPerTick: 0,
});

/** The environment variables that set the switches at start, for docs and error messages. */
export const SWITCH_ENV = {
  slowMs: 'SAMPLE_APP_SLOW_MS',
  failing: 'SAMPLE_APP_FAIL',
  errorRatePercent: 'SAMPLE_APP_ERROR_RATE',
  leakMbPerTick: 'SAMPLE_APP_LEAK_MB',
} as const;

/** A switch value that is not usable; the message names the switch and what it accepts. */
export class SwitchValueError extends Error {
  override readonly name = 'SwitchValueError';
}

/** Reads a non-negative number (at most `max`) for the switch called `label`; empty or undefined is `fallback`. */
export function parseSwitchNumber(value: unknown, label: string, max: number, fallback = 0): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'number' ? value : Number(String(value).trim().replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0 || n > max) {
    throw new SwitchValueError(`${label} must be a number from 0 to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Reads a boolean switch: `1 true yes on` are on, `0 false no off` and empty are off. */
export function parseSwitchFlag(value: unknown, label: string): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw new SwitchValueError(`${label} must be one of 1/0, true/false, yes/no, on/off; got ${JSON.stringify(value)}`);
}

/** Reads the start-up switches from the environment (SAMPLE_APP_SLOW_MS, _FAIL, _ERROR_RATE, _LEAK_MB). */
export function switchesFromEnv(env: Record<string, string | undefined>): Switches {
  return {
    slowMs: parseSwitchNumber(env[SWITCH_ENV.slowMs], SWITCH_ENV.slowMs, 600_000),
    failing: parseSwitchFlag(env[SWITCH_ENV.failing], SWITCH_ENV.failing),
    errorRatePercent: parseSwitchNumber(env[SWITCH_ENV.errorRatePercent], SWITCH_ENV.errorRatePercent, 100),
    leakMbPerTick: parseSwitchNumber(env[SWITCH_ENV.leakMbPerTick], SWITCH_ENV.leakMbPerTick, 64),
  };
}

/**
 * Whether the `seq`-th request (1-based) is counted as an error at `percent`.
 * Spread evenly rather than random so a demo (and a test) sees exactly that rate: 10% marks every tenth request.
 */
export function shouldMarkError(seq: number, percent: number): boolean {
  if (percent <= 0) return false;
  if (percent >= 100) return true;
  return Math.floor((seq * percent) / 100) > Math.floor(((seq - 1) * percent) / 100);
}
