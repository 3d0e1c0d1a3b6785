/** Test helper: runs the CLI in-process with its own environment and captures what it prints. */
import { PassThrough, Readable } from 'node:stream';
import type { CliContext } from './command.js';
import { main } from './main.js';

export interface CaptureOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Makes stderr look like a terminal (progress bars draw only there). */
  tty?: boolean;
  /** What the command reads on stdin (`--password-stdin`). */
  stdin?: string;
}

/** A CLI context whose output the test reads; the stop signal never fires. */
export function captureContext(opts: CaptureOptions = {}) {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: opts.tty ?? false, columns: 120 });
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  const ctx: CliContext = {
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
    stdout,
    stderr,
    stdin: opts.stdin === undefined ? undefined : Readable.from([opts.stdin]),
    stopSignal: new Promise(() => {}),
  };
  return { ctx, out: () => out, err: () => err };
}

/** Runs `upkeep <args>` in-process and returns the exit code and output. */
export async function runCli(args: string[], opts: CaptureOptions = {}) {
  const { ctx, out, err } = captureContext(opts);
  const code = await main(args, ctx);
  return { code, out: out(), err: err() };
}
