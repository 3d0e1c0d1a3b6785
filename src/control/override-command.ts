/**
 * `upkeep override list|clear`, `upkeep pause|resume|silence`: overrides from a terminal. They are written to the
 * store; a running `upkeep start` picks them up within seconds (its cache refreshes, src/control/overrides.ts).
 */
import type { Command, ParsedArgs } from '../cli/command.js';
import { UsageError } from '../cli/command.js';
import { relativeTime, table } from '../cli/output.js';
import { parseDuration } from '../plan/duration.js';
import { cliAuthor, withStore } from './cli-store.js';
import type { Override } from './override-schema.js';
import { OverrideStore } from './override-store.js';

/** Rows of the override table the CLI prints (status shows them too). */
export function overrideRows(list: Override[], now: number): string {
  return table(
    ['ID', 'KIND', 'COVERS', 'BY', 'SINCE', 'EXPIRES', 'REASON'],
    list.map((o) => [
      String(o.id),
      o.kind,
      o.unitId ?? (o.app === null ? 'everything' : `app ${o.app}`),
      o.author,
      relativeTime(o.startsAt ?? o.createdAt, now),
      o.expiresAt === null ? 'never' : relativeTime(o.expiresAt, now),
      // One line per override: a newline in a reason must not forge a row.
      JSON.stringify(o.reason).slice(1, -1),
    ]),
  );
}

export const overrideCommand: Command = {
  name: 'override',
  summary: 'List the active overrides (pause, silence, maintenance, ack) or clear one',
  usage: 'list [--json] | clear <id>',
  options: {},
  maxPositionals: 2,
  async run({ positionals, global }, ctx) {
    const [action, id] = positionals;
    if (action === 'list' || action === undefined) {
      return withStore(global, async (store) => {
        const list = await new OverrideStore(store.database).listActive(Date.now());
        if (global.json) ctx.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else if (list.length === 0) ctx.stdout.write('No active overrides.\n');
        else ctx.stdout.write(`${overrideRows(list, Date.now())}\n`);
        return 0;
      });
    }
    if (action !== 'clear') throw new UsageError(`unknown action "${action}": use list or clear <id>`);
    const n = Number(id);
    if (!Number.isInteger(n) || n <= 0)
      throw new UsageError('clear takes the id of an override (upkeep override list)');
    return withStore(global, async (store) => {
      const cleared = await new OverrideStore(store.database).clear(n, cliAuthor(ctx.env), Date.now());
      if (!cleared) {
        ctx.stderr.write(`upkeep override: no active override ${n} (see upkeep override list)\n`);
        return 1;
      }
      ctx.stdout.write(`cleared override ${n} (${cleared.kind} of ${cleared.unitId ?? cleared.app ?? 'everything'})\n`);
      return 0;
    });
  },
};

/** The unit `app/unit` of a command line, checked against the store's units. */
async function unitArg(args: ParsedArgs, units: { id: string; app: string }[]): Promise<{ id: string; app: string }> {
  const given = args.positionals[0];
  if (!given) throw new UsageError('name the unit as app/unit');
  const exact = units.find((u) => u.id === given);
  const byName = units.filter((u) => u.id.endsWith(`/${given}`));
  const unit = exact ?? (byName.length === 1 ? byName[0] : undefined);
  if (!unit) throw new UsageError(`no unit "${given}" in the store (see upkeep status)`);
  return unit;
}

function durationOption(text: string | boolean | undefined, option: string): number | null {
  if (text === undefined) return null;
  const ms = typeof text === 'string' ? parseDuration(text) : undefined;
  if (ms === undefined || ms < 1_000) throw new UsageError(`${option} takes a duration such as 30m, 2h or 1d`);
  return ms;
}

/** `upkeep pause app/unit [--reason ...] [--for 2h]` and `upkeep silence app/unit --for 1h --note ...`. */
function overrideMaker(kind: 'pause' | 'silence'): Command {
  return {
    name: kind,
    summary:
      kind === 'pause'
        ? 'Pause a unit: it is not run (and a heartbeat is not late) until `upkeep resume`'
        : "Silence a unit's notifications for a while; its alert still changes and shows",
    usage: kind === 'pause' ? 'app/unit [--reason text] [--for 2h]' : 'app/unit --for 1h --note text',
    options: { reason: { type: 'string' }, note: { type: 'string' }, for: { type: 'string' } },
    maxPositionals: 1,
    async run(args, ctx) {
      const forMs = durationOption(args.values.for, '--for');
      const text = (args.values[kind === 'pause' ? 'reason' : 'note'] as string | undefined)?.trim();
      if (kind === 'silence' && (forMs === null || !text))
        throw new UsageError('silence needs --for <duration> and --note <why>');
      return withStore(args.global, async (store) => {
        const unit = await unitArg(args, await store.listUnits());
        const now = Date.now();
        const o = await new OverrideStore(store.database).create({
          kind,
          app: unit.app,
          unitId: unit.id,
          author: cliAuthor(ctx.env),
          reason: text || 'paused',
          createdAt: now,
          startsAt: null,
          expiresAt: forMs === null ? null : now + forMs,
        });
        ctx.stdout.write(`${kind === 'pause' ? 'paused' : 'silenced'} ${unit.id} (override ${o.id})\n`);
        return 0;
      });
    },
  };
}

export const pauseCommand = overrideMaker('pause');
export const silenceCommand = overrideMaker('silence');

/** `upkeep resume app/unit`: clears the unit's pauses. */
export const resumeCommand: Command = {
  name: 'resume',
  summary: 'Resume a paused unit',
  usage: 'app/unit',
  options: {},
  maxPositionals: 1,
  async run(args, ctx) {
    return withStore(args.global, async (store) => {
      const unit = await unitArg(args, await store.listUnits());
      const overrides = new OverrideStore(store.database);
      const pauses = (await overrides.listActive(Date.now())).filter((o) => o.kind === 'pause' && o.unitId === unit.id);
      if (pauses.length === 0) {
        ctx.stderr.write(`upkeep resume: ${unit.id} is not paused\n`);
        return 1;
      }
      for (const o of pauses) await overrides.clear(o.id, cliAuthor(ctx.env), Date.now());
      ctx.stdout.write(`resumed ${unit.id}\n`);
      return 0;
    });
  },
};
