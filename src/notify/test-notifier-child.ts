/**
 * A notifier in its own process for notifier-restart.test.ts: opens the store given as JSON in argv[2], plans the
 * waiting transitions and claims rows with a channel whose send never finishes, printing `claimed <id>` per row, so
 * the test can kill it with SIGKILL in the middle of sending.
 */

import { systemClock } from '../schedule/clock.js';
import { openDatabase } from '../store/database.js';
import type { ChannelKind } from './channel.js';
import { webhookChannel } from './channels/webhook.js';
import { Notifier } from './notifier.js';
import { silent, TEST_CHANNEL_KEY, testPlan } from './test-notify.js';

const [where, base] = process.argv.slice(2) as [string, string];

const hanging: ChannelKind<unknown, unknown> = {
  ...(webhookChannel as unknown as ChannelKind<unknown, unknown>),
  async send(_config, rendered) {
    process.stdout.write(`claimed ${JSON.stringify(rendered).length}\n`);
    return new Promise(() => {}); // never settles: the process dies first.
  },
};

const notifier = new Notifier({
  database: openDatabase(JSON.parse(where) as { dataDir?: string; databaseUrl?: string }),
  plan: testPlan(base),
  clock: systemClock,
  logger: silent,
  worker: `child-${process.pid}`,
  baseUrl: 'http://127.0.0.1:8080',
  channelKey: TEST_CHANNEL_KEY,
  kinds: [hanging],
  concurrency: 2,
  claimMs: 1_000,
});
void notifier.tick();
