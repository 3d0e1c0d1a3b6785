/**
 * A separate process for sqlite-store.test.ts: opens the SQLite store in argv[2] as worker argv[3] once argv[4]
 * workers are ready, claims and records due runs until none are left, and prints the unit ids it claimed as JSON.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createStore } from './kysely-store.js';

const [dataDir, worker, workers] = process.argv.slice(2) as [string, string, string];

// Open first so that opening is not part of the race.
const store = createStore({ dataDir, busyTimeoutMs: 20_000 });
// Start together: without this barrier the first process (tsx warm-up differs) could claim everything alone.
writeFileSync(join(dataDir, `ready-${worker}`), '');
const deadline = Date.now() + 30_000;
while (readdirSync(dataDir).filter((f) => f.startsWith('ready-')).length < Number(workers)) {
  if (Date.now() > deadline) throw new Error(`${worker}: the other workers never became ready`);
  await sleep(1);
}
const NOW = 1_000_000;
const claimed: string[] = [];
try {
  for (;;) {
    const claims = await store.claimDue({
      now: NOW,
      limit: 3,
      worker,
      leaseMs: () => 60_000,
      nextRunAt: () => NOW + 3_600_000,
    });
    // No claim can mean another process won the race for these units: stop only when nothing is due any more.
    if (claims.length === 0 && ((await store.nextDueAt()) ?? Number.POSITIVE_INFINITY) > NOW) break;
    for (const claim of claims) {
      claimed.push(claim.unitId);
      const ok = await store.recordRun(
        {
          unitId: claim.unitId,
          startedAt: NOW,
          endedAt: NOW + 5,
          outcome: 'ok',
          summary: 'ok',
          durationMs: 5,
          details: null,
          values: {},
          worker,
        },
        { state: 'ok', since: NOW, consecutiveFailures: 0, consecutiveSuccesses: 1 },
        null,
      );
      if (!ok) throw new Error(`${worker} lost its claim on ${claim.unitId}`);
    }
    // Yield between batches, as a real worker does while probing, so both processes stay in the race.
    await sleep(1);
  }
} finally {
  await store.close();
}
process.stdout.write(JSON.stringify(claimed));
