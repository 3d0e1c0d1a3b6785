/** Email over SMTP (nodemailer), from an `smtp://user:pass@host:587` or `smtps://` URL; plain-text and HTML bodies. */
import { createTransport } from 'nodemailer';
import { z } from 'zod';
import { type AlertMessage, ChannelError, type ChannelKind, type SendContext } from '../channel.js';
import { alertFacts, alertText, alertTitle, escapeHtml } from './alert-text.js';
import { scrub } from './http-send.js';

const address = z.string().regex(/^[^@\s<>]+@[^@\s<>]+$|^.*<[^@\s<>]+@[^@\s<>]+>$/, {
  message: 'expected an email address such as ops@example.com or "Ops <ops@example.com>"',
});

const schema = z.strictObject({
  type: z.literal('email'),
  smtp: z
    .string()
    .refine((value) => /^smtps?:\/\/[^/]/.test(value) && URL.canParse(value), {
      error: 'expected an SMTP URL: smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465 (TLS)',
    })
    .describe('The SMTP server as a URL: smtp://user:pass@host:587 or smtps://...:465. Secret: use ${SMTP_URL}.'),
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

const CONNECT_TIMEOUT_MS = 10_000;

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
      `SMTP refused the login (${text}); check the user and password in the smtp URL`,
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
export function defaultFrom(smtp: string): string {
  try {
    const url = new URL(smtp);
    const user = decodeURIComponent(url.username);
    return user.includes('@') ? `upkeep <${user}>` : `upkeep <upkeep@${url.hostname}>`;
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
    const url = new URL(config.smtp);
    const secrets = [decodeURIComponent(url.password), url.password].filter((s) => s.length > 0);
    const transport = createTransport({
      url: config.smtp,
      connectionTimeout: CONNECT_TIMEOUT_MS,
      greetingTimeout: CONNECT_TIMEOUT_MS,
      socketTimeout: CONNECT_TIMEOUT_MS,
    });
    // nodemailer takes no AbortSignal: race the deadline; its own socket timeouts end the abandoned attempt.
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(ctx.signal.reason);
    });
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const info = await Promise.race([transport.sendMail(rendered), aborted]);
      return { detail: String(info.response ?? 'accepted') };
    } catch (error) {
      throw mailError(error, ctx.signal, secrets);
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      transport.close();
    }
  },
  describe(config) {
    const to = typeof config.to === 'string' ? config.to : config.to.join(', ');
    let server = '(invalid smtp URL)';
    try {
      const url = new URL(config.smtp);
      server = `${url.protocol}//${url.host}`;
    } catch {}
    return `email to ${to} via ${server}`;
  },
};
