/**
 * Test helpers for recovery from the files alone: the old machine's backup and its loss, commands on the new machine,
 * damaging archives, and the output a person must see.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../cli/test-cli.js';

/** Writes a copy of `from` at `to` with 16 bytes flipped in the middle. */
export function flipMiddle(from: string, to: string): void {
  const bytes = readFileSync(from);
  const at = Math.floor(bytes.length / 2);
  for (let i = at; i < Math.min(at + 16, bytes.length); i++) bytes[i] = (bytes[i] as number) ^ 0xff;
  writeFileSync(to, bytes);
}

/** Writes the first 60% of `from` at `to` (an upload or copy cut short). */
export function truncated(from: string, to: string): void {
  const bytes = readFileSync(from);
  writeFileSync(to, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
}

/** A failure said to a person: a message naming the command, never a stack trace. */
export function assertPlainError(err: string, pattern: RegExp): void {
  assert.match(err, pattern);
  assert.doesNotMatch(err, /\n\s+at [\w.<]+ \(|node:internal/, 'no stack trace');
}

/** The path a `file ...` line of a printed record names (`file:/dir/name` → `/dir/name`). */
export function printedFile(out: string): string {
  const line = /^file {5}(\S+)$/m.exec(out)?.[1];
  assert.ok(line, `a file line in:\n${out}`);
  return line.replace(/^file:/, '');
}

/** The new machine of a recovery test: `fresh` is its folder, `identity` the only thing it knows. */
export interface NewMachine {
  fresh: string;
  identity: string;
}

/**
 * A command on the new machine: no plan, a fresh data directory (unless `args` name one), only the identity in the
 * environment; the identity is never printed.
 */
export async function runOnNewMachine(machine: NewMachine, args: string[], env: Record<string, string> = {}) {
  const dataDir = args.includes('--data-dir') ? [] : ['--data-dir', join(machine.fresh, '.upkeep')];
  const r = await runCli([...args, ...dataDir], {
    env: { UPKEEP_BACKUP_IDENTITY: machine.identity, ...env },
    cwd: machine.fresh,
  });
  assert.ok(!r.out.includes(machine.identity) && !r.err.includes(machine.identity), 'the identity is never printed');
  return r;
}

/**
 * On the old machine in `home`: writes the plan, backs up each of `databases`, then the disaster: the store and the
 * plan are deleted and only the backup folders are kept. Returns the archives' paths, in the order of `databases`.
 */
export async function backupThenLoseStore(
  home: string,
  plan: string[],
  env: Record<string, string>,
  databases: string[],
): Promise<string[]> {
  writeFileSync(join(home, 'upkeep.yml'), plan.join('\n'));
  const archives: string[] = [];
  for (const database of databases) {
    const r = await runCli(['backup', database, '--data-dir', join(home, '.upkeep')], { env, cwd: home });
    assert.equal(r.code, 0, r.err);
    archives.push(printedFile(r.out));
  }
  rmSync(join(home, '.upkeep'), { recursive: true, force: true });
  rmSync(join(home, 'upkeep.yml'));
  return archives;
}
