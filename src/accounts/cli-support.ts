/** What the `user` and `token` commands share: the migrated store, the audit actor, and reading a password from stdin. */
import { userInfo } from 'node:os';
import pino from 'pino';
import type { CliContext, GlobalOptions } from '../cli/command.js';
import { UsageError } from '../cli/command.js';
import { loadChannelKey } from '../notify/channel-key.js';
import { createStore } from '../runs/kysely-store.js';
import { type AccountsContext, AccountsError, accountsContext } from './accounts.js';
import { deriveAccountsKey, MAX_PASSWORD_LENGTH } from './secrets.js';

/** Runs `fn` with the accounts of the store (migrated first), closing it after; refusals become usage errors. */
export async function withAccounts<T>(
  global: GlobalOptions,
  ctx: CliContext,
  fn: (accounts: AccountsContext) => Promise<T>,
): Promise<T> {
  const store = createStore({
    dataDir: global.dataDir,
    databaseUrl: global.databaseUrl,
    logger: pino({ level: 'silent' }),
  });
  try {
    await store.migrate();
    const accounts = accountsContext(store.database, {
      now: Date.now,
      totpKey: () => loadChannelKey(global.dataDir, ctx.env).then(deriveAccountsKey),
    });
    return await fn(accounts);
  } catch (err) {
    if (err instanceof AccountsError && err.status < 500) throw new UsageError(err.message);
    throw err;
  } finally {
    await store.close();
  }
}

/** Who the audit log names for a terminal action. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** The password piped on stdin (one trailing newline dropped), or a usage error saying how to pass it. */
export async function readPasswordStdin(ctx: CliContext, given: boolean): Promise<string> {
  if (!given || !ctx.stdin)
    throw new UsageError(
      'pass the password on stdin with --password-stdin, e.g. `printf \'%s\' "$PASSWORD" | upkeep user add ...` (never as an argument: it would show in ps and shell history)',
    );
  let text = '';
  for await (const chunk of ctx.stdin) {
    text += chunk.toString();
    if (text.length > MAX_PASSWORD_LENGTH + 2) break;
  }
  const password = text.replace(/\r?\n$/, '');
  if (password.length === 0) throw new UsageError('no password on stdin: pipe one in with --password-stdin');
  return password;
}
