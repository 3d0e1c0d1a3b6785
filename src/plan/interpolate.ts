/** `${VAR}` references in plan strings: `${VAR}`, `${VAR:-default}`, and `$${` for a literal `${`. */
import { createMasker } from '../shared/mask.js';

/** A reference that could not be filled, with its offset in the text. */
export interface InterpolationProblem {
  offset: number;
  /** The variable name, or the raw reference when it is malformed. */
  name: string;
  kind: 'missing' | 'malformed';
}

/** The filled text, the variables it read (value → name, to scrub from messages), and any problems. */
export interface Interpolated {
  value: string;
  /** Each variable read, and the offset in `value` where its value was put. */
  used: { name: string; value: string; at: number }[];
  problems: InterpolationProblem[];
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Fills `${VAR}` references from `env`. Pure; never reads process.env. */
export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): Interpolated {
  const used: Interpolated['used'] = [];
  const problems: InterpolationProblem[] = [];
  let value = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      value += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      value += text[i];
      i += 1;
      continue;
    }
    const close = text.indexOf('}', i + 2);
    if (close < 0) {
      problems.push({ offset: i, name: text.slice(i), kind: 'malformed' });
      value += text.slice(i);
      break;
    }
    const inner = text.slice(i + 2, close);
    const sep = inner.indexOf(':-');
    const name = sep < 0 ? inner : inner.slice(0, sep);
    const fallback = sep < 0 ? undefined : inner.slice(sep + 2);
    if (!NAME_RE.test(name)) {
      problems.push({ offset: i, name: text.slice(i, close + 1), kind: 'malformed' });
    } else {
      const found = env[name];
      // Like the shell's `:-`, an empty variable takes the default too.
      if (found !== undefined && (found !== '' || fallback === undefined)) {
        used.push({ name, value: found, at: value.length });
        value += found;
      } else if (fallback !== undefined) {
        value += fallback;
      } else {
        problems.push({ offset: i, name, kind: 'missing' });
      }
    }
    i = close + 1;
  }
  return { value, used, problems };
}

/**
 * Replaces every interpolated value in `text` by its `${VAR}` reference, raw or in the forms URLs, forms and JSON give
 * it, and masks URLs' userinfo and query values (the one masker, src/shared/mask.ts), so a plan error never shows one.
 */
export function scrubSecrets(text: string, used: readonly { name: string; value: string }[]): string {
  return createMasker(used).text(text);
}
