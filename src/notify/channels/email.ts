/** Email over SMTP (nodemailer), from an `smtp://user:pass@host:587` or `smtps://` URL; plain-text and HTML bodies. */
import { createTransport } from 'nodemailer';
import { z } from 'zod';
import { type AlertMessage, ChannelError, type ChannelKind, type SendContext } from '../channel.js';
import { alertFacts, alertText, alertTitle, escapeHtml } from './alert-text.js';
import { scrub } from './http-send.js';

const address = z.string().regex(/^[^@\s<>]+@[^@\s<>]+$|^.*<[^@\s<>]+@[^@\s<>]+>$/, {
  message: 'expected an email address such as ops@example.com or "Ops <ops@example.com>"',
});

const smtpUrl = z
  .string()
  .refine((value) => /^smtps?:\/\/[^/]/.test(value) && URL.canParse(value), {
    error: 'expected an SMTP URL: smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465 (TLS)',
  })
  .describe('smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465 (TLS). Secret: use ${SMTP_URL}.');

// The parts form matches .env files that hold SMTP_HOST / SMTP_USER / SMTP_PASS (what `upkeep init` writes).
// Values read from the environment are text, so port and secure accept "587" and "true" too.
const smtpParts = z
  .strictObject({
    host: z.string().min(1).describe('SMTP host name.'),
    port: z
      .union([z.int().min(1).max(65535), z.string().regex(/^\d{1,5}$/)])
      .optional()
      .describe('Port (default 587, or 465 when secure).'),
    secure: z
      .union([z.boolean(), z.enum(['true', 'false'])])
      .optional()
      .describe('TLS from the start (port 465); default false: STARTTLS.'),
    user: z.string().optional().describe('Login user.'),
    username: z.string().optional().describe('Same as user.'),
    pass: z.string().optional().describe('Login password. Secret: use ${SMTP_PASS}.'),
    password: z.string().optional().describe('Same as pass.'),
    from: z.string().optional().describe('The sender, when the channel has no "from".'),
  })
  .describe('The SMTP server as parts, e.g. { host: "${SMTP_HOST}", user: "${SMTP_USER}", pass: "${SMTP_PASS}" }.');

/** The SMTP server as nodemailer options, the password (for scrubbing) and a redacted name. */
export function smtpOptions(smtp: string | z.output<typeof smtpParts>): {
  options: Record<string, unknown>;
  secrets: string[];
  server: string;
  user?: string;
} {
  if (typeof smtp === 'string') {
    const url = new URL(smtp);
    const user = decodeURIComponent(url.username);
    return {
      options: { url: smtp },
      secrets: [decodeURIComponent(url.password), url.password].filter((x) => x.length > 0),
      server: `${url.protocol}//${url.host}`,
      ...(user ? { user } : {}),
    };
  }
  const secure = smtp.secure === true || smtp.secure === 'true';
  const port = smtp.port === undefined ? (secure ? 465 : 587) : Number(smtp.port);
  const user = smtp.user ?? smtp.username;
  const pass = smtp.pass ?? smtp.password ?? '';
  return {
    options: { host: smtp.host, port, secure, ...(user ? { auth: { user, pass } } : {}) },
    secrets: pass ? [pass] : [],
    server: `${secure ? 'smtps' : 'smtp'}://${smtp.host}:${port}`,
    ...(user ? { user } : {}),
  };
}

const schema = z.strictObject({
  type: z.literal('email'),
  smtp: z
    .union([smtpUrl, smtpParts])
    .describe(
      'The SMTP server: a URL (smtp://user:pass@host:587, smtps://...:465) or { host, port, user, pass, secure }.',
    ),
  from: address
    .optional()
    .describe(
      'The sender, e.g. "upkeep <upkeep@example.com>" (default: the SMTP user if it is an address, else upkeep@<SMTP host>).',
    ),
  to: z.union([address, z.array(address).min(1)]).describe('One address or a list.'),
  subjectPrefix: z.string().optional().describe('Put before every subject, e.g. "[shop]".'),
});

