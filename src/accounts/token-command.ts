/** `upkeep token create|list|revoke`: API tokens for scripts (`Authorization: Bearer <token>`). */
import type { CliContext, Command, GlobalOptions, ParsedArgs } from '../cli/command.js';
import { UsageError } from '../cli/command.js';
import { table } from '../cli/output.js';
import { createToken } from './accounts.js';
import { recordAudit } from './audit.js';
import { cliActor, withAccounts } from './cli-support.js';
import { parseRoleOrUsage } from './user-command.js';

const USAGE = [
  'create --name ci --role viewer|operator|admin [--json]',
  '       upkeep token list [--json]',
  '       upkeep token revoke <name|id>',
  '',
  'The token is printed once, when it is created: only its hash is stored. Scripts send it as',
  '`Authorization: Bearer <token>`.',
].join('\n');

export const tokenCommand: Command = {
  name: 'token',
  summary: 'Create, list or revoke API tokens (`token create --name ci --role operator` prints the token once)',
  usage: USAGE,
  maxPositionals: 2,
  options: { name: { type: 'string' }, role: { type: 'string' } },
  async run({ values, positionals, global }, ctx) {
    const [action, ref] = positionals;
    if (action === 'create' && ref === undefined) return createOne(values, global, ctx);
    if (action === 'list' && ref === undefined) return listTokens(global, ctx);
    if (action === 'revoke' && ref !== undefined) return revokeOne(ref, global, ctx);
    throw new UsageError('use `token create --name <name> --role <role>`, `token list` or `token revoke <name|id>`');
  },
};

async function createOne(values: ParsedArgs['values'], global: GlobalOptions, ctx: CliContext): Promise<number> {
  if (typeof values.name !== 'string') throw new UsageError('name the token: --name ci');
  if (typeof values.role !== 'string') throw new UsageError('give the role: --role viewer|operator|admin');
  const role = parseRoleOrUsage(values.role);
  const name = values.name;
  const created = await withAccounts(global, ctx, async (a) => {
    const made = await createToken(a, { name, role, createdBy: null });
    await recordAudit(a.store.database, {
      actor: cliActor(),
      action: 'token.create',
      target: made.record.name,
      detail: { id: made.id, role },
    });
    return made;
  });
  if (global.json) ctx.stdout.write(`${JSON.stringify({ ...created.record, token: created.token }, null, 2)}\n`);
  else {
    ctx.stderr.write(`token "${created.record.name}" (${role}, id ${created.id}); it is shown only now:\n`);
    ctx.stdout.write(`${created.token}\n`);
  }
  return 0;
}

async function listTokens(global: GlobalOptions, ctx: CliContext): Promise<number> {
  const tokens = await withAccounts(global, ctx, (a) => a.store.listTokens());
  const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString());
  if (global.json) ctx.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
  else if (tokens.length === 0)
    ctx.stdout.write('no tokens: create one with `upkeep token create --name ci --role viewer`\n');
  else
    ctx.stdout.write(
      `${table(
        ['ID', 'NAME', 'ROLE', 'CREATED', 'LAST USED', 'REVOKED'],
        tokens.map((t) => [t.id, t.name, t.role, iso(t.createdAt), iso(t.lastUsedAt), iso(t.revokedAt)]),
      )}\n`,
    );
  return 0;
}

async function revokeOne(ref: string, global: GlobalOptions, ctx: CliContext): Promise<number> {
  const revoked = await withAccounts(global, ctx, async (a) => {
    const live = (await a.store.findTokens(ref)).filter((t) => t.revokedAt === null);
    if (live.length === 0)
      throw new UsageError(`no unrevoked token named or with id "${ref}": see \`upkeep token list\``);
    if (live.length > 1)
      throw new UsageError(
        `${live.length} tokens are named "${ref}": revoke one by id (${live.map((t) => t.id).join(', ')})`,
      );
    const token = live[0] as (typeof live)[number];
    await a.store.revokeToken(token.id, Date.now());
    await recordAudit(a.store.database, { actor: cliActor(), action: 'token.revoke', target: token.id });
    return token;
  });
  ctx.stdout.write(`revoked token "${revoked.name}" (${revoked.id})\n`);
  return 0;
}
