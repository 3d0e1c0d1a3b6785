/** `upkeep notify test <channel>` sends a test message straight to one channel; `upkeep notify list` shows them. */
import pino from 'pino';
import type { CliContext, Command } from '../cli/command.js';
import { UsageError } from '../cli/command.js';
import { colours, table } from '../cli/output.js';
import { readPlan } from '../cli/plan-input.js';
import { parseDuration } from '../plan/duration.js';
import type { Plan } from '../plan/plan-types.js';
import { nearest } from '../plan/suggest.js';
import { ChannelError } from './channel.js';
import { resolveChannel, sendToChannel } from './channels/registry.js';
import { testMessage } from './message.js';

const DEFAULT_TIMEOUT = '15s';

/** What one test send did, as `--json` prints it. */
export interface NotifyTestResult {
  channel: string;
  type: string;
  destination: string;
  ok: boolean;
  durationMs: number;
  status?: number;
  detail?: string;
  error?: string;
  /** Set on failure: true means a retry will not help (fix the plan); false means try again later. */
  permanent?: boolean;
}

/** The link in messages: the public URL people reach upkeep at, else where `upkeep start` listens. */
function baseUrl(env: CliContext['env']): string {
  return env.UPKEEP_PUBLIC_URL || `http://${env.UPKEEP_HOST || '127.0.0.1'}:${env.UPKEEP_PORT || '8080'}`;
}

/** Finds a channel by name, or a usage error listing the channels and the nearest name. */
function channelEntry(plan: Plan, name: string) {
  const entry = plan.notify[name];
  if (entry) return entry;
  const names = Object.keys(plan.notify);
  if (names.length === 0) throw new UsageError('the plan has no channels: add them under "notify:" (see README)');
  const suggestion = nearest(name, names);
  throw new UsageError(
    `no channel "${name}" under "notify" in the plan${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; channels: ${names.join(', ')}`,
  );
}

async function testChannel(plan: Plan, name: string, timeoutMs: number, ctx: CliContext): Promise<NotifyTestResult> {
  const channel = resolveChannel(name, channelEntry(plan, name));
  const started = Date.now();
  const base = { channel: name, type: channel.kind.type, destination: channel.kind.describe(channel.config) };
  try {
    const result = await sendToChannel(channel, testMessage(name, started, baseUrl(ctx.env)), {
      signal: AbortSignal.timeout(timeoutMs),
      logger: pino({ level: 'silent' }),
      now: Date.now,
    });
    return {
      ...base,
      ok: true,
      durationMs: Date.now() - started,
      ...(result.status !== undefined ? { status: result.status } : {}),
      ...(result.detail ? { detail: result.detail } : {}),
    };
  } catch (error) {
    if (!(error instanceof ChannelError)) throw error;
    return {
      ...base,
      ok: false,
      durationMs: Date.now() - started,
      error: error.message,
      permanent: error.permanent,
      ...(error.status !== undefined ? { status: error.status } : {}),
    };
  }
}

export const notifyCommand: Command = {
  name: 'notify',
  summary: 'Send a test message to a channel (`notify test <channel>`), or list the channels (`notify list`)',
  usage: 'test <channel> [--timeout 15s] [--json]\n       upkeep notify list [--json]',
  maxPositionals: 2,
  options: { timeout: { type: 'string' } },
  async run({ values, positionals, global }, ctx) {
    const [action, ...rest] = positionals;
    if (action === 'list' && rest.length === 0) {
      const loaded = await readPlan(global.plan, ctx);
      const rows = Object.entries(loaded.plan.notify).map(([name, entry]) => {
        const channel = resolveChannel(name, entry);
        return { channel: name, type: channel.kind.type, destination: channel.kind.describe(channel.config) };
      });
      if (global.json) ctx.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else if (rows.length === 0) ctx.stdout.write('no channels: add them under "notify:" in the plan\n');
      else
        ctx.stdout.write(
          `${table(
            ['CHANNEL', 'TYPE', 'DESTINATION'],
            rows.map((r) => [r.channel, r.type, r.destination]),
          )}\n`,
        );
      return 0;
    }
    if (action !== 'test' || rest.length !== 1) {
      throw new UsageError(
        'name one channel to test, e.g. `upkeep notify test team-slack`, or use `upkeep notify list`',
      );
    }
    const timeoutText = (values.timeout as string | undefined) ?? DEFAULT_TIMEOUT;
    const timeoutMs = parseDuration(timeoutText);
    if (timeoutMs === undefined || timeoutMs <= 0) {
      throw new UsageError(`--timeout expects a duration such as 10s or 1m, not "${timeoutText}"`);
    }
    const loaded = await readPlan(global.plan, ctx);
    const result = await testChannel(loaded.plan, rest[0] as string, timeoutMs, ctx);
    if (global.json) {
      ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      const c = colours(ctx.stdout, ctx.env);
      const head = `${result.channel} (${result.destination})`;
      if (result.ok) {
        const how = [result.status !== undefined ? `HTTP ${result.status}` : undefined, result.detail].filter(Boolean);
        ctx.stdout.write(
          `${c('green', '✓')} ${head}: test message sent${how.length ? ` (${how.join(', ')})` : ''} in ${result.durationMs}ms\n`,
        );
      } else {
        const kind = result.permanent
          ? 'permanent: fix the channel in the plan; upkeep will not retry it'
          : 'transient: upkeep would retry it later';
        ctx.stdout.write(`${c('red', '✗')} ${head}: ${result.error}\n  (${kind})\n`);
      }
    }
    return result.ok ? 0 : 1;
  },
};
