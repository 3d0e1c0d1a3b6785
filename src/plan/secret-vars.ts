/**
 * Which values read from the environment are secret, so the masker (src/shared/mask.ts) hides them everywhere.
 * Pure. The rules are documented in docs/secrets.md.
 */
import type { z } from 'zod';
import { findChannelKind } from '../notify/channels/registry.js';
import { MIN_SECRET_CHARS, type Secret } from '../shared/mask.js';
import type { UsedVariable } from './yaml-source.js';

/** Words that make a variable secret when a part of its name begins or ends with one. */
export const SECRET_NAME_WORDS = [
  'KEY',
  'TOKEN',
  'SECRET',
  'PASS',
  'PWD',
  'AUTH',
  'CREDENTIAL',
  'PRIVATE',
  'DSN',
  'WEBHOOK',
  'COOKIE',
  'SESSION',
] as const;

/**
 * True when the variable's name says it is secret: a part of the name (split at `_`, `-`, `.` and at lower→upper
 * case changes) begins or ends with a secret word, so `API_KEY`, `apiKey`, `DB_PASSWORD`, `GITHUBTOKEN` all count.
 */
export function isSecretName(name: string): boolean {
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[_.-]+/);
  return parts.some((part) => SECRET_NAME_WORDS.some((word) => part.startsWith(word) || part.endsWith(word)));
}

/** A span of a scalar's text: [start, end). */
type Span = readonly [number, number];

/**
 * The spans of a URL's secret parts in `text`: its userinfo and every query value. Read from the text itself, not
 * from a parsed URL, so the offsets match where `${VAR}` values were put.
 */
export function urlSecretSpans(text: string): Span[] {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(text);
  if (!scheme) return [];
  const spans: Span[] = [];
  const start = scheme[0].length;
  const found = text.slice(start).search(/[/?#]/);
  const authorityEnd = found < 0 ? text.length : start + found;
  const at = text.lastIndexOf('@', authorityEnd - 1);
  if (at >= start) spans.push([start, at]);
  const q = text.indexOf('?', authorityEnd);
  if (q < 0) return spans;
  const hash = text.indexOf('#', q);
  const queryEnd = hash < 0 ? text.length : hash;
  let partStart = q + 1;
  for (const part of text.slice(q + 1, queryEnd).split('&')) {
    const eq = part.indexOf('=');
    const valueStart = partStart + (eq < 0 ? 0 : eq + 1);
    const valueEnd = partStart + part.length;
    if (valueEnd > valueStart) spans.push([valueStart, valueEnd]);
    partStart = valueEnd + 1;
  }
  return spans;
}

/** `text` decoded as a URL component, or as written when it is not valid percent-encoding. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

/** Why a used variable is secret, or undefined when it is not. */
function secretReason(used: UsedVariable, marked: ReadonlySet<string>): 'name' | 'marked' | 'place' | undefined {
  if (isSecretName(used.name)) return 'name';
  if (marked.has(used.name)) return 'marked';
  // Everything a channel is configured with is a credential or leads to one (a webhook URL is its own password);
  // request headers carry Authorization, cookies and API keys.
  if (used.keys[0] === 'notify' || used.keys.includes('headers')) return 'place';
  return undefined;
}

/**
 * The values to mask for a plan: each variable that is secret by name, by `secretVars`, or by where it is used
 * (a channel, a request header), each URL userinfo or query value that came from the environment, and the
 * channel credentials written in the plan (`literals`, from channelSecrets). A variable's value is shown as its name.
 */
export function planSecrets(
  used: readonly UsedVariable[],
  secretVars: readonly string[] = [],
  literals: readonly Secret[] = [],
): Secret[] {
  const marked = new Set(secretVars);
  const secrets = new Map<string, Secret>();
  const add = (value: string, name?: string) => {
    const known = secrets.get(value);
    if (value !== '' && (!known || (known.name === undefined && name !== undefined))) {
      secrets.set(value, name === undefined ? { value } : { value, name });
    }
  };
  for (const literal of literals) add(literal.value, literal.name);
  for (const u of used) {
    if (u.value === '') continue;
    if (secretReason(u, marked)) add(u.value, u.name);
    const end = u.at + u.value.length;
    for (const [from, to] of urlSecretSpans(u.text)) {
      if (end <= from || u.at >= to) continue;
      const inside = u.at >= from && end <= to;
      const holds = u.at <= from && end >= to;
      // `?k=${API}`: the variable is (part of) a query value or the userinfo, so it is secret under its own name.
      // (A value that overlaps only partly, such as a password with a raw `@`, is secret too.)
      if (inside || !holds) add(u.value, u.name);
      if (!inside) {
        // `http: ${HEALTH_URL}` whose value holds `?k=...`: that query value came from the environment, and the
        // variable as a whole (the target's host and path) stays readable. A short part (`page=1`) is left to the
        // URL rule, which masks it in every URL, rather than masking every `1` everywhere.
        const part = u.text.slice(from, to);
        if (part.length < MIN_SECRET_CHARS) continue;
        add(part);
        add(decoded(part));
      }
    }
  }
  return [...secrets.values()];
}

type Described = { description?: string; unwrap?: () => unknown };

/** The keys of a channel type whose schema calls them secret (`secretText`, webhook URLs: "Secret: ..."). */
function secretFieldsOf(type: unknown): Set<string> {
  const kind = typeof type === 'string' ? findChannelKind(type) : undefined;
  const shape = (kind?.schema as z.ZodObject | undefined)?.shape ?? {};
  const keys = new Set<string>();
  for (const [key, field] of Object.entries(shape)) {
    // `.optional()` and `.default()` wrap the described schema: look inside until a description is found.
    let schema = field as unknown as Described | undefined;
    let description = schema?.description;
    while (description === undefined && typeof schema?.unwrap === 'function') {
      schema = schema.unwrap() as Described | undefined;
      description = schema?.description;
    }
    if (description?.includes('Secret:')) keys.add(key);
  }
  return keys;
}

/**
 * The values written into channel entries that are credentials even when written in the plan rather than taken
 * from the environment: fields the channel calls secret, every request header value, and every URL (a webhook URL
 * is its own password). They are never meant to be shown, so they are masked wherever a run might echo them.
 */
export function channelSecrets(notify: Readonly<Record<string, unknown>> | undefined): Secret[] {
  const out: Secret[] = [];
  for (const entry of Object.values(notify ?? {})) {
    if (entry === null || typeof entry !== 'object') continue;
    const fields = secretFieldsOf((entry as { type?: unknown }).type);
    for (const [key, value] of Object.entries(entry)) {
      if (key === 'type') continue;
      if (typeof value === 'string' && (fields.has(key) || URL.canParse(value))) out.push({ value });
      if (key === 'headers' && value !== null && typeof value === 'object') {
        for (const header of Object.values(value)) if (typeof header === 'string') out.push({ value: header });
      }
    }
  }
  return out;
}
