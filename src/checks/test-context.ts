/** Test helper: a ProbeContext with a silent logger, a deadline signal and optional dispatcher / CA. */
import { pino } from 'pino';
import type { Dispatcher } from 'undici';
import type { ProbeContext } from './kind.js';

/** Builds a ProbeContext whose signal fires at `timeoutMs`, like the runner's. */
export function testContext(
  options: { timeoutMs?: number; dispatcher?: Dispatcher; ca?: string; now?: () => number } = {},
): ProbeContext {
  const timeoutMs = options.timeoutMs ?? 5_000;
  return {
    signal: AbortSignal.timeout(timeoutMs + 1_000),
    timeoutMs,
    now: options.now ?? Date.now,
    logger: pino({ level: 'silent' }),
    dispatcher: options.dispatcher,
    ca: options.ca,
  };
}
