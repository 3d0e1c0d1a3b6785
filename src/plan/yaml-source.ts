// biome-ignore-all lint/suspicious/noTemplateCurlyInString: this file handles the plan's own ${VAR} syntax.
/** The plan's YAML with positions: parse errors, `${VAR}` filling, and "where in the file is this path?". */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from 'yaml';
import { interpolate } from './interpolate.js';
import type { PlanIssue } from './plan-error.js';

/** Where an issue points: the value at the path, its key, or (for a missing key) the mapping that lacks it. */
export type Anchor = 'value' | 'key';

/** One `${VAR}` filled from the environment: where (the keys leading to the scalar) and into what text. */
export interface UsedVariable {
  name: string;
  value: string;
  /** The mapping keys from the top of the plan to the scalar (list positions left out). */
  keys: string[];
  /** The scalar's whole text after filling, and the offset in it where the value was put. */
  text: string;
  at: number;
}

/** A parsed plan file that can answer line:col questions. */
export interface YamlSource {
  file: string;
  /** The data with `${VAR}` filled (undefined when the YAML did not parse). */
  data: unknown;
  /** YAML syntax and `${VAR}` problems. */
  issues: PlanIssue[];
  /** Variables read from the environment, to scrub from messages and to decide which are secret (plan/secret-vars.ts). */
  used: UsedVariable[];
  /** An issue at `path`: line:col and the source text found there. */
  issueAt(path: readonly PropertyKey[], message: string, extra?: Partial<PlanIssue>, anchor?: Anchor): PlanIssue;
  /** True when the value at `path` had a `${VAR}` problem, so other complaints about it would be noise. */
  isTainted(path: readonly PropertyKey[]): boolean;
}

const MAX_FOUND = 60;

// `{ smtp: ${SMTP_URL} }` is how people write references, but `{` and `}` end a plain scalar inside a flow mapping.
// Before parsing, each well-formed reference's braces become private-use characters of the same length, so offsets
// (and so line:col) are unchanged; scalars get their braces back before `${VAR}` is filled.
const OPEN = '\uE000';
const CLOSE = '\uE001';
const REFERENCE_RE = /\$\{([A-Za-z_][A-Za-z0-9_]*(?::-[^{}\n]*)?)\}/g;

/** Hides the braces of `${VAR}` references from the YAML parser (same length, so positions hold). */
export function shieldReferences(text: string): string {
  if (text.includes(OPEN) || text.includes(CLOSE)) return text; // cannot restore unambiguously: leave as written
  return text.replace(REFERENCE_RE, (_, inner: string) => `$${OPEN}${inner}${CLOSE}`);
}

/** Undoes shieldReferences in one scalar. */
function unshield(value: string): string {
  return value.replaceAll(OPEN, '{').replaceAll(CLOSE, '}');
}

/** The dotted display path: `apps.kirana.checks.api-health.expect.status`, list items as `[0]`. */
export function dottedPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Line and column (1-based) of an offset in the text. */
type Position = (offset: number) => { line: number; column: number };

/** Parses YAML text, fills `${VAR}` from `env`, and keeps positions for error messages. */
export function parseYamlSource(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): YamlSource {
  const lineCounter = new LineCounter();
  // yaml's own uniqueKeys check compares every key with every other (quadratic: seconds for 10,000 checks), so
  // duplicates are found here in one pass and reported as the same YAML error.
  const doc = parseDocument(shieldReferences(text), { lineCounter, uniqueKeys: false, prettyErrors: false });
  const duplicate = doc.errors.length === 0 ? firstDuplicateKey(doc) : undefined;
  const errors =
    duplicate === undefined
      ? doc.errors.slice(0, 1)
      : [{ code: 'DUPLICATE_KEY', pos: [duplicate, duplicate] as [number, number], message: '' }];
  const pos: Position = (offset) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  // Only the first syntax error: the rest are usually the parser losing its footing after it.
  const issues = errors.map((error) => syntaxIssue(error, text, file, pos));
  const filled = errors.length === 0 ? fillReferences(doc, text, file, env, pos) : undefined;
  if (filled) issues.push(...filled.issues);

  let data: unknown;
  if (errors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      issues.push({ file, line: 1, column: 1, path: '', message: `YAML: ${(error as Error).message}` });
    }
  }
  if (doc.errors.length === 0 && (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null))) {
    issues.push({ file, line: 1, column: 1, path: '', message: 'the plan is empty', expected: EMPTY_PLAN_EXPECTED });
  }

  const tainted = filled?.tainted ?? new Set<unknown>();
  const issueAt: YamlSource['issueAt'] = (path, message, extra = {}, anchor = 'value') => {
    const { node, keyNode, complete } = walkPath(doc, path);
    // A missing key is reported at the key of the mapping that lacks it, where a person would add it.
    const target = !complete || anchor === 'key' ? (keyNode ?? node) : (node ?? keyNode);
    const offset = target?.range?.[0] ?? 0;
    const found = complete && anchor === 'value' && isScalar(node) ? sourceText(text, node) : undefined;
    return {
      file,
      ...pos(offset),
      path: dottedPath(path),
      message,
      ...(found !== undefined ? { found } : {}),
      ...extra,
    };
  };
  const isTainted: YamlSource['isTainted'] = (path) => {
    if (tainted.size === 0) return false;
    const { node, complete } = walkPath(doc, path);
    return complete && tainted.has(node);
  };
  return { file, data, issues, used: filled?.used ?? [], issueAt, isTainted };
}

