import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { parsePlan } from '../plan/load-plan.js';
import { guessInit, parseEnvNames, planName, renderInitPlan } from './init-plan.js';

// A MERN backend's real-looking .env: every value here must stay out of the generated plan.
const MERN_ENV = [
  '# backend/.env',
  'MONGODB_URI=mongodb+srv://kirana:hunter2-atlas@cluster0.abcde.mongodb.net/kirana',
  'export JWT_SECRET="s3cr3t-jwt-value"',
  'SMTP_HOST=smtp.mailgun.org',
  "SMTP_USER='postmaster@mg.kirana.example'",
  'SMTP_PASS=mailgun-pass-9f8e7d',
  'SENTRY_DSN=https://abc123def@o123.ingest.sentry.io/456',
  'PORT=5000',
  '',
].join('\n');

const MERN = {
  appName: 'kirana-market',
  packageJson: {
    name: 'kirana-backend',
    scripts: { start: 'node server.js', test: 'jest' },
    dependencies: { express: '^4.19.0', mongoose: '^8.0.0', jsonwebtoken: '^9.0.0' },
  },
  envNames: parseEnvNames(MERN_ENV),
};

const NEXT_SUPABASE = {
  appName: '@acme/Shop Front',
  packageJson: {
    scripts: { dev: 'next dev', build: 'next build' },
    dependencies: { next: '14.2.0', '@supabase/supabase-js': '^2.43.0' },
  },
  envNames: [
    'NEXT_PUBLIC_SUPABASE_URL',
    'NEXT_PUBLIC_SUPABASE_ANON_KEY',
    'SUPABASE_SERVICE_ROLE_KEY',
    'DATABASE_URL',
    'NEXTAUTH_URL',
    'NEXTAUTH_SECRET',
    'SLACK_WEBHOOK_URL',
  ],
  timezone: 'Asia/Kolkata',
  envFile: './.env.local',
};

const MERN_PLAN = `# yaml-language-server: $schema=./upkeep.schema.json
# upkeep plan for kirana-market, written by \`upkeep init\` from package.json and the names in .env.
# No value is copied here: the plan names variables and upkeep reads them from the environment when it
# loads the plan (a missing one is an error that names it). Review every line, then \`upkeep check\` it.
# \`upkeep schema > upkeep.schema.json\` writes the schema the first line points editors at.

version: 1
timezone: UTC # schedules below ("daily 02:00") are read in this zone

notify:
  ops-mail:
    type: email
    to: [ops@example.com] # who is told: change this
    smtp: { host: "\${SMTP_HOST}", user: "\${SMTP_USER}", pass: "\${SMTP_PASS}" }
routes:
  critical: [ops-mail] # the app is down, a backup failed
  warning: [ops-mail] # slow, error rate rising, certificate expiring

apps:
  kirana-market:
    checks:
      # The health endpoint; packages/health serves this JSON (status, database, metrics).
      # Set APP_URL to the deployed URL; without it the local dev server is checked.
      api-health:
        http: \${APP_URL:-http://127.0.0.1:3000}/health
        every: 1m
        expect:
          status: 200
          body: { status: ok, database: connected }
          responseTime: { warning: 500ms, critical: 2s }
          metrics:
            - { path: metrics.errorRate, warning: "> 1%", critical: "> 5%" }
          heapGrowth: { path: metrics.memory.heapUsed, window: 60, warning: 20%, critical: 50% }
        alert: { failures: 2 } # two failures in a row before anyone is told
      # Certificate expiry: uncomment with your domain once deployed.
      # certificate: { tls: "example.com:443", every: 12h, expect: { daysLeft: { warning: 21, critical: 7 } } }
    databases:
      main:
        mongodb: \${MONGODB_URI}
        backup:
          schedule: daily 02:00
          keep: { daily: 7, weekly: 4, monthly: 12 }
          to: file:./backups
          # Encrypt with an age key pair (age-keygen -o key.txt): the public key encrypts; the identity (the
          # secret key, or the path of key.txt) lets upkeep check and drill the backups. Never paste it here.
          # encrypt:
          #   recipients: ["\${UPKEEP_BACKUP_RECIPIENT}"]
          #   identity: \${UPKEEP_BACKUP_IDENTITY}
          verify: monthly # restore drill into a scratch database: counts must match
          # Drills need a MongoDB server they may create (and drop) a temporary database on; \`source\` uses
          # this one (it needs room for a second copy). Without one, drills warn and cannot prove anything.
          # scratch: \${DRILL_MONGODB_URI}
        stats: daily # size and growth, charted
        indexes: weekly # unused and missing indexes
    repos:
      # Dependency audit (npm audit) monthly; scan the code for committed secrets weekly.
      app: { path: ., audit: monthly, secretScan: weekly }
    secrets:
      # Rotation reminders: upkeep tracks the age of each secret and checks the app after a rotation.
      JWT_SECRET: { rotate: 90d, env: ./.env, verify: api-health }
    checklists:
      # Manual tasks a person signs off; upkeep reminds and keeps the record.
      weekly:
        - Review new errors in Sentry
        - Review user feedback and issues
      monthly:
        - Update dependencies (npm outdated, npm update), then npm test
        - Review performance (slow endpoints and queries)
      quarterly:
        - Security audit (access to hosting, database and repository)
`;

