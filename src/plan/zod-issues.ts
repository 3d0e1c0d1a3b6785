/** Turns zod issues into plan issues: a line:col, a plain message, what was found and expected, a likely fix. */
import type { z } from 'zod';
import type { PlanIssue } from './plan-error.js';
import { DURATION_FORMS, durationField } from './plan-fields.js';
import { nearest } from './suggest.js';
import type { YamlSource } from './yaml-source.js';

type Issue = z.core.$ZodIssue;
// biome-ignore lint/suspicious/noExplicitAny: walking zod's internal definitions, whose shape differs per schema type.
type AnySchema = any;

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (let i = 0; i < 20 && s?._zod; i++) {
    const def = s._zod.def;
    if (WRAPPERS.has(def.type)) s = def.innerType;
    else if (def.type === 'pipe') s = def.in;
    else if (def.type === 'lazy') s = def.getter();
    else break;
  }
  return s;
}

function step(schema: AnySchema, part: PropertyKey): AnySchema[] {
  const s = unwrap(schema);
  const def = s?._zod?.def;
  if (!def) return [];
  switch (def.type) {
    case 'object':
      return def.shape[part as string] ? [def.shape[part as string]] : [];
    case 'record':
      return [def.valueType];
    case 'array':
      return [def.element];
    case 'union':
      return def.options.flatMap((o: AnySchema) => step(o, part));
    case 'intersection':
      return [...step(def.left, part), ...step(def.right, part)];
    default:
      return [];
  }
}

function ownKeys(schema: AnySchema): string[] {
  const s = unwrap(schema);
  const def = s?._zod?.def;
  if (!def) return [];
  if (def.type === 'object') return Object.keys(def.shape);
  if (def.type === 'union') return def.options.flatMap(ownKeys);
  if (def.type === 'intersection') return [...ownKeys(def.left), ...ownKeys(def.right)];
  return [];
}

/** The schemas that describe the value at `path` (several under a union). */
export function schemasAt(schema: z.ZodType, path: readonly PropertyKey[]): AnySchema[] {
  let nodes: AnySchema[] = [schema];
  for (const part of path) nodes = nodes.flatMap((n) => step(n, part));
  return nodes.map(unwrap);
}

/** The keys a mapping at `path` may have, per the schema (for "did you mean" and "expected one of"). */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let nodes: AnySchema[] = [schema];
  for (const part of path) nodes = nodes.flatMap((n) => step(n, part));
  return [...new Set(nodes.flatMap(ownKeys))];
}

/** Reads the value at `path` in plain data. */
export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

/** How a value looks to a person: `a mapping`, `a list`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'true or false';
  return 'text';
}

// A check's common keys plus an http check's own are 17; past ~20 a list stops helping.
function expectedList(keys: string[]): string | undefined {
  return keys.length > 0 && keys.length <= 20 ? `one of: ${keys.join(', ')}` : undefined;
}

/** What a handler sees of one zod issue: where it is (in the file and in `data`), the value there, the schema. */
interface IssueSite {
  /** The path from the plan's root. */
  path: PropertyKey[];
  /** The path inside `data`. */
  rel: PropertyKey[];
  value: unknown;
  data: unknown;
  schema: z.ZodType;
  source: YamlSource;
}

/** Maps zod issues of `schema` (parsed from `data`, found at `base` in the file) to plan issues. */
export function toPlanIssues(
  issues: readonly Issue[],
  opts: { base: readonly PropertyKey[]; schema: z.ZodType; data: unknown; source: YamlSource },
): PlanIssue[] {
  const { base, schema, data, source } = opts;
  const out: PlanIssue[] = [];
  for (const issue of issues) {
    const rel = issue.path as PropertyKey[];
    const path = [...base, ...rel];
    if (source.isTainted(path)) continue; // a missing ${VAR} there is already reported
    out.push(...issueToPlan(issue, { path, rel, value: valueAt(data, rel), data, schema, source }));
  }
  return out;
}

function issueToPlan(issue: Issue, site: IssueSite): PlanIssue[] {
  switch (issue.code) {
    case 'unrecognized_keys':
      return unknownKeys(issue, site);
    case 'invalid_type':
      return [wrongType(issue, site)];
    case 'invalid_value':
      return [invalidValue(issue, site)];
    case 'too_small':
    case 'too_big':
      return [outOfRange(issue, site)];
    case 'invalid_key': {
      const name = String(site.rel[site.rel.length - 1]);
      const expected = issue.issues[0]?.message ?? 'a valid name';
      return [site.source.issueAt(site.path, `bad name "${name}"`, { expected }, 'key')];
    }
    case 'invalid_union':
      return unionIssues(issue, site);
    case 'custom': {
      const params = (issue.params ?? {}) as { expected?: string; suggestion?: string };
      return [
        site.source.issueAt(site.path, issue.message, {
          ...(params.expected ? { expected: params.expected } : {}),
          ...(params.suggestion ? { suggestion: params.suggestion } : {}),
        }),
      ];
    }
    default:
      return [site.source.issueAt(site.path, issue.message)];
  }
}