/** An email channel's plan entry. */
export type EmailConfig = z.output<typeof schema>;

/** A rendered mail: exactly what nodemailer gets. */
export interface EmailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** nodemailer's own per-step timeouts (connect, greeting, an idle socket): a backstop behind the send's deadline. */
export const SMTP_TIMEOUT_MS = 10_000;

/** SMTP reply codes 4xx are "try again later"; 5xx are refusals that a retry will not fix. */
function mailError(error: unknown, signal: AbortSignal, secrets: string[]): ChannelError {
  if (signal.aborted) {
    const timedOut = (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
    return new ChannelError(`SMTP: sending ${timedOut ? 'timed out' : 'was cancelled'}; it will be retried`, false);
  }
  const err = error as { code?: string; responseCode?: number; message?: string };
  const text = scrub(err.message ?? String(error), secrets);
  if (err.code === 'EAUTH') {
    return new ChannelError(
      `SMTP refused the login (${text}); check the SMTP user and password`,
      true,
      err.responseCode,
    );
  }
  if (typeof err.responseCode === 'number' && err.responseCode >= 500) {
    return new ChannelError(`SMTP refused the message (${text}); check "from" and "to"`, true, err.responseCode);
  }
  return new ChannelError(`SMTP failed (${text}); it will be retried`, false, err.responseCode);
}

/** The sender when the plan gives none: the SMTP login when it is an address (most providers insist), else upkeep@host. */
export function defaultFrom(smtp: EmailConfig['smtp']): string {
  if (typeof smtp !== 'string' && smtp.from) return smtp.from;
  try {
    const { user, server } = smtpOptions(smtp);
    return user?.includes('@') ? `upkeep <${user}>` : `upkeep <upkeep@${new URL(server).hostname}>`;
  } catch {
    return 'upkeep <upkeep@localhost>';
  }
}

/** Mails the alert with a plain-text body and an HTML one. */
export const emailChannel: ChannelKind<EmailConfig, EmailMessage> = {
  type: 'email',
  description: 'Sends an email through an SMTP server.',
  schema,
  render(config, message: AlertMessage): EmailMessage {
    const title = alertTitle(message);
    const rows = alertFacts(message).map(
      (f) =>
        `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td></tr>`,
    );
    return {
      from: config.from ?? defaultFrom(config.smtp),
      to: typeof config.to === 'string' ? [config.to] : config.to,
      subject: config.subjectPrefix ? `${config.subjectPrefix} ${title}` : title,
      text: `${alertText(message)}\n`,
      html: `<h2>${escapeHtml(title)}</h2>\n<table>${rows.join('')}</table>\n<p><a href="${escapeHtml(message.url)}">Open in upkeep</a></p>\n`,
    };
  },
  async send(config, rendered, ctx: SendContext) {
    const smtp = smtpOptions(config.smtp);
    const secrets = smtp.secrets;
    const transport = createTransport({
      ...smtp.options,
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
      // On abort, destroy the socket at once: a hung server would not close its side, and ending politely would
      // leave the socket open for nodemailer's close grace period (5 s) after the send was given up.
      socketCloseTimeout: 0,
    });
    try {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      // nodemailer >= 10.5 cancels the send on `signal` (the notifier's deadline or shutdown) and closes its
      // connection, so a server that accepts DATA and never answers frees the send slot and the socket together.
      const info = await transport.sendMail({ ...rendered, signal: ctx.signal });
      return { detail: String(info.response ?? 'accepted') };
    } catch (error) {
      throw mailError(error, ctx.signal, secrets);
    } finally {
      transport.close();
    }
  },
  describe(config) {
    const to = typeof config.to === 'string' ? config.to : config.to.join(', ');
    let server = '(invalid SMTP settings)';
    try {
      server = smtpOptions(config.smtp).server;
    } catch {}
    return `email to ${to} via ${server}`;
  },
};