const NEXT_SUPABASE_PLAN = `# yaml-language-server: $schema=./upkeep.schema.json
# upkeep plan for shop-front, written by \`upkeep init\` from package.json and the names in .env.
# No value is copied here: the plan names variables and upkeep reads them from the environment when it
# loads the plan (a missing one is an error that names it). Review every line, then \`upkeep check\` it.
# \`upkeep schema > upkeep.schema.json\` writes the schema the first line points editors at.

version: 1
timezone: Asia/Kolkata # schedules below ("daily 02:00") are read in this zone

notify:
  team-slack: { type: slack, webhook: "\${SLACK_WEBHOOK_URL}" }
routes:
  critical: [team-slack] # the app is down, a backup failed
  warning: [team-slack] # slow, error rate rising, certificate expiring

apps:
  shop-front:
    checks:
      # The health endpoint: make it answer { "status": "ok", "database": "connected" }.
      api-health:
        http: \${NEXTAUTH_URL}/api/health
        every: 1m
        expect:
          status: 200
          body: { status: ok, database: connected }
          responseTime: { warning: 500ms, critical: 2s }
        alert: { failures: 2 } # two failures in a row before anyone is told
      # Supabase answers its REST API with the public anon key: down or key revoked shows up here.
      supabase-api:
        http: \${NEXT_PUBLIC_SUPABASE_URL}/rest/v1/
        headers: { apikey: "\${NEXT_PUBLIC_SUPABASE_ANON_KEY}" }
        every: 5m
        expect: { status: 200 }
      # Certificate expiry: uncomment with your domain once deployed.
      # certificate: { tls: "example.com:443", every: 12h, expect: { daysLeft: { warning: 21, critical: 7 } } }
    databases:
      main:
        postgres: \${DATABASE_URL} # Supabase: the direct connection string (Settings → Database)
        backup:
          schedule: daily 02:00
          keep: { daily: 7, weekly: 4, monthly: 12 }
          to: file:./backups
          # Encrypt with an age key pair (age-keygen -o key.txt): the public key encrypts; the identity (the
          # secret key, or the path of key.txt) lets upkeep check and drill the backups. Never paste it here.
          # encrypt:
          #   recipients: ["\${UPKEEP_BACKUP_RECIPIENT}"]
          #   identity: \${UPKEEP_BACKUP_IDENTITY}
          verify: monthly # restore drill into a scratch database: counts must match
          # Drills restore into a throwaway local PostgreSQL (initdb); or name a server they may create on:
          # scratch: \${DRILL_DATABASE_URL}
        stats: daily # size and growth, charted
        indexes: weekly # unused and missing indexes
    repos:
      # Dependency audit (npm audit) monthly; scan the code for committed secrets weekly.
      app: { path: ., audit: monthly, secretScan: weekly }
    secrets:
      # Rotation reminders: upkeep tracks the age of each secret and checks the app after a rotation.
      NEXTAUTH_SECRET: { rotate: 90d, env: ./.env.local, verify: api-health }
      SUPABASE_SERVICE_ROLE_KEY: { rotate: 90d, env: ./.env.local, verify: api-health }
    checklists:
      # Manual tasks a person signs off; upkeep reminds and keeps the record.
      weekly:
        - Review error logs
        - Review user feedback and issues
      monthly:
        - Update dependencies (npm outdated, npm update)
        - Review performance (slow endpoints and queries)
      quarterly:
        - Security audit (access to hosting, database and repository)
`;

describe('parseEnvNames', () => {
  test('reads names only, in order, skipping comments, blanks, export and duplicates', () => {
    assert.deepEqual(parseEnvNames(MERN_ENV), [
      'MONGODB_URI',
      'JWT_SECRET',
      'SMTP_HOST',
      'SMTP_USER',
      'SMTP_PASS',
      'SENTRY_DSN',
      'PORT',
    ]);
    assert.deepEqual(parseEnvNames('A=1\r\nA=2\r\n  # B=3\r\nnot a line\r\nC = spaced\r\n'), ['A', 'C']);
  });

  test('a multi-line quoted value is skipped whole, so lines inside it are never taken for names', () => {
    const text = ['PRIVATE_KEY="-----BEGIN KEY-----', 'LEAKED=abc', 'more=def', '-----END KEY-----"', 'AFTER=1'].join(
      '\n',
    );
    assert.deepEqual(parseEnvNames(text), ['PRIVATE_KEY', 'AFTER']);
    assert.deepEqual(parseEnvNames('ONE="escaped \\" quote"\nTWO=2'), ['ONE', 'TWO']);
  });
});

