/**
 * Security headers on every answer upkeep gives: a strict Content-Security-Policy (no inline script, no framing),
 * nosniff, no referrer, and HSTS when the request came over https. One onSend hook, so no route can forget them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Same-origin only. The dashboard's hashed scripts and stylesheets are same-origin; uPlot's element.style writes are
 * CSSOM, which style-src does not block; the status page uses a stylesheet route, never inline style or script.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const HSTS = 'max-age=31536000; includeSubDomains';

/** The headers every answer carries; HSTS only over https (a browser ignores it over http anyway, and says so). */
export function securityHeaders(req: Pick<FastifyRequest, 'protocol'>): Record<string, string> {
  return {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    ...(req.protocol === 'https' ? { 'strict-transport-security': HSTS } : {}),
  };
}

/** Registers the onSend hook that adds securityHeaders to every reply (routes, 404s and errors alike). */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    for (const [name, value] of Object.entries(securityHeaders(req))) {
      // A route that set its own (stricter) value keeps it.
      if (!reply.hasHeader(name)) reply.header(name, value);
    }
    return payload;
  });
}

/**
 * The same headers on an answer given before Fastify sees the request (the raw ping path). Only a TLS socket counts
 * as https here: proxies are trusted by Fastify's settings, which this path does not read.
 */
export function setRawSecurityHeaders(req: IncomingMessage, res: ServerResponse): void {
  const protocol = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  for (const [name, value] of Object.entries(securityHeaders({ protocol }))) res.setHeader(name, value);
}
