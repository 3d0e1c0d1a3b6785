/** A child process for the kill -9 test: runs one slow backup and says "writing" once bytes reach the target. */
import { ManualClock } from '../schedule/clock.js';
import { runBackup } from './run-backup.js';
import { localTarget } from './target.js';
import { fakeAdapter, openSqliteCatalog, silentLogger } from './test-support.js';

const args = JSON.parse(process.env.UPKEEP_BACKUP_CHILD ?? '{}') as { dataDir: string; dir: string; recipient: string };
const { catalog } = await openSqliteCatalog(args.dataDir);
let told = false;
await runBackup({
  adapter: fakeAdapter({ collections: { events: 1_000_000 }, chunkDelayMs: 20 }),
  url: 'mongodb://127.0.0.1:1/shop',
  source: { app: 'shop', database: 'main' },
  targets: [localTarget(args.dir)],
  recipients: [args.recipient],
  catalog,
  clock: new ManualClock(Date.UTC(2026, 3, 1)),
  logger: silentLogger,
  progress: (p) => {
    if (!told && p.bytes > 100_000) {
      told = true;
      process.stdout.write('writing\n');
    }
  },
});
process.stdout.write('finished\n');