describe('renderInitPlan', () => {
  test('a MERN backend: express health with metrics, MongoDB backups, JWT rotation, SMTP mail, Sentry review', () => {
    assert.equal(renderInitPlan(MERN), MERN_PLAN);
  });

  test('a Next.js + Supabase app: NEXTAUTH_URL health, Supabase REST check, postgres, Slack', () => {
    assert.equal(renderInitPlan(NEXT_SUPABASE), NEXT_SUPABASE_PLAN);
  });

  test('no secret value leaks into the plan, only names', () => {
    const plan = renderInitPlan(MERN);
    for (const value of [
      'hunter2-atlas',
      's3cr3t-jwt-value',
      'mailgun-pass-9f8e7d',
      'abc123def',
      'smtp.mailgun.org',
      '5000',
    ]) {
      assert.ok(!plan.includes(value), `the value ${value} leaked into the plan`);
    }
    // Even a caller that wrongly passes NAME=value lines gets nothing of the value back.
    const wrong = renderInitPlan({ ...MERN, envNames: ['JWT_SECRET=s3cr3t-jwt-value', 'MONGODB_URI'] });
    assert.ok(!wrong.includes('s3cr3t-jwt-value'));
  });

  test('the output is YAML and placeholders stay placeholder strings', () => {
    for (const input of [MERN, NEXT_SUPABASE]) {
      const plan = parse(renderInitPlan(input)) as { version: number; apps: Record<string, { checks: object }> };
      assert.equal(plan.version, 1);
      assert.equal(Object.keys(plan.apps).length, 1);
    }
    const doc = parse(renderInitPlan(NEXT_SUPABASE)) as {
      apps: { 'shop-front': { checks: { 'supabase-api': { headers: Record<string, string> } } } };
    };
    assert.deepEqual(doc.apps['shop-front'].checks['supabase-api'].headers, {
      apikey: `\${NEXT_PUBLIC_SUPABASE_ANON_KEY}`,
    });
  });

  test('a bare project gets a local health check, no databases and no notify', () => {
    const plan = renderInitPlan({ appName: 'tiny', envNames: [] });
    assert.match(plan, /http: \$\{APP_URL:-http:\/\/127\.0\.0\.1:3000\}\/health/);
    assert.match(plan, /body: \{ status: ok \}/);
    assert.ok(!plan.includes('databases:'));
    assert.ok(!plan.includes('secrets:'));
    assert.match(plan, /^# notify: add channels/m);
  });
});

describe('generated plans load', () => {
  test("both examples validate with upkeep's own loader once their variables are set", () => {
    for (const input of [MERN, NEXT_SUPABASE]) {
      const text = renderInitPlan(input);
      const names = [...new Set([...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1] as string))];
      const env = Object.fromEntries(names.map((n) => [n, n.endsWith('_URL') ? 'https://app.example.com' : 'x']));
      const loaded = parsePlan(text, { file: 'upkeep.yml', env });
      assert.ok(loaded.units.some((u) => u.name === 'api-health'));
    }
  });

  test('a bare project loads with no environment at all', () => {
    const loaded = parsePlan(renderInitPlan({ appName: 'tiny', envNames: [] }), { file: 'upkeep.yml', env: {} });
    assert.equal(loaded.units[0]?.target, 'GET http://127.0.0.1:3000/health');
  });
});

describe('guessing', () => {
  test('names become plan names', () => {
    assert.equal(planName('@acme/Shop Front'), 'shop-front');
    assert.equal(planName('--My_App!'), 'my_app');
    assert.equal(planName('***'), 'app');
  });

  test('dependencies alone are enough to find a database', () => {
    const g = guessInit({
      appName: 'x',
      packageJson: { dependencies: { mongodb: '6', pg: '8' } },
      envNames: ['POSTGRES_URL'],
    });
    assert.equal(g.mongodb, 'MONGODB_URI');
    assert.equal(g.postgres, 'POSTGRES_URL');
    assert.equal(g.framework, 'node');
    const both = renderInitPlan({
      appName: 'x',
      packageJson: { dependencies: { mongodb: '6', pg: '8' } },
      envNames: [],
    });
    assert.match(both, /main:\n {8}mongodb: \$\{MONGODB_URI\}/);
    assert.match(both, /postgres:\n {8}postgres: \$\{DATABASE_URL\}/);
    assert.equal(guessInit({ appName: 'x', envNames: ['MONGO_URL'] }).mongodb, 'MONGO_URL');
  });

  test('an SMTP_URL is used whole; SMTP_* parts become fields', () => {
    const whole = renderInitPlan({ appName: 'x', envNames: ['SMTP_URL', 'SMTP_FROM'] });
    assert.match(whole, /^ {4}smtp: "\$\{SMTP_URL\}"$/m);
    assert.match(whole, /^ {2}critical: \[ops-mail\]/m);
  });
});
