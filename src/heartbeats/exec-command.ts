/**
 * `upkeep exec <heartbeat> -- <command...>`: runs a command as a heartbeat's job, for crontab lines. Sends a start
 * ping (with a rid), runs the command with stdin inherited and stdout/stderr passed through, then pings its exit
 * status with the last ~10 KB of its output. Exits with the command's exit code; a ping that fails only warns.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants } from 'node:os';
import pino from 'pino';
import type { CliContext, Command, GlobalOptions } from '../cli/command.js';
import { UsageError } from '../cli/command.js';
import { resolveUnit } from '../plan/address.js';
import { createStore } from '../runs/kysely-store.js';
import { pingBaseUrl } from '../web/listen-record.js';
import { HeartbeatStore } from './heartbeat-store.js';
import { pingUrl } from './ping-request.js';

/** How much of the command's output goes with the end ping. */
const TAIL_BYTES = 10 * 1024;
/** Per attempt; the job is never held up long by an unreachable upkeep. */
const PING_TIMEOUT_MS = 10_000;
const PING_ATTEMPTS = 3;

export const execCommand: Command = {
  name: 'exec',
  summary: 'Run a command as a heartbeat job: ping start, run it, ping its exit status with the end of its output',
  usage:
    '<app/heartbeat | ping URL> [--url http://127.0.0.1:8080] -- <command> [args...]\n\n' +
    'The heartbeat is looked up in the store (--data-dir / UPKEEP_DATABASE_URL); its URL is built on --url,\n' +
    'UPKEEP_PUBLIC_URL, where the running `upkeep start` listens, or http://UPKEEP_HOST:UPKEEP_PORT.\n' +
    'A full ping URL needs no store. Exits with the command’s code.',
  maxPositionals: Number.POSITIVE_INFINITY, // the command after --
  options: { url: { type: 'string' } },
  async run({ values, positionals, global }, ctx) {
    const [target, ...command] = positionals;
    if (!target || command.length === 0) {
      throw new UsageError('name a heartbeat and a command, e.g. `upkeep exec shop/nightly-backup -- ./backup.sh`');
    }
    const url = await heartbeatUrl(target, values.url as string | undefined, global, ctx).catch((err: Error) => {
      warn(ctx, `cannot find the ping URL of "${target}", running without pings: ${err.message}`);
      return undefined;
    });
    const rid = randomUUID();
    const started = url ? sendPing(`${url}/start?rid=${rid}`, '', ctx) : Promise.resolve();
    const { code, tail } = await runCommand(command, ctx);
    await started;
    if (url) await sendPing(`${url}/${Math.min(code, 255)}?rid=${rid}`, tail, ctx);
    return code;
  },
};

/** The ping URL of `target`: itself when it is a URL, else the heartbeat's token from the store on a base URL. */
async function heartbeatUrl(
  target: string,
  urlOption: string | undefined,
  global: GlobalOptions,
  ctx: CliContext,
): Promise<string> {
  if (/^https?:\/\//i.test(target)) return target.replace(/\/+$/, '');
  const store = createStore({
    dataDir: global.dataDir,
    databaseUrl: global.databaseUrl,
    logger: pino({ level: 'silent' }),
  });
  try {
    const units = (await store.listUnits()).filter((u) => u.kind === 'heartbeat');
    const unit = resolveUnit(units, target);
    const token = (await new HeartbeatStore(store.database).tokens()).get(unit.id);
    if (token === undefined) throw new Error(`${unit.id} has no token yet; start upkeep with the plan once`);
    return pingUrl(await pingBaseUrl(store.database, ctx.env, urlOption, Date.now()), token);
  } finally {
    await store.close();
  }
}

/** Runs the command, teeing its output, and returns its exit code (128 + signal when killed) and output tail. */
function runCommand(command: string[], ctx: CliContext): Promise<{ code: number; tail: string }> {
  const tail = new OutputTail(TAIL_BYTES);
  return new Promise((resolve) => {
    const child = spawn(command[0] as string, command.slice(1), { stdio: ['inherit', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => {
      ctx.stdout.write(chunk);
      tail.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      ctx.stderr.write(chunk);
      tail.push(chunk);
    });
    // Ctrl-C or a kill aimed at upkeep reaches the job too, and its exit is reported like any other.
    void ctx.stopSignal.then((signal) => child.kill(signal as NodeJS.Signals));
    child.on('error', (err: NodeJS.ErrnoException) => {
      const message = `upkeep exec: cannot run ${command[0]}: ${err.message}\n`;
      ctx.stderr.write(message);
      tail.push(Buffer.from(message));
      // 127 / 126 as a shell reports a missing or non-executable command.
      resolve({ code: err.code === 'ENOENT' ? 127 : 126, tail: tail.text() });
    });
    child.on('close', (code, signal) => {
      const signalled = signal ? 128 + (constants.signals[signal] ?? 0) : 1;
      resolve({ code: code ?? signalled, tail: tail.text() });
    });
  });
}

/** The last `limit` bytes of a stream of chunks. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  private cut = false;

  constructor(private readonly limit: number) {}

  /** Adds a chunk, dropping the oldest bytes beyond the limit. */
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 0) {
      const first = this.chunks[0] as Buffer;
      const over = this.size - this.limit;
      this.cut = true;
      if (first.length <= over) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(over);
        this.size -= over;
      }
    }
  }

  /** The kept output as text, marked when earlier output was cut. */
  text(): string {
    const text = new TextDecoder('utf-8').decode(Buffer.concat(this.chunks));
    return this.cut ? `[earlier output cut; last ${this.limit} bytes follow]\n${text}` : text;
  }
}

/** Sends one ping with retries; failures only warn (the job's exit code is what matters). */
async function sendPing(url: string, body: string, ctx: CliContext): Promise<void> {
  let last = '';
  for (let attempt = 1; attempt <= PING_ATTEMPTS; attempt++) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        signal: AbortSignal.timeout(PING_TIMEOUT_MS),
      });
      await res.text();
      if (res.ok) return;
      last = `HTTP ${res.status}`;
      // 4xx will not get better by retrying: a wrong token or URL.
      if (res.status < 500) break;
    } catch (err) {
      last = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message;
    }
    if (attempt < PING_ATTEMPTS) await new Promise((r) => setTimeout(r, 500 * attempt));
  }
  warn(ctx, `ping ${redactToken(url)} failed: ${last}`);
}

function redactToken(url: string): string {
  return url.replace(/\/ping\/([A-Za-z0-9_-]{4})[A-Za-z0-9_-]+/, '/ping/$1…');
}

function warn(ctx: CliContext, message: string): void {
  ctx.stderr.write(`upkeep exec: warning: ${message}\n`);
}
