import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { ChannelError } from '../channel.js';
import { defaultFrom, emailChannel } from './email.js';
import { deliver, FIRING, RESOLVED, sendContext } from './test-support.js';

interface Mail {
  from: string;
  to: string[];
  raw: string;
  user?: string;
}

const FIRING_MAIL = {
  from: 'upkeep <upkeep@example.com>',
  to: ['ops@example.com', 'dev@example.com'],
  subject: '[shop] [CRITICAL] shop/api-health is failing',
  text: [
    '[CRITICAL] shop/api-health is failing',
    'What broke: 2 consecutive failures: HTTP 503 (expected 2xx)',
    'Since: 2026-03-01 10:00:00 UTC (5m ago)',
    'Last observation: HTTP 503 in 120ms: <h1>Down & out</h1>',
    'Target: GET https://shop.example/health',
    'Open: http://127.0.0.1:8080/units/shop/api-health',
    '',
  ].join('\n'),
  html:
    '<h2>[CRITICAL] shop/api-health is failing</h2>\n<table>' +
    '<tr><th align="left" style="padding:2px 12px 2px 0">What broke</th><td>2 consecutive failures: HTTP 503 (expected 2xx)</td></tr>' +
    '<tr><th align="left" style="padding:2px 12px 2px 0">Since</th><td>2026-03-01 10:00:00 UTC (5m ago)</td></tr>' +
    '<tr><th align="left" style="padding:2px 12px 2px 0">Last observation</th><td>HTTP 503 in 120ms: &lt;h1&gt;Down &amp; out&lt;/h1&gt;</td></tr>' +
    '<tr><th align="left" style="padding:2px 12px 2px 0">Target</th><td>GET https://shop.example/health</td></tr></table>\n' +
    '<p><a href="http://127.0.0.1:8080/units/shop/api-health">Open in upkeep</a></p>\n',
};

const RESOLVED_MAIL = {
  from: 'upkeep <upkeep@example.com>',
  to: ['ops@example.com', 'dev@example.com'],
  subject: '[shop] [RESOLVED] shop/api-health is back to normal',
  text: [
    '[RESOLVED] shop/api-health is back to normal',
    'Resolved: 1 passing run: HTTP 200',
    'Failing since: 2026-03-01 10:00:00 UTC (for 12m)',
    'Last observation: HTTP 200 in 85ms',
    'Target: GET https://shop.example/health',
    'Open: http://127.0.0.1:8080/units/shop/api-health',
    '',
  ].join('\n'),
  html:
    '<h2>[RESOLVED] shop/api-health is back to normal</h2>\n<table>' +
    '<tr><th align="left" style="padding:2px 12px 2px 0">Resolved</th><td>1 passing run: HTTP 200</td></tr>' +
    '<tr><th align="left" style="padding:2px 12px 2px 0">Failing since</th><td>2026-03-01 10:00:00 UTC (for 12m)</td></tr>' +
    '<tr><th align="left" style="padding:2px 12px 2px 0">Last observation</th><td>HTTP 200 in 85ms</td></tr>' +
    '<tr><th align="left" style="padding:2px 12px 2px 0">Target</th><td>GET https://shop.example/health</td></tr></table>\n' +
    '<p><a href="http://127.0.0.1:8080/units/shop/api-health">Open in upkeep</a></p>\n',
};

/** Decodes quoted-printable (soft line breaks, =XX bytes) as UTF-8. */
function decodeQuotedPrintable(text: string): string {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(joined.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A minimal MIME reader: top-level headers, and the decoded text/plain and text/html parts. */
function parseMail(raw: string): { headers: Record<string, string>; text?: string; html?: string } {
  const split = (block: string) => {
    const end = block.indexOf('\r\n\r\n');
    const head = block.slice(0, end).replace(/\r\n[ \t]+/g, ' ');
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n')) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    return { headers, body: block.slice(end + 4) };
  };
  const top = split(raw);
  const boundary = /boundary="?([^";]+)"?/.exec(top.headers['content-type'] ?? '')?.[1];
  assert.ok(boundary, 'expected a multipart message');
  const out: { headers: Record<string, string>; text?: string; html?: string } = { headers: top.headers };
  for (const chunk of top.body.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    const part = split(chunk.replace(/^\r\n/, ''));
    const encoding = part.headers['content-transfer-encoding'] ?? '7bit';
    const body = part.body.replace(/\r\n$/, '');
    const decoded =
      encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : encoding === 'base64'
          ? Buffer.from(body, 'base64').toString('utf8')
          : body;
    const text = decoded.replace(/\r\n/g, '\n');
    if (part.headers['content-type']?.startsWith('text/plain')) out.text = text;
    if (part.headers['content-type']?.startsWith('text/html')) out.html = text;
  }
  return out;
}

