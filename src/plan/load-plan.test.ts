// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about the plan's own ${VAR} syntax.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import type { CheckKind } from '../checks/kind.js';
import { PlanError, parsePlan } from './load-plan.js';

const ENV = {
  SMTP_URL: 'smtp://ops:hunter2-very-secret@mail.example:587',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.example/T000/B000/XXXXSECRET',
  MONGODB_URI: 'mongodb://app:mongo-secret-pw@127.0.0.1:27017/kirana',
};

const DESIGN_PLAN = `version: 1
timezone: Asia/Kolkata            # schedules are read in this zone
notify:
  ops-mail:   { type: email, to: [ops@example.com], smtp: \${SMTP_URL} }
  team-slack: { type: slack, webhook: \${SLACK_WEBHOOK_URL} }
routes: { critical: [ops-mail, team-slack], warning: [team-slack] }

apps:
  kirana-market:
    checks:
      api-health:
        http: https://api.kirana.example/api/health
        every: 1m
        expect:
          status: 200
          body: { status: ok, database: connected }     # JSON subset
          responseTime: { warning: 500ms, critical: 2s }
          metrics:
            - { path: metrics.errorRate, warning: "> 1%", critical: "> 5%" }
      certificate: { tls: kirana.example:443, every: 12h, expect: { daysLeft: { warning: 21, critical: 7 } } }
      db-port: { tcp: "127.0.0.1:\${DB_PORT:-27017}", schedule: daily 02:00, timeout: 5s, alert: { failures: 3 } }
    databases:
      main:
        mongodb: \${MONGODB_URI}          # or postgres: \${DATABASE_URL}
        backup: { schedule: daily 02:00, keep: { daily: 7, weekly: 4, monthly: 12 },
                  encrypt: { recipients: [age1qqqq] }, to: file:./backups, verify: weekly }
        stats: daily
        indexes: weekly
        cleanup: [ { collection: messages, field: timestamp, olderThan: 30d, schedule: weekly } ]
    repos:   { backend: { path: ../backend, audit: monthly, secretScan: weekly } }
    secrets: { JWT_SECRET: { rotate: 90d, env: ../backend/.env, verify: api-health } }
    checklists:
      weekly: [ "Update featured products", "Review user feedback" ]
      quarterly: [ "Security audit" ]
maintenance:
  - { apps: [kirana-market], schedule: "0 3 * * 0", duration: 1h }
  - { from: 2026-01-10T02:00, to: "2026-01-10T04:00:00Z", description: "move to $\${NEW} host" }
history: { raw: 14d }
`;

/** Parses `text` and returns the formatted issues, failing the test if it parsed. */
function problems(text: string, env: Record<string, string> = ENV, kinds?: readonly CheckKind<unknown>[]): string[] {
  try {
    parsePlan(text, { file: 'upkeep.yml', env, ...(kinds ? { kinds } : {}) });
  } catch (error) {
    assert.ok(error instanceof PlanError, String(error));
    return error.format().split('\n');
  }
  assert.fail('the plan parsed, but a PlanError was expected');
}

/** A minimal plan around one app's checks block. */
const withChecks = (checks: string) => `version: 1\napps:\n  shop:\n    checks:\n${checks}`;

