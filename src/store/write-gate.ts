/**
 * One queue of write transactions per SQLite file in this process.
 *
 * better-sqlite3 is synchronous: when one connection holds the write lock across an `await` (a Kysely transaction)
 * and a second connection to the same file in the same process tries to write, SQLite's busy handler sleeps the only
 * thread, the first transaction can never finish, and the second gets SQLITE_BUSY after busy_timeout. Serialising
 * writers per file in-process avoids that; other processes are still handled by busy_timeout.
 */

const tails = new Map<string, Promise<unknown>>();

/** Runs `fn` after every earlier write queued on `key`; an undefined key (PostgreSQL) runs at once. */
export async function withWriteGate<T>(key: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (key === undefined) return fn();
  const previous = tails.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  // The queue continues whether this write succeeded or not; its own caller sees the rejection.
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  try {
    return await run;
  } finally {
    if (tails.get(key) === tail) tails.delete(key);
  }
}
