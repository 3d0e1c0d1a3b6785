/** The `tcp` check kind: can a TCP connection be opened to host:port, and how fast. */
import { connect } from 'node:net';
import { z } from 'zod';
import type { Observation } from '../core/observation.js';
import { startDeadline } from '../shared/deadline.js';
import { classifyFailure } from './failure-reason.js';
import type { CheckKind, ProbeContext } from './kind.js';
import { formatQuantity, parseMs } from './quantity.js';
import { parseHostPort, responseTimeField } from './spec-fields.js';
import { buildVerdict, failureVerdict, judgeLevels } from './verdict.js';

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

/** Opens (and at once closes) a TCP connection; never throws for the target's failures. */
export async function probeTcp(spec: TcpSpec, ctx: ProbeContext): Promise<Observation> {
  const startedAt = ctx.now();
  const t0 = performance.now();
  const target = parseHostPort(spec.tcp);
  if (!target) {
    return { startedAt, durationMs: 0, facts: {}, failure: { reason: 'other', message: `bad target ${spec.tcp}` } };
  }
  const deadline = startDeadline(ctx.signal, ctx.timeoutMs);
  const facts: Record<string, unknown> = { host: target.host, port: target.port };
  try {
    const socket = connect({ host: target.host, port: target.port });
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(deadline.signal.reason);
      if (deadline.signal.aborted) onAbort();
      deadline.signal.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => {
        facts.remoteAddress = socket.remoteAddress;
        resolve();
      });
      socket.once('error', reject);
    }).finally(() => socket.destroy());
    const connectMs = performance.now() - t0;
    facts.connectMs = Math.round(connectMs);
    return { startedAt, durationMs: connectMs, facts };
  } catch (error) {
    const failure = classifyFailure(error, spec.tcp, deadline.timedOut(), ctx.timeoutMs);
    return { startedAt, durationMs: performance.now() - t0, facts, failure };
  } finally {
    deadline.dispose();
  }
}

/** Judges a tcp observation: connected, and within the response-time limits. Pure. */
export function evaluateTcp(spec: TcpSpec, observation: Observation): ReturnType<typeof buildVerdict> {
  if (observation.failure) return failureVerdict(observation);
  const responseTimeMs = Math.round(
    typeof observation.facts.connectMs === 'number' ? observation.facts.connectMs : observation.durationMs,
  );
  const rt = spec.expect.responseTime;
  const judged = rt
    ? judgeLevels(
        { warning: parseMs(rt.warning), critical: parseMs(rt.critical) },
        responseTimeMs,
        'connect time',
        (n) => formatQuantity(n, 'duration'),
      )
    : [];
  return buildVerdict(judged, { responseTimeMs }, `connected in ${formatQuantity(responseTimeMs, 'duration')}`);
}

/** The tcp check kind. */
export const tcpKind: CheckKind<TcpSpec> = {
  name: 'tcp',
  description: 'Opens a TCP connection to host:port; fails when refused, unreachable or slower than the limits.',
  schema: tcpSchema,
  describe: (spec) => `tcp ${spec.tcp}`,
  probe: probeTcp,
  evaluate: evaluateTcp,
};
