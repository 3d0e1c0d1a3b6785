/** Classifies a probe's error into a FailureReason and a message that tells a person where to look. */
import type { FailureReason } from '../core/observation.js';

/** A classified failure, ready for Observation.failure. */
export interface ClassifiedFailure {
  reason: FailureReason;
  message: string;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'ENODATA']);
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EPIPE',
  'EADDRNOTAVAIL',
  'UND_ERR_SOCKET', // "other side closed" before a full response
  'UND_ERR_CLOSED',
]);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ABORT_ERR',
]);

/** Certificate verification codes (OpenSSL names, as Node reports them) → what a person should read. */
const CERT_MESSAGES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'untrusted chain (self-signed certificate in chain)',
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname mismatch',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted chain (unable to verify the first certificate)',
  UNABLE_TO_GET_ISSUER_CERT: 'untrusted chain (issuer certificate not found)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted chain (issuer not trusted locally)',
  CERT_UNTRUSTED: 'untrusted certificate',
  CERT_REVOKED: 'certificate revoked',
  CERT_SIGNATURE_FAILURE: 'certificate signature invalid',
  CERT_CHAIN_TOO_LONG: 'certificate chain too long',
  INVALID_CA: 'invalid CA certificate',
};

/** A short reading of an OpenSSL/Node certificate verification code, e.g. `CERT_HAS_EXPIRED` → `certificate expired`. */
export function describeCertError(code: string): string {
  return CERT_MESSAGES[code] ?? code.toLowerCase().replaceAll('_', ' ');
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  name?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** Every error in a cause chain (and inside AggregateErrors from happy-eyeballs connects), outermost first. */
function flatten(error: unknown, out: ErrorLike[] = [], depth = 0): ErrorLike[] {
  if (depth > 8 || error === null || typeof error !== 'object') return out;
  const e = error as ErrorLike;
  out.push(e);
  if (Array.isArray(e.errors)) for (const inner of e.errors) flatten(inner, out, depth + 1);
  if (e.cause !== undefined) flatten(e.cause, out, depth + 1);
  return out;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * Classifies an error thrown while probing `target`. `timedOut` says the probe's own deadline fired, which wins:
 * an aborted socket after the deadline is a timeout, not a reset.
 */
export function classifyFailure(
  error: unknown,
  target: string,
  timedOut: boolean,
  timeoutMs?: number,
): ClassifiedFailure {
  if (timedOut) {
    const limit = timeoutMs === undefined ? '' : ` of ${timeoutMs}ms`;
    return { reason: 'timeout', message: `no complete answer from ${target} within the deadline${limit}` };
  }
  const chain = flatten(error);
  const first = chain[0];
  const detail = text(first?.message) || String(error);
  for (const e of chain) {
    const code = text(e.code);
    if (DNS_CODES.has(code)) {
      return {
        reason: 'dns',
        message: `${target}: name did not resolve (${code}); check the hostname and DNS records`,
      };
    }
    if (
      code in CERT_MESSAGES ||
      code.startsWith('CERT_') ||
      code.startsWith('ERR_TLS_') ||
      code.startsWith('ERR_SSL_')
    ) {
      const what = code in CERT_MESSAGES ? describeCertError(code) : `TLS handshake failed (${code})`;
      return { reason: 'tls', message: `${target}: ${what}` };
    }
    if (code === 'EPROTO') return { reason: 'tls', message: `${target}: TLS handshake failed: ${text(e.message)}` };
    if (CONNECT_CODES.has(code)) {
      return { reason: 'connect', message: `${target}: connection failed (${code}): ${text(e.message)}` };
    }
    if (TIMEOUT_CODES.has(code) || e.name === 'TimeoutError') {
      return { reason: 'timeout', message: `${target}: timed out (${code || 'TimeoutError'})` };
    }
    if (
      e.name === 'HTTPParserError' ||
      code.startsWith('HPE_') ||
      code === 'UND_ERR_INFO' ||
      code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'
    ) {
      return { reason: 'protocol', message: `${target}: invalid HTTP response (${code}): ${text(e.message)}` };
    }
  }
  // Only when no error in the chain carried a code: OpenSSL failures sometimes arrive as bare messages.
  const handshake = chain.find((e) => !text(e.code) && /\b(ssl|tls|handshake)\b/i.test(text(e.message)));
  if (handshake) return { reason: 'tls', message: `${target}: TLS handshake failed: ${text(handshake.message)}` };
  if (first?.name === 'AbortError') return { reason: 'other', message: `${target}: probe aborted (upkeep stopping)` };
  return { reason: 'other', message: `${target}: ${detail}` };
}
