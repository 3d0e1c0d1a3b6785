/** The tls probe's I/O: a handshake that does not reject, so the certificate chain can be inspected and judged. */
import { isIP } from 'node:net';
import { checkServerIdentity, connect, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import type { Observation } from '../core/observation.js';
import { startDeadline } from '../shared/deadline.js';
import { classifyFailure, describeCertError } from './failure-reason.js';
import type { ProbeContext } from './kind.js';
import { parseHostPort } from './spec-fields.js';
import type { TlsSpec } from './tls.js';

/** One certificate of the chain as facts keep it. */
export interface CertFact {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  daysLeft: number;
}

const DAY_MS = 86_400_000;

/** Whole days from `now` until `validTo` (negative once expired). */
export function daysUntil(validTo: string, now: number): number {
  return Math.floor((Date.parse(validTo) - now) / DAY_MS);
}

function name(entity: Record<string, unknown> | undefined): string {
  if (!entity) return '';
  const cn = entity.CN ?? entity.O;
  return Array.isArray(cn) ? cn.join(', ') : String(cn ?? '');
}

/** Walks leaf → root through issuerCertificate links (a root links to itself). */
function chainOf(leaf: DetailedPeerCertificate, now: number): CertFact[] {
  const out: CertFact[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = leaf;
  while (cert?.valid_to && !seen.has(cert.fingerprint256) && out.length < 10) {
    seen.add(cert.fingerprint256);
    const validTo = new Date(cert.valid_to).toISOString();
    out.push({
      subject: name(cert.subject as unknown as Record<string, unknown>),
      issuer: name(cert.issuer as unknown as Record<string, unknown>),
      validFrom: new Date(cert.valid_from).toISOString(),
      validTo,
      daysLeft: daysUntil(validTo, now),
    });
    cert = cert.issuerCertificate;
  }
  return out;
}

/** Handshakes with spec.tls and reports the chain and its authorization; never throws for the target's failures. */
export async function probeTls(spec: TlsSpec, ctx: ProbeContext): Promise<Observation> {
  const startedAt = ctx.now();
  const t0 = performance.now();
  const target = parseHostPort(spec.tls, 443);
  if (!target) {
    return { startedAt, durationMs: 0, facts: {}, failure: { reason: 'other', message: `bad target ${spec.tls}` } };
  }
  const servername = spec.servername ?? target.host;
  const deadline = startDeadline(ctx.signal, ctx.timeoutMs);
  const facts: Record<string, unknown> = { host: target.host, port: target.port, servername };
  try {
    const socket = connect({
      host: target.host,
      port: target.port,
      // SNI must not be an IP address; the identity check below still uses `servername`.
      servername: isIP(servername) ? undefined : servername,
      // Accept the handshake so a bad certificate can be described, then report authorization ourselves.
      rejectUnauthorized: false,
      ca: ctx.ca,
      checkServerIdentity: (_host, cert) => tlsIdentity(servername, cert),
    });
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(deadline.signal.reason);
      if (deadline.signal.aborted) onAbort();
      deadline.signal.addEventListener('abort', onAbort, { once: true });
      socket.once('secureConnect', () => {
        const chain = chainOf(socket.getPeerCertificate(true), ctx.now());
        const error = socket.authorizationError ? String(socket.authorizationError) : undefined;
        Object.assign(facts, {
          protocol: socket.getProtocol(),
          authorized: socket.authorized,
          authorizationError: error,
          authorizationReason: error ? describeCertError(error) : undefined,
          leaf: chain[0],
          soonest: chain.reduce<CertFact | undefined>((a, c) => (!a || c.daysLeft < a.daysLeft ? c : a), undefined),
          chain,
        });
        resolve();
      });
      socket.once('error', reject);
    }).finally(() => socket.destroy());
    const durationMs = performance.now() - t0;
    facts.handshakeMs = Math.round(durationMs);
    return { startedAt, durationMs, facts };
  } catch (error) {
    const failure = classifyFailure(error, spec.tls, deadline.timedOut(), ctx.timeoutMs);
    return { startedAt, durationMs: performance.now() - t0, facts, failure };
  } finally {
    deadline.dispose();
  }
}

/** Node's own hostname check against `servername` (so `servername:` in the plan is what gets verified). */
function tlsIdentity(servername: string, cert: PeerCertificate): Error | undefined {
  return checkServerIdentity(servername, cert);
}