describe('parsePlan: a valid plan', () => {
  const loaded = parsePlan(DESIGN_PLAN, { file: 'upkeep.yml', env: ENV });

  it('compiles checks into units with ids, targets, schedules, timeouts and policies', () => {
    assert.deepEqual(
      // The database's backup units follow the checks (src/plan/compile-databases.test.ts covers them).
      loaded.units
        .filter((u) => u.id.startsWith('kirana-market/main.') === false)
        .map((u) => [u.id, u.kind, u.target, u.schedule.text, u.timeoutMs, u.policy]),
      [
        [
          'kirana-market/api-health',
          'http',
          'GET https://api.kirana.example/api/health',
          'every 1m',
          10_000,
          { failureThreshold: 2, successThreshold: 1 },
        ],
        [
          'kirana-market/certificate',
          'tls',
          loaded.units[1]?.target,
          'every 12h',
          10_000,
          { failureThreshold: 2, successThreshold: 1 },
        ],
        [
          'kirana-market/db-port',
          'tcp',
          loaded.units[2]?.target,
          'daily 02:00',
          5_000,
          { failureThreshold: 3, successThreshold: 1 },
        ],
      ],
    );
    assert.match(loaded.units[1]?.target ?? '', /kirana\.example:443/);
    assert.deepEqual(loaded.units[2]?.schedule, {
      kind: 'cron',
      expr: '0 2 * * *',
      timezone: 'Asia/Kolkata',
      text: 'daily 02:00',
    });
    const spec = loaded.units[0]?.spec as { expect: { status: number } };
    assert.equal(spec.expect.status, 200);
  });

  it('fills ${VAR} from the injected env, with defaults and $${ escapes', () => {
    assert.equal(loaded.plan.notify['ops-mail']?.smtp, ENV.SMTP_URL);
    assert.equal(loaded.plan.apps['kirana-market']?.databases.main?.mongodb, ENV.MONGODB_URI);
    assert.match(loaded.units[2]?.target ?? '', /27017/);
    const once = loaded.maintenance[1];
    assert.equal(once?.kind === 'once' && once.description, 'move to ${NEW} host');
  });

  it('returns the zone, routes, maintenance windows in the zone, and retention with defaults', () => {
    assert.equal(loaded.timezone, 'Asia/Kolkata');
    assert.deepEqual(loaded.plan.routes, { critical: ['ops-mail', 'team-slack'], warning: ['team-slack'], info: [] });
    assert.deepEqual(loaded.maintenance[0], {
      kind: 'recurring',
      apps: ['kirana-market'],
      schedule: { kind: 'cron', expr: '0 3 * * 0', timezone: 'Asia/Kolkata', text: '0 3 * * 0' },
      durationMs: 3_600_000,
    });
    // 02:00 in Kolkata (UTC+5:30) is 20:30 UTC the day before; the "Z" time is exact.
    assert.deepEqual(loaded.maintenance[1], {
      kind: 'once',
      from: Date.parse('2026-01-09T20:30:00Z'),
      to: Date.parse('2026-01-10T04:00:00Z'),
      description: 'move to ${NEW} host',
    });
    assert.deepEqual(loaded.retention, {
      raw: 14 * 86_400_000,
      minute: 2 * 86_400_000,
      hour: 90 * 86_400_000,
      day: 730 * 86_400_000,
    });
  });

  it('defaults the timezone to UTC and a check to every 1m, timeout 10s', () => {
    const plain = parsePlan(withChecks('      up: { tcp: "127.0.0.1:80" }\n'), { file: 'p.yml', env: {} });
    assert.equal(plain.timezone, 'UTC');
    assert.deepEqual(plain.units[0]?.schedule, { kind: 'every', everyMs: 60_000, text: 'every 1m' });
    assert.equal(plain.units[0]?.timeoutMs, 10_000);
  });
});

