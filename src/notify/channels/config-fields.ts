/** Zod fields channel configs share: URLs, secrets and durations, with messages that say what to write. */
import { z } from 'zod';
import { parseDuration } from '../../plan/duration.js';

/** An http(s) URL; a base URL option lets tests and self-hosted servers point a channel elsewhere. */
export function httpUrl(description: string) {
  return z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://example.com/...' })
    .describe(description);
}

/** A credential: required, non-empty, and never printed (describe() and errors leave it out). */
export function secretText(description: string) {
  return z.string().min(1).describe(`${description} Secret: write \${VAR} and keep the value in the environment.`);
}

/** A duration written with a unit (`30s`, `1h`); read with parseDuration when sending. */
export function durationText(description: string) {
  return z
    .string()
    .refine((value) => parseDuration(value) !== undefined, {
      error: 'expected a duration such as 30s, 5m, 1h',
    })
    .describe(description);
}

/** `base` without trailing slashes, so `${base}/path` never doubles a slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/** The host (and port) of a URL for describe(): never its path, query or userinfo, which may hold tokens. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}
