/** Loading the plan for a command, with the error a person needs when there is none. */
import { existsSync } from 'node:fs';
import { type LoadedPlan, loadPlan } from '../plan/load-plan.js';
import type { CliContext } from './command.js';
import { UsageError } from './command.js';

/** Loads and validates the plan at `path`; a missing file is a usage error that points to `upkeep init`. */
export async function readPlan(path: string, ctx: CliContext): Promise<LoadedPlan> {
  if (!existsSync(path)) {
    throw new UsageError(
      `no plan at ${path}: write one with \`upkeep init\`, or pass --plan <file> (or set UPKEEP_PLAN)`,
    );
  }
  return loadPlan(path, { env: ctx.env });
}
