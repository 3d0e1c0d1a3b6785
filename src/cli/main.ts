/** The `upkeep` command line: parses global options, dispatches to one command file, maps errors to exit codes. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PlanError } from '../plan/plan-error.js';
import { StoreError } from '../store/errors.js';
import { VERSION } from '../version.js';
import type { CliContext, Command, GlobalOptions } from './command.js';
import { UsageError } from './command.js';

/**
 * Every command, loaded only when it runs: each brings its own dependencies (the web server, database drivers,
 * notification channels), and `upkeep exec` in a crontab line should not pay for all of them.
 */
export const commandLoaders: Readonly<Record<string, () => Promise<Command>>> = {
  init: async () => (await import('./init.js')).initCommand,
  check: async () => (await import('./check.js')).checkCommand,
  run: async () => (await import('./run.js')).runCommand,
  status: async () => (await import('./status.js')).statusCommand,
  start: async () => (await import('./start.js')).startCommand,
  schema: async () => (await import('./schema.js')).schemaCommand,
  demo: async () => (await import('./demo.js')).demoCommand,
  exec: async () => (await import('../heartbeats/exec-command.js')).execCommand,
  notify: async () => (await import('../notify/notify-command.js')).notifyCommand,
  backup: async () => (await import('../backups/backup-command.js')).backupCommand,
  backups: async () => (await import('../backups/backups-command.js')).backupsCommand,
  verify: async () => (await import('../backups/verify-command.js')).verifyCommand,
  restore: async () => (await import('../backups/restore-command.js')).restoreCommand,
  user: async () => (await import('../accounts/user-command.js')).userCommand,
  token: async () => (await import('../accounts/token-command.js')).tokenCommand,
  reload: async () => (await import('../control/reload-command.js')).reloadCommand,
  override: async () => (await import('../control/override-command.js')).overrideCommand,
  pause: async () => (await import('../control/override-command.js')).pauseCommand,
  resume: async () => (await import('../control/override-command.js')).resumeCommand,
  silence: async () => (await import('../control/override-command.js')).silenceCommand,
};

const GLOBAL_OPTIONS = {
  plan: { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    ctx.stdout.write(await helpText());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === 'version') {
    ctx.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const load = Object.hasOwn(commandLoaders, name) ? commandLoaders[name] : undefined;
  if (!load) {
    ctx.stderr.write(`upkeep: unknown command "${name}"\n\n${await helpText()}`);
    return 2;
  }
  const command = await load();
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      ctx.stdout.write(commandHelp(command));
      return 0;
    }
    const planArg = checkPositionals(command, positionals, values.plan as string | undefined);
    const global: GlobalOptions = {
      plan: resolve(ctx.cwd, planArg ?? (values.plan as string | undefined) ?? ctx.env.UPKEEP_PLAN ?? 'upkeep.yml'),
      planGiven: planArg !== undefined || values.plan !== undefined || Boolean(ctx.env.UPKEEP_PLAN),
      dataDir: resolve(ctx.cwd, (values['data-dir'] as string | undefined) ?? ctx.env.UPKEEP_DATA_DIR ?? '.upkeep'),
      databaseUrl: ctx.env.UPKEEP_DATABASE_URL || undefined,
      json: Boolean(values.json),
    };
    return await command.run({ values, positionals: planArg === undefined ? positionals : [], global }, ctx);
  } catch (err) {
    return reportError(err, command, ctx);
  }
}

/**
 * Refuses what the command would otherwise ignore: an argument beyond those it takes is named in a usage error.
 * Returns the plan given as the argument of a command that takes one (`upkeep check FILE`).
 */
function checkPositionals(command: Command, positionals: string[], planOption: string | undefined): string | undefined {
  const max = command.planArgument ? 1 : (command.maxPositionals ?? 0);
  const extra = positionals[max];
  if (extra !== undefined) {
    const takes =
      max === 0
        ? 'takes no arguments'
        : command.planArgument
          ? 'takes one argument, the plan'
          : `takes at most ${max} argument(s)`;
    throw new UsageError(`unexpected argument "${extra}": upkeep ${command.name} ${takes}`);
  }
  const plan = command.planArgument ? positionals[0] : undefined;
  if (plan !== undefined && planOption !== undefined) {
    throw new UsageError(`the plan is given twice ("${plan}" and --plan ${planOption}): give it once`);
  }
  return plan;
}

function reportError(err: unknown, command: Command, ctx: CliContext): number {
  if (err instanceof PlanError) {
    ctx.stderr.write(`${err.format()}\n`);
    return 2;
  }
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    // parseArgs' advice about `--` concerns positionals that start with a dash, not a mistyped option.
    const message = (err as Error).message.replace(/\. To specify a positional argument starting with .*$/s, '');
    ctx.stderr.write(`upkeep ${command.name}: ${message}\n\n${commandHelp(command)}`);
    return 2;
  }
  if (err instanceof StoreError) {
    // upkeep's own storage failed: say so plainly; this says nothing about the apps being watched.
    ctx.stderr.write(`upkeep ${command.name}: upkeep's store failed: ${err.message}\n`);
    return 2;
  }
  ctx.stderr.write(`upkeep ${command.name}: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return 2;
}

/** The overview: loads every command for its summary (help is rare; running a command loads only that one). */
async function helpText(): Promise<string> {
  const commands = await Promise.all(Object.values(commandLoaders).map((load) => load()));
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `upkeep ${VERSION} — maintenance autopilot for web apps`,
    '',
    'Usage: upkeep <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options for every command:',
    '  --plan <file>       the plan (default ./upkeep.yml, or UPKEEP_PLAN)',
    '  --data-dir <dir>    the embedded store (default ./.upkeep, or UPKEEP_DATA_DIR);',
    '                      UPKEEP_DATABASE_URL=postgres://... uses PostgreSQL instead',
    '  --json              machine-readable output',
    '  -h, --help          help for a command',
    '',
    'Exit codes: 0 success/healthy, 1 what was checked failed, 2 bad usage or bad plan.',
    '',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return `Usage: upkeep ${command.name} ${command.usage}\n\n${command.summary}\n`;
}

function processContext(): CliContext {
  const stopSignal = new Promise<string>((resolveStop) => {
    const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
    const first = (sig: NodeJS.Signals) => {
      for (const s of SIGNALS) process.off(s, first);
      for (const s of SIGNALS) process.once(s, second);
      resolveStop(sig);
    };
    // The person (or the container runtime) asked twice: stop waiting for in-flight work. Runs cut short this way
    // are recorded abandoned by the next start (or, on PostgreSQL, by another worker once their lease ends).
    const second = (sig: NodeJS.Signals) => {
      process.stderr.write(`\n${sig} again: exiting now without waiting for in-flight runs\n`);
      process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
    };
    for (const s of SIGNALS) process.on(s, first);
  });
  return {
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    stopSignal,
  };
}
