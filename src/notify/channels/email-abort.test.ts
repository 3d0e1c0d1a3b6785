/** Email sends honour the notifier's deadline and shutdown: a real SMTP server that takes DATA and never answers. */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { parsePlan } from '../../plan/load-plan.js';
import { systemClock } from '../../schedule/clock.js';
import { ChannelError } from '../channel.js';
import { Notifier } from '../notifier.js';
import { openTestStore, recordFiring, silent, TEST_CHANNEL_KEY } from '../test-notify.js';
import { emailChannel, SMTP_TIMEOUT_MS } from './email.js';
import { deliver, FIRING, type Receiver, sendContext, startReceiver } from './test-support.js';

describe('email channel against a server that hangs after DATA', () => {
  let server: SMTPServer;
  let port: number;
  /** While true, the server reads the message and never answers; otherwise it accepts it. */
  let hang = true;
  let accepted = 0;
  /** Resolvers waiting for the next client connection to close. */
  let closed: (() => void)[] = [];
  let dataStarted: (() => void)[] = [];
  const nextClose = () => new Promise<void>((resolve) => closed.push(resolve));
  const nextData = () => new Promise<void>((resolve) => dataStarted.push(resolve));
  const config = () => ({
    type: 'email',
    smtp: `smtp://127.0.0.1:${port}`,
    from: 'u@example.com',
    to: 'ops@example.com',
  });

  before(async () => {
    server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      logger: false,
      onData(stream, _session, callback) {
        for (const resolve of dataStarted) resolve();
        dataStarted = [];
        stream.resume();
        stream.on('end', () => {
          if (hang) return; // never answer the end of DATA
          accepted++;
          callback();
        });
      },
      onClose() {
        for (const resolve of closed) resolve();
        closed = [];
      },
    });
    // An aborted send destroys its socket, which the server sees as a reset: expected here, not a failure.
    server.on('error', (err: NodeJS.ErrnoException) => assert.equal(err.code, 'ECONNRESET'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('a send past its deadline fails as transient and closes the connection, not left to nodemailer timeouts', async () => {
    hang = true;
    const started = Date.now();
    const gone = nextClose();
    await assert.rejects(deliver(emailChannel, config(), FIRING, sendContext({ timeoutMs: 300 })), (error: unknown) => {
      assert.ok(error instanceof ChannelError);
      assert.equal(error.permanent, false);
      assert.match(error.message, /^SMTP: sending timed out; it will be retried$/);
      return true;
    });
    await gone; // the server saw the client hang up
    // Before, the abandoned socket lived until nodemailer's socket timeout; now it closes with the deadline.
    assert.ok(Date.now() - started < SMTP_TIMEOUT_MS, 'closed by the deadline, not by the socket timeout');
    // The next send goes through on a fresh connection.
    hang = false;
    const result = await deliver(emailChannel, config(), FIRING);
    assert.match(String(result.detail), /^250/);
    assert.equal(accepted, 1);
  });

  it('a shutdown mid-DATA cancels the send at once', async () => {
    hang = true;
    const controller = new AbortController();
    const inData = nextData();
    const gone = nextClose();
    const sending = deliver(emailChannel, config(), FIRING, { ...sendContext(), signal: controller.signal });
    await inData;
    controller.abort();
    await assert.rejects(
      sending,
      (error: unknown) => error instanceof ChannelError && !error.permanent && /was cancelled/.test(error.message),
    );
    await gone;
  });

  describe('in the notifier', () => {
    let receiver: Receiver;
    before(async () => {
      receiver = await startReceiver();
    });
    after(() => receiver.close());

    it('a hung mail uses its one send slot only until the deadline; the next row is sent', async () => {
      hang = true;
      const ts = await openTestStore('sqlite');
      const plan = parsePlan(
        `version: 1
notify:
  mail: { type: email, smtp: "smtp://127.0.0.1:${port}", from: u@example.com, to: ops@example.com }
  hook: { type: webhook, url: "${receiver.base}/hook" }
routes: { critical: [mail], warning: [hook] }
apps:
  shop:
    checks:
      api: { http: "http://127.0.0.1:1/api" }
      db: { http: "http://127.0.0.1:1/db" }
`,
        { file: 'upkeep.yml', env: {} },
      ).plan;
      const notifier = new Notifier({
        database: ts.open(),
        plan,
        clock: systemClock,
        logger: silent,
        worker: 'a',
        baseUrl: 'http://127.0.0.1:8080',
        channelKey: TEST_CHANNEL_KEY,
        concurrency: 1,
        sendTimeoutMs: 300,
        pollMs: 50,
      });
      try {
        const db = ts.store.database;
        const now = Date.now();
        await recordFiring(db, 'shop/api', now, 'critical');
        await notifier.tick(); // plans both rows and sends the mail (the only slot) until its deadline
        const [mailRow] = (await notifier.store.listOutbox({ limit: 5 })).filter((r) => r.channel === 'mail');
        assert.equal(mailRow?.status, 'pending', 'a timed-out mail is retried later');
        assert.match(mailRow?.lastError ?? '', /timed out/);
        await recordFiring(db, 'shop/db', now, 'warning');
        const delivered = new Promise<void>((resolve) => {
          const poll = setInterval(() => {
            if (receiver.requests.length > 0) {
              clearInterval(poll);
              resolve();
            }
          }, 10);
        });
        notifier.start();
        await delivered;
        assert.equal(receiver.requests[0]?.url, '/hook');
      } finally {
        await notifier.stop(0);
        await ts.dispose();
      }
    });
  });
});
