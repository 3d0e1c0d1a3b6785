/**
 * `upkeep reload`: tells the running `upkeep start` to load its plan again, and prints what it did.
 *
 * It finds the server through its listen record (src/web/listen-record.ts) and sends it SIGHUP, rather than calling
 * `POST /api/plan/reload`: the API needs an operator token once accounts are enforced, while a signal needs only
 * what this terminal already has (the same user on the same machine as the data directory). The server records
 * the result in the store (src/control/plan-reload.ts), which this command waits for and prints.
 */
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Command } from '../cli/command.js';
import type { MetaTable } from '../store/schema.js';
import { runningListeners } from '../web/listen-record.js';
import { withStore } from './cli-store.js';
import { RELOAD_KEY_PREFIX, type ReloadResult } from './plan-reload.js';

const WAIT_MS = 15_000;

export const reloadCommand: Command = {
  name: 'reload',
  summary: 'Reload the plan of the running `upkeep start` (a plan with errors is refused; the old one keeps running)',
  usage:
    '[--data-dir .upkeep] [--json]\n\n' +
    'Sends SIGHUP to the `upkeep start` of this data directory on this machine and prints the result.\n' +
    'From another machine, call POST /api/plan/reload with an operator token instead.',
  options: {},
  async run({ global }, ctx) {
    return withStore(global, async (store) => {
      const here = (await runningListeners(store.database, Date.now())).filter((l) => l.host === hostname());
      if (here.length === 0) {
        ctx.stderr.write(
          'upkeep reload: no running `upkeep start` found for this store on this machine: start one, or call ' +
            'POST /api/plan/reload on the server that runs it\n',
        );
        return 1;
      }
      const db = store.database.db as unknown as Kysely<{ upkeep_meta: MetaTable }>;
      const sentAt = Date.now();
      const results: { worker: string; result: (ReloadResult & { at: number }) | undefined }[] = [];
      for (const listener of here) {
        process.kill(listener.pid, 'SIGHUP');
        results.push({ worker: listener.worker, result: undefined });
      }
      const deadline = sentAt + WAIT_MS;
      while (results.some((r) => r.result === undefined) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        for (const r of results.filter((x) => x.result === undefined)) {
          const row = await db
            .selectFrom('upkeep_meta')
            .select('value')
            .where('key', '=', `${RELOAD_KEY_PREFIX}${r.worker}`)
            .executeTakeFirst();
          const parsed = row ? (JSON.parse(row.value) as ReloadResult & { at: number }) : undefined;
          if (parsed && parsed.at >= sentAt - 1_000) r.result = parsed;
        }
      }
      if (global.json)
        ctx.stdout.write(
          `${JSON.stringify(
            results.map((r) => r.result ?? null),
            null,
            2,
          )}\n`,
        );
      let code = 0;
      for (const { result } of results) {
        if (result === undefined) {
          if (!global.json) ctx.stderr.write(`upkeep reload: the server did not answer within ${WAIT_MS / 1000}s\n`);
          code = Math.max(code, 1);
        } else if (!result.ok) {
          if (!global.json)
            ctx.stderr.write(
              `${result.error}\n${result.issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`).join('\n')}\n`,
            );
          code = 2;
        } else if (!global.json) {
          ctx.stdout.write(
            `plan reloaded: ${result.added.length} added, ${result.removed.length} removed, ${result.changed.length} changed\n` +
              [...result.added.map((id) => `  + ${id}`), ...result.removed.map((id) => `  - ${id}`)]
                .concat(result.changed.map((id) => `  ~ ${id}`))
                .map((l) => `${l}\n`)
                .join(''),
          );
        }
      }
      return code;
    });
  },
};
