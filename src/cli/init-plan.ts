/**
 * The pure generator behind `upkeep init`: guesses a commented upkeep.yml from package.json and the NAMES in .env.
 * It never sees a value: callers pass names only (see parseEnvNames), and the plan refers to them as ${NAME}.
 */

/** What `upkeep init` knows about the project. */
export interface InitPlanInput {
  /** The app's name in the plan; made safe for `app/unit` addresses (`@acme/Shop` → `shop`). */
  appName: string;
  /** The parsed package.json, if there is one; only dependency names and script names are read. */
  packageJson?: object;
  /** Variable names found in the project's .env (values are never needed). */
  envNames: string[];
  /** IANA zone for schedules; default UTC. */
  timezone?: string;
  /** The env file that holds the secrets, relative to the plan; default `./.env`. */
  envFile?: string;
}

/** What the generator concluded; exported so the CLI can print a summary next to the file it wrote. */
export interface InitGuess {
  app: string;
  framework: 'next' | 'express' | 'node';
  /** The health URL's variable and whether it came from .env (else APP_URL with a local default). */
  urlVar: string;
  urlFromEnv: boolean;
  healthPath: string;
  localPort: number;
  mongodb?: string;
  postgres?: string;
  supabase: boolean;
  /** Both names present: the Supabase REST API can be probed with the public anon key. */
  supabaseApi?: { url: string; anonKey: string };
  secrets: string[];
  sentry: boolean;
  smtp: string[];
  slack?: string;
  hasTestScript: boolean;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LINE_RE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;

/**
 * Reads the variable names from a .env file's text, in order, without duplicates. Values are skipped, including
 * quoted values that span several lines, so a line inside a multi-line key is never taken for a name.
 */
export function parseEnvNames(text: string): string[] {
  const names: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const match = LINE_RE.exec(lines[i] as string);
    if (!match) continue;
    const [, name, rest] = match as unknown as [string, string, string];
    const quote = rest.startsWith('"') ? '"' : rest.startsWith("'") ? "'" : undefined;
    if (quote && !closesQuote(rest.slice(1), quote)) {
      // Skip to the line that closes the quote; an unclosed quote swallows the rest, as dotenv does.
      while (i + 1 < lines.length && !closesQuote(lines[i + 1] as string, quote)) i++;
      i++;
    }
    if (NAME_RE.test(name) && !names.includes(name)) names.push(name);
  }
  return names;
}

function closesQuote(text: string, quote: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return true;
  }
  return false;
}

/** Turns any name into a plan name: lower case letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export function planName(name: string): string {
  const base = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
  const cleaned = base
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-+$/, '');
  return cleaned || 'app';
}

const URL_NAMES = [
  'APP_URL',
  'PUBLIC_URL',
  'BASE_URL',
  'SITE_URL',
  'NEXT_PUBLIC_APP_URL',
  'NEXT_PUBLIC_SITE_URL',
  'NEXTAUTH_URL',
];
const SECRET_NAMES = ['JWT_SECRET', 'SESSION_SECRET', 'NEXTAUTH_SECRET', 'AUTH_SECRET', 'SUPABASE_SERVICE_ROLE_KEY'];

function dependencyNames(pkg: object | undefined): Set<string> {
  const out = new Set<string>();
  for (const key of ['dependencies', 'devDependencies']) {
    const deps = (pkg as Record<string, unknown> | undefined)?.[key];
    if (deps && typeof deps === 'object') for (const name of Object.keys(deps)) out.add(name);
  }
  return out;
}

/** Draws the conclusions the plan is written from; pure. */
export function guessInit(input: InitPlanInput): InitGuess {
  const env = new Set(input.envNames.filter((n) => NAME_RE.test(n)));
  const deps = dependencyNames(input.packageJson);
  const scripts = (input.packageJson as { scripts?: unknown } | undefined)?.scripts;
  const scriptNames = scripts && typeof scripts === 'object' ? Object.keys(scripts) : [];
  const framework = deps.has('next') ? 'next' : deps.has('express') ? 'express' : 'node';
  const first = (names: string[]) => names.find((n) => env.has(n));
  const urlVar = first(URL_NAMES);
  const mongoEnv = first(['MONGODB_URI', 'MONGO_URL', 'MONGO_URI']);
  const pgEnv = first(['DATABASE_URL', 'POSTGRES_URL']);
  const supabase = deps.has('@supabase/supabase-js');
  const usesMongo = mongoEnv !== undefined || deps.has('mongoose') || deps.has('mongodb');
  const usesPg = pgEnv !== undefined || deps.has('pg') || supabase;
  return {
    app: planName(input.appName),
    framework,
    urlVar: urlVar ?? 'APP_URL',
    urlFromEnv: urlVar !== undefined,
    healthPath: framework === 'next' ? '/api/health' : '/health',
    localPort: 3000,
    mongodb: usesMongo ? (mongoEnv ?? 'MONGODB_URI') : undefined,
    postgres: usesPg ? (pgEnv ?? 'DATABASE_URL') : undefined,
    supabase,
    supabaseApi:
      env.has('NEXT_PUBLIC_SUPABASE_URL') && env.has('NEXT_PUBLIC_SUPABASE_ANON_KEY')
        ? { url: 'NEXT_PUBLIC_SUPABASE_URL', anonKey: 'NEXT_PUBLIC_SUPABASE_ANON_KEY' }
        : undefined,
    secrets: SECRET_NAMES.filter((n) => env.has(n)),
    sentry: env.has('SENTRY_DSN') || env.has('NEXT_PUBLIC_SENTRY_DSN'),
    smtp: [...env].filter((n) => n.startsWith('SMTP_')),
    slack: env.has('SLACK_WEBHOOK_URL') ? 'SLACK_WEBHOOK_URL' : undefined,
    hasTestScript: scriptNames.includes('test'),
  };
}

