/** Zod fields shared by the check kinds' schemas: quantities and rules validated at load time, parsed when used. */
import { z } from 'zod';
import { parseMs, parseSize } from './quantity.js';
import { parseThreshold, THRESHOLD_HINT } from './threshold.js';

/** A duration in ms or text (`500ms`, `2s`). Kept as written so the plan round-trips; parse with parseMs. */
export const msField = z
  .union([z.number().nonnegative(), z.string()])
  .refine((v) => parseMs(v) !== undefined, { message: 'expected a duration such as 500ms, 2s or a number of ms' });

/** A size in bytes or text (`64KB`, `1MB`). Parse with parseSize. */
export const sizeField = z
  .union([z.int().nonnegative(), z.string()])
  .refine((v) => parseSize(v) !== undefined, { message: 'expected a size such as 512KB, 1MB or a number of bytes' });

/** A failure rule (`> 5%`) or a bare quantity (`45MB`, meaning above it fails). Parse with parseThreshold. */
export const thresholdField = z
  .union([z.number(), z.string()])
  .refine((v) => parseThreshold(v) !== undefined, { message: THRESHOLD_HINT });

/** `{ warning, critical }` response-time limits, either or both. */
export const responseTimeField = z
  .strictObject({ warning: msField.optional(), critical: msField.optional() })
  .refine((v) => v.warning !== undefined || v.critical !== undefined, {
    message: 'give warning, critical or both (e.g. { warning: 500ms, critical: 2s })',
  })
  .describe('Response time limits: above `warning` → warning, above `critical` → critical.');

/** Splits `host:port` / `[v6]:port` / `host` into parts; undefined when malformed. */
export function parseHostPort(text: string, defaultPort?: number): { host: string; port: number } | undefined {
  const trimmed = text.trim();
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d+))?$/i.exec(trimmed);
  const plain = /^([a-z0-9._-]+)(?::(\d+))?$/i.exec(trimmed);
  const match = v6 ?? plain;
  if (!match) return undefined;
  const host = match[1] as string;
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}
