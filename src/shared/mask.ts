/**
 * The one masker: hides secret values and the secret parts of URLs in anything upkeep shows or stores.
 * Pure, and imports nothing else of the project, so the plan, the checks and the store can all use it.
 *
 * Two rules (docs/secrets.md):
 * - every URL found in a text loses its password (or a user name standing alone) and every query value;
 * - every given secret value is replaced wherever it appears, raw or in the encoded forms URLs, forms and JSON give it.
 */

/** What replaces a masked URL part or an unnamed secret. */
export const MASK = '***';

/**
 * Secrets shorter than this are masked only as a whole token (not touching a letter or digit), because a short
 * value such as `30` or `on` is also a part of countless harmless words and numbers.
 */
export const MIN_SECRET_CHARS = 4;

/** One secret value, and the variable it came from (shown as `${NAME}` in its place). */
export interface Secret {
  value: string;
  name?: string;
}

/** Masks text and JSON values; built once per set of secrets. */
export interface Masker {
  /** The text with every secret and every URL's userinfo and query values masked. */
  text(text: string): string;
  /** A deep copy of a JSON-like value with every string (keys too) masked; numbers and booleans are kept. */
  json<T>(value: T): T;
}

// A URL with a scheme (`https://`, `postgres://`, `mongodb+srv://`) or protocol-relative (`//host`), up to a space,
// a quote or an angle bracket: how URLs end inside messages, JSON text and HTML.
const URL_RE = /(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/[^\s"'<>`]*/g;

/** Masks the userinfo and query values of one URL written as text (no parsing, so nothing is re-encoded). */
function maskOneUrl(url: string): string {
  const start = url.indexOf('//') + 2;
  const end = url.slice(start).search(/[/?#]/);
  const authorityEnd = end < 0 ? url.length : start + end;
  let authority = url.slice(start, authorityEnd);
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    // A user name before a password identifies the account and stays; a name standing alone is often a token.
    const shown = colon >= 0 ? `${userinfo.slice(0, colon)}:${MASK}` : MASK;
    authority = `${shown}${authority.slice(at)}`;
  }
  let rest = url.slice(authorityEnd);
  const q = rest.indexOf('?');
  if (q >= 0) {
    const hash = rest.indexOf('#', q);
    const query = rest.slice(q + 1, hash < 0 ? undefined : hash);
    const masked = query
      .split('&')
      .map((part) => {
        if (part === '') return part;
        const eq = part.indexOf('=');
        if (eq < 0) return MASK; // `?abc123`: a bare value, often a key itself
        return eq === part.length - 1 ? part : `${part.slice(0, eq)}=${MASK}`;
      })
      .join('&');
    rest = `${rest.slice(0, q + 1)}${masked}${hash < 0 ? '' : rest.slice(hash)}`;
  }
  return `${url.slice(0, start)}${authority}${rest}`;
}

/** The forms a value takes on its way into a URL, a form body or a JSON string. */
export function encodedForms(value: string): string[] {
  const forms = new Set<string>([value, encodeURIComponent(value), encodeURI(value)]);
  forms.add(new URLSearchParams({ v: value }).toString().slice(2)); // form encoding: space → +, + → %2B
  forms.add(JSON.stringify(value).slice(1, -1));
  try {
    // How the WHATWG URL serialiser writes it in a password, a path segment and a query (undici's url.href).
    const url = new URL('http://h/');
    url.password = value;
    forms.add(url.password);
    url.pathname = `/${value}`;
    forms.add(url.pathname.slice(1));
    url.search = `?${value}`;
    forms.add(url.search.slice(1));
  } catch {
    // A value no URL can hold has no URL forms.
  }
  forms.delete('');
  return [...forms];
}

/** A regex source matching `form` literally, with the hex digits of each %XX escape in either case. */
function formSource(form: string): string {
  let out = '';
  for (let i = 0; i < form.length; i += 1) {
    const hex = /^%[0-9A-Fa-f]{2}/.exec(form.slice(i))?.[0];
    if (hex) {
      out += `%${[...hex.slice(1)].map((d) => (/[a-f]/i.test(d) ? `[${d.toLowerCase()}${d.toUpperCase()}]` : d)).join('')}`;
      i += 2;
    } else {
      out += (form[i] as string).replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return out;
}

/** Builds the masker for `secrets` (strings are unnamed secrets). Empty values are ignored. */
export function createMasker(secrets: Iterable<Secret | string>): Masker {
  const labels = new Map<string, { label: string; length: number; form: string }>();
  for (const secret of secrets) {
    const { value, name } = typeof secret === 'string' ? { value: secret, name: undefined } : secret;
    if (value === '') continue;
    const label = name === undefined ? MASK : `\${${name}}`;
    for (const form of encodedForms(value)) {
      // A short value is matched only as a whole token; its forms are as short, or contain the same escapes.
      const short = value.length < MIN_SECRET_CHARS;
      const source = short ? `(?<![A-Za-z0-9])${formSource(form)}(?![A-Za-z0-9])` : formSource(form);
      if (!labels.has(source)) labels.set(source, { label, length: form.length, form });
    }
  }
  // Longest first, so a secret that contains another is replaced whole.
  const entries = [...labels].sort((a, b) => b[1].length - a[1].length);
  const labelList = entries.map(([, { label }]) => label);
  const values = entries.length > 0 ? new RegExp(entries.map(([source]) => `(${source})`).join('|'), 'g') : undefined;
  // A cheap test before the regex (which tries every form at every position): most strings hold no secret.
  const probes = entries.map(([, { form }]) => form).filter((form) => !form.includes('%'));
  const anyEscaped = entries.some(([, { form }]) => form.includes('%'));
  const mayHoldValue = (input: string) =>
    probes.some((probe) => input.includes(probe)) || (anyEscaped && input.includes('%'));

  const text = (input: string): string => {
    let out = input;
    // Values first: a secret inside a URL's path becomes its name, and a secret that is a whole URL is replaced
    // by its name rather than shown with only its query masked. Then every URL's userinfo and query.
    if (values && mayHoldValue(out)) {
      out = out.replace(values, (_match, ...groups) => labelFor(groups, labelList));
    }
    if (out.includes('//')) out = out.replace(URL_RE, maskOneUrl);
    return out;
  };
  const json = <T>(value: T): T => maskJson(value, text) as T;
  return { text, json };
}

function labelFor(groups: unknown[], labels: readonly string[]): string {
  const index = groups.findIndex((g, i) => i < labels.length && g !== undefined);
  return labels[index] ?? MASK;
}

/** Masks every string in a JSON-like value; returns the same value (no copy) where nothing changed. */
function maskJson(value: unknown, text: (s: string) => string): unknown {
  if (typeof value === 'string') return text(value);
  if (Array.isArray(value)) {
    const items = value.map((item) => maskJson(item, text));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  if (value !== null && typeof value === 'object') {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const k = text(key);
      const v = maskJson(item, text);
      if (k !== key || v !== item) changed = true;
      out[k] = v;
    }
    return changed ? out : value;
  }
  return value;
}

const noSecrets = createMasker([]);

/** The URL (or any text holding URLs) with passwords, lone user names and query values masked. */
export function maskUrls(text: string): string {
  return noSecrets.text(text);
}

const cache = new WeakMap<readonly Secret[], Masker>();

/** The masker for a list of secrets, built once per list (a plan's units share one list). */
export function maskerFor(secrets: readonly Secret[] | undefined): Masker {
  if (secrets === undefined || secrets.length === 0) return noSecrets;
  let masker = cache.get(secrets);
  if (!masker) {
    masker = createMasker(secrets);
    cache.set(secrets, masker);
  }
  return masker;
}
