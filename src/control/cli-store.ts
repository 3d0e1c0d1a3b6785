/** Shared by control's CLI commands: the store they open, and who the CLI user is (the author of what they do). */
import { userInfo } from 'node:os';
import pino from 'pino';
import type { GlobalOptions } from '../cli/command.js';
import { createStore, type KyselyStore } from '../runs/kysely-store.js';

/** Opens and migrates the store of `global`, runs `fn`, closes it. */
export async function withStore<T>(global: GlobalOptions, fn: (store: KyselyStore) => Promise<T>): Promise<T> {
  const store = await createStore({
    dataDir: global.dataDir,
    databaseUrl: global.databaseUrl,
    logger: pino({ level: 'silent' }),
  });
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The author of an override made from a terminal: `cli:<login name>`. */
export function cliAuthor(env: Readonly<Record<string, string | undefined>>): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    name = env.USER ?? env.LOGNAME;
  }
  return `cli:${name || 'unknown'}`;
}
