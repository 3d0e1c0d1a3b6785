/** The CLI never guesses silently: extra arguments and unknown options are named usage errors; a plan may be an argument. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { commandLoaders } from './main.js';
import { runCli } from './test-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'upkeep-args-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// The working directory has no upkeep.yml: a command that ignored its argument would fail to find one.
const cwd = mkdtempSync(join(dir, 'cwd-'));
const plan = join(dir, 'myplan.yml');
writeFileSync(plan, 'version: 1\napps:\n  bakery:\n    checks:\n      web: { tcp: "127.0.0.1:9", every: 1m }\n');
const other = join(dir, 'other.yml');
writeFileSync(other, 'version: 1\napps: {}\n');
const opts = { cwd, env: {} };

describe('arguments', () => {
  it('`upkeep check FILE` checks FILE, as --plan FILE would', async () => {
    const byArg = await runCli(['check', plan, '--json'], opts);
    const byOption = await runCli(['check', '--plan', plan, '--json'], opts);
    assert.equal(byArg.code, 0, byArg.err);
    assert.deepEqual(JSON.parse(byArg.out), JSON.parse(byOption.out));
    assert.equal(JSON.parse(byArg.out).plan, plan);
    assert.deepEqual(
      JSON.parse(byArg.out).units.map((u: { id: string }) => u.id),
      ['bakery/web'],
    );
    // Relative to the working directory, like --plan.
    const relative = await runCli(['check', '../myplan.yml', '--json'], opts);
    assert.equal(JSON.parse(relative.out).plan, plan);
  });

  it('the plan given both ways is a usage error naming both', async () => {
    const { code, err } = await runCli(['check', plan, '--plan', other], opts);
    assert.equal(code, 2);
    assert.match(err, /the plan is given twice \("\S+myplan\.yml" and --plan \S+other\.yml\): give it once/);
    const start = await runCli(['start', plan, '--plan', other], opts);
    assert.equal(start.code, 2);
    assert.match(start.err, /the plan is given twice/);
  });

  it('an unexpected argument is a usage error (exit 2) that names it', async () => {
    const cases: [string[], RegExp][] = [
      [['check', plan, 'extra.yml'], /unexpected argument "extra\.yml": upkeep check takes one argument, the plan/],
      [['status', 'shop'], /unexpected argument "shop": upkeep status takes no arguments/],
      [['schema', 'x'], /unexpected argument "x": upkeep schema takes no arguments/],
      [['run', 'shop/a', 'shop/b'], /unexpected argument "shop\/b": upkeep run takes at most 1 argument/],
      [['notify', 'test', 'mail', 'slack'], /unexpected argument "slack": upkeep notify takes at most 2/],
      [['init', 'shop'], /unexpected argument "shop"/],
    ];
    for (const [args, message] of cases) {
      const { code, err, out } = await runCli(args, opts);
      assert.equal(code, 2, args.join(' '));
      assert.match(err, message, args.join(' '));
      assert.match(err, /Usage: upkeep /, 'the usage follows');
      assert.equal(out, '', 'nothing else was done');
    }
  });

  it('an unknown option is a usage error (exit 2) that names it, for every command', async () => {
    for (const name of Object.keys(commandLoaders)) {
      const { code, err } = await runCli([name, '--no-such-option'], opts);
      assert.equal(code, 2, name);
      assert.match(err, new RegExp(`^upkeep ${name}: Unknown option '--no-such-option'`), name);
    }
  });

  it('exec still takes its command after --', async () => {
    const { code } = await runCli(['exec', 'http://127.0.0.1:9/ping/x', '--', 'true', 'a', 'b'], opts);
    assert.equal(code, 0);
  });
});
