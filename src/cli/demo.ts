/**
 * `upkeep demo` (what `npm start` runs): starts the bundled sample app on 127.0.0.1, runs examples/demo.yml against
 * it, and makes the app misbehave on a timetable, so a newcomer sees checks run and an alert fire within a minute.
 */
import { join } from 'node:path';
import { startSampleApp } from '../../examples/sample-app/server.js';
import { packageFile } from '../package-root.js';
import type { Command } from './command.js';
import { colours } from './output.js';
import { drainOption, startApp, stopApp } from './start.js';

const DEMO_PLAN = packageFile('examples/demo.yml');

/** The demo's script: when to break the sample app and when to mend it (ms after start). */
const BREAK_AT_MS = 20_000;
const MEND_AT_MS = 75_000;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Run upkeep against the bundled sample app, which fails for a while so you see an alert fire',
  usage: '[--port 8080] [--data-dir .upkeep] [--no-script]',
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    drain: { type: 'string' },
    'no-script': { type: 'boolean' },
  },
  async run({ values, global }, ctx) {
    const sample = await startSampleApp({ host: '127.0.0.1', port: 0 });
    const c = colours(ctx.stdout, ctx.env);
    ctx.stdout.write(
      `${c('bold', 'sample app')} listening on ${sample.url} (POST ${sample.url}/admin/... to make it misbehave)\n`,
    );
    const env = { ...ctx.env, SAMPLE_APP_URL: sample.url, SAMPLE_APP_HOSTPORT: sample.hostPort };
    const timers: NodeJS.Timeout[] = [];
    try {
      const app = await startApp(
        { ...global, plan: ctx.env.UPKEEP_PLAN ? global.plan : DEMO_PLAN, dataDir: join(global.dataDir, 'demo') },
        values,
        { ...ctx, env },
      );
      if (!values['no-script']) {
        const say = (text: string) => ctx.stdout.write(`${c('cyan', 'demo:')} ${text}\n`);
        say(
          `in ${BREAK_AT_MS / 1000}s the sample app will start failing its health check; watch it go pending → firing`,
        );
        timers.push(
          setTimeout(() => {
            sample.sample.switches.failing = true;
            say('the sample app now answers 503 {status: error, database: disconnected}');
          }, BREAK_AT_MS),
          setTimeout(() => {
            sample.sample.switches.failing = false;
            say('the sample app is healthy again; watch the alert resolve');
          }, MEND_AT_MS),
        );
      }
      const signal = await ctx.stopSignal;
      return await stopApp(app, signal, drainOption(values), ctx);
    } finally {
      for (const t of timers) clearTimeout(t);
      await sample.close();
    }
  },
};
