/** The `tls` check kind: is the certificate valid, trusted, for this name, and how many days until it expires. */
import { z } from 'zod';
import type { CheckKind, Observation, ProbeContext, RecentValues, Verdict } from './kind.js';
import { parseHostPort } from './spec-fields.js';

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

/** The tls check kind. */
export const tlsKind: CheckKind<TlsSpec> = {
  name: 'tls',
  description: 'Inspects a TLS certificate chain: trust, hostname, and days until the soonest expiry.',
  schema: tlsSchema,
  describe: (spec) => `tls ${spec.tls}${spec.servername ? ` (${spec.servername})` : ''}`,
  probe: (spec: TlsSpec, ctx: ProbeContext): Promise<Observation> => {
    throw new Error(`not implemented: ${spec.tls} ${ctx.timeoutMs}`);
  },
  evaluate: (_spec: TlsSpec, _observation: Observation, _recent: RecentValues[]): Verdict => {
    throw new Error('not implemented');
  },
};
