/** The plan's notification keys: `alerts:` defaults, a check's own options, and its `notify:` channel names. Pure. */
import { parseDuration } from './duration.js';
import type { PlanIssue } from './plan-error.js';
import type { PlanInput } from './plan-schema.js';
import type { CheckNotify, NotifyOptions } from './plan-types.js';
import { nearest } from './suggest.js';
import type { YamlSource } from './yaml-source.js';

/** Defaults when `alerts:` says nothing: no reminders, recovery notices on, flapping damped at 4 changes per hour. */
export const DEFAULT_NOTIFY_OPTIONS: NotifyOptions = {
  renotifyMs: null,
  recovery: true,
  flapping: { changes: 4, withinMs: 3_600_000 },
};

/** The options as written (already validated by the schema). */
interface WrittenOptions {
  renotify?: string | false;
  recovery?: boolean;
  flapping?: { changes: number; within: string } | false;
}

function readOptions(written: WrittenOptions): Partial<NotifyOptions> {
  const out: Partial<NotifyOptions> = {};
  if (written.renotify !== undefined) {
    out.renotifyMs = written.renotify === false ? null : (parseDuration(written.renotify) as number);
  }
  if (written.recovery !== undefined) out.recovery = written.recovery;
  if (written.flapping !== undefined) {
    out.flapping =
      written.flapping === false
        ? null
        : { changes: written.flapping.changes, withinMs: parseDuration(written.flapping.within) as number };
  }
  return out;
}

/** The plan-wide defaults from `alerts:`. */
export function compileAlertDefaults(alerts: WrittenOptions | undefined): NotifyOptions {
  return { ...DEFAULT_NOTIFY_OPTIONS, ...readOptions(alerts ?? {}) };
}

/** A check's own notification keys (its validated common keys), or undefined when it sets none. */
export function compileCheckNotify(common: WrittenOptions & { notify?: string[] }): CheckNotify | undefined {
  const out: CheckNotify = { ...readOptions(common) };
  if (common.notify !== undefined) out.channels = [...new Set(common.notify)];
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Every channel a check's `notify:` names must be defined under the plan's `notify:`. */
export function checkCheckChannels(plan: PlanInput, ctx: { source: YamlSource; issues: PlanIssue[] }): void {
  const channels = Object.keys(plan.notify ?? {});
  for (const [app, spec] of Object.entries(plan.apps)) {
    for (const [name, raw] of Object.entries(spec.checks ?? {})) {
      const names = (raw as { notify?: unknown }).notify;
      if (!Array.isArray(names)) continue; // not a list: the check's own schema reports it.
      names.forEach((channel, i) => {
        if (typeof channel !== 'string' || channels.includes(channel)) return;
        const suggestion = nearest(channel, channels);
        ctx.issues.push(
          ctx.source.issueAt(
            ['apps', app, 'checks', name, 'notify', i],
            `check names channel "${channel}", which "notify" does not define`,
            {
              expected: channels.length > 0 ? `one of: ${channels.join(', ')}` : 'a channel defined under "notify"',
              ...(suggestion ? { suggestion } : {}),
            },
          ),
        );
      });
    }
  }
}
