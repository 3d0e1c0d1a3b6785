/** `upkeep backup` to several targets (PostgreSQL source): the copies printed, a failed one named and exit 1. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../cli/test-cli.js';
import { freshPostgresDatabase, postgresSkipReason, sql } from '../store/test-database.js';

const skip = postgresSkipReason();

describe('upkeep backup to several targets (PostgreSQL)', { skip }, () => {
  let dir: string;
  let source: { url: string; drop(): Promise<void> };

  const cli = (args: string[]) =>
    runCli([...args, '--data-dir', join(dir, '.upkeep')], { env: { SRC_URL: source.url }, cwd: dir });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upkeep-backup-targets-cli-'));
    source = await freshPostgresDatabase();
    await sql(source.url, 'create table t (id int); insert into t select generate_series(1, 50);');
    writeFileSync(join(dir, 'not-a-folder'), 'x');
    writeFileSync(
      join(dir, 'upkeep.yml'),
      [
        'version: 1',
        'apps:',
        '  shop:',
        '    databases:',
        '      both:',
        '        postgres: ${SRC_URL}',
        '        backup: { schedule: daily, to: [file:./one, file:./two], verify: false }',
        '      half:',
        '        postgres: ${SRC_URL}',
        '        backup: { schedule: daily, to: [file:./not-a-folder/x, file:./kept], verify: false }',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'twice.yml'),
      [
        'version: 1',
        'apps:',
        '  shop:',
        '    databases:',
        '      twice:',
        '        postgres: ${SRC_URL}',
        '        backup: { schedule: daily, to: [file:./one, ./one/], verify: false }',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await source?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('both targets written and checked: exit 0, the record lists both copies', async () => {
    const r = await cli(['backup', 'both']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^state {4}checked$/m);
    assert.match(
      r.out,
      new RegExp(`^copies\\n {2}file:${join(dir, 'one')} checked\\n {2}file:${join(dir, 'two')} checked$`, 'm'),
    );
    assert.equal(readdirSync(join(dir, 'one')).length, 1);
    assert.deepEqual(readdirSync(join(dir, 'two')), readdirSync(join(dir, 'one')));
  });

  it('one target failing: exit 1 naming it, the other copy kept and listed', async () => {
    const r = await cli(['backup', 'half']);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      new RegExp(
        `^upkeep backup: copy on file:${join(dir, 'not-a-folder', 'x')} failed: cannot create the backup directory`,
        'm',
      ),
    );
    assert.match(r.out, new RegExp(`^ {2}file:${join(dir, 'kept')} checked$`, 'm'));
    assert.equal(readdirSync(join(dir, 'kept')).length, 1);
    const json = JSON.parse((await cli(['backups', 'shop/half', '--json'])).out) as {
      backups: { copies: { state: string }[] }[];
    };
    assert.deepEqual(
      json.backups[0]?.copies.map((c) => c.state),
      ['failed', 'checked'],
    );
  });

  it('verify <id> reads back every copy: a damaged one is marked failed on its own, the backup stays checked', async () => {
    const listed = JSON.parse((await cli(['backups', 'shop/both', '--json'])).out) as {
      backups: { id: string; file: string }[];
    };
    const { id, file } = listed.backups[0] as { id: string; file: string };
    const damaged = join(dir, 'two', file);
    const bytes = readFileSync(damaged);
    bytes[Math.floor(bytes.length / 2)] = (bytes[Math.floor(bytes.length / 2)] as number) ^ 0xff;
    writeFileSync(damaged, bytes);
    const r = await cli(['verify', id.slice(0, 8)]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^state {4}checked$/m);
    const after = JSON.parse((await cli(['backups', 'shop/both', '--json'])).out) as {
      backups: { copies: { state: string; reason: string | null }[] }[];
    };
    assert.deepEqual(
      after.backups[0]?.copies.map((c) => c.state),
      ['checked', 'failed'],
    );
    assert.match(after.backups[0]?.copies[1]?.reason ?? '', /damaged|authenticat|checksum/i);
  });

  it('a location listed twice is a plan error (exit 2) naming its line and column', async () => {
    const r = await cli(['backup', 'twice', '--plan', 'twice.yml']);
    assert.equal(r.code, 2);
    assert.match(r.err, /twice\.yml:7:53: backup location "\.\/one\/" is listed twice in backup\.to/);
  });
});
