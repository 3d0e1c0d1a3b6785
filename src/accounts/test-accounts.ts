/**
 * Test support for accounts: a real server (buildServer, every route module) on a fresh SQLite or PostgreSQL store,
 * a manual clock, captured logs, and helpers to set up, sign in and call the API with a cookie and CSRF token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { createStore, type KyselyStore } from '../runs/kysely-store.js';
import { ManualClock } from '../schedule/clock.js';
import { freshPostgresDatabase } from '../store/test-database.js';
import { buildServer, type ServerDeps } from '../web/server.js';
import { accountsContext, issueSetupToken } from './accounts.js';
import { SESSION_COOKIE } from './accounts-deps.js';

/** The first admin every harness can create. */
export const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' };
export const T0 = Date.parse('2026-12-01T10:00:00Z');
/** What inject's requests call upkeep's own origin. */
export const ORIGIN = 'http://localhost';

/** A signed-in browser: its cookie and CSRF token. */
export interface Browser {
  cookie: string;
  csrf: string;
}

/** What a test calls. */
export interface CallOptions {
  browser?: Browser;
  body?: unknown;
  headers?: Record<string, string>;
  /** The Origin header; default upkeep's own for a browser's state-changing call. */
  origin?: string | null;
  ip?: string;
}

export interface AccountsHarness {
  store: KyselyStore;
  clock: ManualClock;
  server: FastifyInstance;
  /** Every log line the server wrote (pino at debug). */
  logs(): string;
  /** A setup token as `upkeep start` would print it. */
  setupToken(): Promise<string>;
  /** Sets upkeep up with ADMIN and returns the browser that did it. */
  setup(): Promise<Browser>;
  signIn(email: string, password: string, extra?: Record<string, string>): Promise<Browser>;
  call(method: string, url: string, opts?: CallOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** Builds the harness; `deps` overrides server dependencies (trustProxy, sessionPolicy, ...). */
export async function accountsHarness(
  backend: 'sqlite' | 'postgres',
  deps: Partial<ServerDeps> = {},
): Promise<AccountsHarness> {
  let dispose: () => Promise<void>;
  let store: KyselyStore;
  if (backend === 'postgres') {
    const database = await freshPostgresDatabase();
    store = createStore({ databaseUrl: database.url, poolSize: 4 });
    dispose = () => database.drop();
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'upkeep-accounts-'));
    store = createStore({ dataDir: dir });
    dispose = async () => rmSync(dir, { recursive: true, force: true });
  }
  await store.migrate();
  const clock = new ManualClock(T0);
  let logText = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      logText += chunk.toString();
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const server = buildServer({ store, logger, now: () => clock.now(), version: 'test', ...deps });
  const ctx = accountsContext(store.database, { now: () => clock.now(), totpKey: async () => Buffer.alloc(32) });

  const call: AccountsHarness['call'] = (method, url, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.browser) {
      headers.cookie = `${SESSION_COOKIE}=${opts.browser.cookie}`;
      if (method !== 'GET') headers['x-csrf-token'] = opts.browser.csrf;
    }
    const origin = opts.origin === undefined ? (opts.browser && method !== 'GET' ? ORIGIN : null) : opts.origin;
    if (origin !== null) headers.origin = origin;
    return server.inject({
      method: method as 'GET',
      url,
      headers,
      remoteAddress: opts.ip ?? '127.0.0.1',
      ...(opts.body === undefined ? {} : { payload: opts.body as object }),
    });
  };
  const browserOf = (res: LightMyRequestResponse): Browser => {
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE)?.value;
    if (res.statusCode !== 200 || !cookie) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
    return { cookie, csrf: res.json().csrfToken };
  };
  const setupToken = async () => (await issueSetupToken(ctx)) ?? '';
  return {
    store,
    clock,
    server,
    logs: () => logText,
    setupToken,
    async setup() {
      const token = await setupToken();
      return browserOf(await call('POST', '/api/auth/setup', { body: { token, ...ADMIN } }));
    },
    async signIn(email, password, extra = {}) {
      return browserOf(await call('POST', '/api/auth/login', { body: { email, password, ...extra } }));
    },
    call,
    async close() {
      await server.close();
      await store.close();
      await dispose();
    },
  };
}
