/** The `tls` check kind: is the certificate valid, trusted, for this name, and how many days until it expires. */
import { z } from 'zod';
import type { Observation, Verdict } from '../core/observation.js';
import type { CheckKind } from './kind.js';
import { parseHostPort } from './spec-fields.js';
import { type CertFact, daysUntil, probeTls } from './tls-probe.js';
import { buildVerdict, failureVerdict, type Judged } from './verdict.js';

/** The plan entry of a tls check: `tls: example.com:443`. */
export const tlsSchema = z.strictObject({
  tls: z
    .string()
    .refine((v) => parseHostPort(v, 443) !== undefined, { message: 'expected host or host:port, e.g. example.com:443' })
    .describe('host:port whose certificate to inspect (port defaults to 443).'),
  servername: z
    .string()
    .min(1)
    .optional()
    .describe('SNI and the name the certificate must match; defaults to the host.'),
  expect: z
    .strictObject({
      daysLeft: z
        .strictObject({
          warning: z.number().nonnegative().default(21),
          critical: z.number().nonnegative().default(7),
        })
        .prefault({})
        .describe('Days before expiry of the soonest-expiring certificate in the chain that raise warning / critical.'),
    })
    .prefault({}),
});

/** A validated tls check spec. */
export type TlsSpec = z.output<typeof tlsSchema>;

/** Judges a tls observation: authorized, and the soonest expiry in the chain beyond the limits. Pure. */
export function evaluateTls(spec: TlsSpec, observation: Observation): Verdict {
  if (observation.failure) return failureVerdict(observation);
  const facts = observation.facts;
  const chain = Array.isArray(facts.chain) ? (facts.chain as CertFact[]) : [];
  // Recomputed from the dates and the run's start so the verdict depends only on the observation.
  const soonest = chain
    .map((cert) => ({ cert, days: daysUntil(cert.validTo, observation.startedAt) }))
    .reduce<{ cert: CertFact; days: number } | undefined>((a, c) => (!a || c.days < a.days ? c : a), undefined);
  const judged: Judged[] = [];
  const error = typeof facts.authorizationError === 'string' ? facts.authorizationError : undefined;
  const reason = typeof facts.authorizationReason === 'string' ? facts.authorizationReason : error;
  judged.push({
    condition: 'certificate trusted and matches the name',
    passed: facts.authorized === true,
    severity: 'critical',
    actual: reason ?? (facts.authorized === true ? 'authorized' : 'not authorized'),
    failText: `certificate rejected: ${reason ?? 'not authorized'}`,
  });
  if (!soonest) {
    judged.push({ condition: 'certificate present', passed: false, severity: 'critical', actual: 'no certificate' });
    return buildVerdict(judged, {}, '');
  }
  const { days, cert } = soonest;
  const which = cert === chain[0] ? '' : ` (${cert.subject || 'chain certificate'})`;
  for (const severity of ['critical', 'warning'] as const) {
    const limit = spec.expect.daysLeft[severity];
    judged.push({
      condition: `daysLeft > ${limit}`,
      passed: days > limit,
      severity,
      actual: String(days),
      failText: days < 0 ? `certificate expired ${-days}d ago${which}` : `certificate expires in ${days}d${which}`,
      group: 'daysLeft',
    });
  }
  const values: Record<string, number> = { daysLeft: days };
  if (typeof facts.handshakeMs === 'number') values.responseTimeMs = facts.handshakeMs;
  return buildVerdict(judged, values, `certificate valid for ${days}d`);
}

/** The tls check kind. */
export const tlsKind: CheckKind<TlsSpec> = {
  name: 'tls',
  description: 'Inspects a TLS certificate chain: trust, hostname, and days until the soonest expiry.',
  schema: tlsSchema,
  describe: (spec) => `tls ${spec.tls}${spec.servername ? ` (${spec.servername})` : ''}`,
  probe: probeTls,
  evaluate: evaluateTls,
};
