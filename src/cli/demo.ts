/**
 * `upkeep demo` (what `npm start` runs): starts the bundled sample app on 127.0.0.1, runs examples/demo.yml against
 * it, and makes the app misbehave on a timetable, so a newcomer sees checks run and an alert fire within a minute.
 */
import { join } from 'node:path';
import { packageFile } from '../package-root.js';
import { formatDuration, parseDuration } from '../plan/duration.js';
import { type Command, UsageError } from './command.js';
import { colours } from './output.js';
import { graceOption, startApp, stopApp } from './start.js';

const DEMO_PLAN = packageFile('examples/demo.yml');

/** The demo's script by default: when to break the sample app and when to mend it (after start). */
const BREAK_AFTER = '20s';
const MEND_AFTER = '75s';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Run upkeep against the bundled sample app, which fails for a while so you see an alert fire',
  usage: '[--port 8080] [--data-dir .upkeep] [--break-after 20s] [--mend-after 75s] [--no-script]',
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    grace: { type: 'string' },
    drain: { type: 'string' }, // the older name of --grace
    'no-script': { type: 'boolean' },
    'break-after': { type: 'string' },
    'mend-after': { type: 'string' },
  },
  async run({ values, global }, ctx) {
    const graceMs = graceOption(values, ctx.env);
    const breakAtMs = scriptTime(values['break-after'], BREAK_AFTER, '--break-after');
    const mendAtMs = scriptTime(values['mend-after'], MEND_AFTER, '--mend-after');
    if (mendAtMs <= breakAtMs) throw new UsageError('--mend-after must be later than --break-after');
    // Loaded here, not at the top: the sample app brings Express, which no other command needs.
    const { startSampleApp } = await import('../../examples/sample-app/server.js');
    const sample = await startSampleApp({ host: '127.0.0.1', port: 0 });
    const c = colours(ctx.stdout, ctx.env);
    ctx.stdout.write(
      `${c('bold', 'sample app')} listening on ${sample.url} (POST ${sample.url}/admin/... to make it misbehave)\n`,
    );
    const env = { ...ctx.env, SAMPLE_APP_URL: sample.url, SAMPLE_APP_HOSTPORT: sample.hostPort };
    const timers: NodeJS.Timeout[] = [];
    try {
      const app = await startApp(
        { ...global, plan: global.planGiven ? global.plan : DEMO_PLAN, dataDir: join(global.dataDir, 'demo') },
        values,
        { ...ctx, env },
      );
      if (!values['no-script']) {
        const say = (text: string) => ctx.stdout.write(`${c('cyan', 'demo:')} ${text}\n`);
        say(
          `in ${formatDuration(breakAtMs)} the sample app will start failing its health check; watch it go pending → firing`,
        );
        timers.push(
          setTimeout(() => {
            sample.sample.switches.failing = true;
            say('the sample app now answers 503 {status: error, database: disconnected}');
          }, breakAtMs),
          setTimeout(() => {
            sample.sample.switches.failing = false;
            say('the sample app is healthy again; watch the alert resolve');
          }, mendAtMs),
        );
      }
      const signal = await ctx.stopSignal;
      return await stopApp(app, signal, graceMs, ctx);
    } finally {
      for (const t of timers) clearTimeout(t);
      await sample.close();
    }
  },
};

function scriptTime(value: unknown, fallback: string, flag: string): number {
  const text = typeof value === 'string' ? value : fallback;
  const ms = parseDuration(text);
  if (ms === undefined) throw new UsageError(`${flag} takes a duration such as 20s or 2m, not "${text}"`);
  return ms;
}
