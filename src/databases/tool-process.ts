/** Runs a PostgreSQL client tool as a child process: stderr read line by line, its exit awaited, kill on abort. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

/** How a tool run ended, with the stderr lines worth showing (errors, warnings, details), scrubbed by the caller. */
export interface ToolExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The tool's notable stderr lines (its verbose progress lines left out), at most ~4 KB, newest kept. */
  stderr: string;
}

/** A started tool: its process and the promise of its exit (resolves, never rejects: spawn errors become code -1). */
export interface ToolRun {
  child: ChildProcessWithoutNullStreams;
  exit: Promise<ToolExit>;
}

const NOTABLE = /error|warning|detail|hint|fatal|could not|failed|terminat|unsupported/i;
const STDERR_KEEP = 4096;

/**
 * Spawns `path args` with `env` added to this process's environment; every stderr line goes to `onLine` (for
 * progress), notable ones are kept for the error message. The child is SIGTERMed when `signal` aborts.
 */
export function runTool(
  path: string,
  args: string[],
  env: Record<string, string>,
  options: { signal?: AbortSignal; onLine?: (line: string) => void } = {},
): ToolRun {
  const child = spawn(path, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let kept = '';
  let partial = '';
  const take = (line: string) => {
    options.onLine?.(line);
    if (NOTABLE.test(line)) {
      kept = `${kept}${line}\n`;
      if (kept.length > STDERR_KEEP) kept = kept.slice(kept.length - STDERR_KEEP);
    }
  };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) take(line);
  });
  // Writing to a tool that already exited raises EPIPE on stdin; the exit code tells the real story.
  child.stdin.on('error', () => {});
  const onAbort = () => child.kill('SIGTERM');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const exit = new Promise<ToolExit>((resolve) => {
    child.once('error', (err) => {
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ code: -1, signal: null, stderr: `${kept}${path}: ${err.message}` });
    });
    child.once('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (partial) take(partial);
      resolve({ code, signal, stderr: kept.trim() });
    });
  });
  return { child, exit };
}

/** `exited 1` or `was killed by SIGKILL`, for messages. */
export function describeExit(exit: ToolExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited ${exit.code}`;
}
