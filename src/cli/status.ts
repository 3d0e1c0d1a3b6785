/** `upkeep status`: the state of every unit, read from the store (works whether or not `upkeep start` runs). */
import pino from 'pino';
import { overrideRows } from '../control/override-command.js';
import { OverrideStore } from '../control/override-store.js';
import { HeartbeatStore } from '../heartbeats/heartbeat-store.js';
import { createStore } from '../runs/kysely-store.js';
import { heartbeatView, unitView } from '../runs/unit-view.js';
import { pingBaseUrl } from '../web/listen-record.js';
import type { Command } from './command.js';
import { colours, relativeTime, stateColour, table } from './output.js';

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show every unit with its alert state, last run and next run (exit 1 when any is firing)',
  usage:
    '[--data-dir .upkeep] [--url http://host:port] [--json]\n\n' +
    'Ping URLs are shown on --url, else UPKEEP_PUBLIC_URL, else where the running `upkeep start` listens.',
  options: { url: { type: 'string' } },
  async run({ values, global }, ctx) {
    const store = await createStore({
      dataDir: global.dataDir,
      databaseUrl: global.databaseUrl,
      logger: pino({ level: 'silent' }),
    });
    try {
      await store.migrate();
      // Heartbeat units show their ping URL on the base the running `upkeep start` uses (see pingBaseUrl).
      const tokens = await new HeartbeatStore(store.database).tokens();
      const base = await pingBaseUrl(store.database, ctx.env, values.url as string | undefined, Date.now());
      const units = (await store.listUnits()).map((r) => unitView(r, undefined, heartbeatView(tokens.get(r.id), base)));
      const failing = units.some((u) => u.state === 'firing');
      const overrides = await new OverrideStore(store.database).listActive(Date.now());
      if (global.json) {
        ctx.stdout.write(`${JSON.stringify({ units, overrides }, null, 2)}\n`);
        return failing ? 1 : 0;
      }
      if (units.length === 0) {
        ctx.stdout.write('No units recorded yet: run `upkeep start` (or `upkeep check` to see what the plan holds).\n');
        return 0;
      }
      const c = colours(ctx.stdout, ctx.env);
      const now = Date.now();
      const rows = units.map((u) => [
        u.app,
        u.name,
        c(stateColour(u.state), u.severity && u.state !== 'ok' ? `${u.state} (${u.severity})` : u.state),
        relativeTime(u.since, now),
        relativeTime(u.lastRunAt, now),
        relativeTime(u.nextRunAt, now),
        u.summary ?? '',
      ]);
      ctx.stdout.write(`${table(['APP', 'UNIT', 'STATE', 'SINCE', 'LAST RUN', 'NEXT RUN', 'SUMMARY'], rows)}\n`);
      if (overrides.length > 0)
        ctx.stdout.write(`\nActive overrides (upkeep override clear <id>):\n${overrideRows(overrides, now)}\n`);
      return failing ? 1 : 0;
    } finally {
      await store.close();
    }
  },
};