describe('parsePlan: hostile input, with exact line:col', () => {
  it('malformed YAML', () => {
    assert.deepEqual(problems('version: 1\n  apps: x\n'), [
      'upkeep.yml:1:10: YAML: Nested mappings are not allowed in compact mappings',
    ]);
    assert.deepEqual(problems('version: 1\napps:\n  shop: { checks: [a, b }\n'), [
      'upkeep.yml:3:25: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    assert.deepEqual(problems('version: 1\n---\nversion: 1\n'), [
      'upkeep.yml:2:1: YAML: the plan must be a single YAML document (remove the extra "---")',
    ]);
  });

  it('unknown key names the nearest valid key', () => {
    assert.deepEqual(problems(withChecks('      api:\n        http: https://x.example/\n        evry: 1m\n')), [
      'upkeep.yml:7:9: unknown key "evry" (expected one of: every, schedule, timeout, alert, description, notify, renotify, recovery, flapping, http, method, headers, body, maxRedirects, maxBodyBytes, insecure, expect; did you mean "every"?)',
    ]);
    assert.deepEqual(problems('version: 1\ntimezon: UTC\napps: {}\n'), [
      'upkeep.yml:2:1: unknown key "timezon" (expected one of: version, timezone, notify, routes, apps, alerts, maintenance, history, metrics, secretVars; did you mean "timezone"?)',
    ]);
    assert.deepEqual(problems(withChecks('      api: { http: "https://x/", expect: { statuss: 200 } }\n')), [
      'upkeep.yml:5:44: unknown key "statuss" (expected one of: status, body, keyword, notKeyword, responseTime, metrics, heapGrowth; did you mean "status"?)',
    ]);
  });

  it('missing key points at the mapping that lacks it', () => {
    assert.deepEqual(problems('apps: {}\n'), ['upkeep.yml:1:1: missing key "version" (expected 1)']);
    assert.deepEqual(
      problems('version: 1\napps:\n  shop:\n    databases:\n      main: { mongodb: x, backup: { schedule: daily } }\n'),
      ['upkeep.yml:5:27: missing key "to" (expected text)'],
    );
  });

  it('missing env var is named at its line:col, and no secret value is printed', () => {
    const lines = problems(
      'version: 1\nnotify:\n  mail: { type: email, smtp: "${SMTP_URL}", token: "Bearer ${API_TOKEN}", to: [ops@example.com] }\napps: {}\n',
    );
    assert.deepEqual(lines, [
      'upkeep.yml:3:60: environment variable API_TOKEN is not set (expected API_TOKEN in the environment, or a default: ${API_TOKEN:-value})',
    ]);
    assert.deepEqual(problems(withChecks('      x: { http: https://${HOST/x }\n      y: { tcp: ${DB_HOST}:5432 }\n')), [
      'upkeep.yml:5:27: YAML: Unexpected flow-map-start at node end (expected ${NAME} or ${NAME:-default}; quote values holding { } [ ] or , inside { } and [ ])',
    ]);
  });

  it('an unquoted ${VAR} inside a flow mapping works and a missing one is pinned', () => {
    assert.deepEqual(problems(withChecks('      y: { tcp: ${DB_HOST}:5432, every: 1m }\n')), [
      'upkeep.yml:5:17: environment variable DB_HOST is not set (expected DB_HOST in the environment, or a default: ${DB_HOST:-value})',
    ]);
  });

  it('a kind that echoes its input never leaks a secret into the message', () => {
    const echo: CheckKind<unknown> = {
      name: 'echo',
      description: 'test kind whose error message repeats the value',
      schema: z.strictObject({
        echo: z.string().superRefine((v, ctx) => {
          if (!v.startsWith('ok:')) ctx.addIssue({ code: 'custom', message: `cannot use ${v}` });
        }),
      }),
      describe: (spec) => String((spec as { echo: string }).echo),
      probe: async () => ({ startedAt: 0, durationMs: 0, facts: {} }),
      evaluate: () => ({ outcome: 'ok', summary: 'ok', conditions: [], values: {} }),
    };
    const lines = problems(withChecks('      leak: { echo: "${SMTP_URL}" }\n'), ENV, [echo]);
    assert.deepEqual(lines, ['upkeep.yml:5:21: cannot use ${SMTP_URL} (found "${SMTP_URL}")']);
    assert.ok(!lines.join('\n').includes('hunter2'));
  });

  it('inside a union, the branch the author meant gives the message and the suggestion', () => {
    const target: CheckKind<unknown> = {
      name: 'target',
      description: 'test kind with a string-or-mapping key',
      schema: z.strictObject({ target: z.union([z.string(), z.strictObject({ host: z.string(), port: z.int() })]) }),
      describe: () => 'target',
      probe: async () => ({ startedAt: 0, durationMs: 0, facts: {} }),
      evaluate: () => ({ outcome: 'ok', summary: 'ok', conditions: [], values: {} }),
    };
    assert.deepEqual(problems(withChecks('      x: { target: { host: h, prot: 1 } }\n'), ENV, [target]), [
      'upkeep.yml:5:12: missing key "port" (expected a number)',
      'upkeep.yml:5:31: unknown key "prot" (expected one of: host, port; did you mean "port"?)',
    ]);
  });

  it('an alias bomb is refused, not expanded', () => {
    const bomb = [
      'a: &a [1,2,3,4,5,6,7,8,9,10]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
    ];
    assert.deepEqual(problems(`${bomb.join('\n')}\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n`), [
      'upkeep.yml:1:1: YAML: Excessive alias count indicates a resource exhaustion attack',
    ]);
  });

  it('bad duration lists the accepted forms; a bare number suggests a unit', () => {
    assert.deepEqual(problems(withChecks('      api: { tcp: "a:1", every: 5 minutes }\n')), [
      'upkeep.yml:5:33: not a duration (found 5 minutes, expected a duration such as 500ms, 30s, 5m, 2h, 1d, 2w)',
    ]);
    assert.deepEqual(problems(withChecks('      api: { tcp: "a:1", timeout: 10 }\n')), [
      'upkeep.yml:5:35: a duration needs a unit (found 10, expected a duration such as 500ms, 30s, 5m, 2h, 1d, 2w; did you mean "10s"?)',
    ]);
  });

  it('bad cron says why', () => {
    assert.deepEqual(problems(withChecks('      api: { tcp: "a:1", schedule: "61 * * * *" }\n')), [
      'upkeep.yml:5:36: bad cron expression "61 * * * *": Invalid value for minute: 61 (found "61 * * * *", expected every 5m, hourly, daily 02:00, weekly mon 03:00, monthly 1 04:00, quarterly, yearly, or a 5/6-field cron expression such as "0 3 * * 0")',
    ]);
  });

  it('bad timezone suggests the nearest zone', () => {
    assert.deepEqual(problems('version: 1\ntimezone: Asia/Kolkatta\napps: {}\n'), [
      'upkeep.yml:2:11: unknown time zone "Asia/Kolkatta" (found Asia/Kolkatta, expected an IANA time zone such as UTC, Europe/Berlin or Asia/Kolkata; did you mean "Asia/Kolkata"?)',
    ]);
  });

  it('duplicate keys are reported at the second one', () => {
    assert.deepEqual(
      problems(withChecks('      api: { tcp: "a:1" }\n      web: { tcp: "a:2" }\n      api: { tcp: "a:3" }\n')),
      ['upkeep.yml:7:7: YAML: duplicate key "api": each key may appear once in a mapping'],
    );
  });

  it('duplicate names: case-only differences and a check and a database sharing an address', () => {
    assert.deepEqual(
      problems(
        'version: 1\napps:\n  shop:\n    checks: { main: { tcp: "a:1" } }\n    databases: { main: { postgres: x } }\n  Shop: {}\n',
      ),
      [
        'upkeep.yml:5:18: duplicate unit name "main" in app "shop": check "main" already uses it (units are addressed as shop/main) (expected a name unique among the app’s checks, databases and repos)',
        'upkeep.yml:6:3: app "Shop" clashes with app "shop" (names ignore case)',
      ],
    );
  });

  it('names that cannot appear in a URL are refused', () => {
    assert.deepEqual(problems('version: 1\napps:\n  my shop: {}\n'), [
      'upkeep.yml:3:3: bad name "my shop" (expected names may use letters, digits, ".", "_" and "-", and start with a letter or digit (they appear in URLs))',
    ]);
  });

  it('two kind keys, no kind key, and a mistyped kind key', () => {
    assert.deepEqual(problems(withChecks('      two: { http: "https://a/", tcp: "a:1" }\n')), [
      'upkeep.yml:5:34: a check has exactly one kind, but this one has "http" and "tcp" (expected one of: http, tcp, tls, heartbeat; split it into two checks)',
    ]);
    assert.deepEqual(problems(withChecks('      none: { every: 1m }\n')), [
      'upkeep.yml:5:7: a check needs a kind key saying what to probe (expected one of: http, tcp, tls, heartbeat)',
    ]);
    assert.deepEqual(problems(withChecks('      typo: { htp: "https://a/" }\n')), [
      'upkeep.yml:5:15: a check needs a kind key saying what to probe (expected one of: http, tcp, tls, heartbeat; did you mean "http"?)',
    ]);
  });

  it('timeout must be shorter than the period', () => {
    assert.deepEqual(
      problems(withChecks('      a: { tcp: "a:1", every: 30s, timeout: 30s }\n      b: { tcp: "a:1", every: 5s }\n')),
      [
        'upkeep.yml:5:45: the timeout must be shorter than the time between runs (30s) (found 30s, expected a timeout above 0 and below 30s)',
        'upkeep.yml:6:31: the default timeout 10s is not shorter than the time between runs (5s); set "timeout" (found 5s, expected a timeout above 0 and below 5s)',
      ],
    );
  });

  it('every and schedule together, a secret verifying an unknown check, a checklist key that is not a schedule', () => {
    assert.deepEqual(
      problems(
        withChecks(
          '      api: { tcp: "a:1", every: 1m, schedule: daily }\n    secrets: { JWT_SECRET: { rotate: 90d, verify: ap } }\n    checklists: { fortnightly: [ "x" ] }\n',
        ),
      ),
      [
        'upkeep.yml:5:37: give either "every" or "schedule", not both (expected every: 5m (a period) or schedule: daily 02:00 (clock times))',
        'upkeep.yml:6:51: no check "ap" in app "shop" (found ap, expected one of: api; did you mean "api"?)',
        'upkeep.yml:7:19: checklist key "fortnightly" is not a schedule (expected every 5m, hourly, daily 02:00, weekly mon 03:00, monthly 1 04:00, quarterly, yearly, or a 5/6-field cron expression such as "0 3 * * 0")',
      ],
    );
  });

  it('a route naming an unknown channel', () => {
    assert.deepEqual(
      problems(
        'version: 1\nnotify: { ops-mail: { type: email, smtp: "smtp://mail.example.com", to: [ops@example.com] } }\nroutes:\n  critical: [ops-mial]\napps: {}\n',
      ),
      [
        'upkeep.yml:4:14: route names channel "ops-mial", which "notify" does not define (found ops-mial, expected one of: ops-mail; did you mean "ops-mail"?)',
      ],
    );
  });

  it('maintenance naming an unknown app, and a window that ends before it starts', () => {
    assert.deepEqual(
      problems(
        'version: 1\napps: { shop: {} }\nmaintenance:\n  - { apps: [shopp], from: 2026-01-10T02:00, to: 2026-01-09T00:00 }\n',
      ),
      [
        'upkeep.yml:4:14: maintenance names app "shopp", which "apps" does not define (found shopp, expected one of: shop; did you mean "shop"?)',
        'upkeep.yml:4:50: a maintenance window must end after it starts (found 2026-01-09T00:00, expected a time after 2026-01-10T02:00)',
      ],
    );
  });

  it('an empty file and a wrong version', () => {
    assert.deepEqual(problems(''), [
      'upkeep.yml:1:1: the plan is empty (expected a mapping starting with "version: 1")',
    ]);
    assert.deepEqual(problems('version: 2\napps: {}\n'), ['upkeep.yml:1:10: invalid value (found 2, expected 1)']);
  });

  it('reports every problem at once, in file order', () => {
    const lines = problems(
      withChecks(
        '      a: { tcp: "a:1", evry: 1m }\n      b: { http: "ftp://x" }\n      c: { tls: "x:443", timeout: 1h }\n',
      ),
    );
    assert.equal(lines.length, 3);
    assert.deepEqual(
      lines.map((l) => l.split(': ')[0]),
      ['upkeep.yml:5:24', 'upkeep.yml:6:18', 'upkeep.yml:7:35'],
    );
  });
});
