/**
 * HTML that escapes by default: every value interpolated into an `html` template is escaped unless it is itself
 * `Html` (the result of another `html` template). The one way status pages, feeds and badges build markup.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

// Characters XML 1.0 forbids (C0 controls but tab, newline, return) would make a feed invalid: they are dropped.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g;

/** Escapes text for HTML and XML, in element content and in quoted attribute values alike. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(CONTROL, '')
    .replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Markup that is already safe: produced by `html`, never by hand from outside text. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(value);
}

/** A template whose interpolations are escaped (arrays are joined, Html is kept, null/undefined/false vanish). */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}