function unknownKeys(issue: Extract<Issue, { code: 'unrecognized_keys' }>, site: IssueSite): PlanIssue[] {
  const valid = keysAt(site.schema, site.rel);
  return issue.keys.map((key) => {
    const suggestion = nearest(key, valid);
    return site.source.issueAt(
      [...site.path, key],
      `unknown key "${key}"`,
      { expected: expectedList(valid), ...(suggestion ? { suggestion } : {}) },
      'key',
    );
  });
}

function wrongType(issue: Extract<Issue, { code: 'invalid_type' }>, site: IssueSite): PlanIssue {
  const { path, rel, value, source } = site;
  const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
  const parent = valueAt(site.data, rel.slice(0, -1));
  if (value === undefined && rel.length > 0 && parent !== null && typeof parent === 'object') {
    return source.issueAt(path, `missing key "${String(rel[rel.length - 1])}"`, { expected });
  }
  if (typeof value === 'number' && schemasAt(site.schema, rel).includes(durationField)) {
    return source.issueAt(path, 'a duration needs a unit', { expected: DURATION_FORMS, suggestion: `${value}s` });
  }
  const issueOut = source.issueAt(path, 'wrong type', { expected });
  return { ...issueOut, found: issueOut.found ?? describeValue(value) };
}

function invalidValue(issue: Extract<Issue, { code: 'invalid_value' }>, { path, rel, value, source }: IssueSite) {
  const values = issue.values.map((v) => JSON.stringify(v));
  const suggestion =
    typeof value === 'string'
      ? nearest(value, issue.values.filter((v) => typeof v === 'string') as string[])
      : undefined;
  const message = value === undefined ? `missing key "${String(rel[rel.length - 1])}"` : 'invalid value';
  return source.issueAt(path, message, {
    expected: values.length === 1 ? values[0] : `one of ${values.join(', ')}`,
    ...(suggestion ? { suggestion } : {}),
  });
}

function outOfRange(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>, { path, source }: IssueSite) {
  const small = issue.code === 'too_small';
  const bound = String(small ? issue.minimum : issue.maximum);
  const cmp = small ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
  const plural = bound === '1' ? '' : 's';
  const expected =
    issue.origin === 'array'
      ? `${small ? 'at least' : 'at most'} ${bound} item${plural}`
      : issue.origin === 'string'
        ? `${small ? 'at least' : 'at most'} ${bound} character${plural}`
        : `a number ${cmp} ${bound}`;
  return source.issueAt(path, small ? 'too small' : 'too big', { expected });
}

function unionIssues(issue: Extract<Issue, { code: 'invalid_union' }>, site: IssueSite): PlanIssue[] {
  const { path, rel, value, source } = site;
  const parent = valueAt(site.data, rel.slice(0, -1));
  if (value === undefined && rel.length > 0 && parent !== null && typeof parent === 'object') {
    // A missing key whose value may take several forms: name the key and the first form, as for any other.
    const first = issue.errors[0]?.find((i) => i.code === 'invalid_type');
    const expected = first?.code === 'invalid_type' ? (TYPE_WORDS[first.expected] ?? first.expected) : undefined;
    return [source.issueAt(path, `missing key "${String(rel[rel.length - 1])}"`, expected ? { expected } : {})];
  }
  // The branch whose type matched (no "wrong type" at the union's own level) is the one the author meant.
  const index = issue.errors.findIndex(
    (b) => b.length > 0 && !b.some((i) => i.code === 'invalid_type' && i.path.length === 0),
  );
  const chosen = index >= 0 ? index : issue.errors.findIndex((b) => b.length > 0);
  const best = issue.errors[chosen];
  if (!best) return [site.source.issueAt(site.path, issue.message)];
  // errors[i] belongs to options[i]: keep walking that option so "did you mean" sees its keys.
  const union = schemasAt(site.schema, site.rel).find((s) => s?._zod?.def?.type === 'union');
  const option = (union?._zod.def.options[chosen] as z.ZodType | undefined) ?? site.schema;
  return toPlanIssues(best, { base: site.path, schema: option, data: site.value, source: site.source });
}
