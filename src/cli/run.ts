/** `upkeep run <unit>`: runs one check now and prints what it saw and the verdict. Nothing is stored. */
import pino from 'pino';
import { findCheckKind } from '../checks/registry.js';
import { resolveUnit } from '../plan/address.js';
import { JOB_KIND } from '../plan/compile-databases.js';
import { systemClock } from '../schedule/clock.js';
import { executeCheck } from '../schedule/execute-check.js';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { colours, stateColour, table } from './output.js';
import { readPlan } from './plan-input.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'Run one check now and print the observation and verdict (exit 1 when it fails)',
  usage: '<app/unit | unit> [--plan upkeep.yml] [--json]',
  maxPositionals: 1,
  options: {},
  async run({ positionals, global }, ctx) {
    const [address, ...extra] = positionals;
    if (!address || extra.length > 0) throw new UsageError('name exactly one unit, e.g. `upkeep run shop/api-health`');
    const loaded = await readPlan(global.plan, ctx);
    const unit = resolveUnit(loaded.units, address);
    if (unit.kind === JOB_KIND.backup || unit.kind === JOB_KIND.drill || unit.kind === JOB_KIND.freshness) {
      const db = unit.name.slice(0, unit.name.lastIndexOf('.'));
      throw new UsageError(
        `${unit.id} is a backup job: run \`upkeep backup ${unit.app}/${db}\`, or \`upkeep verify <backup> --drill\``,
      );
    }
    if (unit.kind === 'heartbeat') {
      throw new UsageError(`${unit.id} is a heartbeat: the job pings it (see \`upkeep status --json\` for its URL)`);
    }
    const kind = findCheckKind(unit.kind);
    if (!kind) throw new UsageError(`unit ${unit.id} has unknown kind "${unit.kind}"`);
    const logger = pino({ level: 'silent' });
    const result = await executeCheck(unit, kind, [], { clock: systemClock, logger });

    if (result.outcome === 'error') {
      if (global.json)
        ctx.stdout.write(`${JSON.stringify({ unit: unit.id, outcome: 'error', error: result.message })}\n`);
      else ctx.stderr.write(`upkeep run: upkeep could not run ${unit.id}: ${result.message}\n`);
      return 2;
    }
    const { observation, verdict } = result;
    if (global.json) {
      ctx.stdout.write(`${JSON.stringify({ unit: unit.id, target: unit.target, observation, verdict }, null, 2)}\n`);
    } else {
      const c = colours(ctx.stdout, ctx.env);
      ctx.stdout.write(`${c('bold', unit.id)}  ${unit.target}\n`);
      ctx.stdout.write(`${c(stateColour(verdict.outcome), verdict.outcome.toUpperCase())}  ${verdict.summary}\n`);
      if (observation.failure)
        ctx.stdout.write(`failure: ${observation.failure.reason}: ${observation.failure.message}\n`);
      if (verdict.conditions.length > 0) {
        const rows = verdict.conditions.map((x) => [
          x.passed ? c('green', 'pass') : c(stateColour(x.severity), x.severity),
          x.condition,
          x.actual ?? '',
        ]);
        ctx.stdout.write(`\n${table(['RESULT', 'CONDITION', 'ACTUAL'], rows)}\n`);
      }
      const values = Object.entries(verdict.values);
      if (values.length > 0) ctx.stdout.write(`\n${values.map(([k, v]) => `${k}=${v}`).join('  ')}\n`);
    }
    return verdict.outcome === 'ok' ? 0 : 1;
  },
};