const EMPTY_PLAN_EXPECTED = 'a mapping starting with "version: 1"';

/** A YAML syntax error as a plan issue, in words a person can act on. */
function syntaxIssue(
  error: { code: string; pos: [number, number]; message: string },
  text: string,
  file: string,
  pos: Position,
): PlanIssue {
  const [start, end] = error.pos;
  let message = error.message.split('\n')[0] as string;
  if (error.code === 'DUPLICATE_KEY') {
    // The error marks the key's first character; read the whole key from there.
    const key = /^("[^"\n]*"|'[^'\n]*'|[^:\n,{}[\]]+)/.exec(text.slice(start))?.[1]?.trim() ?? text.slice(start, end);
    message = `duplicate key ${key.startsWith('"') ? key : `"${key}"`}: each key may appear once in a mapping`;
  } else if (error.code === 'MULTIPLE_DOCS') {
    message = 'the plan must be a single YAML document (remove the extra "---")';
  }
  const lineText = text.slice(text.lastIndexOf('\n', start) + 1, text.indexOf('\n', start) >>> 0);
  // A broken `${...}` reference in a flow mapping is the likely cause; say so, since the parser cannot.
  const hint = lineText.includes('${')
    ? { expected: '${NAME} or ${NAME:-default}; quote values holding { } [ ] or , inside { } and [ ]' }
    : {};
  return { file, ...pos(start), path: '', message: `YAML: ${message}`, ...hint };
}

/**
 * Gives every scalar its braces back and fills its `${VAR}` references from `env`, in place. Returns the variables
 * read, the problems as issues at the reference, and the scalars that had one (tainted).
 */
function fillReferences(
  doc: Document,
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
  pos: Position,
): { used: YamlSource['used']; issues: PlanIssue[]; tainted: Set<unknown> } {
  const used: YamlSource['used'] = [];
  const issues: PlanIssue[] = [];
  const tainted = new Set<unknown>();
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (typeof node.value !== 'string') return;
      const written = unshield(node.value);
      node.value = written;
      if (key === 'key' || !written.includes('${')) return;
      const result = interpolate(written, env);
      const keys = ancestors.flatMap((a) => (isPair(a) && isScalar(a.key) ? [String(a.key.value)] : []));
      for (const u of result.used) used.push({ ...u, keys, text: result.value });
      node.value = result.value;
      const start = node.range?.[0] ?? 0;
      const raw = text.slice(start, node.range?.[1] ?? start);
      if (result.problems.length > 0) tainted.add(node);
      for (const problem of result.problems) {
        // Point at the reference itself when the raw source shows it (plain and quoted one-line scalars).
        const needle = problem.kind === 'missing' ? `\${${problem.name}` : problem.name;
        const at = raw.indexOf(needle);
        issues.push(referenceIssue(problem, { file, ...pos(at >= 0 ? start + at : start), path: '' }));
      }
    },
  });
  return { used, issues, tainted };
}

/** A missing variable or a malformed reference, at `where`. */
function referenceIssue(
  problem: { kind: string; name: string },
  where: Pick<PlanIssue, 'file' | 'line' | 'column' | 'path'>,
): PlanIssue {
  return problem.kind === 'missing'
    ? {
        ...where,
        message: `environment variable ${problem.name} is not set`,
        expected: `${problem.name} in the environment, or a default: \${${problem.name}:-value}`,
      }
    : {
        ...where,
        message: `malformed variable reference ${problem.name}`,
        expected: '${NAME} or ${NAME:-default}; write $${ for a literal ${',
      };
}

/** The source text of a node, shortened for messages, or undefined when it has none. */
function sourceText(text: string, node: Node | null | undefined): string | undefined {
  if (!node?.range) return undefined;
  const raw = text.slice(node.range[0], node.range[1]).trim();
  if (!raw) return undefined;
  return raw.length > MAX_FOUND ? `${raw.slice(0, MAX_FOUND - 1)}…` : raw;
}

/** Walks the document along `path`; returns the deepest node reached and the key node leading to it. */
function walkPath(
  doc: Document,
  path: readonly PropertyKey[],
): { node: Node | null | undefined; keyNode: Node | undefined; complete: boolean } {
  let node: unknown = doc.contents;
  let keyNode: Node | undefined;
  for (const part of path) {
    if (isAlias(node)) node = node.resolve(doc as Document.Parsed);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) return { node: node as Node, keyNode, complete: false };
      keyNode = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number' && node.items[part] !== undefined) {
      keyNode = undefined;
      node = node.items[part];
    } else {
      return { node: node as Node | null | undefined, keyNode, complete: false };
    }
  }
  return { node: node as Node | null | undefined, keyNode, complete: true };
}

/** Offset of the first key that repeats an earlier key of the same mapping (scalar keys), or undefined. */
function firstDuplicateKey(doc: Document): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Map(_key, node) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        if (seen.has(pair.key.value)) {
          found = pair.key.range?.[0] ?? 0;
          return visit.BREAK;
        }
        seen.add(pair.key.value);
      }
      return undefined;
    },
  });
  return found;
}
