/** `upkeep check`: validates the plan and lists its units with their next run times. */
import { nextRunAt } from '../schedule/schedule-spec.js';
import type { Command } from './command.js';
import { colours, relativeTime, table } from './output.js';
import { readPlan } from './plan-input.js';

export const checkCommand: Command = {
  name: 'check',
  summary: 'Validate the plan and list its units with their next run times',
  usage: '[upkeep.yml | --plan upkeep.yml] [--json]',
  planArgument: true,
  options: {},
  async run({ global }, ctx) {
    const loaded = await readPlan(global.plan, ctx);
    const now = Date.now();
    const units = loaded.units.map((u) => ({
      id: u.id,
      kind: u.kind,
      target: u.target,
      schedule: u.schedule.text,
      timeoutMs: u.timeoutMs,
      nextRunAt: nextRunAt(u.schedule, now, u.id),
    }));
    if (global.json) {
      ctx.stdout.write(
        `${JSON.stringify({ valid: true, plan: global.plan, timezone: loaded.timezone, units }, null, 2)}\n`,
      );
      return 0;
    }
    const c = colours(ctx.stdout, ctx.env);
    const apps = new Set(units.map((u) => u.id.split('/')[0]));
    ctx.stdout.write(
      `${c('green', '✓')} ${global.plan} is valid: ${apps.size} app(s), ${units.length} check(s), time zone ${loaded.timezone}\n\n`,
    );
    if (units.length > 0) {
      const rows = units.map((u) => [u.id, u.kind, u.target, u.schedule, relativeTime(u.nextRunAt, now)]);
      ctx.stdout.write(`${table(['UNIT', 'KIND', 'TARGET', 'SCHEDULE', 'NEXT RUN'], rows)}\n`);
    }
    return 0;
  },
};
