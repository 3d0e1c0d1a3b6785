/** The `tcp` check kind: can a TCP connection be opened to host:port, and how fast. */
import { z } from 'zod';
import type { CheckKind, Observation, ProbeContext, RecentValues, Verdict } from './kind.js';
import { parseHostPort, responseTimeField } from './spec-fields.js';

/** The plan entry of a tcp check: `tcp: db.example.com:5432`. */
export const tcpSchema = z.strictObject({
  tcp: z
    .string()
    .refine((v) => parseHostPort(v) !== undefined, {
      message: 'expected host:port, e.g. db.example.com:5432 or [::1]:5432',
    })
    .describe('host:port to connect to ([ipv6]:port for IPv6).'),
  expect: z.strictObject({ responseTime: responseTimeField.optional() }).prefault({}),
});

/** A validated tcp check spec. */
export type TcpSpec = z.output<typeof tcpSchema>;

/** The tcp check kind. */
export const tcpKind: CheckKind<TcpSpec> = {
  name: 'tcp',
  description: 'Opens a TCP connection to host:port; fails when refused, unreachable or slower than the limits.',
  schema: tcpSchema,
  describe: (spec) => `tcp ${spec.tcp}`,
  probe: (spec: TcpSpec, ctx: ProbeContext): Promise<Observation> => {
    throw new Error(`not implemented: ${spec.tcp} ${ctx.timeoutMs}`);
  },
  evaluate: (_spec: TcpSpec, _observation: Observation, _recent: RecentValues[]): Verdict => {
    throw new Error('not implemented');
  },
};