describe('email channel', () => {
  const mails: Mail[] = [];
  let rcptReply: { code: number; message: string } | undefined;
  let server: SMTPServer;
  let port: number;
  const config = (smtp: string) => ({
    type: 'email',
    smtp,
    from: 'upkeep <upkeep@example.com>',
    to: ['ops@example.com', 'dev@example.com'],
    subjectPrefix: '[shop]',
  });

  before(async () => {
    server = new SMTPServer({
      // A plain local server: no STARTTLS (no certificate), PLAIN/LOGIN auth over the loopback only.
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'alerts' && auth.password === 'p@ss:w0rd/secret') callback(null, { user: auth.username });
        else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onRcptTo(_address, _session, callback) {
        if (rcptReply) callback(Object.assign(new Error(rcptReply.message), { responseCode: rcptReply.code }));
        else callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
            ...(typeof session.user === 'string' ? { user: session.user } : {}),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('renders a firing and a resolved mail exactly', () => {
    const parsed = emailChannel.schema.parse(config('smtp://127.0.0.1:25'));
    assert.deepEqual(emailChannel.render(parsed, FIRING), FIRING_MAIL);
    assert.deepEqual(emailChannel.render(parsed, RESOLVED), RESOLVED_MAIL);
  });

  it('delivers to a real SMTP server with login: envelope, subject, plain-text and HTML bodies', async () => {
    mails.length = 0;
    const password = encodeURIComponent('p@ss:w0rd/secret');
    const result = await deliver(emailChannel, config(`smtp://alerts:${password}@127.0.0.1:${port}`), FIRING);
    assert.match(String(result.detail), /^250/);
    const [mail] = mails;
    assert.ok(mail);
    assert.equal(mail.user, 'alerts');
    assert.equal(mail.from, 'upkeep@example.com');
    assert.deepEqual(mail.to, ['ops@example.com', 'dev@example.com']);
    const parsed = parseMail(mail.raw);
    assert.equal(parsed.headers.subject, FIRING_MAIL.subject);
    assert.equal(parsed.headers.from, 'upkeep <upkeep@example.com>');
    assert.equal(parsed.headers.to, 'ops@example.com, dev@example.com');
    assert.equal(parsed.text, FIRING_MAIL.text);
    assert.equal(parsed.html, FIRING_MAIL.html);
  });

  it('a refused login is permanent and never shows the password', async () => {
    await assert.rejects(
      deliver(emailChannel, config(`smtp://alerts:wrong-secret-pw@127.0.0.1:${port}`), FIRING),
      (error: unknown) => {
        assert.ok(error instanceof ChannelError);
        assert.equal(error.permanent, true);
        assert.match(error.message, /refused the login/);
        assert.ok(!error.message.includes('wrong-secret-pw'));
        return true;
      },
    );
  });

  it('a 4xx reply is transient, a 5xx refusal permanent', async () => {
    try {
      for (const [code, permanent] of [
        [451, false],
        [550, true],
      ] as const) {
        rcptReply = { code, message: code === 451 ? 'Try again later' : 'No such user' };
        await assert.rejects(deliver(emailChannel, config(`smtp://127.0.0.1:${port}`), RESOLVED), (error: unknown) => {
          assert.ok(error instanceof ChannelError);
          assert.equal(error.permanent, permanent, `${code}`);
          assert.equal(error.status, code);
          return true;
        });
      }
    } finally {
      rcptReply = undefined;
    }
  });

  it('a server that is not there is transient', async () => {
    const closed = new SMTPServer({ disabledCommands: ['STARTTLS'], authOptional: true, logger: false });
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(
      deliver(emailChannel, config(`smtp://127.0.0.1:${freePort}`), FIRING, sendContext()),
      (error: unknown) =>
        error instanceof ChannelError && !error.permanent && /ECONNREFUSED|connect/i.test(error.message),
    );
  });

  it('refuses a URL that is not smtp:// or smtps://, and describes the server without credentials', () => {
    assert.equal(emailChannel.schema.safeParse(config('http://mail.example.com')).success, false);
    const parsed = emailChannel.schema.parse(config('smtps://alerts:hunter22@mail.example.com:465'));
    assert.equal(
      emailChannel.describe(parsed),
      'email to ops@example.com, dev@example.com via smtps://mail.example.com:465',
    );
  });

  it('defaults the sender to the SMTP login when it is an address, else upkeep@host', () => {
    assert.equal(defaultFrom('smtps://alerts%40shop.example:pw@smtp.gmail.com:465'), 'upkeep <alerts@shop.example>');
    assert.equal(defaultFrom('smtp://apikey:pw@smtp.sendgrid.net:587'), 'upkeep <upkeep@smtp.sendgrid.net>');
  });

  it('takes the SMTP server as parts too (host, port, user, pass from .env), as `upkeep init` writes it', async () => {
    mails.length = 0;
    const smtp = {
      host: '127.0.0.1',
      port: String(port),
      user: 'alerts',
      pass: 'p@ss:w0rd/secret',
      from: 'shop@example.com',
    };
    await deliver(emailChannel, { type: 'email', smtp, to: 'ops@example.com' }, RESOLVED);
    assert.equal(mails[0]?.user, 'alerts');
    assert.equal(mails[0]?.from, 'shop@example.com');
    assert.equal(parseMail(mails[0]?.raw ?? '').headers.subject, '[RESOLVED] shop/api-health is back to normal');
    const parsed = emailChannel.schema.parse({ type: 'email', smtp, to: 'ops@example.com' });
    assert.equal(emailChannel.describe(parsed), `email to ops@example.com via smtp://127.0.0.1:${port}`);
  });
});
