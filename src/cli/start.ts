/** `upkeep start`: the scheduler and the HTTP server, until SIGINT/SIGTERM (which drains in-flight runs). */
import pino from 'pino';
import { type App, createApp } from '../app.js';
import { formatDuration, parseDuration } from '../plan/duration.js';
import { redactUrl } from '../store/database.js';
import type { CliContext, Command, GlobalOptions } from './command.js';
import { UsageError } from './command.js';
import { colours, stateColour } from './output.js';
import { readPlan } from './plan-input.js';

/**
 * How long in-flight runs may finish after a stop is asked for before they are recorded abandoned. Container
 * runtimes send SIGKILL 10 s after SIGTERM: 8 s leaves room to record the abandoned runs and close the store.
 */
const GRACE_DEFAULT = '8s';

export const startCommand: Command = {
  name: 'start',
  summary: 'Run the plan: schedule checks, record results and alert states, serve /healthz and the API',
  usage:
    '[upkeep.yml | --plan upkeep.yml] [--host 127.0.0.1] [--port 8080] [--concurrency 64] [--grace 8s] [--quiet]\n' +
    '       [--trust-proxy true|<hops>|<addresses>]\n\n' +
    'With no user yet, a one-time setup link (valid 1 h) is printed; it creates the first admin.\n' +
    'Behind a reverse proxy, --trust-proxy (or UPKEEP_TRUST_PROXY) makes client IPs and https come from X-Forwarded-*.\n' +
    'On SIGTERM or SIGINT, runs in flight get the grace period (--grace, or UPKEEP_STOP_GRACE) to finish; those still\n' +
    'running are then recorded abandoned (upkeep stopped, not the target failing). A second signal exits at once.',
  planArgument: true,
  options: {
    grace: { type: 'string' },
    drain: { type: 'string' }, // the older name of --grace
    host: { type: 'string' },
    port: { type: 'string' },
    concurrency: { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
    'trust-proxy': { type: 'string' },
  },
  async run({ values, global }, ctx) {
    const graceMs = graceOption(values, ctx.env);
    const app = await startApp(global, values, ctx);
    // SIGHUP reloads the plan (as `upkeep reload` and POST /api/plan/reload do); a bad plan leaves the old one running.
    const onHangup = () => void reloadAndTell(app, ctx);
    process.on('SIGHUP', onHangup);
    try {
      const signal = await ctx.stopSignal;
      return await stopApp(app, signal, graceMs, ctx);
    } finally {
      process.off('SIGHUP', onHangup);
    }
  },
};

/** Builds and starts upkeep, printing where it listens and, unless quiet, each state change as it happens. */
export async function startApp(
  global: GlobalOptions,
  values: Record<string, string | boolean | undefined>,
  ctx: CliContext,
): Promise<App> {
  const port = Number((values.port as string | undefined) ?? ctx.env.UPKEEP_PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0-65535, not "${values.port}"`);
  const concurrency = Number((values.concurrency as string | undefined) ?? 64);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new UsageError('--concurrency must be a whole number >= 1');
  const plan = await readPlan(global.plan, ctx); // a friendly error for a missing plan before anything is opened
  const c = colours(ctx.stdout, ctx.env);
  const trustProxy = parseTrustProxy((values['trust-proxy'] as string | undefined) ?? ctx.env.UPKEEP_TRUST_PROXY);
  const host = (values.host as string | undefined) ?? ctx.env.UPKEEP_HOST ?? '127.0.0.1';
  const logger = pino({ level: ctx.env.UPKEEP_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const app = await createApp({
    planPath: global.plan,
    plan,
    env: ctx.env,
    dataDir: global.dataDir,
    databaseUrl: global.databaseUrl,
    host,
    port,
    trustProxy,
    concurrency,
    logger,
    onRecorded: values.quiet
      ? undefined
      : (unit, run, change) => {
          const time = new Date(run.endedAt).toISOString().slice(11, 19);
          if (change) {
            const to = c(stateColour(change.to), change.severity ? `${change.to} (${change.severity})` : change.to);
            ctx.stdout.write(`${time}  ${unit.id}  ${change.from} → ${to}  ${change.reason}\n`);
          } else if (ctx.env.UPKEEP_VERBOSE) {
            ctx.stdout.write(`${time}  ${unit.id}  ${c(stateColour(run.outcome), run.outcome)}  ${run.summary}\n`);
          }
        },
  });
  let url: string;
  let setupUrl: string | undefined;
  try {
    ({ url, setupUrl } = await app.start());
  } catch (err) {
    await app.stop(0);
    if ((err as { code?: string }).code === 'EADDRINUSE') {
      throw new UsageError(
        `port ${port} is already in use: pass --port <n> (or set UPKEEP_PORT), or stop what uses it`,
      );
    }
    throw err;
  }
  const store = global.databaseUrl ? redactUrl(global.databaseUrl) : `${global.dataDir} (SQLite)`;
  ctx.stdout.write(
    `${c('bold', 'upkeep')} is running ${app.plan.units.length} check(s) from ${global.plan}\n` +
      `  API      ${url}/api/units   health ${url}/healthz\n  store    ${store}\n` +
      '  state changes are printed below; Ctrl-C stops\n\n',
  );
  if (setupUrl) {
    ctx.stdout.write(
      `${c('bold', 'No user yet.')} Open this link within 1 h to create the first admin (it works once):\n` +
        `  ${setupUrl}\n  or run: upkeep user add <email> --role admin --password-stdin\n\n`,
    );
    const warning = exposureWarning(host, Number(new URL(url).port), ctx.env.UPKEEP_PUBLIC_URL);
    if (warning) logger.warn(warning);
  }
  return app;
}

/** The trust-proxy setting from its text: `true`, a hop count, or addresses/CIDRs (comma-separated). */
export function parseTrustProxy(text: string | undefined): boolean | number | string {
  const value = text?.trim() ?? '';
  if (value === '' || /^(false|no|off)$/i.test(value)) return false;
  if (/^(true|yes|on)$/i.test(value)) return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/** What a non-loopback listener exposes before any user exists and without https, or undefined when it is fine. */
export function exposureWarning(host: string, port: number, publicUrl: string | undefined): string | undefined {
  const loopback = host === 'localhost' || host === '::1' || /^127\./.test(host);
  if (loopback || publicUrl?.startsWith('https://')) return undefined;
  return (
    `upkeep listens on ${host}:${port} with no user yet and no https public URL (UPKEEP_PUBLIC_URL): anyone who ` +
    'reaches this port gets /healthz, the status pages, the ping endpoints and the sign-in page (creating the admin ' +
    'needs the printed link); passwords and session cookies would cross the network unencrypted. Create the admin now, ' +
    'and put upkeep behind an https reverse proxy (see docs/accounts.md)'
  );
}

/** Reloads the plan and prints what changed, or why the plan was refused (the running plan stays). */
export async function reloadAndTell(app: App, ctx: CliContext): Promise<void> {
  try {
    const result = await app.reload();
    if (result.ok) {
      const list = (ids: string[]) => (ids.length > 0 ? ` (${ids.join(', ')})` : '');
      ctx.stdout.write(
        `plan reloaded: ${result.added.length} added${list(result.added)}, ${result.removed.length} removed${list(
          result.removed,
        )}, ${result.changed.length} changed${list(result.changed)}\n`,
      );
    } else {
      const lines = result.issues.map((i) => `  ${i.file}:${i.line}:${i.column}: ${i.message}`).join('\n');
      ctx.stderr.write(`${result.error}\n${lines}\n`);
    }
  } catch (err) {
    ctx.stderr.write(`plan reload failed inside upkeep (the running plan stays): ${(err as Error).message}\n`);
  }
}

/** The grace period in ms: --grace (or its older name --drain), else UPKEEP_STOP_GRACE, else 8s. */
export function graceOption(
  values: Record<string, string | boolean | undefined>,
  env: Readonly<Record<string, string | undefined>>,
): number {
  if (values.grace !== undefined && values.drain !== undefined)
    throw new UsageError('give the grace period once: --drain is the older name of --grace');
  const [from, text] =
    values.grace !== undefined
      ? ['--grace', values.grace as string]
      : values.drain !== undefined
        ? ['--drain', values.drain as string]
        : env.UPKEEP_STOP_GRACE
          ? ['UPKEEP_STOP_GRACE', env.UPKEEP_STOP_GRACE]
          : ['--grace', GRACE_DEFAULT];
  const ms = text === '0' ? 0 : parseDuration(text);
  if (ms === undefined) throw new UsageError(`${from} takes a duration such as 8s or 500ms, not "${text}"`);
  return ms;
}

/** Drains and stops, printing which runs finished and which were recorded abandoned. */
export async function stopApp(app: App, signal: string, graceMs: number, ctx: CliContext): Promise<number> {
  const inFlight = app.scheduler.status().inFlight.length;
  ctx.stdout.write(
    inFlight > 0
      ? `\n${signal}: stopping, ${inFlight} in-flight run(s) get ${formatDuration(graceMs)} to finish (a second signal exits at once)...\n`
      : `\n${signal}: stopping...\n`,
  );
  const { finished, abandoned } = await app.stop(graceMs);
  ctx.stdout.write(
    `stopped: ${finished.length} in-flight run(s) finished, ${abandoned.length} recorded as abandoned${
      abandoned.length ? ` (${abandoned.join(', ')})` : ''
    }\n`,
  );
  return 0;
}
