/** Every notification channel upkeep knows. Adding one is a file plus one line here; schema, docs and CLI derive from it. */
import { nearest } from '../../plan/suggest.js';
import { type AlertMessage, ChannelError, type ChannelKind, type SendContext } from '../channel.js';
import { discordChannel } from './discord.js';
import { emailChannel } from './email.js';
import { gotifyChannel } from './gotify.js';
import { matrixChannel } from './matrix.js';
import { ntfyChannel } from './ntfy.js';
import { opsgenieChannel } from './opsgenie.js';
import { pagerdutyChannel } from './pagerduty.js';
import { pushoverChannel } from './pushover.js';
import { slackChannel } from './slack.js';
import { teamsChannel } from './teams.js';
import { telegramChannel } from './telegram.js';
import { webhookChannel } from './webhook.js';

// biome-ignore lint/suspicious/noExplicitAny: kinds differ in config and rendered types; each checks its own with its schema.
export const channelKinds: readonly ChannelKind<any, any>[] = [
  webhookChannel,
  slackChannel,
  discordChannel,
  teamsChannel,
  telegramChannel,
  ntfyChannel,
  gotifyChannel,
  pushoverChannel,
  pagerdutyChannel,
  opsgenieChannel,
  matrixChannel,
  emailChannel,
];

/** Looks up a channel kind by its `type:`. */
export function findChannelKind(
  type: string,
  kinds: readonly ChannelKind<unknown, unknown>[] = channelKinds,
): ChannelKind<unknown, unknown> | undefined {
  return kinds.find((kind) => kind.type === type);
}

/** A channel entry of the plan, validated by its kind: ready to render and send. */
export interface ResolvedChannel {
  name: string;
  kind: ChannelKind<unknown, unknown>;
  config: unknown;
}

/**
 * Validates a `notify:` entry with its kind's schema. The plan loader already checked it, so a failure here means
 * a plan edited behind upkeep's back or an older stored config: a permanent ChannelError saying so.
 */
export function resolveChannel(
  name: string,
  entry: { type: string; [key: string]: unknown },
  kinds: readonly ChannelKind<unknown, unknown>[] = channelKinds,
): ResolvedChannel {
  const kind = findChannelKind(entry.type, kinds);
  if (!kind) {
    const near = nearest(
      entry.type,
      kinds.map((k) => k.type),
    );
    throw new ChannelError(
      `channel "${name}" has unknown type "${entry.type}"${near ? ` (did you mean "${near}"?)` : ''}; fix it in the plan`,
      true,
    );
  }
  const parsed = kind.schema.safeParse(entry);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join('.') || 'entry').join(', ');
    throw new ChannelError(`channel "${name}" (${kind.type}) is not valid at: ${where}; run \`upkeep check\``, true);
  }
  return { name, kind, config: parsed.data };
}

/** Renders and sends one message to one resolved channel; throws ChannelError (never anything else on I/O). */
export async function sendToChannel(
  channel: ResolvedChannel,
  message: AlertMessage,
  ctx: SendContext,
): Promise<{ status?: number; detail?: string }> {
  const rendered = channel.kind.render(channel.config, message);
  try {
    return await channel.kind.send(channel.config, rendered, ctx);
  } catch (error) {
    if (error instanceof ChannelError) throw error;
    // A bug in a channel is upkeep's problem, not the receiver's: transient, so a fixed upkeep still delivers.
    throw new ChannelError(
      `upkeep's ${channel.kind.type} channel failed internally: ${(error as Error)?.message ?? error}`,
      false,
    );
  }
}
