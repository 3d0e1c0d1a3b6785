/** `upkeep init`: writes a commented upkeep.yml guessed from package.json and the variable NAMES in .env. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { parseEnvNames, renderInitPlan } from './init-plan.js';

export const initCommand: Command = {
  name: 'init',
  summary: 'Write a commented upkeep.yml guessed from package.json and the names in .env (never their values)',
  usage: '[--plan upkeep.yml] [--name app-name] [--timezone Asia/Kolkata] [--force] [--stdout]',
  options: {
    name: { type: 'string' },
    timezone: { type: 'string' },
    force: { type: 'boolean' },
    stdout: { type: 'boolean' },
  },
  async run({ values, global }, ctx) {
    // The app lives where its plan goes: read package.json and .env from there.
    const appDir = dirname(global.plan);
    const packageJson = readJson(join(appDir, 'package.json'));
    const envNames = ['.env', '.env.example', '.env.local']
      .map((f) => join(appDir, f))
      .filter((f) => existsSync(f))
      .flatMap((f) => parseEnvNames(readFileSync(f, 'utf8')));
    const appName =
      (values.name as string | undefined) ??
      (typeof packageJson?.name === 'string' ? packageJson.name.replace(/^@[^/]+\//, '') : basename(appDir));
    const text = renderInitPlan({
      appName,
      packageJson: packageJson ?? undefined,
      envNames: [...new Set(envNames)],
      timezone: values.timezone as string | undefined,
    });
    if (values.stdout) {
      ctx.stdout.write(text);
      return 0;
    }
    if (existsSync(global.plan) && !values.force) {
      throw new UsageError(`${global.plan} exists; pass --force to overwrite it or --stdout to print the plan instead`);
    }
    writeFileSync(global.plan, text, { flag: values.force ? 'w' : 'wx' });
    ctx.stdout.write(
      `wrote ${global.plan} for app "${appName}"${envNames.length ? ` (saw ${envNames.length} variable name(s) in .env; no values copied)` : ''}\n` +
        'next: edit it, then `upkeep check` to validate and `upkeep start` to run it\n',
    );
    return 0;
  },
};

function readJson(path: string): Record<string, unknown> | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}
