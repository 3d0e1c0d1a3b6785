/** Sends one claimed outbox row through its channel and says what to record: sent, retry later, failed, disable. */

import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { ChannelPlan } from '../plan/plan-types.js';
import { startDeadline } from '../shared/deadline.js';
import { type AlertMessage, ChannelError, type ChannelKind } from './channel.js';
import { resolveChannel, sendToChannel } from './channels/registry.js';
import type { ClaimedOutbox, DeliveryOutcome } from './notify-schema.js';

/** What to record after an attempt. */
export interface SendResult {
  outcome: DeliveryOutcome;
  /** Retry this row (transient error); false: done (sent, or given up). */
  retry: boolean;
  /** Disable the channel with this reason (a permanent error outside a test send). */
  disable?: string;
  /** The service asked not to be retried sooner than this (HTTP Retry-After on a 429 or 503). */
  retryAfterMs?: number;
}

/** What sending needs: the plan's channels, the kinds, and the I/O context. */
export interface SendDeps {
  channels: Record<string, ChannelPlan>;
  kinds: readonly ChannelKind<unknown, unknown>[];
  logger: Logger;
  dispatcher?: Dispatcher;
  now: () => number;
  timeoutMs: number;
  /** Aborts in-flight sends on shutdown. */
  shutdown: AbortSignal;
}

/** Sends `claim`'s message; never throws. */
export async function sendClaimed(claim: ClaimedOutbox, deps: SendDeps): Promise<SendResult> {
  const { row } = claim;
  const entry = deps.channels[row.channel];
  if (entry === undefined) {
    // Not the channel's fault: the plan dropped it while the row waited. Give up on the row, leave no channel state.
    const error = `channel "${row.channel}" is no longer in the plan; the message was not sent`;
    return { outcome: { ok: false, error, permanent: true }, retry: false };
  }
  const deadline = startDeadline(deps.shutdown, deps.timeoutMs);
  const signal = deadline.signal;
  try {
    const channel = resolveChannel(row.channel, entry, deps.kinds);
    const result = await sendToChannel(channel, row.message as AlertMessage, {
      signal,
      logger: deps.logger,
      dispatcher: deps.dispatcher,
      now: deps.now,
    });
    return { outcome: { ok: true, status: result.status, detail: result.detail }, retry: false };
  } catch (err) {
    if (deps.shutdown.aborted) {
      return { outcome: { ok: false, error: 'interrupted: upkeep is stopping', permanent: false }, retry: true };
    }
    const channelError =
      err instanceof ChannelError ? err : new ChannelError(`upkeep failed to send: ${messageOf(err)}`, false);
    const outcome: DeliveryOutcome = {
      ok: false,
      error: channelError.message,
      permanent: channelError.permanent,
      ...(channelError.status !== undefined ? { status: channelError.status } : {}),
    };
    if (!channelError.permanent) {
      const after = channelError.retryAfterMs;
      return { outcome, retry: true, ...(after !== undefined ? { retryAfterMs: after } : {}) };
    }
    // A test send reports the error to the person testing; it does not disable a channel they are setting up.
    return { outcome, retry: false, ...(row.event === 'test' ? {} : { disable: channelError.message }) };
  } finally {
    deadline.dispose();
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
