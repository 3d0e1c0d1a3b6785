/** `upkeep user add|list|remove|passwd`: manage who signs in to the dashboard and the API, from a terminal. */
import type { CliContext, Command, ParsedArgs } from '../cli/command.js';
import { UsageError } from '../cli/command.js';
import { table } from '../cli/output.js';
import { addUser, normaliseEmail, parseRole, removeUser, setPassword } from './accounts.js';
import { recordAudit } from './audit.js';
import { cliActor, readPasswordStdin, withAccounts } from './cli-support.js';

const USAGE = [
  'add <email> --role admin|operator|viewer --password-stdin',
  '       upkeep user list [--json]',
  '       upkeep user remove <email>',
  '       upkeep user passwd <email> --password-stdin',
  '',
  'Passwords are read from stdin only (never arguments, which show in ps and shell history) and hashed with argon2id.',
  '`user passwd` ends every session of that user.',
].join('\n');

type Action = (args: ParsedArgs, email: string | undefined, ctx: CliContext) => Promise<number>;

const ACTIONS: Record<string, Action> = { list: listUsers, add: addOne, remove: removeOne, passwd: changePassword };

export const userCommand: Command = {
  name: 'user',
  summary: 'Add, list, remove users or set their password (`user add <email> --role admin --password-stdin`)',
  usage: USAGE,
  maxPositionals: 2,
  options: { role: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
  async run(args, ctx) {
    const [action, email] = args.positionals;
    const run = action !== undefined && Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
    if (!run)
      throw new UsageError(
        action === undefined
          ? 'say what to do: add, list, remove or passwd'
          : `unknown action "${action}": use add, list, remove or passwd`,
      );
    return run(args, email, ctx);
  },
};

async function listUsers({ global }: ParsedArgs, _email: string | undefined, ctx: CliContext): Promise<number> {
  const users = await withAccounts(global, ctx, (a) => a.store.listUsers());
  if (global.json) ctx.stdout.write(`${JSON.stringify(users, null, 2)}\n`);
  else if (users.length === 0)
    ctx.stdout.write('no users yet: `upkeep start` prints a setup link, or run `upkeep user add`\n');
  else
    ctx.stdout.write(
      `${table(
        ['EMAIL', 'ROLE', '2FA', 'CREATED'],
        users.map((u) => [u.email, u.role, u.totp ? 'on' : 'off', new Date(u.createdAt).toISOString()]),
      )}\n`,
    );
  return 0;
}

async function addOne({ values, global }: ParsedArgs, email: string | undefined, ctx: CliContext): Promise<number> {
  const address = needEmail('add', email);
  if (values.role === undefined) throw new UsageError('give the role: --role admin|operator|viewer');
  const role = parseRoleOrUsage(values.role as string);
  const password = await readPasswordStdin(ctx, Boolean(values['password-stdin']));
  const user = await withAccounts(global, ctx, async (a) => {
    const added = await addUser(a, { email: address, role, password });
    await recordAudit(a.store.database, {
      actor: cliActor(),
      action: 'user.add',
      target: added.email,
      detail: { role },
    });
    return added;
  });
  ctx.stdout.write(global.json ? `${JSON.stringify(user, null, 2)}\n` : `added ${user.email} (${user.role})\n`);
  return 0;
}

async function removeOne({ global }: ParsedArgs, email: string | undefined, ctx: CliContext): Promise<number> {
  const address = needEmail('remove', email);
  await withAccounts(global, ctx, async (a) => {
    const user = await a.store.userByEmail(address);
    if (!user) throw new UsageError(`no user ${address}: see \`upkeep user list\``);
    await removeUser(a, user.id);
    await recordAudit(a.store.database, { actor: cliActor(), action: 'user.remove', target: address });
  });
  ctx.stdout.write(`removed ${address} (their sessions ended)\n`);
  return 0;
}

async function changePassword(
  { values, global }: ParsedArgs,
  email: string | undefined,
  ctx: CliContext,
): Promise<number> {
  const address = needEmail('passwd', email);
  const password = await readPasswordStdin(ctx, Boolean(values['password-stdin']));
  await withAccounts(global, ctx, async (a) => {
    const user = await a.store.userByEmail(address);
    if (!user) throw new UsageError(`no user ${address}: see \`upkeep user list\``);
    await setPassword(a, user.id, password);
    await recordAudit(a.store.database, { actor: cliActor(), action: 'user.password', target: address });
  });
  ctx.stdout.write(`password of ${address} changed; their sessions ended\n`);
  return 0;
}

function needEmail(action: string, email: string | undefined): string {
  if (email === undefined) throw new UsageError(`name the user: upkeep user ${action} <email>`);
  try {
    return normaliseEmail(email);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The role, or a usage error listing the roles. */
export function parseRoleOrUsage(text: string) {
  try {
    return parseRole(text);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
