/** The shape of a CLI command: one file each under src/cli, listed once in main.ts. */
import type { ParseArgsConfig } from 'node:util';

/** What a command may touch: injected so tests run commands in-process with their own streams and env. */
export interface CliContext {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** What the user pipes in (`--password-stdin`); absent in contexts that have none. */
  stdin?: NodeJS.ReadableStream;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); long-running commands wait on it. */
  stopSignal: Promise<string>;
}

/** Options every command takes. */
export interface GlobalOptions {
  plan: string;
  /** True when the plan was named (argument, --plan or UPKEEP_PLAN) rather than the ./upkeep.yml default. */
  planGiven: boolean;
  dataDir: string;
  databaseUrl?: string;
  json: boolean;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  global: GlobalOptions;
}

export interface Command {
  name: string;
  summary: string;
  /** Usage line(s) after `upkeep <name>`. */
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** How many positional arguments the command takes (default none): one more is a usage error that names it. */
  maxPositionals?: number;
  /** The command's only natural argument is the plan: `upkeep <name> FILE` means `--plan FILE`. */
  planArgument?: boolean;
  /** Returns the exit code: 0 success/healthy, 1 the thing checked failed, 2 bad usage or bad plan. */
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}

/** An error the user can fix by changing the command line or the plan: printed without a stack, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