/** Renders a commented upkeep.yml guessed from package.json and .env names. Pure: same input, same text. */
export function renderInitPlan(input: InitPlanInput): string {
  const g = guessInit(input);
  const envFile = input.envFile ?? './.env';
  const out: string[] = [];
  const line = (text = '') => out.push(text);

  line('# yaml-language-server: $schema=./upkeep.schema.json');
  line(`# upkeep plan for ${g.app}, written by \`upkeep init\` from package.json and the names in .env.`);
  line('# No value is copied here: the plan names variables and upkeep reads them from the environment when it');
  line('# loads the plan (a missing one is an error that names it). Review every line, then `upkeep check` it.');
  line('# `upkeep schema > upkeep.schema.json` writes the schema the first line points editors at.');
  line();
  line('version: 1');
  line(`timezone: ${input.timezone ?? 'UTC'} # schedules below ("daily 02:00") are read in this zone`);
  renderNotify(g, line);
  line();
  line('apps:');
  line(`  ${g.app}:`);
  renderChecks(g, line);
  renderDatabases(g, line);
  line('    repos:');
  line('      # Dependency audit (npm audit) monthly; scan the code for committed secrets weekly.');
  line('      app: { path: ., audit: monthly, secretScan: weekly }');
  if (g.secrets.length > 0) {
    line('    secrets:');
    line('      # Rotation reminders: upkeep tracks the age of each secret and checks the app after a rotation.');
    for (const name of g.secrets) line(`      ${name}: { rotate: 90d, env: ${envFile}, verify: api-health }`);
  }
  renderChecklists(g, line);
  return `${out.join('\n')}\n`;
}

type Line = (text?: string) => void;

function renderNotify(g: InitGuess, line: Line): void {
  const channels: string[] = [];
  if (g.smtp.length > 0) channels.push('ops-mail');
  if (g.slack) channels.push('team-slack');
  if (channels.length === 0) {
    line('# notify: add channels (email, slack, webhook) and routes to be told when something fails.');
    return;
  }
  line();
  line('notify:');
  // Inside { } a ${NAME} must be quoted: braces are YAML flow syntax.
  if (g.smtp.length > 0) {
    line('  ops-mail:');
    line('    type: email');
    line('    to: [ops@example.com] # who is told: change this');
    if (g.smtp.includes('SMTP_URL')) line(`    smtp: "\${SMTP_URL}"`);
    else {
      const fields = g.smtp.map((n) => `${n.slice('SMTP_'.length).toLowerCase()}: "\${${n}}"`);
      line(`    smtp: { ${fields.join(', ')} }`);
    }
  }
  if (g.slack) line(`  team-slack: { type: slack, webhook: "\${${g.slack}}" }`);
  line('routes:');
  line(`  critical: [${channels.join(', ')}] # the app is down, a backup failed`);
  line(`  warning: [${channels.at(-1)}] # slow, error rate rising, certificate expiring`);
}

