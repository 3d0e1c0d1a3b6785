/** The `http` check kind: request a URL, follow redirects, and judge status, body, keywords, timing and metrics. */
import { z } from 'zod';
import { evaluateHttp } from './http-evaluate.js';
import { probeHttp } from './http-request.js';
import type { CheckKind } from './kind.js';
import { responseTimeField, sizeField, thresholdField } from './spec-fields.js';

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const statusItem = z.union([
  z.int().min(100).max(599),
  z
    .string()
    .regex(/^([1-5]xx|[1-5]\d\d)$/i, { message: 'expected a status code such as 200 or a class such as "2xx"' }),
]);

const dottedPath = z
  .string()
  .regex(/^[^.\s]+(\.[^.\s]+)*$/, { message: 'expected a dotted path into the JSON body, e.g. metrics.errorRate' });

/** Percent growth of a value (`20%` or 20) for heap-growth rules. */
const growthField = z
  .union([
    z.number().positive(),
    z.string().regex(/^\s*\d+(\.\d+)?\s*%\s*$/, { message: 'expected a percentage such as 20%' }),
  ])
  .describe('Growth over the window, in percent, that raises this severity.');

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** What an http check expects; every key is optional and the status defaults to 2xx. */
export const httpExpectSchema = z.strictObject({
  status: z
    .union([statusItem, z.array(statusItem).min(1)])
    .optional()
    .describe('Expected final status: 200, [200, 204] or "2xx" (default 2xx, after redirects).'),
  body: z.unknown().optional().describe('A JSON subset the body must contain: every key and value given must match.'),
  keyword: z.string().min(1).optional().describe('Text that must appear in the body.'),
  notKeyword: z.string().min(1).optional().describe('Text that must not appear in the body.'),
  responseTime: responseTimeField.optional(),
  metrics: z
    .array(
      z
        .strictObject({ path: dottedPath, warning: thresholdField.optional(), critical: thresholdField.optional() })
        .refine((v) => v.warning !== undefined || v.critical !== undefined, {
          message: 'give warning, critical or both, e.g. { path: metrics.errorRate, critical: "> 5%" }',
        }),
    )
    .optional()
    .describe('Values read from the JSON body by dotted path, with failure rules such as "> 5%".'),
  heapGrowth: z
    .strictObject({
      path: dottedPath,
      window: z.int().min(2).max(1000).default(10),
      warning: growthField.optional(),
      critical: growthField.optional(),
    })
    .refine((v) => v.warning !== undefined || v.critical !== undefined, {
      message: 'give warning, critical or both, e.g. { path: metrics.memory.heapUsed, warning: 20%, critical: 50% }',
    })
    .optional()
    .describe('Leak detection: growth of a value across the last `window` runs.'),
});

/** The plan entry of an http check: `http: https://host/path` plus request options and `expect`. */
export const httpSchema = z.strictObject({
  http: z
    .string()
    .refine(isHttpUrl, { message: 'expected an http:// or https:// URL' })
    .describe('The URL to request (http or https).'),
  method: z
    .string()
    .regex(/^[A-Za-z]+$/, { message: 'expected an HTTP method such as GET or POST' })
    .default('GET')
    .describe('HTTP method (default GET).'),
  headers: z
    .record(z.string(), z.string())
    .superRefine((headers, ctx) => {
      for (const name of Object.keys(headers)) {
        if (!HEADER_NAME.test(name)) {
          ctx.addIssue({ code: 'custom', path: [name], message: `expected an HTTP header name, found "${name}"` });
        }
      }
    })
    .optional()
    .describe('Request headers; reference secrets as environment placeholders.'),
  body: z.string().optional().describe('Request body.'),
  maxRedirects: z.int().min(0).max(50).default(5).describe('Redirects to follow (default 5; 0 = do not follow).'),
  maxBodyBytes: sizeField.default('1MB').describe('Largest body read (default 1MB); beyond it the check fails.'),
  insecure: z.boolean().default(false).describe('Accept invalid TLS certificates (default false).'),
  expect: httpExpectSchema.prefault({}),
});

/** A validated http check spec. */
export type HttpSpec = z.output<typeof httpSchema>;

/** The http check kind. */
export const httpKind: CheckKind<HttpSpec> = {
  name: 'http',
  description: 'Requests a URL and checks status, JSON body subset, keywords, response time and metrics in the body.',
  schema: httpSchema,
  // The plan compiler masks it (userinfo, query values, secret values): src/shared/mask.ts.
  describe: (spec) => `${spec.method.toUpperCase()} ${spec.http}`,
  probe: probeHttp,
  // heapGrowth compares this run with the previous window-1 runs.
  recentRuns: (spec) => (spec.expect.heapGrowth ? spec.expect.heapGrowth.window - 1 : 0),
  evaluate: evaluateHttp,
};
