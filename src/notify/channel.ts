/** The contract every notification channel implements: a zod config schema, a pure render() and an I/O send(). */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { Severity } from '../core/outcome.js';

/** What happened, as every channel renders it. Built from a durable transition (or a reminder / test). */
export interface AlertMessage {
  /** `firing`: a problem started or escalated; `resolved`: it ended; `reminder`: still firing; `test`: `upkeep notify test`. */
  event: 'firing' | 'resolved' | 'reminder' | 'test';
  app: string;
  /** `app/unit`. */
  unitId: string;
  unitName: string;
  severity: Severity | null;
  /** When the current problem started (ms since epoch): "since when". */
  since: number;
  /** When this message's event happened (ms since epoch). */
  at: number;
  /** The transition's reason, e.g. `2 consecutive failures: HTTP 503 (expected 2xx)`. */
  reason: string;
  /** The last observation's one-line summary. */
  summary: string;
  /** The target, redacted (`GET https://shop.example/health`). */
  target: string;
  /** Link to the unit in upkeep's UI/API. */
  url: string;
  /** Stable id for the problem (PagerDuty dedup key, Opsgenie alias, thread keys): same for firing and resolved. */
  dedupKey: string;
}

/**
 * A channel failed. `permanent` errors (bad credentials, unknown endpoint: most 4xx) are not retried.
 * `retryAfterMs` is how long the service asked to be left alone (HTTP Retry-After), when it said.
 */
export class ChannelError extends Error {
  override readonly name = 'ChannelError';
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** What send() may use; injected so tests talk to real local servers. */
export interface SendContext {
  signal: AbortSignal;
  logger: Logger;
  /** undici dispatcher for HTTP channels (tests may pass one). */
  dispatcher?: Dispatcher;
  now: () => number;
}

/** A channel kind: one file in src/notify/channels plus one line in its registry. */
export interface ChannelKind<Config = unknown, Rendered = unknown> {
  /** The `type:` that selects it in the plan's `notify:` map. */
  type: string;
  description: string;
  /** Validates the channel's plan entry (including `type`). */
  schema: z.ZodType<Config>;
  /** Pure: the exact request (or mail) this message becomes. Tested against exact output. */
  render(config: Config, message: AlertMessage): Rendered;
  /** Does the I/O. Throws ChannelError with `permanent` set right; resolves on success. */
  send(config: Config, rendered: Rendered, ctx: SendContext): Promise<{ status?: number; detail?: string }>;
  /** Redacted one-line description for `upkeep notify` listings (never a token or password). */
  describe(config: Config): string;
}