function renderChecks(g: InitGuess, line: Line): void {
  const url = g.urlFromEnv ? `\${${g.urlVar}}` : `\${APP_URL:-http://127.0.0.1:${g.localPort}}`;
  line('    checks:');
  line(
    g.framework === 'express'
      ? '      # The health endpoint; packages/health serves this JSON (status, database, metrics).'
      : `      # The health endpoint: make it answer ${g.mongodb || g.postgres ? '{ "status": "ok", "database": "connected" }' : '{ "status": "ok" }'}.`,
  );
  if (!g.urlFromEnv) line('      # Set APP_URL to the deployed URL; without it the local dev server is checked.');
  line('      api-health:');
  line(`        http: ${url}${g.healthPath}`);
  line('        every: 1m');
  line('        expect:');
  line('          status: 200');
  line(
    g.mongodb || g.postgres ? '          body: { status: ok, database: connected }' : '          body: { status: ok }',
  );
  line('          responseTime: { warning: 500ms, critical: 2s }');
  if (g.framework === 'express') {
    line('          metrics:');
    line('            - { path: metrics.errorRate, warning: "> 1%", critical: "> 5%" }');
    line('          heapGrowth: { path: metrics.memory.heapUsed, window: 60, warning: 20%, critical: 50% }');
  }
  line('        alert: { failures: 2 } # two failures in a row before anyone is told');
  if (g.supabaseApi) {
    line('      # Supabase answers its REST API with the public anon key: down or key revoked shows up here.');
    line('      supabase-api:');
    line(`        http: \${${g.supabaseApi.url}}/rest/v1/`);
    line(`        headers: { apikey: "\${${g.supabaseApi.anonKey}}" }`);
    line('        every: 5m');
    line('        expect: { status: 200 }');
  }
  line('      # Certificate expiry: uncomment with your domain once deployed.');
  line(
    '      # certificate: { tls: "example.com:443", every: 12h, expect: { daysLeft: { warning: 21, critical: 7 } } }',
  );
}

function renderDatabases(g: InitGuess, line: Line): void {
  const dbs: Array<[string, 'mongodb' | 'postgres', string]> = [];
  if (g.mongodb) dbs.push(['main', 'mongodb', g.mongodb]);
  if (g.postgres) dbs.push([dbs.length === 0 ? 'main' : 'postgres', 'postgres', g.postgres]);
  if (dbs.length === 0) return;
  line('    databases:');
  for (const [name, kind, envName] of dbs) {
    line(`      ${name}:`);
    const note =
      kind === 'postgres' && g.supabase ? ' # Supabase: the direct connection string (Settings → Database)' : '';
    line(`        ${kind}: \${${envName}}${note}`);
    line('        backup:');
    line('          schedule: daily 02:00');
    line('          keep: { daily: 7, weekly: 4, monthly: 12 }');
    line('          to: file:./backups');
    line(
      '          # Encrypt with an age key pair (age-keygen -o key.txt): the public key encrypts; the identity (the',
    );
    line(
      '          # secret key, or the path of key.txt) lets upkeep check and drill the backups. Never paste it here.',
    );
    line('          # encrypt:');
    line('          #   recipients: ["${UPKEEP_BACKUP_RECIPIENT}"]');
    line('          #   identity: ${UPKEEP_BACKUP_IDENTITY}');
    line('          verify: monthly # restore drill into a scratch database: counts must match');
    if (kind === 'mongodb') {
      line(
        '          # Drills need a MongoDB server they may create (and drop) a temporary database on; `source` uses',
      );
      line(
        '          # this one (it needs room for a second copy). Without one, drills warn and cannot prove anything.',
      );
      line('          # scratch: ${DRILL_MONGODB_URI}');
    } else {
      line(
        '          # Drills restore into a throwaway local PostgreSQL (initdb); or name a server they may create on:',
      );
      line('          # scratch: ${DRILL_DATABASE_URL}');
    }
    line('        stats: daily # size and growth, charted');
    line('        indexes: weekly # unused and missing indexes');
  }
}

function renderChecklists(g: InitGuess, line: Line): void {
  line('    checklists:');
  line('      # Manual tasks a person signs off; upkeep reminds and keeps the record.');
  line('      weekly:');
  line(g.sentry ? '        - Review new errors in Sentry' : '        - Review error logs');
  line('        - Review user feedback and issues');
  line('      monthly:');
  line(
    g.hasTestScript
      ? '        - Update dependencies (npm outdated, npm update), then npm test'
      : '        - Update dependencies (npm outdated, npm update)',
  );
  line('        - Review performance (slow endpoints and queries)');
  line('      quarterly:');
  line('        - Security audit (access to hosting, database and repository)');
}
