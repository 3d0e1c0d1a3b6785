// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the plan references the environment as ${VAR}.
/**
 * Test fixtures for "no secret ever leaves": distinct planted secrets, a target that echoes what it was sent, the plan
 * that uses them, and a search that fails naming where a secret (raw or encoded) was found.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import type { AlertMessage } from '../notify/channel.js';
import { channelKinds } from '../notify/channels/registry.js';
import { encodedForms } from '../shared/mask.js';

/** One distinct value per place a secret can hide; the ones with + / = @ % test the encoded forms. */
export const PLANTED = {
  PW: 'pw-Q7m+e=Z9', // userinfo; secret because it is the password of a URL
  API_KEY: 'ak/9Yb+Qe=w@x%z', // query parameter `k`; secret by name
  TOKEN: 'tk-8Hq3Lm2Vx', // path segment; secret by name
  APP_HEADER: 'hv-4Jd9Ws1Qa', // request header; secret because it is a header
  SHOP_ID: 'sh-6Tn1Pc8Rb', // request body and keyword; secret because the plan lists it in secretVars
  CHANNEL_TOKEN: 'ch-7Kp2Rn5Tz', // the webhook channel's URL path; secret because it configures a channel
} as const;

/** Every planted value and the encoded forms it may take (URL, form, JSON), each with the variable it came from. */
export function plantedForms(): { name: string; form: string }[] {
  return Object.entries(PLANTED).flatMap(([name, value]) => encodedForms(value).map((form) => ({ name, form })));
}

/** Fails, naming the place and the variable, when `text` holds any planted secret in any form. */
export function assertNoSecret(place: string, text: string): void {
  for (const { name, form } of plantedForms()) {
    const at = text.indexOf(form);
    assert.equal(at, -1, `${place} shows ${name} (${form}) in: …${text.slice(Math.max(0, at - 80), at + 80)}…`);
  }
}

/** A target that redirects once (307) and then answers 503, echoing the URL, header and body it was sent. */
export async function startEchoTarget(): Promise<{ base: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      hits += 1;
      const url = req.url ?? '';
      if (url.includes('/health')) {
        res.writeHead(307, { location: url.replace('/health', '/final') }).end();
        return;
      }
      const seen = { url, header: req.headers['x-app-header'], body };
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'down', seen }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    hits: () => hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The plan: one failing http check holding every secret, alerting a webhook channel at once. */
export function secretsPlan(): string {
  return [
    'version: 1',
    'secretVars: [SHOP_ID]',
    'notify:',
    '  hook: { type: webhook, url: "http://${RECEIVER}/alerts/${CHANNEL_TOKEN}" }',
    'routes: { critical: [hook], warning: [hook] }',
    'apps:',
    '  shop:',
    '    checks:',
    '      api:',
    '        http: "http://user:${PW}@${TARGET}/hooks/${TOKEN}/health?k=${API_KEY}"',
    '        method: POST',
    '        headers: { X-App-Header: "${APP_HEADER}" }',
    '        body: \'{"shop":"${SHOP_ID}"}\'',
    '        every: 2s',
    '        timeout: 1s',
    '        alert: { failures: 1 }',
    '        expect: { status: 200, notKeyword: "${SHOP_ID}" }',
    '',
  ].join('\n');
}

/** What the unit's target must read: host and path kept, the secrets masked. */
export function expectedTarget(target: string): string {
  return `POST http://user:***@${target}/hooks/\${TOKEN}/health?k=***`;
}

/** The environment the plan reads. */
export function secretsEnv(target: string, receiver: string): Record<string, string> {
  return { ...PLANTED, TARGET: target, RECEIVER: receiver };
}

/** Every file in the SQLite data directory (the database, -wal and -shm), as latin1 text to search bytes. */
export function dataDirFiles(dir: string): { name: string; text: string }[] {
  return readdirSync(dir).map((name) => ({ name, text: readFileSync(join(dir, name)).toString('latin1') }));
}

/** Every row of every table of the PostgreSQL database, as JSON text. */
export async function dumpPostgres(url: string): Promise<{ table: string; text: string }[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ schema: string; name: string }>(
      `select table_schema as schema, table_name as name from information_schema.tables
       where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'`,
    );
    const out: { table: string; text: string }[] = [];
    for (const { schema, name } of tables.rows) {
      const table = `"${schema}"."${name}"`;
      const rows = await client.query(`select row_to_json(t)::text as row from ${table} t`);
      out.push({ table, text: rows.rows.map((r) => r.row as string).join('\n') });
    }
    return out;
  } finally {
    await client.end();
  }
}

/** A working config for every channel type, holding no planted secret, to render a message with each. */
const CHANNEL_CONFIGS: Record<string, unknown> = {
  webhook: { type: 'webhook', url: 'https://hooks.example/x' },
  slack: { type: 'slack', webhook: 'https://hooks.slack.com/services/T0/B0/x' },
  discord: { type: 'discord', webhook: 'https://discord.com/api/webhooks/1/x' },
  teams: { type: 'teams', webhook: 'https://teams.example/webhook/x' },
  telegram: { type: 'telegram', botToken: '123:abc', chatId: '42' },
  ntfy: { type: 'ntfy', topic: 'upkeep-alerts' },
  gotify: { type: 'gotify', server: 'https://gotify.example', token: 'Aabc' },
  pushover: { type: 'pushover', token: 'atoken', user: 'ukey' },
  pagerduty: { type: 'pagerduty', routingKey: 'rkey' },
  opsgenie: { type: 'opsgenie', apiKey: 'gkey' },
  matrix: { type: 'matrix', homeserver: 'https://matrix.example', accessToken: 'mtok', roomId: '!room:matrix.example' },
  email: { type: 'email', smtp: 'smtp://127.0.0.1:2525', from: 'upkeep@example.com', to: 'ops@example.com' },
};

/** `message` rendered by every channel kind, as text, keyed by channel type. */
export function renderEveryChannel(message: AlertMessage): { type: string; text: string }[] {
  return channelKinds.map((kind) => {
    const config = CHANNEL_CONFIGS[kind.type];
    assert.ok(config, `no test config for channel type ${kind.type}: add one`);
    return { type: kind.type, text: JSON.stringify(kind.render(kind.schema.parse(config), message)) };
  });
}
