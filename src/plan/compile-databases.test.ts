import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { defaultAlertAfterMs } from './compile-databases.js';
import { PlanError, parsePlan } from './load-plan.js';

const ENV = {
  MONGODB_URI: 'mongodb://app:hunter2@127.0.0.1:27017/kirana',
  DATABASE_URL: 'postgres://app:s3cret@127.0.0.1:5432/shop',
  UPKEEP_BACKUP_IDENTITY: 'AGE-SECRET-KEY-1QQQQ',
  S3_WITH_KEYS: 's3://AKIAEXAMPLE:wJalrXUtnFEMI@my-backups/shop',
};
const DAY = 86_400_000;

function load(databases: string) {
  return parsePlan(`version: 1\ntimezone: Asia/Kolkata\napps:\n  shop:\n    databases:\n${databases}`, {
    file: 'plans/upkeep.yml',
    env: ENV,
  });
}

function problems(databases: string, checks = ''): string[] {
  try {
    parsePlan(`version: 1\napps:\n  shop:\n${checks}    databases:\n${databases}`, { file: 'upkeep.yml', env: ENV });
  } catch (error) {
    if (error instanceof PlanError) return error.format().split('\n');
    throw error;
  }
  return [];
}

describe('databases: compile to backup plans and units', () => {
  it('a full backup entry gives three units with redacted targets, long timeouts and one-failure policies', () => {
    const loaded = load(`      main:
        mongodb: \${MONGODB_URI}
        backup:
          schedule: daily 02:00
          keep: { daily: 7, weekly: 4, monthly: 12 }
          encrypt: { recipients: [age1abc], identity: \${UPKEEP_BACKUP_IDENTITY} }
          to: file:./backups
          verify: daily 04:00
          alertAfter: 36h
`);
    assert.deepEqual(
      loaded.units.map((u) => [u.id, u.name, u.kind, u.schedule.text, u.timeoutMs, u.policy.failureThreshold]),
      [
        ['shop/main.backup', 'main.backup', 'backup', 'daily 02:00', 2 * 3_600_000, 1],
        ['shop/main.drill', 'main.drill', 'drill', 'daily 04:00', 2 * 3_600_000, 1],
        ['shop/main.freshness', 'main.freshness', 'backup-freshness', 'every 1h', 60_000, 1],
      ],
    );
    assert.equal(loaded.units[0]?.target, 'mongodb mongodb://app:***@127.0.0.1:27017/kirana → file:./backups');
    for (const unit of loaded.units) {
      assert.ok(!unit.target.includes('hunter2'), unit.target);
      assert.ok(!unit.target.includes('AGE-SECRET'), unit.target);
    }
    const [plan] = loaded.backups;
    assert.ok(plan);
    assert.equal(plan.id, 'shop/main');
    assert.equal(plan.engine, 'mongodb');
    assert.equal(plan.url, ENV.MONGODB_URI);
    assert.equal(plan.encrypt?.identity, ENV.UPKEEP_BACKUP_IDENTITY);
    assert.deepEqual(plan.keep, { daily: 7, weekly: 4, monthly: 12 });
    assert.equal(plan.alertAfterMs, 36 * 3_600_000);
    assert.equal(plan.baseDir, resolve('plans'));
    assert.equal(plan.schedule.kind === 'cron' && plan.schedule.timezone, 'Asia/Kolkata');
    // The units carry the plan as their spec: the job kinds read everything from it.
    assert.equal(loaded.units[1]?.spec, plan);
  });

  it('defaults: verify weekly, alertAfter two verify periods plus a day, keep last 3 + 7d/4w/12m', () => {
    const loaded = load(
      '      pg:\n        postgres: ${DATABASE_URL}\n        backup: { schedule: daily 03:00, to: /srv/b }\n',
    );
    const [plan] = loaded.backups;
    assert.equal(plan?.engine, 'postgres');
    assert.equal(plan?.verify?.text, 'weekly');
    assert.equal(plan?.alertAfterMs, 15 * DAY);
    assert.equal(defaultAlertAfterMs(DAY), 3 * DAY);
    assert.deepEqual(plan?.keep, { last: 3, daily: 7, weekly: 4, monthly: 12 });
    assert.equal(plan?.encrypt, undefined);
    assert.equal(loaded.units.length, 3);
  });

  it('verify: false means no drill and no freshness unit', () => {
    const loaded = load(
      '      pg:\n        postgres: x\n        backup: { schedule: daily, to: file:b, verify: false }\n',
    );
    assert.deepEqual(
      loaded.units.map((u) => u.id),
      ['shop/pg.backup'],
    );
    assert.equal(loaded.backups[0]?.alertAfterMs, null);
  });

  it('an hourly backup gets a timeout of half its period by default', () => {
    const loaded = load(
      '      pg:\n        postgres: x\n        backup: { schedule: hourly, to: file:b, timeout: 20m }\n',
    );
    assert.equal(loaded.units[0]?.timeoutMs, 20 * 60_000);
    const dflt = load('      pg:\n        postgres: x\n        backup: { schedule: every 1h, to: file:b }\n');
    assert.equal(dflt.units[0]?.timeoutMs, 30 * 60_000);
  });

  it('a database without backup has no units', () => {
    assert.deepEqual(load('      pg: { postgres: x, stats: daily }\n').units, []);
  });

  it('errors name line:col and say what to write', () => {
    assert.deepEqual(
      problems('      pg:\n        postgres: x\n        backup: { schedule: daily, to: b, timeout: 2d }\n'),
      [
        'upkeep.yml:7:52: the timeout must be shorter than the time between backups or drills (1d) (found 2d, expected a duration above 0 and below 1d)',
      ],
    );
    assert.deepEqual(
      problems('      pg:\n        postgres: x\n        backup: { schedule: daily, to: b, alertAfter: 3d }\n'),
      [
        'upkeep.yml:7:55: alertAfter must be longer than the time between drills (7d), or it alerts between every two drills (found 3d, expected more than 7d, e.g. 15d)',
      ],
    );
    assert.deepEqual(
      problems(
        '      pg:\n        postgres: x\n        backup: { schedule: daily, to: b, verify: false, alertAfter: 3d }\n',
      ),
      [
        'upkeep.yml:7:70: alertAfter counts from the last restore drill, but verify is false (found 3d, expected a verify schedule (e.g. verify: weekly), or no alertAfter)',
      ],
    );
    assert.deepEqual(
      problems(
        '      m:\n        mongodb: x\n        backup: { schedule: daily, to: b, scratch: "postgres://h/db" }\n',
      ),
      [
        'upkeep.yml:7:52: the drill server must be MongoDB too (found "postgres://h/db", expected mongodb://host:27017, or "source" for the source server)',
      ],
    );
    assert.deepEqual(
      problems('      m:\n        mongodb: x\n        backup: { schedule: daily, to: b, verify: sometimes }\n'),
      [
        'upkeep.yml:7:51: "sometimes" is not a schedule (found sometimes, expected every 5m, hourly, daily 02:00, weekly mon 03:00, monthly 1 04:00, quarterly, yearly, or a 5/6-field cron expression such as "0 3 * * 0")',
      ],
    );
  });

  it("a check named like a database's unit is refused", () => {
    assert.deepEqual(
      problems(
        '      m:\n        mongodb: x\n        backup: { schedule: daily, to: b }\n',
        '    checks:\n      m.drill: { tcp: "a:1" }\n',
      ),
      [
        'upkeep.yml:5:7: check "m.drill" clashes with the backup unit of database "m" (shop/m.drill) (expected another check name)',
      ],
    );
  });

  it('secret values never appear in errors', () => {
    const lines = problems(
      '      m:\n        mongodb: ${MONGODB_URI}\n        backup: { schedule: daily, to: b, scratch: ${DATABASE_URL} }\n',
    );
    assert.equal(lines.length, 1);
    assert.ok(!lines.join('\n').includes('s3cret'), lines.join('\n'));
    assert.match(lines[0] ?? '', /\$\{DATABASE_URL\}/);
  });

  it('an S3 location is checked at load: credentials in it, a bad bucket, an unknown option', () => {
    const lines = (to: string) => {
      try {
        parsePlan(
          `version: 1\napps:\n  shop:\n    databases:\n      m:\n        mongodb: \${MONGODB_URI}\n        backup: { schedule: daily, to: "\${S3_TO}", scratch: source }\n`,
          { file: 'upkeep.yml', env: { ...ENV, S3_TO: to } },
        );
      } catch (error) {
        if (error instanceof PlanError) return error.format();
        throw error;
      }
      return '';
    };
    const credentials = lines('s3://AKIAEXAMPLE:wJalrXUtnFEMI@my-backups/shop');
    assert.match(credentials, /upkeep\.yml:7:\d+: .*an s3:\/\/ URL carries no credentials; set AWS_ACCESS_KEY_ID/);
    assert.ok(!credentials.includes('wJalrXUtnFEMI'), credentials);
    assert.match(lines('s3://A/shop'), /is not a valid S3 location: write s3:\/\/<bucket>\/<prefix>/);
    assert.match(lines('s3://my-backups/shop?key=x'), /unknown option "key"/);
    assert.equal(lines('s3://my-backups/shop?region=eu-central-1'), '');
  });

  it('to: a single string is a list of one, and the unit reads as it always did', () => {
    const loaded = load(
      '      pg:\n        postgres: ${DATABASE_URL}\n        backup: { schedule: daily, to: file:./b }\n',
    );
    assert.deepEqual(loaded.backups[0]?.to, ['file:./b']);
    assert.equal(loaded.units[0]?.target, 'postgres postgres://app:***@127.0.0.1:5432/shop → file:./b');
  });

  it('to: a list of locations is kept in order and shown on the units', () => {
    const loaded = load(
      '      pg:\n        postgres: ${DATABASE_URL}\n        backup:\n          schedule: daily\n          to: [file:./backups, s3://my-backups/shop]\n',
    );
    assert.deepEqual(loaded.backups[0]?.to, ['file:./backups', 's3://my-backups/shop']);
    assert.equal(
      loaded.units[0]?.target,
      'postgres postgres://app:***@127.0.0.1:5432/shop → file:./backups, s3://my-backups/shop',
    );
    assert.equal(loaded.units[1]?.target, 'restore drill of file:./backups, s3://my-backups/shop (postgres)');
  });

  it('to: a location listed twice (the same directory written two ways, or the same bucket) is a plan error at the second', () => {
    const twice = problems(
      '      pg:\n        postgres: ${DATABASE_URL}\n        backup:\n          schedule: daily\n          to:\n            - file:./backups\n            - s3://b-1/shop\n            - ./backups/\n            - s3://b-1/shop/\n',
    );
    assert.deepEqual(twice, [
      `upkeep.yml:12:15: backup location "./backups/" is listed twice in backup.to (entry 1 already names file:${resolve('backups')}) (found ./backups/, expected each location once: remove the duplicate)`,
      'upkeep.yml:13:15: backup location "s3://b-1/shop/" is listed twice in backup.to (entry 2 already names s3://b-1/shop) (found s3://b-1/shop/, expected each location once: remove the duplicate)',
    ]);
  });

  it('to: each entry of a list is checked like a single one: a bad S3 location, an unknown scheme, an empty list', () => {
    const list = (to: string) =>
      problems(
        `      pg:\n        postgres: \${DATABASE_URL}\n        backup:\n          schedule: daily\n          to: ${to}\n`,
      );
    const credentials = list('[file:./b, "${S3_WITH_KEYS}"]');
    assert.equal(credentials.length, 1, credentials.join('\n'));
    assert.match(credentials[0] ?? '', /^upkeep\.yml:9:26: .*an s3:\/\/ URL carries no credentials/);
    assert.ok(!credentials.join('\n').includes('wJalrXUtnFEMI'), credentials.join('\n'));
    const scheme = list('[file:./b, ftp://host/x]');
    assert.equal(scheme.length, 1, scheme.join('\n'));
    assert.match(scheme[0] ?? '', /^upkeep\.yml:9:26: backup\.to "ftp:\.\.\." is not a known target/);
    const empty = problems(
      '      pg:\n        postgres: ${DATABASE_URL}\n        backup: { schedule: daily, to: [] }\n',
    );
    assert.equal(empty.length, 1, empty.join('\n'));
    assert.match(empty[0] ?? '', /^upkeep\.yml:7:\d+: /);
  });
});
