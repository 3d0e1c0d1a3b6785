/**
 * Which values read from the environment are secret, so the masker (src/shared/mask.ts) hides them everywhere.
 * Pure. The rules are documented in docs/secrets.md.
 */
import type { Secret } from '../shared/mask.js';
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
 * (a channel, a request header), and each URL userinfo or query value that came from the environment.
 */
export function planSecrets(used: readonly UsedVariable[], secretVars: readonly string[] = []): Secret[] {
  const marked = new Set(secretVars);
  const secrets = new Map<string, Secret>();
  const add = (value: string, name?: string) => {
    const known = secrets.get(value);
    if (!known || (known.name === undefined && name !== undefined)) secrets.set(value, { value, name });
  };
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
        // variable as a whole (the target's host and path) stays readable.
        const part = u.text.slice(from, to);
        add(part);
        add(decoded(part));
      }
    }
  }
  return [...secrets.values()];
}
